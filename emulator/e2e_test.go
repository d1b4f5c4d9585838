package emulator_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// connectorScript is a scripted API connector: answer decides each reply from the step and the
// body; every request is recorded.
type connectorScript struct {
	mu     sync.Mutex
	bodies []map[string]any
	auth   []string
	answer func(step string, body map[string]any) (int, string)
}

func (c *connectorScript) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	json.Unmarshal(raw, &body)
	c.mu.Lock()
	c.bodies = append(c.bodies, body)
	c.auth = append(c.auth, r.Header.Get("Authorization")+" "+r.URL.RawQuery)
	answer := c.answer
	c.mu.Unlock()
	status, reply := answer(body["step"].(string), body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, reply)
}

func (c *connectorScript) steps() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, b := range c.bodies {
		out = append(out, b["step"].(string))
	}
	return out
}

func (c *connectorScript) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bodies, c.auth = nil, nil
}

const clientID = "7f4c2a10-3b5e-4c6d-8e9f-0a1b2c3d4e5f"

// tenantYAML is a tenant written in the public config shape, pointing at url.
func tenantYAML(url string) string {
	return `
tenant:
  name: fabrikamb2c
  id: 11111111-2222-4333-8444-555555555555
  extensionsAppId: aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee
customAttributes:
  - name: MembershipId
    dataType: string
identityProviders:
  - id: facebook.com
    displayName: Facebook
    accounts:
      - issuerAssignedId: "fb-1"
        email: john@fabrikam.com
        displayName: John Smith
        givenName: John
      - issuerAssignedId: "fb-2"
        email: eve@evil.example
        displayName: Eve
apiConnectors:
  - name: checks
    endpointUrl: ` + url + `/api/checks?code=k3y%2B%3D
    authentication: {type: basic, username: b2c, password: pa55}
    timeout: 2s
applications:
  - name: Web app
    clientId: ` + clientID + `
    clientSecret: app-secret
    redirectUris: ["http://app.test/callback"]
userFlows:
  - id: B2C_1_SignUpSignIn
    type: signUpOrSignIn
    identityProviders: [email, facebook.com]
    userAttributes:
      - {name: displayName, required: true}
      - {name: city}
      - {name: MembershipId}
    applicationClaims: [displayName, emails, identityProvider, newUser, objectId, jobTitle, city, MembershipId]
    apiConnectors:
      postFederationSignup: checks
      postAttributeCollection: checks
`
}

func start(t *testing.T, script *connectorScript) (*emulatortest.Server, *emulatortest.Browser) {
	t.Helper()
	srv := emulatortest.Start(t, tenantYAML(startAPI(t, script)))
	return srv, srv.NewBrowser(t)
}

const policyPath = "/fabrikamb2c.onmicrosoft.com/B2C_1_SignUpSignIn"

func authorizeURL(extra url.Values) string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid offline_access"},
		"response_type": {"code"}, "state": {"st-1"}, "nonce": {"n-1"}}
	for k, v := range extra {
		q[k] = v
	}
	return policyPath + "/oauth2/v2.0/authorize?" + q.Encode()
}

func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// redeem posts the code to the token endpoint and returns the JSON answer and status.
func redeem(t *testing.T, srv *emulatortest.Server, form url.Values) (int, map[string]any) {
	t.Helper()
	return redeemAt(t, srv, policyPath, form)
}

// redeemAt is redeem at another policy's token endpoint.
func redeemAt(t *testing.T, srv *emulatortest.Server, policy string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(srv.URL+policy+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestFederatedSignUpEndToEnd(t *testing.T) {
	script := &connectorScript{answer: func(step string, body map[string]any) (int, string) {
		switch {
		case step == "PostFederationSignup":
			return 200, `{"version":"1.0.0","action":"Continue","city":"Lisbon","extension_MembershipId":"M-7"}`
		case body["displayName"] == "Jo":
			return 400, `{"version":"1.0.0","action":"ValidationError","status":"400","userMessage":"Display name must be longer than five characters."}`
		default:
			return 200, `{"version":"1.0.0","action":"Continue","displayName":"John Smith (verified)","jobTitle":"Engineer"}`
		}
	}}
	srv, b := start(t, script)

	page := b.Get(authorizeURL(url.Values{"code_challenge": {s256("verifier-0123456789-0123456789-0123456789")}, "code_challenge_method": {"S256"}, "ui_locales": {"pt-PT"}}))
	if page.Doc.Find(`div#api[data-name=Unified]`).Length() != 1 || page.Doc.Find("input#email[type=email]").Length() != 1 || page.Doc.Find("#createAccount").Length() != 1 {
		t.Fatalf("not the unified sign-in page:\n%s", page.Body)
	}
	page = b.Submit(page, "button#FacebookExchange", nil)
	if page.Doc.Find(`[data-name=FakeIdentityProvider]`).Length() != 1 {
		t.Fatalf("not the IdP page:\n%s", page.Body)
	}
	page = b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)

	// Pre-filled from the IdP and from the PostFederationSignup Continue claims.
	if page.Doc.Find(`div#api[data-name=SelfAsserted] #attributeVerification`).Length() != 1 {
		t.Fatalf("not the attribute page:\n%s", page.Body)
	}
	for id, want := range map[string]string{"displayName": "John Smith", "city": "Lisbon", "extension_MembershipId": "M-7"} {
		if got := page.Doc.Find("input#"+id).AttrOr("value", ""); got != want {
			t.Errorf("input#%s = %q, want %q", id, got, want)
		}
	}
	if page.Doc.Find("li.TextBox.displayName_li label[for=displayName]").Length() != 1 || page.Doc.Find("button#continue").Text() != "Create" ||
		page.Doc.Find("li.TextBox.extension_MembershipId_li label[for=extension_MembershipId]").Length() != 1 {
		t.Error("B2C's element ids and classes are missing")
	}

	// A required field left empty never reaches the connector.
	page = b.Submit(page, "button#continue", map[string]string{"displayName": ""})
	if !page.Visible("#requiredFieldMissing") || page.Text("li.displayName_li .error.itemLevel") != "This information is required." {
		t.Errorf("required field not reported:\n%s", page.Body)
	}
	// ValidationError keeps the user on the page with the values kept.
	page = b.Submit(page, "button#continue", map[string]string{"displayName": "Jo", "city": "Faro"})
	if got := page.Text("#claimVerificationServerError"); got != "Display name must be longer than five characters." || !page.Visible("#claimVerificationServerError") {
		t.Errorf("#claimVerificationServerError = %q", got)
	}
	if page.Doc.Find("input#displayName").AttrOr("value", "") != "Jo" || page.Doc.Find("input#city").AttrOr("value", "") != "Faro" {
		t.Error("the values were not kept after the validation error")
	}
	page = b.Submit(page, "button#continue", map[string]string{"displayName": "John Smith"})
	if page.Location == nil || page.Location.Host != "app.test" {
		t.Fatalf("no redirect to the app: %d\n%s", page.Status, page.Body)
	}
	q := page.Location.Query()
	if q.Get("state") != "st-1" || q.Get("code") == "" {
		t.Fatalf("redirect = %s", page.Location)
	}

	// The connector saw B2C's request shapes.
	if got := strings.Join(script.steps(), ","); got != "PostFederationSignup,PostAttributeCollection,PostAttributeCollection" {
		t.Errorf("steps = %s", got)
	}
	pfs := script.bodies[0]
	if pfs["email"] != "john@fabrikam.com" || pfs["ui_locales"] != "pt-PT" || pfs["client_id"] != clientID || pfs["objectId"] != nil {
		t.Errorf("PostFederationSignup body = %v", pfs)
	}
	if pac := script.bodies[2]; pac["extension_aaaaaaaabbbb4ccc8dddeeeeeeeeeeee_MembershipId"] != "M-7" || pac["city"] != "Faro" {
		t.Errorf("PostAttributeCollection body = %v", pac)
	}
	if got := script.auth[0]; got != "Basic YjJjOnBhNTU= code=k3y%2B%3D" {
		t.Errorf("auth and key = %q", got)
	}

	// A code redeemed with a wrong verifier fails; client authentication failures do not
	// consume it.
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "client_id": {clientID},
		"redirect_uri": {"http://app.test/callback"}, "code_verifier": {"verifier-0123456789-0123456789-0123456789"}}
	if status, body := redeem(t, srv, form); status != 401 || body["error"] != "invalid_client" {
		t.Errorf("without a secret: %d %v", status, body)
	}
	form.Set("client_secret", "app-secret")
	status, tok := redeem(t, srv, form)
	if status != 200 {
		t.Fatalf("token: %d %v", status, tok)
	}
	claims := emulatortest.Verify(t, srv.URL+policyPath+"/v2.0/.well-known/openid-configuration", tok["id_token"].(string))
	want := map[string]any{"name": "John Smith (verified)", "jobTitle": "Engineer", "newUser": true, "idp": "facebook.com",
		"city": "Faro", "extension_MembershipId": "M-7", "aud": clientID, "nonce": "n-1", "tfp": "b2c_1_signupsignin", "ver": "1.0",
		"iss": srv.URL + "/11111111-2222-4333-8444-555555555555/v2.0/"}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	if emails, _ := claims["emails"].([]any); len(emails) != 1 || emails[0] != "john@fabrikam.com" || claims["sub"] != claims["oid"] {
		t.Errorf("emails %v sub %v oid %v", claims["emails"], claims["sub"], claims["oid"])
	}
	if status, body := redeem(t, srv, form); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("a code used twice: %d %v", status, body)
	}

	// The browser's SSO session signs the user in again without any page.
	script.reset()
	page = b.Get(authorizeURL(url.Values{"response_type": {"id_token"}, "response_mode": {"form_post"}, "nonce": {"n-2"}}))
	if action, fields := page.FormPost(); action != "http://app.test/callback" || fields.Get("id_token") == "" {
		t.Fatalf("no silent sign-in from the SSO session:\n%s", page.Body)
	} else if c := emulatortest.Verify(t, srv.URL+policyPath+"/v2.0/.well-known/openid-configuration", fields.Get("id_token")); c["nonce"] != "n-2" || c["newUser"] != nil || c["sub"] != claims["sub"] {
		t.Errorf("SSO claims = %v", c)
	}

	// With prompt=login the same identity signs in through the pages: no sign-up connector, no
	// newUser; jobTitle was never stored (not collected), the override of displayName was.
	page = b.Get(authorizeURL(url.Values{"response_type": {"id_token"}, "response_mode": {"form_post"}, "prompt": {"login"}}))
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)
	action, fields := page.FormPost()
	if action != "http://app.test/callback" || fields.Get("state") != "st-1" {
		t.Fatalf("form_post = %s %v", action, fields)
	}
	claims = emulatortest.Verify(t, srv.URL+policyPath+"/v2.0/.well-known/openid-configuration", fields.Get("id_token"))
	if claims["newUser"] != nil || claims["name"] != "John Smith (verified)" || claims["jobTitle"] != nil {
		t.Errorf("sign-in claims = %v", claims)
	}
	if len(script.steps()) != 0 {
		t.Errorf("sign-in called the connector: %v", script.steps())
	}
	if n := len(srv.Em.Users.List()); n != 1 {
		t.Errorf("%d users stored, want 1", n)
	}
}

func TestBlockPage(t *testing.T) {
	script := &connectorScript{answer: func(string, map[string]any) (int, string) {
		return 200, `{"version":"1.0.0","action":"ShowBlockPage","userMessage":"<script>alert(1)</script> Sign-ups are closed."}`
	}}
	srv, b := start(t, script)
	page := b.Get(authorizeURL(nil))
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-2"]`, nil)
	if page.Doc.Find(`div#api[data-name=SelfAsserted]`).Length() != 1 || page.Text(".intro") != "<script>alert(1)</script> Sign-ups are closed." {
		t.Fatalf("block page:\n%s", page.Body)
	}
	if strings.Contains(page.Body, "<script>alert") || page.Doc.Find("button#continue, form").Length() != 0 {
		t.Error("the block page is unescaped or offers a way forward")
	}
	if len(srv.Em.Users.List()) != 0 {
		t.Error("a blocked user was stored")
	}
}

func TestLocalSignUpThenSignIn(t *testing.T) {
	script := &connectorScript{answer: func(step string, _ map[string]any) (int, string) {
		return 200, `{"version":"1.0.0","action":"Continue"}`
	}}
	srv, b := start(t, script)
	page := b.Get(authorizeURL(nil))
	page = b.Follow(page, "a#createAccount")
	for _, sel := range []string{"li.EmailBox.email_li input#email", "li.Password.newPassword_li input#newPassword", "li.Password.reenterPassword_li input#reenterPassword", "input#displayName"} {
		if page.Doc.Find(sel).Length() != 1 {
			t.Fatalf("local sign-up page lacks %s:\n%s", sel, page.Body)
		}
	}
	page = b.VerifyEmail(page, "ana@fabrikam.com")
	fields := map[string]string{"email": "ana@fabrikam.com", "newPassword": "Passw0rd!", "reenterPassword": "Passw0rd?", "displayName": "Ana Lima"}
	page = b.Submit(page, "button#continue", fields)
	if !page.Visible("#passwordEntryMismatch") {
		t.Fatalf("mismatched passwords accepted:\n%s", page.Body)
	}
	fields["reenterPassword"] = "Passw0rd!"
	page = b.Submit(page, "button#continue", fields)
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("no code: %s", page.Body)
	}
	if got := strings.Join(script.steps(), ","); got != "PostAttributeCollection" {
		t.Errorf("local sign-up steps = %s (PostFederationSignup must never run)", got)
	}
	ids := script.bodies[0]["identities"].([]any)[0].(map[string]any)
	if ids["signInType"] != "emailAddress" || ids["issuer"] != "fabrikamb2c.onmicrosoft.com" || ids["issuerAssignedId"] != "ana@fabrikam.com" {
		t.Errorf("identities = %v", ids)
	}

	// Sign in with the new account in a fresh browser.
	script.reset()
	b2 := srv.NewBrowser(t)
	page = b2.Get(authorizeURL(url.Values{"response_type": {"id_token"}}))
	page = b2.Submit(page, "button#next", map[string]string{"email": "ana@fabrikam.com", "password": "wrong"})
	if page.Text(".localAccount .error.pageLevel") != "Your password is incorrect." {
		t.Errorf("wrong password:\n%s", page.Body)
	}
	page = b2.Submit(page, "button#next", map[string]string{"email": "ANA@fabrikam.com", "password": "Passw0rd!"})
	if page.Location == nil {
		t.Fatalf("sign-in did not return to the app:\n%s", page.Body)
	}
	frag, _ := url.ParseQuery(page.Location.Fragment)
	claims := emulatortest.Verify(t, srv.URL+policyPath+"/v2.0/.well-known/openid-configuration", frag.Get("id_token"))
	if claims["newUser"] != nil || claims["name"] != "Ana Lima" || claims["idp"] != nil {
		t.Errorf("sign-in claims = %v", claims)
	}
	if len(script.steps()) != 0 {
		t.Errorf("sign-in called the connector: %v", script.steps())
	}
}

func TestConnectorFailureShowsB2CGenericError(t *testing.T) {
	script := &connectorScript{answer: func(step string, _ map[string]any) (int, string) {
		if step == "PostFederationSignup" {
			return 200, `{"version":"1.0.0","action":"Continue"}`
		}
		return 500, `<html>Internal Server Error</html>`
	}}
	srv, b := start(t, script)
	page := b.Get(authorizeURL(nil))
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)
	page = b.Submit(page, "button#continue", nil)
	want := "The claims exchange 'PreUserWriteRestful' specified in step '1' returned HTTP error response with Code 'InternalServerError' and Reason 'Internal Server Error'."
	if got := page.Text("#claimVerificationServerError"); got != want {
		t.Errorf("#claimVerificationServerError = %q", got)
	}
	if log := srv.Log.String(); !strings.Contains(log, "The API answered HTTP 500") || !strings.Contains(log, "At PostAttributeCollection, B2C accepts only") {
		t.Errorf("no diagnostic in the log:\n%s", srv.Log.String())
	}
	if b.Get("/healthz").Status != 200 {
		t.Error("the emulator stopped serving")
	}
}

func TestConnectorDownAtPostFederationSignupShowsTheErrorPage(t *testing.T) {
	script := &connectorScript{}
	api := httptest.NewServer(script)
	api.Close() // nothing listens: connection refused
	srv := emulatortest.Start(t, tenantYAML(api.URL))
	b := srv.NewBrowser(t)
	page := b.Get(authorizeURL(nil))
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)
	if page.Doc.Find(`[data-name=GlobalException]`).Length() != 1 || page.Text("#errorCode") != "AADB2C90075" {
		t.Errorf("error page:\n%s", page.Body)
	}
	if !strings.Contains(srv.Log.String(), "connection was refused") {
		t.Errorf("no diagnostic in the log:\n%s", srv.Log.String())
	}
}

func TestBadRequests(t *testing.T) {
	srv, b := start(t, &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1","action":"Continue"}` }})
	tests := []struct {
		name   string
		path   string
		status int
		code   string
	}{
		{"unknown client", authorizeURL(url.Values{"client_id": {"00000000-0000-0000-0000-000000000000"}}), 400, "AADB2C90068"},
		{"no client", authorizeURL(url.Values{"client_id": {""}}), 400, "AADB2C90008"},
		{"unregistered redirect URI", authorizeURL(url.Values{"redirect_uri": {"http://evil.test/cb"}}), 400, "AADB2C90006"},
		{"unknown policy", "/fabrikamb2c.onmicrosoft.com/B2C_1_nope/oauth2/v2.0/authorize", 404, ""},
		{"unknown tenant", "/contoso.onmicrosoft.com/B2C_1_SignUpSignIn/oauth2/v2.0/authorize", 404, ""},
		{"expired flow state", policyPath + "/api/SelfAsserted/confirmed?tx=nope", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := b.Get(tt.path)
			if page.Location != nil {
				t.Fatalf("redirected to %s", page.Location)
			}
			if page.Status != tt.status || page.Text("#errorCode") != tt.code || page.Doc.Find("#correlationId").Length() != 1 {
				t.Errorf("status %d code %q:\n%s", page.Status, page.Text("#errorCode"), page.Body)
			}
		})
	}
	t.Run("unsupported response type redirects with the error", func(t *testing.T) {
		page := b.Get(authorizeURL(url.Values{"response_type": {"code foo"}}))
		q := page.Location.Query()
		if q.Get("error") != "invalid_request" || !strings.HasPrefix(q.Get("error_description"), "AADB2C90013") || q.Get("state") != "st-1" {
			t.Errorf("location = %v", page.Location)
		}
	})
	t.Run("an access token needs a resource scope", func(t *testing.T) {
		page := b.Get(authorizeURL(url.Values{"response_type": {"id_token token"}}))
		frag, _ := url.ParseQuery(page.Location.Fragment)
		if frag.Get("error") != "invalid_request" || !strings.HasPrefix(frag.Get("error_description"), "AADB2C90055") {
			t.Errorf("location = %v", page.Location)
		}
	})
	t.Run("an unknown scope is refused", func(t *testing.T) {
		page := b.Get(authorizeURL(url.Values{"scope": {"openid https://graph.microsoft.com/User.Read"}}))
		if q := page.Location.Query(); q.Get("error") != "invalid_request" || !strings.HasPrefix(q.Get("error_description"), "AADB2C90012") {
			t.Errorf("location = %v", page.Location)
		}
	})
	t.Run("unsupported PKCE method", func(t *testing.T) {
		page := b.Get(authorizeURL(url.Values{"code_challenge": {"x"}, "code_challenge_method": {"S512"}}))
		if page.Location == nil || !strings.HasPrefix(page.Location.Query().Get("error_description"), "AADB2C90184") {
			t.Errorf("location = %v", page.Location)
		}
	})
	t.Run("domain_hint goes to the provider", func(t *testing.T) {
		page := b.Get(authorizeURL(url.Values{"domain_hint": {"facebook.com"}}))
		if page.Doc.Find(`[data-name=FakeIdentityProvider]`).Length() != 1 {
			t.Errorf("not the identity provider's page:\n%s", page.Body)
		}
	})
	t.Run("forgot password returns AADB2C90118", func(t *testing.T) {
		page := b.Get(authorizeURL(nil))
		if page.Text(".password-label a#forgotPassword") != "Forgot your password?" {
			t.Fatalf("no link after the password label:\n%s", page.Body)
		}
		page = b.Follow(page, "a#forgotPassword")
		q := page.Location.Query()
		if q.Get("error") != "access_denied" || !strings.HasPrefix(q.Get("error_description"), "AADB2C90118: The user has forgotten their password.") || q.Get("state") != "st-1" {
			t.Errorf("location = %v", page.Location)
		}
	})
	t.Run("cancel returns access_denied", func(t *testing.T) {
		page := b.Get(authorizeURL(nil))
		if page.Doc.Find("#cancel").Length() != 0 {
			t.Errorf("the unified page has a #cancel, which B2C's does not")
		}
		page = b.Submit(b.Follow(page, "a#createAccount"), "button#cancel", nil)
		q := page.Location.Query()
		if q.Get("error") != "access_denied" || !strings.HasPrefix(q.Get("error_description"), "AADB2C90091: ") || !strings.Contains(q.Get("error_description"), "\r\nCorrelation ID: ") {
			t.Errorf("location = %v", page.Location)
		}
	})
	t.Run("a replayed form post is refused", func(t *testing.T) {
		first := b.Get(authorizeURL(nil))
		next := b.Submit(first, "button#FacebookExchange", nil)
		if next.Doc.Find(`[data-name=FakeIdentityProvider]`).Length() != 1 {
			t.Fatal("not on the IdP page")
		}
		if p := b.Submit(next, "button.fixtureAccount", nil); p.Status != 200 {
			t.Fatalf("account: %d", p.Status)
		}
		if again := b.Submit(next, "button.fixtureAccount", nil); again.Status != 409 {
			t.Errorf("replayed post: %d", again.Status)
		}
		if again := b.Submit(first, "button#FacebookExchange", nil); again.Status != 400 {
			t.Errorf("replayed link: %d", again.Status) // the run is past the unified page
		}
	})
	t.Run("a post without the CSRF cookie is refused", func(t *testing.T) {
		page := b.Get(authorizeURL(nil))
		other := srv.NewBrowser(t)
		if got := other.Submit(page, "button#FacebookExchange", nil); got.Status != 403 {
			t.Errorf("status %d", got.Status)
		}
	})
	t.Run("token endpoint errors", func(t *testing.T) {
		if status, body := redeem(t, srv, url.Values{"grant_type": {"password"}}); status != 400 || body["error"] != "unsupported_grant_type" {
			t.Errorf("%d %v", status, body)
		}
		if status, body := redeem(t, srv, url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}, "client_id": {clientID}}); status != 400 || body["error"] != "invalid_grant" {
			t.Errorf("%d %v", status, body)
		}
	})
}

func TestEndpointPathForms(t *testing.T) {
	srv, _ := start(t, &connectorScript{})
	for _, p := range []string{
		"/fabrikamb2c.onmicrosoft.com/B2C_1_SignUpSignIn/v2.0/.well-known/openid-configuration",
		"/FABRIKAMB2C.onmicrosoft.com/b2c_1_signupsignin/v2.0/.well-known/openid-configuration",
		"/11111111-2222-4333-8444-555555555555/B2C_1_SignUpSignIn/v2.0/.well-known/openid-configuration",
		"/tfp/fabrikamb2c.onmicrosoft.com/B2C_1_SignUpSignIn/v2.0/.well-known/openid-configuration",
		"/fabrikamb2c.onmicrosoft.com/v2.0/.well-known/openid-configuration?p=B2C_1_SignUpSignIn",
	} {
		var doc map[string]any
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if resp.StatusCode != 200 || doc["issuer"] != srv.URL+"/11111111-2222-4333-8444-555555555555/v2.0/" {
			t.Errorf("%s: %d %v", p, resp.StatusCode, doc["issuer"])
		}
		jwks, _ := doc["jwks_uri"].(string)
		resp, err = http.Get(jwks)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s: jwks_uri %s unreachable", p, jwks)
		} else {
			resp.Body.Close()
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: no CORS on the JWKS", p)
		}
	}
}
