package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
)

// ssoCookie holds the browser's single sign-on session id.
const ssoCookie = "x-ms-cpim-sso"

// ssoLifetime is B2C's default web app session lifetime (1440 minutes).
const ssoLifetime = 24 * time.Hour

// SSOSession is a browser's signed-in state: a later authorize without prompt=login signs the
// same user in without any page, as B2C's SSO session does.
type SSOSession struct {
	ObjectID string
	Identity flows.Identity
	AuthTime int64
}

// resumeSSO signs the user of the browser's SSO session in silently. It reports whether it
// answered the request.
func (s *server) resumeSSO(c echo.Context, def *flows.Definition, sess *Session, prompt string) (bool, error) {
	ck, err := c.Cookie(ssoCookie)
	if err != nil || prompt == "login" {
		return false, nil
	}
	sso, ok := s.SSO.Get(ck.Value)
	if !ok {
		return false, nil
	}
	if err := s.Machine.Advance(c.Request().Context(), def, sess.Run, flows.ResumeSession{ObjectID: sso.ObjectID, Identity: sso.Identity}); err != nil {
		return false, nil // the user is gone: show the pages
	}
	sess.AuthTime = sso.AuthTime
	return true, s.conclude(c, sess)
}

// startSSO records the signed-in user for the browser.
func (s *server) startSSO(c echo.Context, sess *Session, authTime int64) {
	id := s.Random()
	if ck, err := c.Cookie(ssoCookie); err == nil && ck.Value != "" {
		id = ck.Value
	}
	s.SSO.PutFor(id, &SSOSession{ObjectID: sess.Run.User.ObjectID, Identity: sess.Run.Identity, AuthTime: authTime}, ssoLifetime)
	c.SetCookie(&http.Cookie{Name: ssoCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(s.BaseURL, "https:")})
}

// endSSO forgets the browser's session.
func (s *server) endSSO(c echo.Context) {
	if ck, err := c.Cookie(ssoCookie); err == nil {
		s.SSO.Take(ck.Value)
	}
	c.SetCookie(&http.Cookie{Name: ssoCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
}
