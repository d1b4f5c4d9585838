package web_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// verIDs are the email verification control's elements that its state shows or hides.
var verIDs = []string{"email_ver_wait", "email_ver_input_label", "email_ver_input", "email_ver_but_send",
	"email_ver_but_verify", "email_ver_but_resend", "email_ver_but_edit", "email_ver_but_default"}

// verElement is one element of the control as a suite sees it.
type verElement struct {
	ID         string
	Count      int
	Shown      bool // laid out: what toBeVisible / should('be.visible') test
	AriaHidden string
	Type       string // a button's type
}

// checkVerControl checks the control in Chromium, scripts on: every element once, the
// ones in shown visible with aria-hidden="false", the others hidden with aria-hidden="true",
// every button type="button" as on B2C's page, #continue the form's only submit button,
// disabled until the address is verified, and #email_info and #email_fail_retry once each.
func checkVerControl(t *testing.T, ctx context.Context, step string, verified bool, shown ...string) {
	t.Helper()
	got := eval[[]verElement](t, ctx, ``+jsString(strings.Join(verIDs, " "))+`.split(" ").map(id => {
		const all = document.querySelectorAll("#" + id), e = all[0];
		return {ID: id, Count: all.length, Shown: !!e && getComputedStyle(e).display !== "none",
			AriaHidden: e ? e.getAttribute("aria-hidden") : "", Type: e && e.tagName === "BUTTON" ? e.type : ""};
	})`)
	for _, e := range got {
		want := verElement{ID: e.ID, Count: 1, Shown: slices.Contains(shown, e.ID), AriaHidden: "true"}
		if want.Shown {
			want.AriaHidden = "false"
		}
		if strings.Contains(e.ID, "_but_") {
			want.Type = "button"
		}
		if e != want {
			t.Errorf("%s: %+v, want %+v", step, e, want)
		}
	}
	page := eval[string](t, ctx, `(() => { const f = document.querySelector("#attributeVerification");
		return [...f.querySelectorAll("[type=submit]")].map(b => b.id).join(",") + "|" + document.querySelector("#continue").disabled + "|" +
			document.querySelectorAll("#email_info").length + document.querySelectorAll("#email_fail_retry").length; })()`)
	if want := "continue|" + map[bool]string{true: "false", false: "true"}[verified] + "|11"; page != want {
		t.Errorf("%s: submit buttons|#continue disabled|#email_info, #email_fail_retry = %q, want %q", step, page, want)
	}
}

// sameElements reports whether the control's elements are still the ones marked by
// markVerElements: B2C's page shows and hides them, it does not replace them (a Selenium
// suite's reference to #email_ver_but_verify taken before the send stays good).
func sameElements(t *testing.T, ctx context.Context) bool {
	return eval[bool](t, ctx, `window.verMarks.every(([id, e]) => document.getElementById(id) === e)`)
}

func markVerElements(t *testing.T, ctx context.Context) {
	eval[bool](t, ctx, `(window.verMarks = `+jsString(strings.Join(verIDs, " "))+`.split(" ").map(id => [id, document.getElementById(id)])).length > 0`)
}

// TestBrowserVerificationControl walks the email verification control through its states
// in Chromium on a user flow's and a custom policy's sign-up page, checking the DOM at each
// as suites written for a real tenant test it: before the send, code sent, too many
// attempts, verified, and after "Change e-mail".
func TestBrowserVerificationControl(t *testing.T) {
	srv := emulatortest.Start(t, strings.Replace(suitesTenant, "CONNECTOR", "http://127.0.0.1:9", 1))
	example := startExample(t, nil)
	for _, tc := range []struct{ name, authorize, base, email string }{
		{"user-flow", authorizeAt(srv.URL+"/woodgrove.onmicrosoft.com", "B2C_1_Standard", woodgroveClient, srv.URL+"/jwt"), srv.URL, "vic@woodgrove.example"},
		{"custom-policy", authorizeAt(example.URL+"/contoso.onmicrosoft.com", "B2C_1A_signup_signin", "4f6b1a52-8c7e-4d3a-9b21-6e0f5c7d8a90", example.URL+"/jwt"), example.URL, "vic@contoso.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := chromium(t)
			verControlStates(t, ctx, tc.authorize, tc.base, tc.email)
		})
	}
}

func verControlStates(t *testing.T, ctx context.Context, authorize, base, email string) {
	step := 0
	run := func(actions ...chromedp.Action[chromedp.Void]) {
		step++
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
	}
	run(chromedp.Navigate(authorize), chromedp.Click(css("a#createAccount")), chromedp.WaitVisible(css("#email_ver_but_send")))
	checkVerControl(t, ctx, "before send", false, "email_ver_but_send")
	markVerElements(t, ctx)

	// A suite waits for the verify button to become visible after the send.
	run(chromedp.SendKeys(css("#email"), email), chromedp.Click(css("#email_ver_but_send")), chromedp.WaitVisible(css("#email_ver_but_verify")))
	sent := []string{"email_ver_input_label", "email_ver_input", "email_ver_but_verify", "email_ver_but_resend"}
	checkVerControl(t, ctx, "code sent", false, sent...)
	if !sameElements(t, ctx) {
		t.Error("code sent: the control's elements were replaced, not shown and hidden")
	}

	for i := 0; i < 3; i++ { // three wrong codes use the code up
		run(chromedp.SetValue(css("#email_ver_input"), "1"), chromedp.Click(css("#email_ver_but_verify")))
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#email_ver_wait").style.display === "none" && !document.querySelector("#email_ver_but_verify").disabled`)); err != nil {
			t.Fatalf("wrong code %d: %v; %s", i, err, eval[string](t, ctx, `document.querySelector("#email_ver_control").outerHTML`))
		}
	}
	shownWith(t, ctx, "#email_fail_retry", "You've made too many incorrect attempts.")
	checkVerControl(t, ctx, "too many attempts", false, "email_ver_but_send")

	run(chromedp.Click(css("#email_ver_but_send")), chromedp.WaitVisible(css("#email_ver_but_verify")))
	var outbox struct{ Emails []struct{ Code string } }
	getJSON(t, base+"/_emulator/emails?to="+url.QueryEscape(email), &outbox)
	if len(outbox.Emails) != 2 {
		t.Fatalf("outbox = %+v", outbox)
	}
	// The outbox lists the newest first.
	run(chromedp.SendKeys(css("#email_ver_input"), outbox.Emails[0].Code), chromedp.Click(css("#email_ver_but_verify")), chromedp.WaitVisible(css("#email_ver_but_edit")))
	checkVerControl(t, ctx, "verified", true, "email_ver_but_edit")
	if !sameElements(t, ctx) {
		t.Error("verified: the control's elements were replaced, not shown and hidden")
	}

	run(chromedp.Click(css("#email_ver_but_edit")), chromedp.WaitVisible(css("#email_ver_but_send")))
	checkVerControl(t, ctx, "edit", false, "email_ver_but_send")
}
