package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/store"
	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/web"
)

// fakeSigner is a Signer that does not sign.
type fakeSigner struct{}

func (fakeSigner) Sign(map[string]any) (string, error) { return "header.payload.sig", nil }
func (fakeSigner) Verify(string) (map[string]any, map[string]any, error) {
	return map[string]any{}, map[string]any{}, nil
}
func (fakeSigner) KeySet() any { return map[string]any{"keys": []any{}} }

var _ web.Signer = fakeSigner{}

func newEcho() http.Handler { return newEchoWith(&fakeCalls{}) }

func newEchoWith(calls web.CallLog) http.Handler {
	return web.New(testDeps(calls, slog.New(slog.NewTextHandler(io.Discard, nil))))
}

// testDeps are the handlers' dependencies of the tests: one flow, one app, fixed time and ids.
func testDeps(calls web.CallLog, log *slog.Logger) web.Deps {
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	def := &flows.Definition{ID: "B2C_1_susi", Type: flows.SignUpOrSignIn, IdentityProviders: []string{"email"}}
	return web.Deps{
		Tenant: web.Tenant{Name: "contoso", ID: "9d5a3e0c-1f7a-4c52-9a7e-2a0e4c6b7d11"}, BaseURL: "http://b2c.test",
		Flows: []*flows.Definition{def}, Schema: attributes.New(nil),
		Apps:    []web.App{{Name: "app", ClientID: "c1", RedirectURIs: []string{"http://app.test/cb", "/jwt"}}},
		Machine: &flows.Machine{Schema: attributes.New(nil), Tenant: "contoso", Now: now, NewID: func() string { return "id" }},
		Signer:  fakeSigner{}, Now: now, NewID: func() string { return "corr" }, Random: func() string { return "random-0123456789" },
		Sessions: store.NewExpiring[*web.Session](time.Minute, now), Grants: store.NewExpiring[*web.Grant](time.Minute, now),
		Refresh: store.NewExpiring[*web.Grant](time.Minute, now), SSO: store.NewExpiring[*web.SSOSession](time.Minute, now),
		Log: log, CallLog: calls,
	}
}

func serve(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestLogout(t *testing.T) {
	h := newEcho()
	tests := []struct {
		target, location string
		status           int
	}{
		{"/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/logout?post_logout_redirect_uri=http%3A%2F%2Fapp.test%2Fcb&state=s1", "http://app.test/cb?state=s1", 302},
		{"/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/logout?post_logout_redirect_uri=http%3A%2F%2Fb2c.test%2Fjwt", "http://b2c.test/jwt", 302},
		{"/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/logout?post_logout_redirect_uri=http%3A%2F%2Fevil.test%2F", "", 200},
		{"/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/logout", "", 200},
	}
	for _, tt := range tests {
		rec := serve(h, http.MethodGet, tt.target)
		if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
			t.Errorf("%s: %d %q", tt.target, rec.Code, rec.Header().Get("Location"))
		}
		if tt.status == 200 && !strings.Contains(rec.Body.String(), "You have signed out.") {
			t.Errorf("%s: no signed-out page", tt.target)
		}
	}
}

func TestPageHeaders(t *testing.T) {
	rec := serve(newEcho(), http.MethodGet, "/")
	h := rec.Header()
	if rec.Code != 200 || !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") || h.Get("X-Frame-Options") != "DENY" || h.Get("Cache-Control") != "no-store" {
		t.Errorf("%d %v", rec.Code, h)
	}
	if strings.Contains(rec.Body.String(), "<script>") || strings.Contains(rec.Body.String(), "style=") {
		t.Error("inline script or style on a page (the CSP forbids them)")
	}
	// B2C's error containers are shown and hidden with style attributes; the CSP allows those
	// (CSP Level 3 style-src-attr) and still no inline script or <style> element.
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "style-src 'self';") || !strings.Contains(csp, "style-src-attr 'unsafe-inline';") || strings.Count(csp, "unsafe") != 1 {
		t.Errorf("CSP = %q", csp)
	}
}

func TestUnknownRouteShowsTheErrorPage(t *testing.T) {
	rec := serve(newEcho(), http.MethodGet, "/no/such/page/here/at/all")
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), `data-name="GlobalException"`) {
		t.Errorf("%d\n%s", rec.Code, rec.Body)
	}
}

func TestTokenPreflight(t *testing.T) {
	rec := serve(newEcho(), http.MethodOptions, "/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/token")
	if rec.Code != 204 || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("%d %v", rec.Code, rec.Header())
	}
}

func TestRefreshSlidingWindow(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	refresh := store.NewExpiring[*web.Grant](time.Hour, func() time.Time { return now })
	def := &flows.Definition{ID: "B2C_1_susi", Type: flows.SignUpOrSignIn, IdentityProviders: []string{"email"}}
	h := web.New(web.Deps{
		Tenant: web.Tenant{Name: "contoso", ID: "9d5a3e0c-1f7a-4c52-9a7e-2a0e4c6b7d11"}, BaseURL: "http://b2c.test",
		Flows: []*flows.Definition{def}, Schema: attributes.New(nil), Apps: []web.App{{Name: "app", ClientID: "c1", RedirectURIs: []string{"/jwt"}}},
		Machine: &flows.Machine{}, Signer: fakeSigner{}, Now: func() time.Time { return now }, NewID: func() string { return "id" },
		Random: func() string { return "new-refresh-token" }, Sessions: store.NewExpiring[*web.Session](time.Minute, time.Now),
		Grants: store.NewExpiring[*web.Grant](time.Minute, time.Now), Refresh: refresh, SSO: store.NewExpiring[*web.SSOSession](time.Minute, time.Now),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), CallLog: &fakeCalls{},
	})
	grant := func(daysAgo int) *web.Grant {
		return &web.Grant{Auth: web.AuthRequest{Policy: "B2C_1_susi", ClientID: "c1", Scope: "openid offline_access"},
			Claims: map[string]any{"sub": "u1"}, AuthTime: now.Add(-time.Duration(daysAgo) * 24 * time.Hour).Unix(), ObjectID: "u1"}
	}
	redeem := func(rt string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/token",
			strings.NewReader("grant_type=refresh_token&client_id=c1&refresh_token="+rt))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	refresh.Put("inside", grant(89))
	if rec := redeem("inside"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"refresh_token":"new-refresh-token"`) {
		t.Errorf("within the window: %d %s", rec.Code, rec.Body)
	}
	if rec := redeem("inside"); rec.Code != 400 || !strings.Contains(rec.Body.String(), "AADB2C90080") {
		t.Errorf("a used refresh token: %d %s", rec.Code, rec.Body)
	}
	refresh.Put("outside", grant(91))
	if rec := redeem("outside"); rec.Code != 400 || !strings.Contains(rec.Body.String(), "AADB2C90129") {
		t.Errorf("past the 90-day window: %d %s", rec.Code, rec.Body)
	}
	def.Tokens.NoSlidingExpiry = true
	refresh.Put("forever", grant(400))
	if rec := redeem("forever"); rec.Code != 200 {
		t.Errorf("no expiry: %d %s", rec.Code, rec.Body)
	}
}

// TestStaticFolderIsNotListed: the embedded assets' folder answers B2C's 404 page, not a
// listing; its files are served.
func TestStaticFolderIsNotListed(t *testing.T) {
	h := newEcho()
	for _, path := range []string{"/_static/", "/_static/.", "/_static"} {
		rec := serve(h, http.MethodGet, path)
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), `href="b2c.css"`) {
			t.Errorf("GET %s = %d:\n%s", path, rec.Code, rec.Body.String())
		}
	}
	if rec := serve(h, http.MethodGet, "/_static/b2c.css"); rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "public, max-age=3600" {
		t.Errorf("GET /_static/b2c.css = %d %v", rec.Code, rec.Header())
	}
}
