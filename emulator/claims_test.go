package emulator_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestConnectorClaimsKeepThePageRules walks a federated sign-up over HTTP while an httptest
// connector answers Continue with a claim value the attribute page refuses: a
// 500,000-character displayName, or one with a script tag. At every step the call fails as
// B2C's generic connector failure, nothing invalid is stored or issued, and the call
// inspector's diagnostic names the claim, the rule and the fix.
func TestConnectorClaimsKeepThePageRules(t *testing.T) {
	values := map[string]struct{ value, rule string }{
		"long":   {strings.Repeat("A", 500000), "at most 256"},
		"script": {"<script>alert(1)</script>", "contains < or >"},
	}
	steps := []struct{ step, exchange string }{
		{"PostFederationSignup", "PreSelfAssertedRestful"},
		{"PostAttributeCollection", "PreUserWriteRestful"},
		{"PreTokenIssuance", "PreSendClaimsRestful"},
	}
	for _, st := range steps {
		for kind, bad := range values {
			t.Run(st.step+"/"+kind, func(t *testing.T) {
				script := &connectorScript{answer: func(step string, _ map[string]any) (int, string) {
					if step == st.step {
						return 200, `{"version":"1.0.0","action":"Continue","displayName":"` + bad.value + `"}`
					}
					return 200, `{"version":"1.0.0","action":"Continue"}`
				}}
				yaml := tenantYAML(startAPI(t, script)) + "      preTokenIssuance: checks\n"
				srv := emulatortest.Start(t, yaml)
				b := srv.NewBrowser(t)
				page := b.Get(authorizeURL(nil))
				page = b.Submit(page, "button#FacebookExchange", nil)
				page = b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)
				generic := "The claims exchange '" + st.exchange + "' specified in step '1' returned HTTP error response with Code 'OK' and Reason 'OK'."
				switch st.step {
				case "PostFederationSignup": // the error page, as for any failed call at this step
					if page.Doc.Find(`[data-name=GlobalException]`).Length() != 1 || page.Text("#errorMessage") != "AADB2C90075: "+generic {
						t.Fatalf("error page:\n%.2000s", page.Body)
					}
				case "PostAttributeCollection": // stays on the page, values kept
					page = b.Submit(page, "button#continue", nil)
					if got := page.Text("#claimVerificationServerError"); got != generic {
						t.Fatalf("#claimVerificationServerError = %q", got)
					}
					if v, _ := page.Doc.Find("input#displayName").Attr("value"); v != "John Smith" {
						t.Errorf("displayName on the page = %q", v)
					}
				default: // back to the application with server_error
					page = b.Submit(page, "button#continue", nil)
					if page.Location == nil || page.Location.Query().Get("error") != "server_error" ||
						!strings.HasPrefix(page.Location.Query().Get("error_description"), "AADB2C90075: "+generic+"\r\nCorrelation ID: ") {
						t.Fatalf("token step failure: %v\n%.2000s", page.Location, page.Body)
					}
				}
				if strings.Contains(page.Body, "<script>alert") || strings.Contains(page.Body, "AAAAAAAAAA") {
					t.Error("the refused value reached the page")
				}
				for _, u := range srv.Em.Users.List() {
					if u.Attributes.String("displayName") != "John Smith" {
						t.Errorf("stored displayName %.40q", u.Attributes.String("displayName"))
					}
				}
				if n := len(srv.Em.Users.List()); n != map[bool]int{true: 1, false: 0}[st.step == "PreTokenIssuance"] {
					t.Errorf("%d users stored", n)
				}
				assertRefusedCall(t, srv, st.step, bad.rule)
			})
		}
	}
}

// assertRefusedCall checks the call inspector's record of the step's call (b2cemu's step
// name: PreTokenIssuance whatever the wire value).
func assertRefusedCall(t *testing.T, srv *emulatortest.Server, step, rule string) {
	t.Helper()
	var calls struct {
		Calls []struct{ Step, Outcome, Diagnostic string }
	}
	if status := post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls?"+url.Values{"step": {step}}.Encode(), nil, &calls, "Accept", "application/json"); status != 200 || len(calls.Calls) != 1 {
		t.Fatalf("calls: %d %+v", status, calls)
	}
	c := calls.Calls[0]
	for _, want := range []string{"Continue at " + step, `"displayName"`, rule} {
		if c.Outcome != "failure" || !strings.Contains(c.Diagnostic, want) {
			t.Errorf("call %s %q lacks %q", c.Outcome, c.Diagnostic, want)
		}
	}
	if len(c.Diagnostic) > 1000 {
		t.Errorf("the diagnostic quotes the value: %d bytes", len(c.Diagnostic))
	}
	if !strings.Contains(srv.Log.String(), "returns a claim B2C cannot accept") {
		t.Error("the diagnostic was not logged")
	}
}
