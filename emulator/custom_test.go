package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// loyaltyAPI is the REST technical profile's service: it records every request and refuses
// loyalty ids starting with "bad".
type loyaltyAPI struct {
	mu      sync.Mutex
	bodies  []map[string]any
	headers []http.Header
}

func (a *loyaltyAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	json.Unmarshal(raw, &body)
	a.mu.Lock()
	a.bodies = append(a.bodies, body)
	a.headers = append(a.headers, r.Header.Clone())
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if id, _ := body["loyaltyId"].(string); strings.HasPrefix(id, "bad") {
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, `{"version":"1.0.0","status":409,"code":"LOY-1","userMessage":"Your loyalty number is not valid.","requestId":"r-1"}`)
		return
	}
	io.WriteString(w, `{"promoCode":"PROMO-`+body["loyaltyId"].(string)+`"}`)
}

func (a *loyaltyAPI) calls() []map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]map[string]any(nil), a.bodies...)
}

// startLoyalty runs the loyalty starter-pack policies against api.
func startLoyalty(t *testing.T, api http.Handler) *emulatortest.Server {
	srv, _ := startLoyaltyIn(t, api, nil, "")
	return srv
}

// startLoyaltyBench runs the loyalty policies against an API that always accepts.
func startLoyaltyBench(b *testing.B) *emulatortest.Server {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"promoCode":"P"}`)
	})
	srv, _ := startLoyaltyIn(b, api, nil, "")
	return srv
}

// startLoyaltyIn is startLoyalty with the policy files edited by edits, more files and extra
// configuration; it also returns the folder of the policy files.
func startLoyaltyIn(t testing.TB, api http.Handler, edits policyEdits, extra string, files ...map[string]string) (*emulatortest.Server, string) {
	t.Helper()
	ts := httptest.NewServer(api)
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	for _, set := range append([]map[string]string{edits.apply(t, ts.URL+"/api/ValidateProfile")}, files...) {
		for name, data := range set {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return startPolicies(t, dir, extra), dir
}

// startPolicies serves the policy files in dir for the tests' web app, with extra configuration.
func startPolicies(t testing.TB, dir, extra string) *emulatortest.Server {
	t.Helper()
	return emulatortest.Start(t, `
tenant:
  name: contoso
  id: 11111111-2222-4333-8444-555555555555
applications:
  - name: Web app
    clientId: `+clientID+`
    redirectUris: ["http://app.test/callback"]
customPolicies:
  paths: [`+dir+`]
`+extra)
}

const customPath = "/contoso.onmicrosoft.com/B2C_1A_signup_signin"

func customAuthorize() string { return authorizeFor("B2C_1A_signup_signin") }

// authorizeFor is the authorize URL of a custom policy of the contoso tenant.
func authorizeFor(policy string) string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid"},
		"response_type": {"id_token"}, "nonce": {"n-1"}, "state": {"s-1"}}
	return "/contoso.onmicrosoft.com/" + policy + "/oauth2/v2.0/authorize?" + q.Encode()
}

// idToken reads the id_token the emulator sent to the application's redirect URI.
func idToken(t *testing.T, srv *emulatortest.Server, p *emulatortest.Page) map[string]any {
	t.Helper()
	if p.Location == nil || p.Location.Host != "app.test" {
		t.Fatalf("no redirect to the application: %d\n%s", p.Status, p.Body)
	}
	frag, _ := url.ParseQuery(p.Location.Fragment)
	if frag.Get("id_token") == "" {
		t.Fatalf("no id_token in %s", p.Location)
	}
	return srv.Verify(t, srv.URL+customPath+"/v2.0/.well-known/openid-configuration", frag.Get("id_token"))
}

// outboxCode reads the newest verification code sent to an address from the admin API.
func outboxCode(t *testing.T, srv *emulatortest.Server, to string) string {
	t.Helper()
	var out struct {
		Emails []struct{ To, Code, Subject string }
	}
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/emails?to="+url.QueryEscape(to), nil, &out)
	if len(out.Emails) == 0 || len(out.Emails[0].Code) != 6 || out.Emails[0].Subject != "contoso account email verification code" {
		t.Fatalf("outbox for %s = %+v", to, out.Emails)
	}
	return out.Emails[0].Code
}

// verifyCode enters a verification code and checks that the address is verified.
func verifyCode(t *testing.T, b *emulatortest.Browser, page *emulatortest.Page, code string) *emulatortest.Page {
	t.Helper()
	page = b.Submit(page, "button#email_ver_but_verify", map[string]string{"email_ver_input": code})
	if got := page.Text("#email_info"); got != "E-mail address verified. You can now continue." {
		t.Fatalf("after verifying: %q\n%s", got, page.Body)
	}
	return page
}

// verified sends and enters the code for an address on the sign-up page.
func verified(t *testing.T, srv *emulatortest.Server, b *emulatortest.Browser, page *emulatortest.Page, email string) *emulatortest.Page {
	t.Helper()
	page = b.Submit(page, "button#email_ver_but_send", map[string]string{"email": email})
	if got := page.Text("#email_info"); got != "Verification code has been sent to your inbox. Please copy it to the input box below." {
		t.Fatalf("after sending: %q", got)
	}
	return verifyCode(t, b, page, outboxCode(t, srv, email))
}

func listUsers(t *testing.T, srv *emulatortest.Server) []map[string]any {
	t.Helper()
	var list struct{ Users []map[string]any }
	if status := post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/users", nil, &list); status != 200 {
		t.Fatalf("GET /_emulator/users: %d", status)
	}
	return list.Users
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
