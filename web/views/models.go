// Package views holds b2cemu's templ pages. Each page takes a small view-model struct; the
// element ids and classes are Azure AD B2C's, so selectors written for a real tenant work.
package views

import "fmt"

// Page is what every page needs.
type Page struct {
	Title  string
	Lang   string              // <html lang>, from ui_locales
	Tenant string              // tenant or company name, shown in the banner
	Logo   bool                // the tenant has a logo (/_branding/logo)
	T      func(string) string // translates built-in English strings; nil = English
	// Settings is a flow page's B2C SETTINGS script (var SETTINGS = {…};), "" elsewhere.
	Settings string
	// Template is the built-in page template (OceanBlue, SlateGray, Classic); "" = OceanBlue.
	Template string
	// Background: the tenant has a background image (/_branding/background).
	Background bool
}

// Tr translates a built-in string.
func (p Page) Tr(s string) string {
	if p.T == nil {
		return s
	}
	return p.T(s)
}

// Trf translates a built-in format string, then fills it.
func (p Page) Trf(format string, args ...any) string { return fmt.Sprintf(p.Tr(format), args...) }

// Form is the hidden state every flow form carries back to the dispatcher.
type Form struct {
	Action string // the dispatcher URL, ?tx= included
	CSRF   string
	Seq    int
}

// LinkForm is a form that makes a link: a GET to Action with the hidden Fields and the
// pressed button's name and value.
type LinkForm struct {
	Action string
	Fields []Hidden
}

// Option is one choice of a select or radio field.
type Option struct {
	Value, Label string
}

// Field is one input of a self-asserted page.
type Field struct {
	ID        string // the id B2C renders (claim id; extension_<Name> for custom attributes): input id and name
	Label     string
	InputType string // B2C UserInputType: TextBox, EmailBox, Password, RadioSingleSelect
	Type      string // the <input type>: text, email, password, number
	Value     string
	Required  bool
	Error     string // item-level error
	// Pattern is what the page's script checks a value against (an HTML pattern), with
	// Invalid the message when it does not match; "" = no check.
	Pattern, Invalid string
	Options          []Option
	Verify           *Verification // email verification controls under the input
	// Help is an authenticator-app control's second line (InputType QrCodeControl,
	// AuthenticatorInfoControl, AuthenticatorAppIconControl), whose items are Options; QR is
	// the QR code control's image, a data: URI of a PNG.
	Help, QR string
}

// Verification is the email verification of a field: its state ("", "sent", "verified"), the
// info or success line, the last failure and the controls' labels.
type Verification struct {
	Control, CodeField                      string // a display control's id and code input; "" for Verified.Email
	State, Message, Error                   string
	Send, VerifyLabel, Resend, Change, Code string
}

// SelfAsserted is the attribute collection page, the local sign-up page and the block page.
type SelfAsserted struct {
	Page
	Form
	Intro            string
	Fields           []Field
	RequiredMissing  bool
	PasswordMismatch bool
	FieldIncorrect   bool
	ServerError      string // #claimVerificationServerError
	Blocked          bool   // the block page: the message, no fields, no way forward
	ContinueLabel    string
	// HideContinue and HideCancel hide #continue and #cancel (a custom policy's
	// setting.showContinueButton and setting.showCancelButton false).
	HideContinue, HideCancel bool
}

// VerifyPending reports whether a field's email verification is not done yet: B2C disables
// #continue until it is.
func (m SelfAsserted) VerifyPending() bool {
	for _, f := range m.Fields {
		if f.Verify != nil && f.Verify.State != "verified" {
			return true
		}
	}
	return false
}

// Provider is a social identity provider button.
type Provider struct {
	ID          string // provider id
	ButtonID    string // B2C-style element id and claimsexchange value, e.g. FacebookExchange
	DisplayName string
}

// SignIn is the unified sign-in page (signUpOrSignIn) or the identity provider choice (signUp).
type SignIn struct {
	Page
	Form
	Combined    bool // a signUpOrSignIn flow: the unified page
	Local       bool // show the email and password form
	Phone       bool // the local form is a phone account's: the number, no password
	LocalSignUp bool // offer "Sign up now" / "Email signup"
	SignUpURL   string
	Social      LinkForm // the provider buttons' form: api/<page>/unified?claimsexchange=<Id>
	// ForgotURL is the "Forgot your password?" link and ForgotAt its place: AfterLabel,
	// AfterInput, AfterButtons, or "" for none.
	ForgotURL string
	ForgotAt  string
	// RememberMe shows the "Keep me signed in" checkbox (div.rememberMe > input#rememberMe)
	// between div.working and the sign-in button, unchecked, as saved B2C pages have it.
	RememberMe bool
	// NameID is the sign-in name input's id and form name: "email" or "logonIdentifier" on
	// user flows (by page version), "signInName" on the custom policies' pages.
	NameID     string
	Email      string
	EmailError string
	PassError  string
	PageError  string
	Providers  []Provider
}

// Account is a fixture identity on the fake identity provider's page.
type Account struct {
	IssuerAssignedID, DisplayName, Email string
	// ExistingUser is the object id of the user that already holds this identity: choosing it
	// signs in, so no sign-up API connector runs.
	ExistingUser string
}

// IdP is the fake identity provider's sign-in page.
type IdP struct {
	Page
	Form
	ProviderID   string
	ProviderName string
	Accounts     []Account
	SignsUp      bool   // the flow signs up new identities: say which ones exist already
	CanDelete    bool   // the page may delete an existing user (the admin API is open)
	CheckURL     string // where the page's script asks whether a typed identity exists
	// Typed are the fields of a submission the page refused (by id), TypedOpen whether it came
	// from "Sign in as another identity"; Problem says why, Notice what was done.
	Typed           map[string]string
	TypedOpen       bool
	Problem, Notice string
	ClaimsExample   string
	// TypedExisting is the object id of the user that already holds the typed identity.
	TypedExisting string
}

// Error is B2C's error page.
type Error struct {
	Page
	Code          string // AADB2C code, may be empty
	Message       string
	CorrelationID string
	Timestamp     string
	// Inspector is b2cemu's own addition to B2C's page: the call inspector's view of the
	// correlation id.
	Inspector string
}

// FlowLink is one user flow on the home page.
type FlowLink struct {
	ID, Type, RunURL string
	Journey          string // a custom policy's DefaultUserJourney
	Providers        []string
	Connectors       []string // "step → connector"
	Discovery        string   // the policy's OpenID configuration URL
}

// Home lists the tenant's user flows.
type Home struct {
	Page
	TenantID string
	BaseURL  string
	App      string // the application the links sign in to
	Flows    []FlowLink
}

// Claim is one row of the token viewer's claims table.
type Claim struct {
	Name, Value string
}

// JWT is the token viewer.
type JWT struct {
	Page
	Token       string
	Header      string // pretty JSON
	Payload     string // pretty JSON
	Claims      []Claim
	Verified    bool
	VerifyError string
	Error       string // error / error_description received instead of a token
	ErrorDesc   string
}

// FormPost is the response_mode=form_post page: a form that script submits at once.
type FormPost struct {
	Action string
	Fields []Hidden
}

// Hidden is a hidden form field.
type Hidden struct {
	Name, Value string
}

// Calls is the call inspector page.
type Calls struct {
	DevPage
	Step, Outcome   string // the filters in force
	CorrelationID   string // the correlation id filter in force, from an error page's link
	Steps, Outcomes []string
	Total           uint64 // calls ever recorded, for live updates
	Errors          []ErrorItem
	Groups          []CallGroup
}

// ErrorItem is an error page shown, in the call inspector.
type ErrorItem struct {
	CorrelationID, Time, Request string
	Status                       int
	Code, Message                string
}

// CallGroup is the calls of one flow run.
type CallGroup struct {
	RunID string
	Calls []CallItem
}

// CallItem is one connector call.
type CallItem struct {
	ID, Time, Step, Connector, URL, Outcome string
	UserMessage, Claims, Diagnostic         string
	Warnings                                []string
	RequestHeaders                          []Hidden
	Request, Curl, ResentFrom               string
	Attempts                                []AttemptItem
}

// AttemptItem is one try of a call.
type AttemptItem struct {
	Status    int
	LatencyMs float64
	Error     string
	Body      string
	BodyNote  string // why the body looks different from the bytes received, if it does
	Truncated bool
	Headers   []Hidden
}

// PhoneFactor is the second-factor page (PhoneFactorPage).
type PhoneFactor struct {
	Page
	Form
	DataName         string // "Phonefactor", or "SelfAsserted" for the email code and the app
	Intro, Error     string
	Enrol, SMS, Call bool
	Sent, TOTP       bool
	SendLabel        string
	Number           string // on record, masked
	Countries        []Option
	Country, Local   string
	Secret, URI      string
	QR               string // the QR code of URI, a data: URI of a PNG
	Texts            map[string]string
}

// T is the page's text of a B2C string id.
func (m PhoneFactor) T(id string) string { return m.Texts[id] }

// LocalIntro is the local sign-in form's heading.
func (m SignIn) LocalIntro() string {
	if m.Phone {
		return "Sign in with your phone number"
	}
	return "Sign in with your email address"
}
