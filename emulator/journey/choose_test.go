package journey

import (
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// TestProviderTarget: a selection page's provider is named by its claims exchange id, the
// technical profile the exchange runs or its ClaimsProvider's Domain, in any case; anything
// else is refused with the names the page offers.
func TestProviderTarget(t *testing.T) {
	fb := &policy.TechnicalProfile{ID: "Facebook-OAUTH", Domain: "facebook.com"}
	gh := &policy.TechnicalProfile{ID: "GitHub-OAUTH2"}
	p := &policy.Policy{TechnicalProfiles: map[string]*policy.TechnicalProfile{fb.ID: fb, gh.ID: gh}}
	pick := &policy.Step{Order: 1, Type: "CombinedSignInAndSignUp", Selections: []policy.Selection{
		{Target: "FacebookExchange"}, {Target: "GitHubExchange"}, {Validation: "LocalAccountSigninEmailExchange"}}}
	run := &policy.Step{Order: 2, Type: "ClaimsExchange", Exchanges: []policy.Exchange{
		{ID: "FacebookExchange", TechnicalProfile: fb.ID}, {ID: "GitHubExchange", TechnicalProfile: gh.ID}}}
	st := &state{journey: &policy.Journey{ID: "SignUpOrSignIn", Steps: []*policy.Step{pick, run}}}
	for _, tc := range []struct {
		step     *policy.Step
		name     string
		want     string
		errorHas []string
	}{
		{pick, "FacebookExchange", "FacebookExchange", nil},
		{pick, "facebook.com", "FacebookExchange", nil},
		{pick, "FACEBOOK-oauth", "FacebookExchange", nil},
		{pick, "GitHub-OAUTH2", "GitHubExchange", nil},
		{pick, "google.com", "", []string{`"google.com"`, "step 1 of the journey SignUpOrSignIn", "FacebookExchange / Facebook-OAUTH / facebook.com; GitHubExchange / GitHub-OAUTH2"}},
		{pick, "LocalAccountSigninEmailExchange", "", []string{"offers"}},
		{run, "FacebookExchange", "", []string{"no identity provider choice", "step 2 is a ClaimsExchange"}},
	} {
		got, err := providerTarget(p, st, tc.step, tc.name)
		if got != tc.want || (err == nil) != (tc.errorHas == nil) {
			t.Errorf("%s: = %q, %v, want %q", tc.name, got, err, tc.want)
			continue
		}
		for _, w := range tc.errorHas {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tc.name, err, w)
			}
		}
	}
}
