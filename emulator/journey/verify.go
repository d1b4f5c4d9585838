package journey

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows"
)

// Email verification of a self-asserted page's Verified.Email claim. B2C mails a code and
// the page asks for it before the page can be submitted; b2cemu puts the mail in its outbox
// (log and admin API) instead of sending it.
const (
	codeLifetime = 5 * time.Minute // chosen; see docs/custom-policies.md
	codeAttempts = 3               // wrong codes before the code is void
)

// verification is one claim's verification within a run.
type verification struct {
	email    string // the address the code went to, or that was verified
	code     string
	expires  time.Time
	wrong    int
	verified bool
	failure  string // the last failure text
}

// Mail is a verification email b2cemu would have sent.
type Mail struct {
	Time             time.Time
	RunID, Policy    string
	To, Code         string
	TechnicalProfile string
}

// mustVerify reports whether c is a claim the page verifies: Verified.Email, unless the
// profile sets EnforceEmailVerification to false.
func mustVerify(tp *policy.TechnicalProfile, c policy.ClaimRef) bool {
	return strings.EqualFold(c.PartnerClaimType, "Verified.Email") && !strings.EqualFold(tp.Metadata["EnforceEmailVerification"], "false")
}

// verifyView is the page's view of a claim's verification.
func (e *Engine) verifyView(p *policy.Policy, tp *policy.TechnicalProfile, v *verification) *flows.Verification {
	out := &flows.Verification{
		Send: e.text(p, tp, "UxElement", "ver_but_send", "Send verification code"), Verify: e.text(p, tp, "UxElement", "ver_but_verify", "Verify code"),
		Resend: e.text(p, tp, "UxElement", "ver_but_resend", "Send new code"), Change: e.text(p, tp, "UxElement", "ver_but_edit", "Change e-mail"),
		Code:    e.text(p, tp, "UxElement", "ver_input", "Verification code"),
		Message: e.text(p, tp, "UxElement", "ver_intro_msg", "Verification is necessary. Please click Send button."),
	}
	switch {
	case v == nil:
	case v.verified:
		out.State, out.Message = "verified", e.text(p, tp, "UxElement", "ver_success_msg", "E-mail address verified. You can now continue.")
	case v.code != "":
		out.State, out.Message = "sent", e.text(p, tp, "UxElement", "ver_info_msg", "Verification code has been sent to your inbox. Please copy it to the input box below.")
	}
	if v != nil {
		out.Error = v.failure
	}
	return out
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
		st.verify = map[string]*verification{}
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
			return nil
		}
		v = &verification{email: email, code: e.code(), expires: e.Now().Add(codeLifetime)}
		st.verify[id] = v
		if e.Mail != nil {
			e.Mail(Mail{Time: e.Now(), RunID: r.ID, Policy: p.ID, To: email, Code: v.code, TechnicalProfile: tp.ID})
		}
		if e.Log != nil {
			e.Log.Info("verification code sent", "run", r.ID, "to", email, "code", v.code)
		}
	case "verify":
		if v == nil || v.code == "" {
			return flows.Errorf(flows.Invalid, "no verification code was sent")
		}
		switch {
		case !e.Now().Before(v.expires):
			*v = verification{failure: e.text(p, tp, "UxElement", "ver_fail_code_expired", "That code is expired. Please request a new code.")}
		case strings.TrimSpace(in.Code) == v.code && strings.EqualFold(email, v.email):
			v.verified, v.code, v.failure = true, "", ""
		default:
			v.wrong++
			v.failure = e.text(p, tp, "UxElement", "ver_fail_retry", "That code is incorrect. Please try again.")
			if v.wrong >= codeAttempts {
				*v = verification{failure: e.text(p, tp, "UxElement", "ver_fail_no_retry", "You've made too many incorrect attempts. Please try again later.")}
			}
		}
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
		v := st.verify[strings.ToLower(c.ClaimType)]
		if v == nil || !v.verified || !strings.EqualFold(v.email, values[strings.ToLower(c.ClaimType)]) {
			return c.ClaimType
		}
	}
	return ""
}

// code is a six-digit verification code from the engine's id source, so seeded runs repeat it.
func (e *Engine) code() string {
	n, _ := strconv.ParseUint(strings.ReplaceAll(e.NewID(), "-", "")[:8], 16, 64)
	return fmt.Sprintf("%06d", n%1000000)
}

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
