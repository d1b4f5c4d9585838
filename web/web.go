// Package web is b2cemu's HTTP face: the OIDC endpoints, the flow pages (one dispatcher per
// run), the home page and the token viewer. It turns requests into flows inputs and renders
// the resulting step; it declares the small interfaces it consumes and never imports the
// emulator's packages.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/web/views"
)

// Tenant identifies the emulated tenant.
type Tenant struct {
	Name string // contoso
	ID   string // GUID
}

// App is a registered application.
type App struct {
	Name         string
	ClientID     string
	Secret       string   // "" = public client
	RedirectURIs []string // absolute, or a path on the emulator
	// IdentifierURI and Scopes are the API the app exposes: <IdentifierURI>/<scope>.
	IdentifierURI string
	Scopes        []string
}

// Account is a fixture identity of a fake identity provider.
type Account struct {
	IssuerAssignedID string
	Claims           engine.Claims // email, displayName, givenName, surname
}

// Provider is a fake social identity provider.
type Provider struct {
	ID          string
	DisplayName string
	Accounts    []Account
}

// Signer signs and checks tokens and publishes the key set.
type Signer interface {
	Sign(claims map[string]any) (string, error)
	// Verify checks the signature only, returning the header and claims.
	Verify(token string) (map[string]any, map[string]any, error)
	// KeySet is the JWKS document.
	KeySet() any
}

// Engine starts and advances runs. flows.Machine runs user flows; a custom-policy journey
// engine can take its place behind the same two calls.
type Engine interface {
	Start(ctx context.Context, def *flows.Definition, id, clientID, uiLocales string) *engine.Run
	// Advance applies one input; an error of kind engine.Invalid leaves the run unchanged.
	Advance(ctx context.Context, def *flows.Definition, r *engine.Run, in engine.Input) error
}

// Store keeps values for a limited time. Take removes what it returns.
type Store[V any] interface {
	Put(key string, v V)
	PutFor(key string, v V, ttl time.Duration)
	Get(key string) (V, bool)
	Take(key string) (V, bool)
}

// Deps are everything the handlers need. All fields but Demo are required.
type Deps struct {
	Tenant    Tenant
	BaseURL   string // public base URL, no trailing slash
	Flows     []*flows.Definition
	Apps      []App
	Providers []Provider
	Schema    attributes.Schema
	Machine   Engine
	Signer    Signer
	Sessions  Store[*Session]
	Grants    Store[*Grant]      // authorization codes (10 minutes)
	Refresh   Store[*Grant]      // refresh tokens (each its flow's lifetime)
	SSO       Store[*SSOSession] // single sign-on sessions
	Now       func() time.Time
	NewID     func() string // GUIDs: runs, correlation ids
	Random    func() string // opaque secrets: codes, CSRF tokens
	Log       *slog.Logger
	CallLog   CallLog  // the call inspector's store
	Admin     Admin    // users, reset, keys and the clock, for the admin API
	Branding  Branding // the company name, logo and colours of the pages
	// Looks maps a policy id (lower case) to its pages' template and custom page content;
	// a policy without one is drawn with Ocean Blue.
	Looks map[string]Look
	// FollowHost makes the issuer, the endpoints and the cookies follow the host each request
	// used, as B2C's follow the domain the application used; false pins them to BaseURL (a
	// configured server.publicUrl).
	FollowHost bool
	// Journeys maps a custom policy's id (lower case) to its RelyingParty's DefaultUserJourney,
	// for the home page; user flows are absent.
	Journeys map[string]string
	// AdminToken, when set, is required on /_emulator/ (Authorization: Bearer <token>).
	AdminToken string
	Demo       http.Handler // the demo connector, or nil
}

// Session is one browser's walk through a user flow: the run plus the authorization request
// that started it.
type Session struct {
	mu       sync.Mutex
	Run      *engine.Run
	Auth     AuthRequest
	CSRF     string
	AuthTime int64 // when the user authenticated, for a run resumed from an SSO session
	// Prefix is /{tenant}/{policy} of the run's pages and Policy the policy, both as the
	// application's authorize request spelled them: B2C's page URLs keep the case it sent.
	Prefix, Policy string
	// idpStay is what the fake identity provider's page keeps from a submission it refused
	// or that deleted a user, for the page shown next.
	idpStay *idpStay
	// boxShown is set when the unified page last submitted showed "Keep me signed in", and
	// keep when its confirmed navigation said the box was checked (or the run resumed a
	// session that was kept so): the SSO session the run ends with then persists.
	boxShown, keep bool
}

// AuthRequest is a validated authorization request.
type AuthRequest struct {
	Policy       string // as configured
	ClientID     string
	RedirectURI  string
	ResponseType string // normalized: "code", "id_token" or "code id_token"
	ResponseMode string // query, fragment or form_post
	Scope        string
	State        string
	Nonce        string
	Challenge    string
	Method       string // plain or S256
	UILocales    string
	LoginHint    string
	Base         string // the URL prefix the request reached the emulator on: the tokens' issuer
}

// server holds the dependencies and the indexes built from them.
type server struct {
	Deps
	flowByID map[string]*flows.Definition // lower-cased policy id
	appByID  map[string]*App              // lower-cased client id
	idpByID  map[string]*Provider
	pages    *http.Client // custom page content over loopback
	// pageDirs and pageDirIndex index the folders of file pages for /_pages/<n>/.
	pageDirs, pageDirIndex map[string]string
}

// New returns the Echo instance serving every route.
func New(d Deps) *echo.Echo {
	s := &server{Deps: d, flowByID: map[string]*flows.Definition{}, appByID: map[string]*App{}, idpByID: map[string]*Provider{}}
	for _, f := range d.Flows {
		s.flowByID[strings.ToLower(f.ID)] = f
	}
	for i := range d.Apps {
		s.appByID[strings.ToLower(d.Apps[i].ClientID)] = &d.Apps[i]
	}
	for i := range d.Providers {
		s.idpByID[d.Providers[i].ID] = &d.Providers[i]
	}
	s.pages = pageClient()
	s.pageDirs, s.pageDirIndex = pageFolders(d.Looks)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	routes(e, s)
	return e
}

// pageError is an error shown on B2C's error page.
type pageError struct {
	Status  int
	Code    string // AADB2C code, may be empty
	Message string
}

func (e *pageError) Error() string { return e.Code + ": " + e.Message }

func errPage(status int, code, format string, args ...any) error {
	return &pageError{Status: status, Code: code, Message: sprintf(format, args...)}
}

// handleError translates every error once: domain kinds and Echo errors to a status and the
// error page; under /_emulator/ a path or method that is not a route answers JSON, since its
// callers are scripts.
func (s *server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	pe := pageErrorOf(err)
	var he *echo.HTTPError
	if strings.HasPrefix(c.Request().URL.Path, "/_emulator/") && errors.As(err, &he) && he.Code == http.StatusNotFound {
		_ = s.adminRouteError(c)
		return
	}
	m := s.shownError(c, pe.Status, pe.Code, pe.Message, err)
	if rerr := s.render(c, pe.Status, views.ErrorPage(m)); rerr != nil && !c.Response().Committed {
		// The error page's own custom page content failed: say so on the template's page.
		re := pageErrorOf(rerr)
		_ = s.render(c, re.Status, views.ErrorPage(s.shownError(c, re.Status, re.Code, re.Message, rerr)))
	}
}

// pageErrorOf is the status, code and message err shows.
func pageErrorOf(err error) *pageError {
	pe := &pageError{Status: http.StatusInternalServerError, Message: "The service has encountered an internal error. Please try again."}
	var he *echo.HTTPError
	var fe *engine.Failure
	switch {
	case errors.As(err, &pe):
	case errors.As(err, &fe):
		switch fe.Kind {
		case engine.Invalid:
			pe = &pageError{Status: http.StatusBadRequest, Code: fe.Code, Message: fe.Message}
		case engine.NotFound:
			pe = &pageError{Status: http.StatusNotFound, Code: fe.Code, Message: fe.Message}
		case engine.Conflict:
			pe = &pageError{Status: http.StatusConflict, Code: fe.Code, Message: fe.Message}
		}
	case errors.As(err, &he):
		pe = &pageError{Status: he.Code, Message: http.StatusText(he.Code)}
		if he.Code == http.StatusNotFound {
			pe.Message = "The page you are looking for does not exist."
		}
	}
	return pe
}

// adminRouteError answers a request under /_emulator/ that no route takes: 405 with Allow
// when the path is a route for other methods, else 404. (The admin group's catch-all route,
// which runs its middleware on every path, hides Echo's own 405.)
func (s *server) adminRouteError(c echo.Context) error {
	path := c.Request().URL.Path
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := c.Echo().NewContext(nil, nil)
		c.Echo().Router().Find(m, path, probe)
		if p := probe.Path(); p != "" && p != "/_emulator" && p != "/_emulator/*" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		c.Response().Header().Set("Allow", strings.Join(allow, ", "))
		return apiError(c, http.StatusMethodNotAllowed, "%s %s is not supported; use %s (docs/admin-api.md)", c.Request().Method, path, strings.Join(allow, " or "))
	}
	return apiError(c, http.StatusNotFound, "no admin API route %s; the routes are listed in docs/admin-api.md", path)
}

// requestLocale is the language a request asks for: ui_locales, else Accept-Language.
func requestLocale(c echo.Context) string {
	return uiLocales(c.QueryParam("ui_locales"), c.Request().Header.Get("Accept-Language"))
}

// errorView is the error page of a run that failed, answered with status 200 as B2C does.
func (s *server) errorView(c echo.Context, code, msg string) views.Error {
	return s.shownError(c, http.StatusOK, code, msg, nil)
}

// shownError is the error page's view, under a correlation id that leads to its diagnostic:
// the log line and the call inspector's record of the page carry the same id. A page of a flow
// run takes the run's id, which its connector calls carry too ({Context:CorrelationId} in a
// custom policy); any other page a new one.
func (s *server) shownError(c echo.Context, status int, code, msg string, err error) views.Error {
	id, policy := "", c.Param("policy")
	if sess, ok := s.Sessions.Get(c.QueryParam("tx")); ok && sess.Run != nil {
		id, policy = sess.Run.ID, sess.Run.Policy
	}
	if id == "" {
		id = s.NewID()
	}
	now := s.Now().UTC()
	req := c.Request()
	s.CallLog.RecordError(PageError{CorrelationID: id, Time: now, Method: req.Method, Path: req.URL.Path, Status: status, Code: code, Message: msg})
	attrs := []any{"correlationId", id, "status", status, "method", req.Method, "path", req.URL.Path, "code", code, "message", msg}
	if status >= 500 {
		s.Log.Error("request failed", append(attrs, "err", err)...)
	} else {
		s.Log.Info("error page shown", attrs...)
	}
	page := s.page("Error", requestLocale(c))
	s.dress(c, &page, policy, defError, "", nil)
	return views.Error{
		Page:          page,
		Code:          code,
		Message:       msg,
		CorrelationID: id,
		Timestamp:     now.Format("2006-01-02 15:04:05Z"),
		Inspector:     "/_emulator/calls?correlationId=" + url.QueryEscape(id),
	}
}

// render writes a templ component as the response, merged into the page's custom page
// content when dress left one.
func (s *server) render(c echo.Context, status int, comp templ.Component) error {
	if cp, ok := c.Get(customPageKey).(*customPage); ok && cp != nil {
		c.Set(customPageKey, nil)
		return s.renderCustom(c, status, comp, cp)
	}
	s.writeHeaders(c, nil)
	c.Response().WriteHeader(status)
	return comp.Render(c.Request().Context(), c.Response())
}

// writeHeaders sets a page's headers; m is the custom page content it is merged into, or nil.
func (s *server) writeHeaders(c echo.Context, m *merged) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set("Cache-Control", "no-store")
	xfo, ancestors := frameHeaders(c)
	h.Set("X-Frame-Options", xfo)
	h.Set("Content-Security-Policy", contentPolicy(c, m, ancestors))
}
