package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/b2cemu/b2cemu/emulator/config"
)

// healthcheck asks a running b2cemu for GET /healthz on the address its configuration names
// and exits 0 when it answers 200, 1 otherwise. It exists for container images built FROM
// scratch, which have no curl or wget for a HEALTHCHECK: the image runs its own binary.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stdout)
	file := fs.String("config", getenv("B2CEMU_CONFIG"), "the configuration file b2cemu serves (its server.addr and server.tls are used)")
	addr := fs.String("addr", "", "the address b2cemu listens on, overriding server.addr")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return unhealthy(err)
	}
	var overrides []config.Override
	if *addr != "" {
		overrides = append(overrides, config.Override{Key: "server.addr", Value: *addr, From: "--addr"})
	}
	cfg, err := config.Load(*file, getenv, overrides...)
	if err != nil {
		return unhealthy(err)
	}
	url, err := healthURL(cfg.Server.Addr, cfg.Server.TLS.Enabled)
	if err != nil {
		return unhealthy(err)
	}
	if err := getHealthz(ctx, url, *timeout); err != nil {
		return unhealthy(err)
	}
	fmt.Fprintln(stdout, "healthy:", url)
	return nil
}

// unhealthy is exit status 1, what container runtimes read as "unhealthy".
func unhealthy(err error) error { return &exitError{err, 1} }

// healthURL is /healthz on the listen address as seen from the same host: an address that
// listens on every interface (0.0.0.0, [::], an empty host) is reached on loopback.
func healthURL(addr string, useTLS bool) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("server.addr %q is not HOST:PORT: %w", addr, err)
	}
	if port == "0" {
		return "", fmt.Errorf("server.addr %q has port 0, a different free port on each start; give the port b2cemu listens on (--addr 127.0.0.1:PORT)", addr)
	}
	switch ip := net.ParseIP(host); {
	case host == "":
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified() && ip.To4() != nil:
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/healthz", nil
}

func getHealthz(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	// The certificate is not checked: the check asks a process on this host whether it
	// serves, sends nothing secret, and the development CA may live only in its memory.
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, Proxy: nil}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return fmt.Errorf("unhealthy: GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy: GET %s answered %s", url, resp.Status)
	}
	return nil
}
