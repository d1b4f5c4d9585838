package flows

import (
	"context"
	"errors"
	"strings"

	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// Phone local accounts: a flow whose local accounts are "Phone signup" signs users up and in
// with a phone number and a one-time code sent to it, without a password (B2C's phone
// number and one-time password authentication method). The code page is the phone-factor
// page, as the first factor.

// PhoneAccounts reports whether the flow's local accounts are phone numbers.
func (d *Definition) PhoneAccounts() bool { return d.LocalAccount == "phone" }

// msgEnterPhone is the unified page's error for a missing phone number.
const msgEnterPhone = "Please enter your phone number"

// phoneSignIn handles the unified page's phone number: a known number gets a code, as the
// first factor.
func (m *Machine) phoneSignIn(ctx context.Context, r *engine.Run, typed string) error {
	r.Values = engine.Claims{"email": strings.TrimSpace(typed)}
	if strings.TrimSpace(typed) == "" {
		r.RequiredMissing, r.FieldErrors = true, map[string]string{"signInName": msgEnterPhone}
		return nil
	}
	n, msg := codes.E164("", typed)
	if msg != "" {
		r.FieldErrors = map[string]string{"signInName": codes.MFAText("invalid_number")}
		return nil
	}
	u, err := m.Directory.FindByIdentity(ctx, m.phoneIdentity(n))
	switch {
	case errors.Is(err, directory.ErrNotFound):
		r.PageError = msgNoAccount
		return nil
	case err != nil:
		return err
	}
	r.Provider, r.User, r.Phase = LocalProvider, u, engine.PhaseMFA
	stateOf(r).mfa = &codes.MFAState{Method: engine.MFASMS, FirstFactor: "signIn", To: n}
	return nil
}

// phoneSignUp starts a phone account's sign-up: the number is entered on the phone-factor page.
func (m *Machine) phoneSignUp(r *engine.Run) {
	r.Provider, r.Phase, r.Values = LocalProvider, engine.PhaseMFA, engine.Claims{}
	stateOf(r).mfa = &codes.MFAState{Method: engine.MFASMS, FirstFactor: "signUp", Enrol: true, Country: "US"}
}

func (m *Machine) phoneIdentity(n string) engine.Identity {
	return engine.Identity{SignInType: directory.PhoneSignIn, Issuer: m.Tenant + ".onmicrosoft.com", IssuerAssignedID: n}
}

// phoneVerified goes on once the phone account's code was right: the sign-in's user to the
// token, a new number to the attribute page (a number that has an account stays on the page).
// The code is a phone factor, so a flow whose MFA method is one is not asked again; the
// authenticator app (B2C's second factor for phone accounts) follows as in any flow.
func (m *Machine) phoneVerified(ctx context.Context, def *Definition, r *engine.Run) error {
	st := stateOf(r).mfa
	r.Identity, stateOf(r).mfaDone = m.phoneIdentity(st.To), def.MFA.Method != engine.MFATOTP && def.MFA.Method != engine.MFAEmail
	if st.FirstFactor == "signIn" {
		stateOf(r).mfa = nil
		return m.signedIn(ctx, def, r, r.User)
	}
	if _, err := m.Directory.FindByIdentity(ctx, r.Identity); err == nil {
		st.Error = "user_exists"
		return nil
	} else if !errors.Is(err, directory.ErrNotFound) {
		return err
	}
	stateOf(r).mfa, r.Phase, r.Values, r.IdP = nil, engine.PhaseAttributes, engine.Claims{}, engine.Claims{}
	if len(def.UserAttributes) == 0 {
		return m.attributes(ctx, def, r, engine.SubmitAttributes{})
	}
	return nil
}
