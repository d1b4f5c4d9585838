package clients_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestOIDCClientTS runs oidc-client-ts in Chromium as a B2C single-page app: the policy's
// v2.0 authority, code flow with PKCE, offline_access and an API scope. signinRedirect signs
// in; signinSilent renews with the refresh token, then, with the refresh token gone from the
// store, in a hidden iframe (prompt=none); signoutRedirect ends the SSO session, so a silent
// sign-in afterwards answers interaction_required.
func TestOIDCClientTS(t *testing.T) {
	lib, _ := filepath.Abs(filepath.Join("testdata", "node", "node_modules", "oidc-client-ts", "dist", "browser"))
	chromium, certutil := browserTools(t, lib)
	app := newSPA(t, map[string]string{"/oidc-client-ts.min.js": filepath.Join(lib, "oidc-client-ts.min.js")}, "oidc.html", "oidc-silent.html", "oidc.js")
	srv := emulatortest.Start(t, tenantFor(app.URL, "/oidc.html", "/oidc-silent.html"))
	app.cfg, _ = json.Marshal(map[string]string{"clientId": spaClient, "authority": srv.URL + "/contoso.onmicrosoft.com/B2C_1_susi/v2.0/",
		"apiScope": "https://contoso.onmicrosoft.com/tasks-api/tasks.read"})
	ctx := chromiumTrusting(t, chromium, certutil, srv.CAFile)
	page := app.URL + "/oidc.html"
	open(t, ctx, page, "app.ready()")
	leave(t, ctx, "app.signin()")
	signInPages(t, ctx)
	waitFor(t, ctx, page, "app.ready()")

	var login, refreshed, renewed, after map[string]any
	call(t, ctx, "app.user()", &login)
	checkOIDCUser(t, "signinRedirect", login)
	if c := claimsOf(t, login["idToken"].(string)); c["aud"] != spaClient || c["iss"] != srv.URL+"/"+tenantID+"/v2.0/" || c["tfp"] != "b2c_1_susi" {
		t.Errorf("signinRedirect id token claims = %v", c)
	}
	call(t, ctx, "app.refresh()", &refreshed)
	checkOIDCUser(t, "signinSilent with a refresh token", refreshed)
	if n := app.served("/oidc-silent.html", "iframe"); n != 0 || refreshed["refreshToken"] == login["refreshToken"] {
		t.Errorf("signinSilent with a refresh token: %d iframes, refresh token rotated %v", n, refreshed["refreshToken"] != login["refreshToken"])
	}
	call(t, ctx, "app.iframe()", &renewed)
	checkOIDCUser(t, "signinSilent in the iframe", renewed)
	if n := app.served("/oidc-silent.html", "iframe"); n != 1 {
		t.Errorf("signinSilent without a refresh token loaded silent_redirect_uri in an iframe %d times, want 1", n)
	}
	sameUser(t, "silent renewal", login["idToken"], refreshed["idToken"], renewed["idToken"])
	usedPKCE(t, srv)

	leave(t, ctx, "app.signout()")
	waitFor(t, ctx, page, "app.ready()")
	call(t, ctx, "app.user()", &after)
	if after["error"] != "no user" {
		t.Errorf("a user is stored after signoutRedirect (%v)", after["error"])
	}
	call(t, ctx, "app.iframe()", &after)
	if after["error"] != "interaction_required" || !strings.HasPrefix(fmt.Sprint(after["message"]), "AADB2C90077: ") {
		t.Errorf("signinSilent after signoutRedirect: error %v %v, want interaction_required (AADB2C90077)", after["error"], after["message"])
	}
}

// leave starts a step that navigates the tab away from the app (a redirect to the emulator).
func leave(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(step, chromedp.Evaluate[chromedp.Void]("window.left = true; "+expr+", true")); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
}

// checkOIDCUser fails unless oidc-client-ts stored a user with the API's access token and a
// refresh token.
func checkOIDCUser(t *testing.T, what string, u map[string]any) {
	t.Helper()
	if u["error"] != nil {
		t.Fatalf("%s: %v %v", what, u["error"], u["message"])
	}
	if at := claimsOf(t, u["accessToken"].(string)); at["aud"] != apiClient || at["scp"] != "tasks.read" || u["refreshToken"] == "" {
		t.Errorf("%s: access token %v, refresh token %q", what, at, u["refreshToken"])
	}
}
