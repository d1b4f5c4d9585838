package web_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

const woodgroveClient = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

// startWoodgrove serves the browser tests' tenant with its connector.
func startWoodgrove(t *testing.T) (*emulatortest.Server, *woodgroveAPI) {
	t.Helper()
	api := &woodgroveAPI{}
	hook := httptest.NewServer(api)
	t.Cleanup(hook.Close)
	return emulatortest.Start(t, strings.Replace(browserTenant, "CONNECTOR", hook.URL, 1)), api
}

func woodgroveQuery(srv *emulatortest.Server) url.Values {
	return url.Values{"client_id": {woodgroveClient}, "redirect_uri": {srv.URL + "/jwt"}, "scope": {"openid"},
		"response_type": {"id_token"}, "nonce": {"n"}}
}

// txRun reads B2C's tx=StateProperties=<base64url JSON> and returns the JSON's TID.
func txRun(t *testing.T, tx string) string {
	t.Helper()
	raw, ok := strings.CutPrefix(tx, "StateProperties=")
	b, err := base64.RawURLEncoding.DecodeString(raw)
	var st struct{ TID string }
	if !ok || err != nil || json.Unmarshal(b, &st) != nil || st.TID == "" {
		t.Fatalf("tx %q is not StateProperties=<base64url JSON with a TID>", tx)
	}
	return st.TID
}

// The first page is served at the authorize URL itself in every path form; its form, links
// and buttons go to B2C's URLs under the tenant and policy as the application spelled them.
func TestPagesAtB2CURLs(t *testing.T) {
	srv, _ := startWoodgrove(t)
	q := woodgroveQuery(srv).Encode()
	cases := []struct{ name, path, prefix string }{
		{"tenant and policy", "/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize?" + q, "/woodgrove.onmicrosoft.com/B2C_1_woodgrove"},
		{"lower-cased by MSAL", "/woodgrove.onmicrosoft.com/b2c_1_woodgrove/oauth2/v2.0/authorize?" + q, "/woodgrove.onmicrosoft.com/b2c_1_woodgrove"},
		{"tfp", "/tfp/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize?" + q, "/woodgrove.onmicrosoft.com/B2C_1_woodgrove"},
		{"?p=", "/woodgrove.onmicrosoft.com/oauth2/v2.0/authorize?p=B2C_1_Woodgrove&" + q, "/woodgrove.onmicrosoft.com/B2C_1_Woodgrove"},
		{"tenant id", "/3f2504e0-4f89-41d3-9a0c-0305e82c3301/B2C_1_woodgrove/oauth2/v2.0/authorize?" + q, "/3f2504e0-4f89-41d3-9a0c-0305e82c3301/B2C_1_woodgrove"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := srv.NewBrowser(t)
			page := b.Get(tc.path)
			if page.Status != 200 || page.URL.Path != strings.Split(tc.path, "?")[0] || page.Doc.Find("#api[data-name=Unified]").Length() != 1 {
				t.Fatalf("GET %s: %d at %s, want the unified page at the authorize URL", tc.path, page.Status, page.URL)
			}
			policy := tc.prefix[strings.LastIndex(tc.prefix, "/")+1:]
			tail := `csrf_token=[A-Za-z0-9%_-]+&tx=(StateProperties=[A-Za-z0-9_-]+)&p=` + regexp.QuoteMeta(policy) + `$`
			want := map[string]string{
				"#localAccountForm@action":  `^` + regexp.QuoteMeta(tc.prefix+"/SelfAsserted?tx=") + `(StateProperties=[A-Za-z0-9_-]+)&p=` + regexp.QuoteMeta(policy) + `$`,
				"a#createAccount@href":      `^` + regexp.QuoteMeta(tc.prefix+"/api/CombinedSigninAndSignup/unified?local=signup&") + tail,
				"a#forgotPassword@href":     `^` + regexp.QuoteMeta(tc.prefix+"/api/CombinedSigninAndSignup/forgotPassword?") + tail,
				"#socialAccountForm@action": `^` + regexp.QuoteMeta(tc.prefix+"/api/CombinedSigninAndSignup/unified") + `$`,
			}
			run := ""
			for sel, pattern := range want {
				el, attr, _ := strings.Cut(sel, "@")
				v, _ := page.Doc.Find(el).Attr(attr)
				m := regexp.MustCompile(pattern).FindStringSubmatch(v)
				if m == nil {
					t.Errorf("%s = %q, want %s", sel, v, pattern)
					continue
				}
				if len(m) > 1 {
					if id := txRun(t, m[1]); run != "" && id != run {
						t.Errorf("%s names run %s, another link %s", sel, id, run)
					} else {
						run = id
					}
				}
			}
			if !strings.Contains(page.Body, `var SETTINGS = {"csrf":"`) || !strings.Contains(page.Body, `"transId":"StateProperties=`) {
				t.Errorf("no SETTINGS with csrf and transId in the page")
			}
			// "Sign up now" shows the sign-up page at its link; "Forgot your password?" goes back to
			// the application with AADB2C90118.
			signUp := srv.NewBrowser(t)
			first := signUp.Get(tc.path)
			if p := signUp.Follow(first, "a#createAccount"); p.URL.Path != tc.prefix+"/api/CombinedSigninAndSignup/unified" || p.Status != 200 || p.Doc.Find("#newPassword").Length() != 1 {
				t.Errorf("Sign up now: %d at %s", p.Status, p.URL)
			}
			forgot := srv.NewBrowser(t)
			if p := forgot.Follow(forgot.Get(tc.path), "a#forgotPassword"); p.URL.Path != "/jwt" {
				t.Errorf("Forgot your password?: %d at %s", p.Status, p.URL)
			}
			// The provider button is B2C's link, unified?claimsexchange=<Id>Exchange.
			idp := b.Submit(page, "button#GoogleExchange", nil)
			if idp.URL.Path != tc.prefix+"/api/CombinedSigninAndSignup/unified" || idp.URL.Query().Get("claimsexchange") != "GoogleExchange" ||
				idp.Doc.Find("[data-name=FakeIdentityProvider]").Length() != 1 {
				t.Fatalf("provider button: %d at %s", idp.Status, idp.URL)
			}
			// A plain post answers with a redirect to api/<page>/confirmed, which shows the next page.
			attrs := b.Submit(idp, `button.fixtureAccount[value="g-100"]`, nil)
			if attrs.URL.Path != tc.prefix+"/api/SelfAsserted/confirmed" || attrs.Doc.Find("#attributeVerification").Length() != 1 {
				t.Fatalf("after the identity provider: %d at %s", attrs.Status, attrs.URL)
			}
		})
	}
}

// A page's script posts to SelfAsserted with request_type=RESPONSE and X-CSRF-TOKEN and is
// answered with B2C's JSON; the same endpoint answers a plain post with the next page.
func TestSelfAssertedAnswers(t *testing.T) {
	srv, _ := startWoodgrove(t)
	b := srv.NewBrowser(t)
	page := b.Get("/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize?" + woodgroveQuery(srv).Encode())
	page = b.Submit(b.Submit(page, "button#GoogleExchange", nil), `button.fixtureAccount[value="g-100"]`, nil)
	action, _ := page.Doc.Find("#attributeVerification").Attr("action")
	csrf, _ := page.Doc.Find("input[name=csrf]").Attr("value")
	seq, _ := page.Doc.Find("input[name=seq]").Attr("value")
	post := func(t *testing.T, form url.Values, header string) (*http.Response, string) {
		t.Helper()
		u, _ := page.URL.Parse(action)
		req, _ := http.NewRequest(http.MethodPost, u.String(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if header != "" {
			req.Header.Set("X-CSRF-TOKEN", header)
		}
		c := *b.Client
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	scripted := url.Values{"displayName": {"Mia"}, "extension_Plan": {"Gold"}, "request_type": {"RESPONSE"}, "seq": {seq}}
	t.Run("a wrong CSRF header is refused", func(t *testing.T) {
		if resp, _ := post(t, scripted, "not-the-token"); resp.StatusCode != 403 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	var ans struct {
		Status, Message string
		Seq             int
	}
	t.Run("a ValidationError is status 400 with its message", func(t *testing.T) {
		resp, body := post(t, scripted, csrf)
		if err := json.Unmarshal([]byte(body), &ans); err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
			ans.Status != "400" || ans.Message != "Please use a display name longer than five characters." {
			t.Fatalf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})
	t.Run("a good submit is status 200, then confirmed", func(t *testing.T) {
		scripted.Set("displayName", "Mia Chen")
		scripted.Set("seq", strconv.Itoa(ans.Seq))
		resp, body := post(t, scripted, csrf)
		if resp.StatusCode != 200 || !strings.Contains(body, `"status":"200"`) {
			t.Fatalf("%d: %s", resp.StatusCode, body)
		}
		u := page.URL.Query()
		done := b.Get("/woodgrove.onmicrosoft.com/B2C_1_woodgrove/api/SelfAsserted/confirmed?csrf_token=" + url.QueryEscape(csrf) + "&tx=" + u.Get("tx") + "&p=B2C_1_woodgrove")
		if done.URL.Path != "/jwt" {
			t.Fatalf("confirmed: %d at %s", done.Status, done.URL)
		}
	})
	t.Run("a plain post is answered with a redirect to confirmed", func(t *testing.T) {
		srv, _ := startWoodgrove(t) // g-100 signed up above: a new tenant signs them up again
		b := srv.NewBrowser(t)
		page := b.Get("/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize?" + woodgroveQuery(srv).Encode())
		page = b.Submit(b.Submit(page, "button#GoogleExchange", nil), `button.fixtureAccount[value="g-100"]`, nil)
		again := b.Submit(page, "button#continue", map[string]string{"displayName": "Mia"})
		if again.URL.Path != "/woodgrove.onmicrosoft.com/B2C_1_woodgrove/api/SelfAsserted/confirmed" ||
			again.Text("#claimVerificationServerError") != "Please use a display name longer than five characters." {
			t.Fatalf("%d at %s: %q", again.Status, again.URL, again.Text("#claimVerificationServerError"))
		}
		if done := b.Submit(again, "button#continue", map[string]string{"displayName": "Mia Chen"}); done.URL.Path != "/jwt" {
			t.Fatalf("%d at %s", done.Status, done.URL)
		}
	})
	t.Run("an unknown tx is the expired page", func(t *testing.T) {
		for _, tx := range []string{"nope", "StateProperties=nope", "StateProperties=" + base64.RawURLEncoding.EncodeToString([]byte(`{"TID":"x"}`))} {
			if p := b.Get("/woodgrove.onmicrosoft.com/B2C_1_woodgrove/api/SelfAsserted/confirmed?tx=" + tx); p.Status != 400 {
				t.Errorf("tx=%s: %d", tx, p.Status)
			}
		}
	})
}

// The built-in email verification's background requests: request_type=VERIFICATION_REQUEST
// sends the code, VALIDATION_REQUEST with user_input checks it, each answered with JSON; the
// page then shows the new state. A display control that is not on the page is refused.
func TestVerificationRequests(t *testing.T) {
	srv, _ := startWoodgrove(t)
	b := srv.NewBrowser(t)
	page := b.Follow(b.Get("/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize?"+woodgroveQuery(srv).Encode()), "a#createAccount")
	csrf, _ := page.Doc.Find("input[name=csrf]").Attr("value")
	action, _ := page.Doc.Find("#attributeVerification").Attr("action")
	post := func(t *testing.T, path string, form url.Values) string {
		t.Helper()
		u, _ := page.URL.Parse(path)
		req, _ := http.NewRequest(http.MethodPost, u.String(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-TOKEN", csrf)
		resp, err := b.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return strings.TrimSpace(string(body))
	}
	const email = "vera@woodgrove.example"
	if got := post(t, action, url.Values{"request_type": {"VERIFICATION_REQUEST"}, "claim_id": {"email"}, "claim_value": {email}}); !strings.HasPrefix(got, `{"status":"200"`) {
		t.Fatalf("VERIFICATION_REQUEST: %s", got)
	}
	if got := post(t, action, url.Values{"request_type": {"VALIDATION_REQUEST"}, "claim_id": {"email"}, "claim_value": {email}, "user_input": {b.OutboxCode(email)}}); !strings.HasPrefix(got, `{"status":"200"`) {
		t.Fatalf("VALIDATION_REQUEST: %s", got)
	}
	q := page.URL.Query()
	now := b.Get("/woodgrove.onmicrosoft.com/B2C_1_woodgrove/api/SelfAsserted/confirmed?csrf_token=" + url.QueryEscape(csrf) + "&tx=" + q.Get("tx") + "&p=B2C_1_woodgrove")
	if st, _ := now.Doc.Find("#email_ver_control").Attr("data-state"); st != "verified" || now.Doc.Find("#continue[disabled]").Length() != 0 {
		t.Errorf("after the background verification: state %q, #continue disabled %v", st, now.Doc.Find("#continue[disabled]").Length() == 1)
	}
	control := "/woodgrove.onmicrosoft.com/B2C_1_woodgrove/SelfAsserted/DisplayControlAction/vbeta/emailVerificationControl/SendCode?tx=" + q.Get("tx") + "&p=B2C_1_woodgrove"
	if got := post(t, control, url.Values{"email": {email}}); !strings.HasPrefix(got, `{"status":"400","message":"The page has no display control emailVerificationControl`) {
		t.Errorf("unknown display control: %s", got)
	}
}
