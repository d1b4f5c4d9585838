package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func TestVersionOf(t *testing.T) {
	info := func(v string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: "github.com/b2cemu/b2cemu", Version: v}}, true
		}
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	for _, tt := range []struct {
		name, stamped string
		info          func() (*debug.BuildInfo, bool)
		want          string
	}{
		{"ldflags win", "v1.4.0", info("v1.2.3"), "v1.4.0"},
		{"go install @version", "", info("v1.2.3"), "v1.2.3"},
		{"go build in the checkout", "", info("v0.0.0-20261201233000-a1092a3b4c5d+dirty"), "v0.0.0-20261201233000-a1092a3b4c5d+dirty"},
		{"go run", "", info("(devel)"), "dev"},
		{"no build info", "", none, "dev"},
	} {
		if got := versionOf(tt.stamped, tt.info); got != tt.want {
			t.Errorf("%s: versionOf = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestHealthURL(t *testing.T) {
	for _, tt := range []struct {
		addr string
		tls  bool
		want string
		err  string
	}{
		{"127.0.0.1:8080", false, "http://127.0.0.1:8080/healthz", ""},
		{"0.0.0.0:8080", false, "http://127.0.0.1:8080/healthz", ""},
		{":8080", true, "https://127.0.0.1:8080/healthz", ""},
		{"[::]:9000", false, "http://[::1]:9000/healthz", ""},
		{"localhost:8443", true, "https://localhost:8443/healthz", ""},
		{"127.0.0.1:0", false, "", "has port 0"},
		{"nonsense", false, "", "is not HOST:PORT"},
	} {
		got, err := healthURL(tt.addr, tt.tls)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("healthURL(%q, %v) = %q, %v; want %q, %q", tt.addr, tt.tls, got, err, tt.want, tt.err)
		}
	}
}

// TestHealthcheckCommand runs b2cemu healthcheck against a real b2cemu over HTTP and over
// HTTPS with the development CA, and against a closed port and a server answering 503.
func TestHealthcheckCommand(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		env := map[string]string{}
		if useTLS {
			env["B2CEMU_SERVER_TLS_ENABLED"] = "true"
			env["B2CEMU_DATADIR"] = t.TempDir()
		}
		getenv := func(k string) string { return env[k] }
		port := serveForTest(t, getenv)
		var out strings.Builder
		if err := run(context.Background(), []string{"healthcheck", "--addr", "127.0.0.1:" + port}, getenv, &out); err != nil {
			t.Fatalf("tls=%v: healthcheck of a serving b2cemu: %v", useTLS, err)
		}
		if !strings.Contains(out.String(), "healthy: http") {
			t.Errorf("tls=%v: output %q", useTLS, out.String())
		}
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer down.Close()
	for addr, want := range map[string]string{closed: "connect", down.Listener.Addr().String(): "503"} {
		err := run(context.Background(), []string{"healthcheck", "--addr", addr}, func(string) string { return "" }, io.Discard)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(err.Error(), want) {
			t.Errorf("healthcheck of %s: %v, want exit 1 naming %q", addr, err, want)
		}
	}
}

// TestHealthcheckReadsTheConfiguration: without --addr it checks the configured server.addr,
// from the file or from B2CEMU_SERVER_ADDR, as a container's HEALTHCHECK runs it.
func TestHealthcheckReadsTheConfiguration(t *testing.T) {
	port := serveForTest(t, func(string) string { return "" })
	path := filepath.Join(t.TempDir(), "b2cemu.yaml")
	os.WriteFile(path, []byte("server:\n  addr: 127.0.0.1:"+port+"\n"), 0o644)
	if err := run(context.Background(), []string{"healthcheck", "--config", path}, func(string) string { return "" }, io.Discard); err != nil {
		t.Errorf("from the file: %v", err)
	}
	env := func(k string) string { return map[string]string{"B2CEMU_SERVER_ADDR": "127.0.0.1:" + port}[k] }
	if err := run(context.Background(), []string{"healthcheck"}, env, io.Discard); err != nil {
		t.Errorf("from B2CEMU_SERVER_ADDR: %v", err)
	}
}

// serveForTest runs b2cemu serve on a free loopback port until the test ends and returns the port.
func serveForTest(t *testing.T, getenv func(string) string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, getenv, pw)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("b2cemu did not shut down")
		}
	})
	lines := bufio.NewScanner(pr)
	portRe := regexp.MustCompile(`url=https?://(?:127\.0\.0\.1|localhost):(\d+)`)
	for lines.Scan() {
		if m := portRe.FindStringSubmatch(lines.Text()); m != nil {
			go io.Copy(io.Discard, pr)
			return m[1]
		}
	}
	t.Fatal("b2cemu logged no URL")
	return ""
}
