package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/b2cemu/b2cemu/emulator"
	"github.com/b2cemu/b2cemu/emulator/config"
)

// runFlow is `b2cemu run-flow`: one headless sign-up, against a running emulator (--url) or
// one started in this process on a free port (--config, or the demo tenant).
func runFlow(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("run-flow", flag.ContinueOnError)
	fs.SetOutput(stdout)
	file := fs.String("config", getenv("B2CEMU_CONFIG"), "configuration file for an emulator started here; empty = the demo tenant")
	target := fs.String("url", "", "base URL of a running b2cemu (instead of starting one)")
	token := fs.String("admin-token", getenv("B2CEMU_ADMIN_TOKEN"), "the admin token of a running b2cemu (admin.token)")
	policy := fs.String("policy", "", "the user flow, e.g. B2C_1_susi (required)")
	reqFile := fs.String("request", "", "JSON run request (docs/admin-api.md); - reads standard input")
	idp := fs.String("idp", "", "identityProvider, when there is no --request: a provider id or email")
	account := fs.String("account", "", "a fixture account's issuerAssignedId, when there is no --request")
	email := fs.String("email", "", "a local account's email (or a federated identity's), when there is no --request")
	password := fs.String("password", "", "a local account's password, when there is no --request")
	attrs := fs.String("attributes", "", `attribute submissions as JSON, e.g. '[{"displayName":"Ana Lima"}]', when there is no --request`)
	clientID := fs.String("client-id", "", "the application (default: the first registered)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return cannotRun(err)
	}
	if *policy == "" {
		return cannotRun(errors.New("--policy is required"))
	}
	body, err := runRequest(*reqFile, *idp, *account, *email, *password, *attrs, *clientID)
	if err != nil {
		return cannotRun(err)
	}
	base := strings.TrimRight(*target, "/")
	if base == "" {
		private, adminToken, stop, err := privateEmulator(ctx, *file, getenv)
		if err != nil {
			return cannotRun(err)
		}
		defer stop()
		base, *token = private, adminToken
	}
	return postRun(ctx, base+"/_emulator/flows/"+*policy+"/run", *token, body, stdout)
}

// privateEmulator starts an emulator for this one run: plain HTTP on a free loopback port,
// whatever server.addr says (so it needs no admin.token either). It returns the base URL, the
// admin token and the function that stops it.
func privateEmulator(ctx context.Context, file string, getenv func(string) string) (string, string, func(), error) {
	cfg, err := config.Load(file, getenv, privateAddr)
	if err != nil {
		return "", "", nil, err
	}
	cfg.Server.TLS.Enabled = false
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.DataDir = "" // the private emulator leaves the data directory alone
	ln, err := emulator.Listen(cfg, log, nil)
	if err != nil {
		return "", "", nil, err
	}
	em, err := emulator.New(cfg, emulator.Options{BaseURL: ln.BaseURL, Log: log})
	if err != nil {
		ln.Close()
		return "", "", nil, err
	}
	serveCtx, stop := context.WithCancel(ctx)
	go em.Serve(serveCtx, ln)
	return "http://" + ln.Addr().String(), cfg.Admin.Token, stop, nil
}

// postRun posts the run request to runURL, prints the answer indented, and fails unless the run
// ended with a token.
func postRun(ctx context.Context, runURL, token string, body []byte, stdout io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, runURL, bytes.NewReader(body))
	if err != nil {
		return cannotRun(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return cannotRun(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out bytes.Buffer
	if json.Indent(&out, raw, "", "  ") != nil {
		out.Write(raw)
	}
	fmt.Fprintln(stdout, out.String())
	if resp.StatusCode != http.StatusOK {
		return cannotRun(fmt.Errorf("the emulator answered %s", resp.Status))
	}
	var result struct{ Outcome string }
	json.Unmarshal(raw, &result)
	if result.Outcome != "token" {
		return &exitError{fmt.Errorf("the run ended with %q, not a token", result.Outcome), 1}
	}
	return nil
}

// runRequest reads the request file, or builds a request from the flags.
func runRequest(file, idp, account, email, password, attrs, clientID string) ([]byte, error) {
	switch file {
	case "-":
		return io.ReadAll(os.Stdin)
	case "":
	default:
		return os.ReadFile(file)
	}
	if idp == "" {
		return nil, errors.New("give --request, or --idp with --account or --email (and --password for a local account)")
	}
	acc := map[string]any{}
	for k, v := range map[string]string{"issuerAssignedId": account, "email": email, "password": password} {
		if v != "" {
			acc[k] = v
		}
	}
	req := map[string]any{"identityProvider": idp, "account": acc}
	if clientID != "" {
		req["clientId"] = clientID
	}
	if attrs != "" {
		var list []map[string]string
		if err := json.Unmarshal([]byte(attrs), &list); err != nil {
			return nil, fmt.Errorf("--attributes is not a JSON list of objects: %w", err)
		}
		req["attributes"] = list
	}
	return json.Marshal(req)
}
