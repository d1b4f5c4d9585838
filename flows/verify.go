package flows

import (
	"strings"

	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// verifyEmail handles a verification button of the local sign-up page; the run stays on the
// page, with what was typed (but the passwords) kept. A code is only right for the address it
// went to, so changing the address after sending needs a new code.
func (m *Machine) verifyEmail(def *Definition, r *engine.Run, in engine.VerifyEmail) error {
	switch {
	case !def.VerifiesEmail() || in.Field != "email":
		return engine.Errorf(engine.Invalid, "the field %q has no verification on this page", in.Field)
	case in.Action == "verify" && !pending(stateOf(r).emailCheck):
		return engine.Errorf(engine.Invalid, "no verification code was sent")
	case in.Action != "send" && in.Action != "resend" && in.Action != "verify" && in.Action != "change":
		return engine.Errorf(engine.Invalid, "unknown verification action %q (send, resend, verify, change)", in.Action)
	}
	r.ResetPage()
	r.Values = engine.Claims{}
	for _, ua := range def.UserAttributes {
		if v := strings.TrimSpace(in.Values[ua.Name]); v != "" {
			r.Values[ua.Name] = v
		}
	}
	email := strings.TrimSpace(in.Values["email"])
	r.Values["email"] = email
	switch in.Action {
	case "send", "resend":
		return m.sendCode(r, email)
	case "verify":
		stateOf(r).emailCheck.Verify(email, in.Code, m.Now())
	default: // change
		stateOf(r).emailCheck = nil
	}
	return nil
}

// sendCode checks the address as the page does and puts a code for it in the outbox.
func (m *Machine) sendCode(r *engine.Run, email string) error {
	switch {
	case email == "":
		m.fieldError(r, "email", msgRequired)
		return nil
	case !attributes.ValidEmail(email):
		m.incorrect(r, "email", msgBadEmail)
		return nil
	}
	stateOf(r).emailCheck = &codes.EmailVerification{}
	stateOf(r).emailCheck.Send(email, codes.Value(m.FixedCode, m.NewID()), m.Now())
	if m.Mail != nil {
		m.Mail(codes.Mail{Time: m.Now(), RunID: r.ID, Policy: r.Policy, To: email, Code: stateOf(r).emailCheck.Code.Value()})
	}
	return nil
}

// pending reports whether v has a code out that can still be checked.
func pending(v *codes.EmailVerification) bool { return v != nil && v.Code.Live() }
