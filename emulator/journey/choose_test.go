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

// TestEnabledForUserJourneys: each EnabledForUserJourneys value of Microsoft's
// TechnicalProfiles reference over a claims bag.
func TestEnabledForUserJourneys(t *testing.T) {
	bag := map[string]string{"issuers": `["facebook.com","live.com"]`, "flag": ""}
	md := func(claim, value string) map[string]string {
		return map[string]string{"ClaimTypeOnWhichToEnable": claim, "ClaimValueOnWhichToEnable": value}
	}
	for _, tc := range []struct {
		name, enabled string
		metadata      map[string]string
		want          bool
	}{
		{"no element", "", nil, true},
		{"Always", "Always", nil, true},
		{"Never", "Never", nil, false},
		{"OnClaimsExistence, present even if empty", "OnClaimsExistence", md("flag", ""), true},
		{"OnClaimsExistence, absent", "OnClaimsExistence", md("other", ""), false},
		{"OnItemExistence, held", "OnItemExistenceInStringCollectionClaim", md("issuers", "facebook.com"), true},
		{"OnItemExistence, not held", "OnItemExistenceInStringCollectionClaim", md("issuers", "google.com"), false},
		{"OnItemExistence, another case", "OnItemExistenceInStringCollectionClaim", md("issuers", "Facebook.com"), false},
		{"OnItemExistence, no collection", "OnItemExistenceInStringCollectionClaim", md("missing", "facebook.com"), false},
		{"OnItemAbsence, held", "OnItemAbsenceInStringCollectionClaim", md("issuers", "live.com"), false},
		{"OnItemAbsence, not held", "OnItemAbsenceInStringCollectionClaim", md("issuers", "google.com"), true},
		{"OnItemAbsence, no collection", "OnItemAbsenceInStringCollectionClaim", md("missing", "google.com"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := enabled(&policy.TechnicalProfile{ID: "tp", Enabled: tc.enabled, Metadata: tc.metadata}, bag); got != tc.want {
				t.Errorf("enabled = %v, want %v", got, tc.want)
			}
		})
	}
}
