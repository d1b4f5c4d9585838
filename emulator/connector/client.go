package connector

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/b2cemu/b2cemu/flows"
)

// Endpoint is one configured API connector.
type Endpoint struct {
	Name     string
	URL      string // kept byte for byte, ?code= included
	Username string // HTTP Basic; empty with no password = no Authorization header
	Password string
	// Certificates are the client certificates in the order they were added; the call uses
	// the newest valid one (Pick). HTTP must then be a client from NewHTTPClient.
	Certificates []ClientCert
	Timeout      time.Duration // per attempt; 0 = 5 s
	Retries      int           // further attempts after a timeout or connection failure
	// HTTP sends the requests; nil = a plain client (Timeout applies per attempt).
	HTTP *http.Client

	authorization string // the Basic Authorization header, made once per client (shownOf)
}

var jsonContentType = []string{"application/json"}

// DisplayLimit is how much of a response body a call record keeps for display.
const DisplayLimit = 64 << 10

// Attempt is one try of a call.
type Attempt struct {
	Status    int               `json:"status,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      string            `json:"body,omitempty"`
	Truncated bool              `json:"truncated,omitempty"` // Body was cut for display
	Error     string            `json:"error,omitempty"`
	LatencyMs float64           `json:"latencyMs"`
}

// Call is the record of one connector call, for the log and the call inspector. Secrets are
// redacted: the Authorization header and secret-looking query parameters.
type Call struct {
	ID             string            `json:"id"`
	Time           time.Time         `json:"time"`
	RunID          string            `json:"runId"`
	Connector      string            `json:"connector"`
	Step           flows.Step        `json:"step"`
	URL            string            `json:"url"`
	RequestHeaders map[string]string `json:"requestHeaders"`
	Request        string            `json:"request"`
	Attempts       []Attempt         `json:"attempts"`
	Outcome        string            `json:"outcome"` // Continue, ShowBlockPage, ValidationError or failure
	UserMessage    string            `json:"userMessage,omitempty"`
	Claims         flows.Claims      `json:"claims,omitempty"`
	Warnings       []string          `json:"warnings,omitempty"`
	Diagnostic     string            `json:"diagnostic,omitempty"`
	ResentFrom     string            `json:"resentFrom,omitempty"`
	// ElapsedMs is the whole call: serializing, every attempt and interpreting the answer.
	ElapsedMs float64               `json:"elapsedMs"`
	Result    flows.ConnectorResult `json:"-"`

	body []byte // Request's bytes when the caller has them (Call), so Do does not copy them again
}

// Client calls API connectors. It implements flows.Connector.
type Client struct {
	Schema    flows.Schema
	Wire      Wire
	Endpoints map[string]Endpoint
	Log       *slog.Logger
	Observe   func(Call)       // optional: receives every finished call
	Now       func() time.Time // nil = time.Now; chooses client certificates
	seq       atomic.Int64
	shown     sync.Map // connector name → shown: what a call's record shows, made once per connector
}

// shown is what the record of a call to an endpoint shows of it (read-only, shared by calls).
type shown struct {
	url           string
	headers       map[string]string
	authorization string // the header sent: Basic base64(username:password), or none
	scrub         func(string) string
}

var _ flows.Connector = (*Client)(nil)

// defaultHTTP keeps connections to connectors open between calls: with the standard
// transport's two idle connections per host, concurrent sign-ups would dial a new connection
// for most calls.
var defaultHTTP = &http.Client{Transport: newTransport()}

func newTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 256, 128
	return tr
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Call sends req to its connector and interprets the answer.
func (c *Client) Call(ctx context.Context, req flows.ConnectorRequest) flows.ConnectorResult {
	body := c.Wire.Body(c.Schema, req)
	call := c.Do(ctx, Call{Connector: req.Connector, Step: req.Step, RunID: req.RunID, Request: string(body), body: body})
	return call.Result
}

// Resend sends a recorded call's request again, as a new call.
func (c *Client) Resend(ctx context.Context, old Call) Call {
	return c.Do(ctx, Call{Connector: old.Connector, Step: old.Step, RunID: old.RunID, Request: old.Request, ResentFrom: old.ID})
}

// Do sends call.Request to call.Connector as the request of call.Step, records the call and
// returns the record.
func (c *Client) Do(ctx context.Context, call Call) Call {
	began := time.Now()
	call.ID, call.Time = strconv.FormatInt(c.seq.Add(1), 10), c.now()
	connector, step, body := call.Connector, call.Step, call.body
	if body == nil {
		body = []byte(call.Request)
	}
	call.body = nil // the record keeps Request
	ep, ok := c.Endpoints[connector]
	var v Verdict
	if !ok {
		v = Verdict{ConnectorResult: flows.ConnectorResult{Failure: &flows.ConnectorFailure{
			Message:    fmt.Sprintf("The claims exchange '%s' specified in step '1' is not configured.", exchange[step]),
			Diagnostic: fmt.Sprintf("No API connector named %q is configured.", connector),
		}}}
	} else {
		sh := c.shownOf(connector, ep)
		call.URL, call.RequestHeaders, ep.authorization = sh.url, sh.headers, sh.authorization
		v = c.send(ctx, ep, step, body, &call)
		scrub(&call, &v, sh.scrub)
	}
	call.Result, call.Warnings = v.ConnectorResult, v.Warnings
	call.UserMessage, call.Claims = v.UserMessage, v.Claims
	if v.Failure != nil {
		call.Outcome, call.Diagnostic = "failure", v.Failure.Diagnostic
	} else {
		call.Outcome = string(v.Action)
	}
	call.ElapsedMs = float64(time.Since(began).Microseconds()) / 1000
	c.report(call)
	return call
}

// scrub removes the endpoint's secret values from everything the record shows.
func scrub(call *Call, v *Verdict, clean func(string) string) {
	for i := range call.Attempts {
		a := &call.Attempts[i]
		a.Error, a.Body = clean(a.Error), clean(a.Body)
		for k, h := range a.Headers {
			a.Headers[k] = clean(h)
		}
	}
	for i, w := range v.Warnings {
		v.Warnings[i] = clean(w)
	}
	if v.Failure != nil {
		v.Failure.Diagnostic = clean(v.Failure.Diagnostic)
	}
}

// shownOf returns the redacted URL and headers of the connector's endpoint. A client's
// endpoints do not change (a reload builds a new client).
func (c *Client) shownOf(connector string, ep Endpoint) shown {
	if s, ok := c.shown.Load(connector); ok {
		return s.(shown)
	}
	s := shown{url: Redact(ep.URL), headers: requestHeaders(ep), scrub: scrubber(ep)}
	if ep.Username != "" || ep.Password != "" {
		s.authorization = "Basic " + base64.StdEncoding.EncodeToString([]byte(ep.Username+":"+ep.Password)) // as SetBasicAuth writes it
	}
	c.shown.Store(connector, s)
	return s
}

func (c *Client) report(call Call) {
	if c.Log != nil {
		// Typed attributes: the same lines as key-value pairs, without boxing each value.
		attrs := [...]slog.Attr{slog.String("run", call.RunID), slog.String("connector", call.Connector), slog.String("step", string(call.Step)),
			slog.String("outcome", call.Outcome), slog.Int("attempts", len(call.Attempts)), slog.String("call", call.ID)}
		ctx := context.Background()
		if call.Diagnostic != "" {
			c.Log.LogAttrs(ctx, slog.LevelWarn, "api connector call failed: "+call.Diagnostic, attrs[:]...)
		} else {
			c.Log.LogAttrs(ctx, slog.LevelInfo, "api connector called", attrs[:]...)
		}
		for _, w := range call.Warnings {
			c.Log.LogAttrs(ctx, slog.LevelWarn, "api connector response: "+w, attrs[:]...)
		}
	}
	if c.Observe != nil {
		c.Observe(call)
	}
}

func requestHeaders(ep Endpoint) map[string]string {
	h := map[string]string{"Content-Type": "application/json"}
	if ep.Username != "" || ep.Password != "" {
		h["Authorization"] = "Basic [redacted: user " + strconv.Quote(ep.Username) + "]"
	}
	return h
}

// send makes up to 1+Retries attempts: a timeout or a failed connection is retried; an HTTP
// answer of any kind and a failed TLS handshake are not.
func (c *Client) send(ctx context.Context, ep Endpoint, step flows.Step, body []byte, call *Call) Verdict {
	timeout := ep.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	if len(ep.Certificates) > 0 {
		if _, ok := Pick(ep.Certificates, c.now()); !ok {
			return Verdict{ConnectorResult: flows.ConnectorResult{Failure: &flows.ConnectorFailure{
				Message:    connMessage(ep, timeout),
				Diagnostic: fmt.Sprintf("None of the connector's %d client certificates is valid now (%s): each is expired or not yet valid; B2C uses the most recently added certificate that is unexpired and past its start date.", len(ep.Certificates), certList(ep.Certificates)),
			}}}
		}
	}
	hc := ep.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	var lastErr error
	for attempt := 0; attempt <= ep.Retries; attempt++ {
		start := time.Now()
		status, header, respBody, tooBig, err := c.attempt(ctx, hc, ep, timeout, body)
		a := Attempt{Status: status, Headers: flatten(header), LatencyMs: float64(time.Since(start).Microseconds()) / 1000}
		if err != nil {
			a.Error = ErrorText(err)
			call.Attempts = append(call.Attempts, a)
			lastErr = err
			if ctx.Err() != nil || tlsFailure(err) != "" {
				break
			}
			continue
		}
		a.Body, a.Truncated = cut(respBody, DisplayLimit)
		call.Attempts = append(call.Attempts, a)
		switch {
		case tooBig:
			return Verdict{ConnectorResult: flows.ConnectorResult{Failure: httpFailure(step, status,
				fmt.Sprintf("The API's response body is larger than %d bytes; B2C reads at most 1 MiB and treats a larger body as a failure. %s", MaxBody, c.Wire.accepts(step)))}}
		case status >= 300 && status < 400:
			return Verdict{ConnectorResult: flows.ConnectorResult{Failure: c.Wire.redirectFailure(step, status, ep.URL, header.Get("Location"))}}
		}
		return c.Wire.Interpret(c.Schema, step, status, header.Get("Content-Type"), respBody)
	}
	return Verdict{ConnectorResult: flows.ConnectorResult{Failure: connFailure(ep, timeout, len(call.Attempts), lastErr)}}
}

func certList(certs []ClientCert) string {
	var s []string
	for _, c := range certs {
		s = append(s, fmt.Sprintf("%s valid %s to %s", c.File, c.Leaf.NotBefore.UTC().Format(time.DateOnly), c.Leaf.NotAfter.UTC().Format(time.DateOnly)))
	}
	return strings.Join(s, "; ")
}

// cut shortens b to at most n bytes for display, at a character boundary so that a valid
// UTF-8 body stays valid; only the shown part is copied.
func cut(b []byte, n int) (string, bool) {
	if len(b) <= n {
		return string(b), false
	}
	for i := n; i > n-utf8.UTFMax && i > 0; i-- {
		if utf8.RuneStart(b[i]) {
			return string(b[:i]), true
		}
	}
	return string(b[:n]), true
}

// flatten joins each response header's values; URL-valued headers are redacted (a Location
// may carry a key), every other value as free text.
func flatten(h http.Header) map[string]string {
	if h == nil {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		joined := strings.Join(v, ", ")
		switch k {
		case "Location", "Content-Location":
			out[k] = Redact(joined)
		default:
			out[k] = RedactText(joined)
		}
	}
	return out
}

func (c *Client) attempt(ctx context.Context, hc *http.Client, ep Endpoint, timeout time.Duration, body []byte) (int, http.Header, []byte, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, false, err
	}
	req.Header["Content-Type"] = jsonContentType // canonical key; net/http only reads it
	if ep.authorization != "" {
		req.Header.Set("Authorization", ep.authorization)
	} else if ep.Username != "" || ep.Password != "" {
		req.SetBasicAuth(ep.Username, ep.Password)
	}
	resp, err := roundTrip(hc, req)
	if err != nil {
		return 0, nil, nil, false, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return resp.StatusCode, resp.Header, nil, false, fmt.Errorf("the connection broke while reading the response: %w", err)
	}
	if len(data) > MaxBody {
		return resp.StatusCode, resp.Header, data[:MaxBody], true, nil
	}
	return resp.StatusCode, resp.Header, data, false, nil
}

// roundTrip sends req through hc without following a redirect. A client with neither a
// cookie jar nor a timeout (every connector client the emulator builds) is just its
// transport: http.Client.Do would copy the request's headers for redirects it never follows.
// The error is Do's, a *url.Error naming the request.
func roundTrip(hc *http.Client, req *http.Request) (*http.Response, error) {
	if hc.Jar != nil || hc.Timeout != 0 {
		return noRedirects(hc).Do(req)
	}
	tr := hc.Transport
	if tr == nil {
		tr = http.DefaultTransport
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return nil, &url.Error{Op: "Post", URL: req.URL.Redacted(), Err: err}
	}
	return resp, nil
}

// noRedirects is hc answering a redirect with the 3xx itself: a redirect is a failure of the
// call (see redirectFailure), and following one could hand the request and its credentials
// to another host.
func noRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// connMessage is B2C's text for a call that got no HTTP answer. The URL is shown without its
// query, so an API key never reaches the user.
func connMessage(ep Endpoint, timeout time.Duration) string {
	return fmt.Sprintf("Failed to establish connection to restful service end point within timeout limit %g seconds. Restful service URL: %s", timeout.Seconds(), ShownURL(ep.URL))
}

// connFailure explains a call that got no HTTP answer.
func connFailure(ep Endpoint, timeout time.Duration, attempts int, err error) *flows.ConnectorFailure {
	what := "the connection failed"
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case tlsFailure(err) != "":
		what = tlsFailure(err)
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		what = fmt.Sprintf("no answer within the %s timeout", timeout)
	case errors.As(err, &dnsErr):
		what = fmt.Sprintf("the host name %q could not be resolved (DNS)", dnsErr.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		what = "the connection was refused (is the API running on that port?)"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		what = "the connection was reset before a complete response arrived"
	}
	return &flows.ConnectorFailure{
		Message: connMessage(ep, timeout),
		Diagnostic: fmt.Sprintf("Calling %s failed after %d attempt(s): %s (%s); B2C waits %s per attempt and retries once after a timeout or a failed connection.",
			Redact(ep.URL), attempts, what, ErrorText(err), timeout),
	}
}

// tlsFailure explains a failed TLS handshake, or returns "" for other errors.
func tlsFailure(err error) string {
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var alert tls.AlertError
	var record tls.RecordHeaderError
	switch {
	case errors.As(err, &unknown):
		return "the server's TLS certificate is signed by an authority that is not trusted; B2C trusts public CAs only (for a local HTTPS API, set the connector's caFile to its CA certificate)"
	case errors.As(err, &hostErr):
		return fmt.Sprintf("the server's TLS certificate is not valid for the host %q; B2C requires a certificate for the endpoint's host name", hostErr.Host)
	case errors.As(err, &invalid):
		return "the server's TLS certificate is expired, not yet valid or otherwise invalid: " + invalid.Error()
	case errors.As(err, &alert):
		switch alert {
		case 116: // certificate_required
			return "the server requires a client certificate and none was presented; set authentication type certificate with a PFX the API trusts"
		case 42, 43, 44, 45, 46, 48: // bad, unsupported, revoked, expired, unknown certificate, unknown CA
			return "the server rejected the client certificate (TLS alert: " + alert.Error() + "); check that the API trusts the certificate B2C presents"
		}
		return "the TLS handshake failed (TLS alert: " + alert.Error() + ")"
	case errors.As(err, &record) || (err != nil && strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")):
		return "the endpoint does not speak TLS; check the URL's scheme (https:// to a plain HTTP server)"
	case err != nil && strings.Contains(err.Error(), "tls: certificate required"):
		return "the server requires a client certificate and none was presented; set authentication type certificate with a PFX the API trusts"
	case err != nil && (strings.Contains(err.Error(), "tls: bad certificate") || strings.Contains(err.Error(), "tls: unknown certificate")):
		return "the server rejected the client certificate (" + ErrorText(err) + "); check that the API trusts the certificate B2C presents"
	case err != nil && strings.Contains(err.Error(), "tls: "):
		return "the TLS handshake failed"
	}
	return ""
}
