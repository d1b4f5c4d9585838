// Package emulatortest starts a real emulator on a free loopback port and drives its pages
// over plain HTTP form posts, for end-to-end tests.
package emulatortest

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/golang-jwt/jwt/v5"

	"github.com/b2cemu/b2cemu/emulator"
	"github.com/b2cemu/b2cemu/emulator/config"
)

// Server is a running emulator.
type Server struct {
	URL    string // base URL, e.g. http://127.0.0.1:41234 (https://localhost:… with TLS)
	Em     *emulator.Emulator
	Log    *LogBuffer
	CAFile string       // the development CA, with TLS
	Client *http.Client // trusts the development CA
	Config string       // the configuration file ("" for the demo tenant)
}

// LogBuffer collects the emulator's log for assertions.
type LogBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Start writes yaml to a file, loads it like the CLI does and serves it on 127.0.0.1:0 until
// the test ends. An empty yaml runs the embedded demo tenant.
func Start(t testing.TB, yaml string) *Server {
	t.Helper()
	path := ""
	if yaml != "" {
		path = filepath.Join(t.TempDir(), "b2cemu.yaml")
		if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return StartFile(t, path, "127.0.0.1:0")
}

// StartFile serves the configuration file at path (files it names resolve beside it) on addr,
// for configurations that must know their own address.
func StartFile(t testing.TB, path, addr string) *Server {
	t.Helper()
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.Server.Addr = addr
	logs := &LogBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	db, err := emulator.OpenStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if db != nil {
		t.Cleanup(func() { db.Close() })
	}
	ln, err := emulator.Listen(cfg, log, db)
	if err != nil {
		t.Fatal(err)
	}
	base := ln.BaseURL
	tr := transport(t, cfg, ln)
	client := &http.Client{Transport: tr}
	em, err := emulator.New(cfg, emulator.Options{BaseURL: base, Log: log, DB: db})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- em.Serve(ctx, ln) }()
	t.Cleanup(func() {
		tr.CloseIdleConnections() // connections dialed but never used would hold up the shutdown
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &Server{URL: base, Em: em, Log: logs, CAFile: ln.CAFile, Client: client, Config: path}
}

// transport reaches the listener: trusting the development CA when b2cemu made one (removed
// after the test unless dataDir keeps it), and dialing the listener for a configured public
// URL, whose host does not resolve here.
func transport(t testing.TB, cfg *config.Config, ln *emulator.Listening) *http.Transport {
	tr := &http.Transport{}
	if ln.CAFile != "" {
		pem, _ := os.ReadFile(ln.CAFile)
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
		t.Cleanup(func() {
			if cfg.DataDir == "" {
				os.Remove(ln.CAFile)
			}
		})
	}
	if u, _ := url.Parse(ln.BaseURL); cfg.Server.PublicURL != "" {
		// Send the public URL's requests to the listener, and nothing else there.
		public := u.Host
		if u.Port() == "" {
			public = net.JoinHostPort(u.Hostname(), map[string]string{"https": "443"}[u.Scheme]+map[string]string{"http": "80"}[u.Scheme])
		}
		var d net.Dialer
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr == public {
				addr = ln.Addr().String()
			}
			return d.DialContext(ctx, network, addr)
		}
	}
	return tr
}

// Browser is a cookie-keeping HTTP client that follows the emulator's redirects and stops at
// any other host (the application).
type Browser struct {
	t      testing.TB
	Client *http.Client
	base   *url.URL
}

// NewBrowser returns a browser for s.
func (s *Server) NewBrowser(t testing.TB) *Browser {
	base, _ := url.Parse(s.URL)
	b := &Browser{t: t, base: base}
	next := s.Client.Transport
	if next == nil { // a Server made outside Start, with a plain client
		next = http.DefaultTransport
	}
	jar := &browserCookies{next: next, jar: map[string]map[string]string{}}
	b.Client = &http.Client{Transport: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host != base.Host {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return b
}

// Page is a response: an HTML page of the emulator, or a redirect to the application.
type Page struct {
	URL      *url.URL
	Status   int
	Doc      *goquery.Document
	Body     string
	Location *url.URL // set when the emulator redirected to the application
	Header   http.Header
}

// Text returns the trimmed text of the first element matching sel.
func (p *Page) Text(sel string) string { return strings.TrimSpace(p.Doc.Find(sel).First().Text()) }

// Visible reports whether sel exists and is not hidden.
func (p *Page) Visible(sel string) bool {
	s := p.Doc.Find(sel).First()
	_, hidden := s.Attr("hidden")
	return s.Length() > 0 && !hidden
}

// Get requests a path of the emulator (or an absolute URL).
func (b *Browser) Get(path string) *Page {
	b.t.Helper()
	u, err := b.base.Parse(path)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(http.NewRequest(http.MethodGet, u.String(), nil))
}

func (b *Browser) do(req *http.Request, err error) *Page {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := &Page{URL: resp.Request.URL, Status: resp.StatusCode, Body: string(body), Header: resp.Header}
	if resp.StatusCode/100 == 3 {
		p.Location, _ = resp.Request.URL.Parse(resp.Header.Get("Location"))
		return p
	}
	p.Doc, err = goquery.NewDocumentFromReader(strings.NewReader(p.Body))
	if err != nil {
		b.t.Fatal(err)
	}
	return p
}

// Submit fills the form that contains the element sel (a button), overriding its fields with
// values, and sends it as a browser without scripts would, with the button's name and value:
// posted, or as the query of a GET for a method="get" form.
func (b *Browser) Submit(p *Page, sel string, values map[string]string) *Page {
	b.t.Helper()
	btn := p.Doc.Find(sel).First()
	if btn.Length() == 0 {
		b.t.Fatalf("no %s on the page:\n%s", sel, p.Body)
	}
	if btn.AttrOr("type", "") == "button" { // without scripts such a button does nothing
		b.t.Fatalf("%s is a type=\"button\" button: a browser without scripts cannot submit with it", sel)
	}
	form := btn.Closest("form")
	if id, ok := btn.Attr("form"); ok { // the button's form attribute names its form, as in a browser
		form = p.Doc.Find("form#" + id)
	}
	data := url.Values{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		typ, _ := in.Attr("type")
		if name == "" || ((typ == "radio" || typ == "checkbox") && in.AttrOr("checked", "-") == "-") {
			return
		}
		data.Set(name, in.AttrOr("value", ""))
	})
	for k, v := range values {
		data.Set(k, v)
	}
	if name, ok := btn.Attr("name"); ok {
		data.Set(name, btn.AttrOr("value", ""))
	}
	action, _ := p.URL.Parse(form.AttrOr("action", p.URL.String()))
	if strings.EqualFold(form.AttrOr("method", ""), "get") { // the form is a link: its fields make the query
		action.RawQuery = data.Encode()
		return b.Get(action.String())
	}
	req, err := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(data.Encode()))
	if err == nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return b.do(req, err)
}

// Follow clicks a link.
func (b *Browser) Follow(p *Page, sel string) *Page {
	b.t.Helper()
	href, ok := p.Doc.Find(sel).First().Attr("href")
	if !ok {
		b.t.Fatalf("no link %s on the page", sel)
	}
	u, _ := p.URL.Parse(href)
	return b.Get(u.String())
}

// FormPost reads a response_mode=form_post page: the target and the fields.
func (p *Page) FormPost() (string, url.Values) {
	form := p.Doc.Find("form#auto")
	v := url.Values{}
	form.Find("input[type=hidden]").Each(func(_ int, in *goquery.Selection) {
		v.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
	})
	return form.AttrOr("action", ""), v
}

// Verify checks an RS256 token against the key set published at the discovery document's
// jwks_uri, as a relying party would, and returns its claims.
func Verify(t testing.TB, discoveryURL, token string) jwt.MapClaims {
	t.Helper()
	return verify(t, http.DefaultClient, discoveryURL, token)
}

// Verify is Verify through a client that trusts the server's development CA.
func (s *Server) Verify(t testing.TB, discoveryURL, token string) jwt.MapClaims {
	t.Helper()
	return verify(t, s.Client, discoveryURL, token)
}

func verify(t testing.TB, hc *http.Client, discoveryURL, token string) jwt.MapClaims {
	t.Helper()
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
		Issuer  string `json:"issuer"`
	}
	getJSON(t, hc, discoveryURL, &doc)
	var set struct {
		Keys []struct{ Kid, N, E string } `json:"keys"`
	}
	getJSON(t, hc, doc.JWKSURI, &set)
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(tok *jwt.Token) (any, error) {
		for _, k := range set.Keys {
			if k.Kid == tok.Header["kid"] {
				n, _ := base64.RawURLEncoding.DecodeString(k.N)
				e, _ := base64.RawURLEncoding.DecodeString(k.E)
				return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
			}
		}
		return nil, fmt.Errorf("no key %v in the JWKS", tok.Header["kid"])
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(doc.Issuer))
	if err != nil {
		t.Fatalf("token does not verify against %s: %v", doc.JWKSURI, err)
	}
	return claims
}

func getJSON(t testing.TB, hc *http.Client, u string, v any) {
	t.Helper()
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// FreeAddr returns a loopback address nothing listens on.
func FreeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// VerifyEmail verifies email on a sign-up page as a user reading mail would: it sends the
// code (#email_ver_but_send), reads it from the outbox (GET /_emulator/emails) and types it in
// (#email_ver_input, #email_ver_but_verify). It returns the page with the address verified.
func (b *Browser) VerifyEmail(p *Page, email string) *Page {
	b.t.Helper()
	p = b.Submit(p, "button#email_ver_but_send", map[string]string{"email": email})
	p = b.Submit(p, "button#email_ver_but_verify", map[string]string{"email_ver_input": b.OutboxCode(email)})
	if st, _ := p.Doc.Find("#email_ver_control").Attr("data-state"); st != "verified" {
		b.t.Fatalf("%s is not verified: %q", email, p.Text("#email_fail_retry"))
	}
	return p
}

// OutboxCode is the newest verification code in the outbox for the address to.
func (b *Browser) OutboxCode(to string) string {
	b.t.Helper()
	u, _ := b.base.Parse("/_emulator/emails?to=" + url.QueryEscape(to))
	resp, err := b.Client.Get(u.String())
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Emails []struct{ Code string } `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Emails) == 0 {
		b.t.Fatalf("no verification code for %s in the outbox (%v)", to, err)
	}
	return out.Emails[0].Code
}
