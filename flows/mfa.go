package flows

import (
	"context"
	"crypto/sha1"
	"regexp"
	"strings"
	"time"

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

// The user attributes the second factor keeps. The phone number is Azure AD's
// strongAuthenticationPhoneNumber (the starter pack's MFA claim of the same name); the
// authenticator app's key has no Graph attribute, so the admin API never shows it.
const (
	PhoneAttribute = "strongAuthenticationPhoneNumber"
	TOTPAttribute  = "b2cemuAuthenticatorAppKey"
)

// Limits of the second factor (chosen; docs/mfa.md): codes a run may send, and wrong
// authenticator-app codes before the page refuses more.
const (
	MFASends    = 3
	MFAAttempts = CodeAttempts
)

// MFAState is a run's second factor: what is on record, the code out and the last error.
type MFAState struct {
	Method engine.MFAMethod
	// FirstFactor is "signUp" or "signIn" when the page is a phone account's first factor
	// (localAccount phone), "" for the second factor.
	FirstFactor string
	Enrol       bool   // nothing on record: the number is entered, or the app's key is shown
	To          string // the number (E.164) or email address the codes go to
	Channel     string // "sms" or "call": how the last code went
	Code        *Code
	Sends       int
	Wrong       int    // wrong authenticator-app codes
	Key         []byte // the authenticator app's key
	Error       string // the string id of the last failure
	// Country and Local are what was typed on the enrolment page, kept on it.
	Country, Local string
}

// SMS is a phone code b2cemu would have sent by text message or read out in a call.
type SMS struct {
	Time                 time.Time
	RunID, Policy        string
	To, Channel, Message string
	Code                 string
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
		return u.Attributes.String(TOTPAttribute) != ""
	}
	return u.Attributes.String(PhoneAttribute) != ""
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
	st := &MFAState{}
	st.Method = def.MFA.Method
	switch st.Method {
	case engine.MFAEmail:
		st.To = u.Email()
	case engine.MFATOTP:
		if key, err := otp.Decode(u.Attributes.String(TOTPAttribute)); err == nil && len(key) > 0 {
			st.Key = key
		} else {
			sum := sha1.Sum([]byte(m.NewID() + m.NewID())) // seeded ids: the same key every run
			st.Enrol, st.Key = true, sum[:]
		}
	default:
		st.To = u.Attributes.String(PhoneAttribute)
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
func (m *Machine) codes(r *engine.Run) Codes {
	return Codes{Now: m.Now, Value: func() string { return CodeValue(m.FixedCode, m.NewID()) }, Tenant: m.Tenant,
		RunID: r.ID, Policy: r.Policy, Mail: m.Mail, Text: m.Text}
}

// Codes are what the second-factor page sends its codes with: the clock, the next code's
// value (CodeValue: drawn from the id source, or the fixed code), the tenant the messages
// name, the run, and the email and text message outboxes (either may be nil). The user
// flows' machine and the custom policies' phone factor profile share them.
type Codes struct {
	Now           func() time.Time
	Value         func() string
	Tenant        string
	RunID, Policy string
	Mail          func(Mail)
	Text          func(SMS)
}

// Press applies one button of the second-factor page: it sends a code (checking the number
// an enrolment typed) or checks the typed one. It reports true when the right code was
// typed; a refusal the page shows is left in st.Error.
func (st *MFAState) Press(v engine.VerifyMFA, c Codes) (bool, error) {
	st.Error = ""
	if st.Enrol && st.Key == nil && (v.Action == "sendCode" || v.Action == "sendCall") { // a retry keeps the number
		st.Country, st.Local = strings.TrimSpace(v.Country), strings.TrimSpace(v.Number)
	}
	switch v.Action {
	case "sendCode", "sendCall", "retryCode":
		return false, st.send(v.Action, c)
	case "verifyCode":
		return st.verify(v.Code, c.Now())
	}
	return false, engine.Errorf(engine.Invalid, "unknown action %q on the second-factor page (sendCode, sendCall, retryCode, verifyCode)", v.Action)
}

// send sends a code by the channel the button names, checking the number an enrolment
// typed.
func (st *MFAState) send(action string, c Codes) error {
	channel := map[string]string{"sendCode": "sms", "sendCall": "call", "retryCode": st.Channel}[action]
	switch {
	case st.Method == engine.MFATOTP:
		return engine.Errorf(engine.Invalid, "an authenticator app's code is not sent: type the code the app shows")
	case st.Method == engine.MFAEmail:
		channel = "email"
	case channel == "":
		return engine.Errorf(engine.Invalid, "no code was sent yet: sendCode or sendCall first")
	case !methodOffers(st.Method, channel):
		return engine.Errorf(engine.Invalid, "the page's method %s does not send codes by %s", st.Method, channel)
	}
	if st.Enrol && st.Method != engine.MFAEmail {
		n, msg := E164(st.Country, st.Local)
		if msg != "" {
			st.Error = msg
			return nil
		}
		st.To = n
	}
	if st.Sends >= MFASends {
		st.Error = map[string]string{"sms": "error_sms_throttled", "call": "error_phone_throttled", "email": "error_throttled"}[channel]
		return nil
	}
	st.Sends++
	st.Channel = channel
	st.Code = NewCode(st.To, c.Value(), c.Now(), CodeLifetime, CodeAttempts)
	st.deliver(c)
	return nil
}

func methodOffers(method engine.MFAMethod, channel string) bool {
	switch method {
	case engine.MFASMS:
		return channel == "sms"
	case engine.MFACall:
		return channel == "call"
	}
	return method == engine.MFASMSOrCall
}

// deliver puts the code in the email or the text message outbox.
func (st *MFAState) deliver(c Codes) {
	code := st.Code.Value()
	if st.Channel == "email" {
		if c.Mail != nil {
			c.Mail(Mail{Time: c.Now(), RunID: c.RunID, Policy: c.Policy, To: st.To, Code: code})
		}
		return
	}
	msg := "Use verification code " + code + " for " + c.Tenant + " authentication."
	if st.Channel == "call" {
		msg = "This is the " + c.Tenant + " verification call. Your code is " + strings.Join(strings.Split(code, ""), " ") + "."
	}
	if c.Text != nil {
		c.Text(SMS{Time: c.Now(), RunID: c.RunID, Policy: c.Policy, To: st.To, Channel: st.Channel, Message: msg, Code: code})
	}
}

// verify checks the typed code at now; it reports true for the right one.
func (st *MFAState) verify(typed string, now time.Time) (bool, error) {
	if strings.TrimSpace(typed) == "" {
		st.Error = "requiredField_code"
		return false, nil
	}
	if st.Method == engine.MFATOTP {
		if st.Wrong >= MFAAttempts {
			st.Error = "error_throttled"
			return false, nil
		}
		if !otp.Check(st.Key, typed, now) {
			st.Wrong++
			st.Error = "error_incorrect_code"
			return false, nil
		}
		return true, nil
	}
	if !st.Code.Live() {
		return false, engine.Errorf(engine.Invalid, "no verification code was sent")
	}
	switch st.Code.Check(st.To, typed, now) {
	case CodeExpired:
		st.Error = "ver_fail_code_expired"
		return false, nil
	case CodeWrong:
		st.Error = "error_incorrect_code"
		return false, nil
	case CodeExhausted:
		st.Error = "error_throttled"
		return false, nil
	}
	return true, nil
}

// mfaDone keeps what an enrolment set up on the user and runs the token step.
func (m *Machine) mfaDone(ctx context.Context, def *Definition, r *engine.Run) error {
	st, u := stateOf(r).mfa, r.User
	if st.FirstFactor != "" {
		return m.phoneVerified(ctx, def, r)
	}
	if st.Enrol {
		attrs := engine.Claims{PhoneAttribute: st.To}
		if st.Method == engine.MFATOTP {
			attrs = engine.Claims{TOTPAttribute: otp.Encode(st.Key)}
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

// Countries are the phone-factor page's country code list: ISO code, name and dialling
// code (a subset of B2C's list, which has every country).
var Countries = []struct{ ISO, Name, Dial string }{
	{"US", "United States", "1"}, {"CA", "Canada", "1"}, {"GB", "United Kingdom", "44"}, {"IE", "Ireland", "353"},
	{"DE", "Germany", "49"}, {"FR", "France", "33"}, {"ES", "Spain", "34"}, {"IT", "Italy", "39"},
	{"NL", "Netherlands", "31"}, {"SE", "Sweden", "46"}, {"IN", "India", "91"}, {"JP", "Japan", "81"},
	{"AU", "Australia", "61"}, {"NZ", "New Zealand", "64"}, {"BR", "Brazil", "55"}, {"ZA", "South Africa", "27"},
}

// numberPattern is B2C's number_pattern of the phone-factor page: a plus, then 7 to 15
// digits with single spaces or dashes between them.
var numberPattern = regexp.MustCompile(`^\+(?:[0-9][\x20-]?){6,14}[0-9]$`)

// E164 is the number of the enrolment page's country and local number, or the string id of
// the page's error. A number typed with its own + keeps its country code.
func E164(country, local string) (string, string) {
	local = strings.TrimSpace(local)
	if local == "" {
		return "", "requiredField_number"
	}
	n := local
	if !strings.HasPrefix(local, "+") {
		dial := ""
		for _, c := range Countries {
			if strings.EqualFold(c.ISO, country) {
				dial = c.Dial
			}
		}
		if dial == "" {
			return "", "requiredField_countryCode"
		}
		n = "+" + dial + strings.TrimPrefix(local, "0")
	}
	if !numberPattern.MatchString(n) {
		return "", "invalid_number"
	}
	return "+" + strings.Map(func(c rune) rune {
		if c >= '0' && c <= '9' {
			return c
		}
		return -1
	}, n), ""
}
