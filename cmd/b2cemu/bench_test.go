package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/loadgen"
)

// TestBenchModes runs each mode of the load harness briefly against this binary acting as
// b2cemu, on loopback, and checks that its figures are sane.
func TestBenchModes(t *testing.T) {
	t.Setenv("B2CEMU_TEST_MAIN", "1") // the harness's emulator process is this test binary
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range loadgen.Modes {
		t.Run(mode, func(t *testing.T) {
			o := loadgen.Options{Binary: bin, Modes: []string{mode}, Flows: 30, Concurrency: 3, Users: 10, Starts: 1,
				Policies: "../../docs/examples/custom-policies/policies", CeilingTime: 100 * time.Millisecond, Harness: bin}
			rep, err := loadgen.Run(context.Background(), o, &strings.Builder{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Modes) != 1 {
				t.Fatalf("modes reported: %+v", rep.Modes)
			}
			m := rep.Modes[0]
			if m.Mode != mode || m.Flows != 30 || m.Failures != 0 {
				t.Fatalf("%s: %d operations, %d failed (%s)", m.Mode, m.Flows, m.Failures, m.FirstError)
			}
			if m.PerSecond <= 0 || m.Seconds <= 0 || m.P50 <= 0 || m.P50 > m.P95 || m.P95 > m.P99 || m.P99 > time.Duration(m.Seconds*float64(time.Second)) {
				t.Errorf("rate %.1f/s over %.2f s, p50 %s p95 %s p99 %s", m.PerSecond, m.Seconds, m.P50, m.P95, m.P99)
			}
			if len(rep.Ceilings) != 2 || m.Ceiling <= 0 || m.OfCeiling() <= 0 || m.SignCPU <= 0 {
				t.Errorf("ceilings %v, the mode's %.0f (share %.2f), a signature's CPU %s", rep.Ceilings, m.Ceiling, m.OfCeiling(), m.SignCPU)
			}
			if rep.Startup <= 0 || rep.PeakRSSBytes <= 0 || rep.PeakRSSBytes < rep.RSSBeforeBytes {
				t.Errorf("start-up %s, RSS %d then peak %d", rep.Startup, rep.RSSBeforeBytes, rep.PeakRSSBytes)
			}
			// The modes with connector calls say what the emulator adds to one.
			calls := map[string]bool{loadgen.Federated: true, loadgen.Floor: true, loadgen.FloorWire: true, loadgen.LocalSignUp: true, loadgen.CustomSignUp: true}[mode]
			if got := m.HandlerPerCall > 0; got != calls {
				t.Errorf("connector handler time %s; want one only for the modes with calls", m.HandlerPerCall)
			}
			// With the harness's CPU counted too, the share can only be lower.
			if m.ServerCPU > 0 && (m.MachineShare() <= 0 || m.MachineShare() > m.CPUShare()) {
				t.Errorf("machine share %.2f, CPU share %.2f", m.MachineShare(), m.CPUShare())
			}
			if !strings.Contains(rep.String(), mode) {
				t.Errorf("the report does not name %s:\n%s", mode, rep)
			}
		})
	}
}

func TestBenchModesFlag(t *testing.T) {
	if got, err := benchModes("all"); err != nil || len(got) != len(loadgen.Modes) {
		t.Errorf("all = %v, %v", got, err)
	}
	if got, err := benchModes("local-signin, refresh"); err != nil || strings.Join(got, ",") != "local-signin,refresh" {
		t.Errorf("a list = %v, %v", got, err)
	}
	if _, err := benchModes("signin"); err == nil || !strings.Contains(err.Error(), `"signin" is not a mode; use all or some of federated, floor, floor-wire, local-signup`) {
		t.Errorf("an unknown mode: %v", err)
	}
}

// TestBenchDexNeedsIssuer: the comparison mode says what it needs rather than failing later.
func TestBenchDexNeedsIssuer(t *testing.T) {
	t.Setenv("B2CEMU_TEST_MAIN", "1")
	bin, _ := os.Executable()
	if got, err := benchModes("federated,dex"); err != nil || len(got) != 2 {
		t.Errorf("federated,dex = %v, %v", got, err)
	}
	_, err := loadgen.Run(context.Background(), loadgen.Options{Binary: bin, Modes: []string{loadgen.Dex}, Flows: 1, Concurrency: 1, Starts: 1,
		CeilingTime: 10 * time.Millisecond}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "--dex http://127.0.0.1:5556/dex") {
		t.Errorf("dex without an issuer: %v", err)
	}
}

// TestBenchDexCPU: with the dex process's id the dex mode reports its CPU per login; here a
// stand-in for dex's redirect and token endpoints runs in this process.
func TestBenchDexCPU(t *testing.T) {
	t.Setenv("B2CEMU_TEST_MAIN", "1")
	bin, _ := os.Executable()
	dex := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/dex/auth":
			http.Redirect(w, r, "http://127.0.0.1:5555/callback?code=c&state=s", http.StatusFound)
		case "/dex/token":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"id_token":"eyJ.x.y"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer dex.Close()
	for _, pid := range []int{0, os.Getpid()} {
		rep, err := loadgen.Run(context.Background(), loadgen.Options{Binary: bin, Modes: []string{loadgen.Dex}, Flows: 200, Concurrency: 2, Starts: 1,
			CeilingTime: 10 * time.Millisecond, Dex: dex.URL + "/dex", DexPID: pid}, &strings.Builder{})
		if err != nil {
			t.Fatal(err)
		}
		if m := rep.Modes[0]; m.Failures != 0 || (m.ServerCPU > 0) != (pid > 0) {
			t.Errorf("dex pid %d: %d failed (%s), server CPU %s", pid, m.Failures, m.FirstError, m.ServerCPU)
		}
	}
}
