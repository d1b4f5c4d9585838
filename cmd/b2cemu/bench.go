package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/emulator/loadgen"
)

// bench is `b2cemu bench`: the load harness (docs/performance.md).
func bench(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stdout)
	flows := fs.Int("flows", 5000, "operations to run per mode")
	conc := fs.Int("concurrency", 50, "operations in flight at once")
	users := fs.Int("users", 1000, "federated users stored before the run")
	starts := fs.Int("starts", 5, "start-ups to time")
	rate := fs.Float64("rate", 0, "operations started per second (0: closed loop, as fast as possible)")
	modes := fs.String("modes", loadgen.Federated, "comma-separated modes, or all: "+strings.Join(loadgen.Modes, ", ")+" (and dex, with --dex)")
	policies := fs.String("policies", "docs/examples/custom-policies/policies", "the loyalty example's policy folder (custom-policy modes)")
	ceiling := fs.Duration("ceiling", 2*time.Second, "how long each RSA-2048 signing measurement runs")
	emulator := fs.String("emulator", "", "the b2cemu executable to measure (default: this one), e.g. an older build to compare")
	dexPID := fs.Int("dex-pid", 0, "the dex process's id, to report its CPU time per login in the dex mode")
	floor := fs.String("serve-floor", "", "internal: serve the floor modes' stand-in that this file describes (the harness starts it)")
	dex := fs.String("dex", "", "issuer URL of a running dex for the dex mode, e.g. http://127.0.0.1:5556/dex (docs/performance.md)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return cannotRun(err)
	}
	if *floor != "" {
		return serveFloor(ctx, *floor)
	}
	if *flows < 1 || *conc < 1 || *users < 0 {
		return cannotRun(errors.New("--flows and --concurrency must be at least 1"))
	}
	list, err := benchModes(*modes)
	if err != nil {
		return cannotRun(err)
	}
	self, err := os.Executable()
	if err != nil {
		return cannotRun(err)
	}
	bin := *emulator
	if bin == "" {
		bin = self
	}
	rep, err := loadgen.Run(ctx, loadgen.Options{Binary: bin, Modes: list, Flows: *flows, Concurrency: *conc, Users: *users,
		Starts: *starts, Rate: *rate, Policies: *policies, CeilingTime: *ceiling, Dex: *dex, DexPID: *dexPID, Harness: self}, stdout)
	if err != nil {
		return cannotRun(err)
	}
	fmt.Fprintln(stdout, rep)
	if rep.Failures > 0 {
		return &exitError{fmt.Errorf("%d operations failed", rep.Failures), 1}
	}
	return nil
}

// serveFloor runs a floor mode's stand-in (docs/performance.md) until ctx ends.
func serveFloor(ctx context.Context, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return cannotRun(err)
	}
	var spec loadgen.FloorSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return cannotRun(fmt.Errorf("--serve-floor %s: %w", file, err))
	}
	return loadgen.ServeFloor(ctx, spec)
}

// benchModes reads --modes: names from loadgen.Modes, or all.
func benchModes(s string) ([]string, error) {
	if s == "all" {
		return loadgen.Modes, nil
	}
	var out []string
	for _, m := range strings.Split(s, ",") {
		m = strings.TrimSpace(m)
		known := m == loadgen.Dex
		for _, k := range loadgen.Modes {
			known = known || k == m
		}
		if !known {
			return nil, fmt.Errorf("--modes: %q is not a mode; use all or some of %s, %s", m, strings.Join(loadgen.Modes, ", "), loadgen.Dex)
		}
		out = append(out, m)
	}
	return out, nil
}
