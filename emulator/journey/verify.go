package journey

import (
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// Email verification of a self-asserted page's Verified.Email claim follows flows' rules
// (codes.EmailVerification): B2C mails a code and the page asks for it before the page can be
// submitted.

// Mail is a verification email b2cemu would have sent.
type Mail = codes.Mail

// mustVerify reports whether c is a claim the page verifies: Verified.Email, unless the
// profile sets EnforceEmailVerification to false.
func mustVerify(tp *policy.TechnicalProfile, c policy.ClaimRef) bool {
	return strings.EqualFold(c.PartnerClaimType, "Verified.Email") && !strings.EqualFold(tp.Metadata["EnforceEmailVerification"], "false")
}

// verifyView is the page's view of a claim's verification, in the content definition's
// localized ver_* strings.
func (x *execution) verifyView(tp *policy.TechnicalProfile, v *codes.EmailVerification) *engine.Verification {
	return v.View(func(id, def string) string { return x.text(tp, "UxElement", id, def) })
}

// refreshVerification puts the verification state on the current page's fields.
func (x *execution) refreshVerification() {
	if x.r.Page == nil || x.st.tp == nil {
		return
	}
	for i, f := range x.r.Page.Fields {
		switch {
		case f.Verify != nil && f.Verify.Control != "":
			x.r.Page.Fields[i].Verify = x.controlView(x.st.tp, x.p.DisplayControls[f.Verify.Control], x.st.controls[f.Verify.Control])
		case f.Verify != nil:
			x.r.Page.Fields[i].Verify = x.verifyView(x.st.tp, x.st.verify[strings.ToLower(f.ID)])
		}
	}
}

// verifyEmail handles a verification button; the run stays on the page.
func (x *execution) verifyEmail(in engine.VerifyEmail) error {
	tp := x.st.tp
	var ref *policy.ClaimRef
	for _, c := range shown(x.p, tp) {
		if strings.EqualFold(c.ClaimType, in.Field) && mustVerify(tp, c) {
			ref = &c
		}
	}
	if ref == nil {
		return engine.Errorf(engine.Invalid, "the field %q has no verification on this page", in.Field)
	}
	keepValues(x.r, in.Values)
	id := strings.ToLower(ref.ClaimType)
	if x.st.verify == nil {
		x.st.verify = map[string]*codes.EmailVerification{}
	}
	v := x.st.verify[id]
	email := x.r.Values.String(ref.ClaimType)
	switch in.Action {
	case "send", "resend":
		msg := x.invalid(tp, ref.ClaimType, x.p.ClaimTypes[id], email)
		switch {
		case email == "":
			x.r.FieldErrors = map[string]string{ref.ClaimType: x.text(tp, "UxElement", "required_field", "This information is required.")}
			return nil
		case msg != "":
			x.r.FieldErrors = map[string]string{ref.ClaimType: msg}
			x.r.FieldIncorrect = true
			return nil
		}
		v = &codes.EmailVerification{}
		v.Send(email, codes.Value(x.FixedCode, x.NewID()), x.Now())
		x.st.verify[id] = v
		x.mail(tp, email, v.Code)
	case "verify":
		if v == nil || !v.Code.Live() {
			return engine.Errorf(engine.Invalid, "no verification code was sent")
		}
		v.Verify(email, in.Code, x.Now())
	case "change":
		delete(x.st.verify, id)
	default:
		return engine.Errorf(engine.Invalid, "unknown verification action %q", in.Action)
	}
	return nil
}

// unverified returns the first verified claim of the page whose value is not the verified
// address, for submit to refuse.
func unverified(tp *policy.TechnicalProfile, fields []policy.ClaimRef, st *state, values map[string]string) string {
	for _, c := range fields {
		if !mustVerify(tp, c) {
			continue
		}
		if !st.verify[strings.ToLower(c.ClaimType)].VerifiedFor(values[strings.ToLower(c.ClaimType)]) {
			return c.ClaimType
		}
	}
	return ""
}

// code is a six-digit verification code (or the configured fixed one).
func (e *Engine) code() string { return codes.Value(e.FixedCode, e.NewID()) }

// keepValues keeps what was typed on the page (but passwords) when a verification button
// posts it, so the page comes back filled in.
func keepValues(r *engine.Run, values map[string]string) {
	r.Values = engine.Claims{}
	for _, f := range r.Page.Fields {
		if v := strings.TrimSpace(values[f.ID]); v != "" && f.InputType != "Password" {
			r.Values[f.ID] = v
		}
	}
}
