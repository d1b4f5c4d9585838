package codes

import (
	"strings"

	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/flows/otp"
)

// mfaTexts are the phone-factor page's string ids with their English defaults.
var mfaTexts = map[string]string{
	"button_send_code":                         "Send Code",
	"button_verify":                            "Call Me",
	"button_verify_code":                       "Verify Code",
	"button_cancel":                            "Cancel",
	"text_button_send_second_code":             "send a new code",
	"country_code_label":                       "Country Code",
	"number_label":                             "Phone Number",
	"local_number_input_placeholder_text":      "Phone number",
	"verification_code_input_placeholder_text": "Verification code",
	"enter_code_text_intro":                    "Enter your verification code below, or",
	"intro_entry_sms":                          "Enter a number below that we can send a code via SMS to authenticate you.",
	"intro_entry_phone":                        "Enter a number below that we can phone to authenticate you.",
	"intro_entry_mixed":                        "Enter a number below that we can send a code via SMS or phone to authenticate you.",
	"intro_sms":                                "We have the following number on record for you. We will send a code via SMS to authenticate you.",
	"intro_phone":                              "We have the following number on record for you. We will phone to authenticate you.",
	"intro_mixed":                              "We have the following number on record for you. We can send a code via SMS or phone to authenticate you.",
	"requiredField_number":                     "Please enter your phone number",
	"requiredField_countryCode":                "Please select your country code",
	"requiredField_code":                       "Please enter the verification code you received",
	"invalid_number":                           "Please enter a valid phone number",
	"error_incorrect_code":                     "The verification code you have entered does not match our records. Please try again, or request a new code.",
	"error_sms_throttled":                      "You hit the limit on the number of text messages. Try again shortly.",
	"error_phone_throttled":                    "You hit the limit on the number of call attempts. Try again shortly.",
	"error_throttled":                          "You hit the limit on the number of verification attempts. Try again shortly.",
	"ver_fail_code_expired":                    "That code is expired. Please request a new code.",
	// The email code and the authenticator app (b2cemu's texts where B2C's are not known).
	"intro_email":      "Verification is necessary. Please click Send button.",
	"ver_info_msg":     "Verification code has been sent to your inbox. Please copy it to the input box below.",
	"intro_totp_enrol": "Add this account to your authenticator app with the key below (or the otpauth link), then enter the code the app shows.",
	"intro_totp":       "Enter the code your authenticator app shows.",
	"totp_secret":      "Key",
	"user_exists":      UserExists,
}

// titleMFA is the second factor's page title.
const titleMFA = "Multi-factor authentication"

// View is the second-factor page of st: the phone-factor page (api.phonefactor) for the
// phone methods. tenant and email name the authenticator app's account.
func (st *MFAState) View(tenant, email string) *engine.Page {
	p := &engine.MFAPage{Method: st.Method, Enrol: st.Enrol, Sent: st.Code.Live(), Texts: mfaTexts, Country: st.Country, Local: st.Local}
	if st.Error != "" {
		p.Error = mfaTexts[st.Error]
	}
	cd := "api.selfasserted"
	switch st.Method {
	case engine.MFATOTP:
		if st.Enrol {
			p.Secret = otp.Encode(st.Key)
			p.URI = otp.URI(tenant, email, st.Key)
		}
		p.Sent = true
	case engine.MFAEmail:
		p.Number, p.SMS = st.To, true
	default:
		cd = "api.phonefactor"
		p.SMS, p.Call = st.Method != engine.MFACall, st.Method != engine.MFASMS
		p.Number = Masked(st.To)
		for _, c := range Countries {
			p.Countries = append(p.Countries, engine.PageOption{Value: c.ISO, Label: c.Name + " (+" + c.Dial + ")"})
		}
	}
	return &engine.Page{ContentDefinition: cd, Title: titleMFA, MFA: p}
}

// Masked is a number as the page shows one on record: every digit but the last four as X.
func Masked(n string) string {
	digits := 0
	for _, c := range n {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	var b strings.Builder
	for _, c := range n {
		if c >= '0' && c <= '9' && digits > 4 {
			b.WriteRune('X')
			digits--
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// UserExists is the page's error for an identity that already has an account, the user
// flows' sign-up message, which the phone account's code page shows too.
const UserExists = "A user with the specified ID already exists. Please choose a different one."

// MFAText is the phone-factor page's text of a string id, its English default.
func MFAText(id string) string { return mfaTexts[id] }
