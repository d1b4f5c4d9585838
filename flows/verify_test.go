package flows_test

import (
	"context"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// TestLocalSignUpVerifiesTheEmail walks the local sign-up page's verification buttons: each
// row is a list of inputs (with clock moves) and what the page says after them.
func TestLocalSignUpVerifiesTheEmail(t *testing.T) {
	const email = "ana@fabrikam.com"
	values := map[string]string{"email": email, "displayName": "Ana"}
	send := engine.VerifyEmail{Action: "send", Field: "email", Values: values}
	code := func(c string) engine.VerifyEmail {
		return engine.VerifyEmail{Action: "verify", Field: "email", Code: c, Values: values}
	}
	submit := engine.SubmitSignUp{Email: email, Password: "Passw0rd!", ConfirmPassword: "Passw0rd!", Values: values}
	wait := func(d time.Duration) any { return waitInput(d) }
	tests := []struct {
		name      string
		def       *flows.Definition
		inputs    []any // engine.Input or waitInput
		phase     engine.Phase
		state     string // the page's verification state
		failure   string
		pageError string
		mails     int
	}{
		{name: "submitting without verifying says the claim is not verified", inputs: []any{submit},
			phase: engine.PhaseLocalSignUp, pageError: "Claim not verified: email"},
		{name: "send puts a code in the outbox", inputs: []any{send}, phase: engine.PhaseLocalSignUp, state: "sent", mails: 1},
		{name: "the right code verifies, then the page submits", inputs: []any{send, code(testCode), submit}, phase: engine.PhaseDone, mails: 1},
		{name: "a wrong code leaves attempts", inputs: []any{send, code("000000")},
			phase: engine.PhaseLocalSignUp, state: "sent", failure: "That code is incorrect. Please try again.", mails: 1},
		{name: "three wrong codes void it", inputs: []any{send, code("1"), code("2"), code("3")},
			phase: engine.PhaseLocalSignUp, state: "", failure: "You've made too many incorrect attempts. Please try again later.", mails: 1},
		{name: "a code expires after 5 minutes", inputs: []any{send, wait(5 * time.Minute), code(testCode)},
			phase: engine.PhaseLocalSignUp, state: "", failure: "That code is expired. Please request a new code.", mails: 1},
		{name: "a code is good just before 5 minutes", inputs: []any{send, wait(5*time.Minute - time.Second), code(testCode)},
			phase: engine.PhaseLocalSignUp, state: "verified", mails: 1},
		{name: "resend sends a new code", inputs: []any{send, code("1"), engine.VerifyEmail{Action: "resend", Field: "email", Values: values}},
			phase: engine.PhaseLocalSignUp, state: "sent", mails: 2},
		{name: "change drops the verification", inputs: []any{send, code(testCode), engine.VerifyEmail{Action: "change", Field: "email", Values: values}, submit},
			phase: engine.PhaseLocalSignUp, state: "", pageError: "Claim not verified: email", mails: 1},
		{name: "a verified address does not cover another", inputs: []any{send, code(testCode),
			engine.SubmitSignUp{Email: "bo@fabrikam.com", Password: "Passw0rd!", ConfirmPassword: "Passw0rd!", Values: values}},
			phase: engine.PhaseLocalSignUp, state: "verified", pageError: "Claim not verified: email", mails: 1},
		{name: "send refuses a bad address", inputs: []any{engine.VerifyEmail{Action: "send", Field: "email", Values: map[string]string{"email": "ana@"}}},
			phase: engine.PhaseLocalSignUp, state: "", mails: 0},
		{name: "verification off: the page submits as it is",
			def:    &flows.Definition{ID: "B2C_1_up", Type: flows.SignUp, IdentityProviders: []string{"email"}, NoEmailVerification: true},
			inputs: []any{submit}, phase: engine.PhaseDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := tt.def
			if def == nil {
				def = &flows.Definition{ID: "B2C_1_up", Type: flows.SignUp, IdentityProviders: []string{"email"}, UserAttributes: []flows.UserAttribute{{Name: "displayName"}}}
			}
			m := newMachine(&stubConnector{}, &memDirectory{})
			now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			m.Now = func() time.Time { return now }
			m.FixedCode = testCode
			var mails []codes.Mail
			m.Mail = func(x codes.Mail) { mails = append(mails, x) }
			r := m.Start(context.Background(), def, "run1", "app", "")
			for _, in := range tt.inputs {
				if d, ok := in.(waitInput); ok {
					now = now.Add(time.Duration(d))
					continue
				}
				if err := m.Advance(context.Background(), def, r, in.(engine.Input)); err != nil {
					t.Fatalf("Advance(%+v): %v", in, err)
				}
			}
			if r.Phase != tt.phase || r.PageError != tt.pageError || len(mails) != tt.mails {
				t.Fatalf("phase %s page error %q mails %d; want %s %q %d", r.Phase, r.PageError, len(mails), tt.phase, tt.pageError, tt.mails)
			}
			if tt.phase == engine.PhaseDone {
				return
			}
			// The run's verification as the page shows it (the machine's state stays its own).
			if r.Page == nil || len(r.Page.Fields) == 0 || r.Page.Fields[0].ID != "email" || r.Page.Fields[0].Verify == nil {
				t.Fatalf("page = %+v; want the email field with its verification first", r.Page)
			}
			v := r.Page.Fields[0].Verify
			if v.State != tt.state || v.Error != tt.failure {
				t.Errorf("verification %q %q; want %q %q", v.State, v.Error, tt.state, tt.failure)
			}
			if tt.mails > 0 && (mails[0].To != email || mails[0].Code != testCode || mails[0].Policy != "B2C_1_up" || mails[0].RunID != "run1") {
				t.Errorf("mail = %+v", mails[0])
			}
		})
	}
}

// waitInput moves the test's clock; it is not given to the machine.
type waitInput time.Duration

func TestVerifyOutsideItsPageIsRefused(t *testing.T) {
	m := newMachine(&stubConnector{}, &memDirectory{})
	on := &flows.Definition{ID: "B2C_1_up", Type: flows.SignUp, IdentityProviders: []string{"email"}}
	off := &flows.Definition{ID: "B2C_1_up", Type: flows.SignUp, IdentityProviders: []string{"email"}, NoEmailVerification: true}
	for name, tt := range map[string]struct {
		def *flows.Definition
		in  engine.VerifyEmail
	}{
		"verification off":   {off, engine.VerifyEmail{Action: "send", Field: "email"}},
		"another field":      {on, engine.VerifyEmail{Action: "send", Field: "displayName"}},
		"verify before send": {on, engine.VerifyEmail{Action: "verify", Field: "email", Code: "1"}},
		"an unknown action":  {on, engine.VerifyEmail{Action: "skip", Field: "email"}},
	} {
		r := m.Start(context.Background(), tt.def, "run1", "app", "")
		r.Values = engine.Claims{"displayName": "kept"}
		if err := m.Advance(context.Background(), tt.def, r, tt.in); engine.KindOf(err) != engine.Invalid || r.Values.String("displayName") != "kept" || r.Seq != 0 {
			t.Errorf("%s: err = %v, want Invalid with the run unchanged (values %v, seq %d)", name, err, r.Values, r.Seq)
		}
	}
}
