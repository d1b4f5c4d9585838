package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/b2cemu/b2cemu/emulator/loadgen"
)

// bench is `b2cemu bench`: the load harness (docs/performance.md).
func bench(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stdout)
	flows := fs.Int("flows", 5000, "headless sign-ups to run (each: two connector calls and a token)")
	conc := fs.Int("concurrency", 50, "sign-ups in flight at once")
	users := fs.Int("users", 1000, "users stored before the run")
	starts := fs.Int("starts", 5, "start-ups to time")
	rate := fs.Float64("rate", 0, "sign-ups started per second (0: closed loop, as fast as possible)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return cannotRun(err)
	}
	if *flows < 1 || *conc < 1 || *users < 0 {
		return cannotRun(errors.New("--flows and --concurrency must be at least 1"))
	}
	bin, err := os.Executable()
	if err != nil {
		return cannotRun(err)
	}
	rep, err := loadgen.Run(ctx, loadgen.Options{Binary: bin, Flows: *flows, Concurrency: *conc, Users: *users, Starts: *starts, Rate: *rate}, stdout)
	if err != nil {
		return cannotRun(err)
	}
	fmt.Fprintln(stdout, rep)
	if rep.Failures > 0 {
		return &exitError{fmt.Errorf("%d sign-ups failed", rep.Failures), 1}
	}
	return nil
}
