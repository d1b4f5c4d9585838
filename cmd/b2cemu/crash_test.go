package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestMain lets the test binary act as b2cemu itself (B2CEMU_TEST_MAIN=1), so a test can run
// the real program in a process of its own and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("B2CEMU_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// child is b2cemu in a process of its own.
type child struct {
	cmd *exec.Cmd
	url string
}

func startChild(t *testing.T, cfg string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--config", cfg, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "B2CEMU_TEST_MAIN=1")
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(out)
	re := regexp.MustCompile(`url=(http://[0-9.:]+)`)
	for lines.Scan() {
		if m := re.FindStringSubmatch(lines.Text()); m != nil {
			go io.Copy(io.Discard, out)
			return &child{cmd: cmd, url: m[1]}
		}
	}
	t.Fatal("the child did not log its URL")
	return nil
}

// TestSignUpSurvivesSIGKILL: a user whose sign-up completed is kept even when the process is
// killed with SIGKILL right after the redirect to the application, and the signing key stays.
func TestSignUpSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "b2cemu.yaml")
	demo, _ := os.ReadFile(filepath.Join("..", "..", "fixtures", "demo.yaml"))
	os.WriteFile(cfg, append(demo, []byte("\ndataDir: data\n")...), 0o644)

	first := startChild(t, cfg)
	b := (&emulatortest.Server{URL: first.url, Client: &http.Client{}}).NewBrowser(t)
	q := "client_id=6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10&redirect_uri=" + first.url + "%2Fjwt&scope=openid&response_type=code&nonce=n"
	page := b.Get("/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/authorize?" + q)
	page = b.VerifyEmail(b.Follow(page, "a#createAccount"), "durable@fabrikam.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "durable@fabrikam.com", "newPassword": "Passw0rd!", "reenterPassword": "Passw0rd!", "displayName": "Durable User"})
	if page.URL.Path != "/jwt" || page.URL.Query().Get("code") == "" { // the redirect to the app (here the viewer)
		t.Fatalf("no redirect with a code: %s\n%s", page.URL, page.Body)
	}
	first.cmd.Process.Signal(syscall.SIGKILL) // right after the redirect, no shutdown
	first.cmd.Wait()
	kid := func(c *child) string {
		var keys struct{ Active string }
		resp, err := http.Get(c.url + "/_emulator/keys")
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&keys)
		resp.Body.Close()
		return keys.Active
	}

	second := startChild(t, cfg)
	body := `{"identityProvider":"email","account":{"email":"durable@fabrikam.com","password":"Passw0rd!"}}`
	resp, err := http.Post(second.url+"/_emulator/flows/B2C_1_susi/run", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Outcome string
		NewUser bool
		Claims  map[string]any
	}
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if out.Outcome != "token" || out.NewUser || out.Claims["name"] != "Durable User" {
		t.Errorf("after SIGKILL the user is lost: %+v", out)
	}
	third := kid(second)
	second.cmd.Process.Signal(syscall.SIGTERM)
	second.cmd.Wait()
	if again := kid(startChild(t, cfg)); again == "" || again != third {
		t.Errorf("the signing key changed across restarts: %q then %q", third, again)
	}
	// One dataDir, one emulator.
	other := exec.Command(os.Args[0], "serve", "--config", cfg, "--addr", "127.0.0.1:0")
	other.Env = append(os.Environ(), "B2CEMU_TEST_MAIN=1")
	done := make(chan []byte, 1)
	go func() { out, _ := other.CombinedOutput(); done <- out }()
	select {
	case out := <-done:
		if !strings.Contains(string(out), "in use by another b2cemu") {
			t.Errorf("a second emulator on the same dataDir: %s", out)
		}
	case <-time.After(10 * time.Second):
		other.Process.Kill()
		t.Error("a second emulator on the same dataDir started")
	}
}

// TestBenchCommand runs the load harness briefly against this binary acting as b2cemu.
func TestBenchCommand(t *testing.T) {
	t.Setenv("B2CEMU_TEST_MAIN", "1") // the harness's emulator process is this test binary
	var out strings.Builder
	err := run(context.Background(), []string{"bench", "--flows", "40", "--concurrency", "4", "--users", "20", "--starts", "1"}, func(string) string { return "" }, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"stored users: 20", "RSA-2048 signing ceiling", "federated          40      0", "emulator RSS:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
