package journey

import (
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows"
)

// Email verification of a self-asserted page's Verified.Email claim follows flows' rules
// (flows.EmailVerification): B2C mails a code and the page asks for it before the page can be
// submitted.

// Mail is a verification email b2cemu would have sent.
type Mail = flows.Mail

// mustVerify reports whether c is a claim the page verifies: Verified.Email, unless the
// profile sets EnforceEmailVerification to false.
func mustVerify(tp *policy.TechnicalProfile, c policy.ClaimRef) bool {
	return strings.EqualFold(c.PartnerClaimType, "Verified.Email") && !strings.EqualFold(tp.Metadata["EnforceEmailVerification"], "false")
}

// verifyView is the page's view of a claim's verification, in the content definition's
// localized ver_* strings.
func (e *Engine) verifyView(p *policy.Policy, tp *policy.TechnicalProfile, v *flows.EmailVerification) *flows.Verification {
	return v.View(func(id, def string) string { return e.text(p, tp, "UxElement", id, def) })
}

// refreshVerification puts the verification state on the current page's fields.
func (e *Engine) refreshVerification(p *policy.Policy, r *flows.Run, st *state) {
	if r.Page == nil || st.tp == nil {
		return
	}
	for i, f := range r.Page.Fields {
		switch {
		case f.Verify != nil && f.Verify.Control != "":
			r.Page.Fields[i].Verify = e.controlView(p, st.tp, p.DisplayControls[f.Verify.Control], st.controls[f.Verify.Control])
		case f.Verify != nil:
			r.Page.Fields[i].Verify = e.verifyView(p, st.tp, st.verify[strings.ToLower(f.ID)])
		}
	}
}

// verifyEmail handles a verification button; the run stays on the page.
func (e *Engine) verifyEmail(p *policy.Policy, r *flows.Run, st *state, in flows.VerifyEmail) error {
	tp := st.tp
	var ref *policy.ClaimRef
	for _, c := range shown(p, tp) {
		if strings.EqualFold(c.ClaimType, in.Field) && mustVerify(tp, c) {
			ref = &c
		}
	}
	if ref == nil {
		return flows.Errorf(flows.Invalid, "the field %q has no verification on this page", in.Field)
	}
	keepValues(r, in.Values)
	id := strings.ToLower(ref.ClaimType)
	if st.verify == nil {
		st.verify = map[string]*flows.EmailVerification{}
	}
	v := st.verify[id]
	email := r.Values.String(ref.ClaimType)
	switch in.Action {
	case "send", "resend":
		ct := p.ClaimTypes[id]
		switch {
		case email == "":
			r.FieldErrors = map[string]string{ref.ClaimType: e.text(p, tp, "UxElement", "required_field", "This information is required.")}
			return nil
		case ct != nil && ct.Pattern != "" && !e.restricted(r.ID, ct, email):
			r.FieldErrors = map[string]string{ref.ClaimType: e.claimText(p, tp, ref.ClaimType, "PatternHelpText", ct.PatternHelpText)}
			r.FieldIncorrect = true
			return nil
		}
		v = &flows.EmailVerification{}
		v.Send(email, flows.CodeValue(e.FixedCode, e.NewID()), e.Now())
		st.verify[id] = v
		e.mail(p, r, tp, email, v.Code)
	case "verify":
		if v == nil || !v.Code.Live() {
			return flows.Errorf(flows.Invalid, "no verification code was sent")
		}
		v.Verify(email, in.Code, e.Now())
	case "change":
		delete(st.verify, id)
	default:
		return flows.Errorf(flows.Invalid, "unknown verification action %q", in.Action)
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
func (e *Engine) code() string { return flows.CodeValue(e.FixedCode, e.NewID()) }

// keepValues keeps what was typed on the page (but passwords) when a verification button
// posts it, so the page comes back filled in.
func keepValues(r *flows.Run, values map[string]string) {
	r.Values = flows.Claims{}
	for _, f := range r.Page.Fields {
		if v := strings.TrimSpace(values[f.ID]); v != "" && f.InputType != "Password" {
			r.Values[f.ID] = v
		}
	}
}
