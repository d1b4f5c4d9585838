package flows

import (
	"context"
	"errors"
	"strings"

	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// The password reset and profile editing user flows, and what every sign-in does next.
//
// Password reset (B2C's "Password reset" user flow, local accounts only):
//
//	email page: Email Address with its verification (send, verify, change), Continue
//	    │ the verified address has a local account (else "An account could not be found …")
//	    ▼
//	PhaseMFA, when the flow's MFA asks (mfa.go)
//	    ▼
//	new password page: New Password, Confirm New Password, Continue
//	    │ the password is set
//	    ▼
//	PhaseDone (a token for the user)
//
// Profile editing: the sign-in page (local or social; a single sign-on session skips it),
// the second factor when the flow's MFA asks (a session that passed it skips it), then one
// page with the flow's user attributes pre-filled from the directory; Continue writes them
// and issues a token. Both flows' pages are described by Run.Page (the page model
// custom policies use), in PhaseAttributes.

// signedIn goes on after an existing user signed in: to the profile page in a profile editing
// flow, to the token step in every other.
func (m *Machine) signedIn(ctx context.Context, def *Definition, r *engine.Run, u *engine.User) error {
	if def.Type == ProfileEdit {
		r.User = u
		if !m.mfaBefore(def, r, u) { // the second factor comes before the profile page
			m.profilePage(def, r, u.Attributes)
		}
		return nil
	}
	return m.complete(ctx, def, r, u, false)
}

// profilePage shows the flow's user attributes with the values of from: the stored user's,
// or, for a social identity that has no account yet, the identity provider's (describe lays
// the page out).
func (m *Machine) profilePage(def *Definition, r *engine.Run, from engine.Claims) {
	r.ResetPage()
	r.Phase, r.Values = engine.PhaseAttributes, engine.Claims{}
	for _, ua := range def.UserAttributes {
		a, _ := m.Schema.Lookup(ua.Name)
		if v, ok := from[a.Name]; ok && v != nil && v != "" {
			r.Values[a.Name] = v
		}
	}
}

// advanceProfile handles the profile page's Continue: the attributes are checked as on the
// sign-up pages, then written to the user (or, for a new social identity, a user is created
// with them), and the token step runs.
func (m *Machine) advanceProfile(ctx context.Context, def *Definition, r *engine.Run, in engine.Input) error {
	sub, ok := in.(engine.SubmitAttributes)
	if !ok {
		return errInput(in, r.Phase)
	}
	r.ResetPage()
	raw := make(map[string]string, len(sub.Values)+1)
	for k, v := range sub.Values {
		raw[k] = v
	}
	local := r.User != nil && r.Provider == LocalProvider
	if local {
		raw["email"] = r.User.Email() // read-only: the account's sign-in name stays
	}
	if !m.collect(def, r, raw) {
		return nil
	}
	if r.User == nil {
		claims := r.IdP.Clone()
		for k, v := range r.Values {
			claims[k] = v
		}
		return m.create(ctx, def, r, claims, "")
	}
	attrs := engine.Claims{}
	for _, ua := range def.UserAttributes {
		attrs[ua.Name] = r.Values[ua.Name] // nil (left empty) removes the stored value
	}
	if local {
		delete(attrs, "email")
	}
	u, err := m.Directory.Update(ctx, r.User.ObjectID, attrs, "")
	if err != nil {
		return err
	}
	return m.complete(ctx, def, r, u, false)
}

// advanceReset handles the password reset pages: the email page's verification buttons and
// Continue, then the new password page's Continue.
func (m *Machine) advanceReset(ctx context.Context, def *Definition, r *engine.Run, in engine.Input) error {
	var err error
	switch in := in.(type) {
	case engine.VerifyEmail:
		if r.User != nil {
			return errInput(in, r.Phase)
		}
		err = m.verifyEmail(def, r, in)
	case engine.SubmitAttributes:
		if r.User == nil {
			err = m.resetEmail(ctx, def, r, in.Values)
		} else {
			err = m.resetPassword(ctx, def, r, in.Values)
		}
	default:
		return errInput(in, r.Phase)
	}
	return err
}

// resetEmail takes the email page's Continue: the address must be verified and belong to a
// local account.
func (m *Machine) resetEmail(ctx context.Context, def *Definition, r *engine.Run, values map[string]string) error {
	r.ResetPage()
	email := strings.TrimSpace(values["email"])
	r.Values = engine.Claims{"email": email}
	switch {
	case email == "":
		m.fieldError(r, "email", msgRequired)
		r.RequiredMissing = true
		return nil
	case !stateOf(r).emailCheck.VerifiedFor(email):
		r.PageError = msgNotVerified
		return nil
	}
	id := m.localIdentity(email)
	u, err := m.Directory.FindByIdentity(ctx, id)
	switch {
	case errors.Is(err, directory.ErrNotFound):
		r.PageError = msgResetNoAccount
		return nil
	case err != nil:
		return err
	}
	r.User, r.Identity, r.Values = u, id, engine.Claims{}
	m.mfaBefore(def, r, u) // the second factor comes before the new password page
	return nil
}

// resetPassword takes the new password page's Continue: the password is set and the token
// step runs.
func (m *Machine) resetPassword(ctx context.Context, def *Definition, r *engine.Run, values map[string]string) error {
	r.ResetPage()
	if !m.checkNewPassword(r, values["newPassword"], values["reenterPassword"]) {
		return nil
	}
	u, err := m.Directory.Update(ctx, r.User.ObjectID, nil, values["newPassword"])
	if err != nil {
		return err
	}
	return m.complete(ctx, def, r, u, false)
}
