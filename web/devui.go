package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/web/views"
)

// The developer pages under /_emulator are views of the admin API: each form posts to the
// route the API has for the same action (or, where a browser cannot send the API's method, to
// a POST beside it), and the handler calls the same function the JSON request does.

// isForm reports whether a request is a plain HTML form post.
func isForm(c echo.Context) bool {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	return strings.HasPrefix(ct, echo.MIMEApplicationForm) || strings.HasPrefix(ct, echo.MIMEMultipartForm)
}

// notices are what a page says after an action redirected to it (?done=<key>). Only these
// texts can be shown, so a link cannot make a developer page say anything else.
var notices = map[string]string{
	"created":  "The user was created.",
	"updated":  "The user was saved.",
	"deleted":  "The user was deleted.",
	"revoked":  "Sign-in sessions revoked: refresh tokens issued before now are refused.",
	"imported": "The users were imported.",
	"reset":    "The emulator was reset: no users, flow runs, sessions, connector calls, emails, text messages or Conditional Access signals.",
	"cleared":  "The outbox is empty.",
}

// done answers a form post that succeeded: 303 to the page that shows the result.
func (s *server) done(c echo.Context, to, notice string) error {
	return c.Redirect(http.StatusSeeOther, to+"?done="+notice)
}

// devPage is the frame's view of a developer page.
func (s *server) devPage(c echo.Context, title, nav string) views.DevPage {
	return views.DevPage{Title: title, Nav: nav, Tenant: s.Tenant.Name, Notice: notices[c.QueryParam("done")], Done: c.QueryParam("done"), SignOut: s.AdminToken != ""}
}

// index is GET /_emulator: every page and endpoint of the emulator, HTML for a browser and
// JSON otherwise.
func (s *server) index(c echo.Context) error {
	m := views.DevIndex{DevPage: s.devPage(c, "Developer tools", "index"), Pages: devPages}
	var app *App
	if len(s.Apps) > 0 {
		app = &s.Apps[0]
	}
	for _, f := range s.Flows {
		row := s.homeRow(f)
		m.Policies = append(m.Policies, views.DevPolicy{ID: f.ID, Type: row.Type, Discovery: row.Discovery, Run: s.runURL(app, f)})
	}
	for _, op := range adminOps {
		m.Endpoints = append(m.Endpoints, views.DevLink{Method: op.method, Path: op.path, Summary: op.summary})
	}
	m.Routes = siteRoutes(s.Demo != nil)
	if wantsHTML(c) {
		return s.render(c, http.StatusOK, views.DevIndexPage(m))
	}
	type link struct {
		Method  string `json:"method,omitempty"`
		Path    string `json:"path"`
		Summary string `json:"summary"`
	}
	type policy struct {
		ID        string `json:"id"`
		Type      string `json:"type"`
		Discovery string `json:"discovery"`
		Run       string `json:"run,omitempty"`
	}
	out := struct {
		Pages     []link   `json:"pages"`
		Policies  []policy `json:"policies"`
		Endpoints []link   `json:"endpoints"`
		Routes    []link   `json:"routes"`
		OpenAPI   string   `json:"openapi"`
	}{Pages: []link{}, Policies: []policy{}, Endpoints: []link{}, Routes: []link{}, OpenAPI: "/_emulator/openapi.json"}
	for _, p := range m.Pages {
		out.Pages = append(out.Pages, link{Path: p.Path, Summary: p.Summary})
	}
	for _, p := range m.Policies {
		out.Policies = append(out.Policies, policy(p))
	}
	for _, e := range m.Endpoints {
		out.Endpoints = append(out.Endpoints, link(e))
	}
	for _, r := range m.Routes {
		out.Routes = append(out.Routes, link(r))
	}
	return c.JSON(http.StatusOK, out)
}

// devPages are the emulator's pages for a browser.
var devPages = []views.DevLink{
	{Path: "/", Summary: "The tenant's home page: its user flows and custom policies, with Run links (the tenant's branding)"},
	{Path: "/jwt", Summary: "The token viewer: decodes a token and checks its signature"},
	{Path: "/_emulator", Summary: "This index"},
	{Path: "/_emulator/users", Summary: "Users: search, view, edit, delete, revoke sessions, import, export"},
	{Path: "/_emulator/users/new", Summary: "Create a local or federated user"},
	{Path: "/_emulator/emails", Summary: "The email outbox: verification codes"},
	{Path: "/_emulator/sms", Summary: "The text message outbox: the phone factor's codes by SMS and call"},
	{Path: "/_emulator/calls", Summary: "The call inspector: API connector calls and error pages shown"},
	{Path: "/_emulator/conditionalAccess", Summary: "The fake Conditional Access signals custom policies' evaluations answer from"},
	{Path: "/_emulator/openapi.json", Summary: "The admin API's OpenAPI 3 document"},
	{Path: "/healthz", Summary: "Liveness: ok"},
}

// siteRoutes are the routes outside /_emulator: B2C's endpoints and pages under each path form
// (oidcPrefixes), and b2cemu's own pages and files. A test checks them against the routes.
func siteRoutes(demo bool) []views.DevLink {
	out := []views.DevLink{
		{Method: "GET", Path: "/", Summary: "the tenant's home page"},
		{Method: "GET", Path: "/healthz", Summary: "liveness"},
		{Method: "GET", Path: "/jwt", Summary: "the token viewer"},
		{Method: "POST", Path: "/jwt", Summary: "the token viewer, for a form_post answer or a pasted token"},
		{Method: "GET", Path: "/_branding.css", Summary: "the tenant's colours"},
		{Method: "GET", Path: "/_branding/logo", Summary: "the tenant's logo"},
		{Method: "GET", Path: "/_branding/background", Summary: "the tenant's background image (branding.backgroundImage)"},
		{Method: "GET", Path: "/_pages/{n}/*", Summary: "the files beside a custom page loaded from a file (docs/pages.md)"},
		{Method: "GET", Path: "/_static/*", Summary: "the embedded stylesheets and scripts"},
		{Method: "GET", Path: "/favicon.ico", Summary: "b2cemu's icon"},
	}
	for _, p := range oidcPrefixes {
		p = strings.NewReplacer(":tenant", "{tenant}", ":policy", "{policy}").Replace(p)
		out = append(out,
			views.DevLink{Method: "GET", Path: p + "/v2.0/.well-known/openid-configuration", Summary: "OpenID configuration"},
			views.DevLink{Method: "GET", Path: p + "/discovery/v2.0/keys", Summary: "the signing keys (JWKS)"},
			views.DevLink{Method: "GET", Path: p + "/oauth2/v2.0/authorize", Summary: "authorize: the first page of a run"},
			views.DevLink{Method: "POST", Path: p + "/oauth2/v2.0/authorize", Summary: "authorize, posted"},
			views.DevLink{Method: "POST", Path: p + "/oauth2/v2.0/token", Summary: "token: codes and refresh tokens"},
			views.DevLink{Method: "OPTIONS", Path: p + "/oauth2/v2.0/token", Summary: "token, CORS preflight"},
			views.DevLink{Method: "GET", Path: p + "/oauth2/v2.0/logout", Summary: "sign out"})
	}
	out = append(out,
		views.DevLink{Method: "POST", Path: "/{tenant}/{policy}/SelfAsserted", Summary: "a page's submission (docs/pages.md)"},
		views.DevLink{Method: "POST", Path: "/{tenant}/{policy}/SelfAsserted/DisplayControlAction/vbeta/{control}/{action}", Summary: "a display control's action"},
		views.DevLink{Method: "GET", Path: "/{tenant}/{policy}/api/{page}/confirmed", Summary: "the page after a submission"},
		views.DevLink{Method: "GET", Path: "/{tenant}/{policy}/api/{page}/unified", Summary: "the unified page's links"},
		views.DevLink{Method: "GET", Path: "/{tenant}/{policy}/api/{page}/forgotPassword", Summary: "Forgot your password?"},
		views.DevLink{Method: "GET", Path: "/{tenant}/{policy}/api/{page}/identity", Summary: "the fake identity provider's check: does a typed identity already have a user?"})
	if demo {
		out = append(out, views.DevLink{Method: "*", Path: "/demo/api/*", Summary: "the demo tenant's API connector"})
	}
	return out
}

// usersPage is GET /_emulator/users for a browser.
func (s *server) usersPage(c echo.Context) error {
	return s.usersPageWith(c, http.StatusOK, "")
}

func (s *server) usersPageWith(c echo.Context, status int, problem string) error {
	q := c.QueryParam("q")
	m := views.DevUsers{DevPage: s.devPage(c, "Users", "users"), Query: q, Total: len(s.Admin.Users())}
	m.Problem = problem
	for _, u := range s.findUsers(q) {
		m.Users = append(m.Users, userRow(u))
	}
	return s.render(c, status, views.DevUsersPage(m))
}

// devTime is how the developer pages show a time.
func devTime(t interface{ Format(string) string }) string {
	return t.Format("2006-01-02 15:04:05Z07:00")
}

func userRow(u *engine.User) views.DevUserRow {
	row := views.DevUserRow{ObjectID: u.ObjectID, Name: u.Attributes.String("displayName"), Created: devTime(u.Created.UTC()), Kind: "local"}
	if !u.LastSignIn.IsZero() {
		row.LastSignIn = devTime(u.LastSignIn.UTC())
	}
	if len(u.Identities) > 0 {
		id := u.Identities[0]
		row.SignInName = id.IssuerAssignedID
		if id.SignInType == "federated" {
			row.SignInName = id.Issuer + ": " + id.IssuerAssignedID
		}
	}
	if !local(u) {
		row.Kind = "federated"
	}
	return row
}

// userPage shows one user; form, when not nil, holds a refused edit's values.
func (s *server) userPage(c echo.Context, u *engine.User, form url.Values, problem string) error {
	m := views.DevUser{DevPage: s.devPage(c, "User "+u.ObjectID, "users"), ObjectID: u.ObjectID, Created: devTime(u.Created.UTC()),
		Local: local(u), Attrs: s.devAttrs(u.Attributes, form)}
	m.Problem = problem
	if !u.LastSignIn.IsZero() {
		m.LastSignIn = devTime(u.LastSignIn.UTC())
	}
	m.RevokedAt = u.Attributes.String(RefreshTokensValidFrom)
	for _, id := range u.Identities {
		m.Identities = append(m.Identities, views.DevIdentity{SignInType: id.SignInType, Issuer: id.Issuer, IssuerAssignedID: id.IssuerAssignedID})
	}
	for k, v := range shownAttributes(u.Attributes) {
		if _, ok := s.Schema.Lookup(k); !ok && k != RefreshTokensValidFrom {
			m.Other = append(m.Other, views.Hidden{Name: k, Value: fmt.Sprint(v)})
		}
	}
	sort.Slice(m.Other, func(i, j int) bool { return m.Other[i].Name < m.Other[j].Name })
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	}
	return s.render(c, status, views.DevUserPage(m))
}

// devAttrs are the tenant's attributes as form fields, filled from values or, where the
// form has it, from form.
func (s *server) devAttrs(values engine.Claims, form url.Values) []views.DevAttr {
	var out []views.DevAttr
	for _, a := range s.Schema.All() {
		label := a.Label
		if label == "" {
			label = a.Name
		}
		v := attrText(values[a.Name])
		if form != nil {
			if fv, ok := form["attr."+a.Name]; ok && len(fv) > 0 {
				v = fv[0]
			}
		}
		out = append(out, views.DevAttr{Name: a.Name, Label: label, Type: string(a.DataType), Value: v})
	}
	return out
}

func attrText(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// formAttributes are a form's attribute fields (attr.<name>) as the JSON API's attribute
// values: an Int as a JSON number, a Boolean as true or false. A field equal to the current
// value is left out; an emptied one is null, which removes the attribute.
func (s *server) formAttributes(f url.Values, current engine.Claims) map[string]any {
	out := map[string]any{}
	for _, a := range s.Schema.All() {
		vals, ok := f["attr."+a.Name]
		if !ok || len(vals) == 0 {
			continue
		}
		v := strings.TrimSpace(vals[0])
		old, had := current[a.Name]
		switch {
		case v == attrText(old) && (had || v == ""):
			continue
		case v == "":
			out[a.Name] = nil
		case a.DataType == attributes.Int:
			out[a.Name] = json.Number(v)
		case a.DataType == attributes.Boolean && (v == "true" || v == "false"):
			out[a.Name] = v == "true"
		default:
			out[a.Name] = v
		}
	}
	return out
}

// newUserPage is the form that creates a user.
func (s *server) newUserPage(c echo.Context) error {
	m := views.DevNewUser{DevPage: s.devPage(c, "Create a user", "users"), Kind: "local", Attrs: s.devAttrs(nil, nil)}
	return s.render(c, http.StatusOK, views.DevNewUserPage(m))
}

// createUserForm is POST /_emulator/users from the form: the API's create with the form's
// fields.
func (s *server) createUserForm(c echo.Context) error {
	f, err := c.FormParams()
	if err != nil {
		return errPage(http.StatusBadRequest, "", "The form could not be read: %v.", err)
	}
	req := newUser{ObjectID: strings.TrimSpace(f.Get("objectId")), Attributes: s.formAttributes(f, nil)}
	if f.Get("kind") == "federated" {
		req.Identities = []engine.Identity{{SignInType: "federated", Issuer: strings.TrimSpace(f.Get("issuer")), IssuerAssignedID: strings.TrimSpace(f.Get("issuerAssignedId"))}}
	} else {
		req.Email, req.Password = strings.TrimSpace(f.Get("email")), f.Get("password")
		if f.Get("weakPassword") != "" {
			req.PasswordPolicies = "DisableStrongPassword"
		}
	}
	u, refused, err := s.create(c.Request().Context(), req)
	if err != nil {
		return err
	}
	if refused != nil {
		m := views.DevNewUser{DevPage: s.devPage(c, "Create a user", "users"), Kind: f.Get("kind"), ObjectID: req.ObjectID,
			Email: f.Get("email"), Issuer: f.Get("issuer"), IssuerAssigned: f.Get("issuerAssignedId"), Weak: f.Get("weakPassword") != "", Attrs: s.devAttrs(nil, f)}
		m.Problem = refused.text()
		return s.render(c, refused.status, views.DevNewUserPage(m))
	}
	return s.done(c, "/_emulator/users/"+url.PathEscape(u.ObjectID), "created")
}

// updateUserForm is POST /_emulator/users/{id}/update: the API's PATCH with the form's
// changed fields.
func (s *server) updateUserForm(c echo.Context) error {
	if !isForm(c) {
		return apiError(c, http.StatusUnsupportedMediaType, "POST %s takes the user page's form; scripts send PATCH /_emulator/users/{objectId} with JSON", c.Request().URL.Path)
	}
	ctx := c.Request().Context()
	u, err := s.Admin.User(ctx, c.Param("id"))
	if err != nil {
		return s.noUser(c)
	}
	f, err := c.FormParams()
	if err != nil {
		return errPage(http.StatusBadRequest, "", "The form could not be read: %v.", err)
	}
	req := userPatch{Attributes: s.formAttributes(f, u.Attributes)}
	if pw := f.Get("password"); pw != "" {
		req.Password = pw
		if f.Get("weakPassword") != "" {
			req.PasswordPolicies = "DisableStrongPassword"
		}
	}
	refused, err := s.update(ctx, u.ObjectID, req)
	switch {
	case errors.Is(err, errNoUser):
		return s.noUser(c)
	case err != nil:
		return err
	case refused != nil:
		return s.userPage(c, u, f, refused.text())
	}
	return s.done(c, "/_emulator/users/"+url.PathEscape(u.ObjectID), "updated")
}

// importUsersForm is POST /_emulator/users/import from the page: the file field's export,
// imported as the API imports a body.
func (s *server) importUsersForm(c echo.Context) error {
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, MaxImport+64<<10)
	fh, err := c.FormFile("file")
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return s.usersPageWith(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than the import's limit of %d MiB.", MaxImport>>20))
	case err != nil:
		return s.usersPageWith(c, http.StatusBadRequest, "Choose an export of users (a JSON file) to import.")
	}
	file, err := fh.Open()
	if err != nil {
		return fmt.Errorf("opening the uploaded import: %w", err)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, MaxImport+1))
	if err != nil {
		return fmt.Errorf("reading the uploaded import: %w", err)
	}
	if len(data) > MaxImport {
		return s.usersPageWith(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than the import's limit of %d MiB.", MaxImport>>20))
	}
	n, refused := s.importData(data)
	if refused != nil {
		return s.usersPageWith(c, refused.status, refused.text())
	}
	return c.Redirect(http.StatusSeeOther, "/_emulator/users?done=imported&n="+strconv.Itoa(n))
}

// smsPage is GET /_emulator/sms for a browser.
func (s *server) smsPage(c echo.Context, to string, msgs []SMS) error {
	m := views.DevSMSs{DevPage: s.devPage(c, "Text message outbox", "sms"), To: to}
	for _, e := range msgs {
		m.Messages = append(m.Messages, views.DevSMS{Time: devTime(e.Time.UTC()), To: e.To, Channel: e.Channel, Code: e.Code,
			Policy: e.Policy, RunID: e.RunID})
	}
	return s.render(c, http.StatusOK, views.DevSMSPage(m))
}

// emailsPage is GET /_emulator/emails for a browser.
func (s *server) emailsPage(c echo.Context, to string, emails []Email) error {
	m := views.DevEmails{DevPage: s.devPage(c, "Email outbox", "emails"), To: to}
	for _, e := range emails {
		m.Emails = append(m.Emails, views.DevEmail{Time: devTime(e.Time.UTC()), To: e.To, Subject: e.Subject, Code: e.Code,
			Policy: e.Policy, TechnicalProfile: e.TechnicalProfile, RunID: e.RunID})
	}
	return s.render(c, http.StatusOK, views.DevEmailsPage(m))
}

// text is the refusal as one sentence, as the JSON answer's message has it.
func (r *refusal) text() string { return strings.TrimSpace(r.graph + " " + r.message) }

// The admin token in a browser: the login form (or ?token= once) sets a cookie that holds a
// hash of the token, never the token, so the token is in no page, URL or cookie after it.

// adminCookieValue is the cookie a browser that gave the admin token holds.
func (s *server) adminCookieValue() string {
	sum := sha256.Sum256([]byte("b2cemu admin cookie\x00" + s.AdminToken))
	return hex.EncodeToString(sum[:])
}

func (s *server) isAdminToken(v string) bool {
	return subtle.ConstantTimeCompare([]byte(v), []byte(s.AdminToken)) == 1
}

func (s *server) hasAdminCookie(c echo.Context) bool {
	ck, err := c.Cookie(adminCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(ck.Value), []byte(s.adminCookieValue())) == 1
}

func (s *server) setAdminCookie(c echo.Context, value string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: adminCookie, Value: value, Path: "/_emulator", MaxAge: maxAge, HttpOnly: true,
		Secure: c.IsTLS(), SameSite: http.SameSiteStrictMode})
}

// safeNext is where a sign-in goes: a developer page, never another site.
func safeNext(next string) string {
	if (next == "/_emulator" || strings.HasPrefix(next, "/_emulator/") || strings.HasPrefix(next, "/_emulator?")) &&
		!strings.ContainsAny(next, "\\\r\n") && !strings.HasPrefix(next, "/_emulator/login") {
		return next
	}
	return "/_emulator"
}

// loginPage is GET /_emulator/login: the form that takes the admin token.
func (s *server) loginPage(c echo.Context) error {
	if s.AdminToken == "" || s.hasAdminCookie(c) {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	return s.loginForm(c, http.StatusOK, safeNext(c.QueryParam("next")), false)
}

func (s *server) loginForm(c echo.Context, status int, next string, failed bool) error {
	m := views.DevLogin{DevPage: views.DevPage{Title: "Admin token", Tenant: s.Tenant.Name}, Next: next, Failed: failed}
	c.Response().Header().Set("WWW-Authenticate", `Bearer realm="b2cemu admin"`)
	return s.render(c, status, views.DevLoginPage(m))
}

// login is POST /_emulator/login: a right token sets the cookie and goes on to next.
func (s *server) login(c echo.Context) error {
	next := safeNext(c.FormValue("next"))
	if s.AdminToken == "" {
		return c.Redirect(http.StatusSeeOther, next)
	}
	if !s.isAdminToken(c.FormValue("token")) {
		s.Log.Warn("developer tools: a sign-in with a wrong admin token was refused", "remote", c.RealIP())
		return s.loginForm(c, http.StatusUnauthorized, next, true)
	}
	s.setAdminCookie(c, s.adminCookieValue(), 0)
	return c.Redirect(http.StatusSeeOther, next)
}

// signOut is POST /_emulator/logout: the browser forgets the admin token.
func (s *server) signOut(c echo.Context) error {
	s.setAdminCookie(c, "", -1)
	return c.Redirect(http.StatusSeeOther, "/_emulator/login")
}

// withoutToken is the request's URL without its token parameter.
func withoutToken(u *url.URL) string {
	q := u.Query()
	q.Del("token")
	out := u.Path
	if len(q) > 0 {
		out += "?" + q.Encode()
	}
	return out
}
