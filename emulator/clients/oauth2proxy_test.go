package clients_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// oauth2Proxy finds the oauth2-proxy binary: on PATH or in the repository's .tools (make deps).
func oauth2Proxy(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("oauth2-proxy"); err == nil {
		return p
	}
	if p, _ := filepath.Abs(filepath.Join("..", "..", ".tools", "oauth2-proxy")); fileExists(p) {
		return p
	}
	if os.Getenv("B2CEMU_REQUIRE_CLIENTS") != "" {
		t.Fatal("oauth2-proxy is not installed (make deps)")
	}
	t.Skip("oauth2-proxy is not installed (make deps)")
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestOAuth2Proxy puts oauth2-proxy in front of a toy upstream with b2cemu as its provider,
// with discovery skipped so its strict issuer check meets B2C's issuer.
func TestOAuth2Proxy(t *testing.T) {
	bin := oauth2Proxy(t)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+r.Header.Get("X-Forwarded-Email"))
	}))
	defer upstream.Close()
	proxyAddr := emulatortest.FreeAddr(t)
	proxy := "http://" + proxyAddr
	cfg := strings.Replace(tenant, "redirectUris: ["+callback+"]\n  - name: SPA", "redirectUris: ["+proxy+"/oauth2/callback]\n  - name: SPA", 1)
	cfg = strings.Replace(cfg, "applicationClaims: [displayName, givenName, emails, identityProvider, newUser, objectId]",
		"applicationClaims: [displayName, givenName, emails, identityProvider, newUser, objectId]\n    tokens: {emailClaim: true}", 1)
	srv := emulatortest.Start(t, cfg)
	policy := srv.URL + "/contoso.onmicrosoft.com/b2c_1_susi"

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--http-address="+proxyAddr, "--upstream="+upstream.URL, "--provider=oidc", "--skip-oidc-discovery",
		"--oidc-issuer-url="+srv.URL+"/"+tenantID+"/v2.0/", "--login-url="+policy+"/oauth2/v2.0/authorize",
		"--redeem-url="+policy+"/oauth2/v2.0/token", "--oidc-jwks-url="+policy+"/discovery/v2.0/keys",
		"--provider-ca-file="+srv.CAFile, "--client-id="+webClient, "--client-secret=web-secret",
		"--redirect-url="+proxy+"/oauth2/callback", "--scope=openid offline_access "+webClient, "--email-domain=*",
		"--cookie-secret=0123456789abcdef0123456789abcdef", "--cookie-secure=false", "--skip-provider-button=true",
		"--code-challenge-method=S256")
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(proxy + "/ping")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("oauth2-proxy did not start:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	b := srv.NewBrowser(t)
	// The proxy sends the browser to b2cemu's sign-in page.
	start := b.Get(proxy + "/oauth2/start?rd=%2F")
	if start.Doc == nil || start.Doc.Find("#api[data-name=Unified]").Length() != 1 {
		t.Fatalf("oauth2-proxy did not send the browser to b2cemu (%d %v):\n%s", start.Status, start.Location, logs.String())
	}
	back := walk(t, b, start)
	done := b.Get(back.String())
	if done.Location == nil {
		t.Fatalf("the callback failed (%d):\n%s\n%s", done.Status, done.Body, logs.String())
	}
	page := b.Get(proxy + "/")
	if page.Status != 200 || !strings.Contains(page.Body, "hello lee@fabrikam.com") {
		t.Fatalf("upstream through the proxy: %d %q\n%s", page.Status, page.Body, logs.String())
	}
}
