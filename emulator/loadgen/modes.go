package loadgen

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// The modes, in the order a run measures them.
const (
	Federated    = "federated"     // headless federated sign-up of a new user: two connector calls, a token
	LocalSignUp  = "local-signup"  // headless local sign-up: email, password, one connector call, a token
	LocalSignIn  = "local-signin"  // headless sign-in of a seeded local account: the password check, a token
	CustomSignUp = "custom-signup" // the loyalty custom policy: local sign-up with its RESTful validation, a token
	CustomSignIn = "custom-signin" // the loyalty custom policy: sign-in of a seeded local account, a token
	Refresh      = "refresh"       // the refresh-token grant at the token endpoint, each reply's token used next
	Pages        = "pages"         // a browser's sign-in: authorize, the page, its form post, the code, the token
)

// Modes lists every mode; the floor modes (floor.go) follow the federated one, which they
// set a bound to.
var Modes = []string{Federated, Floor, FloorWire, LocalSignUp, LocalSignIn, CustomSignUp, CustomSignIn, Refresh, Pages}

// seededAccounts is how many local accounts the sign-in modes take turns with.
const seededAccounts = 100

const (
	clientID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	password = "Passw0rd!load"
)

// op is one operation of a mode by a worker; it returns each connector call's elapsed
// milliseconds, as the run's transcript reports them.
type op func(ctx context.Context, worker, i int) ([]float64, error)

// target is the running emulator as the modes see it.
type target struct {
	client *http.Client // set-up, refresh grants and the pages
	base   string
	wires  []*wireClient // the headless runs, one per worker

	// The floor modes' stand-ins: the executable that runs them, the run's folder, the
	// signing key's file and the loopback API's URL; the processes started, their clients
	// and, by mode, the process whose CPU a mode measures (the emulator's otherwise).
	self, dir, keyFile, apiURL string
	processes                  []*process
	extraWires                 []*wireClient
	measured                   map[string]int
}

// close ends the target's connections and the stand-ins it started.
func (t *target) close() {
	for _, w := range append(t.wires, t.extraWires...) {
		w.close()
	}
	for _, p := range t.processes {
		p.stop()
	}
}

// setup prepares a mode (seeding what it needs) and returns its operation.
func (t *target) setup(ctx context.Context, mode string, workers int, dex string) (op, error) {
	switch mode {
	case Dex:
		return t.dexLogin(dex)
	case Federated:
		return t.federated(randomText(6)), nil
	case Floor, FloorWire:
		return t.floor(ctx, mode, workers)
	case LocalSignUp:
		return t.signUp("B2C_1_local", `[{"displayName":"Load User"}]`), nil
	case LocalSignIn:
		return t.signIn("B2C_1_local"), t.seedLocal(ctx)
	case CustomSignUp:
		return t.signUp("B2C_1A_signup_signin", `[{"displayName":"Load User","loyaltyId":"123456"}]`), nil
	case CustomSignIn:
		return t.signIn("B2C_1A_signup_signin"), t.seedLocal(ctx)
	case Refresh:
		return t.refresh(ctx, workers)
	case Pages:
		return t.pages(), t.seedLocal(ctx)
	}
	return nil, fmt.Errorf("no mode %q; use one of %s or %s", mode, strings.Join(Modes, ", "), Dex)
}

// runResult is what the modes read of a headless answer.
type runResult struct {
	Outcome          string
	RefreshToken     string
	UserMessage      string
	ErrorDescription string
	Calls            []struct{ ElapsedMs float64 }
}

// headless is one headless run by worker w, the request body built by body into the
// worker's buffer. It succeeds only on a token after wantCalls connector calls, and returns
// their elapsed times.
func (t *target) headless(ctx context.Context, w int, policy string, wantCalls int, body func([]byte) []byte) ([]float64, error) {
	return headlessAt(ctx, t.wires[w], policy, wantCalls, body)
}

// headlessAt is a headless run on the connection wc.
func headlessAt(ctx context.Context, wc *wireClient, policy string, wantCalls int, body func([]byte) []byte) ([]float64, error) {
	wc.body = body(wc.body[:0])
	status, answer, err := wc.post(ctx, "/_emulator/flows/"+policy+"/run", wc.body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", policy, err)
	}
	return tokenAnswer(policy, status, answer, wantCalls)
}

var (
	tokenPrefix = []byte(`{"outcome":"token",`) // the answer's first field (web.RunResponse)
	idToken     = []byte(`"idToken":"ey`)       // a JWT's header starts {" in base64url
	elapsedKey  = []byte(`"elapsedMs":`)
)

// tokenAnswer checks a headless answer as bytes: status 200, the outcome token, an id
// token and wantCalls connector calls (each call's entry has an elapsedMs key; a key's
// quotes cannot occur unescaped inside a string value). Anything else is a failure, decoded
// in full for its message, so that no failure counts as throughput and a change of the
// answer's shape shows as failures rather than as false successes.
func tokenAnswer(policy string, status int, answer []byte, wantCalls int) ([]float64, error) {
	if status != http.StatusOK {
		return nil, fmt.Errorf("%s: %d %s %.300s", policy, status, http.StatusText(status), answer)
	}
	if bytes.HasPrefix(answer, tokenPrefix) && bytes.Contains(answer, idToken) {
		if elapsed, ok := elapsedTimes(answer); ok && len(elapsed) == wantCalls {
			return elapsed, nil
		}
	}
	var r runResult
	if err := json.Unmarshal(answer, &r); err != nil {
		return nil, fmt.Errorf("%s: the answer is not JSON (%v): %.300s", policy, err, answer)
	}
	if _, err := r.token(wantCalls); err != nil {
		return nil, fmt.Errorf("%s: %w", policy, err)
	}
	return nil, fmt.Errorf("%s: a token answer without an id token, or with calls the harness cannot read: %.300s", policy, answer)
}

// elapsedTimes reads every call's elapsedMs from an answer.
func elapsedTimes(answer []byte) ([]float64, bool) {
	var out []float64
	for {
		i := bytes.Index(answer, elapsedKey)
		if i < 0 {
			return out, true
		}
		answer = answer[i+len(elapsedKey):]
		end := bytes.IndexAny(answer, ",}")
		if end < 0 {
			return nil, false
		}
		v, err := strconv.ParseFloat(string(answer[:end]), 64)
		if err != nil {
			return nil, false
		}
		out = append(out, v)
	}
}

// run is one headless run of the set-up: the request body in, the answer decoded into out.
func (t *target) run(ctx context.Context, policy, body string, out any) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, t.base+"/_emulator/flows/"+policy+"/run", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: %s %s", policy, resp.Status, raw)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// token checks that a run ended with a token and returns its calls' elapsed times.
func (r runResult) token(wantCalls int) ([]float64, error) {
	if r.Outcome != "token" || len(r.Calls) != wantCalls {
		return nil, fmt.Errorf("outcome %q with %d calls (want a token after %d): %s%s", r.Outcome, len(r.Calls), wantCalls, r.UserMessage, r.ErrorDescription)
	}
	out := make([]float64, len(r.Calls))
	for i, c := range r.Calls {
		out[i] = c.ElapsedMs
	}
	return out, nil
}

// federated returns a headless federated sign-up of a new user (prefix keeps the users of a
// second run of the mode new).
func (t *target) federated(prefix string) op {
	return func(ctx context.Context, w, i int) ([]float64, error) {
		return t.headless(ctx, w, "B2C_1_load", 2, func(b []byte) []byte { return federatedBody(b, prefix, i) })
	}
}

// federatedBody appends the federated mode's request body for user i.
func federatedBody(b []byte, prefix string, i int) []byte {
	return fmt.Appendf(b, `{"identityProvider":"facebook.com","account":{"issuerAssignedId":"load-%s-%d","email":"load-%s-%d@fabrikam.com","displayName":"Load User"}}`, prefix, i, prefix, i)
}

// signUp returns a local sign-up of a new account through policy, one connector call each.
func (t *target) signUp(policy, attributes string) op {
	prefix := randomText(6) // a second run of the mode signs up new accounts too
	return func(ctx context.Context, w, i int) ([]float64, error) {
		return t.headless(ctx, w, policy, 1, func(b []byte) []byte {
			return fmt.Appendf(b, `{"identityProvider":"email","account":{"email":"new-%s-%d@fabrikam.com","password":%q},"attributes":%s}`, prefix, i, password, attributes)
		})
	}
}

// signIn returns a sign-in of a seeded local account through policy.
func (t *target) signIn(policy string) op {
	return func(ctx context.Context, w, i int) ([]float64, error) {
		return t.headless(ctx, w, policy, 0, func(b []byte) []byte {
			return fmt.Appendf(b, `{"identityProvider":"email","account":{"email":%q,"password":%q}}`, seeded(i), password)
		})
	}
}

func seeded(i int) string { return fmt.Sprintf("seeded-%d@fabrikam.com", i%seededAccounts) }

// seedLocal creates the local accounts the sign-in modes use, through the admin API (so
// hashed as the emulator is configured to); accounts already there are kept.
func (t *target) seedLocal(ctx context.Context) error {
	for i := range seededAccounts {
		body := fmt.Sprintf(`{"email":%q,"password":%q,"attributes":{"displayName":"Seeded %d"}}`, seeded(i), password, i)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, t.base+"/_emulator/users", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := t.client.Do(req)
		if err != nil {
			return fmt.Errorf("seeding local accounts: %w", err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusConflict {
			return fmt.Errorf("seeding local accounts: %s %s", resp.Status, raw)
		}
	}
	return nil
}

// refresh signs each worker in once for a refresh token, then redeems it at the token
// endpoint, using each answer's new (rotated) token next.
func (t *target) refresh(ctx context.Context, workers int) (op, error) {
	if err := t.seedLocal(ctx); err != nil {
		return nil, err
	}
	tokens := make([]string, workers)
	for w := range tokens {
		var out runResult
		body := fmt.Sprintf(`{"identityProvider":"email","scope":"openid offline_access","account":{"email":%q,"password":%q}}`, seeded(w), password)
		if err := t.run(ctx, "B2C_1_local", body, &out); err != nil {
			return nil, err
		}
		if out.RefreshToken == "" {
			return nil, fmt.Errorf("a sign-in with offline_access gave no refresh token (outcome %q)", out.Outcome)
		}
		tokens[w] = out.RefreshToken
	}
	endpoint := t.base + "/contoso.onmicrosoft.com/B2C_1_local/oauth2/v2.0/token"
	return func(ctx context.Context, w, _ int) ([]float64, error) {
		form := url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {tokens[w]}}
		var out struct {
			IDToken      string `json:"id_token"`
			RefreshToken string `json:"refresh_token"`
		}
		if err := postForm(ctx, t.client, endpoint, form, &out); err != nil {
			return nil, err
		}
		if out.IDToken == "" || out.RefreshToken == "" {
			return nil, errors.New("the refresh grant answered without an id token or a new refresh token")
		}
		tokens[w] = out.RefreshToken // only this worker touches its slot
		return nil, nil
	}, nil
}

// pages returns a browser's sign-in of a seeded account, page by page: the authorize
// request, the sign-in page it redirects to, the form post, the redirect to the application
// with a code, and the code redeemed with PKCE at the token endpoint. Each walk starts with
// no cookies, as a test's fresh browser context does (with the SSO cookie of an earlier walk
// the authorize request would answer with a code at once); the page's stylesheets are not
// fetched (a browser has them cached after the first page).
func (t *target) pages() op {
	policy := t.base + "/contoso.onmicrosoft.com/B2C_1_local"
	redirect := t.base + "/jwt"
	return func(ctx context.Context, _, i int) ([]float64, error) {
		jar, _ := cookiejar.New(nil)
		b := &http.Client{Transport: t.client.Transport, Jar: jar,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		verifier := randomText(32)
		sum := sha256.Sum256([]byte(verifier))
		q := url.Values{"client_id": {clientID}, "redirect_uri": {redirect}, "scope": {"openid"}, "response_type": {"code"},
			"state": {"s"}, "nonce": {"n"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
		var page []byte // the sign-in page is served at the authorize URL itself, as on B2C
		if _, err := visit(ctx, b, http.MethodGet, policy+"/oauth2/v2.0/authorize?"+q.Encode(), nil, &page); err != nil {
			return nil, fmt.Errorf("authorize: %w", err)
		}
		action, fields, signIn, err := form(page)
		if err != nil {
			return nil, err
		}
		fields.Set(signIn, seeded(i))
		fields.Set("password", password)
		fields.Set("op", "signin")
		confirmed, err := visit(ctx, b, http.MethodPost, t.base+action, fields, nil) // a plain post: 303 to …/confirmed
		if err != nil {
			return nil, fmt.Errorf("the sign-in form: %w", err)
		}
		loc, err := visit(ctx, b, http.MethodGet, t.base+confirmed, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("the confirmed navigation: %w", err)
		}
		back, err := url.Parse(loc)
		if err != nil || back.Query().Get("code") == "" {
			return nil, fmt.Errorf("the sign-in redirected to %q, not to the application with a code", loc)
		}
		tokenForm := url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {back.Query().Get("code")},
			"redirect_uri": {redirect}, "code_verifier": {verifier}}
		var tok struct {
			IDToken string `json:"id_token"`
		}
		if err := postForm(ctx, b, policy+"/oauth2/v2.0/token", tokenForm, &tok); err != nil {
			return nil, err
		}
		if tok.IDToken == "" {
			return nil, errors.New("the code redeemed to no id token")
		}
		return nil, nil
	}
}

// visit makes one browser request without following redirects: it returns a redirect's
// Location, or reads a page into body.
func visit(ctx context.Context, b *http.Client, method, u string, form url.Values, body *[]byte) (string, error) {
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	switch {
	case resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther:
		return resp.Header.Get("Location"), nil
	case resp.StatusCode == http.StatusOK && body != nil:
		*body = raw
		return "", nil
	}
	return "", fmt.Errorf("%s %s: %s", method, u, resp.Status)
}

var (
	formRe   = regexp.MustCompile(`<form id="localAccountForm"[^>]* action="([^"]+)"`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	// The sign-in name input's name is its id: email or logonIdentifier on user flows,
	// signInName on custom policies.
	signInRe = regexp.MustCompile(`<input [^>]*id="(?:email|logonIdentifier|signInName)"[^>]* name="([^"]+)"`)
)

// form reads the sign-in form of a page: where it posts, its hidden fields and the name of
// its sign-in name input.
func form(page []byte) (action string, fields url.Values, signIn string, err error) {
	m := formRe.FindSubmatch(page)
	n := signInRe.FindSubmatch(page)
	if m == nil || n == nil {
		return "", nil, "", fmt.Errorf("no sign-in form on the page: %.300s", page)
	}
	fields = url.Values{}
	for _, h := range hiddenRe.FindAllSubmatch(page, -1) {
		fields.Set(html.UnescapeString(string(h[1])), html.UnescapeString(string(h[2])))
	}
	return html.UnescapeString(string(m[1])), fields, html.UnescapeString(string(n[1])), nil
}

// postForm posts form to the token endpoint and decodes the JSON answer.
func postForm(ctx context.Context, c *http.Client, u string, form url.Values, out any) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("token endpoint: %s %s", resp.Status, raw)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
