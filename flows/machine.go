package flows

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// Machine advances runs. Its fields are its dependencies; all are required.
type Machine struct {
	Schema    attributes.Schema
	Tenant    string // tenant name: local identities are issued by <Tenant>.onmicrosoft.com
	Connector apiconnector.Connector
	Directory directory.Directory
	Now       func() time.Time
	NewID     func() string // object ids
	// Mail, when set, receives the local sign-up page's verification emails (the outbox).
	Mail func(codes.Mail)
	// Text, when set, receives the phone factor's text messages and calls (the SMS outbox).
	Text func(codes.SMS)
	// FixedCode, when set, is every verification code, for suites that cannot read the outbox.
	FixedCode string
	// Providers are the identity providers' display names by id, for the sign-in page's
	// buttons; a provider without one shows its id.
	Providers map[string]string
}

// B2C's texts for the pages' errors.
const (
	msgRequired         = "This information is required."
	msgUserExists       = codes.UserExists
	msgNoAccount        = "We can't seem to find your account."
	msgBadPassword      = "Your password is incorrect."
	msgBadEmail         = "Please enter a valid email address."
	msgEnterEmail       = "Please enter your Email Address"
	msgEnterPassword    = "Please enter your password"
	msgNotVerified      = "Claim not verified: email" // UserMessageIfClaimNotVerified for the email claim
	msgSignUpFirst      = "User does not exist. Please sign up before you can sign in."
	msgResetNoAccount   = "An account could not be found for the provided user ID."
	msgPasswordStrength = "The password must be between 8 and 64 characters and contain 3 out of 4 of the following: lowercase characters, uppercase characters, digits (0-9), and one or more symbols."
)

// Messages lists the texts the machine and the attribute parser put on pages, for
// translation tables to cover ("%d" stands for a number).
var Messages = []string{msgRequired, msgUserExists, msgNoAccount, msgBadPassword, msgBadEmail, msgPasswordStrength,
	msgEnterEmail, msgEnterPassword, msgWholeNumber, "Please choose true or false.",
	"Please enter no more than %d characters.", "The characters < and > are not allowed.", msgNotVerified, msgResetNoAccount}

// Start returns a new run of def. A sign-up flow with a single identity provider goes
// straight to it, as B2C does. A user flow's start calls nothing, so ctx is unused; it is
// there because a custom policy's journey may call a service before its first page.
func (m *Machine) Start(_ context.Context, def *Definition, id, clientID, uiLocales string) *engine.Run {
	r := &engine.Run{ID: id, Policy: def.ID, ClientID: clientID, UILocales: uiLocales, Phase: engine.PhaseSignIn, Values: engine.Claims{}}
	switch {
	case def.Type == SignUp && len(def.IdentityProviders) == 1:
		m.choose(def, r, def.IdentityProviders[0])
	case def.Type == PasswordReset:
		r.Phase, r.Provider = engine.PhaseAttributes, LocalProvider
	}
	m.describe(def, r)
	return r
}

// Advance applies in to r and describes the page r is on next in r.Page. It returns an error
// of kind Invalid when the input does not fit the run's phase; r is then unchanged. Connector
// outcomes are not errors: they move r to another phase or set its page error.
func (m *Machine) Advance(ctx context.Context, def *Definition, r *engine.Run, in engine.Input) error {
	if err := m.advance(ctx, def, r, in); err != nil {
		return err
	}
	m.describe(def, r)
	return nil
}

// advance applies in to r without describing the next page. Every successful step bumps
// r.Seq, so a page posted twice is recognised as stale.
func (m *Machine) advance(ctx context.Context, def *Definition, r *engine.Run, in engine.Input) error {
	if err := r.CheckOpen("sign-up"); err != nil {
		return err
	}
	if handled, err := m.advanceAnyPage(ctx, def, r, in); handled {
		return err
	}
	if err := m.advancePhase(ctx, def, r, in); err != nil {
		return err
	}
	r.Seq++
	return nil
}

// advanceAnyPage handles the inputs that do not belong to one page: cancelling, the
// authorize request's domain_hint, the forgotten-password link and a single sign-on session.
// handled is false for every other input, which advancePhase then takes.
func (m *Machine) advanceAnyPage(ctx context.Context, def *Definition, r *engine.Run, in engine.Input) (handled bool, err error) {
	switch in := in.(type) {
	case engine.Cancel:
		r.Cancel()
		return true, nil
	case engine.DomainHint:
		m.domainHint(def, r, in)
		return true, nil
	case engine.ForgotPassword:
		return true, m.forgotPassword(def, r)
	case engine.ResumeSession:
		return true, m.resumeSession(ctx, def, r, in)
	}
	return false, nil
}

// domainHint skips the provider choice when the hint names one of the flow's social
// providers; on any other page, or with an unknown hint, it does nothing, as B2C ignores it.
func (m *Machine) domainHint(def *Definition, r *engine.Run, in engine.DomainHint) {
	if r.Phase != engine.PhaseSignIn || in.Domain == LocalProvider {
		return
	}
	for _, id := range def.SocialProviders() {
		if strings.EqualFold(id, in.Domain) {
			m.choose(def, r, id)
			r.Seq++
		}
	}
}

// forgotPassword follows the unified page's link. A sign-up or sign-in user flow sends the
// user back to the application, which runs its password reset flow (B2C's behaviour
// without the embedded password reset).
func (m *Machine) forgotPassword(def *Definition, r *engine.Run) error {
	if r.Phase != engine.PhaseSignIn || !def.SignsIn() || !def.Offers(LocalProvider) {
		return engine.Errorf(engine.Invalid, "there is no forgotten-password link on this page")
	}
	r.Phase, r.Failure = engine.PhaseCancelled, engine.ForgotPasswordFailure()
	r.Seq++
	return nil
}

// resumeSession signs in the single sign-on session's user without pages. An error from the
// directory means the session's user is gone: the caller shows the pages instead.
func (m *Machine) resumeSession(ctx context.Context, def *Definition, r *engine.Run, in engine.ResumeSession) error {
	if def.Type == PasswordReset {
		return engine.Errorf(engine.Invalid, "a password reset flow verifies the email even in a single sign-on session")
	}
	u, err := m.Directory.Get(ctx, in.ObjectID)
	if err != nil {
		return err
	}
	r.Provider, r.Identity, stateOf(r).mfaDone = in.Identity.Issuer, in.Identity, in.MFA // a session that passed the second factor is not asked again
	if in.Identity.SignInType != "federated" {
		r.Provider = LocalProvider
	}
	if err := m.signedIn(ctx, def, r, u); err != nil {
		return err
	}
	r.Seq++
	return nil
}

// advancePhase hands in to the page r is on. Each page accepts its own inputs; any other is
// an Invalid error that leaves r unchanged.
func (m *Machine) advancePhase(ctx context.Context, def *Definition, r *engine.Run, in engine.Input) error {
	switch {
	case r.Phase == engine.PhaseMFA: // every flow type's second factor
		return m.advanceMFA(ctx, def, r, in)
	case def.Type == PasswordReset:
		return m.advanceReset(ctx, def, r, in)
	case def.Type == ProfileEdit && r.Phase == engine.PhaseAttributes:
		return m.advanceProfile(ctx, def, r, in)
	}
	switch r.Phase {
	case engine.PhaseSignIn:
		return m.advanceSignIn(ctx, def, r, in)
	case engine.PhaseIdP:
		in, ok := in.(engine.SignInFederated)
		if !ok {
			return errInput(in, r.Phase)
		}
		return m.federated(ctx, def, r, in)
	case engine.PhaseLocalSignUp:
		switch in := in.(type) {
		case engine.SubmitSignUp:
			return m.localSignUp(ctx, def, r, in)
		case engine.VerifyEmail:
			return m.verifyEmail(def, r, in)
		}
	case engine.PhaseAttributes:
		in, ok := in.(engine.SubmitAttributes)
		if !ok {
			return errInput(in, r.Phase)
		}
		return m.attributes(ctx, def, r, in)
	}
	return errInput(in, r.Phase)
}

func errInput(in engine.Input, p engine.Phase) error {
	return engine.Errorf(engine.Invalid, "%T does not apply on the %s page", in, p)
}

// advanceSignIn handles the sign-in page's inputs: a provider button, "Sign up now" and the
// local sign-in form.
func (m *Machine) advanceSignIn(ctx context.Context, def *Definition, r *engine.Run, in engine.Input) error {
	switch in := in.(type) {
	case engine.ChooseProvider:
		id, ok := m.provider(def, in.Provider)
		if !ok {
			return engine.Errorf(engine.Invalid, "the user flow %s does not offer the identity provider %q", def.ID, in.Provider)
		}
		r.ResetPage()
		m.choose(def, r, id)
		return nil
	case engine.StartSignUp:
		if !def.SignsUp() {
			return engine.Errorf(engine.Invalid, "the user flow %s (%s) has no sign-up link", def.ID, def.Type)
		}
		if !def.Offers(LocalProvider) {
			return engine.Errorf(engine.Invalid, "the user flow %s has no local accounts", def.ID)
		}
		r.ResetPage()
		if def.PhoneAccounts() {
			m.phoneSignUp(r)
			return nil
		}
		m.choose(def, r, LocalProvider)
		return nil
	case engine.SignInLocal:
		return m.signInLocal(ctx, def, r, in)
	default:
		return errInput(in, r.Phase)
	}
}

// signInLocal handles the unified page's local sign-in form: the email (or, on a phone account
// flow, the phone number) and the password, each required, then the directory's check.
func (m *Machine) signInLocal(ctx context.Context, def *Definition, r *engine.Run, in engine.SignInLocal) error {
	if !def.SignsIn() || !def.Offers(LocalProvider) {
		return engine.Errorf(engine.Invalid, "the user flow %s has no local sign-in", def.ID)
	}
	r.ResetPage()
	if def.PhoneAccounts() {
		return m.phoneSignIn(ctx, r, in.Email)
	}
	r.Values = engine.Claims{"email": strings.TrimSpace(in.Email)}
	if strings.TrimSpace(in.Email) == "" || in.Password == "" {
		r.RequiredMissing = true
		r.FieldErrors = map[string]string{}
		if strings.TrimSpace(in.Email) == "" {
			r.FieldErrors["signInName"] = msgEnterEmail
		}
		if in.Password == "" {
			r.FieldErrors["password"] = msgEnterPassword
		}
		return nil
	}
	u, err := m.Directory.Authenticate(ctx, strings.TrimSpace(in.Email), in.Password)
	switch {
	case errors.Is(err, directory.ErrNotFound):
		r.PageError = msgNoAccount
		return nil
	case errors.Is(err, directory.ErrBadPassword):
		r.PageError = msgBadPassword
		return nil
	case err != nil:
		return err
	}
	r.Provider = LocalProvider
	r.Identity = m.localIdentity(u.Email())
	return m.signedIn(ctx, def, r, u)
}

func (m *Machine) choose(def *Definition, r *engine.Run, provider string) {
	r.Provider = provider
	if provider == LocalProvider {
		r.Phase = engine.PhaseLocalSignUp
		r.Values = engine.Claims{}
		return
	}
	r.Phase = engine.PhaseIdP
}

func (m *Machine) localIdentity(email string) engine.Identity {
	return engine.Identity{SignInType: "emailAddress", Issuer: m.Tenant + ".onmicrosoft.com", IssuerAssignedID: email}
}

// federated handles the identity provider's answer: sign in a known identity, or start the
// sign-up path with PostFederationSignup.
func (m *Machine) federated(ctx context.Context, def *Definition, r *engine.Run, in engine.SignInFederated) error {
	if strings.TrimSpace(in.IssuerAssignedID) == "" {
		return engine.Errorf(engine.Invalid, "the identity provider returned no subject (issuerAssignedId)")
	}
	r.Identity = engine.Identity{SignInType: "federated", Issuer: r.Provider, IssuerAssignedID: strings.TrimSpace(in.IssuerAssignedID)}
	r.IdP = engine.Claims{}
	for k, v := range in.Claims {
		if a, ok := m.Schema.Lookup(k); ok && !a.Custom && v != nil && v != "" {
			r.IdP[k] = v
		}
	}
	u, err := m.Directory.FindByIdentity(ctx, r.Identity)
	switch {
	case err == nil:
		return m.signedIn(ctx, def, r, u)
	case !errors.Is(err, directory.ErrNotFound):
		return err
	case def.Type == SignIn:
		// A sign-in user flow creates no accounts, not even for a social identity: B2C sends
		// the application server_error AADB2C99002.
		r.Fail(&engine.Failure{Code: "AADB2C99002", Message: msgSignUpFirst, Redirect: true})
		return nil
	case def.Type == ProfileEdit:
		m.profilePage(def, r, r.IdP)
		return nil
	}
	r.Values = r.IdP.Clone()
	if name := def.Connectors[apiconnector.PostFederationSignup]; name != "" {
		res := m.call(ctx, m.request(def, r, apiconnector.PostFederationSignup, r.IdP, []engine.Identity{r.Identity}, ""))
		switch {
		case res.Failure != nil:
			r.Fail(&engine.Failure{Message: res.Failure.Message, Diagnostic: res.Failure.Diagnostic}) // the error page
			return nil
		case res.Action == apiconnector.ShowBlockPage:
			m.block(r, res.UserMessage)
			return nil
		}
		for k, v := range res.Claims {
			r.Values[k] = v
		}
	}
	r.Phase = engine.PhaseAttributes
	if len(def.UserAttributes) == 0 { // nothing to ask: B2C goes straight on
		return m.attributes(ctx, def, r, engine.SubmitAttributes{})
	}
	return nil
}

// collect parses the submitted attribute values into r.Values, setting item-level errors. It
// reports whether the page is valid.
func (m *Machine) collect(def *Definition, r *engine.Run, raw map[string]string) bool {
	ok := true
	for _, ua := range def.UserAttributes {
		a, _ := m.Schema.Lookup(ua.Name)
		if a.Name == "email" && r.Phase == engine.PhaseLocalSignUp {
			continue // the sign-in email is its own field
		}
		v, err := a.Parse(raw[a.Name])
		if err != nil {
			m.incorrect(r, a.Name, err.Error())
			r.Values[a.Name] = raw[a.Name]
			ok = false
			continue
		}
		if v == nil {
			delete(r.Values, a.Name)
			if ua.Required {
				m.fieldError(r, a.Name, msgRequired)
				r.RequiredMissing = true
				ok = false
			}
			continue
		}
		r.Values[a.Name] = v
	}
	return ok
}

// fieldError sets a field's error; incorrect also marks the page #fieldIncorrect, for an
// error about the value (not a missing one).
func (m *Machine) fieldError(r *engine.Run, field, msg string) {
	if r.FieldErrors == nil {
		r.FieldErrors = map[string]string{}
	}
	r.FieldErrors[field] = msg
}

func (m *Machine) incorrect(r *engine.Run, field, msg string) {
	m.fieldError(r, field, msg)
	r.FieldIncorrect = true
}

// attributes handles the attribute collection page after federation.
func (m *Machine) attributes(ctx context.Context, def *Definition, r *engine.Run, in engine.SubmitAttributes) error {
	r.ResetPage()
	if !m.collect(def, r, in.Values) {
		return nil
	}
	claims := r.IdP.Clone()
	for k, v := range r.Values {
		claims[k] = v
	}
	return m.create(ctx, def, r, claims, "")
}

// localSignUp handles the local account sign-up page.
func (m *Machine) localSignUp(ctx context.Context, def *Definition, r *engine.Run, in engine.SubmitSignUp) error {
	r.ResetPage()
	email := strings.TrimSpace(in.Email)
	r.Values["email"] = email
	valid := m.collect(def, r, in.Values)
	switch {
	case email == "":
		m.fieldError(r, "email", msgRequired)
		r.RequiredMissing, valid = true, false
	case !attributes.ValidEmail(email):
		m.incorrect(r, "email", msgBadEmail)
		valid = false
	}
	valid = m.checkNewPassword(r, in.Password, in.ConfirmPassword) && valid
	if valid && def.VerifiesEmail() && !stateOf(r).emailCheck.VerifiedFor(email) {
		r.PageError, valid = msgNotVerified, false
	}
	if !valid {
		return nil
	}
	r.Identity = m.localIdentity(email)
	if _, err := m.Directory.FindByIdentity(ctx, r.Identity); err == nil {
		r.PageError = msgUserExists
		return nil
	} else if !errors.Is(err, directory.ErrNotFound) {
		return err
	}
	return m.create(ctx, def, r, r.Values.Clone(), in.Password)
}

// checkNewPassword checks the New Password and Confirm New Password fields as B2C's pages
// do, setting their errors. It reports whether both are fine.
func (m *Machine) checkNewPassword(r *engine.Run, password, confirm string) bool {
	valid := true
	switch {
	case password == "":
		m.fieldError(r, "newPassword", msgRequired)
		r.RequiredMissing, valid = true, false
	case !attributes.StrongPassword(password):
		m.incorrect(r, "newPassword", msgPasswordStrength)
		valid = false
	}
	switch {
	case confirm == "":
		m.fieldError(r, "reenterPassword", msgRequired)
		r.RequiredMissing, valid = true, false
	case confirm != password:
		r.PasswordMismatch, valid = true, false
	}
	return valid
}

// create runs PostAttributeCollection and writes the user.
func (m *Machine) create(ctx context.Context, def *Definition, r *engine.Run, claims engine.Claims, password string) error {
	r.TokenOnly = engine.Claims{}
	if name := def.Connectors[apiconnector.PostAttributeCollection]; name != "" {
		res := m.call(ctx, m.request(def, r, apiconnector.PostAttributeCollection, claims, []engine.Identity{r.Identity}, ""))
		switch {
		case res.Failure != nil:
			r.PageError = res.Failure.Message
			return nil
		case res.Action == apiconnector.ShowBlockPage:
			m.block(r, res.UserMessage)
			return nil
		case res.Action == apiconnector.ValidationError:
			r.PageError = res.UserMessage
			return nil
		}
		collected := map[string]bool{}
		for _, ua := range def.UserAttributes {
			collected[ua.Name] = true
		}
		for k, v := range res.Claims {
			if collected[k] {
				claims[k] = v
				r.Values[k] = v
			} else {
				r.TokenOnly[k] = v // B2C: reaches the token, is not stored
			}
		}
	}
	u := &engine.User{ObjectID: m.NewID(), Identities: []engine.Identity{r.Identity}, Attributes: engine.Claims{}, Created: m.Now()}
	for k, v := range claims {
		if v != nil && v != "" {
			u.Attributes[k] = v
		}
	}
	if err := m.Directory.Create(ctx, u, password); err != nil {
		if errors.Is(err, directory.ErrExists) {
			r.PageError = msgUserExists
			return nil
		}
		return err
	}
	return m.complete(ctx, def, r, u, true)
}

// complete runs the token step and prepares the token's application claims.
func (m *Machine) complete(ctx context.Context, def *Definition, r *engine.Run, u *engine.User, newUser bool) error {
	if needsMFA(def, r, u, newUser) { // after the first factor (and the user write), before the token
		m.startMFA(def, r, u, newUser)
		return nil
	}
	r.User, r.NewUser = u, newUser
	values := u.Attributes.Clone()
	for k, v := range r.TokenOnly {
		values[k] = v
	}
	if name := def.Connectors[apiconnector.PreTokenIssuance]; name != "" {
		res := m.call(ctx, m.request(def, r, apiconnector.PreTokenIssuance, u.Attributes, u.Identities, u.ObjectID))
		if res.Failure != nil {
			r.Fail(&engine.Failure{Message: res.Failure.Message, Diagnostic: res.Failure.Diagnostic, Redirect: true}) // back to the application
			return nil
		}
		selected := map[string]bool{}
		for _, c := range def.ApplicationClaims {
			selected[c] = true
		}
		for k, v := range res.Claims {
			if k != "email" && selected[k] { // email cannot be overridden at the token step
				values[k] = v
			}
		}
	}
	r.TokenClaims = TokenClaims(m.Schema, def.ApplicationClaims, values, r.Identity, u.ObjectID, newUser)
	if e := values.String("email"); def.Tokens.EmailClaim && e != "" {
		r.TokenClaims["email"] = e
	}
	r.Phase = engine.PhaseDone
	return nil
}

// call calls the step's connector and refuses a Continue whose claims break their
// attributes' rules, as the attribute page refuses such input: B2C fails a claim it cannot
// accept, so the call counts as failed, with a diagnostic naming the claim, the rule and the
// fix. (The connector client refuses the same answers, so that its call record says why; this
// keeps every Connector to the rule.)
func (m *Machine) call(ctx context.Context, req apiconnector.Request) apiconnector.Result {
	res := m.Connector.Call(ctx, req)
	if res.Failure != nil || res.Action != apiconnector.Continue {
		return res
	}
	if err := m.Schema.CheckClaims(res.Claims); err != nil {
		return apiconnector.Result{Failure: &apiconnector.Failure{Message: apiconnector.InvalidAnswerMessage(req.Step),
			Diagnostic: apiconnector.InvalidClaimDiagnostic(req.Step, err)}}
	}
	return res
}

func (m *Machine) request(def *Definition, r *engine.Run, step apiconnector.Step, claims engine.Claims, ids []engine.Identity, objectID string) apiconnector.Request {
	return apiconnector.Request{
		RunID: r.ID, Connector: def.Connectors[step], Step: step, Claims: claims.Clone(), Identities: append([]engine.Identity(nil), ids...),
		ObjectID: objectID, ClientID: r.ClientID, UILocales: r.UILocales,
	}
}

func (m *Machine) block(r *engine.Run, msg string) {
	r.Phase, r.UserMessage = engine.PhaseBlocked, msg
}

// TokenClaims maps the flow's application claims (portal names) to token claims.
func TokenClaims(s attributes.Schema, selected []string, values engine.Claims, id engine.Identity, objectID string, newUser bool) map[string]any {
	out := make(map[string]any, len(selected))
	for _, name := range selected {
		switch name {
		case "displayName":
			setClaim(out, "name", values["displayName"])
		case "givenName":
			setClaim(out, "given_name", values["givenName"])
		case "surname":
			setClaim(out, "family_name", values["surname"])
		case "emails":
			if e := values.String("email"); e != "" {
				out["emails"] = []string{e}
			}
		case "identityProvider":
			if id.SignInType == "federated" {
				out["idp"] = id.Issuer
			}
		case "newUser":
			if newUser {
				out["newUser"] = true
			}
		case "objectId":
			out["oid"] = objectID
		default:
			if a, ok := s.Lookup(name); ok {
				if a.Custom {
					setClaim(out, "extension_"+a.Name, values[a.Name])
				} else {
					setClaim(out, a.Name, values[a.Name])
				}
			}
		}
	}
	return out
}

func setClaim(out map[string]any, name string, v any) {
	if v != nil && v != "" {
		out[name] = v
	}
}
