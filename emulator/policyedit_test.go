package emulator_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// The example's policy files, as tests name them to edit them.
const (
	baseXML         = "TrustFrameworkBase.xml"
	localizationXML = "TrustFrameworkLocalization.xml"
	extensionsXML   = "TrustFrameworkExtensions.xml"
	signUpXML       = "SignUpOrSignin.xml"
)

// examplePolicies is the folder of the loyalty example's policy files.
var examplePolicies = filepath.Join("..", "docs", "examples", "custom-policies", "policies")

// policyEdits edits the example's policy files before a test serves them: a file's name and
// the function of its text that edits it. Each function makes its edits with policyEdit (or
// policyEditN, policyEditRegexp), so an edit whose target drifted fails the test instead of
// silently testing the unedited policy; a name the example lacks fails it too.
type policyEdits map[string]func(string) string

// policyEdit replaces old with new in xml, and fails the test unless old occurs exactly once.
func policyEdit(t testing.TB, xml, old, new string) string {
	t.Helper()
	return policyEditN(t, xml, old, new, 1)
}

// policyEditN replaces every one of old's occurrences in xml with new, and fails the test
// unless there are exactly n.
func policyEditN(t testing.TB, xml, old, new string, n int) string {
	t.Helper()
	if got := strings.Count(xml, old); got != n {
		t.Fatalf("the policy edit does not apply: %q occurs %d times, want %d", old, got, n)
	}
	return strings.ReplaceAll(xml, old, new)
}

// policyEditRegexp replaces re's match in xml with new, and fails the test unless re matches
// exactly once.
func policyEditRegexp(t testing.TB, xml string, re *regexp.Regexp, new string) string {
	t.Helper()
	if got := len(re.FindAllStringIndex(xml, -1)); got != 1 {
		t.Fatalf("the policy edit does not apply: %s matches %d times, want once", re, got)
	}
	return re.ReplaceAllLiteralString(xml, new)
}

// replaceIn is the policyEdits of one file that replaces old, which must occur there exactly
// once, with new.
func replaceIn(t testing.TB, file, old, new string) policyEdits {
	return policyEdits{file: func(s string) string { return policyEdit(t, s, old, new) }}
}

// apply returns the example's files edited, by name, with the service URL replaced by
// service; a file edits names that the example lacks fails the test.
func (edits policyEdits) apply(t testing.TB, service string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(examplePolicies)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(examplePolicies, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	// The example's REST profile calls b2cemu's demo API; the tests' service stands in for it.
	files[extensionsXML] = policyEdit(t, files[extensionsXML], "http://127.0.0.1:8080/demo/api/loyalty", service)
	var unknown []string
	for name, edit := range edits {
		if _, ok := files[name]; !ok {
			unknown = append(unknown, name)
			continue
		}
		files[name] = edit(files[name])
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		t.Fatalf("the policy edits name files the example lacks: %s", strings.Join(unknown, ", "))
	}
	return files
}

// replaceOnce is strings.Replace that fails the test when old is not in s, for files that are
// not the example's (the community samples).
func replaceOnce(t testing.TB, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("the policy edit does not apply: %q is not in the file", old)
	}
	return strings.Replace(s, old, new, 1)
}

// readTestdata returns a file of testdata/.
func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// restAuthentication gives the loyalty REST profile the AuthenticationType item metadata and
// the cryptographic keys.
func restAuthentication(t testing.TB, metadata, keys string) policyEdits {
	return policyEdits{extensionsXML: func(s string) string {
		s = policyEdit(t, s, `<Item Key="AuthenticationType">None</Item>`, metadata)
		return policyEdit(t, s, `</InputClaims>
          <OutputClaims><OutputClaim ClaimTypeReferenceId="promoCode" /></OutputClaims>`, `</InputClaims>
          <CryptographicKeys>`+keys+`</CryptographicKeys><OutputClaims><OutputClaim ClaimTypeReferenceId="promoCode" /></OutputClaims>`)
	}}
}

// configEdit replaces old with new in a configuration file's text, and fails the test unless
// old occurs exactly once.
func configEdit(t testing.TB, yaml, old, new string) string {
	t.Helper()
	return policyEditN(t, yaml, old, new, 1)
}

// TestPolicyEdit: an edit whose target is missing or ambiguous fails the test that makes it,
// naming the target, and so does an edit of a file the example lacks.
func TestPolicyEdit(t *testing.T) {
	const xml = `<A><B>one</B><B>two</B></A>`
	for _, tc := range []struct {
		name string
		edit func(tb testing.TB) string
		want string // the failure, or the edited text
	}{
		{"once", func(tb testing.TB) string { return policyEdit(tb, xml, "<B>one</B>", "<C/>") }, "<A><C/><B>two</B></A>"},
		{"missing", func(tb testing.TB) string { return policyEdit(tb, xml, "<B>three</B>", "<C/>") }, `failed: the policy edit does not apply: "<B>three</B>" occurs 0 times, want 1`},
		{"twice", func(tb testing.TB) string { return policyEdit(tb, xml, "<B>", "<C>") }, `failed: the policy edit does not apply: "<B>" occurs 2 times, want 1`},
		{"each of n", func(tb testing.TB) string { return policyEditN(tb, xml, "<B>", "<C>", 2) }, "<A><C>one</B><C>two</B></A>"},
		{"regexp twice", func(tb testing.TB) string { return policyEditRegexp(tb, xml, regexp.MustCompile(`<B>\w+</B>`), "") }, "failed: the policy edit does not apply: <B>\\w+</B> matches 2 times, want once"},
		{"unknown file", func(tb testing.TB) string {
			policyEdits{"TrustFrameworkExtension.xml": func(s string) string { return s }}.apply(tb, "http://127.0.0.1:1/api")
			return "applied"
		}, "failed: the policy edits name files the example lacks: TrustFrameworkExtension.xml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fatalOf(t, tc.edit); got != tc.want {
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
