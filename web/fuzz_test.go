package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/flows"
)

// FuzzAuthorize feeds the authorize parameter parser any query: it never panics, and what it
// accepts is consistent (a registered redirect URI, a known response type and mode, a scope).
func FuzzAuthorize(f *testing.F) {
	f.Add("client_id=c1&redirect_uri=http%3A%2F%2Fapp.test%2Fcb&scope=openid&response_type=code&state=s&nonce=n")
	f.Add("client_id=c1&redirect_uri=http%3A%2F%2Fapp.test%2Fcb&scope=openid+c1&response_type=id_token+token&response_mode=form_post")
	f.Add("client_id=C1&redirect_uri=http%3A%2F%2Fb2c.test%2Fjwt&scope=openid&response_type=code&code_challenge=x&code_challenge_method=S512")
	f.Add("client_id=&redirect_uri=%zz&scope=&response_type=code%20code")
	s := &server{Deps: Deps{BaseURL: "http://b2c.test", Apps: []App{{ClientID: "c1", RedirectURIs: []string{"http://app.test/cb", "/jwt"},
		IdentifierURI: "https://contoso.onmicrosoft.com/api", Scopes: []string{"read"}}}}, appByID: map[string]*App{}}
	s.appByID["c1"] = &s.Apps[0]
	def := &flows.Definition{ID: "B2C_1_susi"}
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		ar, app, fail := s.parseAuthorize(def, q, s.BaseURL, "en-US")
		if fail != nil {
			if fail.code == "" || fail.msg == "" || (!fail.page && fail.err == "") {
				t.Fatalf("a failure without its code or message: %+v", fail)
			}
			if !fail.page && !registered(app, s.BaseURL, ar.RedirectURI) {
				t.Fatalf("an error would be redirected to an unregistered URI %q", ar.RedirectURI)
			}
			return
		}
		if !registered(app, s.BaseURL, ar.RedirectURI) || strings.TrimSpace(ar.Scope) == "" {
			t.Fatalf("accepted %+v", ar)
		}
		if _, ok := normalizeResponseType(ar.ResponseType); !ok {
			t.Fatalf("accepted the response type %q", ar.ResponseType)
		}
		switch ar.ResponseMode {
		case "query", "fragment", "form_post":
		default:
			t.Fatalf("accepted the response mode %q", ar.ResponseMode)
		}
	})
}
