package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/web/views"
)

// Look is how a policy's pages look (docs/pages.md#page-templates): the built-in template of
// its pages and the custom page content each page may be merged into.
type Look struct {
	Template string                 // views.OceanBlue (also ""), views.SlateGray or views.Classic
	Pages    map[string]PageContent // by content definition id: api.signuporsignin, api.error, …
	// Scripts is the policy's JavaScript setting (a user flow's "Enable JavaScript enforcing
	// page layout", a custom policy's ScriptExecution Allow): custom page content keeps its
	// scripts. Off, they are removed, as B2C removes them.
	Scripts bool
	// FrameAncestors are the origins that may show the policy's pages in a frame (a custom
	// policy's JourneyFraming Sources, docs/custom-policies.md#embedded-sign-in); nil: none.
	FrameAncestors []string
}

// PageContent is one content definition's look.
type PageContent struct {
	Template string // the page's template; "" = the Look's
	// URI is the custom page content: an absolute file path or a loopback http(s) URL, with
	// {Culture:RFC5646} or {Culture:LanguageName} for the page's language; "" = the template.
	URI string
}

// Content definitions of the pages b2cemu draws for user flows, as B2C names them.
const (
	defUnified      = "api.signuporsignin"
	defIdPSelection = "api.idpselections.signup"
	defLocalSignUp  = "api.localaccountsignup"
	defSelfAsserted = "api.selfasserted"
	defError        = "api.error"
)

// pageDefinition is the content definition of the run's page: the one a custom policy's step
// or profile names, or the user flow page's own. The fake identity provider's page, b2cemu's,
// has none.
func pageDefinition(def *flows.Definition, r *engine.Run) string {
	if r.Phase == engine.PhaseFailed {
		return defError
	}
	if r.Page != nil && r.Page.ContentDefinition != "" { // a journey's step names its own
		return r.Page.ContentDefinition
	}
	switch r.Phase { // a user flow's page by its phase
	case engine.PhaseSignIn:
		if def.SignsIn() {
			return defUnified
		}
		return defIdPSelection
	case engine.PhaseLocalSignUp:
		return defLocalSignUp
	case engine.PhaseAttributes, engine.PhaseBlocked:
		return defSelfAsserted
	}
	return ""
}

// dress gives page the template of the policy's content definition cd and, when cd has
// custom page content, leaves it for render to merge the page into. uiLocales is the run's
// ui_locales, passed to a custom page's URL as B2C passes it ("" = not passed), after params,
// the policy's ContentDefinitionParameters.
func (s *server) dress(c echo.Context, page *views.Page, policy, cd, uiLocales string, params []engine.PageParameter) {
	look, ok := s.Looks[strings.ToLower(policy)]
	if !ok {
		return
	}
	s.allowFraming(c, policy)
	pc := look.Pages[cd]
	page.Template = look.Template
	if pc.Template != "" {
		page.Template = pc.Template
	}
	if pc.URI == "" || c.Get(customFailedKey) != nil {
		return
	}
	if cd == defError {
		uiLocales, params = "", nil // B2C passes no OpenID Connect parameter to the exception page
	}
	c.Set(customPageKey, &customPage{URI: pc.URI, Scripts: look.Scripts, Lang: page.Lang, UILocales: uiLocales, Params: params, Definition: cd})
}

// frameKey is where a handler leaves the origins that may frame its page ([]string).
const frameKey = "b2cemu.frameAncestors"

// allowFraming lets the origins of the policy's JourneyFraming show the response in a frame;
// without any, the page keeps X-Frame-Options DENY and frame-ancestors 'none'.
func (s *server) allowFraming(c echo.Context, policy string) {
	if f := s.Looks[strings.ToLower(policy)].FrameAncestors; len(f) > 0 {
		c.Set(frameKey, f)
	}
}

// frameHeaders are a page's X-Frame-Options and CSP frame-ancestors: DENY and 'none', or, for
// a policy with JourneyFraming, its sources in frame-ancestors and the first of them in
// X-Frame-Options ALLOW-FROM, as the schema's JourneyFraming type says B2C fills them.
// Browsers that know frame-ancestors (all current ones) ignore X-Frame-Options then.
func frameHeaders(c echo.Context) (xfo, ancestors string) {
	f, _ := c.Get(frameKey).([]string)
	if len(f) == 0 {
		return "DENY", "'none'"
	}
	return "ALLOW-FROM " + f[0], strings.Join(f, " ")
}
