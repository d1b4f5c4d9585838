package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// Admin is the emulator's state, as the admin API sees it.
type Admin interface {
	Users() []*engine.User
	User(ctx context.Context, objectID string) (*engine.User, error)
	FindByIdentity(ctx context.Context, id engine.Identity) (*engine.User, error)
	CreateUser(ctx context.Context, u *engine.User, password string) error // assigns the object id when empty
	DeleteUser(objectID string) (bool, error)
	// RecordSignIn sets the user's last sign-in time (Graph's
	// signInActivity.lastSignInDateTime); directory.ErrNotFound for an unknown user.
	RecordSignIn(ctx context.Context, objectID string, at time.Time) error
	// UpdateUser sets attrs (a nil value removes the attribute) and, when not empty, the password.
	UpdateUser(ctx context.Context, objectID string, attrs engine.Claims, password string) (*engine.User, error)
	// RevokeSignInSessions sets the user's refreshTokensValidFromDateTime to now, as Microsoft
	// Graph's revokeSignInSessions does: refresh tokens issued before it are refused.
	RevokeSignInSessions(ctx context.Context, objectID string) (*engine.User, error)
	ExportUsers() ([]byte, error)
	ImportUsers(data []byte) (int, error)
	// Reset returns the emulator to its start state: no users, flow runs, codes, refresh
	// tokens, SSO sessions or calls; the clock and the id sequence as configured.
	Reset() error
	KeyIDs() (all []string, active string)
	// Emails are the verification emails b2cemu would have sent, newest first.
	Emails() []Email
	ClearEmails()
	// SMS are the phone factor's text messages and calls b2cemu would have sent, newest first.
	SMS() []SMS
	ClearSMS()
	Clock() ClockState
	SetClock(ClockChange) (ClockState, error)
	// CASignals are the fake Conditional Access signals; SetCASignal sets a user's (by object
	// id) or, for "", the global one; ClearCASignal removes a user's, reporting whether it
	// had one, or for "" every signal.
	CASignals() CASignals
	SetCASignal(userID string, s CASignal)
	ClearCASignal(userID string) bool
}

// Email is a verification email of a custom policy's page, kept in the outbox instead of
// being sent.
type Email struct {
	Time             time.Time `json:"time"`
	RunID            string    `json:"runId"`
	Policy           string    `json:"policy"`
	TechnicalProfile string    `json:"technicalProfile"`
	To               string    `json:"to"`
	Subject          string    `json:"subject"`
	Code             string    `json:"code"`
}

// SMS is a phone code b2cemu would have sent by text message or read out in a call, kept in
// the phone outbox instead.
type SMS struct {
	Time    time.Time `json:"time"`
	RunID   string    `json:"runId"`
	Policy  string    `json:"policy"`
	To      string    `json:"to"`      // the number, E.164 (+15555550100)
	Channel string    `json:"channel"` // "sms" or "call"
	Message string    `json:"message"` // the text sent, or what the call says
	Code    string    `json:"code"`
}

// ClockState is the emulator's clock.
type ClockState struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
	Offset string    `json:"offset"` // from the real time, e.g. "2h0m0s"
}

// ClockChange is a PUT /_emulator/clock request: freeze at a time, run from a time, shift by an
// offset, advance, or go back to the real time ({"real": true}).
type ClockChange struct {
	Time    *time.Time `json:"time,omitempty"`
	Frozen  *bool      `json:"frozen,omitempty"`
	Offset  string     `json:"offset,omitempty"`
	Advance string     `json:"advance,omitempty"`
	Real    bool       `json:"real,omitempty"`
}

// adminCookie keeps a browser's sign-in to the developer tools (a hash of the admin token).
const adminCookie = "b2cemu-admin"

// requireAdmin guards /_emulator when admin.token is set: a bearer token, or the cookie a
// browser gets from the sign-in form (or by opening a page once with ?token=, which a page
// then drops from its address). Without either, a browser gets the sign-in form (401) and a
// script the API's 401.
func (s *server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.AdminToken == "" {
			return next(c)
		}
		if auth := c.Request().Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") && s.isAdminToken(strings.TrimPrefix(auth, "Bearer ")) {
			return next(c)
		}
		if s.hasAdminCookie(c) {
			return next(c)
		}
		req := c.Request()
		if t := c.QueryParam("token"); t != "" && s.isAdminToken(t) {
			s.setAdminCookie(c, s.adminCookieValue(), 0)
			if req.Method == http.MethodGet && wantsHTML(c) {
				return c.Redirect(http.StatusSeeOther, withoutToken(req.URL))
			}
			return next(c)
		}
		if wantsHTML(c) || isForm(c) {
			back := "/_emulator"
			if req.Method == http.MethodGet {
				back = withoutToken(req.URL)
			}
			return s.loginForm(c, http.StatusUnauthorized, safeNext(back), false)
		}
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="b2cemu admin"`)
		return apiError(c, http.StatusUnauthorized, "the admin API needs the admin token (admin.token): send Authorization: Bearer <token>, or sign in at /_emulator/login in a browser")
	}
}

// userJSON is a user as the admin API shows it.
type userJSON struct {
	ObjectID       string            `json:"objectId"`
	Identities     []engine.Identity `json:"identities"`
	Attributes     map[string]any    `json:"attributes"`
	Created        time.Time         `json:"createdDateTime"`
	SignInActivity *SignInActivity   `json:"signInActivity,omitempty"`
}

// SignInActivity is Microsoft Graph's signInActivity of a user: its last interactive sign-in.
type SignInActivity struct {
	LastSignInDateTime time.Time `json:"lastSignInDateTime"`
}

// SignInActivityOf is u's sign-in activity, nil when it never signed in (Graph omits it then).
func SignInActivityOf(u *engine.User) *SignInActivity {
	if u.LastSignIn.IsZero() {
		return nil
	}
	return &SignInActivity{LastSignInDateTime: u.LastSignIn.UTC()}
}

func toJSON(u *engine.User) userJSON {
	return userJSON{ObjectID: u.ObjectID, Identities: u.Identities, Attributes: shownAttributes(u.Attributes), Created: u.Created, SignInActivity: SignInActivityOf(u)}
}

// shownAttributes are a user's attributes without its authenticator app's key, which is a
// secret: the admin API and the user page say only that the app is registered.
func shownAttributes(a engine.Claims) engine.Claims {
	if _, ok := a[codes.TOTPAttribute]; !ok {
		return a
	}
	out := a.Clone()
	delete(out, codes.TOTPAttribute)
	out["authenticatorApp"] = "registered"
	return out
}

// errNoUser is an action on a user that does not exist.
var errNoUser = errors.New("no such user")

// recordSignIn notes that a run signed its user in, for the user's signInActivity. A run's
// token does not wait on it: a failure is logged.
func (s *server) recordSignIn(ctx context.Context, r *engine.Run) {
	if s.Admin == nil || r.User == nil || r.User.ObjectID == "" {
		return
	}
	if err := s.Admin.RecordSignIn(ctx, r.User.ObjectID, s.Now().UTC()); err != nil && !errors.Is(err, directory.ErrNotFound) {
		s.Log.Warn("recording the last sign-in", "sub", r.User.ObjectID, "err", err)
	}
}

// findUsers is the users matching q (case-insensitively, in the object id, an identity or an
// attribute value; "" matches all), oldest first.
func (s *server) findUsers(q string) []*engine.User {
	users := s.Admin.Users()
	sort.Slice(users, func(i, j int) bool {
		if !users[i].Created.Equal(users[j].Created) {
			return users[i].Created.Before(users[j].Created)
		}
		return users[i].ObjectID < users[j].ObjectID
	})
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return users
	}
	var out []*engine.User
	for _, u := range users {
		if userMatches(u, q) {
			out = append(out, u)
		}
	}
	return out
}

func userMatches(u *engine.User, q string) bool {
	has := func(v string) bool { return strings.Contains(strings.ToLower(v), q) }
	if has(u.ObjectID) {
		return true
	}
	for _, id := range u.Identities {
		if has(id.IssuerAssignedID) || has(id.Issuer) {
			return true
		}
	}
	for _, v := range shownAttributes(u.Attributes) {
		if has(fmt.Sprint(v)) {
			return true
		}
	}
	return false
}

func (s *server) listUsers(c echo.Context) error {
	if wantsHTML(c) {
		return s.usersPage(c)
	}
	users := s.findUsers(c.QueryParam("q"))
	out := make([]userJSON, 0, len(users))
	for _, u := range users {
		out = append(out, toJSON(u))
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out})
}

func (s *server) getUser(c echo.Context) error {
	u, err := s.Admin.User(c.Request().Context(), c.Param("id"))
	if err != nil {
		return s.noUser(c)
	}
	if wantsHTML(c) {
		return s.userPage(c, u, nil, "")
	}
	return c.JSON(http.StatusOK, toJSON(u))
}

// noUser answers a request about a user that does not exist: the page for a browser, the
// API's error otherwise.
func (s *server) noUser(c echo.Context) error {
	if wantsHTML(c) || isForm(c) {
		return s.usersPageWith(c, http.StatusNotFound, fmt.Sprintf("There is no user %q: it was deleted, or the emulator was reset.", c.Param("id")))
	}
	return apiError(c, http.StatusNotFound, "no user %q", c.Param("id"))
}

// removeUser deletes a user; errNoUser when there is none.
func (s *server) removeUser(id string) error {
	found, err := s.Admin.DeleteUser(id)
	if err != nil {
		return fmt.Errorf("deleting user %s: %w", id, err)
	}
	if !found {
		return errNoUser
	}
	return nil
}

func (s *server) deleteUser(c echo.Context) error {
	if err := s.removeUser(c.Param("id")); err != nil {
		if errors.Is(err, errNoUser) {
			return s.noUser(c)
		}
		return err
	}
	if isForm(c) {
		return s.done(c, "/_emulator/users", "deleted")
	}
	return c.NoContent(http.StatusNoContent)
}

// revokeSessions is Graph's revokeSignInSessions for one user; it answers as Graph does.
func (s *server) revokeSessions(c echo.Context) error {
	if _, err := s.Admin.RevokeSignInSessions(c.Request().Context(), c.Param("id")); err != nil {
		if errors.Is(err, directory.ErrNotFound) {
			return s.noUser(c)
		}
		return err
	}
	if isForm(c) {
		return s.done(c, "/_emulator/users/"+url.PathEscape(c.Param("id")), "revoked")
	}
	return c.JSON(http.StatusOK, map[string]bool{"value": true})
}

// newUser is a POST /_emulator/users request: a local account (email and password) or
// federated identities, and attribute values. PasswordPolicies is Graph's user property:
// "DisableStrongPassword" lets a test seed a weak password.
type newUser struct {
	ObjectID         string            `json:"objectId,omitempty"`
	Email            string            `json:"email,omitempty"`
	Password         string            `json:"password,omitempty"`
	PasswordPolicies string            `json:"passwordPolicies,omitempty"`
	Identities       []engine.Identity `json:"identities,omitempty"`
	Attributes       map[string]any    `json:"attributes,omitempty"`
}

func (s *server) createUser(c echo.Context) error {
	if isForm(c) {
		return s.createUserForm(c)
	}
	var req newUser
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, 1<<20))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		return graphError(c, badBody(err, "the request is not a user", 1<<20))
	}
	u, refused, err := s.create(c.Request().Context(), req)
	if err != nil {
		return err
	}
	if refused != nil {
		return graphError(c, refused)
	}
	return c.JSON(http.StatusCreated, toJSON(u))
}

// create checks and stores the user req describes: the one way users are created, from JSON
// and from the form alike.
func (s *server) create(ctx context.Context, req newUser) (*engine.User, *refusal, error) {
	u, refused := s.newUser(req)
	if refused == nil {
		refused = s.checkUser(u, "")
	}
	if refused != nil {
		return nil, refused, nil
	}
	if err := s.Admin.CreateUser(ctx, u, req.Password); err != nil {
		switch {
		case errors.Is(err, directory.ErrObjectIDTaken):
			return nil, conflict("objectId", "Delete that user first, or leave objectId out to have one assigned."), nil
		case errors.Is(err, directory.ErrExists):
			return nil, conflict("identities", "An identity (issuer and issuerAssignedId) of the request belongs to another user."), nil
		}
		return nil, nil, fmt.Errorf("creating a user: %w", err)
	}
	return u, nil, nil
}

// newUser builds the user a request describes, refusing what is missing or of the wrong type.
func (s *server) newUser(req newUser) (*engine.User, *refusal) {
	u := &engine.User{ObjectID: req.ObjectID, Identities: req.Identities, Attributes: engine.Claims{}, Created: s.Now()}
	if req.Email != "" {
		if !attributes.ValidEmail(req.Email) {
			return nil, invalid("email", fmt.Sprintf("%q is not an email address; a local account signs in with one (name@example.com).", short(req.Email)))
		}
		if err := checkPassword(req.Password, req.PasswordPolicies); err != nil {
			return nil, err
		}
		u.Identities = append(u.Identities, engine.Identity{SignInType: "emailAddress", Issuer: s.Tenant.Name + ".onmicrosoft.com", IssuerAssignedID: req.Email})
		u.Attributes["email"] = req.Email
	} else if err := identitiesPassword(req); err != nil {
		return nil, err
	}
	if len(u.Identities) == 0 {
		return nil, invalid("identities", "Give email and password for a local account, or identities for a federated one.")
	}
	attrs, refused := s.attributes(req.Attributes, false)
	if refused != nil {
		return nil, refused
	}
	for k, v := range attrs {
		u.Attributes[k] = v
	}
	return u, nil
}

// identitiesPassword checks the password of a user whose local account comes as identities
// (no email): only an emailAddress or userName identity signs in with one, and a username
// account needs one, as it has no other way to sign in.
func identitiesPassword(req newUser) *refusal {
	withPassword, userName := false, false
	for _, id := range req.Identities {
		withPassword = withPassword || passwordIdentity(id)
		userName = userName || id.SignInType == directory.UserNameSignIn
	}
	switch {
	case req.Password != "" && !withPassword:
		return invalid("password", "A password needs a local account: give email, or an emailAddress or userName identity (a phoneNumber account signs in with a code).")
	case req.Password == "" && !userName:
		return nil
	}
	return checkPassword(req.Password, req.PasswordPolicies)
}

// attributes are a request's attribute values under the tenant's names, each of its
// attribute's type. With clear, a null value stays nil: PATCH removes that attribute, as
// Graph clears a property set to null.
func (s *server) attributes(in map[string]any, clear bool) (engine.Claims, *refusal) {
	out := engine.Claims{}
	for k, v := range in {
		a, ok := s.Schema.Lookup(strings.TrimPrefix(k, "extension_"))
		if !ok {
			return nil, invalid(k, fmt.Sprintf("%q is not an attribute of the tenant; use a built-in Graph name (displayName) or a custom attribute's name (LoyaltyNumber or extension_LoyaltyNumber).", k))
		}
		if v == nil && clear {
			out[a.Name] = nil
			continue
		}
		val, err := typed(a, v)
		if err != nil {
			return nil, invalid(k, fmt.Sprintf("The attribute %q is of type %s: %v.", k, a.DataType, err))
		}
		out[a.Name] = val
	}
	return out, nil
}

// userPatch is a PATCH /_emulator/users/{objectId} request: Graph's partial update. Only
// what it names changes; an attribute set to null is removed.
type userPatch struct {
	Password         string         `json:"password,omitempty"`
	PasswordPolicies string         `json:"passwordPolicies,omitempty"`
	Attributes       map[string]any `json:"attributes,omitempty"`
}

// updateUser answers as Graph's PATCH /users/{id} does: 204 without a body.
func (s *server) updateUser(c echo.Context) error {
	var req userPatch
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, 1<<20))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		return graphError(c, badBody(err, "the request is not a user update (password, passwordPolicies, attributes)", 1<<20))
	}
	refused, err := s.update(c.Request().Context(), c.Param("id"), req)
	switch {
	case errors.Is(err, errNoUser):
		return s.noUser(c)
	case err != nil:
		return err
	case refused != nil:
		return graphError(c, refused)
	}
	return c.NoContent(http.StatusNoContent)
}

// update applies a patch to a user, checked as create checks a new user: the one way users are
// changed, from JSON and from the form alike. errNoUser when there is no such user.
func (s *server) update(ctx context.Context, id string, req userPatch) (*refusal, error) {
	u, err := s.Admin.User(ctx, id)
	if err != nil {
		return nil, errNoUser
	}
	attrs, refused := s.patched(u, req)
	if refused != nil {
		return refused, nil
	}
	if _, err := s.Admin.UpdateUser(ctx, u.ObjectID, attrs, req.Password); err != nil {
		if errors.Is(err, directory.ErrNotFound) {
			return nil, errNoUser
		}
		return nil, fmt.Errorf("updating user %s: %w", u.ObjectID, err)
	}
	return nil, nil
}

// patched checks a patch as create checks a new user, on the user it would make; it returns
// the attribute changes.
func (s *server) patched(u *engine.User, req userPatch) (engine.Claims, *refusal) {
	if req.Password != "" || req.PasswordPolicies != "" {
		if !hasPassword(u) {
			return nil, invalid("password", "A password is only for a local account with an email address or a username; this user signs in with a federated identity or a phone number.")
		}
		if err := checkPassword(req.Password, req.PasswordPolicies); err != nil {
			return nil, err
		}
	}
	attrs, refused := s.attributes(req.Attributes, true)
	if refused != nil {
		return nil, refused
	}
	next := *u
	next.Attributes = engine.Claims{}
	for k, v := range u.Attributes {
		next.Attributes[k] = v
	}
	for k, v := range attrs {
		next.Attributes[k] = v
	}
	return attrs, s.checkUser(&next, "")
}

// local reports whether u has a local account (an email address, a username or a phone
// number of the tenant) rather than federated identities only.
func local(u *engine.User) bool {
	for _, id := range u.Identities {
		if id.SignInType != "federated" {
			return true
		}
	}
	return false
}

// hasPassword reports whether u signs in with a password: an email address or a username
// (a phone number account signs in with a code).
func hasPassword(u *engine.User) bool {
	for _, id := range u.Identities {
		if passwordIdentity(id) {
			return true
		}
	}
	return false
}

func passwordIdentity(id engine.Identity) bool {
	return id.SignInType == "emailAddress" || id.SignInType == directory.UserNameSignIn
}

// MaxPasswordLength is the longest password B2C takes (its custom complexity's maximum).
const MaxPasswordLength = 256

// checkPassword applies B2C's default password complexity, or with Graph's
// passwordPolicies "DisableStrongPassword" only the length limits.
func checkPassword(password, policies string) *refusal {
	weakOK := false
	for _, p := range strings.Split(policies, ",") {
		switch strings.TrimSpace(p) {
		case "":
		case "DisableStrongPassword":
			weakOK = true
		case "DisablePasswordExpiration":
		default:
			return invalid("passwordPolicies", fmt.Sprintf("%q is not a password policy; Graph knows DisableStrongPassword and DisablePasswordExpiration (comma-separated).", p))
		}
	}
	n := len([]rune(password))
	switch {
	case n == 0:
		return invalid("password", "A local account needs a password.")
	case n > MaxPasswordLength:
		return invalid("password", fmt.Sprintf("The password has %d characters; B2C takes at most %d.", n, MaxPasswordLength))
	case !weakOK && !attributes.StrongPassword(password):
		return invalid("password", "The password does not meet B2C's default complexity: 8 to 64 characters with 3 of 4 kinds (lowercase, uppercase, digits, symbols). "+
			`Use a stronger one, or send "passwordPolicies": "DisableStrongPassword" to seed a weak password on purpose.`)
	}
	return nil
}

// guid matches an object id as Graph writes it.
var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Graph's limits for a user's identities (objectIdentity).
const (
	maxIssuer           = 512
	maxIssuerAssignedID = 64
)

// checkUser applies Graph's rules for a user: a GUID object id (when given), identities of a
// known sign-in type within Graph's lengths, local identities that are email addresses, and the
// rules of the tenant's attributes (their lengths, no < or > in displayName). at prefixes the
// property names ("users[3].").
func (s *server) checkUser(u *engine.User, at string) *refusal {
	if u.ObjectID != "" && !guid.MatchString(u.ObjectID) {
		return invalid(at+"objectId", fmt.Sprintf("%q is not a GUID; give one such as 4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f, or leave objectId out to have one assigned.", short(u.ObjectID)))
	}
	for i, id := range u.Identities {
		if r := s.checkIdentity(id, fmt.Sprintf("%sidentities[%d]", at, i)); r != nil {
			return r
		}
	}
	for _, a := range s.Schema.All() {
		v, ok := u.Attributes[a.Name]
		if !ok || v == nil {
			continue
		}
		if err := a.Check(v); err != nil && sameType(a, v) {
			return invalid(at+"attributes."+a.Name, fmt.Sprintf("The value %s.", err.Rule))
		}
	}
	return nil
}

// userNameRe is Graph's rule for a userName identity: it begins with a letter or a digit and
// holds only letters, digits, - and _.
var userNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// checkIdentity applies Graph's objectIdentity rules to one identity at prop: a known sign-in
// type with an issuer and an id within Graph's lengths; a local one (not federated) of the
// tenant's own domain, an email address, a username or an E.164 phone number.
func (s *server) checkIdentity(id engine.Identity, prop string) *refusal {
	known := map[string]bool{"federated": true, "emailAddress": true, directory.UserNameSignIn: true, directory.PhoneSignIn: true}
	domain := s.Tenant.Name + ".onmicrosoft.com"
	name := id.IssuerAssignedID
	switch {
	case !known[id.SignInType] || id.Issuer == "" || name == "":
		return invalid(prop, "An identity needs signInType (federated, emailAddress, userName or phoneNumber), issuer and issuerAssignedId.")
	case len([]rune(id.Issuer)) > maxIssuer:
		return invalid(prop+".issuer", fmt.Sprintf("The issuer has %d characters; Graph allows at most %d.", len([]rune(id.Issuer)), maxIssuer))
	case len([]rune(name)) > maxIssuerAssignedID:
		return invalid(prop+".issuerAssignedId", fmt.Sprintf("The issuerAssignedId has %d characters; Graph allows at most %d.", len([]rune(name)), maxIssuerAssignedID))
	case id.SignInType != "federated" && !strings.EqualFold(id.Issuer, domain):
		return invalid(prop+".issuer", fmt.Sprintf("A local account's issuer is the tenant's domain, %s.", domain))
	case id.SignInType == "emailAddress" && !attributes.ValidEmail(name):
		return invalid(prop+".issuerAssignedId", fmt.Sprintf("%q is not an email address; a local account signs in with one (name@example.com).", short(name)))
	case id.SignInType == directory.UserNameSignIn && !userNameRe.MatchString(name):
		return invalid(prop+".issuerAssignedId", fmt.Sprintf("%q is not a username: it begins with a letter or a digit and holds only letters, digits, - and _.", short(name)))
	case id.SignInType == directory.PhoneSignIn:
		if n, msg := codes.E164("", name); msg != "" || n != name {
			return invalid(prop+".issuerAssignedId", fmt.Sprintf("%q is not a phone number in E.164 form (+15555550123).", short(name)))
		}
	}
	return nil
}

// sameType reports whether v is of a's type: an export may hold another engine's value of
// another type, which import keeps as it is.
func sameType(a attributes.Attribute, v any) bool {
	switch v.(type) {
	case string:
		return a.DataType == attributes.String
	case int64:
		return a.DataType == attributes.Int
	case bool:
		return a.DataType == attributes.Boolean
	}
	return false
}

// short cuts a value quoted in an error.
func short(v string) string {
	if r := []rune(v); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return v
}

// typed converts a JSON value to the attribute's type.
func typed(a attributes.Attribute, v any) (any, error) {
	switch a.DataType {
	case attributes.Int:
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return i, nil
			}
		}
		return nil, errors.New("want a whole number")
	case attributes.Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, errors.New("want true or false")
	}
	if str, ok := v.(string); ok {
		return str, nil
	}
	return nil, errors.New("want a string")
}

// refusal is a request the admin API refuses, answered in Microsoft Graph's error shape:
// {"error": {"code", "message", "details": [{"code", "target", "message"}]}}.
type refusal struct {
	status  int
	code    string // Graph's error code: Request_BadRequest
	detail  string // the detail's code: InvalidValue, PropertyConflict; "" for none
	target  string // the property
	graph   string // Graph's own sentence
	message string // what is wrong and the fix
}

// invalid is Graph's answer to a property with a value it refuses, plus what is wrong and the fix.
func invalid(property, fix string) *refusal {
	return &refusal{status: http.StatusBadRequest, code: "Request_BadRequest", detail: "InvalidValue", target: property,
		graph: "Invalid value specified for property '" + property + "' of resource 'User'.", message: fix}
}

// conflict is Graph's answer to a new user whose property value another user has.
func conflict(property, fix string) *refusal {
	return &refusal{status: http.StatusConflict, code: "Request_BadRequest", detail: "PropertyConflict", target: property,
		graph: "Another object with the same value for property " + property + " already exists.", message: fix}
}

// badBody refuses a body that is not JSON of the expected shape, or is over limit bytes.
func badBody(err error, what string, limit int64) *refusal {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &refusal{status: http.StatusRequestEntityTooLarge, code: "Request_BadRequest",
			message: fmt.Sprintf("The request body is larger than the limit of %d bytes (%d MiB).", limit, limit>>20)}
	}
	return &refusal{status: http.StatusBadRequest, code: "Request_BadRequest", message: fmt.Sprintf("%s: %v.", what, err)}
}

func graphError(c echo.Context, r *refusal) error {
	type detail struct {
		Code    string `json:"code"`
		Target  string `json:"target"`
		Message string `json:"message"`
	}
	body := struct {
		Code    string   `json:"code"`
		Message string   `json:"message"`
		Details []detail `json:"details,omitempty"`
	}{Code: r.code, Message: strings.TrimSpace(r.graph + " " + r.message)}
	if r.detail != "" {
		body.Details = []detail{{Code: r.detail, Target: r.target, Message: r.graph}}
	}
	return c.JSON(r.status, map[string]any{"error": body})
}

func (s *server) exportUsers(c echo.Context) error {
	data, err := s.Admin.ExportUsers()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, data)
}

// The import's limits: the whole body, and each user in it (a user with every attribute at
// Graph's longest is under 8 KiB).
const (
	MaxImport     = 16 << 20
	MaxImportUser = 16 << 10
)

func (s *server) importUsers(c echo.Context) error {
	if isForm(c) {
		return s.importUsersForm(c)
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, MaxImport))
	if err != nil {
		return graphError(c, badBody(err, "reading the import", MaxImport))
	}
	n, refused := s.importData(data)
	if refused != nil {
		return graphError(c, refused)
	}
	return c.JSON(http.StatusOK, map[string]int{"imported": n})
}

// importData checks and imports an export of users: the one way users are imported, from the
// API and from the form alike.
func (s *server) importData(data []byte) (int, *refusal) {
	if refused := s.checkImport(data); refused != nil {
		return 0, refused
	}
	n, err := s.Admin.ImportUsers(data)
	if err != nil {
		if errors.Is(err, directory.ErrExists) {
			return 0, conflict("identities", err.Error()+".")
		}
		return 0, &refusal{status: http.StatusBadRequest, code: "Request_BadRequest", message: err.Error() + "."}
	}
	return n, nil
}

// checkImport applies the per-user limit and Graph's rules to each user of an export.
func (s *server) checkImport(data []byte) *refusal {
	var in struct {
		Users []json.RawMessage `json:"users"`
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return badBody(err, "the body is not an export of users", MaxImport)
	}
	for i, raw := range in.Users {
		at := fmt.Sprintf("users[%d]", i)
		if len(raw) > MaxImportUser {
			return &refusal{status: http.StatusRequestEntityTooLarge, code: "Request_BadRequest",
				message: fmt.Sprintf("%s is %d bytes; each user may take at most %d bytes (%d KiB). Shorten its attributes to Graph's lengths.", at, len(raw), MaxImportUser, MaxImportUser>>10)}
		}
		var u struct {
			ObjectID   string            `json:"objectId"`
			Identities []engine.Identity `json:"identities"`
			Attributes map[string]any    `json:"attributes"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&u); err != nil {
			return &refusal{status: http.StatusBadRequest, code: "Request_BadRequest", message: fmt.Sprintf("%s is not a user: %v.", at, err)}
		}
		if u.ObjectID == "" || len(u.Identities) == 0 {
			return invalid(at, "Each user needs objectId and identities, as an export has them.")
		}
		user := &engine.User{ObjectID: u.ObjectID, Identities: u.Identities, Attributes: engine.Claims{}}
		for k, v := range u.Attributes {
			if n, ok := v.(json.Number); ok {
				if i, err := n.Int64(); err == nil {
					v = i
				}
			}
			user.Attributes[k] = v
		}
		if refused := s.checkUser(user, at+"."); refused != nil {
			return refused
		}
	}
	return nil
}

func (s *server) reset(c echo.Context) error {
	if err := s.Admin.Reset(); err != nil {
		return fmt.Errorf("resetting the emulator: %w", err)
	}
	if isForm(c) {
		return s.done(c, "/_emulator", "reset")
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *server) keyIDs(c echo.Context) error {
	all, active := s.Admin.KeyIDs()
	return c.JSON(http.StatusOK, map[string]any{"kids": all, "active": active})
}

func (s *server) getClock(c echo.Context) error { return c.JSON(http.StatusOK, s.Admin.Clock()) }

func (s *server) setClock(c echo.Context) error {
	var req ClockChange
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		return apiError(c, http.StatusBadRequest, "the request is not a clock change: %v", err)
	}
	st, err := s.Admin.SetClock(req)
	if err != nil {
		return apiError(c, http.StatusBadRequest, "%v", err)
	}
	return c.JSON(http.StatusOK, st)
}

// emails is GET /_emulator/emails: the outbox, newest first, optionally only those ?to= an
// address.
func (s *server) emails(c echo.Context) error {
	all := s.Admin.Emails()
	to := c.QueryParam("to")
	out := make([]Email, 0, len(all))
	for _, m := range all {
		if to == "" || strings.EqualFold(m.To, to) {
			out = append(out, m)
		}
	}
	if wantsHTML(c) {
		return s.emailsPage(c, to, out)
	}
	return c.JSON(http.StatusOK, map[string]any{"emails": out})
}

// clearEmails empties the outbox: DELETE from the API, POST …/emails/clear from the page.
func (s *server) clearEmails(c echo.Context) error {
	s.Admin.ClearEmails()
	if c.Request().Method == http.MethodPost {
		return s.done(c, "/_emulator/emails", "cleared")
	}
	return c.NoContent(http.StatusNoContent)
}

// sms is GET /_emulator/sms: the phone outbox, newest first, optionally only those ?to= a
// number (compared without spaces and dashes).
func (s *server) sms(c echo.Context) error {
	all := s.Admin.SMS()
	to := phoneDigits(c.QueryParam("to"))
	out := make([]SMS, 0, len(all))
	for _, m := range all {
		if to == "" || phoneDigits(m.To) == to {
			out = append(out, m)
		}
	}
	if wantsHTML(c) {
		return s.smsPage(c, c.QueryParam("to"), out)
	}
	return c.JSON(http.StatusOK, map[string]any{"sms": out})
}

// phoneDigits is a number without what people type between its digits.
func phoneDigits(n string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' {
			return -1
		}
		return r
	}, strings.TrimSpace(n))
}

// clearSMS empties the phone outbox: DELETE from the API, POST …/sms/clear from the page.
func (s *server) clearSMS(c echo.Context) error {
	s.Admin.ClearSMS()
	if c.Request().Method == http.MethodPost {
		return s.done(c, "/_emulator/sms", "cleared")
	}
	return c.NoContent(http.StatusNoContent)
}
