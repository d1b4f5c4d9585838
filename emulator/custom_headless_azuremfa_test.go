package emulator_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/emulator/policy/policytest"
	"github.com/b2cemu/b2cemu/web"
)

// runMFA posts a headless run of a policy of testdata/azuremfa with these attribute entries.
func runMFA(t *testing.T, srv *emulatortest.Server, policy string, attributes ...map[string]string) runResult {
	t.Helper()
	var out runResult
	req := map[string]any{"clientId": clientID, "attributes": attributes}
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/flows/"+policy+"/run", req, &out); status != 200 {
		t.Fatalf("%s: %d %+v", policy, status, out)
	}
	return out
}

// TestHeadlessAuthenticatorApp: a headless run answers a custom policy's authenticator-app
// pages as the app's user would: the enrolment page (QR code and secret) and the code page
// go on without entries, the code computed from the secret shown; a later sign-in types the
// code of the key enrolled on the user, at the emulator's clock, on the code page or on a
// VerificationControl over VerifyOTP; a code given explicitly is typed as given, so a wrong
// one gets the profile's message.
func TestHeadlessAuthenticatorApp(t *testing.T) {
	srv := startMFA(t)
	up := runMFA(t, srv, "B2C_1A_mfa_app_signup", map[string]string{"email": "kai@contoso.com", "displayName": "Kai"})
	if up.Outcome != "token" || len(up.Attempts) != 3 || len(up.Attempts[1].Values) != 0 || len(up.Attempts[2].Values["appCode"]) != 6 {
		t.Fatalf("enrolment: %+v", up)
	}
	marked := runMFA(t, srv, "B2C_1A_mfa_app_signup", map[string]string{"email": "lu@contoso.com", "displayName": "Lu"}, map[string]string{}, map[string]string{"appCode": web.AppCodeMarker})
	if marked.Outcome != "token" {
		t.Fatalf("enrolment with the marker: %+v", marked)
	}
	if _, err := srv.Em.Clock.Set(web.ClockChange{Advance: "10m"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, policy string
		attributes   []map[string]string
		outcome      string
		message      string
		fieldError   string // the code's message on the verification control
	}{
		{"the code page", "B2C_1A_mfa_app_signin", []map[string]string{{"email": "kai@contoso.com"}}, "token", "", ""},
		{"the code page with the marker", "B2C_1A_mfa_app_signin", []map[string]string{{"email": "kai@contoso.com"}, {"appCode": web.AppCodeMarker}}, "token", "", ""},
		{"a wrong code given", "B2C_1A_mfa_app_signin", []map[string]string{{"email": "kai@contoso.com"}, {"appCode": "000000"}}, "validationError", "That is not the code your app shows.", ""},
		{"the verification control", "B2C_1A_mfa_app_control", []map[string]string{{"email": "kai@contoso.com"}}, "token", "", ""},
		{"a wrong code on the control", "B2C_1A_mfa_app_control", []map[string]string{{"email": "kai@contoso.com"}, {"appCode": "000000"}}, "validationError", "The claims for verification control have not been verified.", "Wrong code entered, please try again."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := runMFA(t, srv, tc.policy, tc.attributes...)
			var fieldError string
			if n := len(out.Attempts); n > 0 {
				fieldError = out.Attempts[n-1].FieldErrors["email"]
			}
			if out.Outcome != tc.outcome || tc.outcome == "token" && out.ObjectID != up.ObjectID || out.UserMessage != tc.message || fieldError != tc.fieldError {
				t.Errorf("outcome %q object %q message %q, want %q %q %q\n%+v", out.Outcome, out.ObjectID, out.UserMessage, tc.outcome, up.ObjectID, tc.message, out)
			}
		})
	}
}

// TestHeadlessAuthenticatorAppWithoutKey: when a page asks for an authenticator app's code
// but no page of the run showed a secret and the user has no app enrolled, the headless run
// cannot type a code for the user: it refuses with 400 and says to give the code, instead of
// submitting a made-up one; a code given in the attributes entry is typed as given. The
// fixture's sign-in goes to the code page without its enrolment branch.
func TestHeadlessAuthenticatorAppWithoutKey(t *testing.T) {
	src, _ := filepath.Abs(filepath.Join("testdata", "azuremfa"))
	dir := policytest.CopyEdited(t, src, map[string]func(string) string{"MfaBase.xml": func(base string) string {
		return policyEdit(t, base, `<OrchestrationStep Order="3" Type="InvokeSubJourney">
          <JourneyList><Candidate SubJourneyReferenceId="App" /></JourneyList>
        </OrchestrationStep>
        <OrchestrationStep Order="4" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
    </UserJourney>
    <UserJourney Id="AppControlSignIn">`, `<OrchestrationStep Order="3" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="Code" TechnicalProfileReferenceId="Page-AppCode" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="4" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
    </UserJourney>
    <UserJourney Id="AppControlSignIn">`)
	}})
	srv := startPolicies(t, dir, "")
	seed := map[string]any{"email": "noapp@contoso.com", "password": "Passw0rd!", "attributes": map[string]any{"displayName": "No App"}}
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", seed, nil); status != 201 {
		t.Fatalf("seeding: %d", status)
	}
	for _, tc := range []struct {
		name       string
		attributes []map[string]string
		status     int
		want       string // in the answer
	}{
		{"no code given", []map[string]string{{"email": "noapp@contoso.com"}}, http.StatusBadRequest, `no page of the run showed a secret and the user`},
		{"the marker", []map[string]string{{"email": "noapp@contoso.com"}, {"appCode": web.AppCodeMarker}}, http.StatusBadRequest, `give the code in the page's attributes entry`},
		{"a code given", []map[string]string{{"email": "noapp@contoso.com"}, {"appCode": "123456"}}, http.StatusOK, "validationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out map[string]any
			req := map[string]any{"clientId": clientID, "attributes": tc.attributes}
			status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/flows/B2C_1A_mfa_app_signin/run", req, &out)
			if text := fmt.Sprint(out); status != tc.status || !strings.Contains(text, tc.want) {
				t.Errorf("%d %s, want %d and %q", status, text, tc.status, tc.want)
			}
		})
	}
}
