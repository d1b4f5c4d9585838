package emulator_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// startSocial serves the example policies with the Facebook-shaped social journey of
// testdata (B2C_1A_social) and a facebook.com provider with one fixture account.
func startSocial(t *testing.T) *emulatortest.Server {
	t.Helper()
	files := map[string]string{}
	for name, src := range map[string]string{"SocialExtensions.xml": "social-extensions.xml", "Social.xml": "social-rp.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", src))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, nil, facebookProvider, files)
	return srv
}

// facebookProvider configures the facebook.com provider of the social journey, with one
// fixture account.
const facebookProvider = `
identityProviders:
  - id: facebook.com
    displayName: Facebook
    accounts:
      - {issuerAssignedId: "fb-42", email: mia@example.com, displayName: Mia Chen, givenName: Mia, surname: Chen}
`

const socialRun = "/_emulator/flows/B2C_1A_social/run"

// TestCustomPolicyHeadlessFederated: the headless API chooses the journey's Facebook exchange
// by any of its names, answers the fake provider with the account's claims, fills the social
// sign-up page from attributes, and on a second run finds the user by alternativeSecurityId,
// with no sign-up page.
func TestCustomPolicyHeadlessFederated(t *testing.T) {
	for _, tc := range []struct {
		name, provider string
		account        map[string]any
		wantEmail      string
	}{
		{"by Domain with inline claims", "facebook.com", map[string]any{"issuerAssignedId": "fb-7", "email": "ivo@example.com", "displayName": "Ivo", "givenName": "Ivo"}, "ivo@example.com"},
		{"by technical profile with a fixture account", "Facebook-OAUTH", map[string]any{"issuerAssignedId": "fb-42"}, "mia@example.com"},
		{"by claims exchange in any case", "facebookexchange", map[string]any{"email": "Uma@Example.com", "givenName": "Uma"}, "Uma@Example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSocial(t)
			req := map[string]any{"clientId": clientID, "identityProvider": tc.provider, "account": tc.account,
				"attributes": []map[string]string{{"displayName": "Chosen Name"}}}
			var first runResult
			if status := post(t, srv.Client, http.MethodPost, srv.URL+socialRun, req, &first); status != 200 || first.Outcome != "token" {
				t.Fatalf("sign-up run: %d %+v", status, first)
			}
			claims := srv.Verify(t, srv.URL+"/contoso.onmicrosoft.com/B2C_1A_social/v2.0/.well-known/openid-configuration", first.IDToken)
			if claims["idp"] != "facebook.com" || claims["name"] != "Chosen Name" || claims["newUser"] != true || claims["email"] != tc.wantEmail {
				t.Errorf("sign-up claims = %v", claims)
			}
			if len(first.Attempts) != 1 || first.Attempts[0].Values["displayName"] != "Chosen Name" {
				t.Errorf("sign-up attempts = %+v, want the one social sign-up page", first.Attempts)
			}
			users := listUsers(t, srv)
			if len(users) != 1 || users[0]["objectId"] != claims["sub"] {
				t.Fatalf("users = %v", users)
			}

			req["attributes"] = nil
			var again runResult
			if status := post(t, srv.Client, http.MethodPost, srv.URL+socialRun, req, &again); status != 200 || again.Outcome != "token" {
				t.Fatalf("sign-in run: %d %+v", status, again)
			}
			if again.ObjectID != first.ObjectID || again.NewUser || len(again.Attempts) != 0 || again.Claims["newUser"] != nil {
				t.Errorf("sign-in run = %+v, want the same user with no sign-up page", again)
			}
		})
	}
}

// TestCustomPolicyHeadlessFederatedRefused: a provider the journey does not offer, or an
// account the fake provider cannot answer for, is a 400 that says what to send instead.
func TestCustomPolicyHeadlessFederatedRefused(t *testing.T) {
	srv := startSocial(t)
	for _, tc := range []struct {
		name     string
		provider string
		account  map[string]any
		want     []string
	}{
		{"not in the journey", "google.com", map[string]any{"email": "a@example.com"},
			[]string{`"google.com"`, "FacebookExchange / Facebook-OAUTH / facebook.com", "ClaimsExchange id, technical profile id or ClaimsProvider Domain"}},
		{"no identity for the provider", "facebook.com", map[string]any{"displayName": "Nobody"},
			[]string{"issuerAssignedId or email"}},
	} {
		var out struct{ Error string }
		req := map[string]any{"clientId": clientID, "identityProvider": tc.provider, "account": tc.account}
		if status := post(t, srv.Client, http.MethodPost, srv.URL+socialRun, req, &out); status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400: %+v", tc.name, status, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(out.Error, w) {
				t.Errorf("%s: error %q does not say %q", tc.name, out.Error, w)
			}
		}
	}
	if users := listUsers(t, srv); len(users) != 0 {
		t.Errorf("users = %v, want none", users)
	}
}
