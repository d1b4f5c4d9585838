package emulator_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// caSignIn starts b2cemu's Conditional Access fixture (testdata/conditionalaccess) with one
// user, Kim, whose phone is on record (the custom attribute mfaPhone); it returns the server and Kim's object id.
func caSignIn(t *testing.T) (*emulatortest.Server, string) {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("testdata", "conditionalaccess"))
	srv := startPolicies(t, dir, "customAttributes: [{name: mfaPhone, dataType: string}]\n")
	var u struct {
		ObjectID string
		Error    any
	}
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "kim@contoso.com", "password": "Passw0rd!x",
		"attributes": map[string]any{"displayName": "Kim", "mfaPhone": "+15555550100"}}, &u); status != 201 {
		t.Fatalf("seeding Kim: %d %v", status, u.Error)
	}
	return srv, u.ObjectID
}

// setSignal sets a Conditional Access signal through the admin API: path "" is the global one.
func setSignal(t *testing.T, srv *emulatortest.Server, path string, signal map[string]any) {
	t.Helper()
	if status := post(t, srv.Client, http.MethodPut, srv.URL+"/_emulator/conditionalAccess"+path, signal, nil); status != 200 {
		t.Fatalf("PUT /_emulator/conditionalAccess%s %v: %d", path, signal, status)
	}
}

// TestJourneyContextClaims: every output claim of the UserJourneyContextProvider profile, and
// {Context:IPAddress}, with no signal set: no challenge, a token.
func TestJourneyContextClaims(t *testing.T) {
	srv, kim := caSignIn(t)
	b := srv.NewBrowser(t)
	claims := idTokenOf(t, srv, "B2C_1A_ca_signin", b.Submit(b.Get(authorizeFor("B2C_1A_ca_signin")), "button#continue", map[string]string{"email": "kim@contoso.com"}))
	want := map[string]any{"sub": kim, "ip": "127.0.0.1", "ip_resolved": "127.0.0.1", "deployment_mode": "Development", "build": "b2cemu",
		"methods": []any{"Password"}, "ca_status": []any{"notApplied"}}
	for k, v := range want {
		if mustJSON(claims[k]) != mustJSON(v) {
			t.Errorf("%s = %v, want %v", k, claims[k], v)
		}
	}
	if id, _ := claims["correlation_id"].(string); !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(id) {
		t.Errorf("correlation_id %v", claims["correlation_id"])
	}
	if at, _ := claims["context_time"].(string); !regexp.MustCompile(`^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M$`).MatchString(at) {
		t.Errorf("context_time %v", claims["context_time"])
	}
	for _, k := range []string{"challenges", "phone_number"} {
		if claims[k] != nil {
			t.Errorf("no signal, yet %s = %v", k, claims[k])
		}
	}
}

// TestConditionalAccessBranches drives each branch of the fixture's journey from the admin API.
func TestConditionalAccessBranches(t *testing.T) {
	tests := []struct {
		name, path string // path: "" the global signal, "/users/kim" Kim's
		signal     map[string]any
		hasMfa     bool // Kim's phone stays on record
		page       string
		claims     map[string]any
	}{
		{name: "mfa challenge: the phone factor", path: "/users/kim", signal: map[string]any{"challenges": []string{"mfa"}}, hasMfa: true, page: "mfa",
			claims: map[string]any{"challenges": []any{"mfa"}, "ca_status": []any{"success"}, "phone_number": "+15555550100"}},
		{name: "medium sign-in risk asks for mfa", signal: map[string]any{"signInRiskLevel": "medium"}, hasMfa: true, page: "mfa",
			claims: map[string]any{"challenges": []any{"mfa"}, "ca_status": []any{"success"}}},
		{name: "low sign-in risk: no challenge", signal: map[string]any{"signInRiskLevel": "low"}, hasMfa: true,
			claims: map[string]any{"challenges": nil, "ca_status": []any{"notApplied"}}},
		{name: "risk with no challenges", signal: map[string]any{"signInRiskLevel": "high", "challenges": []string{}}, hasMfa: true,
			claims: map[string]any{"challenges": nil, "ca_status": []any{"notApplied"}}},
		{name: "block: the block page", path: "/users/kim", signal: map[string]any{"challenges": []string{"block"}}, hasMfa: true, page: "Sign-in is blocked for this account."},
		{name: "block wins over mfa", signal: map[string]any{"challenges": []string{"mfa", "block"}}, hasMfa: true, page: "Sign-in is blocked for this account."},
		{name: "mfa without a method registered is a block", signal: map[string]any{"challenges": []string{"mfa"}}, page: "Sign-in is blocked for this account."},
		{name: "password change", signal: map[string]any{"challenges": []string{"chg_pwd"}}, hasMfa: true, page: "A new password is needed.",
			claims: map[string]any{"challenges": []any{"chg_pwd"}, "ca_status": []any{"success"}}},
		{name: "another user's signal does not apply", path: "/users/other", signal: map[string]any{"challenges": []string{"block"}}, hasMfa: true,
			claims: map[string]any{"challenges": nil}},
		{name: "the signal's IP address", signal: map[string]any{"ipAddress": "203.0.113.7"}, hasMfa: true,
			claims: map[string]any{"ip": "203.0.113.7", "ip_resolved": "203.0.113.7", "challenges": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, kim := caSignIn(t)
			path := tt.path
			if path == "/users/kim" {
				path = "/users/" + kim
			}
			if path == "/users/other" {
				var u struct{ ObjectID string }
				post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "lee@contoso.com", "password": "Passw0rd!x"}, &u)
				path = "/users/" + u.ObjectID
			}
			if !tt.hasMfa {
				post(t, srv.Client, http.MethodPatch, srv.URL+"/_emulator/users/"+kim, map[string]any{"attributes": map[string]any{"mfaPhone": nil}}, nil)
			}
			setSignal(t, srv, path, tt.signal)
			b := srv.NewBrowser(t)
			page := b.Submit(b.Get(authorizeFor("B2C_1A_ca_signin")), "button#continue", map[string]string{"email": "kim@contoso.com"})
			switch tt.page {
			case "":
			case "mfa":
				if page.Text("#phoneNumber") != "+XXXXXXX0100" {
					t.Fatalf("no phone-factor page:\n%s", page.Body)
				}
				page = b.Submit(page, "button#sendCode", nil)
				page = b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": phoneCode(t, srv.URL, srv.Client, "+15555550100", "B2C_1A_ca_signin", 1)})
			default:
				if got := page.Text("p.textInParagraph#notice"); got != tt.page {
					t.Fatalf("notice %q, want %q:\n%s", got, tt.page, page.Body)
				}
				return
			}
			claims := idTokenOf(t, srv, "B2C_1A_ca_signin", page)
			for k, v := range tt.claims {
				if mustJSON(claims[k]) != mustJSON(v) {
					t.Errorf("%s = %v, want %v", k, claims[k], v)
				}
			}
		})
	}
}

// TestConditionalAccessAPI: the admin API's answers, refusals and resets.
func TestConditionalAccessAPI(t *testing.T) {
	srv, kim := caSignIn(t)
	base := srv.URL + "/_emulator/conditionalAccess"
	var got map[string]any
	if status := post(t, srv.Client, http.MethodGet, base, nil, &got); status != 200 || mustJSON(got) != `{"global":null,"users":{}}` {
		t.Fatalf("start: %d %v", status, got)
	}
	refusals := []struct {
		path   string
		body   any
		status int
		msg    string
	}{
		{"", map[string]any{"challenges": []string{"captcha"}}, 400, `the challenge "captcha" is not one of block, mfa, chg_pwd`},
		{"", map[string]any{"signInRiskLevel": "extreme"}, 400, `the signInRiskLevel "extreme" is not one of none, low, medium, high`},
		{"", map[string]any{"ipAddress": "elsewhere"}, 400, `the ipAddress "elsewhere" is not an IPv4 or IPv6 address`},
		{"", map[string]any{"risk": "high"}, 400, `the request is not a Conditional Access signal: json: unknown field "risk"`},
		{"/users/nobody", map[string]any{}, 404, `no user "nobody": create the user first, or set the global signal (PUT /_emulator/conditionalAccess)`},
	}
	for _, r := range refusals {
		var e struct{ Error string }
		if status := post(t, srv.Client, http.MethodPut, base+r.path, r.body, &e); status != r.status || e.Error != r.msg {
			t.Errorf("PUT %s %v: %d %q", r.path, r.body, status, e.Error)
		}
	}
	setSignal(t, srv, "", map[string]any{"challenges": []string{"MFA"}, "signInRiskLevel": "High"})
	setSignal(t, srv, "/users/"+kim, map[string]any{"ipAddress": "2001:db8::1"})
	post(t, srv.Client, http.MethodGet, base, nil, &got)
	want := `{"global":{"challenges":["mfa"],"signInRiskLevel":"high"},"users":{"` + kim + `":{"challenges":null,"ipAddress":"2001:db8::1"}}}`
	if mustJSON(got) != want {
		t.Errorf("GET %s\nwant %s", mustJSON(got), want)
	}
	rows := []string{}
	signalsPage(t, srv).Find("#signals tbody tr").Each(func(_ int, r *goquery.Selection) {
		var cells []string
		r.Find("td").Each(func(_ int, td *goquery.Selection) { cells = append(cells, strings.TrimSpace(td.Text())) })
		rows = append(rows, strings.Join(cells, "|"))
	})
	if want := []string{"every sign-in|mfa|high|", kim + "|by the risk level|none|2001:db8::1"}; mustJSON(rows) != mustJSON(want) {
		t.Errorf("the page's rows %q, want %q", rows, want)
	}
	if status := post(t, srv.Client, http.MethodDelete, base+"/users/"+kim, nil, nil); status != 204 {
		t.Errorf("DELETE Kim's: %d", status)
	}
	if status := post(t, srv.Client, http.MethodDelete, base+"/users/"+kim, nil, nil); status != 404 {
		t.Errorf("DELETE Kim's again: %d", status)
	}
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/reset", nil, nil); status != 204 {
		t.Fatalf("reset: %d", status)
	}
	if post(t, srv.Client, http.MethodGet, base, nil, &got); mustJSON(got) != `{"global":null,"users":{}}` {
		t.Errorf("after reset: %v", got)
	}
	setSignal(t, srv, "", map[string]any{"challenges": []string{"block"}})
	if status := post(t, srv.Client, http.MethodDelete, base, nil, nil); status != 204 {
		t.Errorf("DELETE all: %d", status)
	}
	if post(t, srv.Client, http.MethodGet, base, nil, &got); mustJSON(got) != `{"global":null,"users":{}}` {
		t.Errorf("after DELETE: %v", got)
	}
	if got := signalsPage(t, srv).Find("#noSignals").Text(); got != "No signals: every sign-in runs without a challenge." {
		t.Errorf("the page without signals: %q", got)
	}
}

// signalsPage is the developer page of the signals, as a browser asks for it.
func signalsPage(t *testing.T, srv *emulatortest.Server) *goquery.Document {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/_emulator/conditionalAccess", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := srv.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the page: %d %v", resp.StatusCode, err)
	}
	return doc
}

// TestPageOutputTransformationAssertion: a self-asserted page's output claims transformations
// run once it is accepted, and a failing assertion keeps the page with its message.
func TestPageOutputTransformationAssertion(t *testing.T) {
	src, _ := filepath.Abs(filepath.Join("testdata", "conditionalaccess"))
	dir := t.TempDir()
	for _, name := range []string{"CABase.xml", "CA_signin.xml"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "CABase.xml" {
			s := string(b)
			s = policyEdit(t, s, `</ClaimsTransformations>`, `<ClaimsTransformation Id="NotFederated" TransformationMethod="AssertBooleanClaimIsEqualToValue">
          <InputClaims><InputClaim ClaimTypeReferenceId="isFederated" TransformationClaimType="inputClaim" /></InputClaims>
          <InputParameters><InputParameter Id="valueToCompareTo" DataType="boolean" Value="false" /></InputParameters>
        </ClaimsTransformation>
      </ClaimsTransformations>`)
			s = policyEdit(t, s, `<OutputClaimsTransformation ReferenceId="AddMethod" />`, `<OutputClaimsTransformation ReferenceId="AddMethod" />
            <OutputClaimsTransformation ReferenceId="NotFederated" />`)
			s = policyEdit(t, s, `<OutputClaim ClaimTypeReferenceId="resolvedAddress" DefaultValue="{Context:IPAddress}" />`,
				`<OutputClaim ClaimTypeReferenceId="resolvedAddress" DefaultValue="{Context:IPAddress}" />
            <OutputClaim ClaimTypeReferenceId="isFederated" DefaultValue="true" />`)
			b = []byte(s)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	srv := startPolicies(t, dir, "")
	b := srv.NewBrowser(t)
	page := b.Submit(b.Get(authorizeFor("B2C_1A_ca_signin")), "button#continue", map[string]string{"email": "kim@contoso.com"})
	if got := page.Text("#claimVerificationServerError"); got != `Boolean claim value comparison failed for claim type "inputClaim".` || page.Location != nil {
		t.Fatalf("error %q, location %v\n%s", got, page.Location, page.Body)
	}
}
