package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/policy/policytest"
)

// TestServeDemoAndShutDown starts the real program on port 0, waits for the URL it logs,
// checks /healthz and the demo tenant, then cancels it like SIGINT does.
func TestServeDemoAndShutDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(string) string { return "" }, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	urlRe := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`)
	var base string
	for lines.Scan() {
		if m := urlRe.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		t.Fatal("no URL logged")
	}
	for _, path := range []string{"/healthz", "/", "/contoso.onmicrosoft.com/B2C_1_susi/v2.0/.well-known/openid-configuration"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not shut down")
	}
}

func TestBrokenConfigExitsBeforeListening(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(path, []byte("tenant:\n  name: Bad Name\nuserFlows:\n  - id: nope\n"), 0o644)
	var out strings.Builder
	err := run(context.Background(), []string{"--config", path}, func(string) string { return "" }, &out)
	if err == nil {
		t.Fatal("a broken config was served")
	}
	for _, want := range []string{path, "tenant.name", "userFlows[0].id", "userFlows[0].type"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%s", want, err)
		}
	}
	if strings.Contains(out.String(), "serving") {
		t.Error("it listened")
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"version"}, func(string) string { return "" }, &out); err != nil || !strings.HasPrefix(out.String(), "b2cemu ") {
		t.Errorf("version: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &out); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("unknown command: %v", err)
	}
}

func TestBadAddr(t *testing.T) {
	err := run(context.Background(), []string{"--addr", "nonsense"}, func(string) string { return "" }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "server.addr") {
		t.Errorf("err = %v", err)
	}
}

// TestAdminAPIOffLoopbackRefused: serving beyond loopback without admin.token stops before
// anything listens, whether the address comes from --addr or B2CEMU_SERVER_ADDR, and the
// message names both fixes.
func TestAdminAPIOffLoopbackRefused(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  map[string]string
		from string
	}{
		{[]string{"--addr", "0.0.0.0:0"}, nil, "server.addr (set by --addr)"},
		{[]string{"--addr", ":0"}, nil, "server.addr (set by --addr)"},
		{nil, map[string]string{"B2CEMU_SERVER_ADDR": "[::]:0"}, "server.addr (set by B2CEMU_SERVER_ADDR)"},
	} {
		var out strings.Builder
		err := run(context.Background(), tt.args, func(k string) string { return tt.env[k] }, &out)
		if err == nil {
			t.Fatalf("%v %v: served", tt.args, tt.env)
		}
		for _, want := range []string{tt.from, "set admin.token (or B2CEMU_ADMIN_TOKEN), or listen on a loopback address"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%v %v: %v lacks %q", tt.args, tt.env, err, want)
			}
		}
		if strings.Contains(out.String(), "serving") {
			t.Errorf("it started listening:\n%s", out.String())
		}
	}
}

// TestPrivateCommandsIgnoreServerAddr: run-flow serves itself on a private loopback port, so a
// server.addr beyond loopback without admin.token does not stop it.
func TestPrivateCommandsIgnoreServerAddr(t *testing.T) {
	env := func(k string) string { return map[string]string{"B2CEMU_SERVER_ADDR": "0.0.0.0:8080"}[k] }
	var out strings.Builder
	err := run(context.Background(), []string{"run-flow", "--policy", "B2C_1_susi", "--idp", "facebook.com", "--account", "1000000000000001"}, env, &out)
	if err != nil || !strings.Contains(out.String(), `"outcome": "token"`) {
		t.Errorf("err %v\n%s", err, out.String())
	}
}

func contractConfig(t *testing.T, url string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "b2cemu.yaml")
	os.WriteFile(path, []byte(`
customAttributes: [{name: Tier, dataType: int}]
identityProviders: [{id: google.com}]
apiConnectors:
  - {name: api, endpointUrl: "`+url+`/hook?code=k", authentication: {type: basic, username: u, password: p}}
userFlows:
  - {id: B2C_1_x, type: signUpOrSignIn, identityProviders: [google.com], apiConnectors: {postFederationSignup: api, postAttributeCollection: api}}
`), 0o644)
	return path
}

func TestConnectorTestCommand(t *testing.T) {
	var mode atomic.Value
	mode.Store("good")
	var got atomic.Value
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got.Store(string(body))
		if mode.Load() == "bad" && strings.Contains(string(body), "PostAttributeCollection") {
			io.WriteString(w, `{"version":"1.0.0","action":"ValidationError","status":400,"userMessage":"No."}`)
			return
		}
		io.WriteString(w, `{"version":"1.0.0","action":"Continue"}`)
	}))
	defer api.Close()
	cfg := contractConfig(t, api.URL)
	env := func(string) string { return "" }

	var out strings.Builder
	if err := run(context.Background(), []string{"connector", "test", "--config", cfg, "--connector", "api"}, env, &out); err != nil {
		t.Fatalf("a correct connector failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{"== PostFederationSignup → api", "== PostAttributeCollection → api", "verdict: ok: Continue", "code=[redacted]", "All responses would pass"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	// Claims from a fixture, one step only.
	fixture := filepath.Join(t.TempDir(), "claims.json")
	os.WriteFile(fixture, []byte(`{"email":"x@y.com","extension_Tier":3}`), 0o644)
	out.Reset()
	if err := run(context.Background(), []string{"connector", "test", "--config", cfg, "--connector", "api", "--step", "PostAttributeCollection", "--claims", fixture}, env, &out); err != nil {
		t.Fatal(err)
	}
	if body := got.Load().(string); !strings.Contains(body, `"email":"x@y.com"`) || !strings.Contains(body, `_Tier":3`) || strings.Count(out.String(), "== ") != 1 {
		t.Errorf("fixture not used: %s\n%s", body, out.String())
	}

	mode.Store("bad")
	out.Reset()
	err := run(context.Background(), []string{"connector", "test", "--config", cfg, "--connector", "api"}, env, &out)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("ValidationError with HTTP 200: err %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "verdict: FAIL") || !strings.Contains(out.String(), "B2C expects HTTP 400 for ValidationError") {
		t.Errorf("output:\n%s", out.String())
	}

	// What the flow sends: its provider's identity, at the steps it calls the connector.
	mode.Store("good")
	out.Reset()
	if err := run(context.Background(), []string{"connector", "test", "--config", cfg, "--flow", "B2C_1_x", "--step", "PostFederationSignup"}, env, &out); err != nil {
		t.Fatalf("--flow: %v\n%s", err, out.String())
	}
	if body := got.Load().(string); !strings.Contains(body, `"issuer":"google.com"`) || strings.Contains(body, "Tier") ||
		!strings.Contains(out.String(), "== the user flow B2C_1_x: the run ends with a token") {
		t.Errorf("--flow sent %s\n%s", body, out.String())
	}

	for _, args := range [][]string{
		{"connector", "test", "--config", cfg, "--flow", "B2C_1_y"},
		{"connector", "test", "--config", cfg, "--connector", "nope"},
		{"connector", "test", "--config", cfg},
		{"connector", "test", "--config", cfg, "--connector", "api", "--step", "Later"},
		{"connector", "test", "--config", filepath.Join(t.TempDir(), "missing.yaml"), "--connector", "api"},
	} {
		err := run(context.Background(), args, env, io.Discard)
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// TestConnectorTestKeepsTheKeySecret: a connector that refuses the connection fails the test,
// and the output names the failure without the endpoint's key or password.
func TestConnectorTestKeepsTheKeySecret(t *testing.T) {
	api := httptest.NewServer(http.NotFoundHandler())
	url := "http://b2c:Us3r-s3cr3t@" + strings.TrimPrefix(api.URL, "http://")
	api.Close() // nothing listens: connection refused
	cfg := contractConfig(t, url)
	raw, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(raw), "code=k", "code=K3y-s3cr3t&x-functions-key=Fn-s3cr3t", 1)), 0o644)
	var out strings.Builder
	err := run(context.Background(), []string{"connector", "test", "--config", cfg, "--connector", "api"}, func(string) string { return "" }, &out)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out.String(), "connection was refused") {
		t.Fatalf("err %v\n%s", err, out.String())
	}
	for _, secret := range []string{"K3y-s3cr3t", "Fn-s3cr3t", "Us3r-s3cr3t"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("the output shows %q:\n%s", secret, out.String())
		}
	}
	// A connector on b2cemu itself needs --base-url; the error names its path, redacted.
	err = run(context.Background(), []string{"connector", "test", "--config", contractConfig(t, ""), "--connector", "api"}, func(string) string { return "" }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"/hook?code=[redacted]"`) {
		t.Errorf("err = %v", err)
	}
}

func TestRunFlowCommand(t *testing.T) {
	env := func(string) string { return "" }
	var out strings.Builder
	err := run(context.Background(), []string{"run-flow", "--policy", "B2C_1_susi", "--idp", "facebook.com", "--account", "1000000000000001"}, env, &out)
	if err != nil || !strings.Contains(out.String(), `"outcome": "token"`) || !strings.Contains(out.String(), `"jobTitle": "Demo Engineer"`) {
		t.Fatalf("err %v\n%s", err, out.String())
	}
	out.Reset()
	err = run(context.Background(), []string{"run-flow", "--policy", "B2C_1_susi", "--idp", "google.com", "--account", "118221212000000000002"}, env, &out)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out.String(), `"outcome": "blocked"`) {
		t.Errorf("a blocked run: %v\n%s", err, out.String())
	}
	req := filepath.Join(t.TempDir(), "req.json")
	os.WriteFile(req, []byte(`{"identityProvider":"email","account":{"email":"cli@fabrikam.com","password":"Passw0rd!"},"attributes":[{"displayName":"Cli User"}]}`), 0o644)
	out.Reset()
	if err := run(context.Background(), []string{"run-flow", "--policy", "B2C_1_susi", "--request", req}, env, &out); err != nil || !strings.Contains(out.String(), `"newUser": true`) {
		t.Errorf("a request file: %v\n%s", err, out.String())
	}
	for _, args := range [][]string{{"run-flow"}, {"run-flow", "--policy", "B2C_1_susi"}, {"run-flow", "--policy", "B2C_1_nope", "--idp", "email", "--email", "a@b.c"}} {
		if err := run(context.Background(), args, env, io.Discard); !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%v: %v", args, err)
		}
	}
}

func TestPolicyCheckCommand(t *testing.T) {
	env := func(string) string { return "" }
	var out strings.Builder
	dir := filepath.Join("..", "..", "docs", "examples", "custom-policies", "policies")
	if err := run(context.Background(), []string{"policy", "check", dir}, env, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"B2C_1A_signup_signin", "1. CombinedSignInAndSignUp SelfAsserted-LocalAccountSignin-Email [SelfAsserted]", "4. SendClaims JwtIssuer", "B2C_1A_PasswordReset", "B2C_1A_ProfileEdit", "B2C_1A_signup_signin_emailcode", "refresh tokens: journey RedeemRefreshToken", "4 relying-party policies load."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	err := run(context.Background(), []string{"policy", "check", filepath.Join(dir, "SignUpOrSignin.xml")}, env, &out)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out.String(), "B2C_1A_TrustFrameworkExtensions is not among the loaded files") {
		t.Errorf("a file without its bases: %v\n%s", err, out.String())
	}

	// A cycle among files no relying party uses fails the check, naming each file and line.
	cyc := t.TempDir()
	for id, base := range map[string]string{"B2C_1A_A": "B2C_1A_B", "B2C_1A_B": "B2C_1A_A"} {
		xml := `<TrustFrameworkPolicy PolicyId="` + id + `"><BasePolicy><PolicyId>` + base + `</PolicyId></BasePolicy></TrustFrameworkPolicy>`
		os.WriteFile(filepath.Join(cyc, id+".xml"), []byte(xml), 0o644)
	}
	out.Reset()
	err = run(context.Background(), []string{"policy", "check", dir, cyc}, env, &out)
	a, b := filepath.Join(cyc, "B2C_1A_A.xml"), filepath.Join(cyc, "B2C_1A_B.xml")
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out.String(), "the BasePolicy chain is a cycle: B2C_1A_A ("+a+":1) → B2C_1A_B ("+b+":1) → B2C_1A_A; ") {
		t.Errorf("a cycle no relying party uses: %v\n%s", err, out.String())
	}
}

// TestPolicyCheckServiceURL: a ServiceUrl with an XML comment inside fails the check at its
// line, naming the profile and the fix (it used to pass and fail on the user's submit).
func TestPolicyCheckServiceURL(t *testing.T) {
	src := filepath.Join("..", "..", "docs", "examples", "custom-policies", "policies")
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.Replace(string(b), "http://127.0.0.1:8080/demo/api/loyalty", "http://127.0.0.1:8080 <!-- old: /v1 --> /demo/api/loyalty", 1))
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	err = run(context.Background(), []string{"policy", "check", dir}, func(string) string { return "" }, &out)
	var ee *exitError
	want := filepath.Join(dir, "TrustFrameworkExtensions.xml") + `:32: TechnicalProfile Id="REST-ValidateProfile": the ServiceUrl holds an XML comment; write the URL alone in the Item and put the comment outside it`
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out.String(), want) {
		t.Errorf("err = %v\n%s\nwant %s", err, out.String(), want)
	}
}

// TestPolicyCheckBrokenBase: a broken profile in a base file that four relying parties build on
// is one problem, naming the base policy, the profile and the relying parties.
func TestPolicyCheckBrokenBase(t *testing.T) {
	src := filepath.Join("..", "..", "docs", "examples", "custom-policies", "policies")
	dir := policytest.CopyEdited(t, src, map[string]func(string) string{"TrustFrameworkExtensions.xml": func(s string) string {
		return strings.Replace(s, `<OutputClaim ClaimTypeReferenceId="promoCode" />`, `<OutputClaim ClaimTypeReferenceId="promoCodez" />`, 1)
	}})
	var out strings.Builder
	err := run(context.Background(), []string{"policy", "check", dir}, func(string) string { return "" }, &out)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("err = %v\n%s", err, out.String())
	}
	if n := strings.Count(out.String(), `"promoCodez"`); n != 1 {
		t.Errorf("the problem is printed %d times:\n%s", n, out.String())
	}
	for _, want := range []string{"1 custom policy problem\n", `TrustFrameworkExtensions.xml:43: TechnicalProfile Id="REST-ValidateProfile": references the claim type "promoCodez"`,
		"(in B2C_1A_TrustFrameworkExtensions, which B2C_1A_PasswordReset, B2C_1A_ProfileEdit, B2C_1A_signup_signin, B2C_1A_signup_signin_emailcode build on)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
