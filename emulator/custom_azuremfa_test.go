package emulator_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/flows/otp"
	"github.com/b2cemu/b2cemu/web"
)

// startMFA serves b2cemu's Azure AD MFA fixture (testdata/azuremfa) on a frozen clock, so a
// test computes the authenticator app's codes at the time the emulator checks them.
func startMFA(t *testing.T) *emulatortest.Server {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("testdata", "azuremfa"))
	srv := startPolicies(t, dir, "")
	frozen, past := true, time.Now().Add(-30*time.Minute) // the tokens' times stay behind the verifier's clock
	if _, err := srv.Em.Clock.Set(web.ClockChange{Time: &past, Frozen: &frozen}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestCustomAuthenticatorAppWalk: the TOTP display controls show the new secret (its QR code,
// the otpauth:// URI of BuildUri, the account and the secret of CreateOtpSecret); a code an
// app computes from the shown secret passes VerifyOTP, which keeps the app on the user; the
// next sign-in finds the app (GetAvailableDevices), skips the enrolment and takes a new code
// of the same secret; wrong codes give B2C's message, the policy's override, then the retry
// limit's.
func TestCustomAuthenticatorAppWalk(t *testing.T) {
	srv := startMFA(t)
	b := srv.NewBrowser(t)
	page := b.Submit(b.Get(authorizeFor("B2C_1A_mfa_app_signup")), "button#continue", map[string]string{"email": "kai@contoso.com", "displayName": "Kai"})
	for _, sel := range []string{"div#appIcon.AuthenticatorAppIconControl", "div#appQr.QrCodeControl img#appQr_image", "a#appQr_link", "code#appDetails_account", "code#appDetails_secret"} {
		if page.Doc.Find(sel).Length() != 1 {
			t.Fatalf("the enrolment page lacks %s:\n%s", sel, page.Body)
		}
	}
	secret := page.Text("#appDetails_secret")
	uri, err := url.Parse(page.Doc.Find("a#appQr_link").AttrOr("href", ""))
	if err != nil || uri.Scheme != "otpauth" || uri.Host != "totp" || uri.EscapedPath() != "/Contoso%20Test:kai@contoso.com" ||
		uri.Query().Get("secret") != secret || uri.Query().Get("issuer") != "Contoso Test" || len(secret) != 16 {
		t.Fatalf("secret %q, otpauth URI %v", secret, uri)
	}
	if got := page.Text("#appQr_title"); got != "Point your phone at this code" {
		t.Errorf("the QR code's localized title_text: %q", got)
	}
	if src := page.Doc.Find("img#appQr_image").AttrOr("src", ""); !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Errorf("the QR code is not an embedded PNG: %.60s", src)
	}
	if page.Text("#appDetails_account") != "kai@contoso.com" {
		t.Errorf("account %q", page.Text("#appDetails_account"))
	}
	key, err := otp.Decode(secret)
	if err != nil {
		t.Fatal(err)
	}
	page = b.Submit(page, "button#continue", nil)
	if page.Doc.Find("input#appCode").Length() != 1 {
		t.Fatalf("no code page after the enrolment:\n%s", page.Body)
	}
	now := srv.Em.Clock.Now()
	page = b.Submit(page, "button#continue", map[string]string{"appCode": otp.TOTP(key, now.Add(-5*time.Minute), 6)})
	if got := page.Text("#claimVerificationServerError"); got != "Wrong code entered, please try again." {
		t.Fatalf("an old code: %q", got)
	}
	claims := idTokenOf(t, srv, "B2C_1A_mfa_app_signup", b.Submit(page, "button#continue", map[string]string{"appCode": otp.TOTP(key, now, 6)}))
	if claims["name"] != "Kai" {
		t.Errorf("sign-up claims %v", claims)
	}
	for _, u := range listUsers(t, srv) {
		for k, v := range u["attributes"].(map[string]any) {
			if s, _ := v.(string); strings.Contains(strings.ToLower(s), secret) {
				t.Errorf("the admin API shows the authenticator secret as %s", k)
			}
		}
	}

	if _, err := srv.Em.Clock.Set(web.ClockChange{Advance: "10m"}); err != nil {
		t.Fatal(err)
	}
	later := srv.Em.Clock.Now()
	b = srv.NewBrowser(t)
	page = b.Submit(b.Get(authorizeFor("B2C_1A_mfa_app_signin")), "button#continue", map[string]string{"email": "kai@contoso.com"})
	if page.Doc.Find("#appQr").Length() != 0 || page.Doc.Find("input#appCode").Length() != 1 {
		t.Fatalf("sign-in shows the enrolment again or no code input:\n%s", page.Body)
	}
	for i := range 2 { // the sign-up's code, ten minutes old: the policy's UserMessageIfWrongCodeEntered
		page = b.Submit(page, "button#continue", map[string]string{"appCode": otp.TOTP(key, now, 6)})
		if got := page.Text("#claimVerificationServerError"); got != "That is not the code your app shows." {
			t.Fatalf("wrong code %d: %q", i+1, got)
		}
	}
	again := idTokenOf(t, srv, "B2C_1A_mfa_app_signin", b.Submit(page, "button#continue", map[string]string{"appCode": otp.TOTP(key, later, 6)}))
	if again["sub"] != claims["sub"] {
		t.Errorf("sign-in claims %v, sign-up %v", again, claims)
	}
}

// TestCustomAuthenticatorAppRetryLimit: after three wrong codes VerifyOTP refuses even the
// right one, with UserMessageIfMaxAllowedCodeRetryReached's default.
func TestCustomAuthenticatorAppRetryLimit(t *testing.T) {
	srv := startMFA(t)
	b := srv.NewBrowser(t)
	page := b.Submit(b.Get(authorizeFor("B2C_1A_mfa_app_signup")), "button#continue", map[string]string{"email": "lu@contoso.com", "displayName": "Lu"})
	key, err := otp.Decode(page.Text("#appDetails_secret"))
	if err != nil {
		t.Fatal(err)
	}
	page = b.Submit(page, "button#continue", nil)
	for range 3 {
		page = b.Submit(page, "button#continue", map[string]string{"appCode": "000000"})
	}
	page = b.Submit(page, "button#continue", map[string]string{"appCode": otp.TOTP(key, srv.Em.Clock.Now(), 6)})
	if got := page.Text("#claimVerificationServerError"); got != "Wrong code entered too many times, please try again later." {
		t.Fatalf("after three wrong codes: %q", got)
	}
}

// TestCustomAzureMFASMSWalk: a VerificationControl whose SendCode and VerifyCode actions run
// the Azure AD MFA profile's OneWaySMS and Verify: a number not in E.164 form gets
// UserMessageIfInvalidFormat, the code lands in GET /_emulator/sms by the phone factor's
// rules (an action's precondition skips the sender for one number), a wrong code gets
// UserMessageIfWrongCodeEntered, the third UserMessageIfMaxAllowedCodeRetryReached until a new
// code is sent, and the new code verifies the number.
func TestCustomAzureMFASMSWalk(t *testing.T) {
	srv := startMFA(t)
	b := srv.NewBrowser(t)
	page := b.Submit(b.Get(authorizeFor("B2C_1A_mfa_phone")), "button#continue", map[string]string{"email": "mo@contoso.com", "displayName": "Mo"})
	page = b.Submit(page, "button#phoneControl_but_send_code", map[string]string{"mobile": "555 0100"})
	if got := page.Text("#phoneControl_error_message"); got != "Your phone number is not in a valid format, please correct it and try again." {
		t.Fatalf("a number without its country code: %q\n%s", got, page.Body)
	}
	page = b.Submit(page, "button#phoneControl_but_send_code", map[string]string{"mobile": "+15555550199"})
	var out smsOutbox
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/sms", nil, &out)
	if len(out.SMS) != 0 || page.Doc.Find("#phoneControl[data-state=sent]").Length() != 1 {
		t.Fatalf("the action's precondition did not skip the sender: outbox %+v", out)
	}
	page = b.Submit(page, "button#phoneControl_but_change_claims", nil)
	page = b.Submit(page, "button#phoneControl_but_send_code", map[string]string{"mobile": "+15555550100"})
	code := phoneCode(t, srv.URL, srv.Client, "+15555550100", "B2C_1A_mfa_phone", 1)
	page = b.Submit(page, "button#phoneControl_but_verify_code", map[string]string{"mobile": "+15555550100", "smsCode": wrongCode(code)})
	if got := page.Text("#phoneControl_error_message"); got != "Wrong code entered, please try again." {
		t.Fatalf("a wrong code: %q", got)
	}
	for i, typed := range []string{wrongCode(code), wrongCode(code), code} { // the third wrong entry uses the code up
		want := "Wrong code entered too many times, please try again later."
		if i == 0 {
			want = "Wrong code entered, please try again."
		}
		page = b.Submit(page, "button#phoneControl_but_verify_code", map[string]string{"mobile": "+15555550100", "smsCode": typed})
		if got := page.Text("#phoneControl_error_message"); got != want {
			t.Fatalf("entry %d after the first wrong code: %q, want %q", i+2, got, want)
		}
	}
	page = b.Submit(page, "button#phoneControl_but_send_new_code", map[string]string{"mobile": "+15555550100"})
	code = phoneCode(t, srv.URL, srv.Client, "+15555550100", "B2C_1A_mfa_phone", 2)
	page = b.Submit(page, "button#phoneControl_but_verify_code", map[string]string{"mobile": "+15555550100", "smsCode": code})
	claims := idTokenOf(t, srv, "B2C_1A_mfa_phone", b.Submit(page, "button#continue", map[string]string{"mobile": "+15555550100"}))
	if claims["phone_number"] != "+15555550100" {
		t.Errorf("claims %v", claims)
	}
}

// TestCustomAuthenticatorAppControl: a VerificationControl whose SendCode action runs
// BeginVerifyOTP and whose VerifyCode action runs VerifyOTP checks an enrolled app's code on
// the control; the page goes on once it is verified.
func TestCustomAuthenticatorAppControl(t *testing.T) {
	srv := startMFA(t)
	b := srv.NewBrowser(t)
	page := b.Submit(b.Get(authorizeFor("B2C_1A_mfa_app_signup")), "button#continue", map[string]string{"email": "noa@contoso.com", "displayName": "Noa"})
	key, err := otp.Decode(page.Text("#appDetails_secret"))
	if err != nil {
		t.Fatal(err)
	}
	page = b.Submit(page, "button#continue", nil)
	idTokenOf(t, srv, "B2C_1A_mfa_app_signup", b.Submit(page, "button#continue", map[string]string{"appCode": otp.TOTP(key, srv.Em.Clock.Now(), 6)}))

	b = srv.NewBrowser(t)
	page = b.Submit(b.Get(authorizeFor("B2C_1A_mfa_app_control")), "button#continue", map[string]string{"email": "noa@contoso.com"})
	page = b.Submit(page, "button#appControl_but_send_code", map[string]string{"email": "noa@contoso.com"})
	page = b.Submit(page, "button#appControl_but_verify_code", map[string]string{"email": "noa@contoso.com", "appCode": "000000"})
	if got := page.Text("#appControl_error_message"); got != "Wrong code entered, please try again." {
		t.Fatalf("a wrong code on the control: %q\n%s", got, page.Body)
	}
	page = b.Submit(page, "button#appControl_but_verify_code", map[string]string{"email": "noa@contoso.com", "appCode": otp.TOTP(key, srv.Em.Clock.Now(), 6)})
	if page.Doc.Find("#appControl[data-state=verified]").Length() != 1 {
		t.Fatalf("the app's code did not verify the control:\n%s", page.Body)
	}
	idTokenOf(t, srv, "B2C_1A_mfa_app_control", b.Submit(page, "button#continue", map[string]string{"email": "noa@contoso.com"}))
}
