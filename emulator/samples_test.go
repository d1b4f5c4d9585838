package emulator_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/emulator/journey/hinttest"
)

// The community's sample policies (github.com/azure-ad-b2c/samples) are not part of this
// repository either. TestCommunityInvitationSamples runs the magic-link and invitation policies
// on the LocalAccounts starter pack when B2CEMU_SAMPLES names a checkout of the samples and
// B2CEMU_STARTERPACK one of the starter pack:
//
//	B2CEMU_SAMPLES=~/src/samples B2CEMU_STARTERPACK=~/src/starterpack go test -run TestCommunity ./emulator
//
// The one edit is the one the samples ask for: their METADATA placeholder becomes the test
// link generator's discovery URL.
func communitySample(t *testing.T, is *hinttest.Issuer, sample string) *emulatortest.Server {
	t.Helper()
	samples := os.Getenv("B2CEMU_SAMPLES")
	if samples == "" {
		t.Skip("B2CEMU_SAMPLES is not set; see docs/custom-policies.md")
	}
	files := readPack(t, "LocalAccounts", "TrustFrameworkBase.xml", "TrustFrameworkLocalization.xml", "TrustFrameworkExtensions.xml")
	b, err := os.ReadFile(filepath.Join(samples, "policies", sample))
	if err != nil {
		t.Fatalf("the samples checkout lacks policies/%s: %v", sample, err)
	}
	files[filepath.Base(sample)] = replaceOnce(t, string(b), "https://your-app.azurewebsites.net/.well-known/openid-configuration", is.Metadata())
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return startPolicies(t, dir, "")
}

// TestCommunityInvitationSamples: the magic link signs an existing user in from the link alone;
// the invitation link opens the sign-up page with the invited address read-only; a link
// without a hint shows the samples' own "without invitation" page.
func TestCommunityInvitationSamples(t *testing.T) {
	is := hinttest.NewIssuer(t)
	link := func(policy, email string) string {
		hint := is.Sign(t, hinttest.Claims(is.Issuer, clientID, time.Now(), time.Hour, map[string]any{"email": email, "name": "Ana"}))
		q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid"},
			"response_type": {"id_token"}, "nonce": {"n-1"}, "id_token_hint": {hint}}
		return "/contoso.onmicrosoft.com/" + policy + "/oauth2/v2.0/authorize?" + q.Encode()
	}
	t.Run("magic link", func(t *testing.T) {
		srv := communitySample(t, is, "sign-in-with-magic-link/policy/SignInWithMagicLink.xml")
		seed := map[string]any{"email": "ana@contoso.test", "password": "Passw0rd!x", "attributes": map[string]any{"displayName": "Ana"}}
		if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", seed, nil); status != 201 {
			t.Fatalf("seeding: %d", status)
		}
		page := srv.NewBrowser(t).Get(link("B2C_1A_signin_with_magic_link", "ana@contoso.test"))
		if page.Location == nil || page.Location.Host != "app.test" {
			t.Fatalf("no redirect to the application: %d\n%s", page.Status, page.Body)
		}
		frag, _ := url.ParseQuery(page.Location.Fragment)
		claims := srv.Verify(t, srv.URL+"/contoso.onmicrosoft.com/B2C_1A_signin_with_magic_link/v2.0/.well-known/openid-configuration", frag.Get("id_token"))
		if claims["email"] != "ana@contoso.test" || claims["sub"] != listUsers(t, srv)[0]["objectId"] {
			t.Errorf("claims = %v", claims)
		}
		unsolicited := srv.NewBrowser(t).Get(strings.Replace(link("B2C_1A_signin_with_magic_link", "x"), "id_token_hint=", "no_hint=", 1))
		if !strings.Contains(unsolicited.Body, "You cannot sign-in without invitation") {
			t.Errorf("a link without a hint:\n%s", unsolicited.Body)
		}
	})
	t.Run("invitation", func(t *testing.T) {
		srv := communitySample(t, is, "invite/policy/SignUpInvitation.xml")
		b := srv.NewBrowser(t)
		page := b.Get(link("B2C_1A_signup_invitation", "mia@contoso.test"))
		if got := page.Doc.Find("input#ReadOnlyEmail").AttrOr("value", ""); got != "mia@contoso.test" {
			t.Fatalf("the sign-up page's read-only email = %q:\n%s", got, page.Body)
		}
		claims := idTokenOf(t, srv, "B2C_1A_signup_invitation", b.Submit(page, "button#continue",
			map[string]string{"ReadOnlyEmail": "mia@contoso.test", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x", "displayName": "Mia"}))
		if claims["email"] != "mia@contoso.test" || len(listUsers(t, srv)) != 1 {
			t.Errorf("claims = %v, users = %v", claims, listUsers(t, srv))
		}
	})
}

// idTokenOf reads the id_token a policy's run sent to the application.
func idTokenOf(t *testing.T, srv *emulatortest.Server, policy string, p *emulatortest.Page) map[string]any {
	t.Helper()
	if p.Location == nil || p.Location.Host != "app.test" {
		t.Fatalf("no redirect to the application: %d\n%s", p.Status, p.Body)
	}
	frag, _ := url.ParseQuery(p.Location.Fragment)
	return srv.Verify(t, srv.URL+"/contoso.onmicrosoft.com/"+policy+"/v2.0/.well-known/openid-configuration", frag.Get("id_token"))
}
