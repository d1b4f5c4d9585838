package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// The floor modes measure what a federated sign-up costs the machine when the emulator's own
// work is replaced by nothing: a stand-in process takes the harness's headless request, makes
// the two connector calls with the bodies the emulator sent in a real sign-up (same bytes,
// same headers, to the same loopback API), signs one RS256 token and answers with the
// emulator's answer of that sign-up, its signature and elapsed times its own. The harness and
// the API are as in the federated mode, and the harness checks every answer as it checks the
// emulator's. No emulator can do less per sign-up, so a floor mode's share of the ceiling is
// the most any emulator can reach on this machine with the load generator on the same cores.
const (
	Floor     = "floor"      // the stand-in over the standard library's HTTP server and client, as the emulator
	FloorWire = "floor-wire" // the stand-in over the harness's own wire code: the least HTTP can cost
)

// FloorSpec is what a stand-in serves, written by the harness to a file for the process.
type FloorSpec struct {
	Addr   string   // host:port to listen on
	Wire   bool     // the wire code rather than net/http
	Key    string   // the signing key's PEM file
	API    string   // the connector's URL
	Auth   string   // its Authorization header value
	Bodies []string // the connector calls' bodies, in order
	Answer string   // the emulator's headless answer to copy
}

// answerTemplate is the emulator's answer cut where each sign-up differs: the token's
// signature and each call's elapsedMs.
type answerTemplate struct {
	signed []byte   // the token's header.payload, which every stand-in token signs
	parts  [][]byte // before the signature, after it up to the first elapsedMs value, …, the rest
}

// parseTemplate cuts answer at its id token's signature and its calls' elapsedMs values.
func parseTemplate(answer []byte, calls int) (answerTemplate, error) {
	at := bytes.Index(answer, idToken)
	if at < 0 {
		return answerTemplate{}, errors.New("the emulator's answer has no id token")
	}
	start := at + len(idToken) - len("ey")
	n := bytes.IndexByte(answer[start:], '"')
	if n < 0 {
		return answerTemplate{}, errors.New("the emulator's id token does not end")
	}
	end := start + n
	dot := bytes.LastIndexByte(answer[start:end], '.')
	if dot <= 0 {
		return answerTemplate{}, errors.New("the emulator's id token is not a JWT")
	}
	dot += start
	t := answerTemplate{signed: answer[start:dot], parts: [][]byte{answer[:dot+1]}}
	rest := answer[end:]
	for range calls {
		i := bytes.Index(rest, elapsedKey)
		if i < 0 {
			return answerTemplate{}, fmt.Errorf("the emulator's answer has fewer than %d calls", calls)
		}
		i += len(elapsedKey)
		t.parts = append(t.parts, rest[:i])
		rest = rest[i:]
		if i = bytes.IndexAny(rest, ",}"); i < 0 {
			return answerTemplate{}, errors.New("the emulator's answer ends in an elapsedMs value")
		}
		rest = rest[i:]
	}
	t.parts = append(t.parts, rest)
	return t, nil
}

// standIn is a running stand-in's state.
type standIn struct {
	spec    FloorSpec
	key     *rsa.PrivateKey
	tmpl    answerTemplate
	bodies  [][]byte
	header  http.Header // the connector calls' headers, as the emulator sends them
	client  http.RoundTripper
	apiAddr string // the API's host:port, for the wire code
	apiPath string
}

// ServeFloor runs the stand-in that spec describes until ctx ends.
func ServeFloor(ctx context.Context, spec FloorSpec) error {
	s, err := newStandIn(spec)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", spec.Addr)
	if err != nil {
		return err
	}
	if spec.Wire {
		go func() { <-ctx.Done(); ln.Close() }()
		s.serveWire(ctx, ln)
		return nil
	}
	srv := &http.Server{Handler: s}
	go func() { <-ctx.Done(); srv.Close() }() // which closes ln
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func newStandIn(spec FloorSpec) (*standIn, error) {
	raw, err := os.ReadFile(spec.Key)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", spec.Key)
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec.Key, err)
	}
	tmpl, err := parseTemplate([]byte(spec.Answer), len(spec.Bodies))
	if err != nil {
		return nil, err
	}
	host, path, _ := strings.Cut(strings.TrimPrefix(spec.API, "http://"), "/")
	s := &standIn{spec: spec, key: key, tmpl: tmpl, apiAddr: host, apiPath: "/" + path,
		header: http.Header{"Content-Type": {"application/json"}, "Authorization": {spec.Auth}},
		client: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 128}} // the emulator's settings
	for _, b := range spec.Bodies {
		s.bodies = append(s.bodies, []byte(b))
	}
	return s, nil
}

// answer appends the answer to one sign-up: the token signed now, the calls' elapsed times.
func (s *standIn) answer(b []byte, elapsed []time.Duration) ([]byte, error) {
	digest := sha256.Sum256(s.tmpl.signed)
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, digest[:])
	if err != nil {
		return b, err
	}
	b = append(b, s.tmpl.parts[0]...)
	b = base64.RawURLEncoding.AppendEncode(b, sig)
	for i, d := range elapsed {
		b = append(b, s.tmpl.parts[i+1]...)
		b = strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', -1, 64)
	}
	return append(b, s.tmpl.parts[len(s.tmpl.parts)-1]...), nil
}

// ServeHTTP is the net/http stand-in: the request read, the calls made through an
// http.Transport, the answer written with its length.
func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		return
	}
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		return
	}
	elapsed := make([]time.Duration, len(s.bodies))
	var buf bytes.Buffer
	for i, body := range s.bodies {
		began := time.Now()
		if err := s.call(r.Context(), body, &buf); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		elapsed[i] = time.Since(began)
	}
	out, err := s.answer(buf.Bytes()[:0], elapsed)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header()["Content-Type"] = []string{"application/json"}
	w.Header()["Content-Length"] = []string{strconv.Itoa(len(out))}
	w.Write(out)
}

// call is one connector call through the transport; it fails on anything but Continue.
func (s *standIn) call(ctx context.Context, body []byte, buf *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.spec.API, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = s.header
	resp, err := s.client.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	return continued(resp.StatusCode, buf.Bytes())
}

// continued checks a connector's answer: 200 and Continue, byte for byte.
func continued(status int, body []byte) error {
	if want := continueAnswer[bytes.Index(continueAnswer, []byte("\r\n\r\n"))+4:]; status != http.StatusOK || !bytes.Equal(body, want) {
		return fmt.Errorf("the connector answered %d %.200s, not Continue", status, body)
	}
	return nil
}

// serveWire is the stand-in over the harness's wire code: each connection read on its own
// goroutine with http.ReadRequest, its calls made on one kept-alive connection of its own.
func (s *standIn) serveWire(ctx context.Context, ln net.Listener) {
	serveEach(ln, func(conn net.Conn) { s.serveWireConn(ctx, conn) })
}

var okHealth = []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

func (s *standIn) serveWireConn(ctx context.Context, conn net.Conn) {
	br := bufio.NewReaderSize(conn, 8<<10)
	api := &wireClient{addr: s.apiAddr, header: "Authorization: " + s.spec.Auth + "\r\n"}
	defer api.close()
	elapsed := make([]time.Duration, len(s.bodies))
	var out, body []byte
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			return
		}
		if req.URL.Path == "/healthz" {
			if _, err := conn.Write(okHealth); err != nil {
				return
			}
			continue
		}
		out, body, err = s.wireSignUp(ctx, api, elapsed, out[:0], body[:0])
		if err != nil {
			return // the harness counts the broken connection as a failure
		}
		if _, err := conn.Write(out); err != nil || req.Close {
			return
		}
	}
}

// wireSignUp makes the calls and appends the whole HTTP answer to out (its body built in body).
func (s *standIn) wireSignUp(ctx context.Context, api *wireClient, elapsed []time.Duration, out, body []byte) ([]byte, []byte, error) {
	for i, req := range s.bodies {
		began := time.Now()
		status, ans, err := api.post(ctx, s.apiPath, req)
		if err != nil {
			return out, body, err
		}
		if err := continued(status, ans); err != nil {
			return out, body, err
		}
		elapsed[i] = time.Since(began)
	}
	body, err := s.answer(body, elapsed)
	if err != nil {
		return out, body, err
	}
	out = append(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(len(body)), 10)
	out = append(out, "\r\n\r\n"...)
	return append(out, body...), body, nil
}

// floor starts the stand-in of a floor mode and returns its operation: the federated mode's
// request, at the stand-in, checked as the emulator's answer is.
func (t *target) floor(ctx context.Context, mode string, workers int) (op, error) {
	if t.self == "" {
		return nil, fmt.Errorf("the %s mode needs the b2cemu executable that runs its stand-in", mode)
	}
	var raw json.RawMessage // one real sign-up: the bodies the emulator sent and its answer
	body := `{"identityProvider":"facebook.com","account":{"issuerAssignedId":"floor-` + randomText(6) + `","email":"floor@fabrikam.com","displayName":"Load User"}}`
	if err := t.run(ctx, "B2C_1_load", body, &raw); err != nil {
		return nil, err
	}
	var r struct {
		Calls []struct{ Request json.RawMessage }
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Calls) != 2 {
		return nil, fmt.Errorf("the emulator's sign-up for the stand-in made %d calls, not 2 (%v)", len(r.Calls), err)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	spec := FloorSpec{Addr: addr, Wire: mode == FloorWire, Key: t.keyFile, API: t.apiURL + apiPath,
		Auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(apiUser+":"+apiPassword)), Answer: string(raw) + "\n"}
	for _, c := range r.Calls {
		spec.Bodies = append(spec.Bodies, string(c.Request))
	}
	p, err := t.startFloor(ctx, mode, spec)
	if err != nil {
		return nil, err
	}
	t.measured[mode] = p.cmd.Process.Pid
	wires := make([]*wireClient, workers)
	for i := range wires {
		wires[i] = &wireClient{addr: addr}
	}
	t.extraWires = append(t.extraWires, wires...)
	prefix := randomText(6)
	return func(ctx context.Context, w, i int) ([]float64, error) {
		return headlessAt(ctx, wires[w], "B2C_1_load", 2, func(b []byte) []byte { return federatedBody(b, prefix, i) })
	}, nil
}

// startFloor writes spec beside the tenant and starts the stand-in process on it.
func (t *target) startFloor(ctx context.Context, mode string, spec FloorSpec) (*process, error) {
	data, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	file := t.dir + string(os.PathSeparator) + mode + ".json"
	if err := os.WriteFile(file, data, 0o600); err != nil {
		return nil, err
	}
	p, err := launch(ctx, t.dir, spec.Addr, t.self, "bench", "--serve-floor", file)
	if err != nil {
		return nil, fmt.Errorf("the %s stand-in: %w", mode, err)
	}
	t.processes = append(t.processes, p)
	return p, nil
}
