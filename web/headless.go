package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/flows/jsonenc"
)

// RunRequest is the headless sign-up API's request: who signs in, how, and what they type.
type RunRequest struct {
	ClientID         string `json:"clientId"`
	RedirectURI      string `json:"redirectUri,omitempty"` // default: the app's first
	Nonce            string `json:"nonce,omitempty"`
	Scope            string `json:"scope,omitempty"` // default "openid"
	UILocales        string `json:"uiLocales,omitempty"`
	IdentityProvider string `json:"identityProvider"` // a provider id, or "email"; chosen on every selection page
	// IdentityProviders, instead of IdentityProvider, is the provider to choose on each
	// provider-selection page in turn (a custom policy's account linking shows a second one),
	// and Accounts the fake provider's account for each of them (see docs/admin-api.md).
	IdentityProviders []string            `json:"identityProviders,omitempty"`
	Accounts          []map[string]any    `json:"accounts,omitempty"`
	Account           map[string]any      `json:"account"` // see docs/admin-api.md
	Attributes        []map[string]string `json:"attributes,omitempty"`
	SSO               bool                `json:"sso,omitempty"`         // start a browser SSO session (cookie in the response)
	IDTokenHint       string              `json:"idTokenHint,omitempty"` // as authorize's id_token_hint: a custom policy's GetClaims step reads it
}

// RunResponse is what happened.
type RunResponse struct {
	Outcome          string            `json:"outcome"` // token | blocked | validationError | error
	RunID            string            `json:"runId"`
	NewUser          bool              `json:"newUser,omitempty"`
	ObjectID         string            `json:"objectId,omitempty"`
	IDToken          string            `json:"idToken,omitempty"`
	AccessToken      string            `json:"accessToken,omitempty"`
	RefreshToken     string            `json:"refreshToken,omitempty"`
	Claims           AnswerClaims      `json:"claims,omitempty"`
	UserMessage      string            `json:"userMessage,omitempty"`
	Error            string            `json:"error,omitempty"`
	ErrorDescription string            `json:"errorDescription,omitempty"`
	Attempts         []Attempted       `json:"attempts"`
	Calls            []TranscriptEntry `json:"calls"`
}

// AnswerClaims are the claims of a token in a JSON answer, encoded as the token encodes them
// (json.Marshal's bytes, without its reflection over every value).
type AnswerClaims map[string]any

// MarshalJSON implements json.Marshaler.
func (c AnswerClaims) MarshalJSON() ([]byte, error) {
	return jsonenc.Append(make([]byte, 0, 512), map[string]any(c))
}

// Attempted is one submission of the attribute (or local sign-up) page.
type Attempted struct {
	Values          map[string]string `json:"values"`
	UserMessage     string            `json:"userMessage,omitempty"`
	FieldErrors     map[string]string `json:"fieldErrors,omitempty"`
	RequiredMissing bool              `json:"requiredMissing,omitempty"`
}

// TranscriptEntry is one connector call of the run.
type TranscriptEntry struct {
	Step       string          `json:"step"`
	Connector  string          `json:"connector"`
	Request    json.RawMessage `json:"request"`
	Status     int             `json:"status,omitempty"`
	Response   json.RawMessage `json:"response,omitempty"`
	LatencyMs  float64         `json:"latencyMs"` // the HTTP attempts
	ElapsedMs  float64         `json:"elapsedMs"` // the whole call, serialization and interpretation included
	Attempts   int             `json:"attempts"`
	Outcome    string          `json:"outcome"`
	Warnings   []string        `json:"warnings,omitempty"`
	Diagnostic string          `json:"diagnostic,omitempty"`
}

// apiError is a JSON error of the admin and headless APIs.
func apiError(c echo.Context, status int, format string, args ...any) error {
	return c.JSON(status, map[string]string{"error": sprintf(format, args...)})
}

// runFlow is the headless sign-up: the same machine and connector calls as the pages, driven
// by a script, answered in one JSON document.
func (s *server) runFlow(c echo.Context) error {
	def, ok := s.flowByID[strings.ToLower(c.Param("policy"))]
	if !ok {
		return apiError(c, http.StatusNotFound, "no user flow %q", c.Param("policy"))
	}
	var req RunRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return apiError(c, http.StatusBadRequest, "the request is not a run request: %v (see docs/admin-api.md)", err)
	}
	ar, err := s.runAuthRequest(c, def, &req)
	if err != nil {
		return apiError(c, http.StatusBadRequest, "%v", err)
	}
	request := map[string]string{}
	if req.IDTokenHint != "" {
		request["id_token_hint"] = req.IDTokenHint
	}
	run := s.start(c.Request().Context(), def, ar.ClientID, ar.UILocales, request)
	stop := s.CallLog.Watch(run.ID)
	resp := RunResponse{RunID: run.ID, Attempts: []Attempted{}}
	d := &driver{s: s, c: c, def: def, run: run, req: req, resp: &resp}
	err = d.drive()
	resp.Calls = transcript(stop())
	switch {
	case err != nil: // a refused input: the account or a submission the machine cannot take
		return apiError(c, http.StatusBadRequest, "%v", err)
	case run.Phase == engine.PhaseDone:
		return s.headlessToken(c, def, ar, run, req.SSO, resp)
	}
	runOutcome(run, &resp)
	return answerRun(c, &resp)
}

// runAuthRequest is the authorization request a headless run stands for: req's application,
// redirect URI, scope and identity provider, defaulted as docs/admin-api.md says and checked
// as the authorize endpoint checks them. Its error is the text of the 400 answer.
func (s *server) runAuthRequest(c echo.Context, def *flows.Definition, req *RunRequest) (AuthRequest, error) {
	app := s.app(req.ClientID)
	switch {
	case app == nil && len(s.Apps) > 0 && req.ClientID == "":
		app = &s.Apps[0]
	case app == nil:
		return AuthRequest{}, fmt.Errorf("AADB2C90068: no application with clientId %q", req.ClientID)
	}
	base := s.base(c) // once: it parses the Host header
	if req.RedirectURI == "" && len(app.RedirectURIs) > 0 {
		req.RedirectURI = resolveURI(base, app.RedirectURIs[0])
	}
	if !registered(app, base, req.RedirectURI) {
		return AuthRequest{}, fmt.Errorf("AADB2C90006: the redirect URI %q is not registered for the client ID %q", req.RedirectURI, app.ClientID)
	}
	if req.Scope == "" {
		req.Scope = "openid"
	}
	ar := AuthRequest{Policy: def.ID, ClientID: app.ClientID, RedirectURI: req.RedirectURI, Scope: req.Scope, Nonce: req.Nonce,
		ResponseType: "id_token", UILocales: uiLocales(req.UILocales, ""), Base: base}
	if hasScope(req.Scope, "offline_access") {
		ar.ResponseType = "code id_token"
	}
	if bad := s.unsupportedScope(ar); bad != "" {
		return AuthRequest{}, fmt.Errorf("AADB2C90012: the scope %q is not supported", bad)
	}
	_, custom := s.Journeys[strings.ToLower(def.ID)]
	if err := checkProviders(req, custom); err != nil {
		return AuthRequest{}, err
	}
	if custom && req.IdentityProvider == "" && len(req.IdentityProviders) == 0 {
		req.IdentityProvider = flows.LocalProvider
	} else if !custom && (req.IdentityProvider == "" || !def.Offers(req.IdentityProvider)) {
		return AuthRequest{}, fmt.Errorf("the user flow %s does not offer the identity provider %q; use one of %v", def.ID, req.IdentityProvider, def.IdentityProviders)
	}
	return ar, nil
}

// checkProviders checks the request's identityProviders and accounts lists. A user flow
// shows one provider choice, so its list has one entry, which becomes identityProvider.
func checkProviders(req *RunRequest, custom bool) error {
	n := len(req.IdentityProviders)
	switch {
	case n > 0 && req.IdentityProvider != "":
		return errors.New("give identityProvider (chosen on every provider-selection page) or identityProviders (one per page, in order), not both")
	case len(req.Accounts) > n:
		return fmt.Errorf("accounts has %d entries for %d identityProviders entries: accounts[i] is the account of the provider chosen on selection page i+1", len(req.Accounts), n)
	case n > 1 && !custom:
		return fmt.Errorf("identityProviders has %d entries, but a user flow shows one provider choice: give one", n)
	}
	for i, p := range req.IdentityProviders {
		if strings.TrimSpace(p) == "" {
			return fmt.Errorf("identityProviders[%d] is empty: name the provider to choose on selection page %d, or \"email\" for the local account", i, i+1)
		}
	}
	if n == 1 && !custom {
		req.IdentityProvider, req.IdentityProviders = req.IdentityProviders[0], nil
		if len(req.Accounts) == 1 && req.Accounts[0] != nil {
			req.Account, req.Accounts = req.Accounts[0], nil
		}
	}
	return nil
}

// runOutcome fills the answer of a run that ended without a token, or that waits on a page
// the request has no more submissions for.
func runOutcome(run *engine.Run, resp *RunResponse) {
	if !run.Phase.Terminal() && deadEnd(run) { // a page without #continue ends the run as the block page
		resp.Outcome, resp.UserMessage = "blocked", deadEndMessage(run)
		return
	}
	switch run.Phase {
	case engine.PhaseBlocked:
		resp.Outcome, resp.UserMessage = "blocked", run.UserMessage
	case engine.PhaseFailed, engine.PhaseCancelled:
		resp.Outcome, resp.Error = "error", run.Failure.OAuth
		resp.ErrorDescription = run.Failure.Code + ": " + run.Failure.Message
	default:
		resp.Outcome = "validationError"
		if n := len(resp.Attempts); n > 0 {
			resp.UserMessage = resp.Attempts[n-1].UserMessage
		} else {
			resp.UserMessage = run.PageError
		}
	}
}

// driver feeds a headless run the inputs its request describes, page by page, as a user
// would: the sign-in choice, the identity provider's account, the second factor, then one
// attribute submission per entry of req.Attributes.
type driver struct {
	s      *server
	c      echo.Context
	def    *flows.Definition
	run    *engine.Run
	req    RunRequest
	resp   *RunResponse // its Attempts grow with each submission
	next   int          // the next entry of req.Attributes
	picks  int          // the provider-selection pages answered
	secret string       // the authenticator-app secret a page of the run showed last
}

// drive feeds the machine the inputs the request describes until the run ends or the
// attribute submissions run out (at most 50 pages, against a run that never ends).
func (d *driver) drive() error {
	for steps := 0; !d.run.Phase.Terminal() && steps < 50; steps++ {
		more, err := d.page()
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// page answers the run's current page; false means the run waits there.
func (d *driver) page() (bool, error) {
	switch d.run.Phase {
	case engine.PhaseSignIn:
		return d.choose()
	case engine.PhaseMFA:
		in, err := headlessMFA(d.run, d.account("phoneNumber"), d.s.Now())
		if err != nil {
			return false, err
		}
		return d.advance(in)
	case engine.PhaseIdP:
		in, err := d.federated()
		if err != nil {
			return false, err
		}
		return d.advance(in)
	case engine.PhaseLocalSignUp, engine.PhaseAttributes:
		if deadEnd(d.run) {
			return false, nil // no #continue: nothing to submit, as on the block page
		}
		d.noteSecret()
		return d.submit()
	}
	return false, nil
}

// deadEnd reports whether the run waits on a page without a way forward: a custom policy's
// self-asserted page whose setting.showContinueButton is false.
func deadEnd(run *engine.Run) bool {
	return run.Page != nil && run.Page.HideContinue
}

// deadEndMessage is what a page without a way forward tells the user: its Paragraph
// fields' values (the community's message pages show their message in one), else its intro.
func deadEndMessage(run *engine.Run) string {
	var lines []string
	for _, f := range run.Page.Fields {
		if v := run.Values.String(f.ClaimID()); f.InputType == "Paragraph" && v != "" {
			lines = append(lines, v)
		}
	}
	if len(lines) == 0 {
		return run.Page.Intro
	}
	return strings.Join(lines, "\n")
}

// account is a string the request's account gives, or "".
func (d *driver) account(key string) string {
	v, _ := d.req.Account[key].(string)
	return v
}

// choose answers a sign-in or provider-selection page with the provider the request names
// for it; a provider the page does not offer is refused naming the entry.
func (d *driver) choose() (bool, error) {
	provider, err := d.provider()
	if err != nil {
		return false, err
	}
	more, err := d.advance(d.signIn(provider))
	if err != nil && len(d.req.IdentityProviders) > 0 {
		err = fmt.Errorf("identityProviders[%d] %q: %w", d.picks-1, provider, err)
	}
	return more, err
}

// provider is the provider to choose on the run's selection page: identityProvider on every
// page, else the next entry of identityProviders. Pages beyond the list are refused with the
// buttons the page offers.
func (d *driver) provider() (string, error) {
	list := d.req.IdentityProviders
	if len(list) == 0 {
		return d.req.IdentityProvider, nil
	}
	if d.picks >= len(list) {
		var offered []string
		if d.run.Page != nil {
			for _, p := range d.run.Page.Providers {
				offered = append(offered, p.Value)
			}
		}
		return "", fmt.Errorf("the run shows provider-selection page %d, but identityProviders has %d entries: add the provider to choose there, one of %s",
			d.picks+1, len(list), offeredText(offered))
	}
	d.picks++
	return list[d.picks-1], nil
}

// offeredText lists a page's provider buttons for an error.
func offeredText(offered []string) string {
	if len(offered) == 0 {
		return "none: the page offers no identity provider button"
	}
	return "[" + strings.Join(offered, ", ") + "]"
}

// signIn is the choice on the sign-in page: provider, the local account's password when the
// flow signs in and the account exists, or sign-up.
func (d *driver) signIn(provider string) engine.Input {
	switch {
	case provider != flows.LocalProvider:
		return engine.ChooseProvider{Provider: provider}
	case d.def.SignsIn() && d.account("password") != "" && d.s.exists(d.c, d.account("email")):
		return engine.SignInLocal{Email: d.account("email"), Password: d.account("password")}
	}
	return engine.StartSignUp{}
}

// federated is the fake identity provider's answer after the last selection page: the
// accounts entry for that page, else account on the first page, else (identityProviders
// given, a later page) a fresh identity no user holds yet.
func (d *driver) federated() (engine.SignInFederated, error) {
	provider, account, i := cmp.Or(d.run.Provider, d.req.IdentityProvider), d.req.Account, d.picks-1
	if len(d.req.IdentityProviders) > 0 && i >= 0 {
		switch {
		case i < len(d.req.Accounts) && d.req.Accounts[i] != nil:
			in, err := d.s.federatedAccount(provider, d.req.Accounts[i])
			if err != nil {
				err = fmt.Errorf("accounts[%d]: %w", i, err)
			}
			return in, err
		case i > 0:
			return engine.SignInFederated{IssuerAssignedID: d.s.NewID()}, nil
		}
	}
	return d.s.federatedAccount(provider, account)
}

// advance gives the machine in; a sign-in page that comes back with an error (a wrong
// password) ends the drive with that attempt.
func (d *driver) advance(in engine.Input) (bool, error) {
	if err := d.s.Machine.Advance(d.c.Request().Context(), d.def, d.run, in); err != nil {
		return false, err
	}
	if d.run.Phase == engine.PhaseSignIn && d.run.PageError != "" {
		d.resp.Attempts = append(d.resp.Attempts, Attempted{Values: map[string]string{"email": d.account("email")}, UserMessage: d.run.PageError})
		return false, nil
	}
	return true, nil
}

// submit submits the sign-up or attribute page with the next entry of req.Attributes, and
// records the attempt. With no entry left, the run waits on the page, unless the page was
// never submitted and needs nothing (no attributes, or none required still missing).
func (d *driver) submit() (bool, error) {
	run := d.run
	if d.waits() {
		return false, nil
	}
	values := map[string]string{}
	if d.next < len(d.req.Attributes) {
		values = d.req.Attributes[d.next]
	}
	d.next++
	in, values, err := d.submission(values)
	if err != nil {
		return false, err
	}
	before := run.Phase
	if err := d.s.Machine.Advance(d.c.Request().Context(), d.def, run, in); err != nil {
		return false, err
	}
	attempt := Attempted{Values: d.withoutSecret(values)}
	if run.Phase == before {
		attempt.UserMessage, attempt.FieldErrors, attempt.RequiredMissing = run.PageError, d.fieldErrors(), run.RequiredMissing
	}
	d.resp.Attempts = append(d.resp.Attempts, attempt)
	return true, nil
}

// fieldErrors are the page's item-level errors, with the message of each verification that
// failed (a wrong code on a verification control) under its field's id.
func (d *driver) fieldErrors() map[string]string {
	out := maps.Clone(d.run.FieldErrors) // the run's own map stays as the engine left it
	if d.run.Page == nil {
		return out
	}
	for _, f := range d.run.Page.Fields {
		if f.Verify == nil || f.Verify.Error == "" || out[f.ID] != "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[f.ID] = f.Verify.Error
	}
	return out
}

// waits reports whether the run waits on its page: no entry of req.Attributes is left, and
// the page was submitted before or needs a required attribute still missing. A page that
// asks only for the authenticator app's code (or only shows its enrolment) is answered as
// the app's user would, unless its last submission was refused.
func (d *driver) waits() bool {
	run := d.run
	switch {
	case d.next < len(d.req.Attributes):
		return false
	case d.appOnly():
		return false
	}
	return d.next > 0 || len(d.def.UserAttributes) > 0 && run.Phase == engine.PhaseAttributes && requiredMissing(d.def, run)
}

// submission is the page's input for values, with the values it submits, after the email
// verifications the page asks for.
func (d *driver) submission(values map[string]string) (engine.Input, map[string]string, error) {
	ctx, email, password := d.c.Request().Context(), d.account("email"), d.account("password")
	if d.run.Phase == engine.PhaseLocalSignUp {
		if err := d.verifyEmail(ctx, "email", map[string]string{"email": email}); err != nil {
			return nil, nil, err
		}
		return engine.SubmitSignUp{Email: email, Password: password, ConfirmPassword: password, Values: values}, values, nil
	}
	merged, text := map[string]string{}, map[string]bool{}
	if d.run.Page != nil { // the account fills the page's email and password inputs
		for _, f := range d.run.Page.Fields {
			switch f.InputType {
			case "EmailBox":
				merged[f.ID] = email
			case "Password":
				merged[f.ID] = password
			case "Paragraph": // text on the page, not an input: a browser posts nothing for it
				text[f.ClaimID()] = true
			}
		}
	}
	for k := range d.run.Values {
		if !text[k] {
			merged[k] = d.run.Values.String(k) // pre-filled values are submitted as a browser would
		}
	}
	for k, v := range values {
		merged[k] = v
	}
	if err := d.typeAppCodes(values, merged); err != nil {
		return nil, nil, err
	}
	if err := d.verifyEmails(ctx, merged); err != nil {
		return nil, nil, err
	}
	return engine.SubmitAttributes{Values: merged}, merged, nil
}

// requiredMissing reports whether a required attribute has no value yet.
func requiredMissing(def *flows.Definition, run *engine.Run) bool {
	for _, ua := range def.UserAttributes {
		if ua.Required && run.Values.String(ua.Name) == "" {
			return true
		}
	}
	return false
}

// exists reports whether a local account with this email exists.
func (s *server) exists(c echo.Context, email string) bool {
	id := engine.Identity{SignInType: "emailAddress", Issuer: s.Tenant.Name + ".onmicrosoft.com", IssuerAssignedID: email}
	_, err := s.Admin.FindByIdentity(c.Request().Context(), id)
	return err == nil
}

// federatedAccount is the identity provider's answer for the request's account: a fixture
// account by issuerAssignedId, or the inline claims; either with "claims", the provider's
// further claims, laid over it as the page's claims box is.
func (s *server) federatedAccount(provider string, account map[string]any) (engine.SignInFederated, error) {
	id, _ := account["issuerAssignedId"].(string)
	box, boxed := account["claims"].(map[string]any)
	if v, ok := account["claims"]; ok && !boxed {
		return engine.SignInFederated{}, fmt.Errorf("the account's claims is %s; give a JSON object of the provider's claims, such as %s", kindOf(v), claimsExample)
	}
	if p := s.idpByID[provider]; p != nil {
		for _, a := range p.Accounts {
			if a.IssuerAssignedID == id && (len(account) == 1 || len(account) == 2 && boxed) {
				return withClaims(engine.SignInFederated{IssuerAssignedID: id, Claims: a.Claims.Clone()}, box, "The account's claims", true)
			}
		}
	}
	claims := engine.Claims{}
	for _, k := range []string{"email", "displayName", "givenName", "surname"} {
		if v, ok := account[k].(string); ok && v != "" {
			claims[k] = account[k] // the same string, without boxing it again
		}
	}
	in, err := withClaims(engine.SignInFederated{IssuerAssignedID: id, Claims: claims}, box, "The account's claims", false)
	in = emailSubject(in)
	if err == nil && in.IssuerAssignedID == "" {
		err = errors.New("the account names no fixture account and has no issuerAssignedId or email (nor a sub or email in its claims)")
	}
	return in, err
}

// headlessToken mints the tokens of a finished headless run.
func (s *server) headlessToken(c echo.Context, def *flows.Definition, ar AuthRequest, run *engine.Run, sso bool, resp RunResponse) error {
	sess := &Session{Auth: ar, Run: run}
	authTime := s.Now().Unix()
	g := s.newGrant(def, ar, run, authTime)
	m, err := s.mint(def, g, "", true, true, true)
	if err != nil {
		return err
	}
	resp.Outcome, resp.NewUser, resp.ObjectID = "token", run.NewUser, run.User.ObjectID
	resp.IDToken, resp.AccessToken = m.IDToken, m.AccessToken
	if hasScope(ar.Scope, "offline_access") {
		_, refreshLife, _ := lifetimes(def)
		resp.RefreshToken = s.putRefresh(g, refreshLife)
	}
	resp.Claims = m.IDClaims
	s.recordSignIn(c.Request().Context(), run)
	if sso {
		s.startSSO(c, sess, authTime)
	}
	return answerRun(c, &resp)
}

func transcript(calls []Call) []TranscriptEntry {
	out := make([]TranscriptEntry, 0, len(calls)) // never nil: the answer shows "calls": []
	for _, c := range calls {
		e := TranscriptEntry{Step: c.Step, Connector: c.Connector, Request: c.Request, Attempts: len(c.Attempts), Outcome: c.Outcome,
			Warnings: c.Warnings, Diagnostic: c.Diagnostic, ElapsedMs: c.ElapsedMs}
		if n := len(c.Attempts); n > 0 {
			last := c.Attempts[n-1]
			e.Status = last.Status
			for _, a := range c.Attempts {
				e.LatencyMs += a.LatencyMs
			}
			if raw := []byte(last.Body); json.Valid(raw) && utf8.Valid(raw) { // one copy, checked and kept as is
				e.Response = raw
			} else if last.Body != "" {
				e.Response, _ = json.Marshal(last.Body)
			}
		}
		out = append(out, e)
	}
	return out
}

// verifyEmails completes the page's email verifications as a user reading the outbox would:
// send the code, read it, verify it.
func (d *driver) verifyEmails(ctx context.Context, values map[string]string) error {
	if d.run.Page == nil {
		return nil
	}
	for _, f := range d.run.Page.Fields {
		if err := d.verifyEmail(ctx, f.ID, values); err != nil {
			return err
		}
	}
	return nil
}

// verifyEmail verifies the address in values[field] as a user would: a fresh code is sent,
// read from the outbox and typed in (a control over an authenticator app takes the app's
// code instead). A field the page does not verify, an empty one or an address already
// verified needs nothing.
func (d *driver) verifyEmail(ctx context.Context, field string, values map[string]string) error {
	f := d.field(field)
	switch {
	case f == nil || f.Verify == nil || values[field] == "":
		return nil
	case f.Verify.State == "verified" && strings.EqualFold(d.run.Values.String(f.ClaimID()), values[field]):
		return nil
	}
	for _, action := range []string{"change", "send"} {
		if err := d.s.Machine.Advance(ctx, d.def, d.run, engine.VerifyEmail{Action: action, Field: field, Values: values}); err != nil {
			return err
		}
	}
	code, err := d.sentCode(d.field(field), values)
	if code == "" || err != nil {
		return err // no code: the address was refused; the submission reports it
	}
	return d.s.Machine.Advance(ctx, d.def, d.run, engine.VerifyEmail{Action: "verify", Field: field, Code: code, Values: values})
}

// field is the current page's field of this id, or nil.
func (d *driver) field(id string) *engine.PageField {
	if d.run.Page == nil {
		return nil
	}
	for i := range d.run.Page.Fields {
		if d.run.Page.Fields[i].ID == id {
			return &d.run.Page.Fields[i]
		}
	}
	return nil
}

// sentCode is the code to type on f's verification once it was sent: the newest code of the
// run's outbox, or for an authenticator app the code values give, else the app's. It is ""
// when nothing was sent.
func (d *driver) sentCode(f *engine.PageField, values map[string]string) (string, error) {
	switch {
	case f == nil || f.Verify == nil || f.Verify.State != "sent" && f.App != nil:
		return "", nil
	case f.App != nil:
		if v, ok := values[f.Verify.CodeField]; ok && v != AppCodeMarker {
			return v, nil
		}
		return d.appCode(f.App)
	}
	for _, m := range d.s.Admin.Emails() { // newest first
		if m.RunID == d.run.ID {
			return m.Code, nil
		}
	}
	return "", nil
}
