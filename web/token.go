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
func (s *server) newGrant(def *flows.Definition, ar AuthRequest, r *flows.Run, authTime int64) *Grant {
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
func (s *server) refreshJourney(ctx context.Context, def *flows.Definition, g *Grant) (*flows.Run, bool) {
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
	Refresh(ctx context.Context, def *flows.Definition, objectID string, issued time.Time, carried map[string]string) (r *flows.Run, ok bool)
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
func (s *server) baseClaims(def *flows.Definition, ar AuthRequest, r *flows.Run) map[string]any {
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

// token redeems an authorization code or a refresh token. Client authentication is checked
// before the grant is consumed, so a client that retries with another authentication style
// still succeeds.
func (s *server) token(c echo.Context) error {
	cors(c)
	def, err := s.policyFor(c)
	if err != nil {
		return s.tokenError(c, http.StatusBadRequest, "invalid_request", "AADB2C90083", "The policy of the request does not exist.")
	}
	r := c.Request()
	if err := r.ParseForm(); err != nil {
		return s.tokenError(c, http.StatusBadRequest, "invalid_request", "AADB2C90083", "The request body is not a form.")
	}
	f := r.PostForm
	var store Store[*Grant]
	var param string
	switch gt := f.Get("grant_type"); gt {
	case "authorization_code":
		store, param = s.Grants, "code"
	case "refresh_token":
		store, param = s.Refresh, "refresh_token"
	case "":
		return s.tokenError(c, http.StatusBadRequest, "invalid_request", "AADB2C90083", "The request is missing required parameter: grant_type.")
	default:
		return s.tokenError(c, http.StatusBadRequest, "unsupported_grant_type", "AADB2C90086", sprintf("The supplied grant_type [%s] is not supported.", gt))
	}
	secretValue := f.Get(param)
	if secretValue == "" {
		return s.tokenError(c, http.StatusBadRequest, "invalid_request", "AADB2C90083", sprintf("The request is missing required parameter: %s.", param))
	}
	clientID, secret, basic := r.BasicAuth()
	if basic {
		clientID, _ = url.QueryUnescape(clientID)
		secret, _ = url.QueryUnescape(secret)
	} else {
		clientID, secret = f.Get("client_id"), f.Get("client_secret")
	}
	g, ok := store.Get(secretValue)
	if !ok || !strings.EqualFold(g.Auth.Policy, def.ID) {
		return s.tokenError(c, http.StatusBadRequest, "invalid_grant", "AADB2C90080", "The provided grant has expired. Please re-authenticate and try again.")
	}
	app := s.app(clientID)
	if app == nil || !strings.EqualFold(app.ClientID, g.Auth.ClientID) {
		return s.tokenError(c, http.StatusBadRequest, "invalid_grant", "AADB2C90088", "The provided grant has not been issued for this endpoint.")
	}
	if app.Secret != "" {
		if secret == "" {
			return s.tokenError(c, http.StatusUnauthorized, "invalid_client", "AADB2C90079", "Clients must send a client_secret when redeeming a confidential grant.")
		}
		if subtle.ConstantTimeCompare([]byte(secret), []byte(app.Secret)) != 1 {
			return s.tokenError(c, http.StatusUnauthorized, "invalid_client", "AADB2C90081", "The specified client_secret does not match the expected value for this client. Please correct the client_secret and try again.")
		}
	}
	requested := strings.Join(strings.Fields(f.Get("scope")), " ")
	if code, msg := s.refusedScope(app, requested); code != "" {
		return s.tokenError(c, http.StatusBadRequest, "invalid_request", code, msg)
	}
	if g, ok = store.Take(secretValue); !ok {
		return s.tokenError(c, http.StatusBadRequest, "invalid_grant", "AADB2C90080", "The provided grant has expired. Please re-authenticate and try again.")
	}
	_, refreshLife, window := lifetimes(def)
	if param == "code" {
		if ru := f.Get("redirect_uri"); ru != "" && ru != g.Auth.RedirectURI {
			return s.tokenError(c, http.StatusBadRequest, "invalid_grant", "AADB2C90006", sprintf("The redirect URI '%s' provided in the request is not the one the code was issued to.", ru))
		}
		if g.Auth.Challenge != "" && !pkceMatches(g.Auth.Challenge, g.Auth.Method, f.Get("code_verifier")) {
			return s.tokenError(c, http.StatusBadRequest, "invalid_grant", "AADB2C90183", "The supplied code_verifier is invalid.")
		}
		if app.Secret == "" && g.Auth.Challenge == "" {
			s.Log.Warn("public client redeemed a code without PKCE; B2C requires PKCE for single-page applications", "client_id", app.ClientID)
		}
	} else if !def.Tokens.NoSlidingExpiry && s.Now().Unix() > g.AuthTime+int64(window.Seconds()) {
		return s.tokenError(c, http.StatusBadRequest, "invalid_grant", "AADB2C90129", "The provided grant has been revoked. Please reauthenticate and try again.")
	} else if run, ok := s.refreshJourney(r.Context(), def, g); ok {
		if run.Phase != flows.PhaseDone {
			s.Log.Warn("refresh journey refused the grant: "+run.Failure.Diagnostic, "policy", def.ID, "objectId", g.ObjectID)
			return s.tokenError(c, http.StatusBadRequest, "invalid_grant", run.Failure.Code, run.Failure.Message)
		}
		g = s.newGrant(def, g.Auth, run, g.AuthTime)
	} else if s.revoked(r.Context(), g) {
		return s.tokenError(c, http.StatusBadRequest, "invalid_grant", "AADB2C90129", "The provided grant has been revoked. Please reauthenticate and try again.")
	}
	issue := *g // the tokens name the host this request used, and the scope it asks for
	issue.Auth.Base = s.base(c)
	if requested != "" {
		issue.Auth.Scope = requested
	}
	m, err := s.mint(def, &issue, "", param == "code", true, true)
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
		rt := s.putRefresh(g, refreshLife) // rotated: the one just used is gone
		resp["refresh_token"], resp["refresh_token_expires_in"] = rt, int64(refreshLife.Seconds())
	}
	if f.Get("client_info") == "1" {
		resp["client_info"] = s.clientInfo(def, g.ObjectID)
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
