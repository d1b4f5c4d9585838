package emulator_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

func acceptAll() *connectorScript {
	return &connectorScript{answer: func(string, map[string]any) (int, string) {
		return 200, `{"version":"1.0.0","action":"Continue"}`
	}}
}

// signUpPage opens the local sign-up page of the test tenant's user flow.
func signUpPage(b *emulatortest.Browser) *emulatortest.Page {
	return b.Follow(b.Get(authorizeURL(nil)), "a#createAccount")
}

// verState is the page's email verification: the control's state, #email_info and
// #email_fail_retry.
func verState(p *emulatortest.Page) [3]string {
	st, _ := p.Doc.Find("#email_ver_control").Attr("data-state")
	return [3]string{st, p.Text("#email_info"), p.Text("#email_fail_retry")}
}

func outboxCount(t *testing.T, srv *emulatortest.Server, to string) int {
	t.Helper()
	var out struct{ Emails []struct{ Code string } }
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/emails?to="+url.QueryEscape(to), nil, &out)
	return len(out.Emails)
}

const (
	msgIntro    = "Verification is necessary. Please click Send button."
	msgSent     = "Verification code has been sent to your inbox. Please copy it to the input box below."
	msgVerified = "E-mail address verified. You can now continue."
)

// verElements are the verification control's elements in B2C's order; the ones after
// #email_fail_retry are shown or hidden by the state.
var verElements = []string{"email_info", "email_fail_retry", "email_ver_wait", "email_ver_input_label", "email_ver_input",
	"email_ver_but_send", "email_ver_but_verify", "email_ver_but_resend", "email_ver_but_edit", "email_ver_but_default"}

// verDOM checks the control as a browser without scripts gets it: every element once, in
// B2C's order; the ones in shown shown (aria-hidden="false", display: inline), the others
// hidden (aria-hidden="true", display: none); the shown buttons, and only they, submit
// buttons; the form's default button (the first submit button in tree order, what Enter
// presses) is wantDefault, a shown one; #continue disabled until the address is verified.
func verDOM(t *testing.T, p *emulatortest.Page, step string, wantDefault string, shown ...string) {
	t.Helper()
	order := map[string]int{}
	p.Doc.Find("form#attributeVerification [id]").Each(func(i int, s *goquery.Selection) { order[s.AttrOr("id", "")] = i })
	for i, id := range verElements {
		if n := p.Doc.Find("#" + id).Length(); n != 1 {
			t.Errorf("%s: %d #%s, want 1", step, n, id)
			continue
		}
		if i > 0 && order[id] < order[verElements[i-1]] {
			t.Errorf("%s: #%s before #%s, not in B2C's order", step, id, verElements[i-1])
		}
		if i < 2 {
			continue
		}
		el := p.Doc.Find("#" + id)
		want := [2]string{"true", "display: none;"}
		if slices.Contains(shown, id) {
			want = [2]string{"false", "display: inline;"}
		}
		if got := [2]string{el.AttrOr("aria-hidden", ""), el.AttrOr("style", "")}; got != want {
			t.Errorf("%s: #%s aria-hidden, style = %q, want %q", step, id, got, want)
		}
		if goquery.NodeName(el) == "button" && (el.AttrOr("type", "submit") == "submit") != slices.Contains(shown, id) {
			t.Errorf("%s: #%s type=%q; only the shown buttons submit", step, id, el.AttrOr("type", ""))
		}
	}
	if got := defaultButton(p); got != wantDefault {
		t.Errorf("%s: the form's default button (Enter) is #%s, want #%s", step, got, wantDefault)
	}
	if disabled := p.Doc.Find("button#continue[disabled]").Length() == 1; disabled != (verState(p)[0] != "verified") {
		t.Errorf("%s: #continue disabled = %v in state %q", step, disabled, verState(p)[0])
	}
}

// defaultButton is the id of the form's default button: its first submit button in tree
// order (a button without type or type=submit), hidden or not, as HTML's implicit
// submission picks it.
func defaultButton(p *emulatortest.Page) string {
	btn := p.Doc.Find("form#attributeVerification button").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.AttrOr("type", "submit") == "submit"
	}).First()
	return btn.AttrOr("id", "")
}

// TestLocalSignUpEmailVerificationPage: the user flow's local sign-up page verifies the email
// as B2C's does, with plain form posts (no script): B2C's ids, texts and rules.
func TestLocalSignUpEmailVerificationPage(t *testing.T) {
	const email = "vera@fabrikam.com"
	srv, b := start(t, acceptAll())
	page := signUpPage(b)
	for _, sel := range []string{"#email_ver_control", "#email_ver_wait", "#email_info", "#email_fail_retry", "button#email_ver_but_send", "#email_ver_but_default", "button#continue[disabled][aria-disabled=true]"} {
		if page.Doc.Find(sel).Length() != 1 {
			t.Fatalf("the sign-up page lacks %s:\n%s", sel, page.Body)
		}
	}
	verDOM(t, page, "before send", "email_ver_but_send", "email_ver_but_send")
	if page.Doc.Find(`#email_ver_input[aria-hidden=true][style="display: none;"]`).Length() != 1 || page.Text("#email_ver_but_send") != "Send verification code" || verState(page) != [3]string{"", msgIntro, ""} {
		t.Errorf("before send: %v, #email_ver_input hidden %d", verState(page), page.Doc.Find(`#email_ver_input[aria-hidden=true]`).Length())
	}
	form := map[string]string{"email": email, "newPassword": "Passw0rd!", "reenterPassword": "Passw0rd!", "displayName": "Vera"}

	// Submitting anyway (a form post; the page's #continue is disabled) is refused.
	page = b.Submit(page, "button#continue", form)
	if got := page.Text("#claimVerificationServerError"); got != "Claim not verified: email" || page.Location != nil {
		t.Fatalf("unverified submit: %q", got)
	}

	// Send: a code in the outbox, the code input and the buttons of the sent state.
	page = b.Submit(page, "button#email_ver_but_send", map[string]string{"email": email, "displayName": "Vera"})
	if verState(page) != [3]string{"sent", msgSent, ""} || page.Doc.Find("input#email_ver_input").Length() != 1 ||
		page.Text("#email_ver_but_verify") != "Verify code" || page.Text("#email_ver_but_resend") != "Send new code" {
		t.Fatalf("after send: %v\n%s", verState(page), page.Body)
	}
	verDOM(t, page, "code sent", "email_ver_but_verify", "email_ver_input_label", "email_ver_input", "email_ver_but_verify", "email_ver_but_resend")
	if v, _ := page.Doc.Find("input#displayName").Attr("value"); v != "Vera" {
		t.Errorf("typed value not kept: displayName %q", v)
	}
	code := b.OutboxCode(email)

	// A wrong code, then resend (a new code, the old one void), then the right code.
	page = b.Submit(page, "button#email_ver_but_verify", map[string]string{"email_ver_input": "x" + code})
	if verState(page) != [3]string{"sent", msgSent, "That code is incorrect. Please try again."} {
		t.Errorf("wrong code: %v", verState(page))
	}
	page = b.Submit(page, "button#email_ver_but_resend", nil)
	if outboxCount(t, srv, email) != 2 || verState(page) != [3]string{"sent", msgSent, ""} {
		t.Errorf("resend: %d mails, %v", outboxCount(t, srv, email), verState(page))
	}
	page = b.Submit(page, "button#email_ver_but_verify", map[string]string{"email_ver_input": b.OutboxCode(email)})
	if verState(page) != [3]string{"verified", msgVerified, ""} || page.Doc.Find("input#email[readonly]").Length() != 1 ||
		page.Doc.Find("button#continue[disabled]").Length() != 0 {
		t.Fatalf("verified: %v\n%s", verState(page), page.Body)
	}
	verDOM(t, page, "verified", "email_ver_but_edit", "email_ver_but_edit")

	// Change e-mail: back to the start; the page cannot be submitted until the new address is verified.
	page = b.Submit(page, "button#email_ver_but_edit", nil)
	if verState(page) != [3]string{"", msgIntro, ""} || page.Doc.Find("input#email[readonly]").Length() != 0 || page.Doc.Find("button#continue[disabled]").Length() != 1 {
		t.Errorf("change: %v", verState(page))
	}
	verDOM(t, page, "edit", "email_ver_but_send", "email_ver_but_send")
	page = b.VerifyEmail(page, email)
	page = b.Submit(page, "button#continue", form)
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("no code after verification:\n%s", page.Body)
	}
}

// TestLocalSignUpCodeLimits: a code lasts 5 minutes on the emulator clock and 3 wrong entries.
func TestLocalSignUpCodeLimits(t *testing.T) {
	const email = "limits@fabrikam.com"
	srv, b := start(t, acceptAll())
	page := b.Submit(signUpPage(b), "button#email_ver_but_send", map[string]string{"email": email})
	post(t, srv.Client, http.MethodPut, srv.URL+"/_emulator/clock", map[string]any{"advance": "5m"}, nil)
	page = b.Submit(page, "button#email_ver_but_verify", map[string]string{"email_ver_input": b.OutboxCode(email)})
	if verState(page) != [3]string{"", msgIntro, "That code is expired. Please request a new code."} || page.Doc.Find("#email_ver_but_send").Length() != 1 {
		t.Errorf("expired: %v", verState(page))
	}
	page = b.Submit(page, "button#email_ver_but_send", map[string]string{"email": email})
	for i := 0; i < 3; i++ {
		page = b.Submit(page, "button#email_ver_but_verify", map[string]string{"email_ver_input": "1"})
	}
	if verState(page) != [3]string{"", msgIntro, "You've made too many incorrect attempts. Please try again later."} || page.Doc.Find(`#email_ver_input[aria-hidden=true][style="display: none;"]`).Length() != 1 {
		t.Errorf("three wrong codes: %v", verState(page))
	}
	verDOM(t, page, "too many attempts", "email_ver_but_send", "email_ver_but_send")
	page = b.Submit(page, "button#email_ver_but_send", map[string]string{"email": "not-an-email"})
	if page.Text("li.email_li .error.itemLevel") != "Please enter a valid email address." || verState(page)[0] != "" {
		t.Errorf("send to a bad address: %q %v", page.Text("li.email_li .error.itemLevel"), verState(page))
	}
}

// TestLocalSignUpVerificationSettings: userFlows[].emailVerification: false turns the
// verification off; deterministic.verificationCode makes every code that value.
func TestLocalSignUpVerificationSettings(t *testing.T) {
	form := map[string]string{"newPassword": "Passw0rd!", "reenterPassword": "Passw0rd!", "displayName": "Nova"}
	t.Run("on by default", func(t *testing.T) {
		_, b := start(t, acceptAll())
		if signUpPage(b).Doc.Find("#email_ver_but_send").Length() != 1 {
			t.Error("a user flow without the setting does not verify the email")
		}
	})
	t.Run("emailVerification false", func(t *testing.T) {
		yaml := configEdit(t, tenantYAML(startAPI(t, acceptAll())), "    type: signUpOrSignIn\n", "    type: signUpOrSignIn\n    emailVerification: false\n")
		srv := emulatortest.Start(t, yaml)
		b := srv.NewBrowser(t)
		page := signUpPage(b)
		if page.Doc.Find("#email_ver_control, #email_ver_but_send").Length() != 0 || page.Doc.Find("button#continue[disabled]").Length() != 0 {
			t.Fatalf("verification shown although off:\n%s", page.Body)
		}
		form["email"] = "nova@fabrikam.com"
		if page = b.Submit(page, "button#continue", form); page.Location == nil {
			t.Fatalf("sign-up without verification refused:\n%s", page.Body)
		}
		if n := outboxCount(t, srv, "nova@fabrikam.com"); n != 0 {
			t.Errorf("%d mails sent", n)
		}
	})
	t.Run("fixed code", func(t *testing.T) {
		srv := emulatortest.Start(t, tenantYAML(startAPI(t, acceptAll()))+"deterministic:\n  verificationCode: \"000000\"\n")
		b := srv.NewBrowser(t)
		page := b.Submit(signUpPage(b), "button#email_ver_but_send", map[string]string{"email": "fix@fabrikam.com"})
		if got := b.OutboxCode("fix@fabrikam.com"); got != "000000" {
			t.Errorf("outbox code = %q, want the fixed 000000", got)
		}
		page = b.Submit(page, "button#email_ver_but_verify", map[string]string{"email_ver_input": "000000"})
		form["email"] = "fix@fabrikam.com"
		if page = b.Submit(page, "button#continue", form); page.Location == nil {
			t.Fatalf("the fixed code did not verify:\n%s", page.Body)
		}
	})
}

// TestHeadlessLocalSignUpVerifies: the headless API verifies a local sign-up's address itself,
// through the outbox, as a user would.
func TestHeadlessLocalSignUpVerifies(t *testing.T) {
	srv, _ := start(t, acceptAll())
	out := run(t, srv, map[string]any{"clientId": clientID, "scope": "openid", "identityProvider": "email",
		"account": map[string]any{"email": "hl@fabrikam.com", "password": "Passw0rd!"}, "attributes": []map[string]string{{"displayName": "Hal"}}})
	if !strings.Contains(srv.Log.String(), `msg="verification code sent"`) {
		t.Errorf("no log line for the code:\n%s", srv.Log.String())
	}
	if out.Outcome != "token" || outboxCount(t, srv, "hl@fabrikam.com") != 1 {
		t.Errorf("headless local sign-up: %+v, %d mails", out, outboxCount(t, srv, "hl@fabrikam.com"))
	}
}
