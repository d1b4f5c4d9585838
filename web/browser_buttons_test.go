package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestBrowserPageWithoutButtons: in Chromium, a self-asserted page whose profile sets
// setting.showContinueButton and setting.showCancelButton to false shows its message (a
// Paragraph claim: text, no input) and neither #continue nor #cancel, and Enter on its
// message posts nothing and loads no page, with scripts on and with scripts off.
func TestBrowserPageWithoutButtons(t *testing.T) {
	srv := startFixture(t, "selfasserted")
	authorize := srv.URL + "/contoso.onmicrosoft.com/B2C_1A_sa_message/oauth2/v2.0/authorize?client_id=" + phoneClient +
		"&redirect_uri=" + srv.URL + "/jwt&scope=openid&response_type=id_token&nonce=n"
	for _, scripts := range []bool{true, false} {
		name := map[bool]string{true: "scripts on", false: "scripts off"}[scripts]
		t.Run(name, func(t *testing.T) {
			ctx := chromium(t)
			if !scripts {
				if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
					t.Fatal(err)
				}
			}
			const message = "li.Paragraph.message_li p.textInParagraph#message"
			if err := chromedp.Do(ctx, chromedp.Navigate(authorize), chromedp.WaitVisible(css(message)), shot("custom-no-buttons")); err != nil {
				t.Fatal(err)
			}
			if got := read(t, ctx, chromedp.Text(css(message))); got != "You already have an account. Sign in with it instead." {
				t.Errorf("message %q", got)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll("#attributeList input, #attributeList textarea").length`); n != 0 {
				t.Errorf("%d inputs on the message page", n)
			}
			for _, sel := range []string{"div.buttons > button#continue", "div.buttons > button#cancel"} {
				if found, shown := presence(t, ctx, sel); !found || shown {
					t.Errorf("%s: in the page %v, shown %v; want a hidden button", sel, found, shown)
				}
			}
			net := watchNetwork(t, ctx)
			before := read(t, ctx, chromedp.Location())
			if err := chromedp.Do(ctx, chromedp.SendKeys(css(message), "\r"), chromedp.Sleep(700*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			if after := read(t, ctx, chromedp.Location()); after != before || net.count() != 0 {
				t.Errorf("Enter: location %s (was %s), %d requests", after, before, net.count())
			}
		})
	}
}

// TestBrowserParagraph: in Chromium, a page that shows a Paragraph claim above a text box
// shows the claim's value as text (its markup as characters, no element), and continuing puts
// that value in the token, even when the form carries another value under the claim's name.
func TestBrowserParagraph(t *testing.T) {
	srv := startFixture(t, "selfasserted")
	policy := srv.URL + "/contoso.onmicrosoft.com/B2C_1A_sa_notice"
	authorize := policy + "/oauth2/v2.0/authorize?client_id=" + phoneClient + "&redirect_uri=" + srv.URL +
		"/jwt&scope=openid&response_type=id_token&response_mode=form_post&nonce=n"
	const shown = "Your code is 12345 <b>today</b>."
	for _, forged := range []bool{false, true} {
		t.Run(map[bool]string{false: "as shown", true: "a forged value"}[forged], func(t *testing.T) {
			ctx := chromium(t)
			if err := chromedp.Do(ctx, chromedp.Navigate(authorize), chromedp.WaitVisible(css("p.textInParagraph#message")), shot("custom-paragraph")); err != nil {
				t.Fatal(err)
			}
			if got := read(t, ctx, chromedp.Text(css("#message"))); got != shown || eval[int](t, ctx, `document.querySelectorAll("#message b, input#message").length`) != 0 {
				t.Errorf("the Paragraph shows %q, or holds an element", got)
			}
			if forged {
				eval[bool](t, ctx, `(() => { const i = document.createElement("input"); i.type = "hidden"; i.name = "message"; i.value = "forged";
					document.querySelector("#attributeVerification").append(i); return true; })()`)
			}
			if err := chromedp.Do(ctx, chromedp.SendKeys(css("#string1"), "abc"), chromedp.Click(css("#continue"))); err != nil {
				t.Fatal(err)
			}
			claims := emulatortest.Verify(t, policy+"/v2.0/.well-known/openid-configuration", shownText(t, ctx, "#token"))
			if claims["message"] != shown || claims["string1"] != "abc" {
				t.Errorf("token claims %v", claims)
			}
		})
	}
}

// presence reads whether the element sel is in the page and whether it takes space there.
func presence(t *testing.T, ctx context.Context, sel string) (found, shown bool) {
	t.Helper()
	v := eval[[]bool](t, ctx, `(() => { const e = document.querySelector(`+jsString(sel)+`); return [e !== null, e !== null && e.getClientRects().length > 0]; })()`)
	return v[0], v[1]
}

// count is the number of requests the page made since the log began.
func (l *netLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}
