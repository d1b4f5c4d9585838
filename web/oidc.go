package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/web/views"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// policyFor resolves the tenant and policy of an OIDC request: tenant name
// (<name>.onmicrosoft.com) or id, policy from the path or ?p=, all case-insensitively.
func (s *server) policyFor(c echo.Context) (*flows.Definition, error) {
	t := strings.ToLower(c.Param("tenant"))
	if t != strings.ToLower(s.Tenant.Name)+".onmicrosoft.com" && t != strings.ToLower(s.Tenant.ID) {
		return nil, errPage(http.StatusNotFound, "", "The tenant %q does not exist here; this emulator serves %s.onmicrosoft.com (%s).", c.Param("tenant"), s.Tenant.Name, s.Tenant.ID)
	}
	p := c.Param("policy")
	if p == "" {
		p = c.QueryParam("p")
	}
	if p == "" {
		return nil, errPage(http.StatusNotFound, "", "The request names no policy; put it in the path or in ?p=.")
	}
	def, ok := s.flowByID[strings.ToLower(p)]
	if !ok {
		return nil, errPage(http.StatusNotFound, "", "The policy %q does not exist in the tenant %s.onmicrosoft.com.", p, s.Tenant.Name)
	}
	return def, nil
}

// issuer is the flow's issuer under base: B2C's default {base}/{tenantId}/v2.0/, or the "tfp"
// format {base}/tfp/{tenantId}/{policy}/v2.0/.
func (s *server) issuer(base string, def *flows.Definition) string {
	if def.Tokens.IssuerTFP {
		return base + "/tfp/" + s.Tenant.ID + "/" + strings.ToLower(def.ID) + "/v2.0/"
	}
	return base + "/" + s.Tenant.ID + "/v2.0/"
}

// base is the URL prefix the request reached the emulator on. B2C's issuer and endpoints name
// the domain the application used (tenant.b2clogin.com or a custom domain); here that is
// localhost, 127.0.0.1 or whatever host the client dialled. A configured server.publicUrl pins
// it to BaseURL.
func (s *server) base(c echo.Context) string {
	r := c.Request()
	if !s.FollowHost || !validHost(r.Host) {
		return s.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + strings.ToLower(r.Host)
}

// validHost reports whether a Host header is a plain host[:port] that may go into URLs.
func validHost(h string) bool {
	if h == "" {
		return false
	}
	u, err := url.Parse("http://" + h)
	return err == nil && u.Host == h && u.User == nil && u.Path == "" && u.RawQuery == ""
}

// baseOf is where the authorization request came in: the base of its tokens' issuer.
func (s *server) baseOf(ar AuthRequest) string {
	if ar.Base != "" {
		return ar.Base
	}
	return s.BaseURL
}

// policyClaim is where the flow's tokens name the policy: tfp, or acr for legacy apps.
func policyClaim(def *flows.Definition) string {
	if def.Tokens.PolicyClaimACR {
		return "acr"
	}
	return "tfp"
}

// policyBase returns the URL prefix of a policy's endpoints and the query they carry, in the
// form the request used.
func (s *server) policyBase(c echo.Context, def *flows.Definition) (string, string) {
	base, tenant := s.base(c), c.Param("tenant")
	if c.Param("policy") == "" {
		return base + "/" + tenant, "?p=" + strings.ToLower(def.ID)
	}
	return base + "/" + tenant + "/" + strings.ToLower(def.ID), ""
}

func (s *server) discovery(c echo.Context) error {
	def, err := s.policyFor(c)
	if err != nil {
		return s.metadataError(c, err)
	}
	base, q := s.policyBase(c, def)
	claims := []string{"sub", "iss", "aud", "exp", "iat", "nbf", "auth_time", "ver", "nonce", policyClaim(def)}
	claims = append(claims, claimNames(s.Schema, def)...)
	cors(c)
	return c.JSON(http.StatusOK, discoveryDoc(s.issuer(s.base(c), def), base, q, claims))
}

// claimNames lists the token claim names of a flow's application claims.
func claimNames(schema attributes.Schema, def *flows.Definition) []string {
	sample := engine.Claims{}
	for _, a := range schema.All() {
		sample[a.Name] = "x"
	}
	m := flows.TokenClaims(schema, def.ApplicationClaims, sample, engine.Identity{SignInType: "federated", Issuer: "x"}, "x", true)
	if def.Tokens.EmailClaim {
		m["email"] = "x"
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *server) keys(c echo.Context) error {
	if _, err := s.policyFor(c); err != nil {
		return s.metadataError(c, err)
	}
	cors(c)
	return c.JSON(http.StatusOK, s.Signer.KeySet())
}

// metadataError answers a metadata request (discovery, keys) for a tenant or policy that does
// not exist in JSON, since its callers are OIDC libraries: 404 with AADB2C90022, B2C's code
// for "Unable to return metadata for the policy", in an OAuth-style error body (b2cemu's
// choice of shape: docs/endpoints.md).
func (s *server) metadataError(c echo.Context, err error) error {
	var pe *pageError
	if !errors.As(err, &pe) {
		return err
	}
	p := c.Param("policy")
	if p == "" {
		p = c.QueryParam("p")
	}
	msg := sprintf("Unable to return metadata for the policy '%s' in tenant '%s'. %s", p, c.Param("tenant"), pe.Message)
	cors(c)
	return c.JSON(pe.Status, map[string]string{"error": "invalid_request", "error_description": s.errorDescription("AADB2C90022", msg)})
}

func cors(c echo.Context) {
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization, client-request-id, x-client-sku, x-client-ver, x-client-os, x-client-cpu, x-ms-lib-capability, x-app-name, x-app-ver")
}

func (s *server) preflight(c echo.Context) error {
	cors(c)
	return c.NoContent(http.StatusNoContent)
}

// resolveURI makes a configured redirect URI absolute: a path is on the emulator itself, under
// base.
func resolveURI(base, u string) string {
	if strings.HasPrefix(u, "/") {
		return base + u
	}
	return u
}

func (s *server) app(clientID string) *App { return s.appByID[strings.ToLower(clientID)] }

// registered reports whether uri is one of app's redirect URIs (exact match, as B2C), a path
// one resolved under base.
func registered(app *App, base, uri string) bool {
	for _, r := range app.RedirectURIs {
		if resolveURI(base, r) == uri {
			return true
		}
	}
	return false
}

// authorize validates the request, starts a run and answers with its first page.
// Errors before the redirect URI is known to be registered are shown, never redirected.
func (s *server) authorize(c echo.Context) error {
	def, err := s.policyFor(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	if c.Request().Method == http.MethodPost {
		if err := c.Request().ParseForm(); err == nil {
			q = c.Request().Form
		}
	}
	ar, app, fail := s.parseAuthorize(def, q, s.base(c), c.Request().Header.Get("Accept-Language"))
	if fail != nil {
		if fail.page {
			return errPage(http.StatusBadRequest, fail.code, "%s", fail.msg)
		}
		return s.redirectError(c, ar, fail.err, fail.code, fail.msg)
	}
	sess := &Session{Auth: ar, CSRF: s.csrfCookie(c, len(s.Looks[strings.ToLower(policyParam(c))].FrameAncestors) > 0), Prefix: "/" + c.Param("tenant") + "/" + policyParam(c), Policy: policyParam(c)}
	request := map[string]string{}
	for k := range q {
		request[k] = q.Get(k)
	}
	sess.Run = s.startFrom(c.Request().Context(), def, app.ClientID, ar.UILocales, request, c.RealIP())
	if ar.LoginHint != "" {
		sess.Run.Values["email"] = ar.LoginHint
	}
	sess.Run.Request, sess.Run.ClientIP = request, c.RealIP()
	prompt := q.Get("prompt")
	if done, err := s.resumeSSO(c, def, sess, prompt); done || err != nil {
		return err
	}
	if prompt == "none" { // B2C never shows a page then: the application must ask interactively
		return s.redirectError(c, ar, "interaction_required", "AADB2C90077", "User does not have an existing session and request prompt parameter has a value of 'None'.")
	}
	if hint := q.Get("domain_hint"); hint != "" && !sess.Run.Phase.Terminal() {
		if err := s.Machine.Advance(c.Request().Context(), def, sess.Run, engine.DomainHint{Domain: hint}); err != nil {
			return err
		}
	}
	return s.conclude(c, sess, def) // the first page is served at the authorize URL itself, as B2C's
}

// RequestStarter is an engine whose runs read the authorize request's parameters and the
// browser's address from their first step, before any page: a custom policy's GetClaims step
// reads id_token_hint, a UserJourneyContextProvider step the address.
type RequestStarter interface {
	StartRequest(ctx context.Context, def *flows.Definition, id, clientID, uiLocales string, request map[string]string, clientIP string) *engine.Run
}

// start begins a run with no browser address (a headless run).
func (s *server) start(ctx context.Context, def *flows.Definition, clientID, uiLocales string, request map[string]string) *engine.Run {
	return s.startFrom(ctx, def, clientID, uiLocales, request, "")
}

// startFrom begins a run, giving the engine the authorize request's parameters and the
// browser's address when it reads them.
func (s *server) startFrom(ctx context.Context, def *flows.Definition, clientID, uiLocales string, request map[string]string, clientIP string) *engine.Run {
	if rs, ok := s.Machine.(RequestStarter); ok {
		return rs.StartRequest(ctx, def, s.NewID(), clientID, uiLocales, request, clientIP)
	}
	return s.Machine.Start(ctx, def, s.NewID(), clientID, uiLocales)
}

// policyParam is the policy as the request names it, in the path or in ?p=.
func policyParam(c echo.Context) string {
	if p := c.Param("policy"); p != "" {
		return p
	}
	return c.QueryParam("p")
}

// authFailure is a refused authorize request: shown on the error page (page) when the redirect
// URI cannot be trusted yet, else sent back to it.
type authFailure struct {
	page           bool
	err, code, msg string
}

// parseAuthorize validates an authorize request in B2C's order: client, redirect URI, then
// the parameters whose errors go back to the application.
func (s *server) parseAuthorize(def *flows.Definition, q url.Values, base, acceptLanguage string) (ar AuthRequest, app *App, fail *authFailure) {
	clientID := q.Get("client_id")
	if clientID == "" {
		return ar, nil, &authFailure{page: true, code: "AADB2C90008", msg: "The request does not contain a client ID parameter."}
	}
	app = s.app(clientID)
	if app == nil {
		return ar, nil, &authFailure{page: true, code: "AADB2C90068", msg: sprintf("The provided application with ID '%s' is not valid against this service. Please use an application created via the B2C portal and try again.", clientID)}
	}
	redirect := q.Get("redirect_uri")
	if len(app.RedirectURIs) == 0 {
		return ar, nil, &authFailure{page: true, code: "AADB2C90007", msg: sprintf("The application associated with client ID '%s' has no registered redirect URIs.", clientID)}
	}
	if redirect == "" || !registered(app, base, redirect) {
		return ar, nil, &authFailure{page: true, code: "AADB2C90006", msg: sprintf("The redirect URI '%s' provided in the request is not registered for the client ID '%s'.", redirect, clientID)}
	}
	ar = AuthRequest{Policy: def.ID, ClientID: app.ClientID, RedirectURI: redirect, Scope: q.Get("scope"),
		State: q.Get("state"), Nonce: q.Get("nonce"), Challenge: q.Get("code_challenge"),
		Method: q.Get("code_challenge_method"), LoginHint: q.Get("login_hint"), Base: base}
	ar.UILocales = uiLocales(q.Get("ui_locales"), acceptLanguage)
	rt, ok := normalizeResponseType(q.Get("response_type"))
	ar.ResponseType, ar.ResponseMode = rt, q.Get("response_mode")
	if ar.ResponseMode == "" {
		ar.ResponseMode = "query"
		if ok && rt != "code" {
			ar.ResponseMode = "fragment"
		}
	}
	switch ar.ResponseMode {
	case "query", "fragment", "form_post":
	default:
		mode := ar.ResponseMode
		ar.ResponseMode = "query"
		return ar, app, &authFailure{err: "invalid_request", code: "AADB2C90014", msg: sprintf("The requested response mode '%s' provided in the request is not supported.", mode)}
	}
	if !ok {
		return ar, app, &authFailure{err: "invalid_request", code: "AADB2C90013", msg: sprintf("The requested response type '%s' provided in the request is not supported.", q.Get("response_type"))}
	}
	if strings.TrimSpace(ar.Scope) == "" {
		return ar, app, &authFailure{err: "invalid_request", code: "AADB2C90010", msg: "The request does not contain a scope parameter."}
	}
	if bad := s.unsupportedScope(ar); bad != "" {
		return ar, app, &authFailure{err: "invalid_request", code: "AADB2C90012", msg: sprintf("The scope '%s' provided in request is not supported.", bad)}
	}
	if _, _, ok := s.accessTarget(ar); !ok && hasPart(ar.ResponseType, "token") {
		return ar, app, &authFailure{err: "invalid_request", code: "AADB2C90055", msg: sprintf("The scope '%s' provided in request must specify a resource, such as 'https://example.com/calendar.read'.", ar.Scope)}
	}
	if ar.Challenge != "" {
		switch ar.Method {
		case "":
			ar.Method = "plain"
		case "plain", "S256":
		default:
			return ar, app, &authFailure{err: "invalid_request", code: "AADB2C90184", msg: sprintf("The supplied code_challenge_method '%s' is not supported. Supported values are plain or S256.", ar.Method)}
		}
	}
	return ar, app, nil
}

// csrfCookie returns the browser's CSRF token, setting the cookie the first time. One token per
// browser lets several runs go on side by side in the same browser. framed is set for a policy
// whose pages may be shown in another site's frame (JourneyFraming), where only a
// SameSite=None cookie reaches the pages.
func (s *server) csrfCookie(c echo.Context, framed bool) string {
	if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 16 {
		return ck.Value
	}
	v := s.Random()
	ck := &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if c.Request().TLS != nil || strings.HasPrefix(s.BaseURL, "https:") || framed {
		s.setCookie(c, ck) // B2C's SameSite=None; Secure
	} else {
		// Over plain http the pages' cookie stays Lax and not Secure: scripted clients (Go's
		// cookiejar, Python's http.cookiejar) send Secure cookies over https only, and the pages
		// of a policy without JourneyFraming are never shown in an iframe.
		c.SetCookie(ck)
	}
	return v
}

// csrfCookie is B2C's CSRF cookie name.
const csrfCookie = "x-ms-cpim-csrf"

// normalizeResponseType accepts code, id_token and token in any combination and order.
func normalizeResponseType(rt string) (string, bool) {
	parts := strings.Fields(rt)
	sort.Strings(parts)
	seen := map[string]bool{}
	for _, p := range parts {
		if (p != "code" && p != "id_token" && p != "token") || seen[p] {
			return rt, false
		}
		seen[p] = true
	}
	return strings.Join(parts, " "), len(parts) > 0
}

// hasPart reports whether the normalized response type includes part.
func hasPart(responseType, part string) bool {
	for _, p := range strings.Fields(responseType) {
		if p == part {
			return true
		}
	}
	return false
}

// uiLocales picks the locale sent to connectors: ui_locales, else the browser's first
// Accept-Language, else en-US.
func uiLocales(param, acceptLanguage string) string {
	if f := strings.Fields(param); len(f) > 0 {
		return f[0]
	}
	if acceptLanguage != "" {
		first := strings.TrimSpace(strings.Split(strings.Split(acceptLanguage, ",")[0], ";")[0])
		if first != "" && first != "*" {
			return first
		}
	}
	return "en-US"
}

// respond sends params to the application's redirect URI in the request's response mode.
func (s *server) respond(c echo.Context, ar AuthRequest, params url.Values) error {
	if ar.State != "" {
		params.Set("state", ar.State)
	}
	switch ar.ResponseMode {
	case "form_post":
		s.allowFraming(c, ar.Policy) // a framed journey ends in its frame
		return s.render(c, http.StatusOK, views.FormPostPage(formPost(ar.RedirectURI, params)))
	case "fragment":
		u, _ := url.Parse(ar.RedirectURI)
		u.Fragment = ""
		return c.Redirect(http.StatusFound, u.String()+"#"+params.Encode())
	default:
		u, _ := url.Parse(ar.RedirectURI)
		q := u.Query()
		for k, v := range params {
			q[k] = v
		}
		u.RawQuery = q.Encode()
		return c.Redirect(http.StatusFound, u.String())
	}
}

// errorDescription is B2C's error_description: the code, the message, correlation and time.
// Its correlation id is logged with the code, so that it can be looked up.
func (s *server) errorDescription(code, msg string) string {
	id := s.NewID()
	s.Log.Info("error answered", "correlationId", id, "code", code, "message", msg)
	return sprintf("%s: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", code, msg, id, s.Now().UTC().Format("2006-01-02 15:04:05Z"))
}

func (s *server) redirectError(c echo.Context, ar AuthRequest, errCode, code, msg string) error {
	return s.respond(c, ar, url.Values{"error": {errCode}, "error_description": {s.errorDescription(code, msg)}})
}

// logout ends the sign-in and returns to post_logout_redirect_uri when it is registered.
func (s *server) logout(c echo.Context) error {
	if _, err := s.policyFor(c); err != nil {
		return err
	}
	s.endSSO(c)
	target := c.QueryParam("post_logout_redirect_uri")
	if target != "" {
		for i := range s.Apps {
			if registered(&s.Apps[i], s.base(c), target) {
				if st := c.QueryParam("state"); st != "" {
					u, _ := url.Parse(target)
					q := u.Query()
					q.Set("state", st)
					u.RawQuery = q.Encode()
					target = u.String()
				}
				return c.Redirect(http.StatusFound, target)
			}
		}
		s.Log.Warn("logout: post_logout_redirect_uri is not a registered redirect URI; showing the signed-out page", "uri", target)
	}
	return s.render(c, http.StatusOK, views.SignedOutPage(s.page("Signed out", requestLocale(c))))
}
