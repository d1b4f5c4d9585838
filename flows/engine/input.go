package engine

// Input is something the user (or a test) does on the current page. Every input is defined
// here, in the contract; an engine applies it where its page has it and refuses it anywhere
// else with an Invalid Failure naming the input or the page (the run unchanged), so none is
// dropped without a word. Where each engine takes each input:
//
//	input             user-flow machine (flows)              custom-policy journey (emulator/journey)
//	ChooseProvider    sign-in page                           sign-in and provider selection pages
//	SignInFederated   fake identity provider's page          identity provider's page
//	SignInLocal       sign-in page                           sign-in page
//	StartSignUp       sign-in page                           sign-in page with a SignUpTarget
//	SubmitSignUp      local sign-up page                     never: a journey's pages send SubmitAttributes
//	SubmitAttributes  attribute, profile and reset pages     every self-asserted page
//	VerifyEmail       local sign-up page, reset email page   Verified.Email fields, display controls
//	VerifyMFA         second-factor and phone account pages  phone factor page
//	Cancel            every page                             every page
//	DomainHint        sign-in page                           sign-in page
//	ForgotPassword    sign-in page                           sign-in page
//	ResumeSession     every flow but password reset          a page whose profile is in a session
//
// A DomainHint that no provider of the page answers to changes nothing on either engine, as
// on B2C; that is its meaning, not a refusal.
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

// ResumeSession signs in the user of a single sign-on session without any page: no sign-up
// connector runs, the token step does (as before every token).
type ResumeSession struct {
	ObjectID string
	Identity Identity
	MFA      bool // the session's sign-in passed the second factor, which is then not asked again
}

// VerifyMFA is an input of the second-factor page: Action "sendCode" (a text message),
// "sendCall" (a call), "retryCode" (a new code the same way) or "verifyCode" with Code; an
// enrolment's Country (ISO code of the list) and Number.
type VerifyMFA struct {
	Action, Country, Number, Code string
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
func (VerifyMFA) input()        {}
