package engine

// Page is the page a run shows, described completely by the engine that runs it: both engines
// fill it (the user-flow machine from the flow's definition, a custom policy's journey from
// its technical profile) and the web layer renders every page from it alone. It is the
// unified sign-in page (Unified), a self-asserted page, or the block page (Blocked). The
// page's errors and values are the run's: Values, FieldErrors, PageError, RequiredMissing,
// PasswordMismatch and FieldIncorrect.
type Page struct {
	// ContentDefinition is the content definition the page is shown with (its template or
	// custom page content), e.g. api.signuporsignin.
	ContentDefinition string

	Title string // the document's title: "Sign up or sign in", "Sign in", "Sign up", "User details"

	Unified bool // the sign-in page (api CombinedSigninAndSignup, or IdpSelections with Selection)
	// Selection makes the sign-in page a sign-up flow's identity provider choice (B2C's
	// IdpSelections page): provider buttons and "Email signup", no local sign-in form.
	Selection   bool
	LocalSignIn bool // the email and password form (unified page)
	SignUpLink  bool // "Sign up now", or the "Email signup" button of an IdpSelections page
	// SignInName is the id and form name of the sign-in name input: "email" or
	// "logonIdentifier" on user flows (by page version), "signInName" on custom policies.
	SignInName string
	// PhoneSignIn makes the local sign-in form a phone number's (no password): a phone
	// account flow's.
	PhoneSignIn bool
	// ForgotPassword places the unified page's "Forgot your password?" link: "" (none),
	// AfterLabel, AfterInput or AfterButtons.
	ForgotPassword string
	// RememberMe shows the local sign-in form's "Keep me signed in" checkbox (input#rememberMe,
	// unchecked): a user flow's session.keepMeSignedIn, a custom policy's sign-in profile's
	// setting.enableRememberMe.
	RememberMe bool
	// Providers are the identity provider buttons (unified page): Value is the button's id
	// and claims exchange (a user flow's <Name>Exchange), Label its text.
	Providers []PageOption

	// ContentParameters are the query parameters added to the URL of the page's custom page
	// content: a custom policy's ContentDefinitionParameters, resolved when the page is shown.
	ContentParameters []PageParameter

	Blocked       bool   // the block page: Intro is the message; no fields, no way forward
	Intro         string // self-asserted page
	ContinueLabel string // "Create", "Continue"
	Fields        []PageField
	MFA           *MFAPage // the second-factor page, instead of fields

	// HideContinue and HideCancel hide the self-asserted page's #continue and #cancel buttons:
	// a custom policy's setting.showContinueButton and setting.showCancelButton set to false.
	// A page without #continue has no way forward (the community's message pages hide both);
	// the zero value shows both, as every user-flow page does.
	HideContinue, HideCancel bool
}

// PageParameter is one query parameter of a page's custom page content URL.
type PageParameter struct{ Name, Value string }

// PageField is one input of a self-asserted page.
type PageField struct {
	ID string // the input id and form name
	// Claim is the claim the field holds when it is not ID: a user flow's custom attribute,
	// whose input B2C names extension_<Name> while the flow knows it as <Name>.
	Claim     string
	Label     string
	InputType string // TextBox, EmailBox, Password, RadioSingleSelect, DropdownSingleSelect, Paragraph, Readonly
	Required  bool
	HelpText  string
	// Pattern is what the page's script checks a typed value against before submitting (an
	// HTML pattern attribute), with PatternHelp the field's error when it does not match; ""
	// leaves the check to the server.
	Pattern, PatternHelp string
	Options              []PageOption
	Verify               *Verification // set when the field's value must be verified (a Verified.Email claim)
	// App is set when the code the field takes (its own value, or its verification control's
	// code) is an authenticator app's (RFC 6238): a custom policy's VerifyOTP profile checks it.
	// Pages draw nothing of it; the headless API types the code the user's app shows.
	App *AppCode
}

// AppCode names the authenticator app a field's code comes from.
type AppCode struct {
	// User is the object id of the journey's user when the page is shown, "" before the
	// journey knows one: the app a sign-in checks is the one enrolled on that user.
	User string
}

// Verification is the state of a field's email verification, with the page's texts.
type Verification struct {
	// Control is the display control (VerificationControl) the field belongs to, "" for the
	// classic Verified.Email controls; CodeField is that control's code input (its claim id).
	Control, CodeField string
	State              string // "" (nothing sent), "sent" (a code is out) or "verified"
	Message            string // the info or success line of the state
	Error              string // the last failure ("That code is incorrect. Please try again.")
	// Button and input labels: send, verify, resend, change, the code input's placeholder.
	Send, Verify, Resend, Change, Code string
}

// ClaimID is the claim the field holds: Claim, or ID when the two are the same.
func (f PageField) ClaimID() string {
	if f.Claim != "" {
		return f.Claim
	}
	return f.ID
}

// PageOption is one choice of an enumerated field.
type PageOption struct{ Value, Label string }

// MFAMethod is the second factor a page asks for: a user flow's "Type of method" for
// multifactor authentication, or a custom policy's phone factor.
type MFAMethod string

// The methods of the user flow's Multifactor authentication settings (docs/mfa.md).
const (
	MFAEmail     MFAMethod = "emailOtp"       // Email: a one-time code to the account's email
	MFASMS       MFAMethod = "sms"            // SMS only
	MFACall      MFAMethod = "phoneCall"      // Phone call only
	MFASMSOrCall MFAMethod = "smsOrPhoneCall" // SMS or phone call, the user's choice
	MFATOTP      MFAMethod = "totp"           // Authenticator app - TOTP
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
