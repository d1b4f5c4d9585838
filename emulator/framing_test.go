package emulator_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestJourneyFramingHeaders: a policy whose relying party has JourneyFraming Enabled="true"
// serves its pages (the sign-in page, the next page, its error page) with a
// Content-Security-Policy whose frame-ancestors are its Sources and X-Frame-Options naming the
// first source, as the schema's JourneyFraming type describes; the other policies of the same
// files keep X-Frame-Options DENY and frame-ancestors 'none'.
func TestJourneyFramingHeaders(t *testing.T) {
	framing := `<JourneyFraming Enabled="true" Sources="https://somesite.com https://anothersite.com:8443" />`
	edit := policyEdits{signUpXML: func(s string) string {
		return policyEdit(t, s, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" />`, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" /><UserJourneyBehaviors>`+framing+`</UserJourneyBehaviors>`)
	}}
	srv, _ := startLoyaltyIn(t, http.NotFoundHandler(), edit, "")
	const allowed, denied = "frame-ancestors https://somesite.com https://anothersite.com:8443;", "frame-ancestors 'none';"
	csrf := func(h http.Header) string {
		for _, line := range h.Values("Set-Cookie") {
			if strings.HasPrefix(line, "x-ms-cpim-csrf=") {
				return line
			}
		}
		return ""
	}
	// The CSRF cookie of a framed policy is SameSite=None; Secure even over plain http on
	// loopback: a frame of another site sends no Lax cookie. Another policy's stays Lax.
	if got := csrf(srv.NewBrowser(t).Get(customAuthorize()).Header); !strings.Contains(got, "; Secure; SameSite=None") {
		t.Errorf("the framed policy's CSRF cookie: %q", got)
	}
	if got := csrf(srv.NewBrowser(t).Get(authorizeFor("B2C_1A_ProfileEdit")).Header); !strings.Contains(got, "SameSite=Lax") {
		t.Errorf("another policy's CSRF cookie: %q", got)
	}
	b := srv.NewBrowser(t)
	signIn := b.Get(customAuthorize())
	signUp := b.Follow(signIn, "#createAccount")
	for _, tc := range []struct {
		name    string
		header  http.Header
		xfo     string
		framing string
	}{
		{"sign-in page", signIn.Header, "ALLOW-FROM https://somesite.com", allowed},
		{"sign-up page", signUp.Header, "ALLOW-FROM https://somesite.com", allowed},
		{"error page", b.Get(strings.Replace(customAuthorize(), "app.test", "evil.test", 1)).Header, "ALLOW-FROM https://somesite.com", allowed},
		{"another policy", b.Get(authorizeFor("B2C_1A_ProfileEdit")).Header, "DENY", denied},
	} {
		csp := tc.header.Get("Content-Security-Policy")
		if got := tc.header.Get("X-Frame-Options"); got != tc.xfo || !strings.Contains(csp+";", tc.framing) || strings.Count(csp, "frame-ancestors") != 1 {
			t.Errorf("%s: X-Frame-Options %q, CSP %q; want %q and %q", tc.name, got, csp, tc.xfo, tc.framing)
		}
	}
}
