package flows

import (
	"context"
	"crypto/sha1"

	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/flows/otp"
)

// MFAEnforcement is the user flow's "MFA enforcement".
type MFAEnforcement string

// The enforcement settings. Conditional has no Conditional Access policy to ask in b2cemu:
// it asks for the second factor when the account is created in the run (the enrolment) and
// goes straight on at later sign-ins, as a tenant whose policies detect no risk does.
const (
	MFAOff         MFAEnforcement = "off"
	MFAAlways      MFAEnforcement = "always"
	MFAConditional MFAEnforcement = "conditional"
)

// MFASettings are a user flow's multifactor authentication settings; the zero value is off.
type MFASettings struct {
	Method      engine.MFAMethod
	Enforcement MFAEnforcement
}

// needsMFA reports whether the run asks for the second factor of u, the user the first factor
// found or created: at every run when the flow's enforcement is always; under conditional,
// only to enrol (a new user, or one with nothing on record for the method), since no
// Conditional Access policy is there to ask for more. Every flow type takes it (docs/mfa.md).
func needsMFA(def *Definition, r *engine.Run, u *engine.User, newUser bool) bool {
	if stateOf(r).mfaDone {
		return false
	}
	switch def.MFA.Enforcement {
	case MFAAlways:
		return true
	case MFAConditional:
		return newUser || !enrolled(def.MFA.Method, u)
	}
	return false
}

// enrolled reports whether u has what the method verifies on record: the phone number, the
// authenticator app's key, or (the email code) an address.
func enrolled(method engine.MFAMethod, u *engine.User) bool {
	switch method {
	case engine.MFAEmail:
		return u.Email() != ""
	case engine.MFATOTP:
		return u.Attributes.String(codes.TOTPAttribute) != ""
	}
	return u.Attributes.String(codes.PhoneAttribute) != ""
}

// mfaBefore moves the run to the second-factor page when the flow asks for it before its own
// page: the new password page of a password reset, the profile page of a profile edit. It
// reports whether it did.
func (m *Machine) mfaBefore(def *Definition, r *engine.Run, u *engine.User) bool {
	if !needsMFA(def, r, u, false) {
		return false
	}
	m.startMFA(def, r, u, false)
	return true
}

// startMFA moves the run to the second-factor page of u, the user the first factor found or
// created.
func (m *Machine) startMFA(def *Definition, r *engine.Run, u *engine.User, newUser bool) {
	r.User, r.NewUser, r.Phase = u, newUser, engine.PhaseMFA
	st := &codes.MFAState{}
	st.Method = def.MFA.Method
	switch st.Method {
	case engine.MFAEmail:
		st.To = u.Email()
	case engine.MFATOTP:
		if key, err := otp.Decode(u.Attributes.String(codes.TOTPAttribute)); err == nil && len(key) > 0 {
			st.Key = key
		} else {
			sum := sha1.Sum([]byte(m.NewID() + m.NewID())) // seeded ids: the same key every run
			st.Enrol, st.Key = true, sum[:]
		}
	default:
		st.To = u.Attributes.String(codes.PhoneAttribute)
		st.Enrol, st.Country = st.To == "", "US"
	}
	stateOf(r).mfa = st
}

// advanceMFA handles the second-factor page's buttons.
func (m *Machine) advanceMFA(ctx context.Context, def *Definition, r *engine.Run, in engine.Input) error {
	v, ok := in.(engine.VerifyMFA)
	if !ok {
		return errInput(in, r.Phase)
	}
	done, err := stateOf(r).mfa.Press(v, m.codes(r))
	if err != nil || !done {
		return err
	}
	return m.mfaDone(ctx, def, r)
}

// codes are the machine's clock, code source and outboxes for run r.
func (m *Machine) codes(r *engine.Run) codes.Sender {
	return codes.Sender{Now: m.Now, Value: func() string { return codes.Value(m.FixedCode, m.NewID()) }, Tenant: m.Tenant,
		RunID: r.ID, Policy: r.Policy, Mail: m.Mail, Text: m.Text}
}

// mfaDone keeps what an enrolment set up on the user and runs the token step.
func (m *Machine) mfaDone(ctx context.Context, def *Definition, r *engine.Run) error {
	st, u := stateOf(r).mfa, r.User
	if st.FirstFactor != "" {
		return m.phoneVerified(ctx, def, r)
	}
	if st.Enrol {
		attrs := engine.Claims{codes.PhoneAttribute: st.To}
		if st.Method == engine.MFATOTP {
			attrs = engine.Claims{codes.TOTPAttribute: otp.Encode(st.Key)}
		}
		updated, err := m.Directory.Update(ctx, u.ObjectID, attrs, "")
		if err != nil {
			return err
		}
		u = updated
	}
	stateOf(r).mfaDone, stateOf(r).mfa = true, nil
	return m.afterMFA(ctx, def, r, u)
}

// afterMFA goes on from the second factor to what follows it in the flow: the new password
// page of a password reset and the profile page of a profile edit (the factor came before
// them), or the token step (after a sign-up's user write or a sign-in).
func (m *Machine) afterMFA(ctx context.Context, def *Definition, r *engine.Run, u *engine.User) error {
	switch {
	case def.Type == PasswordReset:
		r.User, r.Phase, r.Values = u, engine.PhaseAttributes, engine.Claims{}
		r.ResetPage()
		return nil
	case def.Type == ProfileEdit && !r.NewUser:
		r.User = u
		m.profilePage(def, r, u.Attributes)
		return nil
	}
	return m.complete(ctx, def, r, u, r.NewUser)
}
