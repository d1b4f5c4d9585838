package web_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

const ssoClient = "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"

// ssoTenant serves plain http; APP is the application's origin.
const ssoTenant = `
tenant: {name: contoso, id: 775527ff-9a37-4307-8b3d-cc311f58d925}
identityProviders:
  - id: facebook.com
    displayName: Facebook
    accounts:
      - {issuerAssignedId: "fb-100", email: lee@fabrikam.com, displayName: Lee Park, givenName: Lee, surname: Park}
applications:
  - {name: SPA, clientId: ` + ssoClient + `, redirectUris: ["APP/callback"]}
userFlows:
  - id: B2C_1_susi
    type: signUpOrSignIn
    identityProviders: [facebook.com]
    userAttributes: [{name: displayName, required: true}]
    applicationClaims: [displayName, objectId]
`

// TestBrowserSilentRenewInIframe signs in at the emulator on http://localhost, then opens an
// application page on http://127.0.0.1 (another site) that renews in a hidden iframe with
// prompt=none, as MSAL's ssoSilent and oidc-client-ts's silent renew do. The iframe sends the
// SSO cookie only because it is SameSite=None; Secure, which Chromium keeps from
// http://localhost, and only when the browser allows third-party cookies; a browser that blocks
// them gets interaction_required, as from a real tenant.
func TestBrowserSilentRenewInIframe(t *testing.T) {
	for _, tt := range []struct {
		name  string
		mode  int    // Chromium's profile.cookie_controls_mode: 0 allows third-party cookies, 1 blocks them
		renew string // what the iframe brings back after the sign-in
	}{
		{"third-party cookies allowed", 0, "code"},
		{"third-party cookies blocked", 1, "interaction_required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := silentRenew(t, chromiumCookies(t, tt.mode)); got != tt.renew {
				t.Errorf("iframe renewal after the sign-in brought %q, want %q", got, tt.renew)
			}
		})
	}
}

// silentRenew renews in an iframe before and after a sign-in and returns what the second renewal
// brought back: "code" or the error.
func silentRenew(t *testing.T, ctx context.Context) string {
	t.Helper()
	callbacks := make(chan url.Values, 4)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/callback":
			callbacks <- r.URL.Query()
			w.Write([]byte("<!doctype html><title>callback</title><p id=done>back</p>"))
		case "/renew":
			w.Write([]byte(`<!doctype html><title>app</title><iframe hidden src="` + html.EscapeString(r.URL.Query().Get("src")) + `"></iframe>`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(app.Close)
	srv := emulatortest.Start(t, strings.Replace(ssoTenant, "APP", app.URL, 1))
	u, _ := url.Parse(srv.URL)
	emulator := "http://localhost:" + u.Port() // another site than the app's 127.0.0.1
	authorize := func(extra url.Values) string {
		q := url.Values{"client_id": {ssoClient}, "redirect_uri": {app.URL + "/callback"}, "scope": {"openid"}, "response_type": {"code"},
			"code_challenge": {"0123456789abcdef0123456789abcdef0123456789a"}, "state": {"s"}}
		for k, v := range extra {
			q[k] = v
		}
		return emulator + "/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/authorize?" + q.Encode()
	}
	renew := app.URL + "/renew?src=" + url.QueryEscape(authorize(url.Values{"prompt": {"none"}, "state": {"silent"}}))

	if err := chromedp.Do(ctx, chromedp.Navigate(renew)); err != nil {
		t.Fatal(err)
	}
	if got := next(t, callbacks); got.Get("error") != "interaction_required" || got.Get("state") != "silent" {
		t.Fatalf("iframe renewal before any sign-in = %v", got)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(authorize(nil)),
		chromedp.Click(css(`button#FacebookExchange`)),
		chromedp.Click(css(`button.fixtureAccount[value="fb-100"]`)),
		chromedp.Click(css(`button#continue`)),
		chromedp.WaitVisible(css(`#done`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := next(t, callbacks); got.Get("code") == "" {
		t.Fatalf("sign-in = %v", got)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(renew)); err != nil {
		t.Fatal(err)
	}
	got := next(t, callbacks)
	if got.Get("state") != "silent" {
		t.Fatalf("iframe renewal answered %v", got)
	}
	if got.Get("code") != "" {
		return "code"
	}
	return got.Get("error")
}

// next waits for the application's next callback.
func next(t *testing.T, callbacks <-chan url.Values) url.Values {
	t.Helper()
	select {
	case q := <-callbacks:
		return q
	case <-time.After(30 * time.Second):
		t.Fatal("the application's callback was never reached")
		return nil
	}
}
