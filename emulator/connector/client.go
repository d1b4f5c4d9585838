package connector

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/engine"
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

	header http.Header         // what is sent: Content-Type and Basic Authorization, made once per client (shownOf)
	scrub  func(string) string // its secrets out of the records, made once per client (shownOf)
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
	Step           apiconnector.Step `json:"step"`
	URL            string            `json:"url"`
	RequestHeaders map[string]string `json:"requestHeaders"`
	Request        string            `json:"request"`
	Attempts       []Attempt         `json:"attempts"`
	Outcome        string            `json:"outcome"` // Continue, ShowBlockPage, ValidationError or failure
	UserMessage    string            `json:"userMessage,omitempty"`
	Claims         engine.Claims     `json:"claims,omitempty"`
	Warnings       []string          `json:"warnings,omitempty"`
	Diagnostic     string            `json:"diagnostic,omitempty"`
	ResentFrom     string            `json:"resentFrom,omitempty"`
	// ElapsedMs is the whole call: serializing, every attempt and interpreting the answer.
	ElapsedMs float64             `json:"elapsedMs"`
	Result    apiconnector.Result `json:"-"`

	body []byte // Request's bytes when the caller has them (Call), so Do does not copy them again
}

// Client calls API connectors. It implements apiconnector.Connector.
type Client struct {
	Schema    attributes.Schema
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
	url     string
	headers map[string]string
	header  http.Header         // the headers sent: Content-Type and Basic base64(username:password)
	scrub   func(string) string // the endpoint's secrets out of what its calls record
}

var _ apiconnector.Connector = (*Client)(nil)

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
func (c *Client) Call(ctx context.Context, req apiconnector.Request) apiconnector.Result {
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
		v = Verdict{Result: apiconnector.Result{Failure: &apiconnector.Failure{
			Message:    fmt.Sprintf("The claims exchange '%s' specified in step '1' is not configured.", exchange[step]),
			Diagnostic: fmt.Sprintf("No API connector named %q is configured.", connector),
		}}}
	} else {
		sh := c.shownOf(connector, ep)
		call.URL, call.RequestHeaders, ep.header, ep.scrub = sh.url, sh.headers, sh.header, sh.scrub
		v = c.send(ctx, ep, step, body, &call)
	}
	call.Result, call.Warnings = v.Result, v.Warnings
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

// shownOf returns the redacted URL and headers of the connector's endpoint. A client's
// endpoints do not change (a reload builds a new client).
func (c *Client) shownOf(connector string, ep Endpoint) shown {
	if s, ok := c.shown.Load(connector); ok {
		return s.(shown)
	}
	s := shown{url: Redact(ep.URL), headers: requestHeaders(ep), header: http.Header{"Content-Type": jsonContentType},
		scrub: Scrubber(ep.URL, ep.secrets()...)}
	if ep.Username != "" || ep.Password != "" {
		s.header["Authorization"] = []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(ep.Username+":"+ep.Password))} // as SetBasicAuth writes it
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

// send sends the call's request (Send) and interprets the answer.
func (c *Client) send(ctx context.Context, ep Endpoint, step apiconnector.Step, body []byte, call *Call) Verdict {
	timeout := ep.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	if len(ep.Certificates) > 0 {
		if _, ok := Pick(ep.Certificates, c.now()); !ok {
			return Verdict{Result: apiconnector.Result{Failure: &apiconnector.Failure{
				Message:    connMessage(ep, timeout),
				Diagnostic: fmt.Sprintf("None of the connector's %d client certificates is valid now (%s): each is expired or not yet valid; B2C uses the most recently added certificate that is unexpired and past its start date.", len(ep.Certificates), certList(ep.Certificates)),
			}}}
		}
	}
	r := Request{URL: ep.URL, Header: ep.header, Body: body, Timeout: timeout, Retries: ep.Retries, HTTP: ep.HTTP, Scrub: ep.scrub}
	if r.Scrub == nil {
		r.Secrets = ep.secrets()
	}
	ans := Send(ctx, r)
	call.Attempts = ans.Attempts
	var v Verdict
	switch {
	case ans.Err != nil:
		v.Failure = &apiconnector.Failure{Message: connMessage(ep, timeout),
			Diagnostic: ans.NoAnswer(ep.URL, fmt.Sprintf("B2C waits %s per attempt and retries once after a timeout or a failed connection", timeout))}
	case ans.TooBig:
		v.Failure = httpFailure(step, ans.Status, fmt.Sprintf("The API's response body is larger than %d bytes; B2C reads at most 1 MiB and treats a larger body as a failure. %s", MaxBody, c.Wire.accepts(step)))
	case ans.Status >= 300 && ans.Status < 400:
		v.Failure = c.Wire.redirectFailure(step, ans.Status, ep.URL, ans.Header.Get("Location"))
	default:
		v = c.Wire.Interpret(c.Schema, step, ans.Status, ans.Header.Get("Content-Type"), ans.Body)
	}
	for i, w := range v.Warnings {
		v.Warnings[i] = ans.Clean(w)
	}
	if v.Failure != nil {
		v.Failure.Diagnostic = ans.Clean(v.Failure.Diagnostic)
	}
	return v
}

// secrets are the endpoint's values that must never be recorded: its Basic password and
// Authorization value.
func (ep Endpoint) secrets() []string {
	if ep.Password == "" {
		return nil
	}
	return []string{ep.Password, base64.StdEncoding.EncodeToString([]byte(ep.Username + ":" + ep.Password))}
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

// tlsFailure explains a failed TLS handshake, or returns "" for other errors.
func tlsFailure(err error) string {
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var alert tls.AlertError
	var record tls.RecordHeaderError
	switch {
	case errors.As(err, &unknown):
		return "the server's TLS certificate is signed by an authority that is not trusted; B2C trusts public CAs only (for a local HTTPS API, trust its CA certificate: an API connector's caFile, or customPolicies.caFile for custom policies)"
	case errors.As(err, &hostErr):
		return fmt.Sprintf("the server's TLS certificate is not valid for the host %q; B2C requires a certificate for the endpoint's host name", hostErr.Host)
	case errors.As(err, &invalid):
		return "the server's TLS certificate is expired, not yet valid or otherwise invalid: " + invalid.Error()
	case errors.As(err, &alert):
		switch alert {
		case 116: // certificate_required
			return "the server requires a client certificate and none was presented; give the call one the API trusts (an API connector's authentication type certificate, a RESTful profile's AuthenticationType ClientCertificate)"
		case 42, 43, 44, 45, 46, 48: // bad, unsupported, revoked, expired, unknown certificate, unknown CA
			return "the server rejected the client certificate (TLS alert: " + alert.Error() + "); check that the API trusts the certificate B2C presents"
		}
		return "the TLS handshake failed (TLS alert: " + alert.Error() + ")"
	case errors.As(err, &record) || (err != nil && strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")):
		return "the endpoint does not speak TLS; check the URL's scheme (https:// to a plain HTTP server)"
	case err != nil && strings.Contains(err.Error(), "tls: certificate required"):
		return "the server requires a client certificate and none was presented; give the call one the API trusts (an API connector's authentication type certificate, a RESTful profile's AuthenticationType ClientCertificate)"
	case err != nil && (strings.Contains(err.Error(), "tls: bad certificate") || strings.Contains(err.Error(), "tls: unknown certificate")):
		return "the server rejected the client certificate (" + ErrorText(err) + "); check that the API trusts the certificate B2C presents"
	case err != nil && strings.Contains(err.Error(), "tls: "):
		return "the TLS handshake failed"
	}
	return ""
}
