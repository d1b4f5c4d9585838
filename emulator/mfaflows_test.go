package emulator_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/flows/otp"
)

// mfaFlowTypesYAML is flowTypesYAML with the second factor always asked: by text message in
// the sign-in and password reset flows, by authenticator app in the profile editing flow.
var mfaFlowTypesYAML = strings.NewReplacer(
	"      preTokenIssuance: checks\n", "      preTokenIssuance: checks\n    mfa: {method: sms, enforcement: always}\n",
	"    applicationClaims: [emails, objectId]\n", "    applicationClaims: [emails, objectId]\n    mfa: {method: sms, enforcement: always}\n",
	"    applicationClaims: [displayName, city, objectId]\n", "    applicationClaims: [displayName, city, objectId]\n    mfa: {method: totp, enforcement: always}\n",
).Replace(flowTypesYAML)

func startMFAFlowTypes(t *testing.T) (*emulatortest.Server, *rawAPI) {
	t.Helper()
	api := &rawAPI{}
	ts := httptest.NewServer(api)
	t.Cleanup(ts.Close)
	return emulatortest.Start(t, tenantYAML(ts.URL)+mfaFlowTypesYAML), api
}

// smsCode is the newest code the text message outbox holds for the number (it lists newest
// first).
func smsCode(t *testing.T, srv *emulatortest.Server, to string) string {
	t.Helper()
	var out smsOutbox
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/sms?to="+url.QueryEscape(to), nil, &out)
	if len(out.SMS) == 0 {
		t.Fatalf("no text for %s", to)
	}
	return out.SMS[0].Code
}

// TestSignInFlowMFAPreToken: a sign-in flow's second factor comes before its token step,
// whose request is the one without MFA (the golden body of TestSignInFlowEndToEnd).
func TestSignInFlowMFAPreToken(t *testing.T) {
	srv, api := startMFAFlowTypes(t)
	signUpAna(t, srv.NewBrowser(t))
	before := len(api.calls())
	b := srv.NewBrowser(t)
	page := b.Submit(b.Get(flowAuthorize("B2C_1_SignIn", nil)), "button#next", map[string]string{"email": "ana@fabrikam.com", "password": "Passw0rd!"})
	if page.Doc.Find(`#api[data-name="Phonefactor"] input#number`).Length() != 1 || len(api.calls()) != before {
		t.Fatalf("after the password: the token step ran, or no phone enrolment:\n%.3000s", page.Body)
	}
	page = b.Submit(page, "button#sendCode", map[string]string{"countryCode": "US", "number": "555 555 0142"})
	page = b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": smsCode(t, srv, "+15555550142")})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("no code after the second factor:\n%.3000s", page.Body)
	}
	calls := api.calls()[before:]
	if len(calls) != 1 {
		t.Fatalf("%d connector calls", len(calls))
	}
	oid := srv.Em.Users.List()[0].ObjectID
	golden(t, "signin-pre-token", bytes.Replace(calls[0], []byte(oid), []byte("<objectId>"), 1))
}

// TestPasswordResetSMSWalk: the password reset flow's phone factor comes after the verified
// email and before the new password page; the number is kept on the user; the next reset
// sends the code to it, masked on the page.
func TestPasswordResetSMSWalk(t *testing.T) {
	srv, _ := startMFAFlowTypes(t)
	signUpAna(t, srv.NewBrowser(t))
	reset := func(number map[string]string, password string) *emulatortest.Page {
		b := srv.NewBrowser(t)
		page := b.VerifyEmail(b.Get(flowAuthorize("B2C_1_Reset", nil)), "ana@fabrikam.com")
		page = b.Submit(page, "button#continue", map[string]string{"email": "ana@fabrikam.com"})
		if page.Doc.Find(`#api[data-name="Phonefactor"]`).Length() != 1 || page.Doc.Find("input#newPassword").Length() != 0 {
			t.Fatalf("after the email: want the phone-factor page before the new password:\n%.3000s", page.Body)
		}
		if number == nil && page.Text("#phoneNumber") != "+XXXXXXXX0123" {
			t.Errorf("the number on record shows as %q", page.Text("#phoneNumber"))
		}
		page = b.Submit(page, "button#sendCode", number)
		page = b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": smsCode(t, srv, "+447700900123")})
		if page.Doc.Find("input#newPassword[type=password]").Length() != 1 {
			t.Fatalf("after the code: no new password page:\n%.3000s", page.Body)
		}
		return b.Submit(page, "button#continue", map[string]string{"newPassword": password, "reenterPassword": password})
	}
	page := reset(map[string]string{"countryCode": "GB", "number": "07700 900123"}, "N3w-Secret!")
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("reset did not return a code:\n%.3000s", page.Body)
	}
	if got := srv.Em.Users.List()[0].Attributes.String("strongAuthenticationPhoneNumber"); got != "+447700900123" {
		t.Errorf("strongAuthenticationPhoneNumber %q", got)
	}
	if page = reset(nil, "Th1rd-Secret!"); page.Location == nil {
		t.Fatalf("the second reset:\n%.3000s", page.Body)
	}
}

// TestProfileEditTOTPWalk: the profile editing flow asks for the authenticator app's code
// before the profile page, even in a single sign-on session that did not pass it; once
// passed, the session goes straight to the profile page; a later sign-in verifies the key on
// record without showing it.
func TestProfileEditTOTPWalk(t *testing.T) {
	srv, _ := startMFAFlowTypes(t)
	b := srv.NewBrowser(t)
	signUpAna(t, b)
	page := b.Get(flowAuthorize("B2C_1_Edit", nil))
	key, err := otp.Decode(page.Text("#totpSecret"))
	if err != nil || len(key) == 0 || page.Doc.Find("input#displayName").Length() != 0 {
		t.Fatalf("the session's profile edit: want the app's enrolment first (%v):\n%.3000s", err, page.Body)
	}
	page = b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": otp.TOTP(key, srv.Em.Clock.Now(), otp.Digits)})
	if v, _ := page.Doc.Find("input#displayName").Attr("value"); v != "Ana Lima" {
		t.Fatalf("after the code: profile page displayName %q:\n%.3000s", v, page.Body)
	}
	page = b.Submit(page, "button#continue", map[string]string{"displayName": "Ana L.", "city": "Porto"})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("profile edit did not return a code:\n%.3000s", page.Body)
	}
	if page = b.Get(flowAuthorize("B2C_1_Edit", nil)); page.Doc.Find("input#displayName").Length() != 1 {
		t.Fatalf("a session that passed the factor is asked again:\n%.3000s", page.Body)
	}
	b2 := srv.NewBrowser(t)
	page = b2.Submit(b2.Get(flowAuthorize("B2C_1_Edit", nil)), "button#next", map[string]string{"email": "ana@fabrikam.com", "password": "Passw0rd!"})
	if page.Doc.Find("#totpSecret").Length() != 0 || !page.Visible("input#verificationCode") {
		t.Fatalf("sign-in: the key shown again, or no code input:\n%.3000s", page.Body)
	}
	page = b2.Submit(page, "button#verifyCode", map[string]string{"verificationCode": otp.TOTP(key, srv.Em.Clock.Now().Add(30*time.Second), otp.Digits)})
	if v, _ := page.Doc.Find("input#city").Attr("value"); v != "Porto" {
		t.Fatalf("after the code: city %q:\n%.3000s", v, page.Body)
	}
}

// TestHeadlessMFAResetAndEdit: the headless API passes the password reset's phone factor
// (account.phoneNumber at enrolment, the code from the outbox) and the profile edit's
// authenticator app, and names the missing phone number.
func TestHeadlessMFAResetAndEdit(t *testing.T) {
	srv, _ := startMFAFlowTypes(t)
	signUpAna(t, srv.NewBrowser(t))
	run := func(policy string, account map[string]any, attributes []map[string]string) (int, runResult) {
		var out runResult
		status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/flows/"+policy+"/run",
			map[string]any{"clientId": clientID, "identityProvider": "email", "account": account, "attributes": attributes}, &out)
		return status, out
	}
	twoPages := []map[string]string{{}, {}}
	status, out := run("B2C_1_Reset", map[string]any{"email": "ana@fabrikam.com", "password": "N3w-Secret!"}, twoPages)
	if status != http.StatusBadRequest || !strings.Contains(out.Error+out.ErrorDescription, "account.phoneNumber") {
		t.Errorf("reset without a phone number: %d %+v", status, out)
	}
	status, out = run("B2C_1_Reset", map[string]any{"email": "ana@fabrikam.com", "password": "N3w-Secret!", "phoneNumber": "+15555550177"}, twoPages)
	if status != http.StatusOK || out.Outcome != "token" {
		t.Fatalf("reset: %d %+v", status, out)
	}
	if code := smsCode(t, srv, "+15555550177"); len(code) != 6 {
		t.Errorf("outbox code %q", code)
	}
	status, out = run("B2C_1_Edit", map[string]any{"email": "ana@fabrikam.com", "password": "N3w-Secret!"}, []map[string]string{{"displayName": "Ana H."}})
	if status != http.StatusOK || out.Outcome != "token" || out.Claims["name"] != "Ana H." {
		t.Fatalf("profile edit: %d %+v", status, out)
	}
}
