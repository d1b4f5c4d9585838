package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// startExample serves docs/examples/custom-policies on a free port: the example names its own
// address (server.addr and the REST profile's ServiceUrl), so the copy gets the free one.
// instead maps a file of the example (e.g. policies/TrustFrameworkBase.xml) to another file
// that replaces it.
func startExample(t *testing.T, instead map[string]string) *emulatortest.Server {
	t.Helper()
	addr := emulatortest.FreeAddr(t)
	src := filepath.Join("..", "docs", "examples", "custom-policies")
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if other, ok := instead[filepath.ToSlash(rel)]; ok {
			path = other
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755)
		return os.WriteFile(filepath.Join(dst, rel), []byte(strings.ReplaceAll(string(b), "127.0.0.1:8080", addr)), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return emulatortest.StartFile(t, filepath.Join(dst, "b2cemu.yaml"), addr)
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserCustomPolicyLoyalty runs the loyalty walkthrough's policies in Chromium: local
// sign-up with email verification, the REST profile's 409 on the page with the values kept
// and no user written, the promoCode in the token, then sign-in with a wrong and the right
// password, and single sign-on.
func TestBrowserCustomPolicyLoyalty(t *testing.T) {
	browserLoyalty(t, startExample(t, nil))
}

// TestBrowserStarterPackLoyalty is the same walkthrough on Microsoft's LocalAccounts Base and
// Localization files, unchanged, when B2CEMU_STARTERPACK names a starter-pack checkout
// (make starterpack); the example supplies the walkthrough's Extensions and relying party.
func TestBrowserStarterPackLoyalty(t *testing.T) {
	dir := os.Getenv("B2CEMU_STARTERPACK")
	if dir == "" {
		t.Skip("B2CEMU_STARTERPACK is not set; see docs/custom-policies.md")
	}
	browserLoyalty(t, startExample(t, map[string]string{
		"policies/TrustFrameworkBase.xml":         filepath.Join(dir, "LocalAccounts", "TrustFrameworkBase.xml"),
		"policies/TrustFrameworkLocalization.xml": filepath.Join(dir, "LocalAccounts", "TrustFrameworkLocalization.xml"),
	}))
}

func browserLoyalty(t *testing.T, srv *emulatortest.Server) {
	ctx := chromium(t)
	policy := srv.URL + "/contoso.onmicrosoft.com/B2C_1A_signup_signin"
	authorize := policy + "/oauth2/v2.0/authorize?" + url.Values{
		"client_id": {"4f6b1a52-8c7e-4d3a-9b21-6e0f5c7d8a90"}, "redirect_uri": {srv.URL + "/jwt"}, "scope": {"openid"},
		"response_type": {"id_token"}, "response_mode": {"form_post"}, "nonce": {"n"}, "prompt": {"login"}}.Encode()
	token := func(t *testing.T) map[string]any {
		t.Helper()
		return emulatortest.Verify(t, policy+"/v2.0/.well-known/openid-configuration", shownText(t, ctx, "#token"))
	}
	const email = "ana@contoso.com"

	t.Run("sign-up", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(authorize),
			chromedp.Click(css("a#createAccount")),
			chromedp.WaitVisible(css("#loyaltyId")),
		)
		if err != nil {
			t.Fatal(err)
		}
		continueState := `(() => { const c = document.querySelector("#continue"); return c.disabled + "/" + c.getAttribute("aria-disabled"); })()`
		if got := eval[string](t, ctx, continueState); got != "true/true" {
			t.Errorf("#continue before the email is verified: disabled/aria-disabled = %s, want true/true", got)
		}
		err = chromedp.Do(ctx,
			chromedp.SendKeys(css("#email"), email),
			chromedp.Click(css("#email_ver_but_send")),
			chromedp.WaitVisible(css("#email_ver_input")),
		)
		if err != nil {
			t.Fatal(err)
		}
		var outbox struct{ Emails []struct{ Code string } }
		getJSON(t, srv.URL+"/_emulator/emails?to="+email, &outbox)
		if len(outbox.Emails) != 1 {
			t.Fatalf("outbox = %+v", outbox)
		}
		err = chromedp.Do(ctx,
			chromedp.SendKeys(css("#email_ver_input"), outbox.Emails[0].Code),
			chromedp.Click(css("#email_ver_but_verify")),
			chromedp.WaitVisible(css("#email_ver_control[data-state=verified] #email_ver_but_edit")), shot("custom-verified"),
			chromedp.SendKeys(css("#newPassword"), "Passw0rd!x"),
			chromedp.SendKeys(css("#reenterPassword"), "Passw0rd!y"),
			chromedp.SendKeys(css("#displayName"), "Ana Silva"),
			chromedp.SendKeys(css("#loyaltyId"), "12"),
		)
		if err != nil {
			t.Fatal(err)
		}
		if got := eval[string](t, ctx, continueState); got != "false/false" {
			t.Errorf("#continue after the email is verified: disabled/aria-disabled = %s, want false/false", got)
		}
		// The passwords differ: B2C's message from the page's script, no request.
		markPage(t, ctx)
		if err := chromedp.Do(ctx, chromedp.Click(css("[type=submit]")), chromedp.WaitVisible(css("#passwordEntryMismatch"))); err != nil {
			t.Fatal(err)
		}
		var none struct{ Calls []any }
		getJSON(t, srv.URL+"/_emulator/calls", &none)
		if got := boxState(t, ctx, "#passwordEntryMismatch"); got != shownBox || !stillMarked(t, ctx) || len(none.Calls) != 0 {
			t.Errorf("password mismatch: %+v, shown without a request: %v, REST calls %d", got, stillMarked(t, ctx), len(none.Calls))
		}
		net := watchNetwork(t, ctx)
		err = chromedp.Do(ctx,
			chromedp.SetValue(css("#reenterPassword"), "Passw0rd!x"),
			chromedp.Click(css("button#continue")),
			chromedp.WaitVisible(css("#claimVerificationServerError")), shot("custom-rest-error"),
		)
		if err != nil {
			t.Fatal(err)
		}
		// The page submitted in the background and stayed: B2C's JSON answer, no navigation, and
		// every value kept, the passwords too.
		if r := net.waitFor(t, "/SelfAsserted?"); r.Method != "POST" || r.Status != 200 || !strings.Contains(r.Body, `"status":"400"`) {
			t.Errorf("background submit = %+v", r)
		}
		if !stillMarked(t, ctx) || read(t, ctx, chromedp.Value(css("#newPassword"))) != "Passw0rd!x" || read(t, ctx, chromedp.Value(css("#reenterPassword"))) != "Passw0rd!x" {
			t.Error("the page was reloaded or the passwords were emptied after the REST profile's error")
		}
		if got := read(t, ctx, chromedp.Text(css("#claimVerificationServerError"))); got != "Your loyalty number is not valid. Loyalty numbers have six digits, e.g. 123456." {
			t.Errorf("page error = %q", got)
		}
		if read(t, ctx, chromedp.Value(css("#loyaltyId"))) != "12" || read(t, ctx, chromedp.Value(css("#displayName"))) != "Ana Silva" {
			t.Error("the values were not kept")
		}
		var users struct{ Users []any }
		getJSON(t, srv.URL+"/_emulator/users", &users)
		if len(users.Users) != 0 {
			t.Fatalf("a user was written before the API accepted: %v", users.Users)
		}
		var calls struct {
			Calls []struct {
				Request  map[string]any
				Attempts []struct{ Status int }
			}
		}
		getJSON(t, srv.URL+"/_emulator/calls", &calls)
		if len(calls.Calls) != 1 || len(calls.Calls[0].Request) != 3 || calls.Calls[0].Request["loyaltyId"] != "12" ||
			calls.Calls[0].Request["email"] != email || calls.Calls[0].Request["lang"] != "1033" || calls.Calls[0].Attempts[0].Status != 409 {
			t.Errorf("REST calls = %+v", calls.Calls)
		}

		err = chromedp.Do(ctx,
			chromedp.SetValue(css("#loyaltyId"), "123456"),
			chromedp.SendKeys(css("#reenterPassword"), "\r"), // Enter continues, not #email_ver_but_edit
		)
		if err != nil {
			t.Fatal(err)
		}
		claims := token(t)
		if r := net.waitFor(t, "/api/SelfAsserted/confirmed?"); r.Method != "GET" || r.Status != 200 {
			t.Errorf("after the fixed submit: %+v, want the navigation to api/SelfAsserted/confirmed", r)
		}
		if claims["promoCode"] != "LOYAL-3456" || claims["email"] != email || claims["name"] != "Ana Silva" || claims["tfp"] != "b2c_1a_signup_signin" {
			t.Errorf("claims = %v", claims)
		}
	})

	t.Run("sign-in", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(authorize),
			chromedp.WaitVisible(css("#signInName")),
		)
		if err != nil {
			t.Fatal(err)
		}
		unifiedDOM(t, ctx, "signInName", "")
		if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.Contains(loc, "/B2C_1A_signup_signin/oauth2/v2.0/authorize?") {
			t.Errorf("the unified page is at %s, want the authorize URL", loc)
		}
		// A wrong password by [type=submit]: the background submit's 400, its message in the
		// local account form's page-level error, the page kept.
		markPage(t, ctx)
		net := watchNetwork(t, ctx)
		err = chromedp.Do(ctx,
			chromedp.SendKeys(css("#signInName"), email),
			chromedp.SendKeys(css("#password"), "wrong-Passw0rd"),
			chromedp.Click(css("[type=submit]")),
		)
		if err != nil {
			t.Fatal(err)
		}
		if got := shownText(t, ctx, "#localAccountForm .error.pageLevel"); got != "Your password is incorrect." {
			t.Errorf("wrong password: %q", got)
		}
		r := net.waitFor(t, "/B2C_1A_signup_signin/SelfAsserted?tx=StateProperties=")
		if r.Method != "POST" || !strings.Contains(r.Body, `"status":"400","message":"Your password is incorrect."`) || !stillMarked(t, ctx) {
			t.Errorf("wrong password: %+v, same page %v", r, stillMarked(t, ctx))
		}
		if got := boxState(t, ctx, "#localAccountForm .error.pageLevel"); got != shownBox {
			t.Errorf("the page-level error: %+v", got)
		}
		if err := chromedp.Do(ctx, shot("signin-wrong-password")); err != nil {
			t.Fatal(err)
		}
		err = chromedp.Do(ctx,
			chromedp.SetValue(css("#password"), "Passw0rd!x"), // the page stayed: the wrong password is still there
			chromedp.SendKeys(css("#password"), "\r"),         // Enter signs in
		)
		if err != nil {
			t.Fatal(err)
		}
		if claims := token(t); claims["name"] != "Ana Silva" || claims["promoCode"] != nil {
			t.Errorf("sign-in claims = %v", claims)
		}
		r = net.waitFor(t, "/B2C_1A_signup_signin/api/CombinedSigninAndSignup/confirmed?")
		if u, _ := url.Parse(r.URL); r.Method != "GET" || u.Query().Get("rememberMe") != "false" || u.Query().Get("p") != "B2C_1A_signup_signin" {
			t.Errorf("navigation = %+v", r)
		}
	})

	t.Run("single-sign-on", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(strings.Replace(authorize, "&prompt=login", "", 1))); err != nil {
			t.Fatal(err)
		}
		if claims := token(t); claims["name"] != "Ana Silva" {
			t.Errorf("single sign-on claims = %v", claims)
		}
	})
}

// TestBrowserCustomPolicyDisplayControl: the example's B2C_1A_signup_signin_emailcode in
// Chromium: the VerificationControl's buttons, the code from the outbox, then the sign-up.
func TestBrowserCustomPolicyDisplayControl(t *testing.T) {
	ctx := chromium(t)
	srv := startExample(t, nil)
	policy := srv.URL + "/contoso.onmicrosoft.com/B2C_1A_signup_signin_emailcode"
	authorize := policy + "/oauth2/v2.0/authorize?" + url.Values{
		"client_id": {"4f6b1a52-8c7e-4d3a-9b21-6e0f5c7d8a90"}, "redirect_uri": {srv.URL + "/jwt"}, "scope": {"openid"},
		"response_type": {"id_token"}, "response_mode": {"form_post"}, "nonce": {"n"}}.Encode()
	const email = "dee@contoso.com"
	err := chromedp.Do(ctx,
		chromedp.Navigate(authorize),
		chromedp.Click(css("a#createAccount")),
		chromedp.WaitVisible(css("#emailVerificationControl_but_send_code")),
		chromedp.SendKeys(css("#displayName"), "Dee Ray"),
		chromedp.SendKeys(css("#email"), email),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The control's buttons call B2C's display control endpoint in the background.
	markPage(t, ctx)
	net := watchNetwork(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Click(css("#emailVerificationControl_but_send_code")), chromedp.WaitVisible(css("#verificationCode"))); err != nil {
		t.Fatal(err)
	}
	if r := net.waitFor(t, "/B2C_1A_signup_signin_emailcode/SelfAsserted/DisplayControlAction/vbeta/emailVerificationControl/SendCode?tx=StateProperties="); r.Method != "POST" || !strings.Contains(r.Body, `"status":"200"`) || !stillMarked(t, ctx) {
		t.Errorf("SendCode = %+v, same page %v", r, stillMarked(t, ctx))
	}
	if got := read(t, ctx, chromedp.Text(css("#emailVerificationControl_info_message"))); got != "Verification code has been sent to your inbox. Please copy it to the input box below." {
		t.Errorf("info message = %q", got)
	}
	var outbox struct{ Emails []struct{ Code string } }
	getJSON(t, srv.URL+"/_emulator/emails?to="+email, &outbox)
	if len(outbox.Emails) != 1 {
		t.Fatalf("outbox = %+v", outbox)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#verificationCode"), outbox.Emails[0].Code),
		chromedp.Click(css("#emailVerificationControl_but_verify_code")),
		chromedp.WaitVisible(css("#emailVerificationControl[data-state=verified] #emailVerificationControl_but_change_claims")), shot("custom-display-control"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if r := net.waitFor(t, "/emailVerificationControl/VerifyCode?"); r.Method != "POST" || !stillMarked(t, ctx) {
		t.Errorf("VerifyCode = %+v, same page %v", r, stillMarked(t, ctx))
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#newPassword"), "Passw0rd!x"),
		chromedp.SendKeys(css("#reenterPassword"), "Passw0rd!x"),
		chromedp.SendKeys(css("#loyaltyId"), "246810"),
		chromedp.Click(css("button#continue")),
	)
	if err != nil {
		t.Fatal(err)
	}
	claims := emulatortest.Verify(t, policy+"/v2.0/.well-known/openid-configuration", shownText(t, ctx, "#token"))
	if claims["email"] != email || claims["name"] != "Dee Ray" || claims["promoCode"] != "LOYAL-6810" || claims["tfp"] != "b2c_1a_signup_signin_emailcode" {
		t.Errorf("claims = %v", claims)
	}
}
