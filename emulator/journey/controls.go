package journey

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// Display controls: a VerificationControl's claims sit on the page with its buttons; its
// SendCode and VerifyCode actions run technical profiles (Azure AD SSPR's email code, the
// one-time password provider, RESTful senders) like validation profiles, and the page cannot
// be submitted before the control is verified.

// notVerified is B2C's page error for a page submitted before its verification control.
const notVerified = "The claims for verification control have not been verified."

// controlState is a display control's progress on the current page.
type controlState struct {
	sent, verified bool
	values         map[string]string // the control's claims when it sent the code, by lower-cased id
	outputs        map[string]string // its output claims once verified
	failure        string
}

// control is the display control of a page field, or nil.
func control(p *policy.Policy, tp *policy.TechnicalProfile, field string) *policy.DisplayControl {
	for _, c := range shown(p, tp) {
		if c.DisplayControl != "" && strings.EqualFold(c.ClaimType, field) {
			return p.DisplayControls[c.DisplayControl]
		}
	}
	return nil
}

// controlTexts are a display control's texts: string id and default on page layouts from
// 2.1.0, then string id and default on 2.0.
var controlTexts = map[string][4]string{ // id: 2.1 string id, 2.1 default, 2.0 string id, 2.0 default
	"send":    {"but_send_code", "Send verification code", "verification_control_but_send_code", "Send Code"},
	"verify":  {"but_verify_code", "Verify code", "verification_control_but_verify_code", "Verify Code"},
	"resend":  {"but_send_new_code", "Send new code", "verification_control_but_send_new_code", "Send New Code"},
	"change":  {"but_change_claims", "Change e-mail", "verification_control_but_change_claims", "Change"},
	"sent":    {"success_send_code_msg", "Verification code has been sent to your inbox. Please copy it to the input box below.", "verification_control_code_sent", "Verification code has been sent. Please copy it to the input box below."},
	"checked": {"success_verify_code_msg", "E-mail address verified. You can now continue.", "", ""},
}

// controlText is a display control's text. Page layouts 2.1.0 and later (the starter packs'
// selfasserted:2.1.x) take the control's own localized strings (ElementType DisplayControl,
// ElementId the control) with their defaults; earlier ones the page's verification_control_*
// UxElement strings.
func (x *execution) controlText(tp *policy.TechnicalProfile, d *policy.DisplayControl, id string) string {
	texts := controlTexts[id]
	if !x.layoutAtLeast(tp, 2, 1) {
		if texts[2] == "" {
			return ""
		}
		return x.text(tp, "UxElement", texts[2], texts[3])
	}
	if s := x.localized(tp, "DisplayControl", d.ID, texts[0]); s != "" {
		return s
	}
	return texts[1]
}

// layoutAtLeast reports whether the page layout of the profile's content definition (its
// DataUri's version, e.g. selfasserted:2.1.7) is at least major.minor; a page without one is.
func (x *execution) layoutAtLeast(tp *policy.TechnicalProfile, major, minor int) bool {
	uri := x.p.DataURI(tp.Metadata["ContentDefinitionReferenceId"])
	parts := strings.Split(uri[strings.LastIndex(uri, ":")+1:], ".")
	if len(parts) < 2 {
		return true
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	return err1 != nil || err2 != nil || ma > major || ma == major && mi >= minor
}

// controlView is the page's view of a display control's state.
func (x *execution) controlView(tp *policy.TechnicalProfile, d *policy.DisplayControl, cs *controlState) *engine.Verification {
	out := &engine.Verification{Control: d.ID, CodeField: d.CodeClaim(), Send: x.controlText(tp, d, "send"),
		Verify: x.controlText(tp, d, "verify"), Resend: x.controlText(tp, d, "resend"), Change: x.controlText(tp, d, "change")}
	out.Code = d.CodeClaim()
	if ct := x.p.ClaimTypes[strings.ToLower(d.CodeClaim())]; ct != nil {
		out.Code = x.claimText(tp, ct.ID, "DisplayName", ct.DisplayName)
	}
	if cs == nil {
		return out
	}
	switch {
	case cs.verified:
		out.State, out.Message = "verified", x.controlText(tp, d, "checked")
	case cs.sent:
		out.State, out.Message = "sent", x.controlText(tp, d, "sent")
	}
	out.Error = cs.failure
	return out
}

// controlAction runs a display control's button: send (or send again), verify, or change.
func (x *execution) controlAction(d *policy.DisplayControl, in engine.VerifyEmail) error {
	if x.st.controls == nil {
		x.st.controls = map[string]*controlState{}
	}
	cs := x.st.controls[d.ID]
	keepValues(x.r, in.Values)
	if cs != nil && cs.sent && in.Action != "change" {
		for _, c := range d.Claims { // the address the code went to stays, read-only
			if v := cs.values[strings.ToLower(c.ClaimType)]; v != "" && !strings.EqualFold(c.ClaimType, d.CodeClaim()) {
				x.r.Values[c.ClaimType] = v
			}
		}
	}
	scope := copyBag(x.st.bag)
	for k, v := range in.Values {
		if v = strings.TrimSpace(v); v != "" {
			scope[strings.ToLower(k)] = v
		}
	}
	switch in.Action {
	case "send", "resend":
		x.sendAction(d, scope)
	case "verify":
		return x.verifyAction(d, cs, in.Code, scope)
	case "change":
		delete(x.st.controls, d.ID)
	default:
		return engine.Errorf(engine.Invalid, "unknown verification action %q", in.Action)
	}
	return nil
}

// sendAction checks the control's claims as the page would, then runs its SendCode
// profiles; the control remembers the address the code went to.
func (x *execution) sendAction(d *policy.DisplayControl, scope map[string]string) {
	tp := x.st.tp
	errs := map[string]string{}
	for _, c := range d.Claims {
		if strings.EqualFold(c.ClaimType, d.CodeClaim()) {
			continue
		}
		v, ct := scope[strings.ToLower(c.ClaimType)], x.p.ClaimTypes[strings.ToLower(c.ClaimType)]
		switch {
		case v == "" && c.Required:
			errs[c.ClaimType] = x.text(tp, "UxElement", "required_field", "This information is required.")
		default:
			if msg := x.invalid(tp, c.ClaimType, ct, v); msg != "" {
				errs[c.ClaimType] = msg
				x.r.FieldIncorrect = true
			}
		}
	}
	if len(errs) > 0 {
		x.r.FieldErrors = errs
		return
	}
	cs := &controlState{values: map[string]string{}}
	x.st.controls[d.ID] = cs
	for _, c := range d.Claims {
		cs.values[strings.ToLower(c.ClaimType)] = scope[strings.ToLower(c.ClaimType)]
	}
	if msg, ok := x.runAction(d, "SendCode", scope); ok {
		cs.sent = true
	} else {
		cs.failure = msg
	}
}

// verifyAction runs the control's VerifyCode profiles on the code typed (else the code
// claim's value) for the address the code went to; a verified control keeps its output
// claims for the submit.
func (x *execution) verifyAction(d *policy.DisplayControl, cs *controlState, code string, scope map[string]string) error {
	if cs == nil || !cs.sent {
		return engine.Errorf(engine.Invalid, "no verification code was sent")
	}
	if code = strings.TrimSpace(code); code == "" {
		code = scope[strings.ToLower(d.CodeClaim())]
	}
	for k, v := range cs.values {
		scope[k] = v // the address the code went to, whatever the form says now
	}
	scope[strings.ToLower(d.CodeClaim())] = code
	cs.failure = ""
	if msg, ok := x.runAction(d, "VerifyCode", scope); !ok {
		cs.failure = msg
		return nil
	}
	cs.verified, cs.outputs = true, map[string]string{}
	for _, c := range d.OutputClaims {
		if v, ok := scope[strings.ToLower(c.ClaimType)]; ok {
			cs.outputs[strings.ToLower(c.ClaimType)] = v
		}
	}
	return nil
}

// runAction runs an action's technical profiles in order over scope, but those whose
// preconditions skip them; it reports the message of the first that fails. A feature b2cemu
// does not run ends the journey on the error page.
func (x *execution) runAction(d *policy.DisplayControl, action string, scope map[string]string) (string, bool) {
	for _, a := range d.Actions[action] {
		if skip(x.p, a.Preconditions, scope) {
			continue // SkipThisValidationTechnicalProfile, as on a page's validation profiles
		}
		v, vtp := x.validation(x.p.TechnicalProfiles[a.ReferenceID], x.st.tp)
		if _, err := v.run(vtp, scope, 0); err != nil {
			if err.Unsupported {
				x.failWith(err)
			}
			if x.Log != nil && err.Diagnostic != "" && vtp.Kind != policy.Restful {
				x.Log.Info("custom policy display control: "+err.Diagnostic, "run", x.r.ID, "control", d.ID, "action", action)
			}
			return err.Message, false
		}
	}
	return "", true
}

// controlsVerified checks, on submit, that every display control of the page is verified for
// the values submitted; it adds the controls' output claims to scope.
func (x *execution) controlsVerified(fields []policy.ClaimRef, scope map[string]string) bool {
	for _, c := range fields {
		if c.DisplayControl == "" {
			continue
		}
		cs := x.st.controls[c.DisplayControl]
		if cs == nil || !cs.verified || !strings.EqualFold(cs.values[strings.ToLower(c.ClaimType)], scope[strings.ToLower(c.ClaimType)]) {
			return false
		}
		for k, v := range cs.outputs {
			scope[k] = v
		}
	}
	return true
}

// emailCode stands in for Azure AD SSPR's email code (AadSsprProtocolProvider): SendCode
// puts a six-digit code for the emailAddress input in the outbox, VerifyCode checks
// verificationCode against it, with B2C's SSPR messages.
func (x *execution) emailCode(c *call) (map[string]string, *engine.Failure) {
	tp, inputs := c.tp, c.inputs
	email := inputs["emailAddress"]
	if email == "" {
		return nil, &engine.Failure{Message: x.text(tp, "ErrorMessage", "UserMessageIfInternalError", "The email service has encountered an internal error, please try again later."),
			Diagnostic: fmt.Sprintf("%s: the emailAddress input claim (PartnerClaimType=\"emailAddress\") has no value", tp.ID)}
	}
	key := "sspr|" + strings.ToLower(email)
	switch op := tp.Metadata["Operation"]; op {
	case "SendCode":
		x.sendCode(tp, key, email, x.code(), codes.Lifetime, codes.Attempts)
		return map[string]string{}, nil
	case "VerifyCode":
		return x.verified(tp, x.checkCode(key, inputs["verificationCode"]), email, [3][2]string{
			{"UserMessageIfChallengeExpired", "The code has expired."},
			{"UserMessageIfVerificationFailedRetryAllowed", "The verification has failed, please try again."},
			{"UserMessageIfVerificationFailedNoRetry", "You have exceeded maximum number of verification attempts."}})
	default:
		return nil, unsupported(tp, fmt.Sprintf("the Azure AD SSPR operation %q (SendCode, VerifyCode)", op))
	}
}

// oneTimePassword is the one-time password provider (OneTimePasswordProtocolProvider):
// GenerateCode makes a code for the identifier input (output claim otpGenerated; b2cemu also
// puts it in the outbox, as the mail a later profile would send), VerifyCode checks
// otpToVerify, with the provider's metadata and messages.
func (x *execution) oneTimePassword(c *call) (map[string]string, *engine.Failure) {
	tp, inputs := c.tp, c.inputs
	md := tp.Metadata
	id := inputs["identifier"]
	key := "otp|" + strings.ToLower(id)
	switch op := md["Operation"]; op {
	case "GenerateCode":
		life := time.Duration(atoiOr(md["CodeExpirationInSeconds"], 600)) * time.Second
		if v := x.st.codes[key]; v.LiveAt(x.Now()) && strings.EqualFold(md["ReuseSameCode"], "true") {
			return map[string]string{"otpGenerated": v.Value()}, nil
		}
		code := x.FixedCode
		if code == "" {
			code = otpCode(codes.Value("", x.NewID())+codes.Value("", x.NewID()), atoiOr(md["CodeLength"], 6), md["CharacterSet"])
		}
		x.sendCode(tp, key, id, code, life, atoiOr(md["NumRetryAllowed"], 5))
		return map[string]string{"otpGenerated": code}, nil
	case "VerifyCode":
		return x.verified(tp, x.checkCode(key, inputs["otpToVerify"]), id, [3][2]string{
			{"UserMessageIfSessionDoesNotExist", "One time password verification session has expired"},
			{"UserMessageIfVerificationFailedRetryAllowed", "That code is incorrect. Please try again."},
			{"UserMessageIfMaxRetryAttempted", "One time password provided verification has exceeded maximum number of attempts"}})
	default:
		return nil, unsupported(tp, fmt.Sprintf("the one-time password operation %q (GenerateCode, VerifyCode)", op))
	}
}

// sendCode keeps a code for key and puts it in the outbox.
func (x *execution) sendCode(tp *policy.TechnicalProfile, key, to, code string, life time.Duration, attempts int) {
	if x.st.codes == nil {
		x.st.codes = map[string]*codes.Code{}
	}
	x.st.codes[key] = codes.New(to, code, x.Now(), life, attempts)
	x.mail(tp, to, x.st.codes[key])
}

// mail puts a sent code in the outbox and the log.
func (x *execution) mail(tp *policy.TechnicalProfile, to string, c *codes.Code) {
	code := c.Value()
	if x.Mail != nil {
		x.Mail(Mail{Time: x.Now(), RunID: x.r.ID, Policy: x.p.ID, To: to, Code: code, TechnicalProfile: tp.ID})
	}
	if x.Log != nil {
		x.Log.Info("verification code sent", "run", x.r.ID, "to", to, "code", code, "technicalProfile", tp.ID)
	}
}

// verified is a code-checking profile's answer: nothing for a right code, else the message of
// messages (string id and default) for a missing or expired code, a wrong code with attempts
// left, and a wrong code without.
func (x *execution) verified(tp *policy.TechnicalProfile, check codes.Check, to string, messages [3][2]string) (map[string]string, *engine.Failure) {
	if check == codes.OK {
		return map[string]string{}, nil
	}
	m := messages[check-codes.Expired]
	err := &engine.Failure{Message: x.text(tp, "ErrorMessage", m[0], m[1])}
	if check == codes.Expired {
		err.Diagnostic = tp.ID + ": no code was sent to " + to + ", or it expired"
	}
	return nil, err
}

// checkCode checks a code against the one kept for key (codes.Code's rules); every outcome
// but a wrong code with attempts left uses it up.
func (x *execution) checkCode(key, code string) codes.Check {
	v := x.st.codes[key]
	if v == nil {
		return codes.Expired
	}
	res := v.Check(v.To, code, x.Now())
	if res != codes.Wrong {
		delete(x.st.codes, key)
	}
	return res
}

// otpCode draws a code of length characters of charset (a regular expression class such as
// "a-z0-9A-Z"; digits by default) from the hex digits of seed, so seeded runs repeat it.
func otpCode(seed string, length int, charset string) string {
	alphabet := expandCharset(charset)
	var b strings.Builder
	for i := 0; b.Len() < length; i++ {
		n, _ := strconv.ParseUint(string(seed[i%len(seed)]), 16, 8)
		b.WriteByte(alphabet[(int(n)+i*7)%len(alphabet)])
	}
	return b.String()
}

func expandCharset(charset string) string {
	var out []byte
	for i := 0; i < len(charset); i++ {
		if i+2 < len(charset) && charset[i+1] == '-' {
			for c := charset[i]; c <= charset[i+2]; c++ {
				out = append(out, c)
			}
			i += 2
			continue
		}
		out = append(out, charset[i])
	}
	if len(out) == 0 {
		return "0123456789"
	}
	return string(out)
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n > 0 {
		return n
	}
	return def
}
