package loadgen

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// Dex is the comparison mode: a browser's login at a running dex (github.com/dexidp/dex)
// configured as docs/examples/dex/config.yaml is: the authorize request, dex's redirects
// (through its login form when it shows one), the redirect to the application with a code,
// and the code redeemed at the token endpoint, from a fresh browser each time, as Pages.
const Dex = "dex"

// Dex's example configuration: the client, its secret, its redirect URI and the user.
const (
	dexClient   = "bench"
	dexSecret   = "bench-secret"
	dexRedirect = "http://127.0.0.1:5555/callback"
	dexUser     = "user@example.com"
)

var dexFormRe = regexp.MustCompile(`<form method="post" action="([^"]*)"`)

// dexLogin returns the walk at the dex whose issuer URL is issuer.
func (t *target) dexLogin(issuer string) (op, error) {
	if issuer == "" {
		return nil, errors.New("the dex mode needs the issuer URL of a running dex (--dex http://127.0.0.1:5556/dex; see docs/performance.md)")
	}
	base, err := url.Parse(issuer)
	if err != nil {
		return nil, fmt.Errorf("--dex %q: %w", issuer, err)
	}
	return func(ctx context.Context, _, _ int) ([]float64, error) {
		jar, _ := cookiejar.New(nil)
		b := &http.Client{Transport: t.client.Transport, Jar: jar,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		q := url.Values{"client_id": {dexClient}, "redirect_uri": {dexRedirect}, "response_type": {"code"}, "scope": {"openid email"}, "state": {"s"}}
		loc, err := walk(ctx, b, base, issuer+"/auth?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("dex: %w", err)
		}
		back, _ := url.Parse(loc)
		form := url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")}, "redirect_uri": {dexRedirect},
			"client_id": {dexClient}, "client_secret": {dexSecret}}
		var tok struct {
			IDToken string `json:"id_token"`
		}
		if err := postForm(ctx, b, issuer+"/token", form, &tok); err != nil {
			return nil, fmt.Errorf("dex: %w", err)
		}
		if tok.IDToken == "" {
			return nil, errors.New("dex: the code redeemed to no id token")
		}
		return nil, nil
	}, nil
}

// walk follows dex's redirects from u, posting the login form of a page on the way (the
// password database; the mock connector has none), until dex sends the browser back to the
// application; it returns that Location.
func walk(ctx context.Context, b *http.Client, base *url.URL, u string) (string, error) {
	var form url.Values
	method := http.MethodGet
	for hops := 0; hops < 8; hops++ {
		var page []byte
		loc, err := visit(ctx, b, method, u, form, &page)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(loc, dexRedirect) {
			return loc, nil
		}
		method, form = http.MethodGet, nil
		if loc != "" {
			u = resolve(base, loc)
			continue
		}
		if m := dexFormRe.FindSubmatch(page); m != nil && len(m[1]) > 0 {
			u = resolve(base, html.UnescapeString(string(m[1])))
		}
		method, form = http.MethodPost, url.Values{"login": {dexUser}, "password": {password}}
	}
	return "", errors.New("the login did not return to the application within 8 steps")
}

func resolve(base *url.URL, ref string) string {
	u, err := base.Parse(ref)
	if err != nil {
		return ref
	}
	return u.String()
}
