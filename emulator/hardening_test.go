package emulator_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestNoSecretLeaks runs sign-ups, a failed and a good token redemption and the inspector,
// then searches the log and every inspector view for the connector's password and API key
// and the application's secret.
func TestNoSecretLeaks(t *testing.T) {
	api := startAPI(t, validationScript())
	cfg := strings.Replace(tenantYAML(api), "password: pa55", "password: S3cr3t-pa55", 1)
	cfg = strings.Replace(cfg, "code=k3y%2B%3D", "code=K3y-s3cr3t", 1)
	cfg = strings.Replace(cfg, "clientSecret: app-secret", "clientSecret: App-s3cr3t", 1)
	srv := emulatortest.Start(t, cfg)
	b := srv.NewBrowser(t)
	page := b.Get(authorizeURL(nil))
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)
	page = b.Submit(page, "button#continue", map[string]string{"displayName": "Jo"}) // a ValidationError
	page = b.Submit(page, "button#continue", map[string]string{"displayName": "John Smith"})
	code := page.Location.Query().Get("code")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {clientID}, "client_secret": {"wrong"}}
	redeem(t, srv, form)
	form.Set("client_secret", "App-s3cr3t")
	if status, _ := redeem(t, srv, form); status != 200 {
		t.Fatalf("token: %d", status)
	}
	run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "facebook.com", "account": map[string]any{"issuerAssignedId": "fb-2"}})

	var views []string
	views = append(views, srv.Log.String())
	for _, accept := range []string{"application/json", "text/html"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/_emulator/calls", nil)
		req.Header.Set("Accept", accept)
		resp, err := srv.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		views = append(views, string(body))
	}
	if !strings.Contains(views[1], `"outcome":"ValidationError"`) {
		t.Fatalf("the inspector has no calls: %s", views[1])
	}
	for i, v := range views {
		for _, secret := range []string{"S3cr3t-pa55", "K3y-s3cr3t", "App-s3cr3t", "YjJjOlMzY3IzdC1wYTU1" /* base64 of b2c:S3cr3t-pa55 */} {
			if strings.Contains(v, secret) {
				t.Errorf("view %d shows the secret %q", i, secret)
			}
		}
	}
}

func TestRequestLimitsAndCrossSiteRequests(t *testing.T) {
	srv, b := start(t, validationScript())
	page := b.Get(authorizeURL(nil))
	action := page.Doc.Find("form").AttrOr("action", "")
	big := url.Values{"csrf": {"x"}, "seq": {"0"}, "signInName": {strings.Repeat("a", 100<<10)}}
	resp, err := b.Client.PostForm(srv.URL+action, big)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 100 KiB form: %d", resp.StatusCode)
	}
	huge := strings.NewReader(`{"clientId":"` + strings.Repeat("x", 2<<20) + `"}`)
	resp, err = srv.Client.Post(srv.URL+"/_emulator/flows/B2C_1_SignUpSignIn/run", "application/json", huge)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MiB run request: %d", resp.StatusCode)
	}
	for site, want := range map[string]int{"cross-site": 403, "same-origin": 204} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/_emulator/reset", nil)
		req.Header.Set("Sec-Fetch-Site", site)
		resp, err := srv.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("a %s reset: %d, want %d", site, resp.StatusCode, want)
		}
	}
	if b.Get("/healthz").Status != 200 {
		t.Error("the emulator stopped serving")
	}
}

func TestTokenResponsesAreNotCached(t *testing.T) {
	srv, b := start(t, validationScript())
	page := b.Get(authorizeURL(nil))
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)
	page = b.Submit(page, "button#continue", map[string]string{"displayName": "John Smith"})
	resp, err := http.PostForm(srv.URL+policyPath+"/oauth2/v2.0/token", url.Values{"grant_type": {"authorization_code"},
		"code": {page.Location.Query().Get("code")}, "client_id": {clientID}, "client_secret": {"app-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("%d Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}
