package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/flows/otp"
)

// mfaFlowsYAML is a tenant whose password reset flow asks for a text message code and whose
// profile editing flow asks for the authenticator app's code, always.
const mfaFlowsYAML = `
tenant:
  name: contosomfa
  id: 7c2a1d0e-3b4c-4d5e-9f60-718293a4b5c6
applications:
  - name: Viewer
    clientId: ` + phoneClient + `
    redirectUris: [/jwt]
userFlows:
  - id: B2C_1_reset
    type: passwordReset
    identityProviders: [email]
    applicationClaims: [emails, objectId]
    mfa: {method: sms, enforcement: always}
  - id: B2C_1_edit
    type: profileEdit
    identityProviders: [email]
    userAttributes: [{name: displayName, required: true}]
    applicationClaims: [displayName, objectId]
    mfa: {method: totp, enforcement: always}
`

// TestBrowserMFAResetAndEdit: in Chromium, a profile edit signs in, enrols the authenticator
// app with the shown key (the code computed from it at the emulator's clock) and then shows
// the profile page; a password reset verifies the email, passes the phone factor with the
// code read from the text message outbox, and then sets the new password.
func TestBrowserMFAResetAndEdit(t *testing.T) {
	ctx := chromium(t)
	srv := emulatortest.Start(t, mfaFlowsYAML)
	seed, _ := json.Marshal(map[string]any{"email": "ana@contoso.example", "password": "Passw0rd!x", "attributes": map[string]any{"displayName": "Ana"}})
	if resp, err := srv.Client.Post(srv.URL+"/_emulator/users", "application/json", bytes.NewReader(seed)); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("seeding the user: %v %v", resp, err)
	}
	authorize := func(policy string) string {
		q := url.Values{"client_id": {phoneClient}, "redirect_uri": {srv.URL + "/jwt"}, "scope": {"openid"}, "response_type": {"id_token"},
			"nonce": {"n"}, "response_mode": {"form_post"}}
		return srv.URL + "/contosomfa.onmicrosoft.com/" + policy + "/oauth2/v2.0/authorize?" + q.Encode()
	}
	atJWT := func(what string) {
		t.Helper()
		if loc := read(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/jwt") {
			t.Errorf("%s: at %s", what, loc)
		}
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(authorize("B2C_1_edit")),
		chromedp.SendKeys(css("#email"), "ana@contoso.example"),
		chromedp.SendKeys(css("#password"), "Passw0rd!x"),
		chromedp.Click(css("button#next")),
		chromedp.WaitVisible(css("#totpSecret")),
	)
	if err != nil {
		t.Fatal(err)
	}
	secret := read(t, ctx, chromedp.Text(css("#totpSecret")))
	key, err := otp.Decode(secret)
	if err != nil || len(key) == 0 {
		t.Fatalf("the shown key %q: %v", secret, err)
	}
	var clock struct{ Now time.Time }
	getJSON(t, srv.URL+"/_emulator/clock", &clock)
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#verificationCode"), otp.TOTP(key, clock.Now, otp.Digits)),
		chromedp.Click(css("#verifyCode")),
		chromedp.WaitVisible(css("#displayName")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, ctx, chromedp.Value(css("#displayName"))); got != "Ana" {
		t.Errorf("the profile page after the code: displayName %q", got)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(css("#displayName"), "Ana Lima"),
		chromedp.Click(css("button#continue")),
		chromedp.WaitVisible(css("#claims")),
	)
	if err != nil {
		t.Fatal(err)
	}
	atJWT("profile edit")

	err = chromedp.Do(ctx,
		chromedp.Navigate(authorize("B2C_1_reset")),
		chromedp.SendKeys(css("#email"), "ana@contoso.example"),
		chromedp.Click(css("#email_ver_but_send")),
		chromedp.WaitVisible(css("#email_ver_input")),
	)
	if err != nil {
		t.Fatal(err)
	}
	var emails struct{ Emails []struct{ Code string } }
	getJSON(t, srv.URL+"/_emulator/emails?to=ana@contoso.example", &emails)
	if len(emails.Emails) != 1 {
		t.Fatalf("email outbox %+v", emails)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#email_ver_input"), emails.Emails[0].Code),
		chromedp.Click(css("#email_ver_but_verify")),
		chromedp.WaitVisible(css("#email_ver_control[data-state=verified] #email_ver_but_edit")),
		chromedp.Click(css("button#continue")),
		chromedp.WaitVisible(css("select#countryCode")),
		chromedp.SetValue(css("#countryCode"), "GB"),
		chromedp.SendKeys(css("#number"), "07700 900456"),
		chromedp.Click(css("#sendCode")),
		chromedp.WaitVisible(css("#verificationCode")),
	)
	if err != nil {
		t.Fatal(err)
	}
	var sms struct {
		SMS []struct{ To, Code, Policy string } `json:"sms"`
	}
	getJSON(t, srv.URL+"/_emulator/sms", &sms)
	if len(sms.SMS) != 1 || sms.SMS[0].To != "+447700900456" || sms.SMS[0].Policy != "B2C_1_reset" {
		t.Fatalf("text message outbox %+v", sms)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#verificationCode"), sms.SMS[0].Code),
		chromedp.Click(css("#verifyCode")),
		chromedp.WaitVisible(css("#newPassword")),
		chromedp.SendKeys(css("#newPassword"), "N3w-Secret!"),
		chromedp.SendKeys(css("#reenterPassword"), "N3w-Secret!"),
		chromedp.Click(css("button#continue")),
		chromedp.WaitVisible(css("#claims")),
	)
	if err != nil {
		t.Fatal(err)
	}
	atJWT("password reset")
}
