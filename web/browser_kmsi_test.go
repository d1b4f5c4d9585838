package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// kmsiTenant has a sign-up or sign-in flow that keeps users signed in for 3 days when they
// check "Keep me signed in"; APP is the application's origin.
const kmsiTenant = `
tenant: {name: contoso, id: 775527ff-9a37-4307-8b3d-cc311f58d925}
applications:
  - {name: SPA, clientId: ` + ssoClient + `, redirectUris: ["APP/callback"]}
userFlows:
  - id: B2C_1_susi
    type: signUpOrSignIn
    identityProviders: [email]
    applicationClaims: [objectId]
    session: {keepMeSignedIn: true, keepMeSignedInDays: 3}
`

// TestBrowserKeepMeSignedIn signs in on the unified page in Chromium, with "Keep me signed in"
// checked or not, quits the browser and starts it again on the same profile, then authorizes
// with prompt=none. Checked, the SSO cookie is in Chromium's cookie store with the flow's 3 days
// of expiry, survives the restart, and the second authorize signs in without a page; unchecked,
// it is a session cookie that the restart drops, and the application gets interaction_required.
func TestBrowserKeepMeSignedIn(t *testing.T) {
	for _, tt := range []struct {
		name  string
		check bool
		after string // what the silent authorize after the restart brings back
	}{
		{"checked", true, "code"},
		{"unchecked", false, "interaction_required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			callbacks := make(chan url.Values, 4)
			app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/callback" { // the favicon
					http.NotFound(w, r)
					return
				}
				callbacks <- r.URL.Query()
				w.Header().Set("Content-Type", "text/html")
				w.Write([]byte("<!doctype html><title>callback</title><p id=done>back</p>"))
			}))
			t.Cleanup(app.Close)
			srv := emulatortest.Start(t, strings.Replace(kmsiTenant, "APP", app.URL, 1))
			seedUser(t, srv.URL, "kim@contoso.com", "Passw0rd!x", "Kim")
			u, _ := url.Parse(srv.URL)
			emulator := "http://localhost:" + u.Port() // a secure context: the cookie is Secure
			authorize := func(prompt string) string {
				q := url.Values{"client_id": {ssoClient}, "redirect_uri": {app.URL + "/callback"}, "scope": {"openid"}, "response_type": {"code"},
					"code_challenge": {"0123456789abcdef0123456789abcdef0123456789a"}, "state": {"s"}}
				if prompt != "" {
					q.Set("prompt", prompt)
				}
				return emulator + "/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/authorize?" + q.Encode()
			}
			profile := t.TempDir()
			ctx, quit := launchChromium(t, profile)
			t.Cleanup(quit)
			signInKept(t, ctx, authorize(""), tt.check)
			if got := next(t, callbacks); got.Get("code") == "" {
				t.Fatalf("sign-in = %v", got)
			}
			checkBrowserCookie(t, ctx, emulator, tt.check)
			quit()

			ctx, quit = launchChromium(t, profile)
			t.Cleanup(quit)
			if err := chromedp.Do(ctx, chromedp.Navigate(authorize("none"))); err != nil {
				t.Fatal(err)
			}
			got := next(t, callbacks)
			if (tt.after == "code" && got.Get("code") == "") || (tt.after != "code" && got.Get("error") != tt.after) {
				t.Errorf("silent authorize after the restart = %v, want %s", got, tt.after)
			}
		})
	}
}

// signInKept signs Kim in on the unified page, checking "Keep me signed in" when check is set.
// The box is shown unchecked, with its label, between the password and the sign-in button.
func signInKept(t *testing.T, ctx context.Context, authorize string, check bool) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(css(`#localAccountForm .rememberMe input#rememberMe`)),
		chromedp.SendKeys(css(`#email`), "kim@contoso.com"),
		chromedp.SendKeys(css(`#password`), "Passw0rd!x"),
	)
	if err != nil {
		t.Fatal(err)
	}
	label := read(t, ctx, chromedp.Text(css(`label[for=rememberMe]`)))
	checked := eval[bool](t, ctx, `document.getElementById("rememberMe").checked`)
	placed := eval[bool](t, ctx, `document.querySelector(".working + .rememberMe + .buttons > #next") !== null`)
	if label != "Keep me signed in" || checked || !placed {
		t.Fatalf("checkbox label %q, checked at first %v, between .working and the button %v", label, checked, placed)
	}
	actions := []chromedp.Action[chromedp.Void]{}
	if check {
		actions = append(actions, chromedp.Click(css(`#rememberMe`)))
	}
	actions = append(actions, chromedp.Click(css(`#next`)), chromedp.WaitVisible(css(`#done`)))
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// checkBrowserCookie reads the SSO cookie from Chromium's cookie store: kept, it expires in
// about 3 days; not kept, it is a session cookie.
func checkBrowserCookie(t *testing.T, ctx context.Context, emulator string, kept bool) {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{emulator + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	cookies := res.Cookies
	for _, ck := range cookies {
		if ck.Name != "x-ms-cpim-sso:contoso.onmicrosoft.com_0" {
			continue
		}
		left := time.Until(time.Unix(int64(ck.Expires), 0))
		switch {
		case !ck.Secure || ck.SameSite != network.CookieSameSiteNone:
			t.Errorf("cookie %+v is not SameSite=None; Secure", ck)
		case kept && (ck.Session || left < 71*time.Hour || left > 73*time.Hour):
			t.Errorf("kept cookie: session %v, expires in %s; want about 72h", ck.Session, left)
		case !kept && !ck.Session:
			t.Errorf("cookie expires in %s; want a session cookie", left)
		}
		return
	}
	t.Fatalf("no SSO cookie in the browser: %+v", cookies)
}
