package emulator_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator"
	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/journey/hinttest"
)

// inviteSecret is the policy key the invitation links are signed with.
const inviteSecret = "VK62QTn0m1hMcn0DQ3RPYDAr6yIiSvYgdRwjZtU5QhI="

// hintPolicies copies b2cemu's invitation fixtures (emulator/testdata/getclaims) into a
// folder, their METADATA naming the generator's discovery document.
func hintPolicies(t *testing.T, metadata string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"HintBase.xml", "LinkSharedSecret.xml", "LinkIssuerKeys.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "getclaims", name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if name == "HintBase.xml" { // the id_token_hint profile the link policies include
			s = policyEdit(t, s, "http://127.0.0.1:9/.well-known/openid-configuration", metadata)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// hintAuthorize is the authorize URL an invitation email links to.
func hintAuthorize(policy, hint string) string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid"},
		"response_type": {"id_token"}, "nonce": {"n-1"}, "state": {"s-1"}, "id_token_hint": {hint}}
	return "/contoso.onmicrosoft.com/" + policy + "/oauth2/v2.0/authorize?" + q.Encode()
}

// TestInvitationLinkOverHTTP: an invitation link — the authorize URL with an id_token_hint a
// link generator signed — goes straight to the application with the hint's claims in the
// token, for a shared-secret and a certificate generator; a bad one comes back with B2C's
// error, and a link without a hint shows the policy's page.
func TestInvitationLinkOverHTTP(t *testing.T) {
	is := hinttest.NewIssuer(t)
	srv := startPolicies(t, hintPolicies(t, is.Metadata()), "policyKeys: {B2C_1A_InviteLinkKey: "+inviteSecret+"}\n")
	seed := map[string]any{"email": "ana@contoso.test", "password": "Passw0rd!x", "attributes": map[string]any{"displayName": "Ana"}}
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", seed, nil); status != 201 {
		t.Fatalf("seeding: %d", status)
	}
	now := time.Now()
	invite := map[string]any{"userId": "ana@contoso.test", "email": "ana@contoso.test", "name": "Ana Invited"}
	links := map[string]string{
		"B2C_1A_link_shared_secret": hinttest.SignHS256(t, inviteSecret, hinttest.Claims("https://links.contoso.test", "0f3a9c1e-6b2d-4e8f-9a7c-5d4b3a2f1e0d", now, 7*24*time.Hour, invite)),
		"B2C_1A_link_issuer_keys":   is.Sign(t, hinttest.Claims(is.Issuer, clientID, now, time.Hour, invite)),
	}
	for policy, hint := range links {
		t.Run(policy, func(t *testing.T) {
			page := srv.NewBrowser(t).Get(hintAuthorize(policy, hint))
			if page.Location == nil || page.Location.Host != "app.test" {
				t.Fatalf("no redirect to the application: %d\n%s", page.Status, page.Body)
			}
			frag, _ := url.ParseQuery(page.Location.Fragment)
			claims := srv.Verify(t, srv.URL+"/contoso.onmicrosoft.com/"+policy+"/v2.0/.well-known/openid-configuration", frag.Get("id_token"))
			if claims["email"] != "ana@contoso.test" || claims["name"] != "Ana Invited" || claims["tfp"] != strings.ToLower(policy) {
				t.Errorf("claims = %v", claims)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		old := hinttest.SignHS256(t, inviteSecret, hinttest.Claims("https://links.contoso.test", "0f3a9c1e-6b2d-4e8f-9a7c-5d4b3a2f1e0d", now.Add(-8*24*time.Hour), 7*24*time.Hour, invite))
		page := srv.NewBrowser(t).Get(hintAuthorize("B2C_1A_link_shared_secret", old))
		if page.Location == nil || page.Location.Host != "app.test" {
			t.Fatalf("no redirect to the application: %d\n%s", page.Status, page.Body)
		}
		frag, _ := url.ParseQuery(page.Location.Fragment)
		desc := strings.SplitN(frag.Get("error_description"), "\n", 2)[0]
		if frag.Get("error") != "invalid_request" || strings.TrimSpace(desc) != "AADB2C90208: The provided id_token_hint parameter is expired. Please provide another token and try again." || frag.Get("state") != "s-1" {
			t.Errorf("redirect = %v", frag)
		}
		if strings.Contains(srv.Log.String(), old) {
			t.Error("the log shows the hint")
		}
	})
	t.Run("headless", func(t *testing.T) {
		var got struct {
			Outcome, ErrorDescription string
			Claims                    map[string]any
		}
		run := srv.URL + "/_emulator/flows/B2C_1A_link_shared_secret/run"
		if status := post(t, srv.Client, http.MethodPost, run, map[string]any{"clientId": clientID, "idTokenHint": links["B2C_1A_link_shared_secret"]}, &got); status != 200 ||
			got.Outcome != "token" || got.Claims["email"] != "ana@contoso.test" || got.Claims["name"] != "Ana Invited" {
			t.Errorf("%d %+v", status, got)
		}
		got.Outcome, got.Claims = "", nil
		if status := post(t, srv.Client, http.MethodPost, run, map[string]any{"clientId": clientID, "idTokenHint": "an-invitation"}, &got); status != 200 ||
			got.Outcome != "error" || !strings.HasPrefix(got.ErrorDescription, "AADB2C90210: The provided id_token_hint parameter could not be validated.") {
			t.Errorf("%d %+v", status, got)
		}
	})
	t.Run("no hint", func(t *testing.T) {
		page := srv.NewBrowser(t).Get(hintAuthorize("B2C_1A_link_shared_secret", ""))
		if page.Status != http.StatusOK || !strings.Contains(page.Body, "This link needs an invitation.") {
			t.Errorf("status %d, body:\n%s", page.Status, page.Body)
		}
	})
}

// TestInvitationKeyMissing: a shared-secret profile whose key policyKeys lacks is refused at
// load, naming the profile, the key and the fix.
func TestInvitationKeyMissing(t *testing.T) {
	dir := hintPolicies(t, "http://127.0.0.1:9/.well-known/openid-configuration")
	path := filepath.Join(dir, "b2cemu.yaml")
	os.WriteFile(path, []byte("customPolicies:\n  paths: [.]\n"), 0o600)
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	_, err = emulator.New(cfg, emulator.Options{BaseURL: "http://127.0.0.1:1"})
	if want := `TechnicalProfile Id="Hint-SharedSecret" verifies id_token_hint with the client_secret key "B2C_1A_InviteLinkKey", which policyKeys does not hold; add policyKeys: {B2C_1A_InviteLinkKey: <the secret your link generator signs with>}`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
}
