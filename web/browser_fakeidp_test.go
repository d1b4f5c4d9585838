package web_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestBrowserFakeIdP walks the fake identity provider's page in Chromium: a claims box that
// is not JSON comes back with its message and the text kept; a good one reaches the connector;
// the next visit says the account exists, the page's script says so of a typed identity too,
// and "Delete this user" deletes it, after which the account signs up again.
func TestBrowserFakeIdP(t *testing.T) {
	ctx := chromium(t)
	api := &woodgroveAPI{}
	hook := httptest.NewServer(api)
	defer hook.Close()
	srv := emulatortest.Start(t, strings.Replace(browserTenant, "CONNECTOR", hook.URL, 1))
	authorize := srv.URL + "/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize?" + url.Values{
		"client_id": {"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}, "redirect_uri": {srv.URL + "/jwt"}, "scope": {"openid"},
		"response_type": {"id_token"}, "response_mode": {"form_post"}, "nonce": {"n"}, "prompt": {"login"}}.Encode()
	toIdP := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(authorize),
		chromedp.Click(css("button#GoogleExchange")),
		chromedp.WaitVisible(css(`button.fixtureAccount[value="g-100"]`)),
	}
	signUp := func(t *testing.T) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.WaitVisible(css("#attributeVerification")),
			chromedp.SetValue(css("#displayName"), "Mia Chen-Long"),
			chromedp.Click(css("button#continue")),
			chromedp.WaitVisible(css("#token")),
		)
		if err != nil {
			t.Fatal(err)
		}
	}

	const bad = `{"given_name": "Mía",`
	err := chromedp.Do(ctx, append(toIdP,
		chromedp.SendKeys(css("textarea#claims"), bad),
		chromedp.Click(css(`button.fixtureAccount[value="g-100"]`)),
		chromedp.WaitVisible(css("#idpProblem")), shot("idp-claims-refused"))...,
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, ctx, chromedp.Text(css("#idpProblem"))); !strings.HasPrefix(got, "The claims box is not valid JSON") {
		t.Errorf("message %q", got)
	}
	if got := read(t, ctx, chromedp.Value(css("textarea#claims"))); got != bad {
		t.Errorf("the box holds %q, want what was typed", got)
	}
	if len(api.take()) != 0 {
		t.Error("a refused box called the connector")
	}
	eval[string](t, ctx, `document.querySelector("textarea#claims").value = '{"given_name": "Mía", "family_name": null}'`)
	if err := chromedp.Do(ctx, chromedp.Click(css(`button.fixtureAccount[value="g-100"]`))); err != nil {
		t.Fatal(err)
	}
	signUp(t)
	if steps := api.take(); len(steps) != 2 || steps[0] != "PostFederationSignup" {
		t.Fatalf("calls %v", steps)
	}

	// Again: the account exists, and so does the same subject typed.
	err = chromedp.Do(ctx, append(toIdP,
		chromedp.WaitVisible(css(".account .existing-user button.deleteUser")),
		chromedp.Click(css("details.custom-identity summary")),
		chromedp.SendKeys(css("#idp_issuerAssignedId"), "g-100"),
		chromedp.WaitVisible(css("#typedExisting .existing-user")), shot("idp-existing"))...,
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, ctx, chromedp.Text(css(".account .existing-user p"))); got != "This account already exists: signing in will not run the sign-up API connectors." {
		t.Errorf("notice %q", got)
	}
	fixture := eval[string](t, ctx, `document.querySelector(".account .existing-user button.deleteUser").value`)
	typed := eval[string](t, ctx, `document.querySelector("#typedExisting button.deleteUser").value`)
	if fixture == "deleteUser:" || typed != fixture {
		t.Errorf("the typed identity's delete button %q, the account's %q", typed, fixture)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#idp_issuerAssignedId"), "-not"),
		chromedp.WaitNotVisible(css("#typedExisting .existing-user")),
		chromedp.Click(css(".account .existing-user button.deleteUser")),
		chromedp.WaitVisible(css("#idpNotice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll(".account .existing-user").length`); n != 0 {
		t.Errorf("after the delete %d accounts still say they exist", n)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`button.fixtureAccount[value="g-100"]`))); err != nil {
		t.Fatal(err)
	}
	signUp(t)
	if steps := api.take(); len(steps) != 2 || steps[0] != "PostFederationSignup" {
		t.Errorf("after the delete the account signed up with the calls %v", steps)
	}
}
