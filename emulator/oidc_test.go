package emulator_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

const (
	oidcWeb = "3c8e2f1a-6b7d-4e9f-8a1b-2c3d4e5f6a7b"
	oidcAPI = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
	tasks   = "https://contoso.onmicrosoft.com/tasks-api/"
)

// oidcTenant has a web app and an API publishing two scopes; extra goes under server:.
func oidcTenant(server string) string {
	return `
server:
  tls: {enabled: true}
` + server + `
tenant: {name: contoso, id: 775527ff-9a37-4307-8b3d-cc311f58d925}
identityProviders:
  - id: facebook.com
    displayName: Facebook
    accounts:
      - {issuerAssignedId: "fb-100", email: lee@fabrikam.com, displayName: Lee Park, givenName: Lee, surname: Park}
applications:
  - {name: Web app, clientId: ` + oidcWeb + `, clientSecret: web-secret, redirectUris: ["http://app.test/callback"]}
  - name: Tasks API
    clientId: ` + oidcAPI + `
    redirectUris: ["http://app.test/unused"]
    identifierUri: https://contoso.onmicrosoft.com/tasks-api
    scopes: [tasks.read, tasks.write]
userFlows:
  - id: B2C_1_susi
    type: signUpOrSignIn
    identityProviders: [facebook.com]
    applicationClaims: [displayName, objectId]
`
}

const susi = "/contoso.onmicrosoft.com/B2C_1_susi"

func susiAuthorize(extra url.Values) string {
	q := url.Values{"client_id": {oidcWeb}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid offline_access"},
		"response_type": {"code"}, "state": {"st-1"}, "nonce": {"n-1"}}
	for k, v := range extra {
		q[k] = v
	}
	return susi + "/oauth2/v2.0/authorize?" + q.Encode()
}

// signInAt signs the fixture user in through b and returns the redirect back to the app.
func signInAt(t *testing.T, b *emulatortest.Browser, authorize string) *url.URL {
	t.Helper()
	page := b.Get(authorize)
	if page.Location != nil {
		t.Fatalf("authorize redirected at once: %s", page.Location)
	}
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-100"]`, nil)
	if page.Location == nil {
		page = b.Submit(page, "button#continue", nil)
	}
	if page.Location == nil {
		t.Fatalf("no redirect to the app:\n%s", page.Body)
	}
	return page.Location
}

// tokenAt posts a token request to base's token endpoint and decodes the answer.
func tokenAt(t *testing.T, hc *http.Client, base string, form url.Values) (int, map[string]any) {
	t.Helper()
	form.Set("client_id", oidcWeb)
	form.Set("client_secret", "web-secret")
	resp, err := hc.PostForm(base+susi+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestTokenEndpointScope(t *testing.T) {
	srv := emulatortest.Start(t, oidcTenant(""))
	code := signInAt(t, srv.NewBrowser(t), susiAuthorize(nil)).Query().Get("code")
	status, first := tokenAt(t, srv.Client, srv.URL, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {"http://app.test/callback"}, "scope": {tasks + "tasks.read openid offline_access"}})
	if status != 200 || first["scope"] != tasks+"tasks.read openid offline_access" {
		t.Fatalf("code redemption with an API scope: %d %v", status, first)
	}
	if at := claimsOf(t, first["access_token"]); at["aud"] != oidcAPI || at["scp"] != "tasks.read" {
		t.Errorf("access token of the code = %v", at)
	}
	rt := first["refresh_token"].(string)
	tests := []struct {
		name, scope string
		status      int
		aud, scp    string // of the access token; "" = none
		code        string // AADB2C code of a refusal
	}{
		{"another published scope", tasks + "tasks.write openid offline_access", 200, oidcAPI, "tasks.write", ""},
		{"the client's own id", oidcWeb + " offline_access", 200, oidcWeb, "", ""},
		{"no scope: the sign-in's", "", 200, "", "", ""},
		{"a scope the API does not publish", tasks + "tasks.delete offline_access", 400, "", "", "AADB2C90205"},
		{"a resource no application exposes", "https://fabrikam.onmicrosoft.com/api/read offline_access", 400, "", "", "AADB2C90012"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := tokenAt(t, srv.Client, srv.URL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {tt.scope}})
			if status != tt.status {
				t.Fatalf("status %d: %v", status, got)
			}
			if tt.code != "" {
				if got["error"] != "invalid_request" || !strings.HasPrefix(got["error_description"].(string), tt.code+": ") {
					t.Errorf("refusal = %v", got)
				}
				return // a refused request leaves the refresh token usable
			}
			rt = got["refresh_token"].(string)
			if tt.aud == "" {
				if got["access_token"] != nil || got["scope"] != "openid offline_access" {
					t.Errorf("without scope: %v", got)
				}
				return
			}
			if want := strings.TrimSpace(tt.scope); got["scope"] != want {
				t.Errorf("scope = %v, want %q", got["scope"], want)
			}
			if at := claimsOf(t, got["access_token"]); at["aud"] != tt.aud || at["scp"] != nilIfEmpty(tt.scp) {
				t.Errorf("access token = %v", at)
			}
		})
	}
	status, noRefresh := tokenAt(t, srv.Client, srv.URL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {oidcWeb}})
	if status != 200 || noRefresh["refresh_token"] != nil || noRefresh["access_token"] == nil {
		t.Errorf("without offline_access in the token request B2C issues no refresh token: %d %v", status, noRefresh)
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func claimsOf(t *testing.T, tok any) map[string]any {
	t.Helper()
	s, _ := tok.(string)
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %v", tok)
	}
	var m map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	json.Unmarshal(raw, &m)
	return m
}

func TestPrompt(t *testing.T) {
	srv := emulatortest.Start(t, oidcTenant(""))
	const noSession = "interaction_required&AADB2C90077: User does not have an existing session and request prompt parameter has a value of 'None'."
	for _, mode := range []string{"query", "fragment", "form_post"} {
		t.Run("none without a session, "+mode, func(t *testing.T) {
			page := srv.NewBrowser(t).Get(susiAuthorize(url.Values{"prompt": {"none"}, "response_mode": {mode}}))
			var got url.Values
			switch {
			case mode == "form_post" && page.Doc != nil:
				_, got = page.FormPost()
			case page.Location != nil && mode == "query":
				got = page.Location.Query()
			case page.Location != nil:
				got, _ = url.ParseQuery(page.Location.Fragment)
			default:
				t.Fatalf("the sign-in page was shown: %d", page.Status)
			}
			if desc := got.Get("error") + "&" + strings.TrimSpace(strings.SplitN(got.Get("error_description"), "\n", 2)[0]); desc != noSession || got.Get("state") != "st-1" {
				t.Errorf("answer = %v", got)
			}
		})
	}
	b := srv.NewBrowser(t)
	signInAt(t, b, susiAuthorize(nil))
	if page := b.Get(susiAuthorize(url.Values{"prompt": {"none"}})); page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Errorf("prompt=none with a session did not answer at once: %d %v", page.Status, page.Location)
	}
	if page := b.Get(susiAuthorize(url.Values{"prompt": {"login"}})); page.Location != nil {
		t.Errorf("prompt=login with a session skipped the sign-in page: %v", page.Location)
	}
	for _, p := range []string{"consent", "select_account"} {
		if page := b.Get(susiAuthorize(url.Values{"prompt": {p}})); page.Location == nil || page.Location.Query().Get("code") == "" {
			t.Errorf("prompt=%s (not a B2C value) did not keep the session: %v", p, page.Location)
		}
	}
	if page := b.Get(susiAuthorize(url.Values{"max_age": {"0"}})); page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Errorf("max_age (undocumented for B2C, ignored) ended the session: %v", page.Location)
	}
}

func TestIssuerFollowsTheHost(t *testing.T) {
	srv := emulatortest.Start(t, oidcTenant(""))
	u, _ := url.Parse(srv.URL)
	loopback := "https://127.0.0.1:" + u.Port()
	for _, base := range []string{srv.URL, loopback} {
		t.Run(base, func(t *testing.T) {
			doc := discoveryVia(t, srv, base, "")
			issuer := base + "/775527ff-9a37-4307-8b3d-cc311f58d925/v2.0/"
			if doc["issuer"] != issuer || doc["token_endpoint"] != base+"/contoso.onmicrosoft.com/b2c_1_susi/oauth2/v2.0/token" ||
				!strings.HasPrefix(doc["authorization_endpoint"], base+"/") || !strings.HasPrefix(doc["jwks_uri"], base+"/") {
				t.Fatalf("discovery via %s = %v", base, doc)
			}
			at := *srv
			at.URL = base
			b := at.NewBrowser(t)
			back := signInAt(t, b, susiAuthorize(url.Values{"response_type": {"code id_token"}}))
			frag, _ := url.ParseQuery(back.Fragment)
			if iss := claimsOf(t, frag.Get("id_token"))["iss"]; iss != issuer {
				t.Errorf("id token of the authorize response: iss %v", iss)
			}
			status, tok := tokenAt(t, srv.Client, base, url.Values{"grant_type": {"authorization_code"}, "code": {frag.Get("code")}, "redirect_uri": {"http://app.test/callback"}})
			if status != 200 {
				t.Fatalf("token: %d %v", status, tok)
			}
			at.Verify(t, base+susi+"/v2.0/.well-known/openid-configuration", tok["id_token"].(string))
			status, tok = tokenAt(t, srv.Client, base, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}})
			if iss := claimsOf(t, tok["id_token"])["iss"]; status != 200 || iss != issuer {
				t.Errorf("refreshed id token: %d iss %v", status, iss)
			}
		})
	}
}

// discoveryVia fetches the policy's discovery document from base, with the Host header host
// when it is not "".
func discoveryVia(t *testing.T, srv *emulatortest.Server, base, host string) map[string]string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+susi+"/v2.0/.well-known/openid-configuration", nil)
	if host != "" {
		req.Host = host
	}
	resp, err := srv.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]string
	json.NewDecoder(resp.Body).Decode(&doc)
	return doc
}

func TestPublicURLPinsTheIssuer(t *testing.T) {
	srv := emulatortest.Start(t, oidcTenant("  publicUrl: https://login.contoso.test"))
	doc := discoveryVia(t, srv, srv.URL, "localhost:8443")
	if doc["issuer"] != "https://login.contoso.test/775527ff-9a37-4307-8b3d-cc311f58d925/v2.0/" || !strings.HasPrefix(doc["token_endpoint"], "https://login.contoso.test/") {
		t.Errorf("discovery asked of localhost:8443 = %v", doc)
	}
}
