package journey

import (
	"fmt"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// submit checks a submitted self-asserted page and runs its validation profiles; on success
// the profile's output claims enter the bag. It reports whether the page was accepted.
func (x *execution) submit(tp *policy.TechnicalProfile, values map[string]string) bool {
	fields := shown(x.p, tp)
	form := x.r.Page != nil && !x.r.Page.Unified // a self-asserted page, not the sign-in page
	if !x.checkPage(tp, fields, values, form) {
		return false
	}
	scope := copyBag(x.st.bag)
	for k, v := range values {
		if v != "" {
			scope[k] = v
		}
	}
	x.inputDefaults(tp, scope)
	if form && !x.controlsVerified(fields, scope) {
		x.r.PageError = notVerified
		x.refreshVerification()
		return false
	}
	if !x.validate(tp, scope) {
		return false
	}
	x.keepOutputs(tp, scope)
	return x.pageOutputs(tp)
}

// checkPage checks what the page alone can tell: each field's value, the two passwords, and
// that the claims to verify were verified. A refusal is on the page; it reports acceptance.
func (x *execution) checkPage(tp *policy.TechnicalProfile, fields []policy.ClaimRef, values map[string]string, form bool) bool {
	if form {
		x.r.Values = engine.Claims{}
	}
	errs := x.checkFields(tp, fields, values, form)
	if values["newpassword"] != "" && values["reenterpassword"] != "" && values["newpassword"] != values["reenterpassword"] {
		x.r.PasswordMismatch = true
	}
	if len(errs) == 0 && !x.r.PasswordMismatch && form {
		if claim := unverified(tp, fields, x.st, values); claim != "" {
			x.r.PageError = x.text(tp, "ErrorMessage", "UserMessageIfClaimNotVerified", "Claim not verified: {0}", claim)
			x.refreshVerification()
			return false
		}
	}
	if len(errs) > 0 || x.r.PasswordMismatch {
		x.r.FieldErrors = errs // by claim id: the unified page's are signInName and password
		return false
	}
	return true
}

// pageOutputs runs the profile's output claims transformations once the page's claims are
// accepted (after its validation profiles), as on B2C: Microsoft's Conditional Access sample
// adds "Password" to AuthenticationMethodsUsed from the sign-in page's. A failing one (an
// assertion) keeps the page with its message, as a validation profile's.
func (x *execution) pageOutputs(tp *policy.TechnicalProfile) bool {
	for _, t := range tp.OutputTransformations {
		if err := x.transform(tp, t, x.st.bag); err != nil {
			if err.Unsupported {
				x.failWith(err)
			} else {
				x.r.PageError = err.Message
			}
			return false
		}
	}
	return true
}

// checkFields trims the submitted values (passwords as typed), keeps a form's values for the
// page, and returns the fields' errors by claim id: a required one missing, a value that does
// not match its claim type's pattern or predicate validation.
func (x *execution) checkFields(tp *policy.TechnicalProfile, fields []policy.ClaimRef, values map[string]string, form bool) map[string]string {
	errs := map[string]string{}
	for _, c := range fields {
		id := strings.ToLower(c.ClaimType)
		ct := x.p.ClaimTypes[id]
		v := values[id]
		if ct.UserInputType != "Password" {
			v = strings.TrimSpace(v)
			if form && v != "" {
				x.r.Values[c.ClaimType] = v
			}
		}
		values[id] = v
		switch {
		case v == "" && required(c, ct):
			errs[c.ClaimType] = x.text(tp, "UxElement", "required_field", "This information is required.")
			x.r.RequiredMissing = true
		default:
			if msg := x.invalid(tp, c.ClaimType, ct, v); msg != "" {
				errs[c.ClaimType] = msg
				x.r.FieldIncorrect = true
			}
		}
	}
	return errs
}

// validate runs the page's validation technical profiles over scope, in order, with their
// preconditions, ContinueOnError and ContinueOnSuccess; it reports whether the page passed.
// A failure's message is the page's error; a feature b2cemu does not run ends the journey.
func (x *execution) validate(tp *policy.TechnicalProfile, scope map[string]string) bool {
	for _, v := range tp.Validations {
		if skip(x.p, v.Preconditions, scope) || !enabled(x.p.TechnicalProfiles[v.ReferenceID], scope) {
			continue
		}
		vx, vtp := x.validation(x.p.TechnicalProfiles[v.ReferenceID], tp)
		_, err := vx.run(vtp, scope, 0)
		switch {
		case err == nil && !v.ContinueOnSuccess:
			return true
		case err == nil || v.ContinueOnError && !err.Unsupported:
			continue
		case err.Unsupported:
			x.fail(false, err.Code, err.Message, err.Diagnostic)
			return false
		}
		x.r.PageError = err.Message
		if x.Log != nil && err.Diagnostic != "" && vtp.Kind != policy.Restful { // RESTful calls log themselves
			x.Log.Info("custom policy validation: "+err.Diagnostic, "run", x.r.ID)
		}
		x.refusedOnce(tp, v.ReferenceID)
		return false
	}
	return true
}

// refusedOnce counts a submission of tp that its validation profile vtp refused. Past the
// page's setting.retryLimit (the retries after the first try) the journey ends with B2C's
// AADB2C90157, sent to the application as B2C's other journey errors are.
func (x *execution) refusedOnce(tp *policy.TechnicalProfile, vtp string) {
	limit, ok := tp.RetryLimit()
	if !ok {
		return
	}
	x.st.refused++
	if x.st.refused > limit {
		x.fail(true, "AADB2C90157", "User has exceeded the maximum number for retries for a self-asserted step.",
			fmt.Sprintf("the validation technical profile %s refused %d submissions of %s, whose setting.retryLimit allows %d retries after the first", vtp, x.st.refused, tp.ID, limit))
	}
}

// inputDefaults gives the page's validation profiles the claims its input claims' defaults
// create (the banned-password sample compares with a DefaultValue="true" input claim); the
// journey keeps only the page's output claims (keepOutputs).
func (x *execution) inputDefaults(tp *policy.TechnicalProfile, scope map[string]string) {
	for _, c := range tp.InputClaims {
		id := strings.ToLower(c.ClaimType)
		if _, ok := scope[id]; ok || !c.HasDefault {
			continue
		}
		if v := x.resolveDefault(tp, scope, c); v != "" {
			scope[id] = v
		}
	}
}

// keepOutputs puts an accepted page's output claims into the bag: the submitted or validated
// value, else the claim's default; passwords reach the validation profiles only.
func (x *execution) keepOutputs(tp *policy.TechnicalProfile, scope map[string]string) {
	for _, c := range tp.OutputClaims {
		id := strings.ToLower(c.ClaimType)
		if ct := x.p.ClaimTypes[id]; ct != nil && ct.UserInputType == "Password" {
			continue
		}
		switch v, ok := scope[id]; {
		case ok && !c.AlwaysUseDefault:
			x.st.bag[id] = v
		case c.HasDefault && (c.AlwaysUseDefault || !ok):
			if _, set := x.st.bag[id]; !set || c.AlwaysUseDefault {
				x.st.bag[id] = x.resolveDefault(tp, x.st.bag, c)
			}
		}
	}
}
