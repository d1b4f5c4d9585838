package web_test

import (
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// inLayout is the browser tenant with its user flow's pageLayout set.
func inLayout(hook, layout string) string {
	yaml := strings.Replace(browserTenant, "CONNECTOR", hook, 1)
	return strings.Replace(yaml, "    type: signUpOrSignIn\n", "    type: signUpOrSignIn\n    pageLayout: "+layout+"\n", 1)
}

func woodgroveAuthorize(base string) string {
	return base + "/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize?" + url.Values{
		"client_id": {"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}, "redirect_uri": {base + "/jwt"}, "scope": {"openid"},
		"response_type": {"id_token"}, "response_mode": {"form_post"}, "nonce": {"n"}, "prompt": {"login"}}.Encode()
}

// TestBrowserPageTemplates walks the pages of a user flow in each built-in template in
// Chromium: each keeps B2C's ids, draws with its own stylesheet and the provider button in
// its colours and mark; a screenshot of each page in each template goes to docs/screenshots.
func TestBrowserPageTemplates(t *testing.T) {
	ctx := chromium(t)
	hook := httptest.NewServer(&woodgroveAPI{})
	defer hook.Close()
	for _, tmpl := range []string{"oceanBlue", "slateGray", "classic"} {
		srv := emulatortest.Start(t, inLayout(hook.URL, "{template: "+tmpl+"}"))
		authorize := woodgroveAuthorize(srv.URL)
		name := func(page string) chromedp.Action[chromedp.Void] { return shot("template-" + tmpl + "-" + page) }
		err := chromedp.Do(ctx,
			chromedp.Navigate(authorize),
			chromedp.WaitVisible(css("body.template-"+tmpl+" #api[data-name=Unified] #localAccountForm #email")), name("signin"))
		if err != nil {
			t.Fatalf("%s: %v", tmpl, err)
		}
		for _, sel := range []string{"#password", "button#next", "#createAccount", "#forgotPassword", "button#GoogleExchange", "#background_branding_container"} {
			if eval[int](t, ctx, `document.querySelectorAll("`+sel+`").length`) != 1 {
				t.Errorf("%s: no %s", tmpl, sel)
			}
		}
		if sheet := eval[bool](t, ctx, `Array.from(document.styleSheets).some(s => s.href && s.href.endsWith("/_static/`+tmpl+`.css") && s.cssRules.length > 0)`); !sheet {
			t.Errorf("%s: its stylesheet did not load", tmpl)
		}
		if bg := eval[string](t, ctx, `getComputedStyle(document.getElementById("GoogleExchange")).backgroundImage`); !strings.Contains(bg, "/_static/idp/google.svg") {
			t.Errorf("%s: the Google button's mark is %q", tmpl, bg)
		}
		err = chromedp.Do(ctx,
			chromedp.Click(css("#createAccount")),
			chromedp.WaitVisible(css("#api[data-name=SelfAsserted] #attributeVerification #email")), name("local-sign-up"),
			chromedp.Navigate(authorize),
			chromedp.WaitVisible(css("button#GoogleExchange")), chromedp.Click(css("button#GoogleExchange")),
			chromedp.WaitVisible(css(`button.fixtureAccount[value="g-100"]`)), chromedp.Click(css(`button.fixtureAccount[value="g-100"]`)),
			chromedp.WaitVisible(css("body.template-"+tmpl+" #attributeVerification #displayName")), name("attributes"),
			chromedp.Navigate(authorize),
			chromedp.WaitVisible(css("button#GoogleExchange")), chromedp.Click(css("button#GoogleExchange")),
			chromedp.WaitVisible(css(`button.fixtureAccount[value="g-666"]`)), chromedp.Click(css(`button.fixtureAccount[value="g-666"]`)),
			chromedp.WaitVisible(css("body.template-"+tmpl+" #api[data-name=SelfAsserted] .intro")), name("block"),
			chromedp.Navigate(srv.URL+"/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize?client_id=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d&redirect_uri=https%3A%2F%2Fevil.example%2F"),
			chromedp.WaitVisible(css("body.template-"+tmpl+" #api[data-name=GlobalException] #errorCode")), name("error"))
		if err != nil {
			t.Fatalf("%s: %v", tmpl, err)
		}
		// A sign-up flow's first page is the identity provider choice.
		signUp := emulatortest.Start(t, strings.Replace(inLayout(hook.URL, "{template: "+tmpl+"}"), "type: signUpOrSignIn\n", "type: signUp\n", 1))
		err = chromedp.Do(ctx, chromedp.Navigate(woodgroveAuthorize(signUp.URL)),
			chromedp.WaitVisible(css("body.template-"+tmpl+" #api[data-name=IdpSelections] button#GoogleExchange")), name("idp-selection"))
		if err != nil {
			t.Fatalf("%s: %v", tmpl, err)
		}
	}
}

// customPage is a tenant's own unified page: a stylesheet beside it, an inline style and a
// script that marks the page.
const customPage = `<!DOCTYPE html>
<html><head><title>Woodgrove</title><link rel="stylesheet" href="site.css">
<style>#api h2 { color: rgb(12, 34, 56); } body { background: #f4efe6; margin: 0; font-family: Georgia, serif; }</style>
<script>document.documentElement.dataset.custom = "ran";</script></head>
<body><header class="brand">Woodgrove Bank</header><main><div id="api" class="card"></div></main></body></html>`

// TestBrowserCustomPageContent: a custom page's CSS (its own stylesheet and its <style>)
// applies to B2C's page inside it; its script runs only when the flow enables JavaScript;
// b2cemu's own page script works either way (the empty form's required messages).
func TestBrowserCustomPageContent(t *testing.T) {
	ctx := chromium(t)
	hook := httptest.NewServer(&woodgroveAPI{})
	defer hook.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "unified.html"), []byte(customPage), 0o644)
	os.WriteFile(filepath.Join(dir, "site.css"), []byte(`.brand { display: block; padding: 16px; color: #fff; background: rgb(20, 90, 50); font-size: 22px; }
.card { max-width: 420px; margin: 32px auto; background: #fff; padding: 24px; border-radius: 8px; }`), 0o644)
	for _, js := range []bool{false, true} {
		layout := "{customPageUri: {unified: " + filepath.Join(dir, "unified.html") + "}}"
		if js {
			layout = "{javaScript: true, customPageUri: {unified: " + filepath.Join(dir, "unified.html") + "}}"
		}
		srv := emulatortest.Start(t, inLayout(hook.URL, layout))
		name := ""
		if js {
			name = "custom-page"
		}
		err := chromedp.Do(ctx, chromedp.Navigate(woodgroveAuthorize(srv.URL)),
			chromedp.WaitVisible(css("header.brand + main #api.card[data-name=Unified] #localAccountForm #next")), shot(name))
		if err != nil {
			t.Fatalf("javaScript %v: %v", js, err)
		}
		if got := eval[string](t, ctx, `getComputedStyle(document.querySelector("#api h2")).color`); got != "rgb(12, 34, 56)" {
			t.Errorf("javaScript %v: the custom <style> did not apply: %s", js, got)
		}
		if got := eval[string](t, ctx, `getComputedStyle(document.querySelector("header.brand")).backgroundColor`); got != "rgb(20, 90, 50)" {
			t.Errorf("javaScript %v: the custom stylesheet did not apply: %s", js, got)
		}
		if ran := eval[string](t, ctx, `document.documentElement.dataset.custom || ""`); (ran == "ran") != js {
			t.Errorf("javaScript %v: the custom script ran: %q", js, ran)
		}
		err = chromedp.Do(ctx, chromedp.Click(css("button#next")), chromedp.WaitVisible(css("#email ~ .error.itemLevel.show, .entry-item .error.itemLevel.show")))
		if err != nil {
			t.Fatalf("javaScript %v: b2cemu's page script did not check the form: %v", js, err)
		}
	}
}
