package emulator_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// kmsiTenant has a user flow with Keep me signed in (7 days) and one without.
const kmsiTenant = `
tenant: {name: contoso, id: 11111111-2222-4333-8444-555555555555}
applications:
  - {name: Web app, clientId: ` + clientID + `, redirectUris: ["http://app.test/callback"]}
userFlows:
  - id: B2C_1_kmsi
    type: signUpOrSignIn
    identityProviders: [email]
    applicationClaims: [objectId]
    session: {keepMeSignedIn: true, keepMeSignedInDays: 7}
  - id: B2C_1_plain
    type: signIn
    identityProviders: [email]
    applicationClaims: [objectId]
`

// startKMSI serves kmsiTenant with Ana's local account.
func startKMSI(t *testing.T) *emulatortest.Server {
	t.Helper()
	srv := emulatortest.Start(t, kmsiTenant)
	seedKMSIUser(t, srv)
	return srv
}

// seedKMSIUser creates Ana's local account, ana@contoso.com with the password Passw0rd!x.
func seedKMSIUser(t *testing.T, srv *emulatortest.Server) {
	t.Helper()
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "ana@contoso.com", "password": "Passw0rd!x"}, nil); status != 201 {
		t.Fatalf("seeding Ana: %d", status)
	}
}

// kmsiAuthorize is the authorize URL of a user flow of kmsiTenant, with extra parameters.
func kmsiAuthorize(policy string, extra ...string) string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid"},
		"response_type": {"code"}, "state": {"s-1"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return "/contoso.onmicrosoft.com/" + policy + "/oauth2/v2.0/authorize?" + q.Encode()
}

// ssoCookieLine is the response's Set-Cookie line of the SSO cookie, "" without one.
func ssoCookieLine(p *emulatortest.Page) string {
	for _, line := range p.Header.Values("Set-Cookie") {
		if strings.HasPrefix(line, "x-ms-cpim-sso:") {
			return line
		}
	}
	return ""
}

// scriptedSignIn signs in as the unified page's script does: the background submit with
// request_type=RESPONSE and the X-CSRF-TOKEN header, then api/CombinedSigninAndSignup/confirmed
// with rememberMe as the checkbox says.
func scriptedSignIn(t *testing.T, b *emulatortest.Browser, page *emulatortest.Page, values map[string]string, remember string) *emulatortest.Page {
	t.Helper()
	form := page.Doc.Find("form#localAccountForm")
	data := url.Values{"request_type": {"RESPONSE"}}
	form.Find("input[type=hidden]").Each(func(_ int, in *goquery.Selection) { data.Set(in.AttrOr("name", ""), in.AttrOr("value", "")) })
	for k, v := range values {
		data.Set(k, v)
	}
	action, _ := page.URL.Parse(form.AttrOr("action", ""))
	req, _ := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(data.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-TOKEN", data.Get("csrf"))
	resp, err := b.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	forgot, ok := page.Doc.Find("a#forgotPassword").Attr("href") // …/api/CombinedSigninAndSignup/forgotPassword?csrf_token=…&tx=…&p=…
	if !ok {
		t.Fatalf("no #forgotPassword to take the page's query from:\n%s", page.Body)
	}
	return b.Get(strings.Replace(forgot, "/forgotPassword?", "/confirmed?rememberMe="+remember+"&", 1))
}

// TestKeepMeSignedInCookie: a sign-in with "Keep me signed in" checked gets a persistent SSO
// cookie (Max-Age and Expires of the flow's days), whether the page's script sends rememberMe
// to api/CombinedSigninAndSignup/confirmed or the page posts without scripts; unchecked, or on
// a flow without the setting, the cookie stays a session cookie.
func TestKeepMeSignedInCookie(t *testing.T) {
	ana := map[string]string{"email": "ana@contoso.com", "password": "Passw0rd!x"}
	withBox := map[string]string{"email": "ana@contoso.com", "password": "Passw0rd!x", "rememberMe": "on"}
	for _, tt := range []struct {
		name, policy string
		box          bool // the page shows #rememberMe
		signIn       func(t *testing.T, b *emulatortest.Browser, p *emulatortest.Page) *emulatortest.Page
		maxAge       string // "" for a session cookie
	}{
		{"form post, checked", "B2C_1_kmsi", true, func(t *testing.T, b *emulatortest.Browser, p *emulatortest.Page) *emulatortest.Page {
			return b.Submit(p, "button#next", withBox)
		}, "604800"},
		{"form post, unchecked", "B2C_1_kmsi", true, func(t *testing.T, b *emulatortest.Browser, p *emulatortest.Page) *emulatortest.Page {
			return b.Submit(p, "button#next", ana)
		}, ""},
		{"script, checked", "B2C_1_kmsi", true, func(t *testing.T, b *emulatortest.Browser, p *emulatortest.Page) *emulatortest.Page {
			return scriptedSignIn(t, b, p, ana, "true")
		}, "604800"},
		{"script, unchecked", "B2C_1_kmsi", true, func(t *testing.T, b *emulatortest.Browser, p *emulatortest.Page) *emulatortest.Page {
			return scriptedSignIn(t, b, p, ana, "false")
		}, ""},
		{"a flow without the setting ignores rememberMe", "B2C_1_plain", false, func(t *testing.T, b *emulatortest.Browser, p *emulatortest.Page) *emulatortest.Page {
			return scriptedSignIn(t, b, p, ana, "true")
		}, ""},
		{"a flow without the setting ignores a posted box", "B2C_1_plain", false, func(t *testing.T, b *emulatortest.Browser, p *emulatortest.Page) *emulatortest.Page {
			return b.Submit(p, "button#next", withBox)
		}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := startKMSI(t)
			b := srv.NewBrowser(t)
			page := b.Get(kmsiAuthorize(tt.policy))
			if got := page.Doc.Find(`#localAccountForm div.rememberMe > input#rememberMe[type=checkbox][name=rememberMe]:not([checked])`).Length() == 1; got != tt.box {
				t.Fatalf("checkbox shown %v, want %v:\n%s", got, tt.box, page.Body)
			}
			before := time.Now()
			done := tt.signIn(t, b, page)
			if done.Location == nil || done.Location.Query().Get("code") == "" {
				t.Fatalf("no code back at the application: %d %s", done.Status, done.Body)
			}
			checkSSOCookie(t, ssoCookieLine(done), tt.maxAge, before)
		})
	}
}

// checkSSOCookie checks an SSO Set-Cookie line: persistent for maxAge seconds (Max-Age and an
// Expires that far from now), or a session cookie when maxAge is "".
func checkSSOCookie(t *testing.T, line, maxAge string, now time.Time) {
	t.Helper()
	if line == "" {
		t.Fatal("no SSO cookie set")
	}
	attrs := map[string]string{}
	for _, part := range strings.Split(line, ";")[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		attrs[strings.ToLower(k)] = v
	}
	if maxAge == "" {
		if _, ok := attrs["max-age"]; ok || attrs["expires"] != "" {
			t.Errorf("a session cookie was meant: %s", line)
		}
		return
	}
	if attrs["max-age"] != maxAge {
		t.Errorf("Max-Age %q, want %s: %s", attrs["max-age"], maxAge, line)
	}
	exp, err := http.ParseTime(attrs["expires"])
	secs, _ := time.ParseDuration(maxAge + "s")
	if err != nil || exp.Before(now.Add(secs-time.Minute)) || exp.After(now.Add(secs+time.Minute)) {
		t.Errorf("Expires %q, want about %s from now: %s", attrs["expires"], secs, line)
	}
	if !strings.Contains(line, "HttpOnly") {
		t.Errorf("not HttpOnly: %s", line)
	}
}

// TestKeepMeSignedInRenewal: a kept session stays persistent through silent sign-ins
// (prompt=none), each renewing its days; a silent sign-in through a policy without Keep me
// signed in turns the cookie back into a session cookie, as Microsoft's session-behavior
// article says a flow without it removes the KMSI cookie.
func TestKeepMeSignedInRenewal(t *testing.T) {
	srv := startKMSI(t)
	b := srv.NewBrowser(t)
	now := time.Now()
	done := b.Submit(b.Get(kmsiAuthorize("B2C_1_kmsi")), "button#next", map[string]string{"email": "ana@contoso.com", "password": "Passw0rd!x", "rememberMe": "on"})
	checkSSOCookie(t, ssoCookieLine(done), "604800", now)
	for _, step := range []struct{ policy, maxAge string }{
		{"B2C_1_kmsi", "604800"}, // renewed
		{"B2C_1_plain", ""},      // no Keep me signed in: back to a session cookie
		{"B2C_1_kmsi", ""},       // and it stays one
	} {
		silent := b.Get(kmsiAuthorize(step.policy, "prompt", "none"))
		if silent.Location == nil || silent.Location.Query().Get("code") == "" {
			t.Fatalf("%s: silent sign-in = %d %v", step.policy, silent.Status, silent.Location)
		}
		checkSSOCookie(t, ssoCookieLine(silent), step.maxAge, time.Now())
	}
}

// TestKeepMeSignedInCustomPolicy: setting.enableRememberMe on the sign-in profile shows the
// checkbox, and the relying party's KeepAliveInDays is the persistent cookie's length.
func TestKeepMeSignedInCustomPolicy(t *testing.T) {
	edits := policyEdits{
		baseXML: func(s string) string {
			return policyEdit(t, s, `<Item Key="SignUpTarget">SignUpWithLogonEmailExchange</Item>`, `<Item Key="SignUpTarget">SignUpWithLogonEmailExchange</Item><Item Key="setting.enableRememberMe">True</Item>`)
		},
		signUpXML: func(s string) string {
			return policyEdit(t, s, `<Endpoints>`, `<UserJourneyBehaviors><SingleSignOn Scope="Tenant" KeepAliveInDays="30" /><SessionExpiryType>Absolute</SessionExpiryType><SessionExpiryInSeconds>1200</SessionExpiryInSeconds></UserJourneyBehaviors><Endpoints>`)
		},
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edits, "")
	seedKMSIUser(t, srv)
	for _, tt := range []struct {
		name, box, maxAge string
	}{{"checked", "on", "2592000"}, {"unchecked", "", ""}} {
		t.Run(tt.name, func(t *testing.T) {
			b := srv.NewBrowser(t)
			page := b.Get(customAuthorize())
			if page.Doc.Find(`#localAccountForm .rememberMe input#rememberMe[type=checkbox]`).Length() != 1 {
				t.Fatalf("no checkbox:\n%s", page.Body)
			}
			values := map[string]string{"signInName": "ana@contoso.com", "password": "Passw0rd!x"}
			if tt.box != "" {
				values["rememberMe"] = tt.box
			}
			now := time.Now()
			done := b.Submit(page, "button#next", values)
			if done.Location == nil {
				t.Fatalf("no redirect to the application: %d\n%.2000s", done.Status, done.Body)
			}
			checkSSOCookie(t, ssoCookieLine(done), tt.maxAge, now)
		})
	}
}
