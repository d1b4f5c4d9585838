// Command b2cemu runs a local Azure AD B2C tenant: sign-up user flows, API connectors and
// signed tokens. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/b2cemu/b2cemu/emulator"
	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/contract"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
)

// version is set at build time (-ldflags "-X main.version=…").
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "b2cemu:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

const usage = `usage:
  b2cemu [serve] [--config FILE] [--addr HOST:PORT]   run the emulator (no --config: the demo tenant)
  b2cemu connector test --config FILE --connector NAME [--step S] [--claims FILE] [--local] [--base-url URL]
  b2cemu connector test --config FILE --flow ID [--connector NAME] [--step S] [--idp ID] [--account ID] [--claims FILE] …
                                                      send each step's request as B2C would (with --flow: as that
                                                      user flow's sign-up sends it) and judge the answers
                                                      (exit 1: a response would fail in B2C; 2: the test could not run)
  b2cemu run-flow --policy P [--request FILE | --idp ID --account ID | --email E --password P] [--url URL | --config FILE]
                                                      one headless sign-up; prints the outcome, tokens, claims and calls
                                                      (exit 1: it did not end with a token; 2: it could not run)
  b2cemu policy check FILE|FOLDER…                    load custom policy files as B2C would and report every problem
  b2cemu bench [--modes all|M,…] [--flows N] [--concurrency C] [--users U]
                                                      the load harness: start-up, each mode's throughput and latency
                                                      against the RSA signing ceiling, memory
  b2cemu healthcheck [--config FILE] [--addr HOST:PORT]
                                                      GET /healthz of the b2cemu serving that configuration
                                                      (exit 0: it answered 200; 1: it did not)
  b2cemu version                                      print the version`

// exitError is an error that asks for a particular exit status.
type exitError struct {
	error
	code int
}

func (e *exitError) Unwrap() error { return e.error }

// cannotRun marks an error that kept a command from running at all (exit status 2).
func cannotRun(err error) error { return &exitError{err, 2} }

// run is the whole program: it returns when ctx is done or serving fails.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "b2cemu", versionString())
		return nil
	case "serve":
		return serve(ctx, args, getenv, stdout)
	case "healthcheck":
		return healthcheck(ctx, args, getenv, stdout)
	case "policy":
		return policyCheck(args, stdout)
	case "bench":
		return bench(ctx, args, stdout)
	case "run-flow":
		return runFlow(ctx, args, getenv, stdout)
	case "connector":
		if len(args) == 0 || args[0] != "test" {
			return fmt.Errorf("usage: b2cemu connector test --config FILE --connector NAME | --flow ID")
		}
		return connectorTest(ctx, args[1:], getenv, stdout)
	case "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stdout)
	file := fs.String("config", getenv("B2CEMU_CONFIG"), "configuration file (YAML or JSON); empty = the embedded demo tenant")
	addr := fs.String("addr", "", "listen address HOST:PORT, overriding server.addr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	var overrides []config.Override
	if *addr != "" {
		overrides = append(overrides, config.Override{Key: "server.addr", Value: *addr, From: "--addr"})
	}
	cfg, err := config.Load(*file, getenv, overrides...)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stdout, nil))
	db, err := emulator.OpenStore(cfg)
	if err != nil {
		return err
	}
	if db != nil {
		defer db.Close()
	}
	ln, err := emulator.Listen(cfg, log, db)
	if err != nil {
		return err
	}
	base := ln.BaseURL
	em, err := emulator.New(cfg, emulator.Options{BaseURL: base, Log: log, DB: db})
	if err != nil {
		ln.Close()
		return err
	}
	source := *file
	if source == "" {
		source = config.DemoName
	}
	if *file != "" {
		go func() {
			if err := em.Watch(ctx, *file, getenv, overrides...); err != nil {
				log.Warn("configuration changes will need a restart: " + err.Error())
			}
		}()
	}
	log.Info("b2cemu is serving; open the URL in a browser", "url", base, "tenant", cfg.Tenant.Name+".onmicrosoft.com", "config", source, "version", versionString())
	for _, u := range em.URLs() {
		log.Info(u.Name, "url", u.URL)
	}
	err = em.Serve(ctx, ln)
	log.Info("b2cemu stopped")
	return err
}

func connectorTest(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("connector test", flag.ContinueOnError)
	fs.SetOutput(stdout)
	file := fs.String("config", getenv("B2CEMU_CONFIG"), "configuration file; empty = the embedded demo tenant")
	name := fs.String("connector", "", "the API connector to test (required without --flow; with it, only that connector's steps)")
	step := fs.String("step", "", "one step: PostFederationSignup, PostAttributeCollection or PreTokenIssuance (default: the steps user flows call it at)")
	claims := fs.String("claims", "", "JSON file of claim values to send instead of the samples")
	local := fs.Bool("local", false, "send a local account's requests (no PostFederationSignup) instead of a federated user's")
	base := fs.String("base-url", "", "URL of a running b2cemu, for a connector whose endpointUrl is a path on it")
	var o contract.Options
	fs.StringVar(&o.Flow, "flow", "", "a user flow id: send what its sign-up sends (its identity provider, collected attributes and steps)")
	fs.StringVar(&o.IdP, "idp", "", "with --flow: the identity provider, or email (default: the flow's first social provider)")
	fs.StringVar(&o.Account, "account", "", "with --flow: the provider's fixture account, by issuerAssignedId (default: its first)")
	fs.StringVar(&o.ClientID, "client-id", "", "with --flow: the application's client id (default: the first registered)")
	fs.StringVar(&o.UILocales, "ui-locales", "", "with --flow: ui_locales (default: en-US)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return cannotRun(err)
	}
	if *name == "" && o.Flow == "" {
		return cannotRun(errors.New("--connector or --flow is required"))
	}
	cfg, err := config.Load(*file, getenv, privateAddr) // it serves nothing: server.addr does not matter
	if err != nil {
		return cannotRun(err)
	}
	o.Connector, o.Local, o.BaseURL = *name, *local, *base
	if *step != "" {
		s, ok := map[string]apiconnector.Step{"PostFederationSignup": apiconnector.PostFederationSignup, "PostAttributeCollection": apiconnector.PostAttributeCollection,
			"PreTokenIssuance": apiconnector.PreTokenIssuance, "PreTokenApplicationClaims": apiconnector.PreTokenIssuance}[*step]
		if !ok {
			return cannotRun(fmt.Errorf("--step %q is not a step; use PostFederationSignup, PostAttributeCollection or PreTokenIssuance", *step))
		}
		o.Steps = []apiconnector.Step{s}
	}
	if *claims != "" {
		if o.Claims, err = os.ReadFile(*claims); err != nil {
			return cannotRun(err)
		}
	}
	ok, err := contract.Check(ctx, cfg, o, stdout)
	if err != nil {
		return cannotRun(err)
	}
	if !ok {
		return &exitError{errors.New("the connector's responses would fail in B2C (see the diagnostics above)"), 1}
	}
	fmt.Fprintln(stdout, "All responses would pass in B2C.")
	return nil
}

// privateAddr is the listen address of commands that serve only themselves (run-flow) or
// nothing (connector test), in place of server.addr.
var privateAddr = config.Override{Key: "server.addr", Value: "127.0.0.1:0", From: "this command (a private loopback port)"}

func versionString() string { return versionOf(version, debug.ReadBuildInfo) }

// versionOf is the version stamped by -ldflags (make build, make release), else the module
// version that `go install github.com/b2cemu/b2cemu/cmd/b2cemu@v1.2.3` records in the binary,
// else "dev". A go build inside the checkout records a pseudo-version of the commit (Go's VCS
// stamping), told as it is; go run records "(devel)", told as "dev".
func versionOf(stamped string, buildInfo func() (*debug.BuildInfo, bool)) string {
	if stamped != "" {
		return stamped
	}
	if bi, ok := buildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
