// Command release builds what docs/install.md installs from: the release archives with their
// SHA256SUMS (make release), the npm packages (make npm) and the container image's build
// context (make image). It is run from the repository's root with go run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

const usage = `usage (from the repository's root):
  go run ./cmd/b2cemu/release dist  --version V [--out DIR] [--targets os/arch,…]   archives and SHA256SUMS
  go run ./cmd/b2cemu/release verify [--out DIR]                                   check SHA256SUMS and each archive's binary
  go run ./cmd/b2cemu/release npm   --version V [--out DIR]                         npm packages from the archives, packed
  go run ./cmd/b2cemu/release image --version V [--out DIR] [--arch A]              the container image's build context
  go run ./cmd/b2cemu/release goproxy --version vX.Y.Z [--out DIR]                  a module proxy folder serving HEAD as that version`

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stdout)
	version := fs.String("version", "", "the version stamped into the binaries (make passes git describe)")
	out := fs.String("out", defaultOut, "the output folder")
	targets := fs.String("targets", strings.Join(defaultTargets, ","), "comma-separated GOOS/GOARCH pairs")
	arch := fs.String("arch", runtime.GOARCH, "the image's GOARCH")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	needVersion := func() error {
		if *version == "" {
			return fmt.Errorf("%s needs --version (make release passes git describe)", args[0])
		}
		return nil
	}
	switch args[0] {
	case "dist":
		if err := needVersion(); err != nil {
			return err
		}
		ts, err := parseTargets(*targets)
		if err != nil {
			return err
		}
		return dist(ctx, *version, ts, *out, stdout)
	case "verify":
		return verify(*out, stdout)
	case "npm":
		if err := needVersion(); err != nil {
			return err
		}
		return npm(ctx, *version, *out, stdout)
	case "goproxy":
		return goproxy(*version, *out, stdout)
	case "image":
		if err := needVersion(); err != nil {
			return err
		}
		return imageContext(ctx, *version, *arch, *out, stdout)
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}
