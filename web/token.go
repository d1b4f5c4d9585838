package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// Grant is what an authorization code or a refresh token stands for.
type Grant struct {
	Auth     AuthRequest
	Claims   map[string]any // id token claims without the time claims, nonce and hashes
	AuthTime int64
	ObjectID string
	Carry    map[string]string // the run's Carry, for a custom policy's refresh journey
	Issued   int64             // when the refresh token holding it was issued
}

// newGrant is what a finished run's code or refresh token redeems.
func (s *server) newGrant(def *flows.Definition, ar AuthRequest, r *engine.Run, authTime int64) *Grant {
	return &Grant{Auth: ar, Claims: s.baseClaims(def, ar, r), AuthTime: authTime, ObjectID: r.User.ObjectID, Carry: r.Carry}
}

// putRefresh stores a grant under a new refresh token and returns the token.
func (s *server) putRefresh(g *Grant, life time.Duration) string {
	rt := s.Random()
	kept := *g
	kept.Issued = s.Now().Unix()
	s.Refresh.PutFor(rt, &kept, life)
	return rt
}

// RefreshTokensValidFrom is the user attribute revokeSignInSessions sets (RFC 3339): refresh
// tokens issued before it are refused, as Azure AD's refreshTokensValidFromDateTime.
const RefreshTokensValidFrom = "refreshTokensValidFromDateTime"

// revoked reports whether the grant's refresh token was issued before the user's sessions
// were revoked, allowing B2C's five minutes of clock skew.
func (s *server) revoked(ctx context.Context, g *Grant) bool {
	if s.Admin == nil {
		return false
	}
	u, err := s.Admin.User(ctx, g.ObjectID)
	if err != nil {
		return false
	}
	from, err := time.Parse(time.RFC3339, u.Attributes.String(RefreshTokensValidFrom))
	return err == nil && time.Unix(g.Issued, 0).Add(5*time.Minute).Before(from)
}

// refreshJourney runs the policy's refresh journey, when the engine has one for it.
func (s *server) refreshJourney(ctx context.Context, def *flows.Definition, g *Grant) (*engine.Run, bool) {
	rf, ok := s.Machine.(Refresher)
	if !ok {
		return nil, false
	}
	return rf.Refresh(ctx, def, g.ObjectID, time.Unix(g.Issued, 0), g.Carry)
}

// Refresher is an engine whose policies may run a journey when a refresh token is redeemed
// (a custom policy's Token endpoint). ok is false when def has none, and the sign-in's claims
// are issued again, as for user flows. The run ends PhaseDone with the new token's claims,
// or PhaseFailed with the reason the grant is refused.
type Refresher interface {
	Refresh(ctx context.Context, def *flows.Definition, objectID string, issued time.Time, carried map[string]string) (r *engine.Run, ok bool)
}

// lifetimes returns the flow's token lifetime, refresh token lifetime and sliding window.
func lifetimes(def *flows.Definition) (time.Duration, time.Duration, time.Duration) {
	t := def.Tokens
	life, refresh, window := t.Lifetime, t.RefreshLifetime, t.SlidingWindowLifetime
	if life == 0 {
		life = time.Hour
	}
	if refresh == 0 {
		refresh = 14 * 24 * time.Hour
	}
	if window == 0 {
		window = 90 * 24 * time.Hour
	}
	return life, refresh, window
}

// baseClaims are a finished run's id token claims without the time claims.
func (s *server) baseClaims(def *flows.Definition, ar AuthRequest, r *engine.Run) map[string]any {
	claims := make(map[string]any, 5+len(r.TokenClaims)) // sized once: growing a map allocates
	claims["iss"], claims["sub"], claims["aud"], claims["ver"] = s.issuer(s.baseOf(ar), def), r.User.ObjectID, ar.ClientID, "1.0"
	claims[policyClaim(def)] = strings.ToLower(ar.Policy)
	for k, v := range r.TokenClaims {
		claims[k] = v
	}
	return claims
}

// scopeWords are the OIDC scopes B2C accepts besides resources.
var scopeWords = map[string]bool{"openid": true, "offline_access": true, "profile": true, "email": true}

// unsupportedScope returns the first scope that is neither an OIDC scope, the client's own
// id, nor a scope an application exposes.
func (s *server) unsupportedScope(ar AuthRequest) string {
	for sc := range strings.FieldsSeq(ar.Scope) { // no slice: this runs for every token
		if scopeWords[sc] || strings.EqualFold(sc, ar.ClientID) {
			continue
		}
		if _, _, ok := s.apiScope(sc); !ok {
			return sc
		}
	}
	return ""
}

// refusedScope checks the scope of a token request, which may differ from the sign-in's: B2C
// issues an access token for any scope granted to the client. b2cemu grants every application
// every scope the tenant's APIs publish, so a scope is refused when no API publishes it. It
// returns the AADB2C code and message, or "" when every scope is accepted.
func (s *server) refusedScope(app *App, scope string) (string, string) {
	bad := s.unsupportedScope(AuthRequest{ClientID: app.ClientID, Scope: scope})
	switch {
	case bad == "":
		return "", ""
	case s.exposingAPI(bad) != nil:
		return "AADB2C90205", "This application does not have sufficient permissions against this web resource to perform the operation."
	default:
		return "AADB2C90012", sprintf("The scope '%s' provided in request is not supported.", bad)
	}
}

// exposingAPI is the application whose identifier URI prefixes sc, or nil.
func (s *server) exposingAPI(sc string) *App {
	for i := range s.Apps {
		a := &s.Apps[i]
		if a.IdentifierURI != "" && strings.HasPrefix(sc, strings.TrimRight(a.IdentifierURI, "/")+"/") {
			return a
		}
	}
	return nil
}

// apiScope resolves <identifierUri>/<scope> to the exposing application and the scope name.
func (s *server) apiScope(sc string) (*App, string, bool) {
	for i := range s.Apps {
		a := &s.Apps[i]
		if a.IdentifierURI == "" {
			continue
		}
		name, ok := strings.CutPrefix(sc, strings.TrimRight(a.IdentifierURI, "/")+"/")
		if !ok {
			continue
		}
		for _, x := range a.Scopes {
			if x == name {
				return a, name, true
			}
		}
	}
	return nil, "", false
}

// accessTarget is the access token's audience and scp: an API's scopes, or the client's own
// id (no scp). Without either B2C issues no access token.
func (s *server) accessTarget(ar AuthRequest) (string, string, bool) {
	var aud string
	var scp []string
	self := false
	for sc := range strings.FieldsSeq(ar.Scope) { // no slice: this runs for every token
		if strings.EqualFold(sc, ar.ClientID) {
			self = true
			continue
		}
		if app, name, ok := s.apiScope(sc); ok && (aud == "" || aud == app.ClientID) {
			aud, scp = app.ClientID, append(scp, name)
		}
	}
	if aud != "" {
		return aud, strings.Join(scp, " "), true
	}
	if self {
		return ar.ClientID, "", true
	}
	return "", "", false
}

// minted are the tokens of one issuance.
type minted struct {
	IDToken, AccessToken string
	IDClaims             map[string]any // what the id token says
	Life                 int64
	Now                  int64
}

// mint signs an id token (with the request's nonce when withNonce, and c_hash for code) and,
// when the scope names a resource and withAccess, an access token.
func (s *server) mint(def *flows.Definition, g *Grant, code string, withNonce, withID, withAccess bool) (minted, error) {
	life, _, _ := lifetimes(def)
	m := minted{Now: s.Now().Unix(), Life: int64(life.Seconds())}
	claims := copyClaims(g.Claims)
	claims["iss"] = s.issuer(s.baseOf(g.Auth), def) // where the client met the emulator
	claims["iat"], claims["nbf"], claims["exp"], claims["auth_time"] = m.Now, m.Now, m.Now+m.Life, g.AuthTime
	if aud, scp, ok := s.accessTarget(g.Auth); ok && withAccess {
		at := copyClaims(claims)
		at["aud"], at["azp"] = aud, g.Auth.ClientID
		if scp != "" {
			at["scp"] = scp
		}
		tok, err := s.Signer.Sign(at)
		if err != nil {
			return m, err
		}
		m.AccessToken, claims["at_hash"] = tok, halfHash(tok)
	}
	if withID {
		if withNonce && g.Auth.Nonce != "" {
			claims["nonce"] = g.Auth.Nonce
		}
		if code != "" {
			claims["c_hash"] = halfHash(code)
		}
		tok, err := s.Signer.Sign(claims)
		if err != nil {
			return m, err
		}
		m.IDToken, m.IDClaims = tok, claims
	}
	return m, nil
}

// tokenError is the token endpoint's JSON error.
func (s *server) tokenError(c echo.Context, status int, errCode, code, msg string) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, map[string]string{"error": errCode, "error_description": s.errorDescription(code, msg)})
}

// tokenRefusal is one of the token endpoint's error answers: the HTTP status, the OAuth error
// and B2C's code and message.
type tokenRefusal struct {
	status         int
	err, code, msg string
}

func badRequest(errCode, code, msg string) *tokenRefusal {
	return &tokenRefusal{http.StatusBadRequest, errCode, code, msg}
}

// The token endpoint's fixed refusals, as B2C words them.
var (
	refuseNoPolicy = badRequest("invalid_request", "AADB2C90083", "The policy of the request does not exist.")
	refuseNotForm  = badRequest("invalid_request", "AADB2C90083", "The request body is not a form.")
	refuseExpired  = badRequest("invalid_grant", "AADB2C90080", "The provided grant has expired. Please re-authenticate and try again.")
	refuseOtherApp = badRequest("invalid_grant", "AADB2C90088", "The provided grant has not been issued for this endpoint.")
	refuseRevoked  = badRequest("invalid_grant", "AADB2C90129", "The provided grant has been revoked. Please reauthenticate and try again.")
	refuseVerifier = badRequest("invalid_grant", "AADB2C90183", "The supplied code_verifier is invalid.")
	refuseNoSecret = &tokenRefusal{http.StatusUnauthorized, "invalid_client", "AADB2C90079",
		"Clients must send a client_secret when redeeming a confidential grant."}
	refuseBadSecret = &tokenRefusal{http.StatusUnauthorized, "invalid_client", "AADB2C90081",
		"The specified client_secret does not match the expected value for this client. Please correct the client_secret and try again."}
)

// grantParams maps each grant type the endpoint redeems to the form field that holds the grant.
var grantParams = map[string]string{"authorization_code": "code", "refresh_token": "refresh_token"}

// tokenRequest is one token request as it is checked, then redeemed.
type tokenRequest struct {
	def              *flows.Definition
	form             url.Values
	param            string // the grant's form field: "code" or "refresh_token"
	value            string // the code or refresh token
	clientID, secret string
	scope            string // the requested scope, spaces normalised; "" keeps the sign-in's
	app              *App
	grant            *Grant
}

// store holds the grants of the request's type.
func (s *server) store(t *tokenRequest) Store[*Grant] {
	if t.param == "code" {
		return s.Grants
	}
	return s.Refresh
}

// token redeems an authorization code or a refresh token. Client authentication is checked
// before the grant is consumed, so a client that retries with another authentication style
// still succeeds.
func (s *server) token(c echo.Context) error {
	cors(c)
	t, no := s.tokenRequest(c)
	if no == nil {
		no = s.authorizeGrant(t)
	}
	if no == nil && t.param == "code" {
		no = s.checkCode(t)
	} else if no == nil {
		no = s.checkRefresh(c.Request().Context(), t)
	}
	if no != nil {
		return s.tokenError(c, no.status, no.err, no.code, no.msg)
	}
	return s.issueTokens(c, t)
}

// tokenRequest reads the policy, the form, the grant and the client's credentials, from HTTP
// Basic authentication (form-encoded, as OAuth says) or else the form.
func (s *server) tokenRequest(c echo.Context) (*tokenRequest, *tokenRefusal) {
	def, err := s.policyFor(c)
	if err != nil {
		return nil, refuseNoPolicy
	}
	r := c.Request()
	if err := r.ParseForm(); err != nil {
		return nil, refuseNotForm
	}
	t := &tokenRequest{def: def, form: r.PostForm}
	gt := t.form.Get("grant_type")
	t.param = grantParams[gt]
	switch {
	case gt == "":
		return nil, badRequest("invalid_request", "AADB2C90083", "The request is missing required parameter: grant_type.")
	case t.param == "":
		return nil, badRequest("unsupported_grant_type", "AADB2C90086", sprintf("The supplied grant_type [%s] is not supported.", gt))
	}
	if t.value = t.form.Get(t.param); t.value == "" {
		return nil, badRequest("invalid_request", "AADB2C90083", sprintf("The request is missing required parameter: %s.", t.param))
	}
	var basic bool
	if t.clientID, t.secret, basic = r.BasicAuth(); basic {
		t.clientID, _ = url.QueryUnescape(t.clientID)
		t.secret, _ = url.QueryUnescape(t.secret)
	} else {
		t.clientID, t.secret = t.form.Get("client_id"), t.form.Get("client_secret")
	}
	t.scope = strings.Join(strings.Fields(t.form.Get("scope")), " ")
	return t, nil
}

// authorizeGrant checks that the grant was issued to this policy and client, that the client
// authenticated and that the scope is one it may have; only then is the grant consumed.
func (s *server) authorizeGrant(t *tokenRequest) *tokenRefusal {
	store := s.store(t)
	g, ok := store.Get(t.value)
	if !ok || !strings.EqualFold(g.Auth.Policy, t.def.ID) {
		return refuseExpired
	}
	t.app = s.app(t.clientID)
	if t.app == nil || !strings.EqualFold(t.app.ClientID, g.Auth.ClientID) {
		return refuseOtherApp
	}
	if no := clientSecretRefusal(t.app, t.secret); no != nil {
		return no
	}
	if code, msg := s.refusedScope(t.app, t.scope); code != "" {
		return badRequest("invalid_request", code, msg)
	}
	if t.grant, ok = store.Take(t.value); !ok {
		return refuseExpired
	}
	return nil
}

// clientSecretRefusal checks a confidential client's secret; a public client has none.
func clientSecretRefusal(app *App, secret string) *tokenRefusal {
	switch {
	case app.Secret == "":
		return nil
	case secret == "":
		return refuseNoSecret
	case subtle.ConstantTimeCompare([]byte(secret), []byte(app.Secret)) != 1:
		return refuseBadSecret
	}
	return nil
}

// checkCode checks an authorization code's redirect URI and PKCE verifier.
func (s *server) checkCode(t *tokenRequest) *tokenRefusal {
	g := t.grant
	if ru := t.form.Get("redirect_uri"); ru != "" && ru != g.Auth.RedirectURI {
		return badRequest("invalid_grant", "AADB2C90006", sprintf("The redirect URI '%s' provided in the request is not the one the code was issued to.", ru))
	}
	if g.Auth.Challenge != "" && !pkceMatches(g.Auth.Challenge, g.Auth.Method, t.form.Get("code_verifier")) {
		return refuseVerifier
	}
	if t.app.Secret == "" && g.Auth.Challenge == "" {
		s.Log.Warn("public client redeemed a code without PKCE; B2C requires PKCE for single-page applications", "client_id", t.app.ClientID)
	}
	return nil
}

// checkRefresh refuses a refresh token past its sliding window or revoked, and runs the
// policy's refresh journey, whose claims then replace the sign-in's.
func (s *server) checkRefresh(ctx context.Context, t *tokenRequest) *tokenRefusal {
	g, def := t.grant, t.def
	_, _, window := lifetimes(def)
	if !def.Tokens.NoSlidingExpiry && s.Now().Unix() > g.AuthTime+int64(window.Seconds()) {
		return refuseRevoked
	}
	if run, ok := s.refreshJourney(ctx, def, g); ok {
		if run.Phase != engine.PhaseDone {
			s.Log.Warn("refresh journey refused the grant: "+run.Failure.Diagnostic, "policy", def.ID, "objectId", g.ObjectID)
			return badRequest("invalid_grant", run.Failure.Code, run.Failure.Message)
		}
		t.grant = s.newGrant(def, g.Auth, run, g.AuthTime)
		return nil
	}
	if s.revoked(ctx, g) {
		return refuseRevoked
	}
	return nil
}

// issueTokens mints the tokens of a redeemed grant and answers with them.
func (s *server) issueTokens(c echo.Context, t *tokenRequest) error {
	g := t.grant
	issue := *g // the tokens name the host this request used, and the scope it asks for
	issue.Auth.Base = s.base(c)
	if t.scope != "" {
		issue.Auth.Scope = t.scope
	}
	m, err := s.mint(t.def, &issue, "", t.param == "code", true, true)
	if err != nil {
		return err
	}
	resp := map[string]any{"id_token": m.IDToken, "token_type": "Bearer", "not_before": m.Now, "id_token_expires_in": m.Life, "scope": issue.Auth.Scope}
	if m.AccessToken != "" {
		resp["access_token"], resp["expires_in"], resp["expires_on"] = m.AccessToken, m.Life, m.Now+m.Life
	}
	// B2C wants offline_access in both the sign-in and the token request for a refresh token; the
	// new one keeps the sign-in's scope, so a later refresh without scope asks for the same.
	if hasScope(g.Auth.Scope, "offline_access") && hasScope(issue.Auth.Scope, "offline_access") {
		_, refreshLife, _ := lifetimes(t.def)
		rt := s.putRefresh(g, refreshLife) // rotated: the one just used is gone
		resp["refresh_token"], resp["refresh_token_expires_in"] = rt, int64(refreshLife.Seconds())
	}
	if t.form.Get("client_info") == "1" {
		resp["client_info"] = s.clientInfo(t.def, g.ObjectID)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("Pragma", "no-cache")
	return c.JSON(http.StatusOK, resp)
}

// clientInfo is what B2C returns to MSAL: base64url({"uid":"<oid>-<policy>","utid":"<tenantId>"}).
func (s *server) clientInfo(def *flows.Definition, oid string) string {
	b, _ := json.Marshal(map[string]string{"uid": oid + "-" + strings.ToLower(def.ID), "utid": s.Tenant.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

func pkceMatches(challenge, method, verifier string) bool {
	if verifier == "" {
		return false
	}
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		verifier = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(challenge), []byte(verifier)) == 1
}

func hasScope(scope, want string) bool {
	for s := range strings.FieldsSeq(scope) {
		if strings.EqualFold(s, want) {
			return true
		}
	}
	return false
}

func copyClaims(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// halfHash is c_hash / at_hash for RS256.
func halfHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}
