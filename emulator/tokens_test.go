package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestTokenSettings: a flow's token settings shape its tokens and discovery document.
func TestTokenSettings(t *testing.T) {
	api := &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1.0.0","action":"Continue"}` }}
	cfg := configEdit(t, tenantYAML(startAPI(t, api)), "      postAttributeCollection: checks\n",
		"      postAttributeCollection: checks\n    tokens: {lifetime: 10m, issuerFormat: tfp, policyClaim: acr, emailClaim: true}\n")
	srv := emulatortest.Start(t, cfg)
	discovery := srv.URL + policyPath + "/v2.0/.well-known/openid-configuration"
	var doc map[string]any
	resp, err := http.Get(discovery)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	wantIss := srv.URL + "/tfp/11111111-2222-4333-8444-555555555555/b2c_1_signupsignin/v2.0/"
	if doc["issuer"] != wantIss {
		t.Errorf("issuer = %v, want %s", doc["issuer"], wantIss)
	}
	supported, _ := json.Marshal(doc["claims_supported"])
	if !strings.Contains(string(supported), `"acr"`) || strings.Contains(string(supported), `"tfp"`) || !strings.Contains(string(supported), `"email"`) {
		t.Errorf("claims_supported = %s", supported)
	}
	b := srv.NewBrowser(t)
	page := b.Get(authorizeURL(url.Values{"response_type": {"id_token"}}))
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)
	page = b.Submit(page, "button#continue", nil)
	frag, _ := url.ParseQuery(page.Location.Fragment)
	claims := emulatortest.Verify(t, discovery, frag.Get("id_token"))
	if claims["iss"] != wantIss || claims["acr"] != "b2c_1_signupsignin" || claims["tfp"] != nil || claims["email"] != "john@fabrikam.com" {
		t.Errorf("claims = %v", claims)
	}
	if life := claims["exp"].(float64) - claims["iat"].(float64); life != 600 {
		t.Errorf("lifetime = %vs, want 600", life)
	}
}

// TestLogoutEndsTheSSOSession: after logout, the next authorize shows the pages again.
func TestLogoutEndsTheSSOSession(t *testing.T) {
	_, b := start(t, &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1.0.0","action":"Continue"}` }})
	page := b.Get(authorizeURL(nil))
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)
	page = b.Submit(page, "button#continue", nil)
	if page.Location == nil {
		t.Fatal("no sign-up")
	}
	if again := b.Get(authorizeURL(nil)); again.Location == nil || again.Location.Query().Get("code") == "" {
		t.Fatalf("no silent sign-in: %d", again.Status)
	}
	out := b.Get(policyPath + "/oauth2/v2.0/logout?post_logout_redirect_uri=" + url.QueryEscape("http://app.test/callback") + "&state=bye")
	if out.Location == nil || out.Location.String() != "http://app.test/callback?state=bye" {
		t.Errorf("logout redirect = %v", out.Location)
	}
	if after := b.Get(authorizeURL(nil)); after.Location != nil || after.Doc.Find("#api[data-name=Unified]").Length() != 1 {
		t.Errorf("after logout the pages are not shown: %v", after.Location)
	}
}

func startAPI(t *testing.T, script *connectorScript) string {
	t.Helper()
	api := httptest.NewServer(script)
	t.Cleanup(api.Close)
	return api.URL
}
