package emulator_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestDemoTenant walks the embedded demo tenant that `make run` serves, through the home
// page's "Run user flow" link, against the demo connector served by b2cemu itself.
func TestDemoTenant(t *testing.T) {
	srv := emulatortest.Start(t, "")
	b := srv.NewBrowser(t)
	home := b.Get("/")
	if home.Doc.Find("a.run").Length() != 5 || !strings.Contains(home.Text("table.flows"), "passwordReset") || !strings.Contains(home.Text("table.flows"), "profileEdit") {
		t.Fatalf("home page:\n%s", home.Body)
	}
	run := home.Doc.Find("a.run").First().AttrOr("href", "")

	// A fabrikam.com account with a short display name: validation error, then success.
	page := b.Get(run)
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="1000000000000002"]`, nil)
	page = b.Submit(page, "button#continue", nil)
	if got := page.Text("#claimVerificationServerError"); !strings.Contains(got, "longer than five characters") {
		t.Fatalf("validation error = %q\n%s", got, page.Body)
	}
	page = b.Submit(page, "button#continue", map[string]string{"displayName": "Bob Jones"})
	action, fields := page.FormPost()
	if action != srv.URL+"/jwt" || fields.Get("id_token") == "" {
		t.Fatalf("form_post = %s %v\n%s", action, fields, page.Body)
	}
	claims := emulatortest.Verify(t, srv.URL+"/contoso.onmicrosoft.com/B2C_1_susi/v2.0/.well-known/openid-configuration", fields.Get("id_token"))
	if claims["jobTitle"] != "Demo Engineer" || claims["name"] != "Bob Jones" || claims["nonce"] != "defaultNonce" {
		t.Errorf("claims = %v", claims)
	}
	// The token viewer verifies it.
	viewer := b.Get("/jwt?" + url.Values{"id_token": {fields.Get("id_token")}}.Encode())
	if viewer.Text("#signature") != "Signature verified with the emulator's signing key." || viewer.Text(`tr[data-claim=jobTitle] td:nth-child(2)`) != "Demo Engineer" {
		t.Errorf("viewer:\n%s", viewer.Body)
	}

	// An address outside the allowed domains is blocked.
	page = b.Get(run)
	page = b.Submit(page, "button#GoogleExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="118221212000000000002"]`, nil)
	if !strings.Contains(page.Text("#api .intro"), "You are not able to sign up") {
		t.Errorf("block page:\n%s", page.Body)
	}

	// "Forgot your password?" returns AADB2C90118 to the token viewer, which starts the
	// password reset flow, as a B2C application does.
	page = b.Follow(b.Get(run), "a#forgotPassword")
	action, fields = page.FormPost()
	if action != srv.URL+"/jwt" || !strings.HasPrefix(fields.Get("error_description"), "AADB2C90118") {
		t.Fatalf("forgot password: %s %v", action, fields)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(action, fields)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/contoso.onmicrosoft.com/B2C_1_reset/oauth2/v2.0/authorize?") {
		t.Errorf("token viewer on AADB2C90118: %d %q", resp.StatusCode, loc)
	}
}

func TestTokenViewerReportsATamperedToken(t *testing.T) {
	srv := emulatortest.Start(t, "")
	b := srv.NewBrowser(t)
	page := b.Get("/jwt?id_token=eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vcGUiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln")
	if !strings.HasPrefix(page.Text("#signature"), "Signature not verified") || page.Text(`tr[data-claim=sub] td:nth-child(2)`) != "x" {
		t.Errorf("viewer:\n%s", page.Body)
	}
	page = b.Get("/jwt?error=access_denied&error_description=AADB2C90091")
	if page.Text("#tokenError strong") != "access_denied" {
		t.Errorf("viewer:\n%s", page.Body)
	}
	if b.Get("/_static/b2c.css").Status != 200 || b.Get("/_static/nope.css").Status != 404 {
		t.Error("static assets")
	}
}
