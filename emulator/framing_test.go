package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestJourneyFramingHeaders: a policy whose relying party has JourneyFraming Enabled="true"
// serves its pages (the sign-in page, the next page, its error page) with a
// Content-Security-Policy whose frame-ancestors are its Sources and X-Frame-Options naming the
// first source, as the schema's JourneyFraming type describes; the other policies of the same
// files, and the fake identity provider page, keep X-Frame-Options DENY and frame-ancestors
// 'none'.
func TestJourneyFramingHeaders(t *testing.T) {
	framing := `<JourneyFraming Enabled="true" Sources="https://somesite.com https://anothersite.com:8443" />`
	edit := replaceIn(t, extensionsXML, `  </ClaimsProviders>`, facebookJourney) // a provider button too
	edit[signUpXML] = func(s string) string {
		return policyEdit(t, s, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" />`, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" /><UserJourneyBehaviors>`+framing+`</UserJourneyBehaviors>`)
	}
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
		// The fake identity provider page stands in for Facebook's, which refuses frames.
		{"fake identity provider", fakeIdP(t, srv).Header, "DENY", denied},
	} {
		csp := tc.header.Get("Content-Security-Policy")
		if got := tc.header.Get("X-Frame-Options"); got != tc.xfo || !strings.Contains(csp+";", tc.framing) || strings.Count(csp, "frame-ancestors") != 1 {
			t.Errorf("%s: X-Frame-Options %q, CSP %q; want %q and %q", tc.name, got, csp, tc.xfo, tc.framing)
		}
	}
}

// fakeIdP is the fake identity provider page the sign-in page's Facebook button leads to.
func fakeIdP(t *testing.T, srv *emulatortest.Server) *emulatortest.Page {
	t.Helper()
	b := srv.NewBrowser(t)
	page := b.Submit(b.Get(customAuthorize()), "button#FacebookExchange", nil)
	if page.Doc.Find(`div#api[data-name=FakeIdentityProvider]`).Length() != 1 {
		t.Fatalf("not the fake identity provider page: %d\n%s", page.Status, page.Body)
	}
	return page
}

// TestContentDefinitionParametersQuery: the relying party's ContentDefinitionParameters are
// appended, their claim resolvers resolved, to the query of the URL B2C loads a page's custom
// page content from (Microsoft's "Customize the user interface with HTML templates", dynamic
// custom page content): a page server that varies its HTML by campaignId sees the authorize
// request's campaignId; a query the LoadUri has already is kept; an authorize request without
// the parameter sends it empty. Every page of the journey gets them.
func TestContentDefinitionParametersQuery(t *testing.T) {
	queries := make(chan string, 8)
	pages := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries <- r.URL.Path + "?" + r.URL.RawQuery
		w.Write([]byte(`<!doctype html><html><head><title>Fabrikam</title></head><body><div id="api"></div></body></html>`))
	}))
	t.Cleanup(pages.Close)
	edit := policyEdits{
		baseXML: func(s string) string {
			s = policyEdit(t, s, "<LoadUri>~/tenant/templates/AzureBlue/unified.cshtml", "<LoadUri>"+pages.URL+"/unified?brand=fabrikam&amp;v=2")
			return policyEdit(t, s, `<ContentDefinition Id="api.localaccountsignup"><LoadUri>~/tenant/templates/AzureBlue/selfAsserted.cshtml`, `<ContentDefinition Id="api.localaccountsignup"><LoadUri>`+pages.URL+"/signup")
		},
		signUpXML: func(s string) string {
			return policyEdit(t, s, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" />`, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" /><UserJourneyBehaviors><ContentDefinitionParameters>
				<Parameter Name="campaignId">{OAUTH-KV:campaignId}</Parameter><Parameter Name="lang">{Culture:LanguageName}</Parameter>
				<Parameter Name="appId">{OIDC:ClientId}</Parameter><Parameter Name="policy">{Policy:PolicyId}</Parameter></ContentDefinitionParameters></UserJourneyBehaviors>`)
		},
	}
	srv, _ := startLoyaltyIn(t, http.NotFoundHandler(), edit, "")
	next := func() string {
		select {
		case q := <-queries:
			return q
		default:
			return "(nothing)"
		}
	}
	b := srv.NewBrowser(t)
	signIn := b.Get(customAuthorize() + "&campaignId=hawaii")
	want := "/unified?appId=" + clientID + "&brand=fabrikam&campaignId=hawaii&lang=en&policy=B2C_1A_signup_signin&ui_locales=en-US&v=2"
	if got := next(); got != want {
		t.Errorf("the sign-in page's custom page content was asked for\n%s\nwant\n%s", got, want)
	}
	b.Follow(signIn, "#createAccount")
	if got, want := next(), "/signup?appId="+clientID+"&campaignId=hawaii&lang=en&policy=B2C_1A_signup_signin&ui_locales=en-US"; got != want {
		t.Errorf("the sign-up page's: %s, want %s", got, want)
	}
	srv.NewBrowser(t).Get(customAuthorize() + "&ui_locales=es")
	if got, want := next(), "/unified?appId="+clientID+"&brand=fabrikam&campaignId=&lang=es&policy=B2C_1A_signup_signin&ui_locales=es&v=2"; got != want {
		t.Errorf("without campaignId, in Spanish: %s, want %s", got, want)
	}
}
