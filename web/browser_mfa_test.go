package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

const phoneClient = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"

// phoneYAML is a tenant whose sign-up or sign-in flow always asks for a phone factor, by
// SMS or call.
const phoneYAML = `
tenant:
  name: contosophone
  id: 6b1f0c1e-2d3a-4b5c-8d6e-7f8091a2b3c4
applications:
  - name: Viewer
    clientId: ` + phoneClient + `
    redirectUris: [/jwt]
userFlows:
  - id: B2C_1_phone
    type: signUpOrSignIn
    identityProviders: [email]
    emailVerification: false
    applicationClaims: [emails, objectId]
    mfa: {method: smsOrPhoneCall, enforcement: always}
`

// TestBrowserPhoneFactor: in Chromium, the phone-factor page has B2C's ids (data-name
// Phonefactor, #countryCode, #number, #verificationCode, #verifyCode, #retryCode, #cancel),
// the code goes to the text message outbox, and the typed code finishes the sign-up.
func TestBrowserPhoneFactor(t *testing.T) {
	ctx := chromium(t)
	srv := emulatortest.Start(t, phoneYAML)
	q := url.Values{"client_id": {phoneClient}, "redirect_uri": {srv.URL + "/jwt"}, "scope": {"openid"}, "response_type": {"id_token"},
		"nonce": {"n"}, "response_mode": {"form_post"}}
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/contosophone.onmicrosoft.com/B2C_1_phone/oauth2/v2.0/authorize?"+q.Encode()),
		chromedp.Click(css("a#createAccount")),
		chromedp.WaitVisible(css("#newPassword")),
		chromedp.SendKeys(css("#email"), "li@contoso.example"),
		chromedp.SendKeys(css("#newPassword"), "Str0ng!pass"),
		chromedp.SendKeys(css("#reenterPassword"), "Str0ng!pass"),
		chromedp.Click(css("button#continue")),
		chromedp.WaitVisible(css("select#countryCode")),
		shot("phonefactor-entry"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := eval[string](t, ctx, `[document.querySelector("#api").dataset.name, document.querySelector("#number").type, `+
		`document.querySelector("#sendCode").textContent, document.querySelector("#sendCall").textContent, document.title].join("|")`); got != "Phonefactor|tel|Send Code|Call Me|Multi-factor authentication" {
		t.Errorf("the phone-factor page: %q", got)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(css("#countryCode"), "GB"),
		chromedp.SendKeys(css("#number"), "07700 900456"),
		chromedp.Click(css("#sendCode")),
		chromedp.WaitVisible(css("#verificationCode")),
		chromedp.WaitVisible(css("#retryCode")),
		shot("phonefactor-code"),
	)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client.Get(srv.URL + "/_emulator/sms")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		SMS []struct{ To, Code string } `json:"sms"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || len(out.SMS) != 1 || out.SMS[0].To != "+447700900456" {
		t.Fatalf("outbox %+v (%v)", out, err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#verificationCode"), out.SMS[0].Code),
		chromedp.Click(css("#verifyCode")),
		chromedp.WaitVisible(css("#claims")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if loc := read(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/jwt") {
		t.Errorf("after the code: at %s", loc)
	}
}

// TestDevSMSPage: the developer tools' text message outbox lists a headless run's code and
// its Clear button empties it.
func TestDevSMSPage(t *testing.T) {
	srv := emulatortest.Start(t, phoneYAML)
	d := newDevClient(t, srv)
	d.json(http.MethodPost, "/_emulator/flows/B2C_1_phone/run", map[string]any{"clientId": phoneClient, "identityProvider": "email",
		"account": map[string]any{"email": "mo@contoso.example", "password": "Passw0rd!x", "phoneNumber": "+15555550199"}}, nil)
	outbox := d.page("/_emulator/sms")
	if text(outbox, "#sms td.to") != "+15555550199" || text(outbox, "#sms td.channel") != "sms" || len(text(outbox, "#sms td.code")) != 6 {
		t.Fatalf("outbox:\n%s", outbox.body)
	}
	if filtered := d.page("/_emulator/sms?to=%2B15555550100"); filtered.doc.Find("#noSMS").Length() != 1 {
		t.Errorf("?to= another number still lists:\n%s", filtered.body)
	}
	cleared := d.submit(outbox, "#clearSMS", nil)
	if cleared.doc.Find("#noSMS").Length() != 1 || text(cleared, "#notice") != "The outbox is empty." {
		t.Errorf("after Clear:\n%s", cleared.body)
	}
}
