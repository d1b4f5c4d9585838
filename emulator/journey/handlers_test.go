package journey

import (
	"os"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// TestEveryKindHasAHandler: each kind the loader gives a technical profile that a journey
// runs without a page has its protocol's handler; the two that are not run so (a
// self-asserted profile is a page, the relying party's profile names the token) have none.
func TestEveryKindHasAHandler(t *testing.T) {
	for _, k := range []policy.Kind{policy.Directory, policy.Restful, policy.Transformation, policy.Session, policy.PasswordCheck,
		policy.IdentityProvider, policy.TokenIssuer, policy.Engine, policy.EmailCode, policy.OneTimePassword, policy.PhoneFactor, policy.AzureMFA} {
		if handlers[k] == nil {
			t.Errorf("no handler for %s", k)
		}
	}
	for _, k := range []policy.Kind{policy.SelfAsserted, policy.RelyingPartyProfile} {
		if handlers[k] != nil {
			t.Errorf("%s has a handler", k)
		}
	}
}

// TestEveryMethodIsDocumented: each claims transformation method the table runs is listed
// in docs/custom-policies.md.
func TestEveryMethodIsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/custom-policies.md")
	if err != nil {
		t.Fatal(err)
	}
	var row string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| claims transformations |") {
			row = line
		}
	}
	for name := range methods {
		if !strings.Contains(row, "`"+name+"`") {
			t.Errorf("%s runs but docs/custom-policies.md does not list it", name)
		}
	}
}
