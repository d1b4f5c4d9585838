package emulator_test

import (
	"net/http"
	"testing"
)

// TestHeadlessRefusals pins each refusal of the headless run API, status and text, and the
// outcomes that need no submission.
func TestHeadlessRefusals(t *testing.T) {
	srv, _ := start(t, validationScript())
	const path = "/_emulator/flows/B2C_1_SignUpSignIn/run"
	tests := []struct {
		name, path string
		body       map[string]any
		status     int
		want       string
	}{
		{"unknown user flow", "/_emulator/flows/B2C_1_nope/run", map[string]any{"clientId": clientID, "identityProvider": "email"}, 404,
			`no user flow "B2C_1_nope"`},
		{"unknown field", path, map[string]any{"clientId": clientID, "identityProvider": "email", "colour": "red"}, 400,
			`the request is not a run request: json: unknown field "colour" (see docs/admin-api.md)`},
		{"unknown client", path, map[string]any{"clientId": "nope", "identityProvider": "email"}, 400,
			`AADB2C90068: no application with clientId "nope"`},
		{"unregistered redirect URI", path, map[string]any{"clientId": clientID, "redirectUri": "http://evil.test/cb", "identityProvider": "email"}, 400,
			`AADB2C90006: the redirect URI "http://evil.test/cb" is not registered for the client ID "` + clientID + `"`},
		{"unsupported scope", path, map[string]any{"clientId": clientID, "scope": "openid https://other.test/api/read", "identityProvider": "email"}, 400,
			`AADB2C90012: the scope "https://other.test/api/read" is not supported`},
		{"provider not offered", path, map[string]any{"clientId": clientID, "identityProvider": "github.com"}, 400,
			`the user flow B2C_1_SignUpSignIn does not offer the identity provider "github.com"; use one of [email facebook.com]`},
		{"no provider", path, map[string]any{"clientId": clientID}, 400,
			`the user flow B2C_1_SignUpSignIn does not offer the identity provider ""; use one of [email facebook.com]`},
		{"claims not an object", path, map[string]any{"clientId": clientID, "identityProvider": "facebook.com", "account": map[string]any{"issuerAssignedId": "fb-9", "claims": "x"}}, 400,
			`the account's claims is a string; give a JSON object of the provider's claims, such as {"email": "ana@fabrikam.com", "given_name": "Ana"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e map[string]string
			if status := post(t, srv.Client, http.MethodPost, srv.URL+tt.path, tt.body, &e); status != tt.status || e["error"] != tt.want {
				t.Errorf("%d %q\nwant %d %q", status, e["error"], tt.status, tt.want)
			}
		})
	}
	t.Run("no client id: the first application", func(t *testing.T) {
		out := run(t, srv, map[string]any{"identityProvider": "facebook.com", "account": map[string]any{"issuerAssignedId": "fb-2"}})
		if out.Outcome != "blocked" || out.UserMessage != "Blocked." {
			t.Errorf("%+v", out)
		}
	})
	t.Run("a required attribute and no submission: the run waits", func(t *testing.T) {
		out := run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "facebook.com", "account": map[string]any{"issuerAssignedId": "fb-10"}})
		if out.Outcome != "validationError" || out.UserMessage != "" || len(out.Attempts) != 0 || len(out.Calls) != 1 {
			t.Errorf("%+v", out)
		}
	})
}
