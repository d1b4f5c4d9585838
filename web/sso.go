package web

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// ssoLifetime is B2C's default web app session lifetime (1440 minutes).
const ssoLifetime = 24 * time.Hour

// SSOSession is a browser's signed-in state: a later authorize without prompt=login signs the
// same user in without any page, as B2C's SSO session does.
type SSOSession struct {
	ObjectID string
	Identity engine.Identity
	AuthTime int64
	MFA      bool // the sign-in passed the second factor: a flow that asks for it does not ask again
	// Kept is set when the user checked "Keep me signed in": the cookie is persistent.
	Kept bool
}

// ssoCookie is the name of B2C's SSO session cookie, x-ms-cpim-sso:{Id}, whose id is the
// tenant's domain name and a counter (x-ms-cpim-sso:contoso.onmicrosoft.com_0). The colon
// is outside RFC 6265's token characters, so net/http would neither read nor write it: the
// emulator does both itself.
func (s *server) ssoCookie() string {
	return "x-ms-cpim-sso:" + strings.ToLower(s.Tenant.Name) + ".onmicrosoft.com_0"
}

// resumeSSO signs the user of the browser's SSO session in silently. It reports whether it
// answered the request. prompt=login skips the session, as B2C's only documented prompt value.
func (s *server) resumeSSO(c echo.Context, def *flows.Definition, sess *Session, prompt string) (bool, error) {
	id := rawCookie(c.Request(), s.ssoCookie())
	if id == "" || prompt == "login" {
		return false, nil
	}
	sso, ok := s.SSO.Get(id)
	if !ok {
		return false, nil
	}
	if err := s.Machine.Advance(c.Request().Context(), def, sess.Run, engine.ResumeSession{ObjectID: sso.ObjectID, Identity: sso.Identity, MFA: sso.MFA}); err != nil {
		return false, nil // the user is gone: show the pages
	}
	sess.AuthTime, sess.keep = sso.AuthTime, sso.Kept
	return true, s.conclude(c, sess, def)
}

// startSSO records the signed-in user for the browser. A session cookie lives as long as the
// browser, the server's session ssoLifetime. A run that kept the user signed in ("Keep me
// signed in" checked, or a resumed session that was) under a policy that keeps such sessions
// gets a persistent cookie, and the server's session, of the policy's days, renewed by every
// sign-in it serves (B2C's default Rolling expiry); a policy without the setting turns the
// cookie back into a session cookie, as Microsoft's session-behavior article warns.
func (s *server) startSSO(c echo.Context, sess *Session, authTime int64) {
	id := rawCookie(c.Request(), s.ssoCookie())
	if id == "" {
		id = s.Random()
	}
	mfa := flows.PassedSecondFactor(sess.Run)
	if prev, ok := s.SSO.Get(id); ok && prev.ObjectID == sess.Run.User.ObjectID {
		mfa = mfa || prev.MFA // a later run of the session's user keeps the factor it passed
	}
	days := 0
	if def := s.flowByID[strings.ToLower(sess.Auth.Policy)]; def != nil && sess.keep {
		days = def.KeepMeSignedInDays
	}
	life, ck := ssoLifetime, &http.Cookie{Name: s.ssoCookie(), Value: id, Path: "/", HttpOnly: true}
	if days > 0 {
		life = time.Duration(days) * 24 * time.Hour
		ck.MaxAge, ck.Expires = int(life/time.Second), s.Now().Add(life).UTC()
	}
	s.SSO.PutFor(id, &SSOSession{ObjectID: sess.Run.User.ObjectID, Identity: sess.Run.Identity, AuthTime: authTime, MFA: mfa, Kept: days > 0}, life)
	s.setCookie(c, ck)
}

// endSSO forgets the browser's session.
func (s *server) endSSO(c echo.Context) {
	if id := rawCookie(c.Request(), s.ssoCookie()); id != "" {
		s.SSO.Take(id)
	}
	s.setCookie(c, &http.Cookie{Name: s.ssoCookie(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
}

// setCookie sets one of B2C's cookies with B2C's SameSite=None; Secure, which an
// application's hidden iframe on another site (silent renew, prompt=none) needs to send them.
// Browsers keep Secure cookies from https and from http://localhost and loopback addresses
// (secure contexts); on any other plain-http host the cookie goes without both and the
// browser's default, Lax, applies: sign-in works, iframe renewal does not.
func (s *server) setCookie(c echo.Context, ck *http.Cookie) {
	if s.secureContext(c.Request()) {
		ck.Secure, ck.SameSite = true, http.SameSiteNoneMode
	}
	name := ck.Name
	ck.Name = "b2cemu" // a token name for net/http's formatting; B2C's may hold a colon
	line := ck.String()
	if line == "" {
		return
	}
	c.Response().Header().Add("Set-Cookie", name+strings.TrimPrefix(line, ck.Name))
}

// secureContext reports whether a browser treats the request's origin as secure: https, a
// public URL behind a TLS proxy, or a loopback host over plain http.
func (s *server) secureContext(r *http.Request) bool {
	if r.TLS != nil || strings.HasPrefix(s.BaseURL, "https:") {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// rawCookie returns the value of the request's cookie name. net/http drops cookies whose
// names are not RFC 6265 tokens, as B2C's x-ms-cpim-sso:{Id} is not.
func rawCookie(r *http.Request, name string) string {
	for _, line := range r.Header.Values("Cookie") {
		for _, part := range strings.Split(line, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok && k == name {
				return strings.Trim(v, `"`)
			}
		}
	}
	return ""
}
