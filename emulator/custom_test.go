package emulator_test

import (
	"context"
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
	"time"

	"github.com/b2cemu/b2cemu/emulator/config"
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
	srv, _ := startLoyaltyIn(t, api, func(s string) string { return s }, "")
	return srv
}

// startLoyaltyBench runs the loyalty policies against an API that always accepts.
func startLoyaltyBench(b *testing.B) *emulatortest.Server {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"promoCode":"P"}`)
	})
	srv, _ := startLoyaltyIn(b, api, func(s string) string { return s }, "")
	return srv
}

// startLoyaltyIn is startLoyalty with the policy files edited by edit and extra configuration;
// it also returns the folder of the policy files.
func startLoyaltyIn(t testing.TB, api http.Handler, edit func(string) string, extra string, files ...map[string]string) (*emulatortest.Server, string) {
	t.Helper()
	ts := httptest.NewServer(api)
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	src := filepath.Join("..", "docs", "examples", "custom-policies", "policies")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(edit(strings.ReplaceAll(string(b), "http://127.0.0.1:8080/demo/api/loyalty", ts.URL+"/api/ValidateProfile")))
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, more := range files {
		for name, data := range more {
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

func customAuthorize() string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid"},
		"response_type": {"id_token"}, "nonce": {"n-1"}, "state": {"s-1"}}
	return customPath + "/oauth2/v2.0/authorize?" + q.Encode()
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

func TestCustomPolicySignUpCallsRESTProfile(t *testing.T) {
	api := &loyaltyAPI{}
	loyaltyWalkthrough(t, startLoyalty(t, api), api)
}

// loyaltyWalkthrough is the end-to-end check of the loyalty policies: the REST call
// before any user is written, its 409 on the page, promoCode in the token, then sign-in.
func loyaltyWalkthrough(t *testing.T, srv *emulatortest.Server, api *loyaltyAPI) {
	t.Helper()
	b := srv.NewBrowser(t)

	page := b.Get(customAuthorize())
	if page.Doc.Find(`div#api[data-name=Unified] #signInName`).Length() != 1 {
		t.Fatalf("not the unified page:\n%s", page.Body)
	}
	page = b.Follow(page, "a#createAccount")
	if page.Doc.Find(`div#api[data-name=SelfAsserted] input#loyaltyId`).Length() != 1 || page.Doc.Find("input#newPassword").Length() != 1 {
		t.Fatalf("not the sign-up page with the loyalty field:\n%s", page.Body)
	}
	form := map[string]string{"email": "ana@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x",
		"displayName": "Ana", "loyaltyId": "bad-7"}

	// The starter pack's Verified.Email: no account before the address is verified.
	page = b.Submit(page, "button#continue", form)
	if got := page.Text("#claimVerificationServerError"); got != "Claim not verified: email" {
		t.Fatalf("unverified email: page error = %q", got)
	}
	page = b.Submit(page, "button#email_ver_but_send", map[string]string{"email": "ana@contoso.com"})
	code := outboxCode(t, srv, "ana@contoso.com")
	page = b.Submit(page, "button#email_ver_but_verify", map[string]string{"email_ver_input": "000000x"})
	if got := page.Text("#email_fail_retry"); got != "That code is incorrect. Please try again." {
		t.Errorf("wrong code: %q", got)
	}
	page = verifyCode(t, b, page, code)
	if page.Doc.Find("input#email[readonly]").Length() != 1 || page.Doc.Find("input#displayName").AttrOr("value", "") != "Ana" {
		t.Error("after verification the email should be read-only and the other values kept")
	}
	if len(api.calls()) != 0 {
		t.Fatal("the API was called before the page was submitted")
	}

	// The API refuses: its userMessage is shown above the form, the values are kept and no
	// account is written.
	page = b.Submit(page, "button#continue", form)
	if got := page.Text("#claimVerificationServerError"); got != "Your loyalty number is not valid." || !page.Visible("#claimVerificationServerError") {
		t.Fatalf("#claimVerificationServerError = %q\n%s", got, page.Body)
	}
	if page.Doc.Find("input#loyaltyId").AttrOr("value", "") != "bad-7" || page.Doc.Find("input#displayName").AttrOr("value", "") != "Ana" {
		t.Error("the values were not kept after the API's error")
	}
	if users := listUsers(t, srv); len(users) != 0 {
		t.Fatalf("a user was written before the API accepted: %+v", users)
	}
	calls := api.calls()
	if len(calls) != 1 {
		t.Fatalf("API calls = %d, want 1", len(calls))
	}
	want := map[string]any{"loyaltyId": "bad-7", "email": "ana@contoso.com", "lang": "1033"}
	if got, _ := json.Marshal(calls[0]); string(got) != mustJSON(want) {
		t.Errorf("REST body = %s, want %s", got, mustJSON(want))
	}

	// A good loyalty id: the account is written and the token carries the API's promoCode.
	form["loyaltyId"] = "L-42"
	page = b.Submit(page, "button#continue", form)
	claims := idToken(t, srv, page)
	if claims["promoCode"] != "PROMO-L-42" || claims["email"] != "ana@contoso.com" || claims["name"] != "Ana" || claims["sub"] == "" {
		t.Errorf("token claims = %v", claims)
	}
	if claims["aud"] != clientID || claims["nonce"] != "n-1" || claims["tfp"] != "b2c_1a_signup_signin" {
		t.Errorf("token protocol claims = %v", claims)
	}
	users := listUsers(t, srv)
	if len(users) != 1 || users[0]["objectId"] != claims["sub"] {
		t.Fatalf("users = %+v, want the one in the token", users)
	}

	// Sign-in with the new account: a wrong password stays on the page, the right one signs in.
	b2 := srv.NewBrowser(t)
	page = b2.Get(customAuthorize())
	page = b2.Submit(page, "button#next", map[string]string{"signInName": "ana@contoso.com", "password": "nope"})
	if got := page.Text(".error.pageLevel"); got != "Your password is incorrect." {
		t.Errorf("wrong password: page error = %q\n%s", got, page.Body)
	}
	page = b2.Submit(page, "button#next", map[string]string{"signInName": "ana@contoso.com", "password": "Passw0rd!x"})
	again := idToken(t, srv, page)
	// As in the starter pack, sign-in reads displayName from the directory but never sets the
	// email claim (the relying party's email output claim stays empty).
	if again["sub"] != claims["sub"] || again["name"] != "Ana" || again["email"] != nil {
		t.Errorf("sign-in token = %v", again)
	}
	if len(api.calls()) != 2 {
		t.Errorf("the sign-in called the sign-up API: %d calls", len(api.calls()))
	}
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

func TestCustomPolicyRESTCallsInInspector(t *testing.T) {
	api := &loyaltyAPI{}
	srv := startLoyalty(t, api)
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "bo@contoso.com")
	form := map[string]string{"email": "bo@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x", "displayName": "Bo", "loyaltyId": "bad-1"}
	page = b.Submit(page, "button#continue", form)
	var calls struct{ Calls []map[string]any }
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls", nil, &calls)
	if len(calls.Calls) != 1 {
		t.Fatalf("inspector calls = %d, want 1", len(calls.Calls))
	}
	c := calls.Calls[0]
	if c["connector"] != "REST-ValidateProfile" || c["step"] != "ValidationTechnicalProfile" || c["outcome"] != "ValidationError" ||
		c["userMessage"] != "Your loyalty number is not valid." || c["request"].(map[string]any)["loyaltyId"] != "bad-1" {
		t.Errorf("inspector call = %v", c)
	}
	if a := c["attempts"].([]any); len(a) != 1 || a[0].(map[string]any)["status"] != float64(409) {
		t.Errorf("attempts = %v", c["attempts"])
	}

	// The same email twice: the directory refuses the second account.
	form["loyaltyId"] = "L-1"
	idToken(t, srv, b.Submit(page, "button#continue", form))
	b2 := srv.NewBrowser(t)
	page = b2.Submit(verified(t, srv, b2, b2.Follow(b2.Get(customAuthorize()), "a#createAccount"), "bo@contoso.com"), "button#continue", form)
	if got := page.Text("#claimVerificationServerError"); got != "A user with the specified ID already exists. Please choose a different one." {
		t.Errorf("duplicate sign-up: %q", got)
	}

	// Mismatched passwords never reach the API.
	before := len(api.calls())
	form["reenterPassword"] = "Other0rd!x"
	page = b2.Submit(page, "button#continue", form)
	if !page.Visible("#passwordEntryMismatch") || len(api.calls()) != before {
		t.Errorf("password mismatch: visible=%v, API calls %d → %d", page.Visible("#passwordEntryMismatch"), before, len(api.calls()))
	}
}

func TestCustomPolicyUnreachableService(t *testing.T) {
	srv := startLoyalty(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close() // no answer at all
	}))
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "di@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "di@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "displayName": "Di", "loyaltyId": "L-9"})
	if got := page.Text("#claimVerificationServerError"); !strings.HasPrefix(got, "Failed to establish connection to restful service end point.") {
		t.Errorf("page error = %q", got)
	}
	var calls struct{ Calls []map[string]any }
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls", nil, &calls)
	if len(calls.Calls) != 1 || calls.Calls[0]["outcome"] != "failure" || len(calls.Calls[0]["attempts"].([]any)) != 2 ||
		!strings.Contains(calls.Calls[0]["diagnostic"].(string), "retries once") {
		t.Errorf("calls = %v", calls.Calls)
	}
	if !strings.Contains(srv.Log.String(), "RESTful technical profile failed") {
		t.Error("the failure was not logged")
	}
	if users := listUsers(t, srv); len(users) != 0 {
		t.Errorf("users = %v", users)
	}
}

// TestCustomPolicyHotReload: saving a policy file reloads it; a broken save is refused with
// the file and line, and the running policies stay.
func TestCustomPolicyHotReload(t *testing.T) {
	srv, dir := startLoyaltyIn(t, &loyaltyAPI{}, func(s string) string { return s }, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Em.Watch(ctx, srv.Config, func(string) string { return "" }, config.Override{Key: "server.addr", Value: "127.0.0.1:0", From: "the test"})
	time.Sleep(50 * time.Millisecond) // let the watcher start
	label := func() string {
		b := srv.NewBrowser(t)
		return b.Follow(b.Get(customAuthorize()), "a#createAccount").Text("label[for=loyaltyId]")
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not happen:\n%s", what, srv.Log.String())
			}
		}
	}
	if got := label(); got != "Your loyalty ID" {
		t.Fatalf("label = %q", got)
	}
	ext := filepath.Join(dir, "TrustFrameworkExtensions.xml")
	orig, _ := os.ReadFile(ext)
	os.WriteFile(ext, []byte(strings.Replace(string(orig), "Your loyalty ID", "Loyalty number", 1)), 0o644)
	waitFor("the policy reload", func() bool { return label() == "Loyalty number" })

	os.WriteFile(ext, []byte(strings.Replace(string(orig), `ReferenceId="REST-ValidateProfile"`, `ReferenceId="REST-Missing"`, 1)), 0o644)
	waitFor("the refusal", func() bool { return strings.Contains(srv.Log.String(), "configuration reload refused") })
	if !strings.Contains(srv.Log.String(), "TrustFrameworkExtensions.xml:") || !strings.Contains(srv.Log.String(), "REST-Missing") {
		t.Errorf("the refusal does not name the file, line and profile:\n%s", srv.Log.String())
	}
	if got := label(); got != "Loyalty number" {
		t.Errorf("after a broken save the label is %q; the running policies should stay", got)
	}
}

// TestCustomPolicyHeadless: the headless API runs a custom policy's journey like a browser.
func TestCustomPolicyHeadless(t *testing.T) {
	api := &loyaltyAPI{}
	srv := startLoyalty(t, api)
	var out runResult
	req := map[string]any{"clientId": clientID, "identityProvider": "email",
		"account":    map[string]any{"email": "hl@contoso.com", "password": "Passw0rd!x"},
		"attributes": []map[string]string{{"displayName": "Hal", "loyaltyId": "bad-2"}, {"displayName": "Hal", "loyaltyId": "L-5"}}}
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/flows/B2C_1A_signup_signin/run", req, &out); status != 200 {
		t.Fatalf("run: %d %+v", status, out)
	}
	if out.Outcome != "token" || len(out.Attempts) != 2 || out.Attempts[0].UserMessage != "Your loyalty number is not valid." {
		t.Fatalf("run = %+v", out)
	}
	claims := srv.Verify(t, srv.URL+customPath+"/v2.0/.well-known/openid-configuration", out.IDToken)
	if claims["promoCode"] != "PROMO-L-5" || claims["email"] != "hl@contoso.com" {
		t.Errorf("claims = %v", claims)
	}
	if len(out.Calls) != 2 {
		t.Errorf("calls in the transcript = %d, want 2", len(out.Calls))
	}
	// The same account again signs in.
	req["attributes"] = nil
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/flows/B2C_1A_signup_signin/run", req, &out); status != 200 || out.Outcome != "token" {
		t.Fatalf("sign-in run: %d %+v", status, out)
	}
}

// TestCustomPolicyRESTAuthentication: Basic and ApiKeyHeader take their secrets from policyKeys,
// and the inspector shows them redacted.
func TestCustomPolicyRESTAuthentication(t *testing.T) {
	for _, tc := range []struct {
		name, metadata, keys, header, want, shown string
	}{
		{"Basic", `<Item Key="AuthenticationType">Basic</Item>`,
			`<Key Id="BasicAuthenticationUsername" StorageReferenceId="B2C_1A_RestApiUsername" /><Key Id="BasicAuthenticationPassword" StorageReferenceId="B2C_1A_RestApiPassword" />`,
			"Authorization", "Basic YjJjOnBhNTU=", `Basic [redacted: user "b2c"]`},
		{"Bearer", `<Item Key="AuthenticationType">Bearer</Item>`,
			`<Key Id="BearerAuthenticationToken" StorageReferenceId="B2C_1A_RestApiKey" />`,
			"Authorization", "Bearer k3y", "Bearer [redacted]"},
		{"ApiKeyHeader", `<Item Key="AuthenticationType">ApiKeyHeader</Item>`,
			`<Key Id="x-functions-key" StorageReferenceId="B2C_1A_RestApiKey" />`,
			"X-Functions-Key", "k3y", "[redacted]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &loyaltyAPI{}
			edit := func(s string) string {
				s = strings.Replace(s, `<Item Key="AuthenticationType">None</Item>`, tc.metadata, 1)
				return strings.Replace(s, `<OutputClaims><OutputClaim ClaimTypeReferenceId="promoCode" /></OutputClaims>`,
					`<CryptographicKeys>`+tc.keys+`</CryptographicKeys><OutputClaims><OutputClaim ClaimTypeReferenceId="promoCode" /></OutputClaims>`, 1)
			}
			srv, _ := startLoyaltyIn(t, api, edit, "policyKeys: {B2C_1A_RestApiUsername: b2c, B2C_1A_RestApiPassword: pa55, B2C_1A_RestApiKey: k3y}\n")
			b := srv.NewBrowser(t)
			page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "au@contoso.com")
			idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"email": "au@contoso.com", "newPassword": "Passw0rd!x",
				"reenterPassword": "Passw0rd!x", "displayName": "Au", "loyaltyId": "L-3"}))
			api.mu.Lock()
			got := api.headers[0].Get(tc.header)
			api.mu.Unlock()
			if got != tc.want {
				t.Errorf("%s = %q, want %q", tc.header, got, tc.want)
			}
			var calls struct {
				Calls []struct{ RequestHeaders map[string]string }
			}
			post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls", nil, &calls)
			shown := ""
			for k, v := range calls.Calls[0].RequestHeaders {
				if strings.EqualFold(k, tc.header) {
					shown = v
				}
			}
			if shown != tc.shown {
				t.Errorf("inspector shows %s = %q, want %q", tc.header, shown, tc.shown)
			}
		})
	}
}

// TestCustomPolicyEmailVerification: codes expire, three wrong codes void the code, and an
// address changed after verification must be verified again.
func TestCustomPolicyEmailVerification(t *testing.T) {
	srv := startLoyalty(t, &loyaltyAPI{})
	b := srv.NewBrowser(t)
	page := b.Follow(b.Get(customAuthorize()), "a#createAccount")

	page = b.Submit(page, "button#email_ver_but_send", map[string]string{"email": "not-an-email"})
	if got := page.Text("li.email_li .error.itemLevel"); got != "Please enter a valid email address." {
		t.Errorf("invalid address: %q", got)
	}
	page = b.Submit(page, "button#email_ver_but_send", map[string]string{"email": "ed@contoso.com"})
	post(t, srv.Client, http.MethodPut, srv.URL+"/_emulator/clock", map[string]any{"advance": "6m"}, nil)
	page = b.Submit(page, "button#email_ver_but_verify", map[string]string{"email_ver_input": outboxCode(t, srv, "ed@contoso.com")})
	if got := page.Text("#email_fail_retry"); got != "That code is expired. Please request a new code." || page.Doc.Find("#email_ver_but_send").Length() != 1 {
		t.Errorf("expired code: %q", got)
	}

	page = b.Submit(page, "button#email_ver_but_send", nil)
	for i := 0; i < 3; i++ {
		page = b.Submit(page, "button#email_ver_but_verify", map[string]string{"email_ver_input": "x"})
	}
	if got := page.Text("#email_fail_retry"); got != "You've made too many incorrect attempts. Please try again later." || page.Doc.Find(`#email_ver_input[aria-hidden=true][style="display: none;"]`).Length() != 1 {
		t.Errorf("after three wrong codes: %q", got)
	}

	page = verified(t, srv, b, page, "ed@contoso.com")
	page = b.Submit(page, "button#email_ver_but_edit", nil)
	if page.Doc.Find("input#email[readonly]").Length() != 0 || page.Doc.Find("#email_ver_but_send").Length() != 1 {
		t.Error("Change e-mail should unlock the address and ask for a new verification")
	}
	page = b.Submit(page, "button#continue", map[string]string{"email": "other@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x"})
	if got := page.Text("#claimVerificationServerError"); got != "Claim not verified: email" {
		t.Errorf("changed address submitted: %q", got)
	}
}

// TestCustomPolicyUnsupportedElement: a journey that reaches something b2cemu does not run ends
// on B2C's error page, and the log names the file, line and element.
func TestCustomPolicyUnsupportedElement(t *testing.T) {
	edit := func(s string) string {
		if !strings.Contains(s, `PolicyId="B2C_1A_TrustFrameworkExtensions"`) {
			return s
		}
		s = strings.Replace(s, `    </ClaimsSchema>`, `    </ClaimsSchema>
    <ClaimsTransformations>
      <ClaimsTransformation Id="AgeGroup" TransformationMethod="GetAgeGroupAndConsentStatus">
        <InputClaims><InputClaim ClaimTypeReferenceId="email" TransformationClaimType="dateOfBirth" /></InputClaims>
      </ClaimsTransformation>
    </ClaimsTransformations>`, 1)
		return strings.Replace(s, `<InputClaims>
            <InputClaim ClaimTypeReferenceId="loyaltyId" />`, `<InputClaimsTransformations><InputClaimsTransformation ReferenceId="AgeGroup" /></InputClaimsTransformations>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="loyaltyId" />`, 1)
	}
	api := &loyaltyAPI{}
	srv, _ := startLoyaltyIn(t, api, edit, "")
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "un@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "un@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "loyaltyId": "L-1"})
	if page.Status != http.StatusOK && page.Status != http.StatusBadRequest && page.Status != http.StatusInternalServerError || !strings.Contains(page.Body, "AADB2C90075") {
		t.Fatalf("not B2C's error page: %d\n%s", page.Status, page.Body)
	}
	log := srv.Log.String()
	if !strings.Contains(log, "TrustFrameworkExtensions.xml:") || !strings.Contains(log, "GetAgeGroupAndConsentStatus") {
		t.Errorf("the log does not name the file, line and element:\n%s", log)
	}
	if len(api.calls()) != 0 || len(listUsers(t, srv)) != 0 {
		t.Error("the journey went on past the unsupported element")
	}
}

// TestCustomPolicyLocalizedValidationMessage: a validation profile's message comes from the
// localized strings of the page it is shown on.
func TestCustomPolicyLocalizedValidationMessage(t *testing.T) {
	edit := func(s string) string {
		return strings.Replace(s, `StringId="UserMessageIfClaimsPrincipalAlreadyExists">A user with the specified ID already exists. Please choose a different one.`,
			`StringId="UserMessageIfClaimsPrincipalAlreadyExists">You already have an account; sign in instead.`, 1)
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edit, "")
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "lo@contoso.com", "password": "Passw0rd!x"}, nil); status != 201 {
		t.Fatalf("seeding: %d", status)
	}
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "lo@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "lo@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "loyaltyId": "L-1"})
	if got := page.Text("#claimVerificationServerError"); got != "You already have an account; sign in instead." {
		t.Errorf("page error = %q", got)
	}
}

// TestCustomPolicyLocalizedRequiredField: a required field left empty shows the page's own
// required_field text and #requiredFieldMissing, never #fieldIncorrect, whatever the text says.
func TestCustomPolicyLocalizedRequiredField(t *testing.T) {
	edit := func(s string) string {
		return strings.Replace(s, `<LocalizedString ElementType="UxElement" StringId="button_continue">Create</LocalizedString>`,
			`<LocalizedString ElementType="UxElement" StringId="button_continue">Create</LocalizedString>
          <LocalizedString ElementType="UxElement" StringId="required_field">Please fill this in.</LocalizedString>`, 1)
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edit, "")
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "req@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "req@contoso.com", "newPassword": "", "reenterPassword": "", "loyaltyId": "L-1"})
	hidden := func(sel string) string { v, _ := page.Doc.Find(sel).Attr("aria-hidden"); return v }
	if got := page.Text("#newPassword_error"); got != "Please fill this in." {
		t.Errorf("item error = %q", got)
	}
	if hidden("#requiredFieldMissing") != "false" || hidden("#fieldIncorrect") != "true" {
		t.Errorf("#requiredFieldMissing aria-hidden=%s, #fieldIncorrect aria-hidden=%s", hidden("#requiredFieldMissing"), hidden("#fieldIncorrect"))
	}
}

// TestCustomPolicyRESTRequestShapes: a claim sent as the whole body, and the warning for a
// claim resolver without IncludeClaimResolvingInClaimsHandling.
func TestCustomPolicyRESTRequestShapes(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(raw))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"promoCode":"P"}`)
	})
	edit := func(s string) string {
		s = strings.Replace(s, `<Item Key="IncludeClaimResolvingInClaimsHandling">true</Item>`, `<Item Key="ClaimUsedForRequestPayload">email</Item>`, 1)
		return s
	}
	srv, _ := startLoyaltyIn(t, api, edit, "")
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "rq@contoso.com")
	idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"email": "rq@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "loyaltyId": "L-1"}))
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 || bodies[0] != "rq@contoso.com" {
		t.Errorf("bodies = %q, want the email claim as the whole body", bodies)
	}
	var calls struct{ Calls []struct{ Warnings []string } }
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls", nil, &calls)
	if len(calls.Calls) != 1 || len(calls.Calls[0].Warnings) != 1 || !strings.Contains(calls.Calls[0].Warnings[0], "IncludeClaimResolvingInClaimsHandling") {
		t.Errorf("warnings = %+v", calls.Calls)
	}
}

// TestCustomPolicyPartialOverride: an Extensions fragment that only adds a metadata item to a
// base profile (EnforceEmailVerification=false) changes that profile and keeps the rest;
// login_hint pre-fills the unified page.
func TestCustomPolicyPartialOverride(t *testing.T) {
	edit := func(s string) string {
		if !strings.Contains(s, `PolicyId="B2C_1A_TrustFrameworkExtensions"`) {
			return s
		}
		return strings.Replace(s, `<TechnicalProfile Id="LocalAccountSignUpWithLogonEmail">`,
			`<TechnicalProfile Id="LocalAccountSignUpWithLogonEmail"><Metadata><Item Key="EnforceEmailVerification">false</Item></Metadata>`, 1)
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edit, "")
	b := srv.NewBrowser(t)
	page := b.Get(customAuthorize() + "&login_hint=" + url.QueryEscape("hint@contoso.com"))
	if got := page.Doc.Find("input#signInName").AttrOr("value", ""); got != "hint@contoso.com" {
		t.Errorf("login_hint: signInName = %q", got)
	}
	page = b.Follow(page, "a#createAccount")
	if page.Doc.Find("#email_ver_but_send").Length() != 0 || page.Doc.Find("input#loyaltyId").Length() != 1 || page.Text("button#continue") != "Create" {
		t.Fatalf("the override should remove the verification and keep the page:\n%s", page.Body)
	}
	claims := idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"email": "nv@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "loyaltyId": "L-2"}))
	if claims["promoCode"] != "PROMO-L-2" {
		t.Errorf("claims = %v", claims)
	}
}

// TestCustomPolicySocialButton: an identity provider of the unified page gets its button (the
// claims exchange id, the localized or display name); choosing it, whatever its protocol
// (here SAML 2.0), opens the fake identity provider page.
func TestCustomPolicySocialButton(t *testing.T) {
	edit := func(s string) string {
		if !strings.Contains(s, `PolicyId="B2C_1A_TrustFrameworkExtensions"`) {
			return s
		}
		s = strings.Replace(s, `  </ClaimsProviders>`, `    <ClaimsProvider>
      <Domain>facebook.com</Domain>
      <DisplayName>Facebook</DisplayName>
      <TechnicalProfiles>
        <TechnicalProfile Id="Facebook-OAUTH">
          <DisplayName>Facebook</DisplayName>
          <Protocol Name="SAML2" />
          <Metadata><Item Key="PartnerEntity">https://idp.example/metadata</Item></Metadata>
          <OutputClaims><OutputClaim ClaimTypeReferenceId="email" PartnerClaimType="email" /></OutputClaims>
        </TechnicalProfile>
      </TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>
  <UserJourneys>
    <UserJourney Id="SignUpOrSignIn">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="CombinedSignInAndSignUp" ContentDefinitionReferenceId="api.signuporsignin">
          <ClaimsProviderSelections><ClaimsProviderSelection TargetClaimsExchangeId="FacebookExchange" /></ClaimsProviderSelections>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="FacebookExchange" TechnicalProfileReferenceId="Facebook-OAUTH" /></ClaimsExchanges>
        </OrchestrationStep>
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>`, 1)
		return s
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edit, "")
	b := srv.NewBrowser(t)
	page := b.Get(customAuthorize())
	if page.Doc.Find("button#FacebookExchange").Length() != 1 || page.Text("button#FacebookExchange") != "Facebook" || page.Doc.Find("#signInName").Length() != 1 {
		t.Fatalf("the unified page lacks the Facebook button or the local form:\n%s", page.Body)
	}
	// Local sign-up still works: step 2 has two exchanges and runs the one "Sign up now" chose.
	page = b.Follow(page, "a#createAccount")
	if page.Doc.Find("input#loyaltyId").Length() != 1 {
		t.Fatalf("sign-up page:\n%s", page.Body)
	}
	b2 := srv.NewBrowser(t)
	page = b2.Submit(b2.Get(customAuthorize()), "button#FacebookExchange", nil)
	if page.Doc.Find(`div#api[data-name=FakeIdentityProvider]`).Length() != 1 {
		t.Fatalf("not the fake identity provider page: %d\n%s", page.Status, page.Body)
	}
}

func authorizeFor(policy string) string {
	return strings.Replace(customAuthorize(), "B2C_1A_signup_signin", policy, 1)
}

// TestCustomPolicyPasswordResetAndProfileEdit runs the example's other relying parties:
// password reset (verify the address, set a new password, sign in with it) and profile edit
// (sign in, change the names, which the directory keeps).
func TestCustomPolicyPasswordResetAndProfileEdit(t *testing.T) {
	srv := startLoyalty(t, &loyaltyAPI{})
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "pr@contoso.com", "password": "Old-Passw0rd",
		"attributes": map[string]any{"displayName": "Pat", "givenName": "Pat"}}, nil); status != 201 {
		t.Fatalf("seeding: %d", status)
	}
	b := srv.NewBrowser(t)
	page := b.Get(authorizeFor("B2C_1A_PasswordReset"))
	if page.Doc.Find("#email_ver_but_send").Length() != 1 {
		t.Fatalf("not the address verification page:\n%s", page.Body)
	}
	page = verified(t, srv, b, page, "pr@contoso.com")
	page = b.Submit(page, "button#continue", nil)
	if page.Doc.Find("input#newPassword").Length() != 1 {
		t.Fatalf("not the new password page:\n%s", page.Body)
	}
	claims := idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"newPassword": "New-Passw0rd", "reenterPassword": "New-Passw0rd"}))
	if claims["email"] != "pr@contoso.com" || claims["sub"] == "" {
		t.Errorf("password reset claims = %v", claims)
	}

	b = srv.NewBrowser(t)
	page = b.Get(authorizeFor("B2C_1A_ProfileEdit"))
	if page.Doc.Find("input#signInName").Length() != 1 || page.Doc.Find("input#password").Length() != 1 {
		t.Fatalf("not the sign-in page of profile edit:\n%s", page.Body)
	}
	page = b.Submit(page, "button#continue", map[string]string{"signInName": "pr@contoso.com", "password": "Old-Passw0rd"})
	if got := page.Text("#claimVerificationServerError"); got != "Your password is incorrect." {
		t.Fatalf("the old password still works after the reset: %q", got)
	}
	page = b.Submit(page, "button#continue", map[string]string{"signInName": "pr@contoso.com", "password": "New-Passw0rd"})
	if page.Doc.Find("input#givenName").AttrOr("value", "") != "Pat" {
		t.Fatalf("the profile page is not pre-filled from the directory:\n%s", page.Body)
	}
	claims = idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"givenName": "Patricia", "surname": "Lee"}))
	if claims["given_name"] != "Patricia" || claims["family_name"] != "Lee" || claims["sub"] != listUsers(t, srv)[0]["objectId"] {
		t.Errorf("profile edit claims = %v", claims)
	}
	if attrs := listUsers(t, srv)[0]["attributes"].(map[string]any); attrs["givenName"] != "Patricia" || attrs["surname"] != "Lee" || attrs["displayName"] != "Pat" {
		t.Errorf("stored attributes = %v", attrs)
	}
}

// TestCustomPolicySocialSignIn runs a SocialAndLocalAccounts-shaped journey: Facebook (OAuth
// 2.0) becomes the fake identity provider page; the first sign-in finds no user by
// alternativeSecurityId, asks for the profile pre-filled from the provider and writes the
// user; the second signs the same user in without a page.
func TestCustomPolicySocialSignIn(t *testing.T) {
	const ws = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
	for _, tc := range []struct {
		protocol string
		names    map[string]string // the profile's partner claim types in place of Facebook's
	}{
		{"OAuth2", nil},
		{"OAuth1", map[string]string{"id": "user_id", "name": "screen_name"}},
		{"SAML2", map[string]string{"id": "assertionSubjectName", "first_name": ws + "givenname", "last_name": ws + "surname",
			"name": ws + "name", "email": ws + "emailaddress"}},
	} {
		t.Run(tc.protocol, func(t *testing.T) { socialSignIn(t, tc.protocol, tc.names) })
	}
}

// socialSignIn runs the social journey with the Facebook profile switched to protocol and
// its partner claim types renamed.
func socialSignIn(t *testing.T, protocol string, names map[string]string) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.Replace(string(b), `<Protocol Name="OAuth2" />`, `<Protocol Name="`+protocol+`" />`, 1)
		for from, to := range names {
			s = strings.Replace(s, `PartnerClaimType="`+from+`"`, `PartnerClaimType="`+to+`"`, 1)
		}
		return s
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, func(s string) string { return s }, facebookProvider, map[string]string{"SocialExtensions.xml": read("social-extensions.xml"), "Social.xml": read("social-rp.xml")})

	signIn := func() (*emulatortest.Browser, *emulatortest.Page) {
		b := srv.NewBrowser(t)
		page := b.Get(authorizeFor("B2C_1A_social"))
		if page.Doc.Find("button#FacebookExchange").Length() != 1 {
			t.Fatalf("no Facebook button:\n%s", page.Body)
		}
		page = b.Submit(page, "button#FacebookExchange", nil)
		if page.Doc.Find(`button.fixtureAccount[value="fb-42"]`).Length() != 1 {
			t.Fatalf("not the fake identity provider page:\n%s", page.Body)
		}
		return b, b.Submit(page, `button.fixtureAccount[value="fb-42"]`, nil)
	}
	b, page := signIn()
	if page.Doc.Find("input#displayName").AttrOr("value", "") != "Mia Chen" || page.Doc.Find("input#givenName").AttrOr("value", "") != "Mia" {
		t.Fatalf("the profile page is not pre-filled from the provider:\n%s", page.Body)
	}
	first := idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"displayName": "Mia C."}))
	if first["idp"] != "facebook.com" || first["name"] != "Mia C." || first["newUser"] != true || first["email"] != "mia@example.com" {
		t.Errorf("first sign-in claims = %v", first)
	}
	users := listUsers(t, srv)
	if len(users) != 1 || users[0]["objectId"] != first["sub"] {
		t.Fatalf("users = %v", users)
	}
	ids, _ := json.Marshal(users[0]["identities"])
	if !strings.Contains(string(ids), `"issuer":"facebook.com"`) || !strings.Contains(string(ids), `"issuerAssignedId":"fb-42"`) {
		t.Errorf("identities = %s", ids)
	}

	_, page = signIn()
	again := idToken(t, srv, page)
	if again["sub"] != first["sub"] || again["name"] != "Mia C." || again["newUser"] != nil {
		t.Errorf("returning sign-in claims = %v", again)
	}

	// domain_hint names the provider by its ClaimsProvider's Domain: no unified page.
	b = srv.NewBrowser(t)
	page = b.Get(authorizeFor("B2C_1A_social") + "&domain_hint=facebook.com")
	if page.Doc.Find(`button.fixtureAccount[value="fb-42"]`).Length() != 1 {
		t.Fatalf("domain_hint did not go to the provider:\n%s", page.Body)
	}
	if again := idToken(t, srv, b.Submit(page, `button.fixtureAccount[value="fb-42"]`, nil)); again["sub"] != first["sub"] {
		t.Errorf("domain_hint sign-in claims = %v", again)
	}
	if page := srv.NewBrowser(t).Get(authorizeFor("B2C_1A_social") + "&domain_hint=contoso.com"); page.Doc.Find("button#FacebookExchange").Length() != 1 {
		t.Errorf("an unknown domain_hint changed the page:\n%s", page.Body)
	}
}

// TestCustomPolicyBearerWithoutToken: Bearer authentication with no token configured stops at
// the page with AADB2C90194's text, calls nothing, and tells the developer what is missing.
func TestCustomPolicyBearerWithoutToken(t *testing.T) {
	api := &loyaltyAPI{}
	edit := func(s string) string {
		return strings.Replace(s, `<Item Key="AuthenticationType">None</Item>`, `<Item Key="AuthenticationType">Bearer</Item>`, 1)
	}
	srv, _ := startLoyaltyIn(t, api, edit, "")
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "br@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "br@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "loyaltyId": "L-1"})
	if got := page.Text("#claimVerificationServerError"); got != "The claim to use as a bearer token has no value." {
		t.Errorf("page error = %q", got)
	}
	var calls struct {
		Calls []struct{ Outcome, Diagnostic string }
	}
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls", nil, &calls)
	if len(api.calls()) != 0 || len(calls.Calls) != 1 || !strings.Contains(calls.Calls[0].Diagnostic, "BearerAuthenticationToken") {
		t.Errorf("API calls %d, inspector %+v", len(api.calls()), calls.Calls)
	}
}

// TestCustomPolicyRefreshJourney: a refresh token runs the relying party's RedeemRefreshToken
// journey: the directory is read again, the REST API's promoCode survives only because the
// example's Extensions list it in RefreshTokenReadAndSetup, email (set on sign-up only) does
// not, and revokeSignInSessions refuses refresh tokens issued more than five minutes before it.
func TestCustomPolicyRefreshJourney(t *testing.T) {
	dropKept := func(s string) string {
		i := strings.Index(s, "<DisplayName>Refresh token journey</DisplayName>")
		if i < 0 || !strings.Contains(s, `PolicyId="B2C_1A_TrustFrameworkExtensions"`) {
			return s
		}
		start := strings.LastIndex(s[:i], "<ClaimsProvider>")
		end := strings.Index(s[i:], "</ClaimsProvider>") + i + len("</ClaimsProvider>")
		return s[:start] + s[end:]
	}
	for _, tc := range []struct {
		name      string
		edit      func(string) string
		wantPromo any
	}{
		{"promoCode kept", func(s string) string { return s }, "PROMO-L-9"},
		{"starter pack as is", dropKept, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, tc.edit, "")
			b := srv.NewBrowser(t)
			q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid offline_access"},
				"response_type": {"code"}, "nonce": {"n-1"}}
			page := verified(t, srv, b, b.Follow(b.Get(customPath+"/oauth2/v2.0/authorize?"+q.Encode()), "a#createAccount"), "rf@contoso.com")
			page = b.Submit(page, "button#continue", map[string]string{"email": "rf@contoso.com", "newPassword": "Passw0rd!x",
				"reenterPassword": "Passw0rd!x", "displayName": "Rafa", "loyaltyId": "L-9"})
			if page.Location == nil || page.Location.Query().Get("code") == "" {
				t.Fatalf("no code: %d\n%s", page.Status, page.Body)
			}
			status, out := redeemAt(t, srv, customPath, url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID},
				"code": {page.Location.Query().Get("code")}, "redirect_uri": {"http://app.test/callback"}})
			disco := srv.URL + customPath + "/v2.0/.well-known/openid-configuration"
			if status != 200 || out["refresh_token"] == nil {
				t.Fatalf("code redemption: %d %v", status, out)
			}
			signIn := srv.Verify(t, disco, out["id_token"].(string))
			if signIn["promoCode"] != "PROMO-L-9" || signIn["email"] != "rf@contoso.com" {
				t.Fatalf("sign-up claims = %v", signIn)
			}
			status, out = redeemAt(t, srv, customPath, url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {out["refresh_token"].(string)}})
			if status != 200 {
				t.Fatalf("refresh: %d %v", status, out)
			}
			refreshed := srv.Verify(t, disco, out["id_token"].(string))
			if refreshed["sub"] != signIn["sub"] || refreshed["name"] != "Rafa" || refreshed["promoCode"] != tc.wantPromo || refreshed["email"] != nil ||
				refreshed["tfp"] != "b2c_1a_signup_signin" || refreshed["tid"] != signIn["tid"] {
				t.Errorf("refreshed claims = %v", refreshed)
			}

			// Revoked ten minutes after the refresh token was issued: refused.
			post(t, srv.Client, http.MethodPut, srv.URL+"/_emulator/clock", map[string]any{"advance": "10m"}, nil)
			var revoked map[string]bool
			if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users/"+signIn["sub"].(string)+"/revokeSignInSessions", nil, &revoked); status != 200 || !revoked["value"] {
				t.Fatalf("revokeSignInSessions: %d %v", status, revoked)
			}
			status, out = redeemAt(t, srv, customPath, url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {out["refresh_token"].(string)}})
			if desc, _ := out["error_description"].(string); status != 400 || out["error"] != "invalid_grant" || !strings.HasPrefix(desc, "AADB2C90129: The provided grant has been revoked.") {
				t.Errorf("refresh after revocation: %d %v", status, out)
			}
			if !strings.Contains(srv.Log.String(), "AssertRefreshTokenIssuedLaterThanValidFromDate: refreshTokenIssuedOnDateTime") {
				t.Errorf("the log does not say why:\n%s", srv.Log.String())
			}
		})
	}
}

// TestCustomPolicyForgotPassword: the unified page's "Forgot your password?" link sends the
// user back to the application with AADB2C90118, as the starter packs do; the sign-in
// profile's setting.* metadata hides or moves the links, and
// setting.forgotPasswordLinkOverride runs an embedded password reset's claims exchange.
func TestCustomPolicyForgotPassword(t *testing.T) {
	t.Run("back to the application", func(t *testing.T) {
		srv := startLoyalty(t, &loyaltyAPI{})
		b := srv.NewBrowser(t)
		page := b.Get(customAuthorize())
		if page.Text(".password-label a#forgotPassword") != "Forgot your password?" {
			t.Fatalf("no link:\n%s", page.Body)
		}
		page = b.Follow(page, "a#forgotPassword")
		frag, _ := url.ParseQuery(page.Location.Fragment)
		if frag.Get("error") != "access_denied" || !strings.HasPrefix(frag.Get("error_description"), "AADB2C90118: The user has forgotten their password.") {
			t.Errorf("location = %v", page.Location)
		}
	})
	settings := func(items string) func(string) string {
		return func(s string) string {
			return strings.Replace(s, `<Item Key="SignUpTarget">SignUpWithLogonEmailExchange</Item>`, `<Item Key="SignUpTarget">SignUpWithLogonEmailExchange</Item>`+items, 1)
		}
	}
	t.Run("settings", func(t *testing.T) {
		srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, settings(`<Item Key="setting.forgotPasswordLinkLocation">None</Item><Item Key="setting.showSignupLink">false</Item>`), "")
		page := srv.NewBrowser(t).Get(customAuthorize())
		if page.Doc.Find("#forgotPassword").Length() != 0 || page.Doc.Find("#createAccount").Length() != 0 || page.Doc.Find("#signInName").Length() != 1 {
			t.Errorf("links not hidden:\n%s", page.Body)
		}
		srv, _ = startLoyaltyIn(t, &loyaltyAPI{}, settings(`<Item Key="setting.forgotPasswordLinkLocation">AfterButtons</Item>`), "")
		if page := srv.NewBrowser(t).Get(customAuthorize()); page.Doc.Find(".buttons + .forgot-password a#forgotPassword").Length() != 1 {
			t.Errorf("link not after the buttons:\n%s", page.Body)
		}
	})
	t.Run("embedded password reset", func(t *testing.T) {
		edit := func(s string) string {
			s = settings(`<Item Key="setting.forgotPasswordLinkOverride">ForgotPasswordExchange</Item>`)(s)
			s = strings.Replace(s, `<ClaimsProviderSelection ValidationClaimsExchangeId="LocalAccountSigninEmailExchange" />`,
				`<ClaimsProviderSelection ValidationClaimsExchangeId="LocalAccountSigninEmailExchange" /><ClaimsProviderSelection TargetClaimsExchangeId="ForgotPasswordExchange" />`, 1)
			return strings.Replace(s, `<ClaimsExchange Id="SignUpWithLogonEmailExchange" TechnicalProfileReferenceId="LocalAccountSignUpWithLogonEmail" />`,
				`<ClaimsExchange Id="SignUpWithLogonEmailExchange" TechnicalProfileReferenceId="LocalAccountSignUpWithLogonEmail" /><ClaimsExchange Id="ForgotPasswordExchange" TechnicalProfileReferenceId="LocalAccountDiscoveryUsingEmailAddress" />`, 1)
		}
		srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edit, "")
		post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "fp@contoso.com", "password": "Old-Passw0rd"}, nil)
		b := srv.NewBrowser(t)
		page := b.Get(customAuthorize())
		if page.Doc.Find("button#ForgotPasswordExchange").Length() != 0 {
			t.Errorf("the override's exchange became a button:\n%s", page.Body)
		}
		page = b.Follow(page, "a#forgotPassword")
		if page.Doc.Find("#email_ver_but_send").Length() != 1 {
			t.Fatalf("not the password reset page:\n%s", page.Body)
		}
		claims := idToken(t, srv, b.Submit(verified(t, srv, b, page, "fp@contoso.com"), "button#continue", nil))
		if claims["sub"] != listUsers(t, srv)[0]["objectId"] {
			t.Errorf("claims = %v", claims)
		}
	})
}

// displayControlEdit turns the example's sign-up page to a VerificationControl display
// control, as Microsoft's display-control starter pack does, with send and verify profiles
// given by sender.
func displayControlEdit(sender, senderProfiles string) func(string) string {
	return func(s string) string {
		if !strings.Contains(s, `PolicyId="B2C_1A_TrustFrameworkExtensions"`) {
			return s
		}
		s = strings.Replace(s, `    </ClaimsSchema>
  </BuildingBlocks>`, `      <ClaimType Id="verificationCode"><DisplayName>Verification Code</DisplayName><DataType>string</DataType><UserInputType>TextBox</UserInputType></ClaimType>
      <ClaimType Id="otp"><DisplayName>One-time password</DisplayName><DataType>string</DataType></ClaimType>
    </ClaimsSchema>
    <DisplayControls>
      <DisplayControl Id="emailVerificationControl" UserInterfaceControlType="VerificationControl">
        <DisplayClaims>
          <DisplayClaim ClaimTypeReferenceId="email" Required="true" />
          <DisplayClaim ClaimTypeReferenceId="verificationCode" ControlClaimType="VerificationCode" Required="true" />
        </DisplayClaims>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="email" /></OutputClaims>
        <Actions>`+sender+`</Actions>
      </DisplayControl>
    </DisplayControls>
  </BuildingBlocks>`, 1)
		s = strings.Replace(s, `  </ClaimsProviders>`, `    <ClaimsProvider>
      <DisplayName>Verification codes</DisplayName>
      <TechnicalProfiles>`+senderProfiles+`</TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>`, 1)
		return strings.Replace(s, `<OutputClaim ClaimTypeReferenceId="email" PartnerClaimType="Verified.Email" Required="true" />`, `<OutputClaim ClaimTypeReferenceId="email" Required="true" />`, 1)
	}
}

const ssprActions = `
          <Action Id="SendCode"><ValidationClaimsExchange><ValidationClaimsExchangeTechnicalProfile TechnicalProfileReferenceId="AadSspr-SendCode" /></ValidationClaimsExchange></Action>
          <Action Id="VerifyCode"><ValidationClaimsExchange><ValidationClaimsExchangeTechnicalProfile TechnicalProfileReferenceId="AadSspr-VerifyCode" /></ValidationClaimsExchange></Action>`

const ssprProfiles = `
        <TechnicalProfile Id="AadSspr-SendCode">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.AadSsprProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <Metadata><Item Key="Operation">SendCode</Item></Metadata>
          <InputClaims><InputClaim ClaimTypeReferenceId="email" PartnerClaimType="emailAddress" /></InputClaims>
        </TechnicalProfile>
        <TechnicalProfile Id="AadSspr-VerifyCode">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.AadSsprProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <Metadata><Item Key="Operation">VerifyCode</Item></Metadata>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="verificationCode" />
            <InputClaim ClaimTypeReferenceId="email" PartnerClaimType="emailAddress" />
          </InputClaims>
        </TechnicalProfile>`

// addDisplayClaims gives the sign-up profile DisplayClaims with the control first.
func addDisplayClaims(s string) string {
	return strings.Replace(s, `<ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-ValidateProfile" />`, `<DisplayClaims>
            <DisplayClaim DisplayControlReferenceId="emailVerificationControl" />
            <DisplayClaim ClaimTypeReferenceId="newPassword" Required="true" />
            <DisplayClaim ClaimTypeReferenceId="reenterPassword" Required="true" />
            <DisplayClaim ClaimTypeReferenceId="displayName" />
            <DisplayClaim ClaimTypeReferenceId="loyaltyId" />
          </DisplayClaims>
          <ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-ValidateProfile" />`, 1)
}

// TestCustomPolicyDisplayControl: a VerificationControl with Azure AD SSPR's email code, as
// in Microsoft's display-control starter pack: B2C's ids and texts, the page refused until the
// control is verified, SSPR's messages for a wrong code, and the loyalty walkthrough after.
func TestCustomPolicyDisplayControl(t *testing.T) {
	api := &loyaltyAPI{}
	dc := displayControlEdit(ssprActions, ssprProfiles)
	srv, _ := startLoyaltyIn(t, api, func(s string) string { return addDisplayClaims(dc(s)) }, "")
	b := srv.NewBrowser(t)
	page := b.Follow(b.Get(customAuthorize()), "a#createAccount")
	if page.Text("button#emailVerificationControl_but_send_code") != "Send verification code" || page.Doc.Find("#verificationCode").Length() != 0 ||
		page.Doc.Find("#email_ver_but_send").Length() != 0 || page.Doc.Find("input#loyaltyId").Length() != 1 {
		t.Fatalf("not the display control's page:\n%s", page.Body)
	}
	form := map[string]string{"email": "dc@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x", "displayName": "Dee", "loyaltyId": "L-5"}
	page = b.Submit(page, "button#continue", form)
	if got := page.Text("#claimVerificationServerError"); got != "The claims for verification control have not been verified." || len(api.calls()) != 0 {
		t.Fatalf("submitted before verification: %q, %d API calls", got, len(api.calls()))
	}
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": ""})
	if got := page.Text(".email_li .error.itemLevel, #email_error"); got != "This information is required." {
		t.Errorf("send without an address: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": "dc@contoso.com", "displayName": "Dee"})
	if page.Text("#emailVerificationControl_info_message") != "Verification code has been sent to your inbox. Please copy it to the input box below." ||
		page.Doc.Find("input#verificationCode").Length() != 1 || page.Doc.Find("input#email[readonly]").Length() != 1 ||
		page.Doc.Find("input#displayName").AttrOr("value", "") != "Dee" {
		t.Fatalf("after sending:\n%s", page.Body)
	}
	var outbox struct {
		Emails []struct{ To, Code, TechnicalProfile string }
	}
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/emails", nil, &outbox)
	if len(outbox.Emails) != 1 || outbox.Emails[0].To != "dc@contoso.com" || outbox.Emails[0].TechnicalProfile != "AadSspr-SendCode" {
		t.Fatalf("outbox = %+v", outbox.Emails)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": "000000x"})
	if got := page.Text("#emailVerificationControl_error_message"); got != "The verification has failed, please try again." {
		t.Errorf("wrong code: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": outbox.Emails[0].Code})
	if page.Text("#emailVerificationControl_but_change_claims") != "Change e-mail" || page.Doc.Find("#emailVerificationControl_but_verify_code").Length() != 0 ||
		page.Text("#emailVerificationControl_error_message") != "" || page.Text("#emailVerificationControl_info_message") != "E-mail address verified. You can now continue." {
		t.Fatalf("after verifying:\n%s", page.Body)
	}
	claims := idToken(t, srv, b.Submit(page, "button#continue", form))
	if claims["email"] != "dc@contoso.com" || claims["promoCode"] != "PROMO-L-5" || claims["name"] != "Dee" {
		t.Errorf("claims = %v", claims)
	}

	// Three wrong codes use the code up: SSPR's no-retry message, then a new code is needed.
	b = srv.NewBrowser(t)
	page = b.Follow(b.Get(customAuthorize()), "a#createAccount")
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": "dd@contoso.com"})
	for i := 0; i < 3; i++ {
		page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": "1"})
	}
	if got := page.Text("#emailVerificationControl_error_message"); got != "You have exceeded maximum number of verification attempts." {
		t.Errorf("third wrong code: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": "1"})
	if got := page.Text("#emailVerificationControl_error_message"); got != "The code has expired." {
		t.Errorf("after the code is used up: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_change_claims", nil)
	if page.Doc.Find("#emailVerificationControl_but_send_code").Length() != 1 || page.Doc.Find("input#email[readonly]").Length() != 0 {
		t.Errorf("after change:\n%s", page.Body)
	}
}

// TestCustomPolicyDisplayControlOneTimePassword: the custom email verification pattern: the
// one-time password provider makes the code, a RESTful profile mails it (here to a test
// API), and the provider verifies it, with its own messages.
func TestCustomPolicyDisplayControlOneTimePassword(t *testing.T) {
	var mu sync.Mutex
	var mails []map[string]any
	mailer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		mails = append(mails, body)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(mailer.Close)
	actions := `
          <Action Id="SendCode"><ValidationClaimsExchange>
            <ValidationClaimsExchangeTechnicalProfile TechnicalProfileReferenceId="GenerateOtp" />
            <ValidationClaimsExchangeTechnicalProfile TechnicalProfileReferenceId="SendOtp" />
          </ValidationClaimsExchange></Action>
          <Action Id="VerifyCode"><ValidationClaimsExchange><ValidationClaimsExchangeTechnicalProfile TechnicalProfileReferenceId="VerifyOtp" /></ValidationClaimsExchange></Action>`
	profiles := `
        <TechnicalProfile Id="GenerateOtp">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.OneTimePasswordProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <Metadata>
            <Item Key="Operation">GenerateCode</Item>
            <Item Key="CodeExpirationInSeconds">600</Item>
            <Item Key="CodeLength">8</Item>
            <Item Key="CharacterSet">0-9</Item>
            <Item Key="NumRetryAllowed">2</Item>
          </Metadata>
          <InputClaims><InputClaim ClaimTypeReferenceId="email" PartnerClaimType="identifier" /></InputClaims>
          <OutputClaims><OutputClaim ClaimTypeReferenceId="otp" PartnerClaimType="otpGenerated" /></OutputClaims>
        </TechnicalProfile>
        <TechnicalProfile Id="SendOtp">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <Metadata>
            <Item Key="ServiceUrl">` + mailer.URL + `/send</Item>
            <Item Key="SendClaimsIn">Body</Item>
            <Item Key="AuthenticationType">None</Item>
            <Item Key="AllowInsecureAuthInProduction">true</Item>
          </Metadata>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="email" PartnerClaimType="to" />
            <InputClaim ClaimTypeReferenceId="otp" PartnerClaimType="code" />
          </InputClaims>
        </TechnicalProfile>
        <TechnicalProfile Id="VerifyOtp">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.OneTimePasswordProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <Metadata><Item Key="Operation">VerifyCode</Item></Metadata>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="email" PartnerClaimType="identifier" />
            <InputClaim ClaimTypeReferenceId="verificationCode" PartnerClaimType="otpToVerify" />
          </InputClaims>
        </TechnicalProfile>`
	dc := displayControlEdit(actions, profiles)
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, func(s string) string { return addDisplayClaims(dc(s)) }, "")
	b := srv.NewBrowser(t)
	page := b.Follow(b.Get(customAuthorize()), "a#createAccount")
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": "otp@contoso.com"})
	mu.Lock()
	sent := append([]map[string]any(nil), mails...)
	mu.Unlock()
	code, _ := sent[0]["code"].(string)
	if len(sent) != 1 || sent[0]["to"] != "otp@contoso.com" || len(code) != 8 {
		t.Fatalf("mails = %v\n%s", sent, page.Body)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": "1"})
	if got := page.Text("#emailVerificationControl_error_message"); got != "That code is incorrect. Please try again." {
		t.Errorf("wrong code: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": code})
	if page.Doc.Find("#emailVerificationControl_but_change_claims").Length() != 1 {
		t.Fatalf("not verified:\n%s", page.Body)
	}
	claims := idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"email": "otp@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "loyaltyId": "L-6"}))
	if claims["email"] != "otp@contoso.com" || claims["promoCode"] != "PROMO-L-6" {
		t.Errorf("claims = %v", claims)
	}
}

// TestCustomPolicyDisplayControlTexts: the control's texts follow the page layout: its own
// localized strings (ElementType DisplayControl) on selfasserted 2.1.x, the page's
// verification_control_* strings and their defaults on 2.0.
func TestCustomPolicyDisplayControlTexts(t *testing.T) {
	dc := displayControlEdit(ssprActions, ssprProfiles)
	localized := func(s string) string {
		s = addDisplayClaims(dc(s))
		return strings.Replace(s, `<LocalizedString ElementType="UxElement" StringId="button_continue">Create</LocalizedString>`,
			`<LocalizedString ElementType="UxElement" StringId="button_continue">Create</LocalizedString>
          <LocalizedString ElementType="DisplayControl" ElementId="emailVerificationControl" StringId="but_send_code">Mail me a code</LocalizedString>`, 1)
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, localized, "")
	b := srv.NewBrowser(t)
	if got := b.Follow(b.Get(customAuthorize()), "a#createAccount").Text("#emailVerificationControl_but_send_code"); got != "Mail me a code" {
		t.Errorf("localized send button = %q", got)
	}
	older := func(s string) string {
		return strings.Replace(addDisplayClaims(dc(s)), "contract:selfasserted:2.1.7</DataUri></ContentDefinition>", "contract:selfasserted:2.0.0</DataUri></ContentDefinition>", -1)
	}
	srv, _ = startLoyaltyIn(t, &loyaltyAPI{}, older, "")
	b = srv.NewBrowser(t)
	page := b.Follow(b.Get(customAuthorize()), "a#createAccount")
	if got := page.Text("#emailVerificationControl_but_send_code"); got != "Send Code" {
		t.Errorf("2.0 send button = %q\n%s", got, page.Body)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": "old@contoso.com"})
	if got := page.Text("#emailVerificationControl_info_message"); got != "Verification code has been sent. Please copy it to the input box below." {
		t.Errorf("2.0 sent message = %q", got)
	}
}

// TestCustomPolicySAMLRelyingParty: a relying party speaking SAML 2.0 loads with a warning,
// and its authorize requests end on the error page with a diagnostic, not a silent OIDC token.
func TestCustomPolicySAMLRelyingParty(t *testing.T) {
	edit := func(s string) string {
		if !strings.Contains(s, `PolicyId="B2C_1A_signup_signin"`) {
			return s
		}
		return strings.Replace(s, `<Protocol Name="OpenIdConnect" />`, `<Protocol Name="SAML2" />`, 1)
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edit, "")
	page := srv.NewBrowser(t).Get(customAuthorize())
	if !strings.Contains(page.Body, "AADB2C90075") || page.Doc.Find("#signInName").Length() != 0 {
		t.Fatalf("not the error page:\n%s", page.Body)
	}
	if log := srv.Log.String(); !strings.Contains(log, "the relying party speaks SAML2") || !strings.Contains(log, "a relying party speaking SAML2") {
		t.Errorf("log:\n%s", log)
	}
}

// TestCustomPolicyEmbeddedPasswordReset: Microsoft's recommended self-service password reset:
// the sign-in profile's setting.forgotPasswordLinkOverride chooses the ForgotPassword
// exchange, whose claim makes the journey invoke the PasswordReset sub journey (Type Call),
// after which the journey goes on to the token with the new password set.
func TestCustomPolicyEmbeddedPasswordReset(t *testing.T) {
	edit := func(s string) string {
		switch {
		case strings.Contains(s, `PolicyId="B2C_1A_TrustFrameworkExtensions"`):
			s = strings.Replace(s, `    </ClaimsSchema>`, `      <ClaimType Id="isForgotPassword"><DisplayName>isForgotPassword</DisplayName><DataType>boolean</DataType></ClaimType>
    </ClaimsSchema>`, 1)
			return strings.Replace(s, `  </ClaimsProviders>`, `    <ClaimsProvider>
      <DisplayName>Local Account</DisplayName>
      <TechnicalProfiles>
        <TechnicalProfile Id="ForgotPassword">
          <DisplayName>Forgot your password?</DisplayName>
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.ClaimsTransformationProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <OutputClaims><OutputClaim ClaimTypeReferenceId="isForgotPassword" DefaultValue="true" AlwaysUseDefaultValue="true" /></OutputClaims>
          <UseTechnicalProfileForSessionManagement ReferenceId="SM-Noop" />
        </TechnicalProfile>
        <TechnicalProfile Id="SelfAsserted-LocalAccountSignin-Email">
          <Metadata><Item Key="setting.forgotPasswordLinkOverride">ForgotPasswordExchange</Item></Metadata>
        </TechnicalProfile>
      </TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>
  <SubJourneys>
    <SubJourney Id="PasswordReset" Type="Call">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="PasswordResetUsingEmailAddressExchange" TechnicalProfileReferenceId="LocalAccountDiscoveryUsingEmailAddress" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="NewCredentials" TechnicalProfileReferenceId="LocalAccountWritePasswordUsingObjectId" /></ClaimsExchanges>
        </OrchestrationStep>
      </OrchestrationSteps>
    </SubJourney>
  </SubJourneys>
  <UserJourneys>
    <UserJourney Id="CustomSignUpSignIn">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="CombinedSignInAndSignUp" ContentDefinitionReferenceId="api.signuporsignin">
          <ClaimsProviderSelections>
            <ClaimsProviderSelection ValidationClaimsExchangeId="LocalAccountSigninEmailExchange" />
            <ClaimsProviderSelection TargetClaimsExchangeId="ForgotPasswordExchange" />
          </ClaimsProviderSelections>
          <ClaimsExchanges><ClaimsExchange Id="LocalAccountSigninEmailExchange" TechnicalProfileReferenceId="SelfAsserted-LocalAccountSignin-Email" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">
          <Preconditions><Precondition Type="ClaimsExist" ExecuteActionsIf="true"><Value>objectId</Value><Action>SkipThisOrchestrationStep</Action></Precondition></Preconditions>
          <ClaimsExchanges>
            <ClaimsExchange Id="SignUpWithLogonEmailExchange" TechnicalProfileReferenceId="LocalAccountSignUpWithLogonEmail" />
            <ClaimsExchange Id="ForgotPasswordExchange" TechnicalProfileReferenceId="ForgotPassword" />
          </ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="3" Type="InvokeSubJourney">
          <Preconditions><Precondition Type="ClaimsExist" ExecuteActionsIf="false"><Value>isForgotPassword</Value><Action>SkipThisOrchestrationStep</Action></Precondition></Preconditions>
          <JourneyList><Candidate SubJourneyReferenceId="PasswordReset" /></JourneyList>
        </OrchestrationStep>
        <OrchestrationStep Order="4" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="AADUserReadWithObjectId" TechnicalProfileReferenceId="AAD-UserReadUsingObjectId" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="5" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
      <ClientDefinition ReferenceId="DefaultWeb" />
    </UserJourney>
  </UserJourneys>`, 1)
		case strings.Contains(s, `PolicyId="B2C_1A_signup_signin"`):
			return strings.Replace(s, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" />`, `<DefaultUserJourney ReferenceId="CustomSignUpSignIn" />`, 1)
		}
		return s
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edit, "")
	post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "sj@contoso.com", "password": "Old-Passw0rd",
		"attributes": map[string]any{"displayName": "Sam"}}, nil)
	b := srv.NewBrowser(t)
	page := b.Get(customAuthorize())
	if page.Doc.Find("button#ForgotPasswordExchange").Length() != 0 {
		t.Errorf("the forgot-password exchange became a button")
	}
	page = b.Follow(page, "a#forgotPassword")
	page = verified(t, srv, b, page, "sj@contoso.com")
	page = b.Submit(page, "button#continue", nil)
	if page.Doc.Find("input#newPassword").Length() != 1 {
		t.Fatalf("not the new password page of the sub journey:\n%s", page.Body)
	}
	claims := idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"newPassword": "N3w-Passw0rd", "reenterPassword": "N3w-Passw0rd"}))
	if claims["name"] != "Sam" || claims["sub"] != listUsers(t, srv)[0]["objectId"] {
		t.Errorf("claims after the sub journey = %v", claims)
	}
	b = srv.NewBrowser(t)
	if again := idToken(t, srv, b.Submit(b.Get(customAuthorize()), "button#next", map[string]string{"signInName": "sj@contoso.com", "password": "N3w-Passw0rd"})); again["sub"] != claims["sub"] {
		t.Errorf("sign-in with the new password: %v", again)
	}
}

// TestCustomPolicyDeleteOperations: the directory operations DeleteClaims (the persisted
// claims name the attributes to remove) and DeleteClaimsPrincipal (the account is deleted),
// in a relying-party file that declares its own profiles and journey.
func TestCustomPolicyDeleteOperations(t *testing.T) {
	rp := func(id, operation, persisted string) string {
		return `<?xml version="1.0" encoding="utf-8"?>
<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06" PolicySchemaVersion="0.3.0.0" TenantId="contoso.onmicrosoft.com" PolicyId="B2C_1A_` + id + `">
  <BasePolicy><PolicyId>B2C_1A_TrustFrameworkExtensions</PolicyId></BasePolicy>
  <ClaimsProviders><ClaimsProvider><DisplayName>Azure Active Directory</DisplayName><TechnicalProfiles>
    <TechnicalProfile Id="AAD-` + id + `">
      <Metadata><Item Key="Operation">` + operation + `</Item><Item Key="RaiseErrorIfClaimsPrincipalDoesNotExist">true</Item></Metadata>
      <InputClaims><InputClaim ClaimTypeReferenceId="objectId" Required="true" /></InputClaims>
      <PersistedClaims><PersistedClaim ClaimTypeReferenceId="objectId" />` + persisted + `</PersistedClaims>
      <IncludeTechnicalProfile ReferenceId="AAD-Common" />
    </TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
  <UserJourneys><UserJourney Id="J-` + id + `"><OrchestrationSteps>
    <OrchestrationStep Order="1" Type="CombinedSignInAndSignUp" ContentDefinitionReferenceId="api.signuporsignin">
      <ClaimsProviderSelections><ClaimsProviderSelection ValidationClaimsExchangeId="LocalAccountSigninEmailExchange" /></ClaimsProviderSelections>
      <ClaimsExchanges><ClaimsExchange Id="LocalAccountSigninEmailExchange" TechnicalProfileReferenceId="SelfAsserted-LocalAccountSignin-Email" /></ClaimsExchanges>
    </OrchestrationStep>
    <OrchestrationStep Order="2" Type="ClaimsExchange"><ClaimsExchanges><ClaimsExchange Id="Op" TechnicalProfileReferenceId="AAD-` + id + `" /></ClaimsExchanges></OrchestrationStep>
    <OrchestrationStep Order="3" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
  </OrchestrationSteps></UserJourney></UserJourneys>
  <RelyingParty>
    <DefaultUserJourney ReferenceId="J-` + id + `" />
    <TechnicalProfile Id="PolicyProfile"><DisplayName>PolicyProfile</DisplayName><Protocol Name="OpenIdConnect" />
      <OutputClaims><OutputClaim ClaimTypeReferenceId="objectId" PartnerClaimType="sub" /><OutputClaim ClaimTypeReferenceId="givenName" /></OutputClaims>
      <SubjectNamingInfo ClaimType="sub" />
    </TechnicalProfile>
  </RelyingParty>
</TrustFrameworkPolicy>`
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, func(s string) string { return s }, "", map[string]string{
		"Forget.xml": rp("forget_names", "DeleteClaims", `<PersistedClaim ClaimTypeReferenceId="givenName" />`),
		"Delete.xml": rp("delete_account", "DeleteClaimsPrincipal", ""),
	})
	post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "del@contoso.com", "password": "Passw0rd!x",
		"attributes": map[string]any{"displayName": "Del", "givenName": "Dell"}}, nil)
	signIn := func(policy string) *emulatortest.Page {
		b := srv.NewBrowser(t)
		return b.Submit(b.Get(authorizeFor(policy)), "button#next", map[string]string{"signInName": "del@contoso.com", "password": "Passw0rd!x"})
	}
	forgot := idToken(t, srv, signIn("B2C_1A_forget_names"))
	attrs := listUsers(t, srv)[0]["attributes"].(map[string]any)
	if _, kept := attrs["givenName"]; kept || attrs["displayName"] != "Del" {
		t.Errorf("after DeleteClaims: %v", attrs)
	}
	if deleted := idToken(t, srv, signIn("B2C_1A_delete_account")); deleted["sub"] != forgot["sub"] || len(listUsers(t, srv)) != 0 {
		t.Errorf("after DeleteClaimsPrincipal: token %v, users %v", deleted, listUsers(t, srv))
	}
	if got := signIn("B2C_1A_delete_account").Text(".error.pageLevel"); got != "We can't seem to find your account." {
		t.Errorf("signing in to the deleted account: %q", got)
	}
}

// TestCustomPolicyLanguages: ui_locales picks a SupportedLanguage (es-ES finds es) whose
// localized strings the pages use, falling back to the default language's; an unsupported
// language gets the default; {Culture:LCID} follows ui_locales.
func TestCustomPolicyLanguages(t *testing.T) {
	api := &loyaltyAPI{}
	srv := startLoyalty(t, api)
	b := srv.NewBrowser(t)
	page := b.Follow(b.Get(customAuthorize()+"&ui_locales=es-ES"), "a#createAccount")
	if !strings.HasPrefix(page.Text(`label[for="email"]`), "Correo electrónico") || page.Text("button#continue") != "Crear" || page.Text("button#email_ver_but_send") != "Enviar código de verificación" {
		t.Fatalf("Spanish sign-up page:\n%s", page.Body)
	}
	if !strings.HasPrefix(page.Text(`label[for="loyaltyId"]`), "Su número de fidelidad") {
		t.Errorf("loyaltyId label = %q", page.Text(`label[for="loyaltyId"]`))
	}
	page = b.Submit(page, "button#continue", map[string]string{"email": "es@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x", "loyaltyId": "L-3"})
	if got := page.Text("#claimVerificationServerError"); got != "Notificación no comprobada: email" {
		t.Errorf("Spanish error = %q", got)
	}
	page = b.Submit(page, "button#email_ver_but_send", map[string]string{"email": "es@contoso.com"})
	page = b.Submit(page, "button#email_ver_but_verify", map[string]string{"email_ver_input": outboxCode(t, srv, "es@contoso.com")})
	if got := page.Text("#email_info"); got != "Dirección de correo electrónico comprobada. Ya puede continuar." {
		t.Errorf("Spanish verification message = %q", got)
	}
	idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"email": "es@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x", "loyaltyId": "L-3"}))
	if calls := api.calls(); len(calls) != 1 || calls[0]["lang"] != "3082" {
		t.Errorf("REST lang for es-ES: %v", calls)
	}
	b = srv.NewBrowser(t)
	page = b.Submit(b.Get(customAuthorize()+"&ui_locales=es"), "button#next", map[string]string{"signInName": "es@contoso.com", "password": "nope"})
	if got := page.Text(".error.pageLevel"); got != "La contraseña no es correcta." {
		t.Errorf("Spanish sign-in error = %q", got)
	}
	b = srv.NewBrowser(t)
	if got := b.Follow(b.Get(customAuthorize()+"&ui_locales=fr-FR"), "a#createAccount").Text("button#continue"); got != "Create" {
		t.Errorf("French (unsupported) falls back to English: %q", got)
	}
}
