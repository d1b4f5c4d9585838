package web_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/store"
	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/web"
)

// TestTokenRefusals: each way the token endpoint refuses a request answers its HTTP status,
// OAuth error and B2C code and message, and a refusal before the grant is consumed leaves
// the grant redeemable.
func TestTokenRefusals(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	grants := store.NewExpiring[*web.Grant](time.Hour, func() time.Time { return now })
	def := &flows.Definition{ID: "B2C_1_susi", Type: flows.SignUpOrSignIn, IdentityProviders: []string{"email"}}
	h := web.New(web.Deps{
		Tenant: web.Tenant{Name: "contoso", ID: "9d5a3e0c-1f7a-4c52-9a7e-2a0e4c6b7d11"}, BaseURL: "http://b2c.test",
		Flows: []*flows.Definition{def}, Schema: attributes.New(nil),
		Apps: []web.App{
			{Name: "spa", ClientID: "c1", RedirectURIs: []string{"/jwt"}},
			{Name: "web", ClientID: "c2", Secret: "s3cret", RedirectURIs: []string{"/jwt"}},
			{Name: "api", ClientID: "c3", IdentifierURI: "https://contoso.test/api", Scopes: []string{"read"}},
		},
		Machine: &flows.Machine{}, Signer: fakeSigner{}, Now: func() time.Time { return now }, NewID: func() string { return "id" },
		Random: func() string { return "rt" }, Sessions: store.NewExpiring[*web.Session](time.Minute, time.Now),
		Grants: grants, Refresh: store.NewExpiring[*web.Grant](time.Minute, time.Now), SSO: store.NewExpiring[*web.SSOSession](time.Minute, time.Now),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), CallLog: &fakeCalls{},
	})
	grant := func(policy, client, challenge string) *web.Grant {
		return &web.Grant{Auth: web.AuthRequest{Policy: policy, ClientID: client, Scope: "openid", RedirectURI: "/jwt", Challenge: challenge, Method: "plain"},
			Claims: map[string]any{"sub": "u1"}, ObjectID: "u1"}
	}
	grants.Put("code-c1", grant("B2C_1_susi", "c1", ""))
	grants.Put("code-c2", grant("B2C_1_susi", "c2", ""))
	grants.Put("code-other", grant("B2C_1_other", "c1", ""))
	grants.Put("code-pkce", grant("B2C_1_susi", "c1", "verifier-of-forty-three-characters-at-least"))
	redeem := func(policy, form, basic string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/contoso.onmicrosoft.com/"+policy+"/oauth2/v2.0/token", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basic != "" {
			req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(basic)))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	const when = "\r\nCorrelation ID: id\r\nTimestamp: 2027-01-15 08:00:00Z"
	for _, c := range []struct {
		name, policy, form, basic string
		status                    int
		err, desc                 string // desc without the correlation id and timestamp; "" for a success
	}{
		{"unknown policy", "B2C_1_none", "grant_type=authorization_code&code=code-c1&client_id=c1", "",
			400, "invalid_request", "AADB2C90083: The policy of the request does not exist."},
		{"no grant type", "B2C_1_susi", "code=code-c1&client_id=c1", "",
			400, "invalid_request", "AADB2C90083: The request is missing required parameter: grant_type."},
		{"unsupported grant type", "B2C_1_susi", "grant_type=password&client_id=c1", "",
			400, "unsupported_grant_type", "AADB2C90086: The supplied grant_type [password] is not supported."},
		{"no code", "B2C_1_susi", "grant_type=authorization_code&client_id=c1", "",
			400, "invalid_request", "AADB2C90083: The request is missing required parameter: code."},
		{"no refresh token", "B2C_1_susi", "grant_type=refresh_token&client_id=c1", "",
			400, "invalid_request", "AADB2C90083: The request is missing required parameter: refresh_token."},
		{"unknown code", "B2C_1_susi", "grant_type=authorization_code&code=nope&client_id=c1", "",
			400, "invalid_grant", "AADB2C90080: The provided grant has expired. Please re-authenticate and try again."},
		{"another policy's code", "B2C_1_susi", "grant_type=authorization_code&code=code-other&client_id=c1", "",
			400, "invalid_grant", "AADB2C90080: The provided grant has expired. Please re-authenticate and try again."},
		{"another client's code", "B2C_1_susi", "grant_type=authorization_code&code=code-c2&client_id=c1", "",
			400, "invalid_grant", "AADB2C90088: The provided grant has not been issued for this endpoint."},
		{"no client secret", "B2C_1_susi", "grant_type=authorization_code&code=code-c2&client_id=c2", "",
			401, "invalid_client", "AADB2C90079: Clients must send a client_secret when redeeming a confidential grant."},
		{"wrong client secret", "B2C_1_susi", "grant_type=authorization_code&code=code-c2", "c2:wrong",
			401, "invalid_client", "AADB2C90081: The specified client_secret does not match the expected value for this client. Please correct the client_secret and try again."},
		{"unknown scope", "B2C_1_susi", "grant_type=authorization_code&code=code-c2&client_id=c2&client_secret=s3cret&scope=openid+https://x.test/none", "",
			400, "invalid_request", "AADB2C90012: The scope 'https://x.test/none' provided in request is not supported."},
		{"scope of a known API", "B2C_1_susi", "grant_type=authorization_code&code=code-c2&client_id=c2&client_secret=s3cret&scope=https://contoso.test/api/write", "",
			400, "invalid_request", "AADB2C90205: This application does not have sufficient permissions against this web resource to perform the operation."},
		{"secret in Basic, after the refusals", "B2C_1_susi", "grant_type=authorization_code&code=code-c2", "c2:s3cret", 200, "", ""},
		{"a used code", "B2C_1_susi", "grant_type=authorization_code&code=code-c2&client_id=c2&client_secret=s3cret", "",
			400, "invalid_grant", "AADB2C90080: The provided grant has expired. Please re-authenticate and try again."},
		{"another redirect URI", "B2C_1_susi", "grant_type=authorization_code&code=code-c1&client_id=c1&redirect_uri=/other", "",
			400, "invalid_grant", "AADB2C90006: The redirect URI '/other' provided in the request is not the one the code was issued to."},
		{"wrong code verifier", "B2C_1_susi", "grant_type=authorization_code&code=code-pkce&client_id=c1&code_verifier=wrong", "",
			400, "invalid_grant", "AADB2C90183: The supplied code_verifier is invalid."},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := redeem(c.policy, c.form, c.basic)
			if rec.Code != c.status || rec.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("status %d, Cache-Control %q, want %d: %s", rec.Code, rec.Header().Get("Cache-Control"), c.status, rec.Body)
			}
			if c.err == "" {
				return
			}
			var got map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got) != 2 || got["error"] != c.err || got["error_description"] != c.desc+when {
				t.Errorf("answer %s, want error %q and description %q", rec.Body, c.err, c.desc+when)
			}
		})
	}
}
