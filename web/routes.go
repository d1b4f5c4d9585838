package web

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/b2cemu/b2cemu/web/static"
)

// oidcPrefixes are the path forms B2C serves each endpoint under: the tenant and policy in the
// path, MSAL's /tfp/ form, and the tenant alone with ?p=<policy>.
var oidcPrefixes = []string{"/:tenant/:policy", "/tfp/:tenant/:policy", "/:tenant"}

// routes registers every route of b2cemu, by area. Every route is in this file, one line a
// route, so that reading it top to bottom is how to find which handler serves a path.
func routes(e *echo.Echo, s *server) {
	ownRoutes(e, s)
	oidcRoutes(e, s)
	runRoutes(e, s)
	adminRoutes(e, s)
	if s.Demo != nil {
		e.Any("/demo/api/*", echo.WrapHandler(s.Demo))
	}
}

// ownRoutes are the emulator's own pages and files: the home page, the health check, the
// token viewer, the tenant's branding and the embedded assets.
func ownRoutes(e *echo.Echo, s *server) {
	e.GET("/", s.home)
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/jwt", s.viewToken)
	e.POST("/jwt", s.viewToken, middleware.BodyLimit("64K"))
	sub, _ := fs.Sub(static.Files, ".")
	e.GET("/_branding.css", s.brandingCSS)
	e.GET("/_branding/logo", s.brandingLogo)
	e.GET("/_branding/background", s.brandingBackground)
	e.GET("/_pages/:n/*", s.pageFiles) // what a file page of custom page content refers to
	e.GET("/_static/*", staticFiles(sub))
	e.GET("/favicon.ico", favicon(sub))
}

// oidcRoutes are the OpenID Connect endpoints, under each of B2C's path forms.
func oidcRoutes(e *echo.Echo, s *server) {
	for _, p := range oidcPrefixes {
		e.GET(p+"/v2.0/.well-known/openid-configuration", s.discovery)
		e.GET(p+"/discovery/v2.0/keys", s.keys)
		e.GET(p+"/oauth2/v2.0/authorize", s.authorize)
		e.POST(p+"/oauth2/v2.0/authorize", s.authorize, middleware.BodyLimit("64K"))
		e.POST(p+"/oauth2/v2.0/token", s.token, middleware.BodyLimit("64K"))
		e.OPTIONS(p+"/oauth2/v2.0/token", s.preflight)
		e.GET(p+"/oauth2/v2.0/logout", s.logout)
	}
}

// runRoutes are a run's pages, at B2C's URLs (docs/pages.md): the background submit, where a
// page goes once it was taken, and the unified page's links. A page's form is small: 64 KiB
// is far more than B2C's fields hold.
func runRoutes(e *echo.Echo, s *server) {
	e.POST("/:tenant/:policy/SelfAsserted", s.withRun(s.flowSubmit), middleware.BodyLimit("64K"))
	e.POST("/:tenant/:policy/SelfAsserted/DisplayControlAction/vbeta/:control/:action", s.withRun(s.controlAction), middleware.BodyLimit("64K"))
	e.GET("/:tenant/:policy/api/:page/confirmed", s.withRun(s.flowConfirmed))
	e.GET("/:tenant/:policy/api/:page/unified", s.withRun(s.flowLink))
	e.GET("/:tenant/:policy/api/:page/forgotPassword", s.withRun(s.flowLink))
	e.GET("/:tenant/:policy/api/:page/identity", s.withRun(s.idpCheck)) // the fake identity provider's page asks
}

// adminRoutes are the developer tools and the admin API under /_emulator (docs/admin-api.md).
// The admin API refuses state-changing requests that browsers send from other sites (CSRF),
// and bodies over 1 MiB but for an import of users. The developer pages' forms are plain
// posts to the same group, so the same-origin check is their CSRF protection; the sign-in
// form is outside the token check but behind it too.
func adminRoutes(e *echo.Echo, s *server) {
	sameOrigin := echo.WrapMiddleware(http.NewCrossOriginProtection().Handler)
	e.GET("/_emulator/login", s.loginPage)
	e.POST("/_emulator/login", s.login, sameOrigin, middleware.BodyLimit("64K"))
	admin := e.Group("/_emulator", sameOrigin, s.requireAdmin,
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "1M", Skipper: func(c echo.Context) bool { return c.Path() == "/_emulator/users/import" }}))
	admin.GET("", s.index)
	admin.GET("/", s.index)
	admin.GET("/openapi.json", s.openAPI)
	admin.POST("/logout", s.signOut)
	admin.GET("/calls", s.calls)
	admin.DELETE("/calls", s.clearCalls)
	admin.POST("/calls/clear", s.clearCalls)
	admin.GET("/calls/total", s.callsTotal)
	admin.POST("/calls/:id/resend", s.resendCall)
	admin.POST("/flows/:policy/run", s.runFlow)
	userRoutes(admin, s)
	admin.GET("/emails", s.emails)
	admin.DELETE("/emails", s.clearEmails)
	admin.POST("/emails/clear", s.clearEmails)
	admin.GET("/sms", s.sms)
	admin.DELETE("/sms", s.clearSMS)
	admin.POST("/sms/clear", s.clearSMS)
	admin.POST("/reset", s.reset)
	admin.GET("/keys", s.keyIDs)
	admin.GET("/clock", s.getClock)
	admin.PUT("/clock", s.setClock)
	admin.GET("/conditionalAccess", s.caSignals)
	admin.PUT("/conditionalAccess", s.setCASignal)
	admin.DELETE("/conditionalAccess", s.clearCASignals)
	admin.PUT("/conditionalAccess/users/:id", s.setCASignal)
	admin.DELETE("/conditionalAccess/users/:id", s.clearCASignals)
}

// userRoutes are the admin API's users, in Microsoft Graph's shape, and the user pages' forms.
func userRoutes(admin *echo.Group, s *server) {
	admin.GET("/users", s.listUsers)
	admin.POST("/users", s.createUser)
	admin.GET("/users/new", s.newUserPage)
	admin.GET("/users/export", s.exportUsers)
	admin.POST("/users/import", s.importUsers)
	admin.GET("/users/:id", s.getUser)
	admin.PATCH("/users/:id", s.updateUser)
	admin.DELETE("/users/:id", s.deleteUser)
	admin.POST("/users/:id/update", s.updateUserForm) // the user page's form: PATCH for browsers
	admin.POST("/users/:id/delete", s.deleteUser)     // the user page's form: DELETE for browsers
	admin.POST("/users/:id/revokeSignInSessions", s.revokeSessions)
}

// staticFiles serves the embedded assets under /_static/. Only files are served: a folder's
// path, with or without its slash, answers 404 like any name that is not a file (Go's file
// server would list the folder).
func staticFiles(files fs.FS) echo.HandlerFunc {
	return func(c echo.Context) error {
		name := strings.TrimPrefix(c.Request().URL.Path, "/_static/")
		if !fs.ValidPath(name) {
			return echo.ErrNotFound
		}
		if info, err := fs.Stat(files, name); err != nil || info.IsDir() {
			return echo.ErrNotFound
		}
		c.Response().Header().Set("Cache-Control", "public, max-age=3600")
		http.ServeFileFS(c.Response(), c.Request(), files, name)
		return nil
	}
}

// favicon serves the embedded icon where browsers look for it, so that no page's first
// request is a 404.
func favicon(files fs.FS) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "public, max-age=86400")
		http.ServeFileFS(c.Response(), c.Request(), files, "favicon.ico")
		return nil
	}
}
