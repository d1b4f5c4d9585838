// Package journey runs custom policies: the user journey of a relying-party policy, step by
// step, with a claims bag and the technical-profile pipeline (input claims, execution,
// validation technical profiles, output claims), on b2cemu's user store and pages. It
// implements the same Start/Advance engine interface as the user-flow machine, so the pages,
// the dispatcher and the OIDC endpoints are shared.
package journey

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// Engine runs the journeys of loaded policies.
type Engine struct {
	Policies   map[string]*policy.Policy // by lower-cased PolicyId
	Directory  directory.Directory
	Tenant     string // tenant name
	TenantID   string
	PolicyKeys map[string]string // values of CryptographicKeys StorageReferenceIds, by lower-cased id
	HTTP       *http.Client
	// Certificates are the clients of certificate policy keys (by lower-cased
	// StorageReferenceId), presenting their certificate: AuthenticationType ClientCertificate.
	Certificates map[string]*http.Client
	// RESTTimeout is a RESTful call's time per attempt; 0 = B2C's 10 seconds (tests shorten it).
	RESTTimeout time.Duration
	Now         func() time.Time
	NewID       func() string
	Log         *slog.Logger
	Record      func(connector.Call) // optional: receives every RESTful call, for the call inspector
	Mail        func(Mail)           // optional: receives every verification email
	Text        func(codes.SMS)      // optional: receives every phone factor code (text message or call)
	// FixedCode, when set, is every verification code b2cemu sends, for suites that cannot
	// read the outbox.
	FixedCode string
	// Signals, when set, is the fake Conditional Access signal of a user (by object id; ""
	// the global one) that ConditionalAccessProtocolProvider profiles evaluate.
	Signals func(userID string) Signal

	seq atomic.Int64
}

// inSession reports whether a profile takes part in a single sign-on session: it names a
// session manager other than the no-op one.
func (x *execution) inSession(tp *policy.TechnicalProfile) bool {
	if tp == nil || tp.Session == "" {
		return false
	}
	sm := x.p.TechnicalProfiles[tp.Session]
	return sm != nil && !strings.Contains(sm.Handler, "NoopSSOSessionProvider")
}

// CallsPath reports whether a RESTful profile of a loaded policy calls a URL whose path starts
// with prefix (the emulator serves its demo APIs when one does). A nil engine calls nothing.
func (e *Engine) CallsPath(prefix string) bool {
	if e == nil {
		return false
	}
	for _, p := range e.Policies {
		for _, tp := range p.TechnicalProfiles {
			if u, err := url.Parse(tp.Metadata["ServiceUrl"]); err == nil && tp.Kind == policy.Restful && strings.HasPrefix(u.Path, prefix) {
				return true
			}
		}
	}
	return false
}

// state is a run's journey state.
type state struct {
	journey  *policy.Journey   // the relying party's default journey, its refresh journey, or a sub journey
	callers  []frame           // the journeys Call sub journeys return to, innermost last
	carried  map[string]string // a refresh: the claims bag the refresh token kept
	bag      map[string]string // claim id (lower-cased) → value
	step     int               // index of the current step
	chosen   string            // the claims exchange chosen on an earlier page
	tp       *policy.TechnicalProfile
	verify   map[string]*codes.EmailVerification // email verifications on the current page, by claim id
	controls map[string]*controlState            // display controls on the current page, by id
	codes    map[string]*codes.Code              // codes of the run's email-code and one-time password profiles
	sso      bool                                // resumed from a single sign-on session
	lang     string                              // the page language: ui_locales among the policy's SupportedLanguages
	pageCD   string                              // the current page's content definition: its localized strings
	phone    string                              // the number the phone factor page verified, for its profile's output claims
	mfa      *codes.MFAState                     // the phone factor page's state while it shows
	sms      map[string]*codes.MFAState          // the Azure AD MFA profile's text message codes, by number
	totp     *totpSession                        // the authenticator-app verification BeginVerifyOTP began
	refused  int                                 // the current page's submissions its validation profiles refused (setting.retryLimit)
}

// SecondFactor is the phone factor page's state, for the headless API (codes.SecondFactor).
func (st *state) SecondFactor() *codes.MFAState { return st.mfa }

// policyOf is the policy of a run's policy id, in any case, or nil when the engine has none.
func (e *Engine) policyOf(policyID string) *policy.Policy {
	return e.Policies[strings.ToLower(policyID)]
}

// Start begins the journey and runs it to its first page.
func (e *Engine) Start(ctx context.Context, policyID, id, clientID, uiLocales string) *engine.Run {
	return e.StartRequest(ctx, policyID, id, clientID, uiLocales, nil)
}

// StartRequest is Start with the authorize request's parameters, which the journey's first
// steps read: a GetClaims step its id_token_hint, claim resolvers {OAUTH-KV:name} and {OIDC:…}.
func (e *Engine) StartRequest(ctx context.Context, policyID, id, clientID, uiLocales string, request map[string]string) *engine.Run {
	return e.StartFrom(ctx, policyID, id, clientID, uiLocales, request, "")
}

// StartFrom is StartRequest from the browser at clientIP, which the journey's first steps may
// read too ({Context:IPAddress}, a UserJourneyContextProvider profile).
func (e *Engine) StartFrom(ctx context.Context, policyID, id, clientID, uiLocales string, request map[string]string, clientIP string) *engine.Run {
	r := &engine.Run{ID: id, Policy: policyID, ClientID: clientID, UILocales: uiLocales, Phase: engine.PhaseSignIn, Values: engine.Claims{}, Request: request,
		ClientIP: clientIP}
	st := &state{bag: map[string]string{}}
	r.State = st
	p := e.policyOf(policyID)
	x := e.execute(ctx, p, r, st)
	if p == nil || p.Journey == nil {
		x.fail(false, "AADB2C90068", "The policy has no user journey.", "no journey")
		return r
	}
	st.journey, st.lang = p.Journey, language(p, uiLocales)
	if pr := p.RelyingParty.Protocol; pr != "" && !strings.EqualFold(pr, "OpenIdConnect") {
		err := unsupported(p.RelyingParty, "a relying party speaking "+pr+" (b2cemu serves OpenID Connect)")
		x.fail(false, err.Code, err.Message, err.Diagnostic)
		return r
	}
	x.proceed()
	x.contentParameters()
	return r
}

// Advance applies one input on the current page.
func (e *Engine) Advance(ctx context.Context, policyID string, r *engine.Run, in engine.Input) error {
	if err := r.CheckOpen("sign-in"); err != nil {
		return err
	}
	st, _ := r.State.(*state)
	p := e.policyOf(policyID)
	if st == nil || p == nil {
		return engine.Errorf(engine.Invalid, "no journey for this run")
	}
	x := e.execute(ctx, p, r, st)
	defer x.contentParameters() // whichever page the input leads to
	if _, ok := in.(engine.Cancel); ok {
		r.Cancel()
		return nil
	}
	step := st.journey.Steps[st.step]
	r.ResetPage()
	switch n, err := x.apply(step, in); {
	case err != nil:
		return err
	case n == ignored:
		return nil
	case n == onward:
		st.step++
		st.tp, st.verify, st.controls = nil, nil, nil
		x.proceed()
	}
	r.Seq++
	return nil
}

// frame is where a Call sub journey returns: the step after the one that invoked it.
type frame struct {
	journey *policy.Journey
	step    int
}

// proceed runs steps until one shows a page, the token is issued, or the journey fails. A
// sub journey of Type Call returns to the step after its invocation when its steps are done;
// one of Type Transfer replaces the journey.
func (x *execution) proceed() {
	x.r.Page = nil
	for ; ; x.st.step++ {
		if x.st.step >= len(x.st.journey.Steps) {
			if len(x.st.callers) == 0 {
				break
			}
			back := x.st.callers[len(x.st.callers)-1]
			x.st.callers = x.st.callers[:len(x.st.callers)-1]
			x.st.journey, x.st.step = back.journey, back.step-1 // the loop's ++ lands on back.step
			continue
		}
		step := x.st.journey.Steps[x.st.step]
		if skip(x.p, step.Preconditions, x.st.bag) {
			continue
		}
		switch step.Type {
		case "InvokeSubJourney":
			sub := x.p.SubJourneys[step.SubJourneys[0]] // the loader checked the candidates
			if sub.Type == "Call" {
				x.st.callers = append(x.st.callers, frame{journey: x.st.journey, step: x.st.step + 1})
			}
			x.st.journey, x.st.step = sub, -1
			continue
		case "CombinedSignInAndSignUp":
			x.unifiedPage(step)
			return
		case "ClaimsProviderSelection":
			if len(step.Selections) == 1 && step.Selections[0].Target != "" {
				x.st.chosen = step.Selections[0].Target
				continue
			}
			x.unifiedPage(step) // the identity provider buttons
			return
		case "ClaimsExchange":
			if x.exchange(step) {
				return
			}
		case "GetClaims":
			if err := x.getClaims(step); err != nil {
				x.failWith(err)
				return
			}
		case "SendClaims":
			x.sendClaims()
			return
		}
	}
	x.fail(false, "", "The user journey ended without issuing a token.", fmt.Sprintf("%s: journey %s has no SendClaims step after step %d", x.p.File, x.st.journey.ID, x.st.step))
}

// exchange runs a ClaimsExchange step: an identity provider's or a self-asserted profile's
// page, or a non-interactive profile. It reports whether the journey stops here (a page
// shows, or the run failed).
func (x *execution) exchange(step *policy.Step) bool {
	ex, ok := exchangeOf(step, x.st.chosen)
	if !ok {
		x.fail(false, "", fmt.Sprintf("Claims exchange with id '%s' could not be found in orchestration step '%d' and the step contains more than one claims exchange.", x.st.chosen, step.Order), "no exchange chosen")
		return true
	}
	tp := x.p.TechnicalProfiles[ex.TechnicalProfile]
	switch {
	case !enabled(tp, x.st.bag):
		return false // EnabledForUserJourneys skips the profile
	case tp.Kind == policy.IdentityProvider && supportedIdP(tp):
		x.idpPage(tp)
		return true
	case tp.Kind == policy.SelfAsserted && x.st.sso && x.inSession(tp):
		return false // the single sign-on session stands for this page
	case tp.Kind == policy.SelfAsserted:
		return x.selfAssertedPage(tp) // a page without fields is skipped
	case tp.Kind == policy.PhoneFactor:
		return x.phoneFactorPage(tp, step.Order)
	}
	if _, err := x.run(tp, x.st.bag, step.Order); err != nil {
		x.failWith(err)
		return true
	}
	return false
}

func exchangeOf(step *policy.Step, chosen string) (policy.Exchange, bool) {
	if len(step.Exchanges) == 1 {
		return step.Exchanges[0], true
	}
	for _, ex := range step.Exchanges {
		if ex.ID == chosen {
			return ex, true
		}
	}
	return policy.Exchange{}, false
}

// offers reports whether a selection step has a button for the claims exchange.
func offers(step *policy.Step, exchange string) bool {
	for _, sel := range step.Selections {
		if sel.Target == exchange {
			return true
		}
	}
	return false
}

// skip applies a step's preconditions: the first satisfied one skips the step.
func skip(p *policy.Policy, pcs []policy.Precondition, bag map[string]string) bool {
	for _, pc := range pcs {
		if len(pc.Values) == 0 || !strings.EqualFold(pc.Action, "SkipThisOrchestrationStep") && !strings.EqualFold(pc.Action, "SkipThisValidationTechnicalProfile") {
			continue
		}
		v, exists := bag[strings.ToLower(pc.Values[0])]
		switch pc.Type {
		case "ClaimsExist":
			if exists == pc.ExecuteActionsIf {
				return true
			}
		case "ClaimEquals":
			if !exists || len(pc.Values) < 2 {
				continue // an absent claim leaves ClaimEquals out
			}
			if (comparable(p, pc.Values[0], v) == pc.Values[1]) == pc.ExecuteActionsIf {
				return true
			}
		}
	}
	return false
}

// comparable is a claim's value as ClaimEquals compares it: B2C holds a boolean claim as a
// .NET bool, whose text is True or False, and compares case-sensitively, so a precondition on
// a boolean names True or False (Microsoft's preconditions reference; the bag keeps JSON's
// true and false for tokens and REST bodies).
func comparable(p *policy.Policy, claim, v string) string {
	ct := p.ClaimTypes[strings.ToLower(claim)]
	if ct == nil || !strings.EqualFold(ct.DataType, "boolean") {
		return v
	}
	switch b, err := strconv.ParseBool(v); {
	case err != nil:
		return v
	case b:
		return "True"
	}
	return "False"
}

// failWith ends the run on a profile's error: an unsupported feature on the error page,
// anything else sent back to the application (no page can show it).
func (x *execution) failWith(err *engine.Failure) {
	x.end(&engine.Failure{OAuth: err.OAuth, Code: err.Code, Message: err.Message, Diagnostic: err.Diagnostic, Redirect: !err.Unsupported})
}

// fail ends the run on the error page, or back at the application when redirect is set; a
// code of "" is AADB2C90075 (engine.Run.Fail).
func (x *execution) fail(redirect bool, code, msg, diagnostic string) {
	x.end(&engine.Failure{Code: code, Message: msg, Diagnostic: diagnostic, Redirect: redirect})
}

// end ends the run with f and says why in the log.
func (x *execution) end(f *engine.Failure) {
	x.r.Fail(f)
	if x.Log != nil {
		x.Log.Warn("custom policy journey failed: "+f.Diagnostic, "run", x.r.ID, "policy", x.r.Policy)
	}
}

// domainTarget is the claims exchange of a selection step whose technical profile's claims
// provider has the domain (the starter packs' <Domain>facebook.com</Domain>), or "".
func domainTarget(p *policy.Policy, st *state, step *policy.Step, domain string) string {
	if domain == "" || step.Type != "CombinedSignInAndSignUp" && step.Type != "ClaimsProviderSelection" {
		return ""
	}
	for _, sel := range step.Selections {
		if tp := exchangeProfile(p, st, sel.Target); tp != nil && strings.EqualFold(tp.Domain, domain) {
			return sel.Target
		}
	}
	return ""
}
