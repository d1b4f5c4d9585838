// Package loadgen measures b2cemu as its users run it: it starts the emulator as a separate
// process with a loopback connector, times its start-up, seeds users, drives complete flows
// of each mode (headless sign-ups and sign-ins, custom policies, refresh grants, the pages as
// a browser walks them) at a chosen concurrency, and reports each mode's throughput and
// latency against the RSA-2048 signing ceiling measured in the same run, the time the
// emulator adds per connector call, and the emulator's peak memory.
package loadgen

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options say what to measure.
type Options struct {
	Binary      string   // the b2cemu executable
	Modes       []string // what to run, in order (nil: Federated)
	Flows       int      // operations per mode
	Concurrency int
	Users       int // federated users stored before the run
	Starts      int // start-ups to time (the median is reported)
	// Rate, when set, paces the run (operations started per second, at most Concurrency in
	// flight) so that latency is measured at that load; 0 runs closed-loop, as fast as the
	// Concurrency clients can go, which measures throughput.
	Rate float64
	// Policies is the folder of the loyalty example's policy files
	// (docs/examples/custom-policies/policies), needed by the custom-policy modes.
	Policies string
	// CeilingTime is how long each RSA-2048 signing measurement runs (default 2 s).
	CeilingTime time.Duration
	// Dex is the issuer URL of a running dex for the Dex mode (docs/performance.md).
	Dex string
	// DexPID is the running dex's process id, so that the Dex mode reports its CPU time per
	// login (0: not reported).
	DexPID int
	// Harness is the b2cemu executable whose `bench --serve-floor` runs the floor modes'
	// stand-in (this harness's own; Binary may be another build).
	Harness string
}

// Report is what was measured.
type Report struct {
	Concurrency, Users int
	Rate               float64       // 0: closed loop
	Startup            time.Duration // median exec → /healthz 200
	// Ceilings are the RSA-2048 signing measurements (signatures/s on all cores): one before
	// the first mode and one after each; Ceiling is the highest, since other work on a shared
	// machine can only lower a measurement.
	Ceilings                     []float64
	Ceiling                      float64
	Modes                        []ModeReport
	PeakRSSBytes, RSSBeforeBytes int64
	Failures                     int // over all modes
}

// ModeReport is one mode's figures.
type ModeReport struct {
	Mode                         string
	Flows                        int
	Seconds, PerSecond           float64
	P50, P95, P99                time.Duration // per operation, as the client sees it
	AddedPerCall, HandlerPerCall time.Duration // medians over the mode's connector calls (0: none)
	Failures                     int
	FirstError                   string
	// Ceiling is the higher of the signing measurements just before and just after the mode:
	// the share of it is taken under about the same load from elsewhere on the machine, and
	// never against a measurement that other work held down.
	Ceiling float64
	// ServerCPU is the emulator's CPU time per operation (0 where /proc is not there);
	// SignCPU the CPU time of one signature in the measurements around the mode. Their ratio
	// is the share of the ceiling the emulator would reach with the cores to itself, which
	// other work on a shared machine does not move.
	ServerCPU, SignCPU time.Duration
	// ClientCPU is this harness's CPU time per operation: on the same cores, it is work the
	// emulator cannot use.
	ClientCPU time.Duration
	RSSBytes  int64 // the resident memory after the mode of the emulator (of the stand-in for a floor mode)
}

// CPUShare is the signature's CPU time over the emulator's per operation.
func (m ModeReport) CPUShare() float64 {
	if m.ServerCPU == 0 {
		return 0
	}
	return float64(m.SignCPU) / float64(m.ServerCPU)
}

// MachineShare is the signature's CPU time over the machine's per operation, the emulator's
// (or a stand-in's) and this harness's together: the share of the ceiling the mode reaches
// with the load generator on the same cores, worked out from CPU time, which other work on a
// shared machine hardly moves.
func (m ModeReport) MachineShare() float64 {
	if m.ServerCPU == 0 {
		return 0
	}
	return float64(m.SignCPU) / float64(m.ServerCPU+m.ClientCPU)
}

// OfCeiling is the mode's throughput as a share of the RSA-2048 signing ceiling around it.
func (m ModeReport) OfCeiling() float64 {
	if m.Ceiling == 0 {
		return 0
	}
	return m.PerSecond / m.Ceiling
}

// String formats the report for people.
func (r Report) String() string {
	var b strings.Builder
	mode := "closed loop (as fast as the clients go)"
	if r.Rate > 0 {
		mode = fmt.Sprintf("paced at %.0f operations/s", r.Rate)
	}
	fmt.Fprintf(&b, "start-up (exec → /healthz 200, median of runs): %s\n", r.Startup.Round(time.Microsecond*100))
	fmt.Fprintf(&b, "stored users: %d   concurrency: %d   %s\n", r.Users, r.Concurrency, mode)
	fmt.Fprintf(&b, "RSA-2048 signing ceiling (all cores, this run): %.0f signatures/s (the highest of %.0f)\n", r.Ceiling, r.Ceilings)
	fmt.Fprintf(&b, "share: ops/s over the ceiling measured around the mode; server CPU: the emulator's per operation (each signs one token);\n")
	fmt.Fprintf(&b, "other CPU: server CPU less one signature's; CPU share: one signature's CPU over the server CPU; client CPU: this harness's;\n")
	fmt.Fprintf(&b, "machine: one signature's CPU over server and client CPU together (the share the CPU times allow with the harness on the same cores)\n")
	fmt.Fprintf(&b, "%-14s %6s %6s %6s %9s %9s %9s %10s %7s %6s %10s %9s %9s %10s %7s %8s\n", "mode", "ops", "failed", "ops/s", "p50", "p95", "p99", "added/call", "ceiling", "share", "server CPU", "other CPU", "CPU share", "client CPU", "machine", "RSS")
	for _, m := range r.Modes {
		added := "-"
		if m.HandlerPerCall > 0 || m.AddedPerCall > 0 {
			added = ms(m.AddedPerCall)
		}
		cpu, other, share, machine := "-", "-", "-", "-"
		if m.ServerCPU > 0 {
			cpu, other, share = ms(m.ServerCPU), ms(m.ServerCPU-m.SignCPU), fmt.Sprintf("%.0f%%", 100*m.CPUShare())
			machine = fmt.Sprintf("%.0f%%", 100*m.MachineShare())
		}
		fmt.Fprintf(&b, "%-14s %6d %6d %6.0f %9s %9s %9s %10s %7.0f %5.0f%% %10s %9s %9s %10s %7s %5.1f MB\n", m.Mode, m.Flows, m.Failures, m.PerSecond,
			ms(m.P50), ms(m.P95), ms(m.P99), added, m.Ceiling, 100*m.OfCeiling(), cpu, other, share, ms(m.ClientCPU), machine, float64(m.RSSBytes)/(1<<20))
		if m.FirstError != "" {
			fmt.Fprintf(&b, "  first failure: %s\n", m.FirstError)
		}
	}
	fmt.Fprintf(&b, "emulator RSS: %.1f MB after seeding, %.1f MB peak", float64(r.RSSBeforeBytes)/(1<<20), float64(r.PeakRSSBytes)/(1<<20))
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

const tenant = `server: {addr: "127.0.0.1:0"}
tenant: {name: contoso, id: 0f4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c8d}
signingKeys: [{file: %s}]
inspector: {maxCalls: 200}
identityProviders: [{id: facebook.com, displayName: Facebook}]
apiConnectors:
  - {name: api, endpointUrl: "%s` + apiPath + `", authentication: {type: basic, username: ` + apiUser + `, password: ` + apiPassword + `}}
applications:
  - {name: app, clientId: ` + clientID + `, redirectUris: [/jwt]}
userFlows:
  - id: B2C_1_load
    type: signUpOrSignIn
    identityProviders: [facebook.com]
    applicationClaims: [displayName, emails, identityProvider, newUser, objectId]
    apiConnectors: {postFederationSignup: api, postAttributeCollection: api}
  - id: B2C_1_local
    type: signUpOrSignIn
    identityProviders: [email]
    userAttributes: [{name: displayName, required: true}]
    applicationClaims: [displayName, emails, newUser, objectId]
    apiConnectors: {postAttributeCollection: api}
`

// The loopback API's path and the Basic credentials the tenant gives its connector.
const (
	apiPath     = "/api?code=k"
	apiUser     = "b2c"
	apiPassword = "load"
)

// Run measures. The emulator process lives only for the measurement.
func Run(ctx context.Context, o Options, progress io.Writer) (Report, error) {
	o = withDefaults(o)
	dir, err := os.MkdirTemp("", "b2cemu-load-")
	if err != nil {
		return Report{}, err
	}
	defer os.RemoveAll(dir)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Report{}, err
	}
	api := &connector{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Report{}, err
	}
	go api.serve(ln)
	defer ln.Close()
	cfgFile, err := writeTenant(dir, key, "http://"+ln.Addr().String(), o)
	if err != nil {
		return Report{}, err
	}

	rep := Report{Concurrency: o.Concurrency, Users: o.Users, Rate: o.Rate}
	em, err := startTimed(ctx, o, cfgFile, &rep)
	if err != nil {
		return rep, err
	}
	defer em.stop()
	fmt.Fprintf(progress, "emulator pid %d at %s, start-up %s\n", em.cmd.Process.Pid, em.url, rep.Startup)

	t := &target{client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency + 8}}, base: em.url,
		self: o.Harness, dir: dir, keyFile: filepath.Join(dir, keyFileName), apiURL: "http://" + ln.Addr().String(), measured: map[string]int{}}
	for range o.Concurrency {
		t.wires = append(t.wires, &wireClient{addr: strings.TrimPrefix(em.url, "http://")})
	}
	defer t.close()
	if o.Users > 0 {
		if err := seed(ctx, t.client, em.url, o.Users); err != nil {
			return rep, err
		}
	}
	rep.RSSBeforeBytes = rss(em.cmd.Process.Pid, "VmRSS")
	err = runModes(ctx, t, api, key, o, em.cmd.Process.Pid, &rep, progress)
	return rep, err
}

// withDefaults fills in the options left zero.
func withDefaults(o Options) Options {
	if o.Starts < 1 {
		o.Starts = 5
	}
	if len(o.Modes) == 0 {
		o.Modes = []string{Federated}
	}
	if o.CeilingTime <= 0 {
		o.CeilingTime = 2 * time.Second
	}
	return o
}

// runModes measures each mode in turn, with the signing ceiling measured before the first and
// after each, so that every mode is set against the machine's load around it.
func runModes(ctx context.Context, t *target, api *connector, key *rsa.PrivateKey, o Options, pid int, rep *Report, progress io.Writer) error {
	first, sign := ceiling(ctx, key, o.CeilingTime)
	rep.Ceilings = []float64{first}
	for _, mode := range o.Modes {
		m, err := runMode(ctx, t, api, mode, o, pid)
		if err != nil {
			return fmt.Errorf("mode %s: %w", mode, err)
		}
		after, signAfter := ceiling(ctx, key, o.CeilingTime)
		m.Ceiling, m.SignCPU = max(rep.Ceilings[len(rep.Ceilings)-1], after), min(sign, signAfter)
		rep.Ceilings, sign = append(rep.Ceilings, after), signAfter
		fmt.Fprintf(progress, "%s: %.0f/s (%.0f%% of the signing ceiling), %d failed\n", mode, m.PerSecond, 100*m.OfCeiling(), m.Failures)
		rep.Modes = append(rep.Modes, m)
		rep.Failures += m.Failures
	}
	rep.Ceiling = slices.Max(rep.Ceilings)
	rep.PeakRSSBytes = rss(pid, "VmHWM")
	return nil
}

const keyFileName = "signing.pem"

// writeTenant writes the signing key, the tenant and, when there is a policy folder, the
// loyalty example's policies pointed at the loopback API; it returns the configuration file.
func writeTenant(dir string, key *rsa.PrivateKey, apiURL string, o Options) (string, error) {
	keyFile := filepath.Join(dir, keyFileName)
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		return "", err
	}
	cfg := fmt.Sprintf(tenant, keyFile, apiURL)
	if needsPolicies(o.Modes) {
		if o.Policies == "" {
			return "", errors.New("the custom-policy modes need the loyalty example's policy folder (--policies docs/examples/custom-policies/policies)")
		}
		files, err := filepath.Glob(filepath.Join(o.Policies, "*.xml"))
		if err != nil || len(files) == 0 {
			return "", fmt.Errorf("--policies %s: no policy files (*.xml) there; give docs/examples/custom-policies/policies of a b2cemu checkout", o.Policies)
		}
		out := filepath.Join(dir, "policies")
		if err := os.Mkdir(out, 0o700); err != nil {
			return "", err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return "", fmt.Errorf("--policies: %w", err)
			}
			data = bytes.ReplaceAll(data, []byte("http://127.0.0.1:8080/demo/api/loyalty"), []byte(apiURL+"/loyalty"))
			if err := os.WriteFile(filepath.Join(out, filepath.Base(f)), data, 0o600); err != nil {
				return "", err
			}
		}
		cfg += "customPolicies: {paths: [" + out + "]}\n"
	}
	cfgFile := filepath.Join(dir, "b2cemu.yaml")
	return cfgFile, os.WriteFile(cfgFile, []byte(cfg), 0o600)
}

func needsPolicies(modes []string) bool {
	for _, m := range modes {
		if m == CustomSignUp || m == CustomSignIn {
			return true
		}
	}
	return false
}

// startTimed starts the emulator o.Starts times, records the median start-up, and returns the
// last process, left running.
func startTimed(ctx context.Context, o Options, cfgFile string, rep *Report) (*process, error) {
	var startups []time.Duration
	var em *process
	for i := 0; i < o.Starts; i++ {
		p, err := start(ctx, o.Binary, cfgFile, filepath.Dir(cfgFile))
		if err != nil {
			return nil, err
		}
		startups = append(startups, p.startup)
		if i < o.Starts-1 {
			p.stop()
		} else {
			em = p
		}
	}
	sort.Slice(startups, func(i, j int) bool { return startups[i] < startups[j] })
	rep.Startup = startups[len(startups)/2]
	return em, nil
}

// runMode sets a mode up, warms it up and measures o.Flows operations of it.
func runMode(ctx context.Context, t *target, api *connector, mode string, o Options, pid int) (ModeReport, error) {
	do, err := t.setup(ctx, mode, o.Concurrency, o.Dex)
	if err != nil {
		return ModeReport{}, err
	}
	for i := 0; i < min(50, o.Flows); i++ { // warm up: connections, caches
		if _, err := do(ctx, i%o.Concurrency, o.Flows+i); err != nil {
			return ModeReport{}, fmt.Errorf("warming up: %w", err)
		}
	}
	api.take()
	if p, ok := t.measured[mode]; ok { // a stand-in, not the emulator
		pid = p
	}
	cpuOf := pid
	if mode == Dex { // another process, whose CPU is known only by its id; the emulator idles meanwhile
		pid, cpuOf = cmp.Or(o.DexPID, pid), o.DexPID
	}
	m := ModeReport{Mode: mode, Flows: o.Flows}
	began, cpu, own := time.Now(), processCPU(cpuOf), ownCPU()
	latencies, elapsed := drive(ctx, do, o, began, &m)
	m.Seconds = time.Since(began).Seconds()
	m.ClientCPU = (ownCPU() - own) / time.Duration(o.Flows)
	if cpuOf > 0 {
		m.ServerCPU = (processCPU(cpuOf) - cpu) / time.Duration(o.Flows)
	}
	m.PerSecond = float64(o.Flows) / m.Seconds
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	m.P50, m.P95, m.P99 = pct(0.50), pct(0.95), pct(0.99)
	m.HandlerPerCall, m.AddedPerCall = perCall(api.take(), elapsed)
	m.RSSBytes = rss(pid, "VmRSS")
	return m, nil
}

// drive runs o.Flows operations on o.Concurrency workers, closed loop or paced at o.Rate from
// began, counting failures in m. It returns each operation's latency and the connector calls'
// elapsed milliseconds as the emulator reported them.
func drive(ctx context.Context, do op, o Options, began time.Time, m *ModeReport) ([]time.Duration, []float64) {
	latencies := make([]time.Duration, o.Flows)
	var elapsed []float64
	var mu sync.Mutex
	type job struct {
		i   int
		due time.Time // when it should start: latency counts from here (no coordinated omission)
	}
	jobs := make(chan job, o.Flows)
	var wg sync.WaitGroup
	for w := 0; w < o.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if o.Rate == 0 {
					j.due = time.Now() // closed loop: a client's next operation starts when the last ends
				} else if wait := time.Until(j.due); wait > 0 {
					time.Sleep(wait)
				}
				calls, err := do(ctx, w, j.i)
				latencies[j.i] = time.Since(j.due)
				mu.Lock()
				if err != nil {
					m.Failures++
					if m.FirstError == "" {
						m.FirstError = err.Error()
					}
				}
				elapsed = append(elapsed, calls...)
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < o.Flows; i++ {
		due := began
		if o.Rate > 0 {
			due = began.Add(time.Duration(float64(i) / o.Rate * float64(time.Second)))
		}
		jobs <- job{i, due}
	}
	close(jobs)
	wg.Wait()
	return latencies, elapsed
}

// perCall is the median connector handler time and the median time the emulator added to a
// call on top of it; zero without both measures.
func perCall(handlers []time.Duration, elapsed []float64) (time.Duration, time.Duration) {
	sort.Slice(handlers, func(i, j int) bool { return handlers[i] < handlers[j] })
	sort.Float64s(elapsed)
	if len(handlers) == 0 || len(elapsed) == 0 {
		return 0, 0
	}
	handler := handlers[len(handlers)/2]
	return handler, time.Duration(elapsed[len(elapsed)/2]*float64(time.Millisecond)) - handler
}

// seed imports n federated users with a few attributes each.
func seed(ctx context.Context, client *http.Client, base string, n int) error {
	var b bytes.Buffer
	b.WriteString(`{"users":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"objectId":"00000000-0000-4000-8000-%012d","identities":[{"signInType":"federated","issuer":"facebook.com","issuerAssignedId":"seed-%d"}],"attributes":{"email":"seed%d@fabrikam.com","displayName":"Seeded User %d","city":"Lisbon"}}`, i, i, i, i)
	}
	b.WriteString(`]}`)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/_emulator/users/import", &b)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		raw, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("seeding users: %s %s", resp.Status, raw)
	}
	return nil
}

type process struct {
	cmd     *exec.Cmd
	url     string
	startup time.Duration
}

// start execs the emulator on a free loopback port and waits for /healthz. It inherits this
// process's environment (B2CEMU_* settings apply to it); its log goes to a file in dir rather
// than a pipe, so that reading it costs neither process a wake-up per line.
func start(ctx context.Context, bin, cfg, dir string) (*process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	return launch(ctx, dir, addr, bin, "serve", "--config", cfg, "--addr", addr)
}

// freeAddr is a loopback address with a port free now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// launch runs bin with args, its log to emulator.log in dir, and waits until it answers
// /healthz at addr.
func launch(ctx context.Context, dir, addr, bin string, args ...string) (*process, error) {
	logFile, err := os.OpenFile(filepath.Join(dir, "emulator.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, os.Stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, url: "http://" + addr}
	for {
		resp, err := http.Get(p.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(t0) > 10*time.Second {
			p.stop()
			return nil, fmt.Errorf("%s did not answer /healthz within 10 s (its log: %s)", bin, logFile.Name())
		}
		time.Sleep(200 * time.Microsecond)
	}
	p.startup = time.Since(t0)
	return p, nil
}

func (p *process) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
	}
}

// rss reads a memory figure (VmRSS, VmHWM) of a process from /proc, in bytes.
func rss(pid int, field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
