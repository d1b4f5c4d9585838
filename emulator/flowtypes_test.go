package emulator_test

import (
	"bytes"
	"encoding/json"
	"flag"
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

var update = flag.Bool("update", false, "rewrite the golden connector bodies in testdata")

// rawAPI is an API connector that answers Continue and keeps every body as sent.
type rawAPI struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (a *rawAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.bodies = append(a.bodies, raw)
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"version":"1.0.0","action":"Continue"}`)
}

func (a *rawAPI) calls() [][]byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([][]byte(nil), a.bodies...)
}

// flowTypesYAML is the end-to-end tenant plus a sign-in flow with the token step's connector,
// a password reset flow and a profile editing flow.
const flowTypesYAML = `  - id: B2C_1_SignIn
    type: signIn
    identityProviders: [email, facebook.com]
    applicationClaims: [displayName, emails, objectId]
    apiConnectors:
      preTokenIssuance: checks
  - id: B2C_1_Reset
    type: passwordReset
    identityProviders: [email]
    applicationClaims: [emails, objectId]
  - id: B2C_1_Edit
    type: profileEdit
    identityProviders: [email, facebook.com]
    userAttributes:
      - {name: displayName, required: true}
      - {name: city}
    applicationClaims: [displayName, city, objectId]
`

func startFlowTypes(t *testing.T) (*emulatortest.Server, *rawAPI) {
	t.Helper()
	api := &rawAPI{}
	ts := httptest.NewServer(api)
	t.Cleanup(ts.Close)
	return emulatortest.Start(t, tenantYAML(ts.URL)+flowTypesYAML), api
}

// flowAuthorize is authorizeURL for another user flow of the tenant.
func flowAuthorize(policy string, extra url.Values) string {
	return strings.Replace(authorizeURL(extra), "/B2C_1_SignUpSignIn/", "/"+policy+"/", 1)
}

// signUpAna creates ana@fabrikam.com (password Passw0rd!) through the sign-up or sign-in
// flow, in b.
func signUpAna(t *testing.T, b *emulatortest.Browser) {
	t.Helper()
	page := b.Follow(b.Get(authorizeURL(nil)), "a#createAccount")
	page = b.VerifyEmail(page, "ana@fabrikam.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "ana@fabrikam.com", "newPassword": "Passw0rd!", "reenterPassword": "Passw0rd!", "displayName": "Ana Lima"})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("sign-up did not finish:\n%.3000s", page.Body)
	}
}

// golden compares got with testdata/name.json (rewritten with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, got)
	}
	pretty.WriteByte('\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("%s differs:\n%s\nwant:\n%s", path, pretty.Bytes(), want)
	}
}

// TestSignInFlowEndToEnd: a sign-in user flow signs a local account in with no sign-up link,
// calls the token step's connector (step PreTokenIssuance, golden body), and sends a social
// identity without an account back to the application with AADB2C99002, creating nobody.
func TestSignInFlowEndToEnd(t *testing.T) {
	srv, api := startFlowTypes(t)
	signUpAna(t, srv.NewBrowser(t))
	before := len(api.calls())

	b := srv.NewBrowser(t)
	page := b.Get(flowAuthorize("B2C_1_SignIn", nil))
	if page.Doc.Find("a#createAccount").Length() != 0 || page.Doc.Find("a#forgotPassword").Length() != 1 || page.Doc.Find("button#FacebookExchange").Length() != 1 {
		t.Fatalf("sign-in page:\n%.3000s", page.Body)
	}
	// The page is B2C's unified page, under its api (IdpSelections is a sign-up flow's choice).
	if href := page.Doc.Find("a#forgotPassword").AttrOr("href", ""); page.Doc.Find("#api[data-name=Unified]").Length() != 1 ||
		!strings.Contains(href, "/api/CombinedSigninAndSignup/forgotPassword?") || !strings.Contains(page.Body, `"api":"CombinedSigninAndSignup"`) {
		t.Errorf("sign-in page's api: link %q\n%.1500s", href, page.Body)
	}
	page = b.Submit(page, "button#next", map[string]string{"email": "ana@fabrikam.com", "password": "Passw0rd!"})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("sign-in did not return a code:\n%.3000s", page.Body)
	}
	calls := api.calls()[before:]
	if len(calls) != 1 {
		t.Fatalf("%d connector calls on sign-in", len(calls))
	}
	var body map[string]any
	json.Unmarshal(calls[0], &body)
	oid := srv.Em.Users.List()[0].ObjectID
	if body["objectId"] != oid {
		t.Errorf("objectId %v, want %s", body["objectId"], oid)
	}
	golden(t, "signin-pre-token", bytes.Replace(calls[0], []byte(oid), []byte("<objectId>"), 1))

	b2 := srv.NewBrowser(t)
	page = b2.Get(flowAuthorize("B2C_1_SignIn", nil))
	page = b2.Submit(page, "button#FacebookExchange", nil)
	page = b2.Submit(page, `button.fixtureAccount[value="fb-2"]`, nil)
	q := page.Location.Query()
	if q.Get("error") != "server_error" || !strings.HasPrefix(q.Get("error_description"), "AADB2C99002: User does not exist. Please sign up before you can sign in.") {
		t.Fatalf("unknown social identity: %v", page.Location)
	}
	if n := len(srv.Em.Users.List()); n != 1 {
		t.Errorf("%d users after a sign-in flow's unknown identity", n)
	}
}

// TestPasswordResetEndToEnd: the unified page's link still returns AADB2C90118 to the
// application; the password reset flow verifies the email, takes a new password, issues a
// token, and the new password signs in.
func TestPasswordResetEndToEnd(t *testing.T) {
	srv, _ := startFlowTypes(t)
	signUpAna(t, srv.NewBrowser(t))

	b := srv.NewBrowser(t)
	page := b.Follow(b.Get(authorizeURL(nil)), "a#forgotPassword")
	if page.Location == nil || !strings.HasPrefix(page.Location.Query().Get("error_description"), "AADB2C90118") {
		t.Fatalf("forgot password: %v", page.Location)
	}
	page = b.Get(flowAuthorize("B2C_1_Reset", nil))
	if page.Doc.Find("input#email").Length() != 1 || page.Doc.Find("button#email_ver_but_send").Length() != 1 {
		t.Fatalf("reset page:\n%.3000s", page.Body)
	}
	page = b.VerifyEmail(page, "ana@fabrikam.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "ana@fabrikam.com"})
	if page.Doc.Find("input#newPassword[type=password]").Length() != 1 || page.Doc.Find("input#reenterPassword[type=password]").Length() != 1 {
		t.Fatalf("new password page:\n%.3000s", page.Body)
	}
	page = b.Submit(page, "button#continue", map[string]string{"newPassword": "N3w-Secret!", "reenterPassword": "N3w-Secret!"})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("reset did not return a code:\n%.3000s", page.Body)
	}

	b2 := srv.NewBrowser(t)
	page = b2.Submit(b2.Get(authorizeURL(nil)), "button#next", map[string]string{"email": "ana@fabrikam.com", "password": "Passw0rd!"})
	if page.Text(".localAccount .error.pageLevel") != "Your password is incorrect." {
		t.Errorf("the old password still signs in: %v", page.Location)
	}
	page = b2.Submit(page, "button#next", map[string]string{"email": "ana@fabrikam.com", "password": "N3w-Secret!"})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("the new password does not sign in:\n%.3000s", page.Body)
	}
}

// TestProfileEditEndToEnd: with a single sign-on session the profile page comes first, with
// the stored attributes; Continue updates the user. A fresh browser signs in first, with no
// sign-up link.
func TestProfileEditEndToEnd(t *testing.T) {
	srv, api := startFlowTypes(t)
	b := srv.NewBrowser(t)
	signUpAna(t, b)
	before := len(api.calls())

	page := b.Get(flowAuthorize("B2C_1_Edit", nil))
	if v, _ := page.Doc.Find("input#displayName").Attr("value"); v != "Ana Lima" {
		t.Fatalf("profile page displayName %q:\n%.3000s", v, page.Body)
	}
	if page.Text("button#continue") != "Continue" {
		t.Errorf("button %q", page.Text("button#continue"))
	}
	page = b.Submit(page, "button#continue", map[string]string{"displayName": "Ana L.", "city": "Porto"})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("profile edit did not return a code:\n%.3000s", page.Body)
	}
	u := srv.Em.Users.List()[0]
	if u.Attributes.String("displayName") != "Ana L." || u.Attributes.String("city") != "Porto" || u.Email() != "ana@fabrikam.com" {
		t.Errorf("stored %v", u.Attributes)
	}
	if n := len(api.calls()) - before; n != 0 {
		t.Errorf("profile editing called the connector %d times", n)
	}

	b2 := srv.NewBrowser(t)
	page = b2.Get(flowAuthorize("B2C_1_Edit", nil))
	if page.Doc.Find("a#createAccount").Length() != 0 || page.Doc.Find("input#password").Length() != 1 {
		t.Fatalf("profile edit sign-in page:\n%.3000s", page.Body)
	}
	page = b2.Submit(page, "button#next", map[string]string{"email": "ana@fabrikam.com", "password": "Passw0rd!"})
	if v, _ := page.Doc.Find("input#city").Attr("value"); v != "Porto" {
		t.Fatalf("after sign-in, city %q:\n%.3000s", v, page.Body)
	}
}

// TestTokenViewerStartsPasswordReset: the token viewer handles AADB2C90118 as a B2C
// application does, by starting the tenant's password reset flow; other errors it shows.
func TestTokenViewerStartsPasswordReset(t *testing.T) {
	srv, _ := startFlowTypes(t)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for desc, want := range map[string]string{
		"AADB2C90118: The user has forgotten their password.\r\nCorrelation ID: x": "/fabrikamb2c.onmicrosoft.com/B2C_1_Reset/oauth2/v2.0/authorize?",
		"AADB2C90091: The user has cancelled entering self-asserted information.":  "",
	} {
		resp, err := c.PostForm(srv.URL+"/jwt", url.Values{"error": {"access_denied"}, "error_description": {desc}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if want == "" && (resp.StatusCode != http.StatusOK || loc != "") || want != "" && (resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, want)) {
			t.Errorf("%.11s: %d %q", desc, resp.StatusCode, loc)
		}
	}
}

// TestHeadlessFlowTypes: the headless run API signs an existing local account in through a
// sign-in flow (the token step called) and resets its password through a password reset flow.
func TestHeadlessFlowTypes(t *testing.T) {
	srv, _ := startFlowTypes(t)
	signUpAna(t, srv.NewBrowser(t))
	runAt := func(policy string, req map[string]any) runResult {
		t.Helper()
		var out runResult
		if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/flows/"+policy+"/run", req, &out); status != 200 {
			t.Fatalf("run %s: %d %+v", policy, status, out)
		}
		return out
	}
	out := runAt("B2C_1_SignIn", map[string]any{"clientId": clientID, "identityProvider": "email",
		"account": map[string]any{"email": "ana@fabrikam.com", "password": "Passw0rd!"}})
	if out.Outcome != "token" || out.NewUser || len(out.Calls) != 1 || out.Calls[0].Step != "PreTokenIssuance" {
		t.Fatalf("sign-in run = %+v", out)
	}
	out = runAt("B2C_1_Reset", map[string]any{"clientId": clientID, "identityProvider": "email",
		"account": map[string]any{"email": "ana@fabrikam.com", "password": "N3w-Secret!"}, "attributes": []map[string]string{{}, {}}})
	if out.Outcome != "token" || out.ObjectID != srv.Em.Users.List()[0].ObjectID {
		t.Fatalf("reset run = %+v", out)
	}
	out = runAt("B2C_1_SignIn", map[string]any{"clientId": clientID, "identityProvider": "email",
		"account": map[string]any{"email": "ana@fabrikam.com", "password": "N3w-Secret!"}})
	if out.Outcome != "token" {
		t.Fatalf("sign-in with the new password = %+v", out)
	}
}
