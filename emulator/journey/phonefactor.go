package journey

import (
	"fmt"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// The phone factor profile (PhoneFactorProtocolProvider) is the user flows' phone-factor page
// (api.phonefactor) run by a custom policy: the number on record comes from its input claims,
// the codes go to the text message outbox by the user flows' rules (codes.MFAState), and the
// verified number is its output claims.

// phoneModes are setting.authenticationMode's values, the user flows' methods of the same
// buttons; mixed is B2C's default.
var phoneModes = map[string]engine.MFAMethod{"": engine.MFASMSOrCall, "mixed": engine.MFASMSOrCall, "sms": engine.MFASMS, "phone": engine.MFACall}

// phoneFactorPage shows tp's page at orchestration step order: verification of the number on
// record, or the enrolment of one. It reports true (the page shows, or the run failed).
func (x *execution) phoneFactorPage(tp *policy.TechnicalProfile, order int) bool {
	mode := strings.ToLower(strings.TrimSpace(tp.Metadata["setting.authenticationMode"]))
	method, ok := phoneModes[mode]
	if !ok {
		x.failWith(&engine.Failure{Unsupported: true, Message: "The phone factor technical profile is misconfigured.",
			Diagnostic: fmt.Sprintf("%s: setting.authenticationMode %q is not sms, phone or mixed", tp.ID, mode)})
		return true
	}
	for _, t := range tp.InputTransformations {
		if err := x.transform(tp, t, x.st.bag); err != nil {
			x.failWith(err)
			return true
		}
	}
	number := x.onRecord(tp)
	if number == "" && strings.EqualFold(tp.Metadata["ManualPhoneNumberEntryAllowed"], "false") {
		x.failWith(&engine.Failure{Message: "There is no phone number on record for this account.",
			Diagnostic: fmt.Sprintf("%s: no phone number in its input claims and ManualPhoneNumberEntryAllowed is false (step %d)", tp.ID, order)})
		return true
	}
	x.st.tp, x.st.phone = tp, ""
	x.st.pageCD = tp.Metadata["ContentDefinitionReferenceId"]
	x.r.Phase = engine.PhaseMFA
	x.st.mfa = &codes.MFAState{Method: method, Enrol: number == "", To: number, Country: "US"}
	x.showPhone()
	return true
}

// onRecord is the number among tp's input claims: the one of PartnerClaimType phoneNumber, or
// the starter pack's strongAuthenticationPhoneNumber.
func (x *execution) onRecord(tp *policy.TechnicalProfile) string {
	for _, c := range tp.InputClaims {
		name := c.PartnerClaimType
		if name == "" {
			name = c.ClaimType
		}
		if strings.EqualFold(name, "phoneNumber") || strings.EqualFold(name, codes.PhoneAttribute) {
			return strings.TrimSpace(x.st.bag[strings.ToLower(c.ClaimType)])
		}
	}
	return ""
}

// showPhone renders the page of the run's phone state.
func (x *execution) showPhone() {
	x.r.Page = x.st.mfa.View(x.Tenant, "")
	x.r.Page.Title = x.text(x.st.tp, "UxElement", "title", "Multi-factor authentication")
}

// pressPhone applies a button of the phone-factor page; the right code runs the profile,
// whose output claims take the verified number, and the journey goes on.
func (x *execution) pressPhone(step *policy.Step, in engine.VerifyMFA) (next, error) {
	tp := x.st.tp
	if x.st.mfa == nil || tp == nil || tp.Kind != policy.PhoneFactor {
		return stay, engine.Errorf(engine.Invalid, "there is no phone-factor page here")
	}
	sender := codes.Sender{Now: x.Now, Value: x.code, Tenant: x.Tenant, RunID: x.r.ID, Policy: x.p.ID, Mail: x.Mail, Text: x.Text}
	done, err := x.st.mfa.Press(in, sender)
	if err != nil || !done {
		x.showPhone()
		return stay, err
	}
	x.st.phone = x.st.mfa.To
	if _, err := x.run(tp, x.st.bag, step.Order); err != nil {
		x.failWith(err)
		return stay, nil
	}
	x.st.mfa = nil
	return onward, nil
}

// phoneFactor is the profile's protocol once its page verified a number: Verified.OfficePhone
// is the number, newPhoneNumberEntered is true when it was entered on the page (the starter
// pack writes it to the directory then). Without its page there is nothing to verify.
func (x *execution) phoneFactor(c *call) (map[string]string, *engine.Failure) {
	if x.st.phone == "" || x.st.mfa == nil {
		return nil, unsupported(c.tp, "a phone factor profile run without its page (as a validation profile)")
	}
	result := map[string]string{"Verified.OfficePhone": x.st.phone, "phoneNumber": x.st.phone}
	if x.st.mfa.Enrol {
		result["newPhoneNumberEntered"] = "true"
	}
	return result, nil
}
