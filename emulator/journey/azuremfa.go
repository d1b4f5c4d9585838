package journey

import (
	"cmp"
	"crypto/sha1"
	"errors"
	"fmt"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/flows/otp"
)

// The Azure AD MFA profile (AzureMfaProtocolProvider) has two modes, by its Operation:
// OneWaySMS and Verify send a code to a phone number and check it (the text message outbox,
// by the phone factor's rules: codes.MFAState), and GetAvailableDevices, BeginVerifyOTP and
// VerifyOTP enrol and check an authenticator app (RFC 6238, flows/otp). The app's secret is
// kept on the directory user as the user flows keep it (codes.TOTPAttribute), so an app
// enrolled by either signs in with both.

// mfaMessages are the provider's error messages (string id, B2C's default), from "Localization
// string IDs", Azure AD MFA error messages.
var mfaMessages = map[string]string{
	"UserMessageIfCouldntSendSms":             "Cannot Send SMS to the phone, please try another phone number.",
	"UserMessageIfInvalidFormat":              "Your phone number is not in a valid format, please correct it and try again.",
	"UserMessageIfMaxAllowedCodeRetryReached": "Wrong code entered too many times, please try again later.",
	"UserMessageIfServerError":                "Cannot use MFA service, please try again later.",
	"UserMessageIfThrottled":                  "Your request has been throttled, please try again later.",
	"UserMessageIfWrongCodeEntered":           "Wrong code entered, please try again.",
}

// totpSession is the authenticator-app verification BeginVerifyOTP began: the user, the
// secret the code is checked against, whether it is a new enrolment (VerifyOTP then keeps the
// secret on the user), and the wrong codes typed.
type totpSession struct {
	objectID string
	key      []byte
	enrol    bool
	wrong    int
}

// azureMFA runs the profile's Operation.
func (x *execution) azureMFA(c *call) (map[string]string, *engine.Failure) {
	switch op := c.tp.Metadata["Operation"]; op {
	case "OneWaySMS":
		return x.mfaSendSMS(c)
	case "Verify":
		return x.mfaVerifySMS(c)
	case "GetAvailableDevices":
		return x.mfaDevices(c)
	case "BeginVerifyOTP":
		return x.mfaBeginOTP(c)
	case "VerifyOTP":
		return x.mfaVerifyOTP(c)
	default:
		return nil, unsupported(c.tp, fmt.Sprintf("the Azure AD MFA operation %q (OneWaySMS, Verify, GetAvailableDevices, BeginVerifyOTP, VerifyOTP)", op))
	}
}

// mfaError is the provider's message id as the page shows it (the profile's or the page's
// UserMessageIf… metadata, the localized ErrorMessage string, B2C's default).
func (x *execution) mfaError(tp *policy.TechnicalProfile, id, diagnostic string) *engine.Failure {
	return &engine.Failure{Message: x.text(tp, "ErrorMessage", id, mfaMessages[id]), Diagnostic: diagnostic}
}

// mfaSendSMS sends a code to the phoneNumber input by text message. The number must be in
// E.164 form (the reference's samples make it so with ConvertStringToPhoneNumber).
func (x *execution) mfaSendSMS(c *call) (map[string]string, *engine.Failure) {
	number := strings.TrimSpace(c.inputs["phoneNumber"])
	if number == "" || !strings.HasPrefix(number, "+") {
		return nil, x.mfaError(c.tp, "UserMessageIfInvalidFormat", fmt.Sprintf("%s: the phoneNumber input %q is not an E.164 number (+ and the country code)", c.tp.ID, number))
	}
	if x.st.sms == nil {
		x.st.sms = map[string]*codes.MFAState{}
	}
	st := x.st.sms[number]
	if st == nil || st.To != number {
		st = &codes.MFAState{Method: engine.MFASMS, Enrol: true}
		x.st.sms[number] = st
	}
	if _, err := st.Press(engine.VerifyMFA{Action: "sendCode", Number: number}, x.codes()); err != nil {
		return nil, x.mfaError(c.tp, "UserMessageIfServerError", fmt.Sprintf("%s: %v", c.tp.ID, err))
	}
	switch st.Error {
	case "":
		return map[string]string{}, nil
	case "error_sms_throttled":
		return nil, x.mfaError(c.tp, "UserMessageIfThrottled", c.tp.ID+": too many codes sent to "+number)
	}
	return nil, x.mfaError(c.tp, "UserMessageIfInvalidFormat", fmt.Sprintf("%s: the phoneNumber input %q is not a valid number (%s)", c.tp.ID, number, st.Error))
}

// codes are the engine's clock, code source and outboxes for the run, as the phone factor
// page sends with them.
func (x *execution) codes() codes.Sender {
	return codes.Sender{Now: x.Now, Value: x.code, Tenant: x.Tenant, RunID: x.r.ID, Policy: x.p.ID, Mail: x.Mail, Text: x.Text}
}

// mfaVerifySMS checks the verificationCode input against the code sent to the phoneNumber
// input; an expired code is a wrong one (the reference has no message for it).
func (x *execution) mfaVerifySMS(c *call) (map[string]string, *engine.Failure) {
	number := strings.TrimSpace(c.inputs["phoneNumber"])
	st := x.st.sms[number]
	switch {
	case st == nil || st.Code == nil:
		return nil, x.mfaError(c.tp, "UserMessageIfServerError", fmt.Sprintf("%s: no code was sent to %q in this sign-in", c.tp.ID, number))
	case !st.Code.Live(): // used up by wrong entries: a new code must be sent
		return nil, x.mfaError(c.tp, "UserMessageIfMaxAllowedCodeRetryReached", "")
	}
	done, err := st.Press(engine.VerifyMFA{Action: "verifyCode", Code: c.inputs["verificationCode"]}, x.codes())
	switch {
	case err != nil:
		return nil, x.mfaError(c.tp, "UserMessageIfServerError", fmt.Sprintf("%s: %v", c.tp.ID, err))
	case done:
		delete(x.st.sms, number)
		return map[string]string{}, nil
	case st.Error == "error_throttled":
		return nil, x.mfaError(c.tp, "UserMessageIfMaxAllowedCodeRetryReached", "")
	}
	return nil, x.mfaError(c.tp, "UserMessageIfWrongCodeEntered", "")
}

// mfaUser is the directory user the profile names: its objectId input, else the bag's, else
// the object id of a userPrincipalName of Azure AD's <objectId>@<tenant> form.
func (x *execution) mfaUser(c *call) (*engine.User, *engine.Failure) {
	id := cmp.Or(c.inputs["objectId"], x.st.bag["objectid"])
	upn := c.inputs["userPrincipalName"]
	if id == "" {
		id, _, _ = strings.Cut(upn, "@")
	}
	if id == "" {
		return nil, x.mfaError(c.tp, "UserMessageIfServerError", c.tp.ID+": neither an objectId nor a userPrincipalName input names the user")
	}
	u, err := x.Directory.Get(x.ctx, id)
	switch {
	case errors.Is(err, directory.ErrNotFound):
		return nil, x.mfaError(c.tp, "UserMessageIfServerError", fmt.Sprintf("%s: no user %q (userPrincipalName %q) in the directory", c.tp.ID, id, upn))
	case err != nil:
		return nil, internalError(fmt.Errorf("%s: reading the user: %w", c.tp.ID, err))
	}
	return u, nil
}

// enrolledKey is the authenticator-app secret kept on u, or nil.
func enrolledKey(u *engine.User) []byte {
	key, err := otp.Decode(u.Attributes.String(codes.TOTPAttribute))
	if err != nil || len(key) == 0 {
		return nil
	}
	return key
}

// mfaDevices answers numberOfAvailableDevices: 1 when the user has an authenticator app
// enrolled, else 0.
func (x *execution) mfaDevices(c *call) (map[string]string, *engine.Failure) {
	u, err := x.mfaUser(c)
	if err != nil {
		return nil, err
	}
	n := "0"
	if enrolledKey(u) != nil {
		n = "1"
	}
	return map[string]string{"numberOfAvailableDevices": n}, nil
}

// mfaBeginOTP begins a verification: with the secretKey input of an enrolment page, else
// with the secret the user enrolled.
func (x *execution) mfaBeginOTP(c *call) (map[string]string, *engine.Failure) {
	u, rerr := x.mfaUser(c)
	if rerr != nil {
		return nil, rerr
	}
	s := &totpSession{objectID: u.ObjectID, key: enrolledKey(u)}
	if secret := strings.TrimSpace(c.inputs["secretKey"]); secret != "" {
		key, err := otp.Decode(secret)
		if err != nil || len(key) == 0 {
			return nil, x.mfaError(c.tp, "UserMessageIfServerError", fmt.Sprintf("%s: the secretKey input is not a base32 secret: %v", c.tp.ID, err))
		}
		s.key, s.enrol = key, true
	}
	if s.key == nil {
		return nil, x.mfaError(c.tp, "UserMessageIfServerError", fmt.Sprintf("%s: the user %s has no authenticator app enrolled and no secretKey input was given", c.tp.ID, u.ObjectID))
	}
	x.st.totp = s
	return map[string]string{}, nil
}

// mfaVerifyOTP checks the otpCode input against the session's secret at the emulator's
// clock (the step before and after accepted, as authenticator apps drift); the right code of
// an enrolment keeps the secret on the user. After codes.MFAAttempts wrong codes the session
// refuses every code.
func (x *execution) mfaVerifyOTP(c *call) (map[string]string, *engine.Failure) {
	s := x.st.totp
	if s == nil {
		return nil, x.mfaError(c.tp, "UserMessageIfServerError", c.tp.ID+": VerifyOTP ran before BeginVerifyOTP in this sign-in")
	}
	if s.wrong >= codes.MFAAttempts {
		return nil, x.mfaError(c.tp, "UserMessageIfMaxAllowedCodeRetryReached", "")
	}
	if !otp.Check(s.key, c.inputs["otpCode"], x.Now()) {
		s.wrong++
		return nil, x.mfaError(c.tp, "UserMessageIfWrongCodeEntered", "")
	}
	if s.enrol {
		if _, err := x.Directory.Update(x.ctx, s.objectID, engine.Claims{codes.TOTPAttribute: otp.Encode(s.key)}, ""); err != nil {
			return nil, internalError(fmt.Errorf("%s: keeping the authenticator app on the user: %w", c.tp.ID, err))
		}
	}
	x.st.totp = nil
	return map[string]string{}, nil
}

// otpSecret is CreateOtpSecret: a new 80-bit authenticator-app secret in base32, drawn from
// the id source (seeded runs repeat it), lower case as B2C's reference shows it.
func (x *execution) otpSecret(u *use) *engine.Failure {
	sum := sha1.Sum([]byte(x.NewID() + x.NewID()))
	u.out["outputClaim"] = strings.ToLower(otp.Encode(sum[:10]))
	return nil
}
