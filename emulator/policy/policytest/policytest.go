// Package policytest edits policy and configuration texts for tests, strictly: an edit whose
// target drifted (missing, or found more often than meant) fails the test that makes it,
// instead of silently testing the unedited policy. It is imported by tests only.
package policytest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// Edit replaces old with new in text, and fails the test unless old occurs exactly once.
func Edit(t testing.TB, text, old, new string) string {
	t.Helper()
	return EditN(t, text, old, new, 1)
}

// EditN replaces every one of old's occurrences in text with new, and fails the test unless
// there are exactly n.
func EditN(t testing.TB, text, old, new string, n int) string {
	t.Helper()
	if got := strings.Count(text, old); got != n {
		t.Fatalf("the policy edit does not apply: %q occurs %d times, want %d", old, got, n)
	}
	return strings.ReplaceAll(text, old, new)
}

// EditRegexp replaces re's match in text with new, and fails the test unless re matches
// exactly once.
func EditRegexp(t testing.TB, text string, re *regexp.Regexp, new string) string {
	t.Helper()
	if got := len(re.FindAllStringIndex(text, -1)); got != 1 {
		t.Fatalf("the policy edit does not apply: %s matches %d times, want once", re, got)
	}
	return re.ReplaceAllLiteralString(text, new)
}

// FatalOf runs f with a testing.TB whose Fatalf stops f, and returns f's result or
// "failed: " and the failure: a test of a helper that must fail its caller.
func FatalOf(t *testing.T, f func(testing.TB) string) string {
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

// CopyEdited copies the files of the folder src into a new temporary folder and returns it;
// each file edits names is changed by its function on the way. An edit naming a file that
// src lacks fails the test.
func CopyEdited(t testing.TB, src string, edits map[string]func(string) string) string {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	dir, done := t.TempDir(), map[string]bool{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if edit, ok := edits[e.Name()]; ok {
			b, done[e.Name()] = []byte(edit(string(b))), true
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name := range edits {
		if !done[name] {
			t.Fatalf("the edit of %s does not apply: %s has no such file", name, src)
		}
	}
	return dir
}
