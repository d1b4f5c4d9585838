package policy_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// policyEdit replaces old with new in a fixture's XML, and fails the test unless old occurs
// exactly once: an edit whose target drifted would otherwise test the unedited policy and
// pass or fail for the wrong reason.
func policyEdit(t testing.TB, xml, old, new string) string {
	t.Helper()
	if got := strings.Count(xml, old); got != 1 {
		t.Fatalf("the policy edit does not apply: %q occurs %d times, want 1", old, got)
	}
	return strings.Replace(xml, old, new, 1)
}

// TestPolicyEdit: an edit whose target is missing or ambiguous fails the test that makes it,
// naming the target.
func TestPolicyEdit(t *testing.T) {
	const xml = `<A><B>one</B><B>two</B></A>`
	for _, tc := range []struct {
		name, old, want string // want is the failure, or the edited text
	}{
		{"once", "<B>one</B>", "<A><C/><B>two</B></A>"},
		{"missing", "<B>three</B>", `failed: the policy edit does not apply: "<B>three</B>" occurs 0 times, want 1`},
		{"twice", "<B>", `failed: the policy edit does not apply: "<B>" occurs 2 times, want 1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fatalOf(t, func(tb testing.TB) string { return policyEdit(tb, xml, tc.old, "<C/>") }); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// fatalOf runs f with a testing.TB whose Fatalf stops f, and returns f's result or
// "failed: " and the failure.
func fatalOf(t *testing.T, f func(testing.TB) string) string {
	rec := &fatalRecorder{TB: t}
	done := make(chan string)
	go func() {
		finished := false
		defer func() {
			if !finished {
				done <- "failed: " + rec.msg
			}
		}()
		out := f(rec)
		finished = true
		done <- out
	}()
	return <-done
}

// fatalRecorder is a testing.TB whose Fatalf records the failure and ends the goroutine, as
// testing's does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
