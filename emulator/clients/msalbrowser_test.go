package clients_test

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
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
	results := make(chan map[string]any, 1)
	var cfg []byte
	app := httptest.NewServer(msalApp(lib, &cfg, results))
	defer app.Close()
	srv := emulatortest.Start(t, strings.Replace(tenant, spaClient+"\n    redirectUris: ["+callback+"]",
		spaClient+"\n    redirectUris: ["+app.URL+"/redirect.html]", 1))
	u, _ := url.Parse(srv.URL)
	cfg, _ = json.Marshal(map[string]string{"clientId": spaClient, "authority": srv.URL + "/contoso.onmicrosoft.com/B2C_1_susi",
		"knownAuthority": u.Host, "apiScope": "https://contoso.onmicrosoft.com/tasks-api/tasks.read"})
	ctx := chromiumTrusting(t, chromium, certutil, srv.CAFile)

	step, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	err := chromedp.Do(step,
		chromedp.Navigate(app.URL+"/index.html"),
		chromedp.Click(css("button#FacebookExchange")),
		chromedp.Click(css(`button.fixtureAccount[value="fb-100"]`)),
		chromedp.Click(css("button#continue")),
	)
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.Text(css("body")))
		t.Fatalf("signing in at %s: %v\n%s", loc, err, body)
	}
	var out map[string]any
	select {
	case out = <-results:
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

// msalApp serves the app's pages, msal-browser's browser builds from lib, the app's settings
// and the endpoint the app reports to.
func msalApp(lib string, cfg *[]byte, results chan<- map[string]any) http.Handler {
	files := map[string]string{
		"/msal-browser.min.js":         filepath.Join(lib, "msal-browser.min.js"),
		"/msal-redirect-bridge.min.js": filepath.Join(lib, "redirect-bridge", "msal-redirect-bridge.min.js"),
	}
	for _, name := range []string{"index.html", "redirect.html", "app.js", "bridge.js"} {
		files["/"+name] = filepath.Join("testdata", "browser", name)
	}
	files["/"] = files["/index.html"]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/config.json":
			w.Header().Set("Content-Type", "application/json")
			w.Write(*cfg)
		case r.URL.Path == "/result" && r.Method == http.MethodPost:
			var m map[string]any
			body, _ := io.ReadAll(r.Body)
			json.Unmarshal(body, &m)
			results <- m
		case files[r.URL.Path] != "":
			// Not http.ServeFile: it redirects /index.html to /.
			b, err := os.ReadFile(files[r.URL.Path])
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", mime.TypeByExtension(filepath.Ext(files[r.URL.Path])))
			w.Write(b)
		default:
			http.NotFound(w, r)
		}
	})
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
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

type css = chromedp.CSS
