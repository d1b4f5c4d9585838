package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	ClientID         string              `json:"clientId"`
	RedirectURI      string              `json:"redirectUri,omitempty"` // default: the app's first
	Nonce            string              `json:"nonce,omitempty"`
	Scope            string              `json:"scope,omitempty"` // default "openid"
	UILocales        string              `json:"uiLocales,omitempty"`
	IdentityProvider string              `json:"identityProvider"` // a provider id, or "email"
	Account          map[string]any      `json:"account"`          // see docs/admin-api.md
	Attributes       []map[string]string `json:"attributes,omitempty"`
	SSO              bool                `json:"sso,omitempty"`         // start a browser SSO session (cookie in the response)
	IDTokenHint      string              `json:"idTokenHint,omitempty"` // as authorize's id_token_hint: a custom policy's GetClaims step reads it
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
	app := s.app(req.ClientID)
	switch {
	case app == nil && len(s.Apps) > 0 && req.ClientID == "":
		app = &s.Apps[0]
	case app == nil:
		return apiError(c, http.StatusBadRequest, "AADB2C90068: no application with clientId %q", req.ClientID)
	}
	base := s.base(c) // once: it parses the Host header
	if req.RedirectURI == "" && len(app.RedirectURIs) > 0 {
		req.RedirectURI = resolveURI(base, app.RedirectURIs[0])
	}
	if !registered(app, base, req.RedirectURI) {
		return apiError(c, http.StatusBadRequest, "AADB2C90006: the redirect URI %q is not registered for the client ID %q", req.RedirectURI, app.ClientID)
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
		return apiError(c, http.StatusBadRequest, "AADB2C90012: the scope %q is not supported", bad)
	}
	if _, custom := s.Journeys[strings.ToLower(def.ID)]; custom && req.IdentityProvider == "" {
		req.IdentityProvider = flows.LocalProvider
	} else if !custom && (req.IdentityProvider == "" || !def.Offers(req.IdentityProvider)) {
		return apiError(c, http.StatusBadRequest, "the user flow %s does not offer the identity provider %q; use one of %v", def.ID, req.IdentityProvider, def.IdentityProviders)
	}
	request := map[string]string{}
	if req.IDTokenHint != "" {
		request["id_token_hint"] = req.IDTokenHint
	}
	run := s.start(c.Request().Context(), def, app.ClientID, ar.UILocales, request)
	stop := s.CallLog.Watch(run.ID)
	resp := RunResponse{RunID: run.ID, Attempts: []Attempted{}}
	err := s.drive(c, def, run, req, &resp)
	resp.Calls = transcript(stop())
	if err != nil || c.Response().Committed { // drive answered already (a refused input)
		return err
	}
	switch run.Phase {
	case engine.PhaseDone:
		return s.headlessToken(c, def, ar, run, req.SSO, resp)
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
	return answerRun(c, &resp)
}

// drive feeds the machine the inputs the request describes until the run ends or the
// attribute submissions run out.
func (s *server) drive(c echo.Context, def *flows.Definition, run *engine.Run, req RunRequest, resp *RunResponse) error {
	ctx := c.Request().Context()
	str := func(k string) string { v, _ := req.Account[k].(string); return v }
	next := 0
	for steps := 0; !run.Phase.Terminal() && steps < 50; steps++ {
		var in engine.Input
		switch run.Phase {
		case engine.PhaseSignIn:
			switch {
			case req.IdentityProvider != flows.LocalProvider:
				in = engine.ChooseProvider{Provider: req.IdentityProvider}
			case def.SignsIn() && str("password") != "" && s.exists(c, str("email")):
				in = engine.SignInLocal{Email: str("email"), Password: str("password")}
			default:
				in = engine.StartSignUp{}
			}
		case engine.PhaseMFA:
			mfa, err := headlessMFA(run, str("phoneNumber"), s.Now())
			if err != nil {
				return apiError(c, http.StatusBadRequest, "%v", err)
			}
			in = mfa
		case engine.PhaseIdP:
			fed, err := s.federatedAccount(cmp.Or(run.Provider, req.IdentityProvider), req.Account)
			if err != nil {
				return apiError(c, http.StatusBadRequest, "%v", err)
			}
			in = fed
		case engine.PhaseLocalSignUp, engine.PhaseAttributes:
			if next >= len(req.Attributes) && (next > 0 || len(def.UserAttributes) > 0 && run.Phase == engine.PhaseAttributes && requiredMissing(def, run)) {
				return nil // no more submissions: the run waits on the page
			}
			values := map[string]string{}
			if next < len(req.Attributes) {
				values = req.Attributes[next]
			}
			next++
			if run.Phase == engine.PhaseLocalSignUp {
				if err := s.verifyEmail(ctx, def, run, "email", map[string]string{"email": str("email")}); err != nil {
					return apiError(c, http.StatusBadRequest, "%v", err)
				}
				in = engine.SubmitSignUp{Email: str("email"), Password: str("password"), ConfirmPassword: str("password"), Values: values}
			} else {
				merged := map[string]string{}
				if run.Page != nil { // the account fills the page's email and password inputs
					for _, f := range run.Page.Fields {
						switch f.InputType {
						case "EmailBox":
							merged[f.ID] = str("email")
						case "Password":
							merged[f.ID] = str("password")
						}
					}
				}
				for k := range run.Values {
					merged[k] = run.Values.String(k) // pre-filled values are submitted as a browser would
				}
				for k, v := range values {
					merged[k] = v
				}
				if err := s.verifyEmails(ctx, def, run, merged); err != nil {
					return apiError(c, http.StatusBadRequest, "%v", err)
				}
				in = engine.SubmitAttributes{Values: merged}
				values = merged
			}
			before := run.Phase
			if err := s.Machine.Advance(ctx, def, run, in); err != nil {
				return apiError(c, http.StatusBadRequest, "%v", err)
			}
			if run.Phase == before {
				resp.Attempts = append(resp.Attempts, Attempted{Values: values, UserMessage: run.PageError,
					FieldErrors: run.FieldErrors, RequiredMissing: run.RequiredMissing})
			} else {
				resp.Attempts = append(resp.Attempts, Attempted{Values: values})
			}
			continue
		default:
			return nil
		}
		if err := s.Machine.Advance(ctx, def, run, in); err != nil {
			return apiError(c, http.StatusBadRequest, "%v", err)
		}
		if run.Phase == engine.PhaseSignIn && run.PageError != "" {
			resp.Attempts = append(resp.Attempts, Attempted{Values: map[string]string{"email": str("email")}, UserMessage: run.PageError})
			return nil
		}
	}
	return nil
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
	id := flows.Identity{SignInType: "emailAddress", Issuer: s.Tenant.Name + ".onmicrosoft.com", IssuerAssignedID: email}
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
	claims := flows.Claims{}
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
func (s *server) verifyEmails(ctx context.Context, def *flows.Definition, run *engine.Run, values map[string]string) error {
	if run.Page == nil {
		return nil
	}
	for _, f := range run.Page.Fields {
		if err := s.verifyEmail(ctx, def, run, f.ID, values); err != nil {
			return err
		}
	}
	return nil
}

// verifyEmail verifies the address in values[field] as a user would: a fresh code is sent,
// read from the outbox and typed in. A field the page does not verify, an empty one or an
// address already verified needs nothing.
func (s *server) verifyEmail(ctx context.Context, def *flows.Definition, run *engine.Run, field string, values map[string]string) error {
	var f *engine.PageField
	if run.Page != nil {
		for i := range run.Page.Fields {
			if run.Page.Fields[i].ID == field {
				f = &run.Page.Fields[i]
			}
		}
	}
	switch {
	case f == nil || f.Verify == nil || values[field] == "":
		return nil
	case f.Verify.State == "verified" && strings.EqualFold(run.Values.String(f.ClaimID()), values[field]):
		return nil
	}
	for _, action := range []string{"change", "send"} {
		if err := s.Machine.Advance(ctx, def, run, engine.VerifyEmail{Action: action, Field: field, Values: values}); err != nil {
			return err
		}
	}
	code := ""
	for _, m := range s.Admin.Emails() { // newest first
		if m.RunID == run.ID {
			code = m.Code
			break
		}
	}
	if code == "" {
		return nil // the address was refused; the submission reports it
	}
	return s.Machine.Advance(ctx, def, run, engine.VerifyEmail{Action: "verify", Field: field, Code: code, Values: values})
}
