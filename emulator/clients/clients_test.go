package clients_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

const (
	webClient = "3c8e2f1a-6b7d-4e9f-8a1b-2c3d4e5f6a7b" // confidential web app
	spaClient = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d" // public client
	apiClient = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a" // exposes tasks.read
	callback  = "http://localhost:3000/callback"
	tenantID  = "775527ff-9a37-4307-8b3d-cc311f58d925"
)

// tenant is served over HTTPS with the development CA, as MSAL requires.
const tenant = `
server:
  tls: {enabled: true}
tenant: {name: contoso, id: ` + tenantID + `}
identityProviders:
  - id: facebook.com
    displayName: Facebook
    accounts:
      - {issuerAssignedId: "fb-100", email: lee@fabrikam.com, displayName: Lee Park, givenName: Lee, surname: Park}
applications:
  - name: Web app
    clientId: ` + webClient + `
    clientSecret: web-secret
    redirectUris: [` + callback + `]
  - name: SPA
    clientId: ` + spaClient + `
    redirectUris: [` + callback + `]
  - name: Tasks API
    clientId: ` + apiClient + `
    redirectUris: [https://localhost/unused]
    identifierUri: https://contoso.onmicrosoft.com/tasks-api
    scopes: [tasks.read, tasks.write]
userFlows:
  - id: B2C_1_susi
    type: signUpOrSignIn
    identityProviders: [email, facebook.com]
    userAttributes: [{name: displayName, required: true}]
    applicationClaims: [displayName, givenName, emails, identityProvider, newUser, objectId]
`

// signUp walks the emulator's pages from an authorize URL to the redirect back to the app.
func signUp(t *testing.T, srv *emulatortest.Server, authorize string) *url.URL {
	t.Helper()
	return signUpWith(t, srv.NewBrowser(t), authorize)
}

// signUpWith is signUp in a given browser.
func signUpWith(t *testing.T, b *emulatortest.Browser, authorize string) *url.URL {
	t.Helper()
	page := b.Get(authorize)
	if page.Location != nil {
		t.Fatalf("authorize redirected at once: %s", page.Location)
	}
	return walk(t, b, page)
}

// walk goes on from the sign-in page to the redirect back to the app.
func walk(t *testing.T, b *emulatortest.Browser, page *emulatortest.Page) *url.URL {
	t.Helper()
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-100"]`, nil)
	if page.Location == nil { // the attribute page, first time only
		page = b.Submit(page, "button#continue", nil)
	}
	if page.Location == nil {
		t.Fatalf("no redirect to the app:\n%s", page.Body)
	}
	return page.Location
}

// node runs a script of the client matrix and speaks its line protocol: it prints the authorize
// URL, the test walks the pages and answers with the callback URL, it prints its result.
func node(t *testing.T, srv *emulatortest.Server, script string, env map[string]string) map[string]any {
	t.Helper()
	bin, err := exec.LookPath("node")
	dir, _ := filepath.Abs(filepath.Join("testdata", "node"))
	if _, statErr := os.Stat(filepath.Join(dir, "node_modules")); err != nil || statErr != nil {
		if os.Getenv("B2CEMU_REQUIRE_CLIENTS") != "" {
			t.Fatalf("node or testdata/node/node_modules is missing (npm ci --prefix %s)", dir)
		}
		t.Skip("node or the client packages are not installed (npm ci --prefix emulator/clients/testdata/node)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+srv.CAFile)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	read := func() map[string]any {
		if !lines.Scan() {
			t.Fatalf("%s ended early: %s", script, stderr.String())
		}
		var m map[string]any
		if err := json.Unmarshal(lines.Bytes(), &m); err != nil {
			t.Fatalf("%s printed %q", script, lines.Text())
		}
		if m["error"] != nil {
			t.Fatalf("%s failed: %v (%v)\n%s", script, m["error"], m["code"], stderr.String())
		}
		return m
	}
	first := read()
	location := signUp(t, srv, first["url"].(string))
	stdin.Write([]byte(location.String() + "\n"))
	return read()
}

func claimsOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var m map[string]any
	json.Unmarshal(raw, &m)
	return m
}

// TestMSALNode runs msal-node with the authority on localhost and on 127.0.0.1: the
// development certificate covers both, and the discovery document must name the host of the
// authority, or msal-node fails with endpoints_resolution_error.
func TestMSALNode(t *testing.T) {
	srv := emulatortest.Start(t, tenant)
	u, _ := url.Parse(srv.URL)
	for _, host := range []string{u.Host, "127.0.0.1:" + u.Port()} {
		t.Run(host, func(t *testing.T) {
			at := *srv
			at.URL = "https://" + host
			msalNode(t, &at)
		})
	}
}

func msalNode(t *testing.T, srv *emulatortest.Server) {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	out := node(t, srv, "msal.mjs", map[string]string{
		"AUTHORITY": srv.URL + "/contoso.onmicrosoft.com/B2C_1_susi", "KNOWN_AUTHORITY": u.Host,
		"CLIENT_ID": webClient, "CLIENT_SECRET": "web-secret", "REDIRECT_URI": callback, "SCOPE": "https://contoso.onmicrosoft.com/tasks-api/tasks.read",
	})
	if !strings.Contains(out["wrongSecret"].(string), "AADB2C90081") {
		t.Errorf("a wrong secret: %v", out["wrongSecret"])
	}
	claims := out["idTokenClaims"].(map[string]any)
	if claims["name"] != "Lee Park" || claims["tfp"] != "b2c_1_susi" || claims["aud"] != webClient || !strings.HasPrefix(claims["nonce"].(string), "msal-nonce-") {
		t.Errorf("id token claims = %v", claims)
	}
	if want := srv.URL + "/" + tenantID + "/v2.0/"; claims["iss"] != want {
		t.Errorf("iss = %v, want %s", claims["iss"], want)
	}
	srv.Verify(t, srv.URL+"/contoso.onmicrosoft.com/B2C_1_susi/v2.0/.well-known/openid-configuration", out["idToken"].(string))
	at := claimsOf(t, out["accessToken"].(string))
	if at["aud"] != apiClient || at["scp"] != "tasks.read" || at["azp"] != webClient {
		t.Errorf("access token claims = %v", at)
	}
	if want := claims["oid"].(string) + "-b2c_1_susi." + tenantID; out["homeAccountId"] != want {
		t.Errorf("homeAccountId = %v, want %s (from client_info)", out["homeAccountId"], want)
	}
	// msal-node 7 takes the account's username from preferred_username or upn only, which B2C
	// user flows do not emit: it is empty against a real tenant too.
	if out["refreshedFromCache"] != false || out["refreshedIdToken"] == out["idToken"] || out["refreshedAccessToken"] == "" {
		t.Errorf("refresh: fromCache %v", out["refreshedFromCache"])
	}
	if sc := claimsOf(t, out["apiAccessToken"].(string)); sc["aud"] != apiClient || sc["scp"] != "tasks.write" {
		t.Errorf("acquireTokenSilent for a scope not in the sign-in: access token %v", sc)
	}
}

func TestOpenIDClient(t *testing.T) {
	srv := emulatortest.Start(t, tenant)
	wellKnown := srv.URL + "/contoso.onmicrosoft.com/B2C_1_susi/v2.0/.well-known/openid-configuration"
	out := node(t, srv, "openid.mjs", map[string]string{
		"WELL_KNOWN": wellKnown, "CLIENT_ID": webClient, "CLIENT_SECRET": "web-secret", "REDIRECT_URI": callback,
		"SCOPE": "openid offline_access " + webClient,
	})
	claims := out["claims"].(map[string]any)
	if out["issuer"] != srv.URL+"/"+tenantID+"/v2.0/" || claims["iss"] != out["issuer"] || claims["aud"] != webClient || claims["idp"] != "facebook.com" {
		t.Errorf("issuer %v claims %v", out["issuer"], claims)
	}
	if at := claimsOf(t, out["accessToken"].(string)); at["aud"] != webClient || at["scp"] != nil {
		t.Errorf("access token claims = %v", at)
	}
	refreshed := out["refreshClaims"].(map[string]any)
	if refreshed["sub"] != claims["sub"] || refreshed["nonce"] != nil || out["refreshTokenRotated"] != true {
		t.Errorf("refresh: %v rotated %v", refreshed, out["refreshTokenRotated"])
	}
}
