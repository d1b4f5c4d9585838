package web

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/web/views"
)

// errExpired is shown for a run that is unknown, finished or timed out.
var errExpired = &pageError{Status: http.StatusBadRequest, Message: "Your sign-in session has expired or was already completed. Please go back to the application and sign in again."}

// session loads the run named by ?tx= and checks that it belongs to the URL's policy.
func (s *server) session(c echo.Context) (*Session, *flows.Definition, error) {
	sess, ok := s.Sessions.Get(c.QueryParam("tx"))
	if !ok {
		return nil, nil, errExpired
	}
	def := s.flowByID[strings.ToLower(sess.Run.Policy)]
	if def == nil || !strings.EqualFold(c.Param("policy"), def.ID) {
		return nil, nil, errExpired
	}
	return sess, def, nil
}

// flowPage renders the run's current step. A GET with op=signup or op=forgotPassword is the
// "Sign up now" or "Forgot your password?" link.
func (s *server) flowPage(c echo.Context) error {
	if c.QueryParam("op") != "" {
		return s.flowSubmit(c)
	}
	sess, def, err := s.session(c)
	if err != nil {
		return err
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return s.show(c, sess, def)
}

// flowSubmit is the one dispatcher of a run: it checks the form's CSRF token and sequence,
// turns the form into a flows input, advances the run and answers for the resulting step.
func (s *server) flowSubmit(c echo.Context) error {
	sess, def, err := s.session(c)
	if err != nil {
		return err
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	form := c.QueryParams()
	if c.Request().Method == http.MethodPost {
		if err := c.Request().ParseForm(); err != nil {
			return errPage(http.StatusBadRequest, "", "The form could not be read: %v", err)
		}
		form = c.Request().PostForm
	}
	ck, _ := c.Cookie(csrfCookie)
	if ck == nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(sess.CSRF)) != 1 ||
		subtle.ConstantTimeCompare([]byte(form.Get("csrf")), []byte(sess.CSRF)) != 1 {
		return errPage(http.StatusForbidden, "", "The request's CSRF token is missing or does not match this browser's sign-in session.")
	}
	if seq, err := strconv.Atoi(form.Get("seq")); err != nil || seq != sess.Run.Seq {
		return errPage(http.StatusConflict, "", "This page was already submitted. Please go back to the application and sign in again.")
	}
	in, err := s.input(sess, form)
	if err != nil {
		return err
	}
	if err := s.Machine.Advance(c.Request().Context(), def, sess.Run, in); err != nil {
		return err
	}
	return s.conclude(c, sess)
}

// conclude answers for the run's new phase: back to the application when it ended there,
// else to the page of the phase.
func (s *server) conclude(c echo.Context, sess *Session) error {
	r := sess.Run
	switch {
	case r.Phase == flows.PhaseDone:
		s.Sessions.Take(r.ID)
		return s.finish(c, sess)
	case r.Phase == flows.PhaseCancelled, r.Phase == flows.PhaseFailed && r.Failure.Redirect:
		s.Sessions.Take(r.ID)
		return s.redirectError(c, sess.Auth, r.Failure.Error, r.Failure.Code, pageText(r.Failure.Message))
	}
	s.Sessions.Put(r.ID, sess)
	return c.Redirect(http.StatusSeeOther, s.flowURL(s.flowByID[strings.ToLower(r.Policy)], r.ID))
}

// input maps a submitted form to the flows input it stands for.
func (s *server) input(sess *Session, f url.Values) (flows.Input, error) {
	op := f.Get("op")
	if op == "cancel" {
		return flows.Cancel{}, nil
	}
	switch sess.Run.Phase {
	case flows.PhaseSignIn:
		switch {
		case f.Get("provider") != "":
			return flows.ChooseProvider{Provider: f.Get("provider")}, nil
		case op == "signup":
			return flows.StartSignUp{}, nil
		case op == "forgotPassword":
			return flows.ForgotPassword{}, nil
		case op == "signin":
			return flows.SignInLocal{Email: f.Get(s.signInInput(sess.Run)), Password: f.Get("password")}, nil
		}
	case flows.PhaseIdP:
		if id := f.Get("account"); id != "" {
			p := s.idpByID[sess.Run.Provider]
			if p != nil {
				for _, a := range p.Accounts {
					if a.IssuerAssignedID == id {
						return flows.SignInFederated{IssuerAssignedID: id, Claims: a.Claims.Clone()}, nil
					}
				}
			}
			return nil, errPage(http.StatusBadRequest, "", "The identity provider has no fixture account %q.", id)
		}
		if op == "identity" {
			return s.customIdentity(f)
		}
	case flows.PhaseLocalSignUp:
		if in, ok := verifyInput(op, f, s.formValues(sess.Run, f)); ok {
			return in, nil
		}
		return flows.SubmitSignUp{Email: f.Get("email"), Password: f.Get("newPassword"),
			ConfirmPassword: f.Get("reenterPassword"), Values: s.formValues(sess.Run, f)}, nil
	case flows.PhaseAttributes:
		if in, ok := verifyInput(op, f, s.formValues(sess.Run, f)); ok {
			return in, nil
		}
		return flows.SubmitAttributes{Values: s.formValues(sess.Run, f)}, nil
	}
	return nil, errPage(http.StatusBadRequest, "", "This action does not apply to the current page.")
}

// verifyInput maps a verification button (op "ver_<action>:<field>") to flows.VerifyEmail,
// with the code typed in <field>_ver_input.
func verifyInput(op string, f url.Values, values map[string]string) (flows.Input, bool) {
	action, field, ok := strings.Cut(strings.TrimPrefix(op, "ver_"), ":")
	if !ok || !strings.HasPrefix(op, "ver_") {
		return nil, false
	}
	return flows.VerifyEmail{Action: action, Field: field, Code: f.Get(field + "_ver_input"), Values: values}, true
}

// customIdentity reads the fake identity provider's "another identity" form. Without a
// subject, one is derived from the email so that the same email signs in as the same user.
func (s *server) customIdentity(f url.Values) (flows.Input, error) {
	claims := flows.Claims{}
	for _, k := range []string{"email", "displayName", "givenName", "surname"} {
		if v := strings.TrimSpace(f.Get("idp_" + k)); v != "" {
			claims[k] = v
		}
	}
	sub := strings.TrimSpace(f.Get("idp_issuerAssignedId"))
	if sub == "" {
		sub = strings.ToLower(claims.String("email"))
	}
	if sub == "" {
		return nil, errPage(http.StatusBadRequest, "", "Give the identity an email or a subject (issuerAssignedId).")
	}
	return flows.SignInFederated{IssuerAssignedID: sub, Claims: claims}, nil
}

// formValues are a submitted form's fields by claim. A user flow's page names a custom
// attribute extension_<Name>, as B2C's does; the flow knows it by its bare name. A custom
// policy's page names each field by its claim id, which is kept as it is.
func (s *server) formValues(r *flows.Run, f url.Values) map[string]string {
	out := make(map[string]string, len(f))
	for k := range f {
		out[s.claimOf(r, k)] = f.Get(k)
	}
	return out
}

// fieldID is the id (and form name) B2C's pages give an attribute: extension_<Name> for a
// user flow's custom attribute, the claim id otherwise.
func (s *server) fieldID(r *flows.Run, name string) string {
	if a, ok := s.Schema.Lookup(name); ok && a.Custom && r.Page == nil {
		return "extension_" + name
	}
	return name
}

// claimOf is the reverse of fieldID.
func (s *server) claimOf(r *flows.Run, field string) string {
	name, ok := strings.CutPrefix(field, "extension_")
	if !ok || r.Page != nil {
		return field
	}
	if a, known := s.Schema.Lookup(name); known && a.Custom {
		return name
	}
	return field
}

// signInInput is the id and form name of the unified page's sign-in name input: the user
// flow's setting (email by default), signInName on a custom policy's page.
func (s *server) signInInput(r *flows.Run) string {
	if r.Page != nil {
		return "signInName"
	}
	if id := s.SignInInputs[strings.ToLower(r.Policy)]; id != "" {
		return id
	}
	return "email"
}

// linkURL is a link of the unified page (op "signup", "forgotPassword"): a GET carrying the
// form's CSRF token and sequence, like a submitted form.
func linkURL(form views.Form, op string, r *flows.Run) string {
	return form.Action + "&op=" + op + "&csrf=" + url.QueryEscape(form.CSRF) + "&seq=" + strconv.Itoa(r.Seq)
}

// show renders the page of the run's phase.
func (s *server) show(c echo.Context, sess *Session, def *flows.Definition) error {
	r := withPageMessages(sess.Run)
	page := s.page("Sign up", r.UILocales)
	form := views.Form{Action: s.flowURL(def, r.ID), CSRF: sess.CSRF, Seq: r.Seq}
	if r.Page != nil && !r.Phase.Terminal() {
		return s.showPage(c, page, form, r)
	}
	switch r.Phase {
	case flows.PhaseSignIn:
		m := views.SignIn{Page: page, Form: form, Combined: def.SignsIn(), Local: def.SignsIn() && def.Offers(flows.LocalProvider),
			LocalSignUp: def.SignsUp() && def.Offers(flows.LocalProvider), NameID: s.signInInput(r), Email: r.Values.String("email"), PageError: r.PageError,
			EmailError: r.FieldErrors["signInName"], PassError: r.FieldErrors["password"]}
		m.SignUpURL, m.ForgotURL = linkURL(form, "signup", r), linkURL(form, "forgotPassword", r)
		if m.Local {
			m.ForgotAt = "AfterLabel"
		}
		switch {
		case def.Type == flows.SignUpOrSignIn:
			m.Title = "Sign up or sign in"
		case m.Combined: // sign-in only and profile editing: no sign-up link
			m.Title = "Sign in"
		}
		for _, id := range def.SocialProviders() {
			p := s.idpByID[id]
			m.Providers = append(m.Providers, views.Provider{ID: id, ButtonID: buttonID(p.DisplayName), DisplayName: p.DisplayName})
		}
		return s.render(c, http.StatusOK, views.SignInPage(m))
	case flows.PhaseIdP:
		p := s.idpByID[r.Provider]
		if p == nil { // a custom policy's provider the configuration has no fixture accounts for
			p = &Provider{ID: r.Provider, DisplayName: r.Provider}
		}
		m := views.IdP{Page: page, Form: form, ProviderID: p.ID, ProviderName: p.DisplayName}
		m.Page.Title = p.DisplayName
		for _, a := range p.Accounts {
			m.Accounts = append(m.Accounts, views.Account{IssuerAssignedID: a.IssuerAssignedID,
				DisplayName: a.Claims.String("displayName"), Email: a.Claims.String("email")})
		}
		return s.render(c, http.StatusOK, views.IdPPage(m))
	case flows.PhaseLocalSignUp, flows.PhaseAttributes, flows.PhaseBlocked:
		return s.render(c, http.StatusOK, views.SelfAssertedPage(s.selfAsserted(page, form, def, r)))
	case flows.PhaseFailed:
		return s.render(c, http.StatusOK, views.ErrorPage(s.errorView(c, r.Failure.Code, r.Failure.Message)))
	}
	return errExpired
}

// showPage renders a page an engine described completely (a custom policy's profile).
func (s *server) showPage(c echo.Context, page views.Page, form views.Form, r *flows.Run) error {
	p := r.Page
	if p.Unified {
		page.Title = "Sign up or sign in"
		m := views.SignIn{Page: page, Form: form, Combined: true, Local: p.LocalSignIn, LocalSignUp: p.SignUpLink, NameID: s.signInInput(r),
			Email: r.Values.String("email"), PageError: r.PageError, EmailError: r.FieldErrors["signInName"], PassError: r.FieldErrors["password"]}
		m.SignUpURL, m.ForgotURL, m.ForgotAt = linkURL(form, "signup", r), linkURL(form, "forgotPassword", r), p.ForgotPassword
		for _, pr := range p.Providers {
			m.Providers = append(m.Providers, views.Provider{ID: pr.Value, ButtonID: pr.Value, DisplayName: pr.Label})
		}
		return s.render(c, http.StatusOK, views.SignInPage(m))
	}
	page.Title = "User details"
	m := views.SelfAsserted{Page: page, Form: form, Intro: p.Intro, ContinueLabel: p.ContinueLabel, ServerError: r.PageError,
		RequiredMissing: r.RequiredMissing, PasswordMismatch: r.PasswordMismatch}
	for _, pf := range p.Fields {
		f := views.Field{ID: pf.ID, Label: pf.Label, InputType: pf.InputType, Type: "text", Value: r.Values.String(pf.ID),
			Required: pf.Required, Error: r.FieldErrors[pf.ID]}
		if pf.Verify != nil {
			f.Verify = verificationView(pf.Verify)
		}
		switch pf.InputType {
		case "EmailBox":
			f.Type = "email"
		case "Password":
			f.Type, f.Value = "password", ""
		case "RadioSingleSelect", "DropdownSingleSelect", "CheckboxMultiSelect":
			f.InputType = "RadioSingleSelect"
			for _, o := range pf.Options {
				f.Options = append(f.Options, views.Option{Value: o.Value, Label: o.Label})
			}
		}
		if f.Error != "" && f.Error != "This information is required." {
			m.FieldIncorrect = true
		}
		m.Fields = append(m.Fields, f)
	}
	return s.render(c, http.StatusOK, views.SelfAssertedPage(m))
}

func (s *server) selfAsserted(page views.Page, form views.Form, def *flows.Definition, r *flows.Run) views.SelfAsserted {
	m := views.SelfAsserted{Page: page, Form: form, RequiredMissing: r.RequiredMissing, PasswordMismatch: r.PasswordMismatch,
		ServerError: r.PageError, ContinueLabel: "Create"}
	if r.Phase == flows.PhaseBlocked {
		m.Blocked, m.Intro = true, r.UserMessage
		return m
	}
	m.Intro = "Please provide the following details."
	if r.Phase == flows.PhaseLocalSignUp {
		m.Intro = "Create your account by providing the following details."
		m.Fields = append(m.Fields,
			views.Field{ID: "email", Label: "Email Address", InputType: "EmailBox", Type: "email", Value: r.Values.String("email"), Required: true, Error: r.FieldErrors["email"],
				Verify: emailVerification(def, r)},
			views.Field{ID: "newPassword", Label: "New Password", InputType: "Password", Type: "password", Required: true, Error: r.FieldErrors["newPassword"]},
			views.Field{ID: "reenterPassword", Label: "Confirm New Password", InputType: "Password", Type: "password", Required: true, Error: r.FieldErrors["reenterPassword"]})
	}
	for _, ua := range def.UserAttributes {
		if r.Phase == flows.PhaseLocalSignUp && ua.Name == "email" {
			continue
		}
		a, _ := s.Schema.Lookup(ua.Name)
		f := views.Field{ID: s.fieldID(r, ua.Name), Label: a.Label, InputType: "TextBox", Type: "text", Value: r.Values.String(ua.Name),
			Required: ua.Required, Error: r.FieldErrors[ua.Name]}
		switch {
		case ua.Name == "email":
			f.InputType, f.Type = "EmailBox", "email"
		case a.DataType == flows.Boolean:
			f.InputType, f.Options = "RadioSingleSelect", []views.Option{{Value: "true", Label: "Yes"}, {Value: "false", Label: "No"}}
		case a.DataType == flows.Int:
			f.Pattern, f.Invalid = "[+\\-]?[0-9]+", "Please enter a whole number." // what flows.Attribute.Parse accepts
		}
		if f.Error != "" && f.Error != "This information is required." {
			m.FieldIncorrect = true
		}
		m.Fields = append(m.Fields, f)
	}
	return m
}

// emailVerification is the local sign-up page's email verification controls, in B2C's
// English texts (user flows have no localized ver_* strings here), or nil when the flow turns
// verification off.
func emailVerification(def *flows.Definition, r *flows.Run) *views.Verification {
	if !def.VerifiesEmail() {
		return nil
	}
	return verificationView(r.EmailCheck.View(func(_, def string) string { return def }))
}

// verificationView is a field's verification as the page shows it.
func verificationView(v *flows.Verification) *views.Verification {
	return &views.Verification{Control: v.Control, CodeField: v.CodeField, State: v.State, Message: pageText(v.Message), Error: pageText(v.Error),
		Send: v.Send, VerifyLabel: v.Verify, Resend: v.Resend, Change: v.Change, Code: v.Code}
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]`)

// buttonID is B2C's id for a provider button: the provider's name and "Exchange"
// (FacebookExchange, GoogleExchange).
func buttonID(displayName string) string {
	return nonWord.ReplaceAllString(displayName, "") + "Exchange"
}

// finish issues what the application asked for, starts the browser's SSO session and sends
// the browser back to the application.
func (s *server) finish(c echo.Context, sess *Session) error {
	ar, r := sess.Auth, sess.Run
	def := s.flowByID[strings.ToLower(ar.Policy)]
	authTime := sess.AuthTime
	if authTime == 0 {
		authTime = s.Now().Unix()
	}
	g := s.newGrant(def, ar, r, authTime)
	params := url.Values{}
	code := ""
	if hasPart(ar.ResponseType, "code") {
		code = s.Random()
		s.Grants.Put(code, g)
		params.Set("code", code)
	}
	m, err := s.mint(def, g, code, true, hasPart(ar.ResponseType, "id_token"), hasPart(ar.ResponseType, "token"))
	if err != nil {
		return err
	}
	if m.IDToken != "" {
		params.Set("id_token", m.IDToken)
	}
	if m.AccessToken != "" {
		params.Set("access_token", m.AccessToken)
		params.Set("token_type", "Bearer")
		params.Set("expires_in", strconv.FormatInt(m.Life, 10))
		params.Set("scope", ar.Scope)
	}
	s.startSSO(c, sess, authTime)
	s.Log.Info("token issued", "run", r.ID, "policy", ar.Policy, "client_id", ar.ClientID, "sub", r.User.ObjectID, "newUser", r.NewUser)
	return s.respond(c, ar, params)
}

// withPageMessages is the run as its page shows it: a copy whose messages — the block page's,
// the page's and each field's errors, the error page's — pass through pageText. They may come
// from an API connector's or a REST technical profile's userMessage, which can hold anything.
func withPageMessages(r *flows.Run) *flows.Run {
	cp := *r
	cp.PageError, cp.UserMessage = pageText(r.PageError), pageText(r.UserMessage)
	if len(r.FieldErrors) > 0 {
		cp.FieldErrors = make(map[string]string, len(r.FieldErrors))
		for k, v := range r.FieldErrors {
			cp.FieldErrors[k] = pageText(v)
		}
	}
	if r.Failure != nil {
		f := *r.Failure
		f.Message = pageText(f.Message)
		cp.Failure = &f
	}
	return &cp
}

// pageText is s without what HTML text may not hold: NUL and the other control characters
// (C0 but tab, line feed, form feed and carriage return; DEL; C1), noncharacters, and bytes
// that are not UTF-8. HTML escaping leaves them as they are and a browser reports each as a
// parse error (a NUL even becomes U+FFFD or vanishes, depending on where it stands), so they
// are dropped.
func pageText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, notHTMLText) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if notHTMLText(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

func notHTMLText(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\f', r == '\r':
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	}
	return r >= 0xfdd0 && r <= 0xfdef || r&0xfffe == 0xfffe
}
