package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

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
	verDOM(t, page, "before send", "email_ver_but_send", "email_ver_but_send")
	page = b.Submit(page, "button#email_ver_but_send", map[string]string{"email": "ana@contoso.com"})
	verDOM(t, page, "code sent", "email_ver_but_verify", "email_ver_input_label", "email_ver_input", "email_ver_but_verify", "email_ver_but_resend")
	code := outboxCode(t, srv, "ana@contoso.com")
	page = b.Submit(page, "button#email_ver_but_verify", map[string]string{"email_ver_input": "000000x"})
	if got := page.Text("#email_fail_retry"); got != "That code is incorrect. Please try again." {
		t.Errorf("wrong code: %q", got)
	}
	page = verifyCode(t, b, page, code)
	verDOM(t, page, "verified", "email_ver_but_edit", "email_ver_but_edit")
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
	verDOM(t, page, "too many attempts", "email_ver_but_send", "email_ver_but_send")

	page = verified(t, srv, b, page, "ed@contoso.com")
	page = b.Submit(page, "button#email_ver_but_edit", nil)
	if page.Doc.Find("input#email[readonly]").Length() != 0 || page.Doc.Find("#email_ver_but_send").Length() != 1 {
		t.Error("Change e-mail should unlock the address and ask for a new verification")
	}
	verDOM(t, page, "edit", "email_ver_but_send", "email_ver_but_send")
	page = b.Submit(page, "button#continue", map[string]string{"email": "other@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x"})
	if got := page.Text("#claimVerificationServerError"); got != "Claim not verified: email" {
		t.Errorf("changed address submitted: %q", got)
	}
}

// TestCustomPolicyPartialOverride: an Extensions fragment that only adds a metadata item to a
// base profile (EnforceEmailVerification=false) changes that profile and keeps the rest;
// login_hint pre-fills the unified page.
func TestCustomPolicyPartialOverride(t *testing.T) {
	edit := replaceIn(t, extensionsXML, `<TechnicalProfile Id="LocalAccountSignUpWithLogonEmail">`,
		`<TechnicalProfile Id="LocalAccountSignUpWithLogonEmail"><Metadata><Item Key="EnforceEmailVerification">false</Item></Metadata>`)
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
