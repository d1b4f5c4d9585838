package policytest_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/policy/policytest"
)

// TestEdit: an edit whose target is missing or ambiguous fails the test that makes it,
// naming the target.
func TestEdit(t *testing.T) {
	const xml = `<A><B>one</B><B>two</B></A>`
	for _, tc := range []struct {
		name string
		edit func(tb testing.TB) string
		want string // the failure, or the edited text
	}{
		{"once", func(tb testing.TB) string { return policytest.Edit(tb, xml, "<B>one</B>", "<C/>") }, "<A><C/><B>two</B></A>"},
		{"missing", func(tb testing.TB) string { return policytest.Edit(tb, xml, "<B>three</B>", "<C/>") }, `failed: the policy edit does not apply: "<B>three</B>" occurs 0 times, want 1`},
		{"twice", func(tb testing.TB) string { return policytest.Edit(tb, xml, "<B>", "<C>") }, `failed: the policy edit does not apply: "<B>" occurs 2 times, want 1`},
		{"each of n", func(tb testing.TB) string { return policytest.EditN(tb, xml, "<B>", "<C>", 2) }, "<A><C>one</B><C>two</B></A>"},
		{"regexp once", func(tb testing.TB) string {
			return policytest.EditRegexp(tb, xml, regexp.MustCompile(`<B>o\w+</B>`), "")
		}, "<A><B>two</B></A>"},
		{"regexp twice", func(tb testing.TB) string {
			return policytest.EditRegexp(tb, xml, regexp.MustCompile(`<B>\w+</B>`), "")
		}, "failed: the policy edit does not apply: <B>\\w+</B> matches 2 times, want once"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := policytest.FatalOf(t, tc.edit); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestCopyEdited: the copy holds every file, the named one edited; an edit of a file the
// folder lacks fails the test that makes it.
func TestCopyEdited(t *testing.T) {
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "a.xml"), []byte("<A/>"), 0o644)
	os.WriteFile(filepath.Join(src, "b.xml"), []byte("<B/>"), 0o644)
	dir := policytest.CopyEdited(t, src, map[string]func(string) string{"b.xml": func(s string) string { return s + "<C/>" }})
	a, _ := os.ReadFile(filepath.Join(dir, "a.xml"))
	b, _ := os.ReadFile(filepath.Join(dir, "b.xml"))
	if string(a) != "<A/>" || string(b) != "<B/><C/>" {
		t.Errorf("copied %q and %q", a, b)
	}
	got := policytest.FatalOf(t, func(tb testing.TB) string {
		return policytest.CopyEdited(tb, src, map[string]func(string) string{"c.xml": func(s string) string { return s }})
	})
	if want := "failed: the edit of c.xml does not apply: " + src + " has no such file"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
