package journey

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2cemu/b2cemu/emulator/journey/hinttest"
	"github.com/b2cemu/b2cemu/emulator/store"
	"github.com/b2cemu/b2cemu/flows/engine"
)

const (
	hintClient   = "7f4c2a10-3b5e-4c6d-8e9f-0a1b2c3d4e5f" // the application the links are made for
	hintAudience = "0f3a9c1e-6b2d-4e8f-9a7c-5d4b3a2f1e0d" // the shared-secret profile's IdTokenAudience
	hintIssuer   = "https://links.contoso.test"
	hintSecret   = "VK62QTn0m1hMcn0DQ3RPYDAr6yIiSvYgdRwjZtU5QhI="
)

// hintEngine loads b2cemu's invitation fixtures, their METADATA pointing at is, over a
// directory holding ana@contoso.test.
func hintEngine(t *testing.T, is *hinttest.Issuer, now time.Time) *Engine {
	t.Helper()
	policies := fixturePolicies(t, "getclaims", []string{"HintBase.xml", "LinkSharedSecret.xml", "LinkIssuerKeys.xml"}, func(_, text string) string {
		return strings.ReplaceAll(text, "http://127.0.0.1:9/.well-known/openid-configuration", is.Metadata())
	})
	users := store.NewUsers(4)
	ana := &engine.User{ObjectID: "5e0c8a3b-1f2d-4c6e-9a8b-7d6c5b4a3f2e", Attributes: engine.Claims{"email": "ana@contoso.test", "displayName": "Ana"},
		Identities: []engine.Identity{{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@contoso.test"}}}
	if err := users.Create(context.Background(), ana, "Passw0rd!x"); err != nil {
		t.Fatal(err)
	}
	return &Engine{Policies: policies, Directory: users, Tenant: "contoso", TenantID: "t", HTTP: &http.Client{Timeout: 5 * time.Second},
		PolicyKeys: map[string]string{"b2c_1a_invitelinkkey": hintSecret}, Now: func() time.Time { return now }, NewID: func() string { return "run-1" }}
}

// TestGetClaimsVerifiesTheHint: a GetClaims step takes the claims of an id_token_hint signed
// as the samples' link generators sign (HS256 with the policy key's secret, RS256 with a key
// of the generator's own discovery document), and refuses every other hint with B2C's code;
// without a hint it adds nothing and the policy's own page answers.
func TestGetClaimsVerifiesTheHint(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	is := hinttest.NewIssuer(t)
	other := hinttest.NewIssuer(t)
	e := hintEngine(t, is, now)
	ana := map[string]any{"userId": "ana@contoso.test", "email": "ana@contoso.test", "name": "Ana Invited"}
	shared := func(c jwt.MapClaims) string { return hinttest.SignHS256(t, hintSecret, c) }
	valid := hinttest.Claims(hintIssuer, hintAudience, now, 7*24*time.Hour, ana)
	with := func(c jwt.MapClaims, k string, v any) jwt.MapClaims {
		out := jwt.MapClaims{}
		for key, val := range c {
			out[key] = val
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	rsValid := hinttest.Claims(is.Issuer, hintClient, now, time.Hour, ana)
	tests := []struct {
		name, policy, hint string
		code, message      string // "" when the token is issued
	}{
		{"shared secret", "B2C_1A_link_shared_secret", shared(valid), "", ""},
		{"issuer keys", "B2C_1A_link_issuer_keys", is.Sign(t, rsValid), "", ""},
		{"within the clock skew", "B2C_1A_link_shared_secret", shared(with(valid, "exp", now.Add(-4*time.Minute).Unix())), "", ""},
		{"bad signature", "B2C_1A_link_shared_secret", hinttest.SignHS256(t, "another secret", valid),
			"AADB2C90233", "The provided id_token_hint parameter failed signature validation. Please provide another token and try again."},
		{"another issuer's key", "B2C_1A_link_issuer_keys", other.Sign(t, rsValid), "AADB2C90233", "failed signature validation"},
		{"HS256 where RS256 is expected", "B2C_1A_link_issuer_keys", shared(rsValid), "AADB2C90233", "failed signature validation"},
		{"expired", "B2C_1A_link_shared_secret", shared(with(valid, "exp", now.Add(-time.Hour).Unix())),
			"AADB2C90208", "The provided id_token_hint parameter is expired. Please provide another token and try again."},
		{"not yet valid", "B2C_1A_link_shared_secret", shared(with(valid, "nbf", now.Add(time.Hour).Unix())),
			"AADB2C90234", "The provided id_token_hint parameter has an 'nbf' value that is in the future."},
		{"no exp", "B2C_1A_link_shared_secret", shared(with(valid, "exp", nil)), "AADB2C90210", "could not be validated"},
		{"wrong audience", "B2C_1A_link_shared_secret", shared(with(valid, "aud", hintClient)),
			"AADB2C90209", "The provided id_token_hint parameter does not contain an accepted audience. Valid audience values: '" + hintAudience + "'. Please provide another token and try again."},
		{"audience of another application", "B2C_1A_link_issuer_keys", is.Sign(t, with(rsValid, "aud", hintAudience)),
			"AADB2C90209", "Valid audience values: '" + hintClient + "'."},
		{"wrong issuer", "B2C_1A_link_shared_secret", shared(with(valid, "iss", "https://evil.test")),
			"AADB2C90232", "The provided id_token_hint parameter does not contain an accepted issuer. Valid issuers: '" + hintIssuer + "'. Please provide another token and try again."},
		{"not the metadata's issuer", "B2C_1A_link_issuer_keys", is.Sign(t, with(rsValid, "iss", other.Issuer)), "AADB2C90232", "Valid issuers: '" + is.Issuer + "'."},
		{"not a JWT", "B2C_1A_link_shared_secret", "an-invitation", "AADB2C90210",
			"The provided id_token_hint parameter could not be validated. Please provide another token and try again."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.StartRequest(t.Context(), tt.policy, "run-1", hintClient, "", map[string]string{"id_token_hint": tt.hint})
			if tt.code == "" {
				if r.Phase != engine.PhaseDone {
					t.Fatalf("phase %s, failure %+v", r.Phase, r.Failure)
				}
				if r.TokenClaims["email"] != "ana@contoso.test" || r.TokenClaims["name"] != "Ana Invited" || r.TokenClaims["sub"] != "5e0c8a3b-1f2d-4c6e-9a8b-7d6c5b4a3f2e" {
					t.Errorf("token claims = %v", r.TokenClaims)
				}
				if tt.policy == "B2C_1A_link_shared_secret" && r.TokenClaims["invitedAs"] != "member" { // an output claim's DefaultValue
					t.Errorf("invitedAs = %v", r.TokenClaims["invitedAs"])
				}
				return
			}
			if r.Phase != engine.PhaseFailed || r.Failure == nil {
				t.Fatalf("phase %s, want a failure %s", r.Phase, tt.code)
			}
			f := r.Failure
			if f.Code != tt.code || !strings.Contains(f.Message, tt.message) || f.OAuth != "invalid_request" || !f.Redirect {
				t.Errorf("failure = %+v, want %s %q sent to the application", f, tt.code, tt.message)
			}
			if strings.Contains(f.Diagnostic, tt.hint) || strings.Contains(f.Diagnostic, hintSecret) {
				t.Errorf("the diagnostic shows the hint or the secret: %s", f.Diagnostic)
			}
		})
	}
	t.Run("no hint", func(t *testing.T) {
		r := e.StartRequest(t.Context(), "B2C_1A_link_shared_secret", "run-1", hintClient, "", map[string]string{})
		if r.Phase != engine.PhaseAttributes || r.Page == nil || len(r.Page.Fields) != 1 || r.Page.Fields[0].ID != "errorMessage" {
			t.Fatalf("phase %s, page %+v: want the policy's no-invitation page", r.Phase, r.Page)
		}
		if st := r.State.(*state); st.bag["email"] != "" || st.bag["displayname"] != "" {
			t.Errorf("claims bag = %v", st.bag)
		}
	})
	t.Run("no hint where the journey needs its claim", func(t *testing.T) {
		r := e.StartRequest(t.Context(), "B2C_1A_link_issuer_keys", "run-1", hintClient, "", nil)
		if r.Phase != engine.PhaseFailed || !strings.Contains(r.Failure.Diagnostic, "the input claim email has no value") {
			t.Fatalf("phase %s, failure %+v", r.Phase, r.Failure)
		}
	})
	t.Run("issuer unreachable", func(t *testing.T) {
		gone := hintEngine(t, &hinttest.Issuer{URL: "http://127.0.0.1:9"}, now)
		r := gone.StartRequest(t.Context(), "B2C_1A_link_issuer_keys", "run-1", hintClient, "", map[string]string{"id_token_hint": is.Sign(t, rsValid)})
		if r.Phase != engine.PhaseFailed || r.Failure.Code != "AADB2C90210" || !strings.Contains(r.Failure.Diagnostic, "the issuer's keys could not be read: the discovery document: GET http://127.0.0.1:9/.well-known/openid-configuration") {
			t.Fatalf("phase %s, failure %+v", r.Phase, r.Failure)
		}
	})
}
