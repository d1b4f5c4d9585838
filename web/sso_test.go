package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCookieAttributes: B2C's SameSite=None; Secure where browsers keep it (loopback hosts over
// plain http are secure contexts), nothing of either on other plain-http hosts.
func TestCookieAttributes(t *testing.T) {
	h := newEcho()
	for _, tt := range []struct{ host, want string }{
		{"localhost:8080", "x-ms-cpim-sso:contoso.onmicrosoft.com_0=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=None"},
		{"app.localhost", "x-ms-cpim-sso:contoso.onmicrosoft.com_0=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=None"},
		{"127.0.0.1:8080", "x-ms-cpim-sso:contoso.onmicrosoft.com_0=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=None"},
		{"[::1]:8080", "x-ms-cpim-sso:contoso.onmicrosoft.com_0=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=None"},
		{"b2c.test", "x-ms-cpim-sso:contoso.onmicrosoft.com_0=; Path=/; Max-Age=0; HttpOnly"},
		{"192.168.1.20:8080", "x-ms-cpim-sso:contoso.onmicrosoft.com_0=; Path=/; Max-Age=0; HttpOnly"},
	} {
		req := httptest.NewRequest(http.MethodGet, "/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/logout", nil)
		req.Host = tt.host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("Set-Cookie"); got != tt.want {
			t.Errorf("%s: Set-Cookie %q, want %q", tt.host, got, tt.want)
		}
	}
}
