package codes

import (
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/flows/otp"
)

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
	MFAAttempts = Attempts
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

// Sender is what the second-factor page sends its codes with: the clock, the next code's
// value (Value: drawn from the id source, or the fixed code), the tenant the messages
// name, the run, and the email and text message outboxes (either may be nil). The user
// flows' machine and the custom policies' phone factor profile share them.
type Sender struct {
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
func (st *MFAState) Press(v engine.VerifyMFA, c Sender) (bool, error) {
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
func (st *MFAState) send(action string, c Sender) error {
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
	st.Code = New(st.To, c.Value(), c.Now(), Lifetime, Attempts)
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
func (st *MFAState) deliver(c Sender) {
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
	case Expired:
		st.Error = "ver_fail_code_expired"
		return false, nil
	case Wrong:
		st.Error = "error_incorrect_code"
		return false, nil
	case Exhausted:
		st.Error = "error_throttled"
		return false, nil
	}
	return true, nil
}

// SecondFactor is the second factor the run's page shows, from its engine's own state (the
// user-flow machine's second factor or phone account page, a custom policy's phone factor);
// nil when there is none. The headless API reads it to answer the page as the user would.
func SecondFactor(r *engine.Run) *MFAState {
	if s, ok := r.State.(interface{ SecondFactor() *MFAState }); ok {
		return s.SecondFactor()
	}
	return nil
}
