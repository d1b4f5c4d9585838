package flows

import (
	"strings"

	"github.com/b2cemu/b2cemu/flows/otp"
)

// MFAPage is the second-factor page: B2C's phone-factor page (api.phonefactor) for the
// phone methods, a self-asserted page for the email code and the authenticator app.
type MFAPage struct {
	Method MFAMethod
	Enrol  bool // the number is entered (phone), or the app's key is shown (authenticator app)
	// SMS and Call are the send buttons the method offers (#sendCode, #sendCall).
	SMS, Call bool
	Number    string       // the number or address on record, masked but its last digits
	Countries []PageOption // the country code list (#countryCode), ISO code and label
	Country   string       // the chosen country, and the local number typed (#number)
	Local     string
	Sent      bool // a code is out: #verificationCode, #verifyCode and #retryCode
	// Secret and URI are the authenticator app's key in base32 and as an otpauth URI.
	Secret, URI string
	Error       string // the last failure's text
	// Texts are the page's strings by B2C's string id (localization-string-ids, "Phone factor
	// page elements"; the authenticator-app texts are b2cemu's).
	Texts map[string]string
}

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
	"user_exists":      msgUserExists,
}

// Page titles of the second factor.
const titleMFA = "Multi-factor authentication"

// mfaPage describes the run's second-factor page.
func (m *Machine) mfaPage(def *Definition, r *Run) *Page {
	st := r.MFA
	email := ""
	if r.User != nil {
		email = r.User.Email()
	}
	page := st.View(m.Tenant, email)
	if st.FirstFactor != "" {
		page.Title = map[string]string{"signUp": titleSignUp, "signIn": titleSignIn}[st.FirstFactor]
	}
	return page
}

// View is the second-factor page of st: the phone-factor page (api.phonefactor) for the
// phone methods. tenant and email name the authenticator app's account.
func (st *MFAState) View(tenant, email string) *Page {
	p := &MFAPage{Method: st.Method, Enrol: st.Enrol, Sent: st.Code.Live(), Texts: mfaTexts, Country: st.Country, Local: st.Local}
	if st.Error != "" {
		p.Error = mfaTexts[st.Error]
	}
	cd := "api.selfasserted"
	switch st.Method {
	case MFATOTP:
		if st.Enrol {
			p.Secret = otp.Encode(st.Key)
			p.URI = otp.URI(tenant, email, st.Key)
		}
		p.Sent = true
	case MFAEmail:
		p.Number, p.SMS = st.To, true
	default:
		cd = "api.phonefactor"
		p.SMS, p.Call = st.Method != MFACall, st.Method != MFASMS
		p.Number = Masked(st.To)
		for _, c := range Countries {
			p.Countries = append(p.Countries, PageOption{Value: c.ISO, Label: c.Name + " (+" + c.Dial + ")"})
		}
	}
	return &Page{ContentDefinition: cd, Title: titleMFA, MFA: p}
}

// Intro is the page's introduction: the phone-factor page's intro_entry_* (a number to
// enter) or intro_* (a number on record), by the buttons it offers.
func (p *MFAPage) Intro() string {
	switch p.Method {
	case MFATOTP:
		if p.Enrol {
			return p.Texts["intro_totp_enrol"]
		}
		return p.Texts["intro_totp"]
	case MFAEmail:
		if p.Sent {
			return p.Texts["ver_info_msg"]
		}
		return p.Texts["intro_email"]
	}
	kind := map[bool]string{true: "mixed", false: "sms"}[p.SMS && p.Call]
	if !p.SMS {
		kind = "phone"
	}
	if p.Enrol {
		return p.Texts["intro_entry_"+kind]
	}
	return p.Texts["intro_"+kind]
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
