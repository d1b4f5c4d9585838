package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
)

// Admin is the emulator's state, as the admin API sees it.
type Admin interface {
	Users() []*flows.User
	User(ctx context.Context, objectID string) (*flows.User, error)
	FindByIdentity(ctx context.Context, id flows.Identity) (*flows.User, error)
	CreateUser(ctx context.Context, u *flows.User, password string) error // assigns the object id when empty
	DeleteUser(objectID string) (bool, error)
	// RevokeSignInSessions sets the user's refreshTokensValidFromDateTime to now, as Microsoft
	// Graph's revokeSignInSessions does: refresh tokens issued before it are refused.
	RevokeSignInSessions(ctx context.Context, objectID string) (*flows.User, error)
	ExportUsers() ([]byte, error)
	ImportUsers(data []byte) (int, error)
	// Reset returns the emulator to its start state: no users, flow runs, codes, refresh
	// tokens, SSO sessions or calls; the clock and the id sequence as configured.
	Reset() error
	KeyIDs() (all []string, active string)
	// Emails are the verification emails b2cemu would have sent, newest first.
	Emails() []Email
	ClearEmails()
	Clock() ClockState
	SetClock(ClockChange) (ClockState, error)
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

// adminCookie keeps a browser's admin token after ?token=.
const adminCookie = "b2cemu-admin"

// requireAdmin guards /_emulator/ when admin.token is set: a bearer token, or the cookie a
// browser gets by opening any /_emulator/ page once with ?token=.
func (s *server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.AdminToken == "" {
			return next(c)
		}
		same := func(v string) bool { return subtle.ConstantTimeCompare([]byte(v), []byte(s.AdminToken)) == 1 }
		if auth := c.Request().Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") && same(strings.TrimPrefix(auth, "Bearer ")) {
			return next(c)
		}
		if ck, err := c.Cookie(adminCookie); err == nil && same(ck.Value) {
			return next(c)
		}
		if t := c.QueryParam("token"); t != "" && same(t) {
			c.SetCookie(&http.Cookie{Name: adminCookie, Value: t, Path: "/_emulator/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			return next(c)
		}
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="b2cemu admin"`)
		return apiError(c, http.StatusUnauthorized, "the admin API needs the admin token (admin.token): send Authorization: Bearer <token>")
	}
}

// userJSON is a user as the admin API shows it.
type userJSON struct {
	ObjectID   string           `json:"objectId"`
	Identities []flows.Identity `json:"identities"`
	Attributes map[string]any   `json:"attributes"`
	Created    time.Time        `json:"createdDateTime"`
}

func toJSON(u *flows.User) userJSON {
	return userJSON{ObjectID: u.ObjectID, Identities: u.Identities, Attributes: u.Attributes, Created: u.Created}
}

func (s *server) listUsers(c echo.Context) error {
	users := s.Admin.Users()
	sort.Slice(users, func(i, j int) bool { return users[i].Created.Before(users[j].Created) })
	out := make([]userJSON, 0, len(users))
	for _, u := range users {
		out = append(out, toJSON(u))
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out})
}

func (s *server) getUser(c echo.Context) error {
	u, err := s.Admin.User(c.Request().Context(), c.Param("id"))
	if err != nil {
		return apiError(c, http.StatusNotFound, "no user %q", c.Param("id"))
	}
	return c.JSON(http.StatusOK, toJSON(u))
}

func (s *server) deleteUser(c echo.Context) error {
	found, err := s.Admin.DeleteUser(c.Param("id"))
	if err != nil {
		return err
	}
	if !found {
		return apiError(c, http.StatusNotFound, "no user %q", c.Param("id"))
	}
	return c.NoContent(http.StatusNoContent)
}

// revokeSessions is Graph's revokeSignInSessions for one user; it answers as Graph does.
func (s *server) revokeSessions(c echo.Context) error {
	if _, err := s.Admin.RevokeSignInSessions(c.Request().Context(), c.Param("id")); err != nil {
		if errors.Is(err, flows.ErrNotFound) {
			return apiError(c, http.StatusNotFound, "no user %q", c.Param("id"))
		}
		return err
	}
	return c.JSON(http.StatusOK, map[string]bool{"value": true})
}

// newUser is a POST /_emulator/users request: a local account (email and password) or
// federated identities, and attribute values.
type newUser struct {
	ObjectID   string           `json:"objectId,omitempty"`
	Email      string           `json:"email,omitempty"`
	Password   string           `json:"password,omitempty"`
	Identities []flows.Identity `json:"identities,omitempty"`
	Attributes map[string]any   `json:"attributes,omitempty"`
}

func (s *server) createUser(c echo.Context) error {
	var req newUser
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, 1<<20))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		return apiError(c, http.StatusBadRequest, "the request is not a user: %v", err)
	}
	u := &flows.User{ObjectID: req.ObjectID, Identities: req.Identities, Attributes: flows.Claims{}, Created: s.Now()}
	if req.Email != "" {
		if req.Password == "" {
			return apiError(c, http.StatusBadRequest, "a local account needs a password")
		}
		u.Identities = append(u.Identities, flows.Identity{SignInType: "emailAddress", Issuer: s.Tenant.Name + ".onmicrosoft.com", IssuerAssignedID: req.Email})
		u.Attributes["email"] = req.Email
	}
	if len(u.Identities) == 0 {
		return apiError(c, http.StatusBadRequest, "give email and password for a local account, or identities for a federated one")
	}
	for _, id := range u.Identities {
		if id.SignInType != "emailAddress" && id.SignInType != "federated" || id.Issuer == "" || id.IssuerAssignedID == "" {
			return apiError(c, http.StatusBadRequest, "an identity needs signInType (federated or emailAddress), issuer and issuerAssignedId: %+v", id)
		}
	}
	for k, v := range req.Attributes {
		a, ok := s.Schema.Lookup(strings.TrimPrefix(k, "extension_"))
		if !ok {
			return apiError(c, http.StatusBadRequest, "%q is not an attribute of the tenant", k)
		}
		val, err := typed(a, v)
		if err != nil {
			return apiError(c, http.StatusBadRequest, "attribute %q: %v", k, err)
		}
		u.Attributes[a.Name] = val
	}
	if err := s.Admin.CreateUser(c.Request().Context(), u, req.Password); err != nil {
		if errors.Is(err, flows.ErrExists) {
			return apiError(c, http.StatusConflict, "%v", err)
		}
		return err
	}
	return c.JSON(http.StatusCreated, toJSON(u))
}

// typed converts a JSON value to the attribute's type.
func typed(a flows.Attribute, v any) (any, error) {
	switch a.DataType {
	case flows.Int:
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return i, nil
			}
		}
		return nil, errors.New("want a whole number")
	case flows.Boolean:
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

func (s *server) exportUsers(c echo.Context) error {
	data, err := s.Admin.ExportUsers()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, data)
}

func (s *server) importUsers(c echo.Context) error {
	data, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, 64<<20))
	if err != nil {
		return apiError(c, http.StatusBadRequest, "%v", err)
	}
	n, err := s.Admin.ImportUsers(data)
	if err != nil {
		return apiError(c, http.StatusBadRequest, "%v", err)
	}
	return c.JSON(http.StatusOK, map[string]int{"imported": n})
}

func (s *server) reset(c echo.Context) error {
	if err := s.Admin.Reset(); err != nil {
		return err
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
	return c.JSON(http.StatusOK, map[string]any{"emails": out})
}

func (s *server) clearEmails(c echo.Context) error {
	s.Admin.ClearEmails()
	return c.NoContent(http.StatusNoContent)
}
