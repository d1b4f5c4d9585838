package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserPageWithoutButtons: in Chromium, a self-asserted page whose profile sets
// setting.showContinueButton and setting.showCancelButton to false shows its message and
// neither #continue nor #cancel, and Enter in its field posts nothing and loads no page,
// with scripts on and with scripts off.
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
			if err := chromedp.Do(ctx, chromedp.Navigate(authorize), chromedp.WaitVisible(css("input#message")), shot("custom-no-buttons")); err != nil {
				t.Fatal(err)
			}
			if got := read(t, ctx, chromedp.Value(css("input#message"))); got != "You already have an account. Sign in with it instead." {
				t.Errorf("message %q", got)
			}
			for _, sel := range []string{"div.buttons > button#continue", "div.buttons > button#cancel"} {
				if found, shown := presence(t, ctx, sel); !found || shown {
					t.Errorf("%s: in the page %v, shown %v; want a hidden button", sel, found, shown)
				}
			}
			net := watchNetwork(t, ctx)
			before := read(t, ctx, chromedp.Location())
			if err := chromedp.Do(ctx, chromedp.SendKeys(css("input#message"), "\r"), chromedp.Sleep(700*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			if after := read(t, ctx, chromedp.Location()); after != before || net.count() != 0 {
				t.Errorf("Enter: location %s (was %s), %d requests", after, before, net.count())
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
