// Package loadgen measures b2cemu as its users run it: it starts the emulator as a separate
// process with a loopback connector, times its start-up, seeds users, drives complete headless
// sign-ups at a chosen concurrency, and reports throughput, latency percentiles, the time the
// emulator adds per connector call, and the emulator's peak memory.
package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options say what to measure.
type Options struct {
	Binary      string // the b2cemu executable
	Flows       int    // headless sign-ups to run
	Concurrency int
	Users       int // users stored before the run
	Starts      int // start-ups to time (the median is reported)
	// Rate, when set, paces the run (sign-ups started per second, at most Concurrency in
	// flight) so that latency is measured at that load; 0 runs closed-loop, as fast as the
	// Concurrency clients can go, which measures throughput.
	Rate float64
}

// Report is what was measured.
type Report struct {
	Flows, Concurrency, Users    int
	Rate                         float64 // 0: closed loop
	Seconds, FlowsPerSecond      float64
	P50, P95, P99                time.Duration // per sign-up, as the client sees it
	AddedPerCall, HandlerPerCall time.Duration // medians: the emulator's share of a connector call, and the API's
	PeakRSSBytes, RSSBeforeBytes int64
	Startup                      time.Duration // median exec → /healthz 200
	Failures                     int
}

// String formats the report for people.
func (r Report) String() string {
	mode := "closed loop (as fast as the clients go)"
	if r.Rate > 0 {
		mode = fmt.Sprintf("paced at %.0f sign-ups/s", r.Rate)
	}
	return fmt.Sprintf(`start-up (exec → /healthz 200, median of runs): %s
stored users: %d   concurrency: %d   sign-ups: %d (%d failed)   %s
throughput: %.0f sign-ups/s (%.2f s)
latency per sign-up: p50 %s  p95 %s  p99 %s
per connector call: emulator adds %s (median), the API handler took %s (median)
emulator RSS: %.1f MB after seeding, %.1f MB peak`,
		r.Startup.Round(time.Microsecond*100), r.Users, r.Concurrency, r.Flows, r.Failures, mode, r.FlowsPerSecond, r.Seconds,
		ms(r.P50), ms(r.P95), ms(r.P99), ms(r.AddedPerCall), ms(r.HandlerPerCall),
		float64(r.RSSBeforeBytes)/(1<<20), float64(r.PeakRSSBytes)/(1<<20))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// connector is the loopback API: Continue, and how long each handler ran.
type connector struct {
	mu       sync.Mutex
	handlers []time.Duration
}

func (c *connector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"version":"1.0.0","action":"Continue"}`)
	d := time.Since(start)
	c.mu.Lock()
	c.handlers = append(c.handlers, d)
	c.mu.Unlock()
}

const tenant = `server: {addr: "127.0.0.1:0"}
tenant: {name: loadtest, id: 0f4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c8d}
signingKeys: [{file: %s}]
inspector: {maxCalls: 200}
identityProviders: [{id: facebook.com, displayName: Facebook}]
apiConnectors:
  - {name: api, endpointUrl: "%s/api?code=k", authentication: {type: basic, username: b2c, password: load}}
applications:
  - {name: app, clientId: 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d, redirectUris: [/jwt]}
userFlows:
  - id: B2C_1_load
    type: signUpOrSignIn
    identityProviders: [facebook.com]
    applicationClaims: [displayName, emails, identityProvider, newUser, objectId]
    apiConnectors: {postFederationSignup: api, postAttributeCollection: api}
`

// Run measures. The emulator process lives only for the measurement.
func Run(ctx context.Context, o Options, progress io.Writer) (Report, error) {
	if o.Starts < 1 {
		o.Starts = 5
	}
	dir, err := os.MkdirTemp("", "b2cemu-load-")
	if err != nil {
		return Report{}, err
	}
	defer os.RemoveAll(dir)
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	keyFile := filepath.Join(dir, "signing.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		return Report{}, err
	}
	api := &connector{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Report{}, err
	}
	apiSrv := &http.Server{Handler: api}
	go apiSrv.Serve(ln)
	defer apiSrv.Close()
	cfgFile := filepath.Join(dir, "b2cemu.yaml")
	if err := os.WriteFile(cfgFile, fmt.Appendf(nil, tenant, keyFile, "http://"+ln.Addr().String()), 0o600); err != nil {
		return Report{}, err
	}

	rep := Report{Flows: o.Flows, Concurrency: o.Concurrency, Users: o.Users, Rate: o.Rate}
	var startups []time.Duration
	var em *process
	for i := 0; i < o.Starts; i++ {
		p, err := start(ctx, o.Binary, cfgFile)
		if err != nil {
			return rep, err
		}
		startups = append(startups, p.startup)
		if i < o.Starts-1 {
			p.stop()
		} else {
			em = p
		}
	}
	defer em.stop()
	sort.Slice(startups, func(i, j int) bool { return startups[i] < startups[j] })
	rep.Startup = startups[len(startups)/2]
	fmt.Fprintf(progress, "emulator pid %d at %s, start-up %s\n", em.cmd.Process.Pid, em.url, rep.Startup)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency + 8}}
	if o.Users > 0 {
		if err := seed(ctx, client, em.url, o.Users); err != nil {
			return rep, err
		}
	}
	rep.RSSBeforeBytes = rss(em.cmd.Process.Pid, "VmRSS")
	api.mu.Lock()
	api.handlers = nil
	api.mu.Unlock()

	// Warm up, then measure.
	for i := 0; i < 50; i++ {
		flow(ctx, client, em.url, fmt.Sprintf("warm-%d", i))
	}
	api.mu.Lock()
	api.handlers = nil
	api.mu.Unlock()
	latencies := make([]time.Duration, o.Flows)
	var elapsed []float64
	var mu sync.Mutex
	type job struct {
		i   int
		due time.Time // when it should start: latency counts from here (no coordinated omission)
	}
	jobs := make(chan job, o.Flows)
	var wg sync.WaitGroup
	began := time.Now()
	for w := 0; w < o.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				i := j.i
				if o.Rate == 0 {
					j.due = time.Now() // closed loop: a client's next sign-up starts when the last ends
				} else if wait := time.Until(j.due); wait > 0 {
					time.Sleep(wait)
				}
				calls, err := flow(ctx, client, em.url, fmt.Sprintf("load-%d", i))
				latencies[i] = time.Since(j.due)
				mu.Lock()
				if err != nil {
					rep.Failures++
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
	rep.Seconds = time.Since(began).Seconds()
	rep.FlowsPerSecond = float64(o.Flows) / rep.Seconds
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	rep.P50, rep.P95, rep.P99 = pct(0.50), pct(0.95), pct(0.99)
	api.mu.Lock()
	handlers := append([]time.Duration(nil), api.handlers...)
	api.mu.Unlock()
	sort.Slice(handlers, func(i, j int) bool { return handlers[i] < handlers[j] })
	sort.Float64s(elapsed)
	if len(handlers) > 0 && len(elapsed) > 0 {
		rep.HandlerPerCall = handlers[len(handlers)/2]
		rep.AddedPerCall = time.Duration(elapsed[len(elapsed)/2]*float64(time.Millisecond)) - rep.HandlerPerCall
	}
	rep.PeakRSSBytes = rss(em.cmd.Process.Pid, "VmHWM")
	return rep, nil
}

// flow runs one headless federated sign-up (a new user: both connector calls and a token) and
// returns each connector call's elapsed milliseconds.
func flow(ctx context.Context, client *http.Client, base, id string) ([]float64, error) {
	body := fmt.Sprintf(`{"identityProvider":"facebook.com","account":{"issuerAssignedId":%q,"email":"%s@fabrikam.com","displayName":"Load User"}}`, id, id)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/_emulator/flows/B2C_1_load/run", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Outcome string
		Calls   []struct{ ElapsedMs float64 }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	if out.Outcome != "token" || len(out.Calls) != 2 {
		return nil, fmt.Errorf("outcome %q with %d calls", out.Outcome, len(out.Calls))
	}
	return []float64{out.Calls[0].ElapsedMs, out.Calls[1].ElapsedMs}, nil
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

var urlRe = regexp.MustCompile(`url=(http://[0-9.:]+)`)

// start execs the emulator and waits for /healthz.
func start(ctx context.Context, bin, cfg string) (*process, error) {
	cmd := exec.CommandContext(ctx, bin, "serve", "--config", cfg)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if m := urlRe.FindStringSubmatch(lines.Text()); m != nil {
			p.url = m[1]
			break
		}
	}
	go io.Copy(io.Discard, out)
	if p.url == "" {
		p.stop()
		return nil, errors.New("the emulator did not log its URL")
	}
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
			return nil, errors.New("the emulator did not answer /healthz within 10 s")
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
