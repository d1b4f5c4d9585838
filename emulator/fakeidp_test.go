package emulator_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestHeadlessAccountClaims: the headless account's "claims" is the fake identity provider
// page's claims box: laid over a fixture account (or an inline identity) under the provider's
// claim names, reaching PostFederationSignup through B2C's claims mapping; a bad one is a 400
// that says what is wrong.
func TestHeadlessAccountClaims(t *testing.T) {
	srv, _ := start(t, validationScript())
	for _, tc := range []struct {
		name    string
		account map[string]any
		want    map[string]any // PostFederationSignup's members; nil: absent
		subject string
	}{
		{"fixture", map[string]any{"issuerAssignedId": "fb-1", "claims": map[string]any{"email": "work@fabrikam.example", "family_name": "Duarte", "name": nil}},
			map[string]any{"email": "work@fabrikam.example", "surname": "Duarte", "displayName": nil}, "fb-1"},
		{"inline, the claims give the subject", map[string]any{"email": "ines@fabrikam.example", "claims": map[string]any{"sub": "oidc-9", "given_name": "Inês"}},
			map[string]any{"email": "ines@fabrikam.example", "givenName": "Inês"}, "oidc-9"},
		{"claims alone", map[string]any{"claims": map[string]any{"email": "Rui@Fabrikam.example"}},
			map[string]any{"email": "Rui@Fabrikam.example"}, "rui@fabrikam.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "facebook.com", "account": tc.account,
				"attributes": []map[string]string{{"displayName": "Someone Long"}}})
			if out.Outcome != "token" || len(out.Calls) == 0 || out.Calls[0].Step != "PostFederationSignup" {
				t.Fatalf("run = %+v", out)
			}
			body := out.Calls[0].Request
			for k, want := range tc.want {
				if got, ok := body[k]; want == nil && ok || want != nil && got != want {
					t.Errorf("PostFederationSignup %s = %v, want %v (%v)", k, got, want, body)
				}
			}
			ids := body["identities"].([]any)[0].(map[string]any)
			if ids["issuerAssignedId"] != tc.subject {
				t.Errorf("identity %v, want the subject %s", ids, tc.subject)
			}
		})
	}
	for _, tc := range []struct {
		name    string
		account map[string]any
		want    string
	}{
		{"claims not an object", map[string]any{"issuerAssignedId": "fb-1", "claims": "email=x"}, "the account's claims is a string; give a JSON object"},
		{"another subject for a fixture", map[string]any{"issuerAssignedId": "fb-1", "claims": map[string]any{"sub": "fb-2"}}, `gives "sub" "fb-2", but the fixture account is the identity "fb-1"`},
		{"a number for given_name", map[string]any{"email": "a@fabrikam.example", "claims": map[string]any{"given_name": 7}}, `gives "given_name" a number (7)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out struct{ Error string }
			status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/flows/B2C_1_SignUpSignIn/run",
				map[string]any{"clientId": clientID, "identityProvider": "facebook.com", "account": tc.account}, &out)
			if status != http.StatusBadRequest || !strings.Contains(out.Error, tc.want) {
				t.Errorf("%d %q, want 400 saying %q", status, out.Error, tc.want)
			}
		})
	}
}

// TestCustomPolicyFakeIdPClaimsBox: a custom policy's identity provider profile maps the
// claims box's members by PartnerClaimType, names the page's fixture fields do not have
// included (here givenName comes from a "nickname" claim).
func TestCustomPolicyFakeIdPClaimsBox(t *testing.T) {
	ext := policyEdit(t, readTestdata(t, "social-extensions.xml"), `PartnerClaimType="first_name"`, `PartnerClaimType="nickname"`)
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, nil, facebookProvider,
		map[string]string{"SocialExtensions.xml": ext, "Social.xml": readTestdata(t, "social-rp.xml")})
	b := srv.NewBrowser(t)
	page := b.Submit(b.Get(authorizeFor("B2C_1A_social")), "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-42"]`, map[string]string{"claims": `{"nickname": "Zed", "name": "Zed Zee", "email": null}`})
	if got := page.Doc.Find("input#givenName").AttrOr("value", ""); got != "Zed" {
		t.Errorf("givenName = %q, want the box's nickname\n%s", got, page.Body)
	}
	if got := page.Doc.Find("input#displayName").AttrOr("value", ""); got != "Zed Zee" {
		t.Errorf("displayName = %q, want the box's name", got)
	}
}
