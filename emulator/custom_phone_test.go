package emulator_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestCustomPhoneFactorWalk runs b2cemu's phone factor fixture (testdata/phonefactor) over
// HTTP: sign-up writes the user, the PhoneFactorProtocolProvider profile shows the
// phone-factor page, its code is read from GET /_emulator/sms, the verified number is the
// profile's Verified.OfficePhone and newPhoneNumberEntered, and the journey keeps it on the
// user; sign-in reads it back and verifies the number on record.
func TestCustomPhoneFactorWalk(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("testdata", "phonefactor"))
	srv := startPolicies(t, dir, "")
	b := srv.NewBrowser(t)
	page := b.Submit(b.Get(authorizeFor("B2C_1A_phone_signup")), "button#continue", map[string]string{"email": "kim@contoso.com", "displayName": "Kim"})
	for _, sel := range []string{`#api[data-name="Phonefactor"]`, "select#countryCode", "input#number[type=tel]", "button#sendCode"} {
		if page.Doc.Find(sel).Length() != 1 {
			t.Fatalf("the phone-factor page lacks %s:\n%s", sel, page.Body)
		}
	}
	if page.Doc.Find("button#sendCall").Length() != 0 {
		t.Errorf("setting.authenticationMode sms shows a call button")
	}
	if got := page.Text(".intro p"); got != "Enter a number below that we can send a code via SMS to authenticate you." {
		t.Errorf("intro %q", got)
	}
	page = b.Submit(page, "button#sendCode", map[string]string{"countryCode": "US", "number": "12"})
	if got := page.Text("#errorMessage"); got != "Please enter a valid phone number" {
		t.Fatalf("a short number: %q", got)
	}
	page = b.Submit(page, "button#sendCode", map[string]string{"countryCode": "US", "number": "555 555 0100"})
	code := phoneCode(t, srv.URL, srv.Client, "+15555550100", "B2C_1A_phone_signup", 1)
	page = b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": wrongCode(code)})
	if !strings.Contains(page.Text("#errorMessage"), "does not match our records") || !page.Visible("button#retryCode") {
		t.Fatalf("a wrong code: %q\n%s", page.Text("#errorMessage"), page.Body)
	}
	claims := idTokenOf(t, srv, "B2C_1A_phone_signup", b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": code}))
	if claims["phone_number"] != "+15555550100" || claims["new_phone"] != true || claims["name"] != "Kim" {
		t.Errorf("sign-up claims %v", claims)
	}
	users := listUsers(t, srv)
	if len(users) != 1 || users[0]["attributes"].(map[string]any)["strongAuthenticationPhoneNumber"] != "+15555550100" {
		t.Fatalf("users %v", users)
	}

	b = srv.NewBrowser(t)
	page = b.Submit(b.Get(authorizeFor("B2C_1A_phone_signin")), "button#continue", map[string]string{"email": "kim@contoso.com"})
	if page.Doc.Find("input#number").Length() != 0 || page.Text("#phoneNumber") != "+XXXXXXX0100" {
		t.Fatalf("sign-in: the number on record is not shown masked:\n%s", page.Body)
	}
	page = b.Submit(page, "button#sendCode", nil)
	code = phoneCode(t, srv.URL, srv.Client, "+15555550100", "B2C_1A_phone_signin", 2)
	again := idTokenOf(t, srv, "B2C_1A_phone_signin", b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": code}))
	if again["sub"] != claims["sub"] || again["phone_number"] != "+15555550100" || again["new_phone"] != nil {
		t.Errorf("sign-in claims %v", again)
	}
}

// phoneCode is the newest code of the text message outbox to a number, checking its policy
// and how many texts the number got.
func phoneCode(t *testing.T, base string, c *http.Client, to, policy string, count int) string {
	t.Helper()
	var out smsOutbox
	post(t, c, http.MethodGet, base+"/_emulator/sms?to="+url.QueryEscape(to), nil, &out)
	if len(out.SMS) != count || out.SMS[0].Channel != "sms" || len(out.SMS[0].Code) != 6 || out.SMS[0].Policy != policy ||
		!strings.Contains(out.SMS[0].Message, out.SMS[0].Code) {
		t.Fatalf("outbox for %s: %+v", to, out)
	}
	return out.SMS[0].Code
}

// wrongCode is a six-digit code other than code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}
