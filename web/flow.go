package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/web/views"
)

// errExpired is shown for a run that is unknown, finished or timed out.
var errExpired = &pageError{Status: http.StatusBadRequest, Message: "Your sign-in session has expired or was already completed. Please go back to the application and sign in again."}

// session loads the run named by ?tx= (StateProperties=…) and checks that it belongs to the
// URL's policy.
func (s *server) session(c echo.Context) (*Session, *flows.Definition, error) {
	id, ok := runOf(c.QueryParam("tx"))
	if !ok {
		return nil, nil, errExpired
	}
	sess, ok := s.Sessions.Get(id)
	if !ok {
		return nil, nil, errExpired
	}
	def := s.flowByID[strings.ToLower(sess.Run.Policy)]
	if def == nil || !strings.EqualFold(c.Param("policy"), def.ID) {
		return nil, nil, errExpired
	}
	return sess, def, nil
}

// runHandler is a handler of a run's pages, called with the run's session locked.
type runHandler func(c echo.Context, sess *Session, def *flows.Definition) error

// withRun loads the run named by ?tx= and holds its lock while h answers.
func (s *server) withRun(h runHandler) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, def, err := s.session(c)
		if err != nil {
			return err
		}
		sess.mu.Lock()
		defer sess.mu.Unlock()
		return h(c, sess, def)
	}
}

// postedForm is a submission's url-encoded body.
func postedForm(c echo.Context) (url.Values, error) {
	if err := c.Request().ParseForm(); err != nil {
		return nil, errPage(http.StatusBadRequest, "", "The form could not be read: %v", err)
	}
	return c.Request().PostForm, nil
}

// flowConfirmed is B2C's api/<page>/confirmed: where a page goes once its submission was
// taken. It answers with the run's page, or sends the browser back to the application.
func (s *server) flowConfirmed(c echo.Context, sess *Session, def *flows.Definition) error {
	if err := checkCSRF(c, sess, c.QueryParam("csrf_token")); err != nil {
		return err
	}
	if c.Param("page") == apiUnified { // "Keep me signed in", only when the page offered it
		sess.keep = sess.boxShown && c.QueryParam("rememberMe") == "true"
	}
	return s.conclude(c, sess, def)
}

// flowLink is a link of the unified page, a GET as on B2C: api/<page>/unified?local=signup
// ("Sign up now"), api/<page>/unified?claimsexchange=<Id> (a provider button) and
// api/<page>/forgotPassword.
func (s *server) flowLink(c echo.Context, sess *Session, def *flows.Definition) error {
	if sess.Run.Phase != engine.PhaseSignIn { // a link of an earlier page, followed again
		return errPage(http.StatusBadRequest, "", "This action does not apply to the current page.")
	}
	q := url.Values{}
	switch {
	case strings.HasSuffix(c.Path(), "/forgotPassword"):
		q.Set("op", "forgotPassword")
	case c.QueryParam("local") == "signup":
		q.Set("op", "signup")
	case c.QueryParam("claimsexchange") != "":
		q.Set("claimsexchange", c.QueryParam("claimsexchange"))
	default:
		return errPage(http.StatusBadRequest, "", "The link names no action: give local=signup or claimsexchange=<Id>.")
	}
	return s.dispatch(c, sess, def, q, c.QueryParam("csrf_token"), inPlace)
}

// flowSubmit is B2C's SelfAsserted endpoint. The page's script posts the fields there in the
// background with request_type=RESPONSE and the X-CSRF-TOKEN header, and is answered with
// JSON; a plain form post (no script) is answered with the next page.
func (s *server) flowSubmit(c echo.Context, sess *Session, def *flows.Definition) error {
	form, err := postedForm(c)
	if err != nil {
		return err
	}
	token := form.Get("csrf")
	if h := c.Request().Header.Get("X-CSRF-TOKEN"); h != "" {
		token = h
	}
	answer := redirect
	switch form.Get("request_type") {
	case "RESPONSE":
		answer = scripted
	case "VERIFICATION_REQUEST", "VALIDATION_REQUEST": // the built-in email verification's buttons
		answer = scripted
		id := form.Get("claim_id")
		form.Set(id, form.Get("claim_value"))
		if form.Get("request_type") == "VERIFICATION_REQUEST" {
			form.Set("op", "ver_send:"+id)
		} else {
			form.Set("op", "ver_verify:"+id)
			form.Set(id+"_ver_input", form.Get("user_input"))
		}
	}
	return s.dispatch(c, sess, def, form, token, answer)
}

// controlAction is B2C's display control endpoint,
// SelfAsserted/DisplayControlAction/vbeta/<control>/<action>: a verification control's
// SendCode or VerifyCode, sent in the background with the page's fields and answered with
// JSON as a submit is.
func (s *server) controlAction(c echo.Context, sess *Session, def *flows.Definition) error {
	form, err := postedForm(c)
	if err != nil {
		return err
	}
	field := ""
	if p := sess.Run.Page; p != nil {
		for _, f := range p.Fields {
			if f.Verify != nil && f.Verify.Control == c.Param("control") {
				field = f.ID
			}
		}
	}
	actions := map[string]string{"SendCode": "send", "VerifyCode": "verify"}
	if field == "" || actions[c.Param("action")] == "" {
		return c.JSON(http.StatusOK, submitAnswer{Status: "400", Message: "The page has no display control " + c.Param("control") + " with the action " + c.Param("action") + " (SendCode, VerifyCode).", Seq: sess.Run.Seq})
	}
	form.Set("op", "ver_"+actions[c.Param("action")]+":"+field)
	return s.dispatch(c, sess, def, form, c.Request().Header.Get("X-CSRF-TOKEN"), scripted)
}

// answerKind is how the dispatcher answers a submission.
type answerKind int

const (
	redirect answerKind = iota // a plain form post: 303 to api/<page>/confirmed
	scripted                   // a page's background submit: B2C's JSON
	inPlace                    // a link: the next page at the link's URL, or back to the application
)

// dispatch is the one dispatcher of a run: it checks the CSRF token and the page's sequence,
// turns the submission into a flows input, advances the run and answers as kind says.
func (s *server) dispatch(c echo.Context, sess *Session, def *flows.Definition, form url.Values, token string, kind answerKind) error {
	if err := checkCSRF(c, sess, token); err != nil {
		return err
	}
	// A form carries the sequence of the page it came from, so that a replayed post is refused;
	// links do not carry it.
	if seq := form.Get("seq"); seq != "" || kind == redirect {
		if n, err := strconv.Atoi(seq); err != nil || n != sess.Run.Seq {
			return errPage(http.StatusConflict, "", "This page was already submitted. Please go back to the application and sign in again.")
		}
	}
	from := apiName(sess.Run)
	if from == apiUnified {
		sess.boxShown = sess.Run.Page != nil && sess.Run.Page.RememberMe
	}
	in, err := s.input(c.Request().Context(), sess, form)
	var stay *idpStay
	switch {
	case errors.As(err, &stay): // the fake identity provider's page again, nothing advanced
		sess.idpStay, err = stay, nil
		if kind == scripted {
			return c.JSON(http.StatusOK, submitAnswer{Status: "400", Message: stay.Error(), Seq: sess.Run.Seq})
		}
	case err == nil:
		err = s.Machine.Advance(c.Request().Context(), def, sess.Run, in)
	}
	var pe *pageError
	if kind == scripted && errors.As(err, &pe) {
		return c.JSON(http.StatusOK, submitAnswer{Status: "400", Message: pageText(pe.Message), Seq: sess.Run.Seq})
	}
	if err != nil {
		return err
	}
	switch kind {
	case scripted:
		s.Sessions.Put(sess.Run.ID, sess)
		return c.JSON(http.StatusOK, s.answer(sess.Run))
	case inPlace:
		return s.conclude(c, sess, def)
	}
	s.Sessions.Put(sess.Run.ID, sess)
	// A checked box posts rememberMe=on (B2C's checkbox has no value): the confirmed
	// navigation carries it on as the page's script would.
	return c.Redirect(http.StatusSeeOther, s.urls(sess).confirmed(from, form.Get("rememberMe") != ""))
}

// submitAnswer is B2C's answer to a page's background submit: status "200", or "400" with
// the message the page shows. Seq, b2cemu's, is the sequence the page's next submit carries.
type submitAnswer struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	Seq     int    `json:"seq"`
}

// answer is the background submit's answer for the run after Advance: 400 with the page's
// error when the same page stays with one, else 200 and the script goes on to confirmed.
func (s *server) answer(r *engine.Run) submitAnswer {
	ok := submitAnswer{Status: "200", Seq: r.Seq}
	if r.Phase.Terminal() || r.Phase == engine.PhaseBlocked {
		return ok
	}
	msg := r.PageError
	for _, id := range sortedKeys(r.FieldErrors) {
		if msg == "" {
			msg = r.FieldErrors[id]
		}
	}
	switch {
	case msg != "":
	case r.RequiredMissing:
		msg = "A required field is missing. Please fill out all required fields and try again."
	case r.PasswordMismatch:
		msg = "The password entry fields do not match. Please enter the same password in both fields and try again."
	default:
		return ok
	}
	return submitAnswer{Status: "400", Message: s.page("", r.UILocales).Tr(pageText(msg)), Seq: r.Seq}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkCSRF compares token with the browser's CSRF cookie and the run's token.
func checkCSRF(c echo.Context, sess *Session, token string) error {
	ck, _ := c.Cookie(csrfCookie)
	if ck == nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(sess.CSRF)) != 1 ||
		subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRF)) != 1 {
		return errPage(http.StatusForbidden, "", "The request's CSRF token is missing or does not match this browser's sign-in session.")
	}
	return nil
}

// conclude answers for the run's phase: back to the application when it ended there, else
// the page of the phase.
func (s *server) conclude(c echo.Context, sess *Session, def *flows.Definition) error {
	r := sess.Run
	switch {
	case r.Phase == engine.PhaseDone:
		s.Sessions.Take(r.ID)
		return s.finish(c, sess)
	case r.Phase == engine.PhaseCancelled, r.Phase == engine.PhaseFailed && r.Failure.Redirect:
		s.Sessions.Take(r.ID)
		return s.redirectError(c, sess.Auth, r.Failure.OAuth, r.Failure.Code, pageText(r.Failure.Message))
	}
	s.Sessions.Put(r.ID, sess)
	return s.show(c, sess, def)
}

// input maps a submitted form to the flows input it stands for.
func (s *server) input(ctx context.Context, sess *Session, f url.Values) (engine.Input, error) {
	op := f.Get("op")
	if op == "cancel" {
		return engine.Cancel{}, nil
	}
	switch sess.Run.Phase {
	case engine.PhaseSignIn:
		switch {
		case f.Get("claimsexchange") == signUpExchange:
			return engine.StartSignUp{}, nil
		case f.Get("claimsexchange") != "":
			return s.chooseProvider(sess.Run, f.Get("claimsexchange"))
		case op == "signup":
			return engine.StartSignUp{}, nil
		case op == "forgotPassword":
			return engine.ForgotPassword{}, nil
		case op == "signin", op == "":
			return engine.SignInLocal{Email: f.Get(signInInput(sess.Run)), Password: f.Get("password")}, nil
		}
	case engine.PhaseIdP:
		return s.idpInput(ctx, sess.Run, f)
	case engine.PhaseLocalSignUp:
		if in, ok := verifyInput(op, f, formValues(sess.Run, f)); ok {
			return in, nil
		}
		return engine.SubmitSignUp{Email: f.Get("email"), Password: f.Get("newPassword"),
			ConfirmPassword: f.Get("reenterPassword"), Values: formValues(sess.Run, f)}, nil
	case engine.PhaseMFA:
		return mfaInput(f), nil
	case engine.PhaseAttributes:
		if in, ok := verifyInput(op, f, formValues(sess.Run, f)); ok {
			return in, nil
		}
		return engine.SubmitAttributes{Values: formValues(sess.Run, f)}, nil
	}
	return nil, errPage(http.StatusBadRequest, "", "This action does not apply to the current page.")
}

// signUpExchange is the claims exchange of a sign-up flow's "Email signup" button.
const signUpExchange = "SignUpWithLogonEmailExchange"

// chooseProvider maps a provider button's claims exchange (its element id) to the choice the
// engine listed on the page.
func (s *server) chooseProvider(r *engine.Run, exchange string) (engine.Input, error) {
	if r.Page != nil {
		for _, p := range r.Page.Providers {
			if p.Value == exchange {
				return engine.ChooseProvider{Provider: p.Value}, nil
			}
		}
	}
	return nil, errPage(http.StatusBadRequest, "", "The page has no identity provider button %q.", exchange)
}

// verifyInput maps a verification button (op "ver_<action>:<field>") to engine.VerifyEmail,
// with the code typed in <field>_ver_input.
func verifyInput(op string, f url.Values, values map[string]string) (engine.Input, bool) {
	action, field, ok := strings.Cut(strings.TrimPrefix(op, "ver_"), ":")
	if !ok || !strings.HasPrefix(op, "ver_") {
		return nil, false
	}
	return engine.VerifyEmail{Action: action, Field: field, Code: f.Get(field + "_ver_input"), Values: values}, true
}

// formValues are a submitted form's fields by claim: a field of the page holds the claim the
// engine gave it (a user flow's custom attribute <Name> is the input extension_<Name>, as on
// B2C's pages); anything else keeps its name.
func formValues(r *engine.Run, f url.Values) map[string]string {
	claims := map[string]string{}
	if r.Page != nil {
		for _, pf := range r.Page.Fields {
			claims[pf.ID] = pf.ClaimID()
		}
	}
	out := make(map[string]string, len(f))
	for k := range f {
		if c, ok := claims[k]; ok {
			out[c] = f.Get(k)
		} else {
			out[k] = f.Get(k)
		}
	}
	return out
}

// signInInput is the id and form name of the unified page's sign-in name input, as the
// engine described the page.
func signInInput(r *engine.Run) string {
	if r.Page != nil && r.Page.SignInName != "" {
		return r.Page.SignInName
	}
	return "email"
}

// show renders the page of the run's phase: the page the engine described in Run.Page (both
// engines' pages go through the same two views), the fake identity provider's page or the
// error page.
func (s *server) show(c echo.Context, sess *Session, def *flows.Definition) error {
	r := withPageMessages(sess.Run)
	page := s.page("Sign up", r.UILocales)
	page.Settings = s.settingsScript(c, sess, def, page.Lang)
	var params []engine.PageParameter
	if r.Page != nil {
		params = r.Page.ContentParameters
	}
	s.dress(c, &page, def.ID, pageDefinition(def, r), r.UILocales, params)
	form := views.Form{Action: s.urls(sess).submit(), CSRF: sess.CSRF, Seq: r.Seq}
	switch {
	case r.Phase == engine.PhaseIdP:
		c.Set(frameKey, nil) // it stands in for a provider's own page, which refuses frames
		return s.render(c, http.StatusOK, views.IdPPage(s.idpView(c.Request().Context(), sess, def, views.IdP{Page: page, Form: form})))
	case r.Phase == engine.PhaseFailed:
		return s.render(c, http.StatusOK, views.ErrorPage(s.errorView(c, r.Failure.Code, r.Failure.Message)))
	case r.Page == nil:
		return errExpired
	}
	if r.Page.Title != "" {
		page.Title = r.Page.Title
	}
	if r.Page.Unified {
		return s.render(c, http.StatusOK, views.SignInPage(signInView(page, form, s.urls(sess), r)))
	}
	if r.Page.MFA != nil {
		return s.render(c, http.StatusOK, views.PhoneFactorPage(phoneFactorView(page, form, r)))
	}
	return s.render(c, http.StatusOK, views.SelfAssertedPage(selfAssertedView(page, form, r)))
}

// socialForm is the provider buttons' form: a GET to api/<page>/unified carrying the run's
// csrf_token, tx and p, so that a button's claimsexchange=<Id> makes B2C's link.
func socialForm(u pageURLs, page string) views.LinkForm {
	return views.LinkForm{Action: u.prefix + "/api/" + page + "/unified", Fields: []views.Hidden{
		{Name: "csrf_token", Value: u.csrf}, {Name: "tx", Value: u.tx}, {Name: "p", Value: u.policy}}}
}

// signInView is the sign-in page of r.Page: B2C's unified page, or its IdpSelections page.
func signInView(page views.Page, form views.Form, u pageURLs, r *engine.Run) views.SignIn {
	p, api := r.Page, apiName(r)
	m := views.SignIn{Page: page, Form: form, Combined: !p.Selection, Local: p.LocalSignIn, Phone: p.PhoneSignIn, LocalSignUp: p.SignUpLink, NameID: signInInput(r),
		Email: r.Values.String("email"), PageError: r.PageError, EmailError: r.FieldErrors["signInName"], PassError: r.FieldErrors["password"]}
	m.SignUpURL, m.ForgotURL, m.ForgotAt = u.api(api, "unified", "local", "signup"), u.api(api, "forgotPassword"), p.ForgotPassword
	m.RememberMe = p.RememberMe
	m.Social = socialForm(u, api)
	for _, pr := range p.Providers {
		m.Providers = append(m.Providers, views.Provider{ID: pr.Value, ButtonID: pr.Value, DisplayName: pr.Label})
	}
	return m
}

// selfAssertedView is the self-asserted page of r.Page, or its block page.
func selfAssertedView(page views.Page, form views.Form, r *engine.Run) views.SelfAsserted {
	p := r.Page
	m := views.SelfAsserted{Page: page, Form: form, Intro: pageText(p.Intro), ContinueLabel: p.ContinueLabel, ServerError: r.PageError,
		RequiredMissing: r.RequiredMissing, PasswordMismatch: r.PasswordMismatch, FieldIncorrect: r.FieldIncorrect, Blocked: p.Blocked,
		HideContinue: p.HideContinue, HideCancel: p.HideCancel}
	for _, pf := range p.Fields {
		f := views.Field{ID: pf.ID, Label: pf.Label, InputType: pf.InputType, Type: "text", Value: r.Values.String(pf.ClaimID()),
			Required: pf.Required, Error: r.FieldErrors[pf.ClaimID()], Pattern: pf.Pattern, Invalid: pf.PatternHelp}
		if pf.Verify != nil {
			f.Verify = verificationView(pf.Verify)
		}
		switch pf.InputType {
		case "EmailBox":
			f.Type = "email"
		case "Password":
			f.Type, f.Value = "password", ""
		case "QrCodeControl", "AuthenticatorInfoControl", "AuthenticatorAppIconControl":
			f.Help, f.Value = pf.HelpText, ""
			for _, o := range pf.Options {
				f.Options = append(f.Options, views.Option{Value: o.Value, Label: o.Label})
			}
			if pf.InputType == "QrCodeControl" && len(pf.Options) > 0 {
				f.QR = qrDataURI(pf.Options[0].Value)
			}
		case "RadioSingleSelect", "DropdownSingleSelect", "CheckboxMultiSelect":
			f.InputType = "RadioSingleSelect"
			for _, o := range pf.Options {
				f.Options = append(f.Options, views.Option{Value: o.Value, Label: o.Label})
			}
		}
		m.Fields = append(m.Fields, f)
	}
	return m
}

// verificationView is a field's verification as the page shows it.
func verificationView(v *engine.Verification) *views.Verification {
	return &views.Verification{Control: v.Control, CodeField: v.CodeField, State: v.State, Message: pageText(v.Message), Error: pageText(v.Error),
		Send: v.Send, VerifyLabel: v.Verify, Resend: v.Resend, Change: v.Change, Code: v.Code}
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
	s.recordSignIn(c.Request().Context(), r)
	s.Log.Info("token issued", "run", r.ID, "policy", ar.Policy, "client_id", ar.ClientID, "sub", r.User.ObjectID, "newUser", r.NewUser)
	return s.respond(c, ar, params)
}

// withPageMessages is the run as its page shows it: a copy whose messages — the block page's,
// the page's and each field's errors, the error page's — pass through pageText. They may come
// from an API connector's or a REST technical profile's userMessage, which can hold anything.
func withPageMessages(r *engine.Run) *engine.Run {
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
