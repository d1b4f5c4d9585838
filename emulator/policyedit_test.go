package emulator_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/policy/policytest"
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

// The strict edits of policytest: each fails the test when its target does not occur as
// often as meant.
var (
	policyEdit       = policytest.Edit
	policyEditN      = policytest.EditN
	policyEditRegexp = policytest.EditRegexp
)

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

// TestPolicyEdit: an edit of a file the example lacks fails the test that makes it, naming
// the file (policytest's own test covers the text edits).
func TestPolicyEdit(t *testing.T) {
	got := policytest.FatalOf(t, func(tb testing.TB) string {
		policyEdits{"TrustFrameworkExtension.xml": func(s string) string { return s }}.apply(tb, "http://127.0.0.1:1/api")
		return "applied"
	})
	if want := "failed: the policy edits name files the example lacks: TrustFrameworkExtension.xml"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
