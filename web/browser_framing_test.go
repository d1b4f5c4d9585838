package web_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/emulator/policy/policytest"
)

const framingClient = "4f6b1a52-8c7e-4d3a-9b21-6e0f5c7d8a90"

// framingApp is an application on https://127.0.0.1 whose /embed page shows src in an
// iframe and whose /callback takes the form_post answer.
func framingApp(t *testing.T, callbacks chan<- url.Values) *httptest.Server {
	app := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/embed":
			w.Write([]byte(`<!doctype html><title>app</title><iframe id="login" width="600" height="700" src="` + html.EscapeString(r.URL.Query().Get("src")) + `"></iframe>`))
		case "/callback":
			r.ParseForm()
			callbacks <- r.PostForm
			w.Write([]byte(`<!doctype html><title>callback</title><p id="done">signed in</p>`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(app.Close)
	return app
}

// startFramed serves the example policies with the sign-up or sign-in policy's JourneyFraming
// listing sources, and a local account to sign in with.
func startFramed(t *testing.T, sources, redirect string) *emulatortest.Server {
	t.Helper()
	src := filepath.Join("..", "docs", "examples", "custom-policies", "policies")
	dir := policytest.CopyEdited(t, src, map[string]func(string) string{"SignUpOrSignin.xml": func(s string) string {
		return policytest.Edit(t, s, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" />`,
			`<DefaultUserJourney ReferenceId="SignUpOrSignIn" /><UserJourneyBehaviors><JourneyFraming Enabled="true" Sources="`+sources+`" /></UserJourneyBehaviors>`)
	}})
	srv := emulatortest.Start(t, `
tenant: {name: contoso, id: 9d5a3e0c-1f7a-4c52-9a7e-2a0e4c6b7d11}
applications:
  - {name: Embedding app, clientId: `+framingClient+`, redirectUris: ["`+redirect+`"]}
customPolicies:
  paths: [`+dir+`]
`)
	seed := `{"email": "ana@contoso.com", "password": "Passw0rd!x", "attributes": {"displayName": "Ana Silva"}}`
	resp, err := srv.Client.Post(srv.URL+"/_emulator/users", "application/json", strings.NewReader(seed))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("seeding the user: %v %v", err, resp)
	}
	return srv
}

// TestBrowserJourneyFraming: a page on another origin (https://127.0.0.1, another port and
// scheme than the emulator's http://127.0.0.1) shows a custom policy's sign-in page in an
// iframe when its JourneyFraming lists that origin, and the sign-in completes inside the frame
// (the form_post answer is framed too); an origin it does not list gets a blocked frame, as the
// frame-ancestors directive makes Chromium refuse it. A browser that blocks third-party
// cookies shows the sign-in page in the frame but sends it no cookie, so the sign-in ends on
// the error page (Microsoft's article warns of such browsers).
func TestBrowserJourneyFraming(t *testing.T) {
	callbacks := make(chan url.Values, 2)
	listed, other := framingApp(t, callbacks), framingApp(t, callbacks)
	srv := startFramed(t, listed.URL+" https://app.contoso.com", listed.URL+"/callback")
	authorize := srv.URL + "/contoso.onmicrosoft.com/B2C_1A_signup_signin/oauth2/v2.0/authorize?" + url.Values{
		"client_id": {framingClient}, "redirect_uri": {listed.URL + "/callback"}, "scope": {"openid"},
		"response_type": {"id_token"}, "response_mode": {"form_post"}, "nonce": {"n"}}.Encode()
	for _, tc := range []struct {
		name string
		mode int // Chromium's profile.cookie_controls_mode: 0 allows third-party cookies (the default), 1 blocks them
	}{
		{"third-party cookies allowed", 0},
		{"third-party cookies blocked", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := chromiumCookies(t, tc.mode, chromedp.Flag("ignore-certificate-errors", true))
			if _, got := framed(t, ctx, other.URL+"/embed?src="+url.QueryEscape(authorize), srv.URL); got != "chrome-error://chromewebdata/" {
				t.Errorf("the frame of an origin JourneyFraming does not list shows %s", got)
			}
			fctx, got := framed(t, ctx, listed.URL+"/embed?src="+url.QueryEscape(authorize), srv.URL)
			if got != "sign-in" {
				t.Fatalf("the listed origin's frame shows %q, want the sign-in page", got)
			}
			err := chromedp.Do(fctx,
				chromedp.SendKeys(css("#signInName"), "ana@contoso.com"),
				chromedp.SendKeys(css("#password"), "Passw0rd!x"),
				chromedp.Click(css("#next")),
			)
			if err != nil {
				t.Fatal(err)
			}
			if tc.mode == 1 { // no cookie reaches the frame: the submit has no CSRF cookie
				if got := frameText(t, fctx, "CSRF token is missing"); !strings.Contains(got, "CSRF token is missing") {
					t.Errorf("the framed sign-in without cookies shows %q", got)
				}
				return
			}
			select {
			case q := <-callbacks:
				if q.Get("id_token") == "" {
					t.Errorf("the framed sign-in answered %v", q)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("the framed sign-in never reached the application's callback; the frame shows %q", eval[string](t, fctx, `location.href + " " + document.body.innerText`))
			}
		})
	}
}

// frameText waits up to 30 s for the frame's text to hold want and returns its text.
func frameText(t *testing.T, fctx context.Context, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := chromedp.Run(fctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		if err == nil && strings.Contains(got, want) || time.Now().After(deadline) {
			return got
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// framed opens embed and returns a context on its iframe (a cross-site frame runs in its own
// process, as its own target) and what the frame shows: "sign-in" for the policy's sign-in
// page, else the frame's location (Chromium's error page when the frame was refused).
func framed(t *testing.T, ctx context.Context, embed, emulator string) (context.Context, string) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(ctx) // a tab of its own: no frame of an earlier page
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(embed), chromedp.WaitReady(css("#login"))); err != nil {
		t.Fatal(err)
	}
	fctx := frameContext(t, ctx, emulator)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := eval[string](t, fctx, `document.querySelector("#signInName") ? "sign-in" : location.href`)
		if got == "sign-in" || strings.HasPrefix(got, "chrome-error:") || time.Now().After(deadline) {
			return fctx, got
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// frameContext is a context on the iframe target of ctx's tab (a cross-site frame runs in
// its own process) whose URL starts with prefix.
func frameContext(t *testing.T, ctx context.Context, prefix string) context.Context {
	t.Helper()
	tab := chromedp.FromContext(ctx).Target.TargetID
	deadline := time.Now().Add(10 * time.Second)
	for {
		targets, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range targets {
			if ti.Type == "iframe" && ti.ParentID == tab && strings.HasPrefix(ti.URL, prefix) {
				fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(ti.TargetID))
				t.Cleanup(cancel)
				return fctx
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no frame target on %s among %d targets", prefix, len(targets))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
