package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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
