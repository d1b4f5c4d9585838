package flows_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/flows/otp"
)

// mfaFlow is a local sign-up or sign-in flow with the given MFA settings and a PreTokenIssuance
// connector, so that the tests see the token step run after the second factor only.
func mfaFlow(method engine.MFAMethod, enf flows.MFAEnforcement) *flows.Definition {
	return &flows.Definition{ID: "B2C_1_mfa", Type: flows.SignUpOrSignIn, IdentityProviders: []string{"email"}, NoEmailVerification: true,
		ApplicationClaims: []string{"emails", "objectId"}, Connectors: map[apiconnector.Step]string{apiconnector.PreTokenIssuance: "api"},
		MFA: flows.MFASettings{Method: method, Enforcement: enf}}
}

// outbox records what a machine sends.
type outbox struct {
	mails []codes.Mail
	texts []codes.SMS
}

func mfaMachine(c *stubConnector, d *memDirectory, o *outbox, now *time.Time) *flows.Machine {
	m := newMachine(c, d)
	m.FixedCode = testCode
	m.Now = func() time.Time { return *now }
	m.Mail = func(x codes.Mail) { o.mails = append(o.mails, x) }
	m.Text = func(x codes.SMS) { o.texts = append(o.texts, x) }
	return m
}

// secondFactor passes the run's second-factor page as a user would: the number entered or
// on record, the code from the outbox (or the authenticator app's).
func secondFactor(t *testing.T, m *flows.Machine, def *flows.Definition, r *engine.Run, now time.Time) {
	t.Helper()
	ctx := context.Background()
	p := r.Page.MFA
	var code string
	switch def.MFA.Method {
	case engine.MFATOTP:
		key := []byte(nil)
		if p.Enrol {
			key, _ = otp.Decode(p.Secret)
		} else {
			key, _ = otp.Decode(r.User.Attributes.String(codes.TOTPAttribute))
		}
		code = otp.TOTP(key, now, 6)
	default:
		send := "sendCode"
		if def.MFA.Method == engine.MFACall {
			send = "sendCall"
		}
		if err := m.Advance(ctx, def, r, engine.VerifyMFA{Action: send, Country: "GB", Number: "07700 900123"}); err != nil {
			t.Fatalf("%s: %v", send, err)
		}
		if r.Page.MFA.Error != "" || !r.Page.MFA.Sent {
			t.Fatalf("%s: error %q sent %v", send, r.Page.MFA.Error, r.Page.MFA.Sent)
		}
		code = testCode
	}
	if err := m.Advance(ctx, def, r, engine.VerifyMFA{Action: "verifyCode", Code: code}); err != nil {
		t.Fatalf("verifyCode: %v", err)
	}
}

// TestMFAMethodsAndEnforcement: every method under every enforcement, at sign-up and at the
// next sign-in: the second-factor page comes after the first factor and before
// PreTokenIssuance, enrols at sign-up (the phone number on the user as
// strongAuthenticationPhoneNumber) and verifies what is on record later.
func TestMFAMethodsAndEnforcement(t *testing.T) {
	methods := []engine.MFAMethod{engine.MFAEmail, engine.MFASMS, engine.MFACall, engine.MFASMSOrCall, engine.MFATOTP}
	tests := []struct {
		enf            flows.MFAEnforcement
		signUp, signIn bool // the second factor is asked
	}{
		{flows.MFAOff, false, false},
		{"", false, false},
		{flows.MFAAlways, true, true},
		{flows.MFAConditional, true, false},
	}
	ctx := context.Background()
	for _, method := range methods {
		for _, tt := range tests {
			t.Run(string(method)+"/"+string(tt.enf), func(t *testing.T) {
				def, c, d, o := mfaFlow(method, tt.enf), &stubConnector{}, &memDirectory{}, &outbox{}
				now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
				m := mfaMachine(c, d, o, &now)
				r := m.Start(ctx, def, "run-1", "app", "")
				_ = m.Advance(ctx, def, r, engine.StartSignUp{})
				if err := m.Advance(ctx, def, r, engine.SubmitSignUp{Email: "ana@fabrikam.com", Password: "Passw0rd!", ConfirmPassword: "Passw0rd!"}); err != nil {
					t.Fatal(err)
				}
				step(t, "sign-up", m, def, r, c, tt.signUp, now)
				wantPhone := tt.signUp && method != engine.MFAEmail && method != engine.MFATOTP
				if got := d.users[0].Attributes.String(codes.PhoneAttribute); (got == "+447700900123") != wantPhone {
					t.Errorf("strongAuthenticationPhoneNumber %q, want it set %v", got, wantPhone)
				}
				c.calls = nil
				now = now.Add(time.Hour)
				r = m.Start(ctx, def, "run-2", "app", "")
				if err := m.Advance(ctx, def, r, engine.SignInLocal{Email: "ana@fabrikam.com", Password: "Passw0rd!"}); err != nil {
					t.Fatal(err)
				}
				step(t, "sign-in", m, def, r, c, tt.signIn, now)
				if tt.signIn && r.Page == nil && (method == engine.MFAEmail) != (len(o.mails) > 0) {
					t.Errorf("emails %d for %s", len(o.mails), method)
				}
			})
		}
	}
}

// step checks the run after the first factor: on the second-factor page with no token step
// yet (then passes it), or straight at the token.
func step(t *testing.T, name string, m *flows.Machine, def *flows.Definition, r *engine.Run, c *stubConnector, asked bool, now time.Time) {
	t.Helper()
	if !asked {
		if r.Phase != engine.PhaseDone || len(c.calls) != 1 {
			t.Fatalf("%s: phase %s, calls %v; want done after PreTokenIssuance", name, r.Phase, c.steps())
		}
		return
	}
	if r.Phase != engine.PhaseMFA || r.Page == nil || r.Page.MFA == nil || len(c.calls) != 0 {
		t.Fatalf("%s: phase %s, calls %v; want the second-factor page before the token step", name, r.Phase, c.steps())
	}
	enrol := r.Page.MFA.Enrol
	secondFactor(t, m, def, r, now)
	if r.Phase != engine.PhaseDone || !slices.Equal(c.steps(), []apiconnector.Step{apiconnector.PreTokenIssuance}) {
		t.Fatalf("%s: after the code: phase %s (page %+v), calls %v", name, r.Phase, r.Page, c.steps())
	}
	if name == "sign-in" && enrol && def.MFA.Method != engine.MFAEmail {
		t.Errorf("sign-in enrolled again: the factor of the sign-up was not kept")
	}
}

// TestPhoneFactorRules: the enrolment page's number checks, wrong codes, the retry limit and
// a resend; the codes go to the text message outbox by the channel chosen.
func TestPhoneFactorRules(t *testing.T) {
	ctx := context.Background()
	def, c, d, o := mfaFlow(engine.MFASMSOrCall, flows.MFAAlways), &stubConnector{}, &memDirectory{}, &outbox{}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := mfaMachine(c, d, o, &now)
	r := m.Start(ctx, def, "run-1", "app", "")
	_ = m.Advance(ctx, def, r, engine.StartSignUp{})
	_ = m.Advance(ctx, def, r, engine.SubmitSignUp{Email: "bo@fabrikam.com", Password: "Passw0rd!", ConfirmPassword: "Passw0rd!"})
	p := r.Page.MFA
	if !p.Enrol || !p.SMS || !p.Call || r.Page.ContentDefinition != "api.phonefactor" || p.Intro() != "Enter a number below that we can send a code via SMS or phone to authenticate you." {
		t.Fatalf("enrolment page %+v %q", p, p.Intro())
	}
	steps := []struct {
		in        engine.VerifyMFA
		wantError string
		sent      int
	}{
		{engine.VerifyMFA{Action: "sendCode", Country: "US"}, "Please enter your phone number", 0},
		{engine.VerifyMFA{Action: "sendCode", Country: "US", Number: "12ab"}, "Please enter a valid phone number", 0},
		{engine.VerifyMFA{Action: "sendCode", Number: "555 555 0100"}, "Please select your country code", 0},
		{engine.VerifyMFA{Action: "verifyCode", Code: testCode}, "", -1}, // no code out: refused
		{engine.VerifyMFA{Action: "sendCall", Country: "US", Number: "555-555-0100"}, "", 1},
		{engine.VerifyMFA{Action: "verifyCode", Code: ""}, "Please enter the verification code you received", 1},
		{engine.VerifyMFA{Action: "verifyCode", Code: "000000"}, "The verification code you have entered does not match our records. Please try again, or request a new code.", 1},
		{engine.VerifyMFA{Action: "retryCode"}, "", 2},
		{engine.VerifyMFA{Action: "sendCode", Country: "US", Number: "+1 555 555 0100"}, "", 3},
		{engine.VerifyMFA{Action: "retryCode"}, "You hit the limit on the number of text messages. Try again shortly.", 3},
	}
	for i, s := range steps {
		err := m.Advance(ctx, def, r, s.in)
		if s.sent < 0 {
			if err == nil {
				t.Errorf("step %d: verifyCode before a code was sent was accepted", i)
			}
			continue
		}
		if err != nil || r.Page.MFA.Error != s.wantError || len(o.texts) != s.sent {
			t.Fatalf("step %d %+v: err %v, error %q, %d texts; want %q, %d", i, s.in, err, r.Page.MFA.Error, len(o.texts), s.wantError, s.sent)
		}
	}
	if o.texts[0].Channel != "call" || o.texts[1].Channel != "call" || o.texts[2].Channel != "sms" || o.texts[0].To != "+15555550100" || o.texts[2].Code != testCode {
		t.Errorf("outbox %+v", o.texts)
	}
	for range codes.Attempts {
		_ = m.Advance(ctx, def, r, engine.VerifyMFA{Action: "verifyCode", Code: "111111"})
	}
	if r.Page.MFA.Error != "You hit the limit on the number of verification attempts. Try again shortly." || r.Phase != engine.PhaseMFA {
		t.Errorf("after %d wrong codes: %q, phase %s", codes.Attempts, r.Page.MFA.Error, r.Phase)
	}
	if len(c.calls) != 0 {
		t.Errorf("the token step ran without the second factor: %v", c.steps())
	}
}

// TestPhoneAccounts: a phone account flow signs up with a number and the code sent to it (no
// password), then the attribute page; the identity is a phoneNumber one; a second sign-up of
// the number is refused; the sign-in takes the number and a new code; an unknown number has
// no account.
func TestPhoneAccounts(t *testing.T) {
	ctx := context.Background()
	def := &flows.Definition{ID: "B2C_1_phone", Type: flows.SignUpOrSignIn, IdentityProviders: []string{"email"}, LocalAccount: "phone",
		UserAttributes: []flows.UserAttribute{{Name: "displayName", Required: true}}, ApplicationClaims: []string{"displayName", "objectId"},
		MFA: flows.MFASettings{Method: engine.MFASMS, Enforcement: flows.MFAAlways}}
	c, d, o := &stubConnector{}, &memDirectory{}, &outbox{}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := mfaMachine(c, d, o, &now)
	signUp := func(id string) *engine.Run {
		r := m.Start(ctx, def, id, "app", "")
		if !r.Page.PhoneSignIn || r.Page.SignInName != "signInName" || r.Page.ForgotPassword != "" {
			t.Fatalf("unified page %+v", r.Page)
		}
		_ = m.Advance(ctx, def, r, engine.StartSignUp{})
		if r.Phase != engine.PhaseMFA || r.Page.Title != "Sign up" || !r.Page.MFA.Enrol || r.Page.MFA.Call {
			t.Fatalf("sign-up: %s %+v", r.Phase, r.Page)
		}
		_ = m.Advance(ctx, def, r, engine.VerifyMFA{Action: "sendCode", Country: "US", Number: "555 555 0100"})
		_ = m.Advance(ctx, def, r, engine.VerifyMFA{Action: "verifyCode", Code: testCode})
		return r
	}
	r := signUp("run-1")
	if r.Phase != engine.PhaseAttributes || r.Identity.SignInType != "phoneNumber" || r.Identity.IssuerAssignedID != "+15555550100" {
		t.Fatalf("after the code: %s %+v", r.Phase, r.Identity)
	}
	if err := m.Advance(ctx, def, r, engine.SubmitAttributes{Values: map[string]string{"displayName": "Pat"}}); err != nil || r.Phase != engine.PhaseDone {
		t.Fatalf("attributes: %v %s (the phone code counts as the MFA: no second page)", err, r.Phase)
	}
	if r2 := signUp("run-2"); r2.Phase != engine.PhaseMFA || r2.Page.MFA.Error != "A user with the specified ID already exists. Please choose a different one." {
		t.Errorf("a second sign-up of the number: %s %+v", r2.Phase, r2.Page.MFA)
	}
	r = m.Start(ctx, def, "run-3", "app", "")
	_ = m.Advance(ctx, def, r, engine.SignInLocal{Email: "+1 555 555 0199"})
	if r.PageError != "We can't seem to find your account." {
		t.Errorf("an unknown number: %q", r.PageError)
	}
	_ = m.Advance(ctx, def, r, engine.SignInLocal{Email: "+1 555-555-0100"})
	if r.Phase != engine.PhaseMFA || r.Page.Title != "Sign in" || r.Page.MFA.Enrol || r.Page.MFA.Number != "+XXXXXXX0100" {
		t.Fatalf("sign-in: %s %+v", r.Phase, r.Page)
	}
	_ = m.Advance(ctx, def, r, engine.VerifyMFA{Action: "sendCode"})
	_ = m.Advance(ctx, def, r, engine.VerifyMFA{Action: "verifyCode", Code: testCode})
	if r.Phase != engine.PhaseDone || r.TokenClaims["name"] != "Pat" || r.NewUser {
		t.Errorf("signed in: %s %v", r.Phase, r.TokenClaims)
	}
	if len(o.texts) != 3 || o.texts[2].To != "+15555550100" {
		t.Errorf("texts %+v", o.texts)
	}
}
