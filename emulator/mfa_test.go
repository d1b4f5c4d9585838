package emulator_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/b2cemu/b2cemu/emulator"
	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/flows/otp"
)

// mfaYAML is the e2e tenant with two local-account flows that always ask for the second
// factor, by SMS and by authenticator app, and call PreTokenIssuance.
func mfaYAML(url, extra string) string {
	flow := func(id, method string) string {
		return `
  - id: ` + id + `
    type: signUpOrSignIn
    identityProviders: [email]
    emailVerification: false
    applicationClaims: [emails, objectId]
    apiConnectors: {preTokenIssuance: checks}
    mfa: {method: ` + method + `, enforcement: always}`
	}
	return tenantYAML(url) + flow("B2C_1_mfa_sms", "sms") + flow("B2C_1_mfa_totp", "totp") + flow("B2C_1_mfa_email", "emailOtp") + "\n" + extra
}

func mfaAuthorize(policy string) string {
	return strings.Replace(authorizeURL(nil), "B2C_1_SignUpSignIn", policy, 1)
}

// smsOutbox is GET /_emulator/sms?to=.
type smsOutbox struct {
	SMS []struct{ To, Channel, Code, Message, Policy, RunID string } `json:"sms"`
}

// signUpTo fills the local sign-up page of policy and returns the second-factor page.
func signUpTo(t *testing.T, b *emulatortest.Browser, policy, email string) *emulatortest.Page {
	t.Helper()
	page := b.Follow(b.Get(mfaAuthorize(policy)), "a#createAccount")
	return b.Submit(page, "button#continue", map[string]string{"email": email, "newPassword": "Passw0rd!", "reenterPassword": "Passw0rd!"})
}

// TestSMSMultifactorWalk: sign-up with SMS MFA enters the number on B2C's phone-factor page,
// reads the code from GET /_emulator/sms and gets the code for the application; the token
// step runs after the second factor only; the number is on the user as
// strongAuthenticationPhoneNumber; the next sign-in sends the code to it without asking.
func TestSMSMultifactorWalk(t *testing.T) {
	script := &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1.0.0","action":"Continue"}` }}
	srv := emulatortest.Start(t, mfaYAML(startAPI(t, script), ""))
	b := srv.NewBrowser(t)
	page := signUpTo(t, b, "B2C_1_mfa_sms", "ana@fabrikam.com")
	for _, sel := range []string{`#api[data-name="Phonefactor"]`, "select#countryCode", "input#number[type=tel]", "button#sendCode"} {
		if page.Doc.Find(sel).Length() != 1 {
			t.Fatalf("the phone-factor page lacks %s:\n%s", sel, page.Body)
		}
	}
	if page.Doc.Find("button#sendCall").Length() != 0 || len(script.steps()) != 0 {
		t.Fatalf("SMS only: a call button, or the token step ran before the second factor (%v)", script.steps())
	}
	if got := page.Text(".intro p"); got != "Enter a number below that we can send a code via SMS to authenticate you." {
		t.Errorf("intro %q", got)
	}
	page = b.Submit(page, "button#sendCode", map[string]string{"countryCode": "US", "number": "555 555 0100"})
	var out smsOutbox
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/sms?to="+url.QueryEscape("+1 555-555-0100"), nil, &out)
	if len(out.SMS) != 1 || out.SMS[0].To != "+15555550100" || out.SMS[0].Channel != "sms" || len(out.SMS[0].Code) != 6 ||
		!strings.Contains(out.SMS[0].Message, out.SMS[0].Code) || out.SMS[0].Policy != "B2C_1_mfa_sms" {
		t.Fatalf("outbox %+v", out)
	}
	if !page.Visible("input#verificationCode") || !page.Visible("button#verifyCode") || !page.Visible("button#retryCode") {
		t.Fatalf("no code entry after sending:\n%s", page.Body)
	}
	page = b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": "000000"})
	if !strings.Contains(page.Text("#errorMessage"), "does not match our records") {
		t.Fatalf("a wrong code: %q", page.Text("#errorMessage"))
	}
	page = b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": out.SMS[0].Code})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("no code for the application:\n%s", page.Body)
	}
	if got := script.steps(); !slices.Equal(got, []string{"PreTokenIssuance"}) {
		t.Errorf("steps %v", got)
	}
	// B2C documents no MFA field of the PreTokenIssuance request: the body is the one of a run
	// without MFA (the phone number is no user-flow attribute the connector is sent).
	body := script.bodies[0]
	if _, ok := body["strongAuthenticationPhoneNumber"]; ok || body["objectId"] == nil || body["email"] != "ana@fabrikam.com" {
		t.Errorf("PreTokenIssuance body %v", body)
	}
	var users struct {
		Users []struct{ Attributes map[string]any } `json:"users"`
	}
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/users", nil, &users)
	if len(users.Users) != 1 || users.Users[0].Attributes["strongAuthenticationPhoneNumber"] != "+15555550100" {
		t.Fatalf("users %+v", users)
	}

	b2 := srv.NewBrowser(t)
	page = b2.Submit(b2.Get(mfaAuthorize("B2C_1_mfa_sms")), "button#next", map[string]string{"email": "ana@fabrikam.com", "password": "Passw0rd!"})
	if page.Doc.Find("input#number").Length() != 0 || page.Text("#phoneNumber") != "+XXXXXXX0100" {
		t.Fatalf("sign-in: the number on record is not shown masked:\n%s", page.Body)
	}
	page = b2.Submit(page, "button#sendCode", nil)
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/sms", nil, &out)
	page = b2.Submit(page, "button#verifyCode", map[string]string{"verificationCode": out.SMS[0].Code})
	if len(out.SMS) != 2 || page.Location == nil {
		t.Fatalf("sign-in: %d texts, page:\n%s", len(out.SMS), page.Body)
	}
	if !slices.Contains(srv.Em.URLs(), emulator.NamedURL{Name: "text messages", URL: srv.URL + "/_emulator/sms"}) {
		t.Errorf("the start-up URLs lack the text message outbox: %v", srv.Em.URLs())
	}
	if status := post(t, srv.Client, http.MethodDelete, srv.URL+"/_emulator/sms", nil, nil); status != 204 {
		t.Errorf("DELETE /_emulator/sms: %d", status)
	}
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/sms", nil, &out)
	if len(out.SMS) != 0 {
		t.Errorf("outbox after DELETE: %+v", out)
	}
}

// TestSMSCodesDeterministic: with deterministic.seed two emulators send the same codes, and
// deterministic.verificationCode is every phone code.
func TestSMSCodesDeterministic(t *testing.T) {
	script := &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1.0.0","action":"Continue"}` }}
	api := startAPI(t, script)
	code := func(extra string) string {
		srv := emulatortest.Start(t, mfaYAML(api, extra))
		b := srv.NewBrowser(t)
		b.Submit(signUpTo(t, b, "B2C_1_mfa_sms", "bo@fabrikam.com"), "button#sendCode", map[string]string{"countryCode": "GB", "number": "07700 900123"})
		var out smsOutbox
		post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/sms", nil, &out)
		if len(out.SMS) != 1 || out.SMS[0].To != "+447700900123" {
			t.Fatalf("outbox %+v", out)
		}
		return out.SMS[0].Code
	}
	seeded := "deterministic:\n  seed: 42\n"
	if a, b := code(seeded), code(seeded); a != b {
		t.Errorf("seeded codes differ: %s, %s", a, b)
	}
	if got := code("deterministic:\n  verificationCode: \"135790\"\n"); got != "135790" {
		t.Errorf("fixed code: %s", got)
	}
}

// TestTOTPWalk: the authenticator-app enrolment shows the key and an otpauth URI; a code an
// app computes from the shown key signs the user up, and the next sign-in checks a code of
// the same key without showing it again.
func TestTOTPWalk(t *testing.T) {
	script := &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1.0.0","action":"Continue"}` }}
	srv := emulatortest.Start(t, mfaYAML(startAPI(t, script), ""))
	b := srv.NewBrowser(t)
	page := signUpTo(t, b, "B2C_1_mfa_totp", "cy@fabrikam.com")
	secret := page.Text("#totpSecret")
	uri, _ := url.Parse(page.Doc.Find("a#totpUri").AttrOr("href", ""))
	if secret == "" || uri == nil || uri.Scheme != "otpauth" || uri.Query().Get("secret") != secret || uri.Query().Get("issuer") != "fabrikamb2c" {
		t.Fatalf("enrolment page: secret %q uri %v\n%s", secret, uri, page.Body)
	}
	if src := page.Doc.Find("img#totpQrCode").AttrOr("src", ""); src != qrDataURI(t, uri.String()) {
		t.Errorf("the QR code beside the key is not the PNG of %s: %.60s", uri, src)
	}
	key, err := otp.Decode(secret)
	if err != nil {
		t.Fatal(err)
	}
	now := srv.Em.Clock.Now()
	page = b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": otp.TOTP(key, now.Add(-5*time.Minute), 6)})
	if !strings.Contains(page.Text("#errorMessage"), "does not match") {
		t.Fatalf("an old code passed: %q", page.Text("#errorMessage"))
	}
	page = b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": otp.TOTP(key, now, 6)})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("the app's code did not sign up:\n%s", page.Body)
	}
	var users struct {
		Users []struct{ Attributes map[string]any } `json:"users"`
	}
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/users", nil, &users)
	for _, u := range users.Users {
		for k, v := range u.Attributes {
			if s, _ := v.(string); strings.Contains(s, secret) {
				t.Errorf("the admin API shows the authenticator key as %s", k)
			}
		}
	}
	b2 := srv.NewBrowser(t)
	page = b2.Submit(b2.Get(mfaAuthorize("B2C_1_mfa_totp")), "button#next", map[string]string{"email": "cy@fabrikam.com", "password": "Passw0rd!"})
	if page.Doc.Find("#totpSecret").Length() != 0 || !page.Visible("input#verificationCode") {
		t.Fatalf("sign-in shows the key again or no code input:\n%s", page.Body)
	}
	page = b2.Submit(page, "button#verifyCode", map[string]string{"verificationCode": otp.TOTP(key, srv.Em.Clock.Now(), 6)})
	if page.Location == nil {
		t.Fatalf("sign-in with the app's code:\n%s", page.Body)
	}
}

// TestHeadlessMFA: the headless API passes the second factor as a user would: the account's
// phoneNumber at enrolment and the code it sent (in the outbox), the authenticator app's code;
// without a phone number it says what to add.
func TestHeadlessMFA(t *testing.T) {
	script := &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1.0.0","action":"Continue"}` }}
	srv := emulatortest.Start(t, mfaYAML(startAPI(t, script), ""))
	runAt := func(policy string, account map[string]any) (int, runResult) {
		var out runResult
		status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/flows/"+policy+"/run",
			map[string]any{"clientId": clientID, "identityProvider": "email", "account": account}, &out)
		return status, out
	}
	if status, _ := runAt("B2C_1_mfa_sms", map[string]any{"email": "dee@fabrikam.com", "password": "Passw0rd!"}); status != 400 {
		t.Errorf("no phoneNumber: %d, want 400", status)
	}
	for _, policy := range []string{"B2C_1_mfa_sms", "B2C_1_mfa_totp"} {
		for _, email := range []string{"eli@fabrikam.com", "eli@fabrikam.com"} { // sign-up, then sign-in
			status, out := runAt(policy, map[string]any{"email": policy + email, "password": "Passw0rd!", "phoneNumber": "+15555550123"})
			if status != 200 || out.Outcome != "token" {
				t.Fatalf("%s %s: %d %+v", policy, email, status, out)
			}
		}
	}
	var out smsOutbox
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/sms?to=%2B15555550123", nil, &out)
	if len(out.SMS) != 2 {
		t.Errorf("outbox %+v, want the sign-up's and the sign-in's text", out)
	}
}

// TestPhoneAccountWalk: a localAccount phone flow over HTTP: the unified page asks for a
// number (no password), "Sign up now" leads to the phone-factor page, the code from the text
// message outbox and the attribute page make the account (a phoneNumber identity); the
// sign-in takes the number and a new code.
func TestPhoneAccountWalk(t *testing.T) {
	script := &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1.0.0","action":"Continue"}` }}
	srv := emulatortest.Start(t, mfaYAML(startAPI(t, script), "")+`
  - id: B2C_1_phone
    type: signUpOrSignIn
    identityProviders: [email]
    localAccount: phone
    userAttributes: [{name: displayName, required: true}]
    applicationClaims: [displayName, objectId]
    apiConnectors: {postAttributeCollection: checks}
`)
	code := func() string {
		var out smsOutbox
		post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/sms?to=%2B447700900777", nil, &out)
		if len(out.SMS) == 0 {
			t.Fatal("no text for +447700900777")
		}
		return out.SMS[0].Code
	}
	b := srv.NewBrowser(t)
	page := b.Get(mfaAuthorize("B2C_1_phone"))
	if page.Doc.Find("form#localAccountForm input#signInName[type=tel]").Length() != 1 || page.Doc.Find("input#password, a#forgotPassword").Length() != 0 {
		t.Fatalf("the unified page of phone accounts:\n%s", page.Body)
	}
	page = b.Follow(page, "a#createAccount")
	page = b.Submit(page, "button#sendCode", map[string]string{"countryCode": "GB", "number": "07700 900777"})
	page = b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": code()})
	page = b.Submit(page, "button#continue", map[string]string{"displayName": "Pat Doe"})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("phone sign-up:\n%s", page.Body)
	}
	ids := script.bodies[0]["identities"].([]any)[0].(map[string]any)
	if ids["signInType"] != "phoneNumber" || ids["issuerAssignedId"] != "+447700900777" {
		t.Errorf("PostAttributeCollection identities %v", ids)
	}
	b2 := srv.NewBrowser(t)
	page = b2.Submit(b2.Get(mfaAuthorize("B2C_1_phone")), "button#next", map[string]string{"signInName": "+44 7700 900777"})
	page = b2.Submit(page, "button#sendCode", nil)
	page = b2.Submit(page, "button#verifyCode", map[string]string{"verificationCode": code()})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("phone sign-in:\n%s", page.Body)
	}
}

// TestEmailOTPWalk: the email one-time passcode goes to the account's address in the email
// outbox; the page shows the address and, once sent, the code input.
func TestEmailOTPWalk(t *testing.T) {
	script := &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1.0.0","action":"Continue"}` }}
	srv := emulatortest.Start(t, mfaYAML(startAPI(t, script), ""))
	b := srv.NewBrowser(t)
	page := signUpTo(t, b, "B2C_1_mfa_email", "fay@fabrikam.com")
	if page.Text("#phoneNumber") != "fay@fabrikam.com" || page.Text("button#sendCode") != "Send verification code" || page.Doc.Find("#verificationCode").Length() != 0 {
		t.Fatalf("the email code page:\n%s", page.Body)
	}
	page = b.Submit(page, "button#sendCode", nil)
	if page.Doc.Find("button#sendCode").Length() != 0 || !page.Visible("button#retryCode") {
		t.Fatalf("after sending:\n%s", page.Body)
	}
	page = b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": b.OutboxCode("fay@fabrikam.com")})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("the email code did not finish the sign-up:\n%s", page.Body)
	}
}

// qrDataURI is the page's QR code of text: a PNG data: URI at medium error correction, 256 px.
func qrDataURI(t *testing.T, text string) string {
	t.Helper()
	png, err := qrcode.Encode(text, qrcode.Medium, 256)
	if err != nil {
		t.Fatal(err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}
