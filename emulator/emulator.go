// Package emulator is b2cemu's composition root: it builds the flows machine, the connector
// client, the token issuer, the stores and the web handler from a validated configuration.
package emulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/b2cemu/b2cemu/emulator/calllog"
	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/emulator/devca"
	"github.com/b2cemu/b2cemu/emulator/ids"
	"github.com/b2cemu/b2cemu/emulator/journey"
	"github.com/b2cemu/b2cemu/emulator/reload"
	"github.com/b2cemu/b2cemu/emulator/store"
	"github.com/b2cemu/b2cemu/emulator/token"
	"github.com/b2cemu/b2cemu/fixtures"
	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/web"
)

// Options are what the configuration does not say: where the emulator is reachable, the log
// and the database.
type Options struct {
	BaseURL string       // public base URL, e.g. http://127.0.0.1:8080
	Log     *slog.Logger // nil = discard
	DB      *store.DB    // the embedded database in dataDir (OpenStore); nil = memory only
	// ObserveCall receives every connector call (optional).
	ObserveCall func(connector.Call)
	// Timeouts of the HTTP server (Serve); zero fields take DefaultTimeouts.
	Timeouts Timeouts
}

// Emulator is a running tenant. Its configuration can be replaced while it serves (Reload);
// users, flow runs, codes, sessions, the call log, the clock and the keys carry over.
type Emulator struct {
	Users  *store.Users
	Issuer *token.Issuer
	Clock  *Clock

	opts    Options
	st      *admin
	calls   *calllog.Log
	handler atomic.Pointer[http.Handler]
	pages   atomic.Pointer[[]NamedURL] // the start-up log's URLs, of the configuration served
	log     *slog.Logger

	mu  sync.Mutex // serializes reloads
	cfg *config.Config
}

// New builds an emulator from cfg, which must be valid.
func New(cfg *config.Config, opts Options) (*Emulator, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	var start time.Time
	if cfg.Deterministic.Time != "" {
		start, _ = time.Parse(time.RFC3339, cfg.Deterministic.Time) // validated
	}
	clock := NewClock(start)
	now := clock.Now
	issuer, err := newIssuer(cfg, opts.DB, now())
	if err != nil {
		return nil, err
	}
	users := store.NewUsers(cfg.Passwords.BcryptCost)
	if opts.DB != nil {
		if users, err = store.OpenUsers(cfg.Passwords.BcryptCost, opts.DB); err != nil {
			return nil, fmt.Errorf("dataDir: %w", err)
		}
	}
	calls := calllog.New(cfg.Inspector.MaxCalls)
	e := &Emulator{Users: users, Issuer: issuer, Clock: clock, opts: opts, log: opts.Log, cfg: cfg,
		calls: calls,
		st: &admin{users: users, issuer: issuer, clock: clock, ids: ids.New(cfg.Deterministic.Seed), calls: calls, outbox: store.NewRing[web.Email](200),
			sms:      store.NewRing[web.SMS](200),
			signals:  newSignals(),
			sessions: store.NewExpiring[*web.Session](30*time.Minute, now),
			grants:   store.NewExpiring[*web.Grant](10*time.Minute, now),
			refresh:  store.NewExpiring[*web.Grant](config.DefaultRefreshTokenLifetime, now),
			sso:      store.NewExpiring[*web.SSOSession](24*time.Hour, now)}}
	h, err := e.build(cfg)
	if err != nil {
		return nil, err
	}
	e.handler.Store(&h)
	return e, nil
}

// sendText puts a phone code in the text message outbox: the user flows' and the custom
// policies' phone factor send theirs here.
func (e *Emulator) sendText(m codes.SMS) {
	e.st.sms.Add(web.SMS{Time: m.Time, RunID: m.RunID, Policy: m.Policy, To: m.To, Channel: m.Channel, Message: m.Message, Code: m.Code})
	e.log.Info("phone code sent", "run", m.RunID, "policy", m.Policy, "to", m.To, "channel", m.Channel, "code", m.Code)
}

// build makes the handler of cfg over the emulator's state.
func (e *Emulator) build(cfg *config.Config) (http.Handler, error) {
	if len(cfg.PolicyKeys) > 0 && len(cfg.CustomPolicies.Paths) == 0 {
		e.log.Warn("policyKeys are ignored: only custom policies read them, and customPolicies.paths names none")
	}
	st, now := e.st, e.Clock.Now
	st.users.SetBcryptCost(cfg.Passwords.BcryptCost) // a reload applies to new passwords
	schema := schemaOf(cfg)
	eps, demo, err := endpoints(cfg, e.opts.BaseURL, now, e.log)
	if err != nil {
		return nil, err
	}
	client := e.connectorClient(cfg, schema, eps)
	custom, err := e.customPolicies(cfg, client.Observe)
	if err != nil {
		return nil, err
	}
	d := web.Deps{
		Tenant: web.Tenant{Name: cfg.Tenant.Name, ID: cfg.Tenant.ID}, BaseURL: e.opts.BaseURL, FollowHost: cfg.Server.PublicURL == "", Schema: schema, Machine: engines{e.machine(cfg, schema, client), custom},
		Signer: signer{st.issuer}, Now: now, NewID: st.ids.GUID, Random: st.ids.Secret, Log: e.log, CallLog: e.calls,
		Sessions: st.sessions, Grants: st.grants, Refresh: st.refresh, SSO: st.sso, Admin: st, AdminToken: cfg.Admin.Token,
	}
	if demo || custom.CallsPath(fixtures.DemoConnectorPath[:len("/demo/api/")]) {
		d.Demo = fixtures.Demo()
	}
	if d.Branding, err = branding(cfg); err != nil {
		return nil, err
	}
	d.Looks = map[string]web.Look{}
	for _, f := range cfg.UserFlows {
		d.Flows = append(d.Flows, Definition(f))
		d.Looks[strings.ToLower(f.ID)] = flowLook(cfg, f)
	}
	if err := e.addCustom(&d, cfg, custom); err != nil {
		return nil, err
	}
	for _, a := range cfg.Applications {
		d.Apps = append(d.Apps, web.App{Name: a.Name, ClientID: a.ClientID, Secret: a.ClientSecret, RedirectURIs: a.RedirectURIs,
			IdentifierURI: a.IdentifierURI, Scopes: a.Scopes})
	}
	for _, p := range cfg.IdentityProviders {
		d.Providers = append(d.Providers, provider(p))
	}
	e.pages.Store(mainURLs(e.opts.BaseURL, cfg.Tenant.Name, d.Flows))
	return web.New(d), nil
}

// connectorClient calls cfg's API connectors, recording each call for the call inspector and
// the embedder's ObserveCall.
func (e *Emulator) connectorClient(cfg *config.Config, schema attributes.Schema, eps map[string]connector.Endpoint) *connector.Client {
	client := &connector.Client{Schema: schema, Log: e.log, Wire: wire(cfg), Endpoints: eps, Now: e.Clock.Now}
	client.Observe = func(c connector.Call) {
		e.calls.Add(c)
		if e.opts.ObserveCall != nil {
			e.opts.ObserveCall(c)
		}
	}
	e.calls.SetClient(client)
	return client
}

// machine runs cfg's user flows; verification codes go to the email or SMS outbox and the log.
func (e *Emulator) machine(cfg *config.Config, schema attributes.Schema, client *connector.Client) *flows.Machine {
	st := e.st
	m := &flows.Machine{Schema: schema, Tenant: cfg.Tenant.Name, Connector: client, Directory: st.users, Now: e.Clock.Now, NewID: st.ids.GUID,
		Mail: func(m codes.Mail) {
			st.outbox.Add(outboxEmail(cfg, m))
			e.log.Info("verification code sent", "run", m.RunID, "policy", m.Policy, "to", m.To, "code", m.Code)
		},
		Text: e.sendText, FixedCode: cfg.Deterministic.VerificationCode, Providers: map[string]string{}}
	for _, p := range cfg.IdentityProviders {
		m.Providers[p.ID] = provider(p).DisplayName
	}
	return m
}

// branding is the tenant's company branding, with the logo and background image read.
func branding(cfg *config.Config) (web.Branding, error) {
	b := cfg.Branding
	wb := web.Branding{CompanyName: b.CompanyName, PrimaryColor: b.PrimaryColor, BackgroundColor: b.BackgroundColor}
	var err error
	if wb.Logo, wb.LogoType, err = brandingImage(cfg, "branding.logo", b.Logo); err != nil {
		return wb, err
	}
	wb.Background, wb.BackgroundType, err = brandingImage(cfg, "branding.backgroundImage", b.BackgroundImage)
	return wb, err
}

// brandingImage reads one branding image, named at key; none when path is empty.
func brandingImage(cfg *config.Config, key, path string) ([]byte, string, error) {
	if path == "" {
		return nil, "", nil
	}
	img, err := os.ReadFile(cfg.Resolve(path))
	if err != nil {
		return nil, "", configError(cfg, key, fmt.Sprintf("%q cannot be read: %v", path, err))
	}
	return img, config.LogoType(path), nil
}

// addCustom adds the custom policies to the pages, each with its look and its journey's id.
func (e *Emulator) addCustom(d *web.Deps, cfg *config.Config, custom *journey.Engine) error {
	if custom == nil {
		return nil
	}
	// By id, so that the home page lists them in the same order on every start.
	ids := make([]string, 0, len(custom.Policies))
	for id := range custom.Policies {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	d.Journeys = map[string]string{}
	cerr := &config.Error{File: configName(cfg)}
	for _, id := range ids {
		p := custom.Policies[id]
		look, problems := policyLook(p, e.log)
		d.Looks[id] = look
		cerr.Problems = append(cerr.Problems, problems...)
		d.Flows = append(d.Flows, &flows.Definition{ID: p.ID, Type: flows.SignUpOrSignIn, IdentityProviders: []string{flows.LocalProvider}, KeepMeSignedInDays: p.KeepAliveInDays})
		d.Journeys[id] = ""
		if p.Journey != nil {
			d.Journeys[id] = p.Journey.ID
		}
	}
	if len(cerr.Problems) > 0 {
		return cerr
	}
	return nil
}

// provider turns a configured identity provider into the fake one the pages show.
func provider(p config.IdentityProvider) web.Provider {
	wp := web.Provider{ID: p.ID, DisplayName: p.DisplayName}
	if wp.DisplayName == "" {
		wp.DisplayName = p.ID
	}
	for _, a := range p.Accounts {
		wp.Accounts = append(wp.Accounts, web.Account{IssuerAssignedID: a.IssuerAssignedID, Claims: AccountClaims(a)})
	}
	return wp
}

// AccountClaims are the claims the fake identity provider answers with for a fixture account.
func AccountClaims(a config.Account) engine.Claims {
	claims := engine.Claims{}
	for k, v := range map[string]string{"email": a.Email, "displayName": a.DisplayName, "givenName": a.GivenName, "surname": a.Surname} {
		if v != "" {
			claims[k] = v
		}
	}
	return claims
}

// Watch reloads the emulator whenever its configuration file at path, or a custom policy file
// it names, changes, until ctx is done (reload.Watch). overrides are what the command line
// set (--addr); they apply to each reload.
func (e *Emulator) Watch(ctx context.Context, path string, getenv func(string) string, overrides ...config.Override) error {
	return reload.Watch(ctx, e, e.log, path, getenv, overrides...)
}

// Reload puts cfg (already validated) in force without dropping state: users, flow runs,
// codes, sessions, the call log, the clock and, unless signingKeys changed, the keys. What
// the listener and the start-up fixed (server, dataDir, deterministic, inspector.maxCalls)
// needs a restart; Reload says so in the log.
func (e *Emulator) Reload(cfg *config.Config) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.cfg
	for _, fixed := range []struct {
		key      string
		was, now any
	}{
		{"server", old.Server, cfg.Server}, {"dataDir", old.DataDir, cfg.DataDir},
		{"deterministic", old.Deterministic, cfg.Deterministic}, {"inspector.maxCalls", old.Inspector, cfg.Inspector},
	} {
		if !reflect.DeepEqual(fixed.was, fixed.now) {
			e.log.Warn("configuration reload: "+fixed.key+" changed; restart b2cemu to apply it", "key", fixed.key)
		}
	}
	if !reflect.DeepEqual(old.SigningKeys, cfg.SigningKeys) {
		issuer, err := newIssuer(cfg, e.opts.DB, e.Clock.Now())
		if err != nil {
			return err
		}
		e.st.issuer, e.Issuer = issuer, issuer
	}
	h, err := e.build(cfg)
	if err != nil {
		return err
	}
	e.handler.Store(&h)
	e.cfg = cfg
	return nil
}

// ConnectorClient is the API connector client of cfg's user flows: the tenant's schema, the
// request shape and every connector's endpoint (base: where a connector given as a path on
// b2cemu is served; now chooses client certificates).
func ConnectorClient(cfg *config.Config, base string, now func() time.Time, log *slog.Logger) (*connector.Client, error) {
	eps, _, err := endpoints(cfg, base, now, log)
	if err != nil {
		return nil, err
	}
	return &connector.Client{Schema: schemaOf(cfg), Log: log, Wire: wire(cfg), Endpoints: eps, Now: now}, nil
}

// schemaOf is the tenant's attributes: the built-ins and the configured custom ones.
func schemaOf(cfg *config.Config) attributes.Schema {
	var custom []attributes.Attribute
	for _, a := range cfg.CustomAttributes {
		custom = append(custom, attributes.Attribute{Name: a.Name, DataType: attributes.DataType(a.DataType), Label: a.Description})
	}
	return attributes.New(custom)
}

// wire is the request shape the configuration asks for.
func wire(cfg *config.Config) connector.Wire {
	return connector.Wire{ExtensionsAppID: cfg.Tenant.ExtensionsAppID, TokenStep: cfg.Compat.PreTokenStep,
		TokenClientIDKey: cfg.Compat.PreTokenClientIDKey}
}

// Definition turns a configured user flow into the domain's.
func Definition(f config.UserFlow) *flows.Definition {
	def := &flows.Definition{ID: f.ID, Type: flows.Type(f.Type), IdentityProviders: f.IdentityProviders,
		ApplicationClaims: f.ApplicationClaims, Connectors: map[apiconnector.Step]string{
			apiconnector.PostFederationSignup:    f.APIConnectors.PostFederationSignup,
			apiconnector.PostAttributeCollection: f.APIConnectors.PostAttributeCollection,
			apiconnector.PreTokenIssuance:        f.APIConnectors.PreTokenIssuance,
		}}
	for _, a := range f.UserAttributes {
		def.UserAttributes = append(def.UserAttributes, flows.UserAttribute{Name: a.Name, Required: a.Required})
	}
	t := f.Tokens
	def.Tokens = flows.TokenSettings{Lifetime: t.Lifetime, RefreshLifetime: t.RefreshTokenLifetime, SlidingWindowLifetime: t.SlidingWindowLifetime,
		NoSlidingExpiry: t.SlidingWindow == "noExpiry", IssuerTFP: t.IssuerFormat == "tfp", PolicyClaimACR: t.PolicyClaim == "acr", EmailClaim: t.EmailClaim}
	def.NoEmailVerification = f.EmailVerification != nil && !*f.EmailVerification
	def.SignInInput = f.SignInInputID
	def.LocalAccount = f.LocalAccount
	def.KeepMeSignedInDays = f.KeepMeSignedIn()
	def.MFA = flows.MFASettings{Method: engine.MFAMethod(f.MFA.Method), Enforcement: flows.MFAEnforcement(f.MFA.Enforcement)}
	if def.MFA.Method == "" {
		def.MFA.Method = engine.MFASMSOrCall // both phone channels, when the flow names no method
	}
	return def
}

// newIssuer signs with the configured keys; without any, with the key kept in the database
// (generated there once), or, with no database, with a key generated in the background so
// that start-up does not wait for it.
func newIssuer(cfg *config.Config, db *store.DB, now time.Time) (*token.Issuer, error) {
	if len(cfg.SigningKeys) > 0 {
		keys, err := signingKeys(cfg)
		if err != nil {
			return nil, err
		}
		return token.NewIssuer(keys...)
	}
	if db == nil {
		return token.NewGeneratingIssuer(now), nil
	}
	const name = "signing-key.pem"
	data, err := db.Key(name)
	if err != nil {
		return nil, fmt.Errorf("dataDir: reading the signing key: %w", err)
	}
	if data == nil {
		k, err := token.GenerateKey(now)
		if err != nil {
			return nil, err
		}
		der := x509.MarshalPKCS1PrivateKey(k.Private)
		data = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})
		if err := db.PutKey(name, data); err != nil {
			return nil, fmt.Errorf("dataDir: storing the signing key: %w", err)
		}
	}
	k, err := token.ParseKey(data, now)
	if err != nil {
		return nil, fmt.Errorf("dataDir: the stored signing key: %w", err)
	}
	return token.NewIssuer(k)
}

// OpenStore opens the embedded database in cfg.DataDir (creating both), or returns nil when
// there is no dataDir.
func OpenStore(cfg *config.Config) (*store.DB, error) {
	if cfg.DataDir == "" {
		return nil, nil
	}
	dir := cfg.Resolve(cfg.DataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("dataDir: %w", err)
	}
	return store.Open(filepath.Join(dir, "b2cemu.db"))
}

func signingKeys(cfg *config.Config) ([]token.Key, error) {
	var keys []token.Key
	for i, sk := range cfg.SigningKeys {
		path := cfg.Resolve(sk.File)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, configError(cfg, fmt.Sprintf("signingKeys[%d].file", i), fmt.Sprintf("%q cannot be read: %v", sk.File, err))
		}
		info, _ := os.Stat(path)
		k, err := token.ParseKey(data, info.ModTime())
		if err != nil {
			return nil, configError(cfg, fmt.Sprintf("signingKeys[%d].file", i), fmt.Sprintf("%q: %v", sk.File, err))
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// signer adapts the token issuer to the web package's interface.
type signer struct{ *token.Issuer }

func (s signer) KeySet() any { return s.JWKS() }

// Handler serves every route with the configuration in force.
func (e *Emulator) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*e.handler.Load()).ServeHTTP(w, r) })
}

// Serve serves on ln until ctx is done, then shuts down gracefully.
func (e *Emulator) Serve(ctx context.Context, ln net.Listener) error {
	srv := e.opts.Timeouts.orDefault().server(e.Handler())
	srv.ErrorLog = slog.NewLogLogger(e.log.Handler(), slog.LevelWarn)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); errors.Is(err, context.DeadlineExceeded) {
		// A client left connections open without a request (or a request hangs): after the
		// grace period, close them rather than refuse to stop.
		e.log.Warn("shutdown: connections still open after 5 s were closed")
		srv.Close()
	} else if err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Listening is an open listener and how to reach it.
type Listening struct {
	net.Listener
	BaseURL string // e.g. http://127.0.0.1:8080, or https://localhost:8443 with TLS on loopback
	CAFile  string // the development CA's certificate, when b2cemu made its own
}

// Listen opens the configured address, with HTTPS when server.tls is enabled: with the given
// certificate files, or with a certificate from a development CA kept in db (dataDir).
func Listen(cfg *config.Config, log *slog.Logger, db *store.DB) (*Listening, error) {
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on server.addr %s: %w", cfg.Server.Addr, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	l := &Listening{Listener: ln}
	scheme := "http"
	if cfg.Server.TLS.Enabled {
		scheme = "https"
		cert, caFile, err := serverCert(cfg, log, db)
		if err != nil {
			ln.Close()
			return nil, err
		}
		l.CAFile = caFile
		l.Listener = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	l.BaseURL = scheme + "://" + net.JoinHostPort(shownHost(host, cfg.Server.TLS.Enabled), port)
	if cfg.Server.PublicURL != "" {
		l.BaseURL = strings.TrimRight(cfg.Server.PublicURL, "/")
	}
	return l, nil
}

// shownHost is the host of the base URL for a listener on host: localhost for any address,
// and with TLS for loopback too, as certificates, MSAL and browsers expect of a local HTTPS
// authority.
func shownHost(host string, withTLS bool) string {
	ip := net.ParseIP(host)
	if ip != nil && (ip.IsUnspecified() || withTLS && ip.IsLoopback()) {
		return "localhost"
	}
	return host
}

// serverCert is the HTTPS certificate: server.tls's files, or else one from the development
// CA, whose certificate file is returned too.
func serverCert(cfg *config.Config, log *slog.Logger, db *store.DB) (tls.Certificate, string, error) {
	if cfg.Server.TLS.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.Resolve(cfg.Server.TLS.CertFile), cfg.Resolve(cfg.Server.TLS.KeyFile))
		if err != nil {
			return cert, "", fmt.Errorf("server.tls: loading certFile and keyFile: %w", err)
		}
		return cert, "", nil
	}
	ca, created, err := devca.Load(db, cfg.Resolve(cfg.DataDir), time.Now())
	if err != nil {
		return tls.Certificate{}, "", err
	}
	cert, err := ca.ServerCert(certHosts(cfg), time.Now())
	if err != nil {
		return cert, "", fmt.Errorf("server.tls: making the development certificate: %w", err)
	}
	how := "reused from dataDir"
	if created {
		how = "created"
		if cfg.DataDir == "" {
			how = "created in memory for this run (set dataDir to keep it)"
		}
	}
	log.Info("HTTPS uses a development CA ("+how+"); trust it with NODE_EXTRA_CA_CERTS="+ca.Path()+
		", or for the system: cp "+ca.Path()+" /usr/local/share/ca-certificates/b2cemu.crt && update-ca-certificates", "ca", ca.Path())
	return cert, ca.Path(), nil
}

// certHosts are the names the development certificate covers: the loopback names, plus the
// host names of server.addr and server.publicUrl.
func certHosts(cfg *config.Config) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if h, _, err := net.SplitHostPort(cfg.Server.Addr); err == nil && h != "" && h != "localhost" && net.ParseIP(h) == nil {
		hosts = append(hosts, h)
	}
	if u, err := url.Parse(cfg.Server.PublicURL); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	return hosts
}
