package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/web/views"
)

// Branding is the tenant's company branding, as B2C's company branding sets it.
type Branding struct {
	CompanyName     string // the banner; "" = the tenant name
	Logo            []byte // the banner logo; nil = the default mark
	LogoType        string // its Content-Type
	PrimaryColor    string // buttons and links, e.g. #0078d4
	BackgroundColor string // the page background
	Background      []byte // the background image; nil = the template's
	BackgroundType  string // its Content-Type
}

// page is what every page shows: the title, the language of its built-in strings and the
// branding. locale is ui_locales or Accept-Language.
func (s *server) page(title, locale string) views.Page {
	name := s.Branding.CompanyName
	if name == "" {
		name = s.Tenant.Name
	}
	lang := language(locale)
	if locale != "" && lang != "en" {
		locale = lang
	}
	if locale == "" {
		locale = "en"
	}
	return views.Page{Title: title, Lang: locale, Tenant: name, Logo: s.Branding.Logo != nil,
		Background: s.Branding.Background != nil, T: translator(lang)}
}

// brandingCSS overrides the stylesheet's colours with the configured ones. It is a stylesheet
// of its own so that the pages need no inline style (the CSP forbids it).
func (s *server) brandingCSS(c echo.Context) error {
	var b strings.Builder
	if col := s.Branding.BackgroundColor; col != "" {
		fmt.Fprintf(&b, "body, #background_branding_container { background: %s; }\n", col)
	}
	if col := s.Branding.PrimaryColor; col != "" {
		fmt.Fprintf(&b, "button, #next, #continue { background: %[1]s; border-color: %[1]s; }\nbutton#cancel { color: %[1]s; background: #fff; }\na, .custom-identity summary { color: %[1]s; }\ninput:focus, textarea:focus { outline-color: %[1]s; border-color: %[1]s; }\n", col)
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", []byte(b.String()))
}

func (s *server) brandingLogo(c echo.Context) error {
	if s.Branding.Logo == nil {
		return echo.ErrNotFound
	}
	return c.Blob(http.StatusOK, s.Branding.LogoType, s.Branding.Logo)
}

func (s *server) brandingBackground(c echo.Context) error {
	if s.Branding.Background == nil {
		return echo.ErrNotFound
	}
	return c.Blob(http.StatusOK, s.Branding.BackgroundType, s.Branding.Background)
}
