package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/contract"
	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// connectorSecrets are the secrets a failing connector's configuration carries: an Azure
// Functions key, an API gateway key, a SAS signature, a token, URL user information and the
// Basic password (also as its Authorization value).
var connectorSecrets = []string{"K3y-s3cr3t", "Gw-k3y-s3cr3t", "S1g-s3cr3t", "T0k3n-s3cr3t", "Us3r-s3cr3t", "S3cr3t-pa55",
	"YjJjOlMzY3IzdC1wYTU1" /* base64 of b2c:S3cr3t-pa55 */}

const secretQuery = "code=K3y-s3cr3t&subscription-key=Gw-k3y-s3cr3t&sig=S1g-s3cr3t&access_token=T0k3n-s3cr3t"

// TestNoSecretLeaks runs sign-ups, a failed and a good token redemption and the inspector,
// then, for a connector that fails in every way that hides an answer (refused, timed out,
// TLS, redirected), the pages, the headless API and `b2cemu connector test`; it searches the
// log, every page and answer, and every inspector view for the secrets. DNS failures are
// covered in emulator/connector (TestNoAnswerKeepsTheKeySecret, with a resolver that sends
// nothing): a real lookup of a name under .invalid would query this machine's name server.
func TestNoSecretLeaks(t *testing.T) {
	t.Run("answers", func(t *testing.T) {
		srv, b, page := secretTenant(t, startAPI(t, validationScript()), "2s")
		page = b.Submit(page, "button#continue", map[string]string{"displayName": "Jo"}) // a ValidationError
		page = b.Submit(page, "button#continue", map[string]string{"displayName": "John Smith"})
		code := page.Location.Query().Get("code")
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {clientID}, "client_secret": {"wrong"}}
		redeem(t, srv, form)
		form.Set("client_secret", "App-s3cr3t")
		if status, _ := redeem(t, srv, form); status != 200 {
			t.Fatalf("token: %d", status)
		}
		views := append(inspectorViews(t, srv), headless(t, srv, "fb-2"))
		if !strings.Contains(views[1], `"outcome":"ValidationError"`) {
			t.Fatalf("the inspector has no calls: %s", views[1])
		}
		noSecrets(t, views, append(connectorSecrets, "App-s3cr3t"))
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://b2c:Us3r-s3cr3t@" + ln.Addr().String()
	ln.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // the server notices the caller giving up only once the body is read
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	untrusted := httptest.NewTLSServer(validationScript())
	t.Cleanup(untrusted.Close)
	var stolen atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { stolen.Add(1) }))
	t.Cleanup(other.Close)
	elsewhere := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/steal?" + secretQuery
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirecting.Close)
	for _, tt := range []struct{ name, url, timeout, diagnostic string }{
		{"refused", closed, "2s", "connection was refused"},
		{"timeout", slow.URL, "300ms", "no answer within"},
		{"TLS", untrusted.URL, "2s", "not trusted"},
		{"redirect", redirecting.URL, "2s", "on another host"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, page := secretTenant(t, tt.url, tt.timeout)
			if page.Text("#errorCode") != "AADB2C90075" {
				t.Fatalf("not the error page:\n%s", page.Body)
			}
			views := []string{page.Body, headless(t, srv, "fb-2"), contractTest(t, srv)}
			views = append(views, inspectorViews(t, srv)...)
			if !strings.Contains(views[1], tt.diagnostic) || !strings.Contains(views[2], tt.diagnostic) {
				t.Errorf("the headless answer or connector test lacks %q:\n%s\n%s", tt.diagnostic, views[1], views[2])
			}
			noSecrets(t, views, connectorSecrets)
		})
	}
	if stolen.Load() != 0 {
		t.Errorf("the redirect was followed to another host %d times", stolen.Load())
	}
}

// secretTenant serves the test tenant with secrets in its connector and application, its
// connector at api with the timeout given, and signs in with Facebook up to the first call.
func secretTenant(t *testing.T, api, timeout string) (*emulatortest.Server, *emulatortest.Browser, *emulatortest.Page) {
	t.Helper()
	cfg := strings.NewReplacer("password: pa55", "password: S3cr3t-pa55", "code=k3y%2B%3D", secretQuery,
		"clientSecret: app-secret", "clientSecret: App-s3cr3t", "timeout: 2s", "timeout: "+timeout).Replace(tenantYAML(api))
	srv := emulatortest.Start(t, cfg)
	b := srv.NewBrowser(t)
	page := b.Get(authorizeURL(nil))
	page = b.Submit(page, "button#FacebookExchange", nil)
	return srv, b, b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)
}

// inspectorViews are the log and the call inspector as JSON and as the page.
func inspectorViews(t *testing.T, srv *emulatortest.Server) []string {
	t.Helper()
	views := []string{srv.Log.String()}
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
	return views
}

// headless is the raw answer of a headless sign-up with a fixture account.
func headless(t *testing.T, srv *emulatortest.Server, account string) string {
	t.Helper()
	req := `{"clientId":"` + clientID + `","identityProvider":"facebook.com","account":{"issuerAssignedId":"` + account + `"}}`
	resp, err := srv.Client.Post(srv.URL+"/_emulator/flows/B2C_1_SignUpSignIn/run", "application/json", strings.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !json.Valid(body) || !utf8.Valid(body) {
		t.Fatalf("run: %d %q", resp.StatusCode, body)
	}
	return string(body)
}

// contractTest is what `b2cemu connector test` prints for the server's connector.
func contractTest(t *testing.T, srv *emulatortest.Server) string {
	t.Helper()
	cfg, err := config.Load(srv.Config, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if _, err := contract.Check(context.Background(), cfg, contract.Options{Connector: "checks"}, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func noSecrets(t *testing.T, views, secrets []string) {
	t.Helper()
	for i, v := range views {
		for _, secret := range secrets {
			if strings.Contains(v, secret) {
				t.Errorf("view %d shows the secret %q:\n%s", i, secret, v)
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

// TestInvalidUTF8FromAConnector: a connector answers a Continue with a string value that is
// not UTF-8, then a UTF-16 body; the headless answer and the inspector's JSON stay valid
// UTF-8 JSON, and the inspector shows the bytes as \xNN with a note.
func TestInvalidUTF8FromAConnector(t *testing.T) {
	srv := emulatortest.Start(t, tenantYAML(startAPI(t, &connectorScript{answer: func(step string, _ map[string]any) (int, string) {
		if step == "PostFederationSignup" {
			return 200, "{\"version\":\"1.0.0\",\"action\":\"Continue\",\"city\":\"Lisb\xf3a\"}"
		}
		return 200, "\xff\xfe{"
	}})))
	req := `{"clientId":"` + clientID + `","identityProvider":"facebook.com","account":{"issuerAssignedId":"fb-1"},"attributes":[{"displayName":"John Smith"}]}`
	resp, err := srv.Client.Post(srv.URL+"/_emulator/flows/B2C_1_SignUpSignIn/run", "application/json", strings.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	views := inspectorViews(t, srv)
	for name, v := range map[string]string{"the headless answer": string(answer), "the inspector's JSON": views[1]} {
		if !json.Valid([]byte(v)) || !utf8.ValidString(v) {
			t.Errorf("%s is not valid UTF-8 JSON: %q", name, v)
		}
	}
	if !strings.Contains(string(answer), "UTF-16 byte-order mark") || !strings.Contains(string(answer), "not valid UTF-8 (byte 0xf3") {
		t.Errorf("the headless answer lacks the diagnostic or the warning: %s", answer)
	}
	if !strings.Contains(views[1], `"body":"\\xff\\xfe{"`) || !strings.Contains(views[1], `"bodyNote":"The body is not valid UTF-8: 2 byte(s)`) {
		t.Errorf("the inspector's JSON does not show the bytes: %s", views[1])
	}
	if !utf8.ValidString(views[2]) || !strings.Contains(views[2], `Lisb\xf3a`) || !strings.Contains(views[2], "are shown as \\xNN") {
		t.Errorf("the inspector page does not show the bytes:\n%s", views[2])
	}
}

// TestCustomPolicyErrorKeepsTheKeySecret: a RESTful technical profile whose service refuses
// the connection shows B2C's text on the page, and neither it, the log nor the inspector shows
// the ServiceUrl's key.
func TestCustomPolicyErrorKeepsTheKeySecret(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/api/ValidateProfile?code=K3y-s3cr3t"
	ln.Close()
	service := regexp.MustCompile(`http://127\.0\.0\.1:\d+/api/ValidateProfile`)
	srv, _ := startLoyaltyIn(t, http.NotFoundHandler(), policyEdits{extensionsXML: func(s string) string { return policyEditRegexp(t, s, service, closed) }}, "")
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "di@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "di@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "displayName": "Di", "loyaltyId": "L-9"})
	if got := page.Text("#claimVerificationServerError"); !strings.Contains(got, "Restful service URL: http://"+ln.Addr().String()+"/api/ValidateProfile") {
		t.Errorf("page error = %q", got)
	}
	views := append(inspectorViews(t, srv), page.Body)
	if !strings.Contains(views[1], "connection refused") {
		t.Errorf("the inspector lacks the error: %s", views[1])
	}
	noSecrets(t, views, []string{"K3y-s3cr3t"})
}
