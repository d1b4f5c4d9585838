package clients_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestMSALBrowser runs @azure/msal-browser in Chromium: a single-page app on http://127.0.0.1
// signs in with loginRedirect at the emulator on https://localhost (its development CA trusted
// as a developer trusts it, in the profile's NSS database), gets an access token for an API with
// acquireTokenSilent and renews with ssoSilent in a hidden iframe; ssoSilent before the sign-in
// fails with InteractionRequiredAuthError (prompt=none, AADB2C90077).
func TestMSALBrowser(t *testing.T) {
	lib, _ := filepath.Abs(filepath.Join("testdata", "node", "node_modules", "@azure", "msal-browser", "lib"))
	chromium, certutil := browserTools(t, lib)
	app := newSPA(t, msalFiles(lib), "index.html", "redirect.html", "app.js", "bridge.js")
	srv := emulatortest.Start(t, tenantFor(app.URL, "/redirect.html"))
	u, _ := url.Parse(srv.URL)
	app.cfg, _ = json.Marshal(map[string]string{"clientId": spaClient, "authority": srv.URL + "/contoso.onmicrosoft.com/B2C_1_susi",
		"knownAuthority": u.Host, "apiScope": "https://contoso.onmicrosoft.com/tasks-api/tasks.read"})
	ctx := chromiumTrusting(t, chromium, certutil, srv.CAFile)

	step, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(step, chromedp.Navigate(app.URL+"/index.html")); err != nil {
		t.Fatalf("opening the app: %v", err)
	}
	signInPages(t, ctx)
	var out map[string]any
	select {
	case out = <-app.results:
	case <-ctx.Done():
		t.Fatal("the app never reported")
	}
	if out["error"] != nil {
		t.Fatalf("msal-browser failed: %v %v", out["error"], out["message"])
	}
	if before := out["before"].(string); !strings.HasPrefix(before, "true interaction_required AADB2C90077: ") {
		t.Errorf("ssoSilent without a session: %q, want InteractionRequiredAuthError", before)
	}
	if claims := out["idTokenClaims"].(map[string]any); claims["aud"] != spaClient || claims["iss"] != srv.URL+"/"+tenantID+"/v2.0/" {
		t.Errorf("id token claims = %v", claims)
	}
	if at := claimsOf(t, out["apiAccessToken"].(string)); at["aud"] != apiClient || at["scp"] != "tasks.read" || out["apiFromCache"] != false {
		t.Errorf("acquireTokenSilent for the API: %v (from cache %v)", at, out["apiFromCache"])
	}
	if sso := claimsOf(t, out["ssoIdToken"].(string)); sso["sub"] != claimsOf(t, out["loginIdToken"].(string))["sub"] {
		t.Errorf("ssoSilent signed in someone else: %v", sso)
	}
}

// msalFiles are msal-browser's browser builds in lib.
func msalFiles(lib string) map[string]string {
	return map[string]string{
		"/msal-browser.min.js":         filepath.Join(lib, "msal-browser.min.js"),
		"/msal-redirect-bridge.min.js": filepath.Join(lib, "redirect-bridge", "msal-redirect-bridge.min.js"),
	}
}

// browserTools finds chromium and certutil, or skips the test when they or the npm packages
// are missing (B2CEMU_REQUIRE_CLIENTS=1 turns the skip into a failure).
func browserTools(t *testing.T, lib string) (chromium, certutil string) {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	certutil, err2 := exec.LookPath("certutil")
	_, err3 := os.Stat(lib)
	if err != nil || err2 != nil || err3 != nil {
		if os.Getenv("B2CEMU_REQUIRE_CLIENTS") != "" {
			t.Fatalf("chromium, certutil (libnss3-tools) or testdata/node/node_modules is missing")
		}
		t.Skip("chromium, certutil or the client packages are not installed")
	}
	return chromium, certutil
}

// chromiumTrusting starts Chromium with a HOME whose NSS database trusts the CA in caFile, as
// a developer trusts a development CA on Linux (certutil into ~/.pki/nssdb), and third-party
// cookies allowed (the app and the emulator are different sites).
func chromiumTrusting(t *testing.T, chromium, certutil, caFile string) context.Context {
	t.Helper()
	home := t.TempDir()
	nss := "sql:" + filepath.Join(home, ".pki", "nssdb")
	os.MkdirAll(filepath.Join(home, ".pki", "nssdb"), 0o700)
	for _, args := range [][]string{{"-N", "--empty-password"}, {"-A", "-t", "C,,", "-n", "b2cemu development CA", "-i", caFile}} {
		if out, err := exec.Command(certutil, append([]string{"-d", nss}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("certutil %v: %v %s", args, err, out)
		}
	}
	profile := filepath.Join(home, "profile")
	os.MkdirAll(filepath.Join(profile, "Default"), 0o700)
	os.WriteFile(filepath.Join(profile, "Default", "Preferences"), []byte(`{"profile":{"cookie_controls_mode":0}}`), 0o600)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(profile), chromedp.Env("HOME="+home), chromedp.Flag("disable-component-update", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil { // starts the browser on a context without a deadline
		t.Fatalf("starting chromium: %v", err)
	}
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

type css = chromedp.CSS

// TestMSALBrowserSession runs the rest of msal-browser's single-page-app life in Chromium:
// loginPopup, acquireTokenSilent forced through the refresh token and then through the hidden
// iframe, and logoutRedirect, which lands on post_logout_redirect_uri with the SSO session
// gone, so ssoSilent afterwards fails with InteractionRequiredAuthError.
func TestMSALBrowserSession(t *testing.T) {
	lib, _ := filepath.Abs(filepath.Join("testdata", "node", "node_modules", "@azure", "msal-browser", "lib"))
	chromium, certutil := browserTools(t, lib)
	app := newSPA(t, msalFiles(lib), "session.html", "session.js", "redirect.html", "bridge.js")
	srv := emulatortest.Start(t, tenantFor(app.URL, "/redirect.html", "/session.html"))
	u, _ := url.Parse(srv.URL)
	app.cfg, _ = json.Marshal(map[string]string{"clientId": spaClient, "authority": srv.URL + "/contoso.onmicrosoft.com/B2C_1_susi",
		"knownAuthority": u.Host, "apiScope": "https://contoso.onmicrosoft.com/tasks-api/tasks.read"})
	ctx := chromiumTrusting(t, chromium, certutil, srv.CAFile)
	page := app.URL + "/session.html"
	open(t, ctx, page, "app.ready.then(() => ({}))")

	signInPages(t, popupOf(t, ctx, "button#popup"))
	var login, refreshed, renewed, after map[string]any
	call(t, ctx, "app.popupResult()", &login)
	if login["error"] != nil {
		t.Fatalf("loginPopup: %v %v", login["error"], login["message"])
	}
	if c := claimsOf(t, login["idToken"].(string)); c["aud"] != spaClient || c["iss"] != srv.URL+"/"+tenantID+"/v2.0/" {
		t.Errorf("loginPopup id token claims = %v", c)
	}
	if n := app.served("/redirect.html", "document"); n != 1 {
		t.Errorf("the popup loaded the redirect page %d times, want 1", n)
	}

	call(t, ctx, "app.refresh()", &refreshed)
	checkAPIToken(t, "acquireTokenSilent with CacheLookupPolicy.RefreshToken", refreshed)
	if n := app.served("/redirect.html", "iframe"); n != 0 {
		t.Errorf("CacheLookupPolicy.RefreshToken used a hidden iframe (%d)", n)
	}
	call(t, ctx, "app.iframe()", &renewed)
	checkAPIToken(t, "acquireTokenSilent with CacheLookupPolicy.Skip", renewed)
	if n := app.served("/redirect.html", "iframe"); n != 1 {
		t.Errorf("CacheLookupPolicy.Skip loaded the redirect page in an iframe %d times, want 1", n)
	}
	if renewed["accessToken"] == refreshed["accessToken"] {
		t.Error("the iframe renewal answered the cached access token")
	}
	sameUser(t, "silent renewal", login["idToken"], refreshed["idToken"], renewed["idToken"])
	usedPKCE(t, srv)

	leave(t, ctx, "app.logout()")
	waitFor(t, ctx, page, "app.ready.then(() => ({}))")
	call(t, ctx, "app.sso()", &after)
	if after["interactionRequired"] != true || !strings.HasPrefix(fmt.Sprint(after["message"]), "AADB2C90077: ") {
		t.Errorf("ssoSilent after logoutRedirect: error %v %v, want InteractionRequiredAuthError (AADB2C90077)", after["error"], after["message"])
	}
}

// checkAPIToken fails unless a silent answer carries a fresh access token for the API.
func checkAPIToken(t *testing.T, what string, out map[string]any) {
	t.Helper()
	if out["error"] != nil {
		t.Fatalf("%s: %v %v", what, out["error"], out["message"])
	}
	if at := claimsOf(t, out["accessToken"].(string)); at["aud"] != apiClient || at["scp"] != "tasks.read" || out["fromCache"] != false {
		t.Errorf("%s: access token %v (from cache %v)", what, at, out["fromCache"])
	}
}

// usedPKCE fails when the emulator saw a public client redeem a code without PKCE.
func usedPKCE(t *testing.T, srv *emulatortest.Server) {
	t.Helper()
	if log := srv.Log.String(); strings.Contains(log, "without PKCE") {
		t.Errorf("a code was redeemed without PKCE:\n%s", log)
	}
}
