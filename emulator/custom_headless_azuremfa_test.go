package emulator_test

import (
	"net/http"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
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
