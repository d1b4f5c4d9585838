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
)

// version is set at build time (-ldflags "-X main.version=…").
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "b2cemu:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  b2cemu [serve] [--config FILE] [--addr HOST:PORT]   run the emulator (no --config: the demo tenant)
  b2cemu version                                      print the version`

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
	cfg, err := config.Load(*file, getenv)
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.Server.Addr = *addr
		if perr := cfg.Validate(); perr != nil {
			perr.File = "--addr"
			return perr
		}
	}
	log := slog.New(slog.NewTextHandler(stdout, nil))
	ln, base, err := emulator.Listen(cfg)
	if err != nil {
		return err
	}
	em, err := emulator.New(cfg, emulator.Options{BaseURL: base, Log: log})
	if err != nil {
		ln.Close()
		return err
	}
	source := *file
	if source == "" {
		source = config.DemoName
	}
	log.Info("b2cemu is serving; open the URL in a browser", "url", base, "tenant", cfg.Tenant.Name+".onmicrosoft.com", "config", source, "version", versionString())
	err = em.Serve(ctx, ln)
	log.Info("b2cemu stopped")
	return err
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "dev"
}
