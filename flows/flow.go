package flows

import "time"

// Type is the kind of user flow, as in the Azure portal.
type Type string

// The user-flow types b2cemu runs: the portal's sign up and sign in, sign up, sign in,
// password reset and profile editing flows.
const (
	SignUp         Type = "signUp"
	SignUpOrSignIn Type = "signUpOrSignIn"
	SignIn         Type = "signIn"
	PasswordReset  Type = "passwordReset"
	ProfileEdit    Type = "profileEdit"
)

// SignsIn reports whether the flow's first page signs existing users in: every type but
// sign-up and password reset.
func (d *Definition) SignsIn() bool { return d.Type != SignUp && d.Type != PasswordReset }

// SignsUp reports whether the flow creates local accounts ("Sign up now") and runs the
// sign-up connectors.
func (d *Definition) SignsUp() bool { return d.Type == SignUp || d.Type == SignUpOrSignIn }

// LocalProvider is the identity provider id of local (email and password) accounts.
const LocalProvider = "email"

// Step is a point in a user flow where an API connector can be called.
type Step string

// The connector steps. PreTokenIssuance is also the token step's wire value by default; the
// connector client can send "PreTokenApplicationClaims" instead (a compatibility setting,
// because one of Microsoft's example bodies has it).
const (
	PostFederationSignup    Step = "PostFederationSignup"
	PostAttributeCollection Step = "PostAttributeCollection"
	PreTokenIssuance        Step = "PreTokenIssuance"
)

// UserAttribute is one field of the attribute collection page.
type UserAttribute struct {
	Name     string
	Required bool
}

// Definition is a configured user flow.
type Definition struct {
	ID                string // policy name, e.g. B2C_1_susi
	Type              Type
	IdentityProviders []string // LocalProvider and social provider ids, in picker order
	UserAttributes    []UserAttribute
	ApplicationClaims []string        // portal names: displayName, emails, identityProvider, …
	Connectors        map[Step]string // connector name per step; absent or "" = none
	Tokens            TokenSettings
	// SignInInput is the id and form name of the unified page's sign-in name input: "" or
	// "email" (the recommended user flows' pages), or "logonIdentifier".
	SignInInput string
	// LocalAccount is the flow's local account type: "" or "email" (email and password), or
	// "phone" (a phone number and a one-time code, no password).
	LocalAccount string
	// MFA is the flow's multifactor authentication (off by default).
	MFA MFASettings
	// NoEmailVerification turns off the local sign-up page's email verification (the portal's
	// page-layout setting "Requires verification", on by default).
	NoEmailVerification bool
}

// VerifiesEmail reports whether the local sign-up page verifies the email address.
func (d *Definition) VerifiesEmail() bool { return !d.NoEmailVerification }

// TokenSettings are a flow's token properties. Zero values mean B2C's defaults.
type TokenSettings struct {
	Lifetime              time.Duration // access and ID tokens; 0 = 1 h
	RefreshLifetime       time.Duration // 0 = 14 days
	SlidingWindowLifetime time.Duration // 0 = 90 days
	NoSlidingExpiry       bool          // refresh token chains never end
	IssuerTFP             bool          // iss {base}/tfp/{tenantId}/{policy}/v2.0/
	PolicyClaimACR        bool          // the policy in "acr" instead of "tfp"
	EmailClaim            bool          // also "email" as a single string
}

// Offers reports whether the flow offers the identity provider id.
func (d *Definition) Offers(id string) bool {
	for _, p := range d.IdentityProviders {
		if p == id {
			return true
		}
	}
	return false
}

// SocialProviders returns the flow's identity providers other than local accounts.
func (d *Definition) SocialProviders() []string {
	var out []string
	for _, p := range d.IdentityProviders {
		if p != LocalProvider {
			out = append(out, p)
		}
	}
	return out
}

// Identity is one way a user signs in, as in Graph's identities collection.
type Identity struct {
	SignInType       string `json:"signInType"` // "federated", "emailAddress", "userName" or "phoneNumber"
	Issuer           string `json:"issuer"`
	IssuerAssignedID string `json:"issuerAssignedId"`
}

// UserNameSignIn is the sign-in type of a local account that signs in with a username
// (Graph's userName identities; custom policies persist them as signInNames.userName).
const UserNameSignIn = "userName"

// User is a directory user.
type User struct {
	ObjectID   string
	Identities []Identity
	Attributes Claims // stored attribute values
	Created    time.Time
	// LastSignIn is the last interactive sign-in (a run that issued a token), Graph's
	// signInActivity.lastSignInDateTime; zero when the user never signed in.
	LastSignIn time.Time
}

// Email returns the user's email attribute, or "".
func (u *User) Email() string { return u.Attributes.String("email") }

// Phase is where a run is: the page it shows, or how it ended.
type Phase string

// The phases of a run. Done, Blocked, Failed and Cancelled are terminal.
const (
	PhaseSignIn      Phase = "signIn"      // unified sign-in page or IdP choice
	PhaseIdP         Phase = "idp"         // the fake identity provider's sign-in page
	PhaseLocalSignUp Phase = "localSignUp" // email, password and attributes on one page
	PhaseAttributes  Phase = "attributes"  // attribute collection after federation
	PhaseMFA         Phase = "mfa"         // the second factor: phone, email code or authenticator app
	PhaseBlocked     Phase = "blocked"     // ShowBlockPage: userMessage, no way forward
	PhaseDone        Phase = "done"        // token claims ready
	PhaseFailed      Phase = "failed"      // an error the user cannot get past
	PhaseCancelled   Phase = "cancelled"   // the user cancelled: access_denied
)

// Terminal reports whether no input can move the run on.
func (p Phase) Terminal() bool {
	return p == PhaseDone || p == PhaseBlocked || p == PhaseFailed || p == PhaseCancelled
}

// Run is the state of one walk through a user flow. Machine.Advance is the only thing that
// changes it; the web layer stores it between requests.
type Run struct {
	ID        string
	Policy    string
	ClientID  string
	UILocales string
	Phase     Phase
	Seq       int // bumped by every Advance; a form carries it so a replayed post is refused

	Provider string   // the chosen identity provider
	Identity Identity // the identity that signed in
	IdP      Claims   // claims the identity provider returned

	Values           Claims            // the values on the current page (pre-filled or kept)
	FieldErrors      map[string]string // item-level errors by field id
	RequiredMissing  bool              // show #requiredFieldMissing
	PasswordMismatch bool              // show #passwordEntryMismatch
	// FieldIncorrect shows #fieldIncorrect: a field's value was refused for what it is (a
	// pattern, a type, a length), not for being missing. The engine that set the field's error
	// knows which it was; its text (localized on custom policies) cannot tell.
	FieldIncorrect bool
	PageError      string // shown in #claimVerificationServerError (or .pageLevel)
	// EmailCheck is the local sign-up page's email verification; nil until a code is sent.
	EmailCheck *EmailVerification
	// MFA is the second factor while its page is shown; MFADone is set once it passed (or a
	// single sign-on session resumed), so the token step runs.
	MFA     *MFAState
	MFADone bool

	UserMessage string   // the block page's text
	Failure     *Failure // why the run failed (PhaseFailed)

	// Page describes the current page completely (nil on the fake identity provider's page and
	// once the run has ended, the block page excepted); the web layer renders it. Journey is
	// the custom-policy engine's own state.
	Page    *Page
	Journey any
	// Request is the authorize request's query parameters and ClientIP the browser's address,
	// for custom policies' claim resolvers ({OAUTH-KV:name}, {Context:IPAddress}).
	Request  map[string]string
	ClientIP string

	// User is the signed-in or created user (PhaseDone); in a password reset or profile
	// editing flow, already the account found or signed in while its pages are shown.
	User        *User
	NewUser     bool           // the user was created in this run
	TokenOnly   Claims         // connector values that reach the token but are not stored
	TokenClaims map[string]any // application claims for the token, by token claim name
	// Carry is what the refresh token keeps for the engine: a custom policy's claims bag,
	// which its refresh journey reads back.
	Carry map[string]string
}

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
	// Providers are the identity provider buttons (unified page): Value is the button's id
	// and claims exchange (a user flow's <Name>Exchange), Label its text.
	Providers []PageOption

	Blocked       bool   // the block page: Intro is the message; no fields, no way forward
	Intro         string // self-asserted page
	ContinueLabel string // "Create", "Continue"
	Fields        []PageField
	MFA           *MFAPage // the second-factor page, instead of fields
}

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

// Failure is a terminal error. Redirect tells the web layer to send it to the application as
// an OAuth error instead of showing the error page (steps without UI).
type Failure struct {
	Error      string // OAuth error: server_error, access_denied, …
	Code       string // AADB2C code
	Message    string // what the user sees, without the code
	Diagnostic string // developer-facing explanation
	Redirect   bool
}

// Input is something the user (or a test) does on the current page.
type Input interface{ input() }

// ChooseProvider picks an identity provider on the sign-in page.
type ChooseProvider struct{ Provider string }

// SignInFederated is the fake identity provider's answer: who signed in there.
type SignInFederated struct {
	IssuerAssignedID string
	Claims           Claims // email, displayName, givenName, surname from the provider
	// Sent are the provider's other claims under its own names (a nil value: the provider
	// sends no such claim). A user flow reads only the claims above, as B2C's claims mapping
	// of a provider names only those; a custom policy's output claims may map any of these.
	Sent Claims
}

// SignInLocal submits the unified sign-in page's email and password.
type SignInLocal struct{ Email, Password string }

// StartSignUp follows the "Sign up now" link.
type StartSignUp struct{}

// SubmitSignUp submits the local account sign-up page. Values are raw form values.
type SubmitSignUp struct {
	Email, Password, ConfirmPassword string
	Values                           map[string]string
}

// SubmitAttributes submits the attribute collection page. Values are raw form values.
type SubmitAttributes struct{ Values map[string]string }

// VerifyEmail is a verification button next to a field: Action "send", "resend", "verify"
// (with the Code typed) or "change". Values are the form's values, kept on the page.
type VerifyEmail struct {
	Action, Field, Code string
	Values              map[string]string
}

// Cancel is the page's Cancel button.
type Cancel struct{}

// DomainHint is the authorize request's domain_hint, applied once before the first page: it
// names an identity provider (facebook.com) whose sign-in starts without the provider
// buttons. A hint no provider of the page answers to changes nothing, as on B2C.
type DomainHint struct{ Domain string }

// ForgotPassword follows the unified page's "Forgot your password?" link.
type ForgotPassword struct{}

// ForgotPasswordFailure is where the link ends without an embedded password reset: back at
// the application, which starts its password reset policy.
func ForgotPasswordFailure() *Failure {
	return &Failure{Error: "access_denied", Code: "AADB2C90118", Message: "The user has forgotten their password.", Redirect: true}
}

// ResumeSession signs in the user of a single sign-on session without any page: no sign-up
// connector runs, the token step does (as before every token).
type ResumeSession struct {
	ObjectID string
	Identity Identity
	MFA      bool // the session's sign-in passed the second factor, which is then not asked again
}

func (ChooseProvider) input()   {}
func (SignInFederated) input()  {}
func (SignInLocal) input()      {}
func (StartSignUp) input()      {}
func (SubmitSignUp) input()     {}
func (SubmitAttributes) input() {}
func (Cancel) input()           {}
func (ForgotPassword) input()   {}
func (DomainHint) input()       {}
func (VerifyEmail) input()      {}
func (ResumeSession) input()    {}
