package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/web/views"
)

// home lists the user flows and custom policies with "Run user flow" links, as the portal
// does: id_token for the first registered application, returned to its first redirect URI by
// form_post. Each row links its own policy's discovery document.
func (s *server) home(c echo.Context) error {
	m := views.Home{Page: s.page("b2cemu", ""), TenantID: s.Tenant.ID, BaseURL: s.BaseURL}
	var app *App
	if len(s.Apps) > 0 {
		app = &s.Apps[0]
		m.App = app.Name
	}
	for _, f := range s.Flows {
		link := s.homeRow(f)
		link.RunURL = s.runURL(app, f)
		m.Flows = append(m.Flows, link)
	}
	return s.render(c, http.StatusOK, views.HomePage(m))
}

// runURL is the portal's "Run user flow" request for f and app, "" without an app.
func (s *server) runURL(app *App, f *flows.Definition) string {
	if app == nil || len(app.RedirectURIs) == 0 {
		return ""
	}
	q := url.Values{"client_id": {app.ClientID}, "nonce": {"defaultNonce"}, "redirect_uri": {resolveURI(s.BaseURL, app.RedirectURIs[0])},
		"scope": {"openid"}, "response_type": {"id_token"}, "response_mode": {"form_post"}, "prompt": {"login"}}
	return "/" + s.Tenant.Name + ".onmicrosoft.com/" + f.ID + "/oauth2/v2.0/authorize?" + q.Encode()
}

// passwordResetURL is where the token viewer sends AADB2C90118 ("Forgot your password?" in a
// sign-up or sign-in flow), as B2C applications do: the tenant's first password reset flow,
// run for the first application; "" when there is none.
func (s *server) passwordResetURL() string {
	for _, f := range s.Flows {
		if f.Type == flows.PasswordReset && len(s.Apps) > 0 {
			return s.runURL(&s.Apps[0], f)
		}
	}
	return ""
}

// homeRow is a flow's row on the home page: a custom policy shows its journey, since its
// providers and REST calls are in its files rather than in a user flow's settings.
func (s *server) homeRow(f *flows.Definition) views.FlowLink {
	link := views.FlowLink{ID: f.ID, Type: string(f.Type), Providers: f.IdentityProviders,
		Discovery: s.BaseURL + "/" + s.Tenant.Name + ".onmicrosoft.com/" + strings.ToLower(f.ID) + "/v2.0/.well-known/openid-configuration"}
	if journey, custom := s.Journeys[strings.ToLower(f.ID)]; custom {
		link.Type, link.Journey, link.Providers = "custom policy", journey, nil
		return link
	}
	for _, st := range []apiconnector.Step{apiconnector.PostFederationSignup, apiconnector.PostAttributeCollection, apiconnector.PreTokenIssuance} {
		if n := f.Connectors[st]; n != "" {
			link.Connectors = append(link.Connectors, string(st)+" → "+n)
		}
	}
	return link
}

// viewToken is the token viewer: it takes id_token (or error) from the query or a form post.
// AADB2C90118 starts the password reset flow instead, as an application handling it does.
func (s *server) viewToken(c echo.Context) error {
	get := c.QueryParam
	if c.Request().Method == http.MethodPost {
		get = c.FormValue
	}
	m := views.JWT{Page: s.page("Token viewer", ""), Error: get("error"), ErrorDesc: get("error_description")}
	if u := s.passwordResetURL(); strings.HasPrefix(m.ErrorDesc, "AADB2C90118") && u != "" {
		return c.Redirect(http.StatusSeeOther, u)
	}
	m.Token = strings.TrimSpace(get("id_token"))
	if m.Token != "" {
		header, claims, err := s.Signer.Verify(m.Token)
		m.Verified = err == nil
		if err != nil {
			m.VerifyError = err.Error()
		}
		m.Header, m.Payload = pretty(header), pretty(claims)
		var names []string
		for k := range claims {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v := claims[k]
			str, ok := v.(string)
			if !ok {
				b, _ := json.Marshal(v)
				str = string(b)
			}
			m.Claims = append(m.Claims, views.Claim{Name: k, Value: str})
		}
	}
	return s.render(c, http.StatusOK, views.JWTPage(m))
}

func pretty(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func formPost(action string, params url.Values) views.FormPost {
	var keys []string
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m := views.FormPost{Action: action}
	for _, k := range keys {
		m.Fields = append(m.Fields, views.Hidden{Name: k, Value: params.Get(k)})
	}
	return m
}
