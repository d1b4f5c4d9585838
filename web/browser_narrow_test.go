package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestBrowserNarrowScreen: at a phone's 390 CSS pixels the home page (the widest table) and the
// error page fit the screen: nothing scrolls sideways.
func TestBrowserNarrowScreen(t *testing.T) {
	ctx := chromium(t)
	srv := emulatortest.Start(t, "")
	if _, err := chromedp.Run(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	for _, page := range []struct{ path, wait string }{
		{"/", "a.run"},
		{"/no/such/page", "#api[data-name=GlobalException]"},
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+page.path), chromedp.WaitVisible(css(page.wait))); err != nil {
			t.Fatalf("%s: %v", page.path, err)
		}
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s is %d px wide at 390 px", page.path, w)
		}
	}
}
