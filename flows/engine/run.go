// Package engine is the contract between b2cemu's two engines — the user-flow machine
// (flows.Machine) and the custom-policy journey (emulator/journey) — and the web layer that
// drives both: the run and its phases, the page model the web layer renders, the inputs a page
// sends, the one failure type, and the outcomes both engines reach the same way (outcomes.go).
// It imports nothing of the project, so every engine and the web layer can stand on it.
package engine

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

// Run is the state of one walk through a user flow or a custom policy's journey. The engine
// that runs it (Start, Advance) is the only thing that changes it; the web layer stores it
// between requests and renders its Page.
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

	UserMessage string   // the block page's text
	Failure     *Failure // why the run failed (PhaseFailed), or how it was cancelled (PhaseCancelled)

	// Page describes the current page completely (nil on the fake identity provider's page and
	// once the run has ended, the block page excepted); the web layer renders it. State is the
	// engine's own state between requests: the user-flow machine's email check and second
	// factor, a custom policy's journey, claims bag and step.
	Page  *Page
	State any
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
