package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/b2cemu/b2cemu/flows"
)

// Endpoint is one configured API connector.
type Endpoint struct {
	Name     string
	URL      string // kept byte for byte, ?code= included
	Username string // HTTP Basic; empty with no password = no Authorization header
	Password string
	Timeout  time.Duration // per attempt; 0 = 5 s
	Retries  int           // further attempts after a timeout or connection failure
	// HTTP sends the requests; nil = a client with no overall timeout (Timeout applies per
	// attempt). Certificate authentication and extra CAs live in its transport.
	HTTP *http.Client
}

// Attempt is one try of a call.
type Attempt struct {
	Status    int           `json:"status,omitempty"`
	Header    http.Header   `json:"headers,omitempty"`
	Body      string        `json:"body,omitempty"`
	Error     string        `json:"error,omitempty"`
	Latency   time.Duration `json:"latency"`
	Truncated bool          `json:"truncated,omitempty"`
}

// Call is the record of one connector call, for the log and the call inspector.
type Call struct {
	RunID      string                `json:"runId"`
	Connector  string                `json:"connector"`
	Step       flows.Step            `json:"step"`
	URL        string                `json:"url"`
	Request    string                `json:"request"`
	Attempts   []Attempt             `json:"attempts"`
	Outcome    string                `json:"outcome"` // Continue, ShowBlockPage, ValidationError or failure
	Warnings   []string              `json:"warnings,omitempty"`
	Diagnostic string                `json:"diagnostic,omitempty"`
	Result     flows.ConnectorResult `json:"-"`
}

// Client calls API connectors. It implements flows.Connector.
type Client struct {
	Schema    flows.Schema
	Wire      Wire
	Endpoints map[string]Endpoint
	Log       *slog.Logger
	Observe   func(Call) // optional: receives every finished call
}

var _ flows.Connector = (*Client)(nil)

var defaultHTTP = &http.Client{}

// Call sends req to its connector and interprets the answer.
func (c *Client) Call(ctx context.Context, req flows.ConnectorRequest) flows.ConnectorResult {
	ep, ok := c.Endpoints[req.Connector]
	if !ok {
		res := flows.ConnectorResult{Failure: &flows.ConnectorFailure{
			Message:    fmt.Sprintf("The claims exchange '%s' specified in step '1' is not configured.", exchange[req.Step]),
			Diagnostic: fmt.Sprintf("No API connector named %q is configured.", req.Connector),
		}}
		return res
	}
	body := c.Wire.Body(c.Schema, req)
	call := Call{RunID: req.RunID, Connector: ep.Name, Step: req.Step, URL: ep.URL, Request: string(body)}
	v := c.send(ctx, ep, req.Step, body, &call)
	call.Result = v.ConnectorResult
	call.Warnings = v.Warnings
	if v.Failure != nil {
		call.Outcome, call.Diagnostic = "failure", v.Failure.Diagnostic
	} else {
		call.Outcome = string(v.Action)
	}
	c.report(call)
	return v.ConnectorResult
}

func (c *Client) report(call Call) {
	if c.Log != nil {
		attrs := []any{"run", call.RunID, "connector", call.Connector, "step", call.Step, "outcome", call.Outcome, "attempts", len(call.Attempts)}
		if call.Diagnostic != "" {
			c.Log.Warn("api connector call failed: "+call.Diagnostic, attrs...)
		} else {
			c.Log.Info("api connector called", attrs...)
		}
		for _, w := range call.Warnings {
			c.Log.Warn("api connector response: "+w, attrs...)
		}
	}
	if c.Observe != nil {
		c.Observe(call)
	}
}

// send makes up to 1+Retries attempts: a timeout or a failed connection is retried, an HTTP
// answer of any kind is not.
func (c *Client) send(ctx context.Context, ep Endpoint, step flows.Step, body []byte, call *Call) Verdict {
	timeout := ep.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	hc := ep.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	var lastErr error
	for attempt := 0; attempt <= ep.Retries; attempt++ {
		start := time.Now()
		status, header, respBody, truncated, err := c.attempt(ctx, hc, ep, timeout, body)
		a := Attempt{Status: status, Header: header, Latency: time.Since(start), Truncated: truncated}
		if err != nil {
			a.Error = err.Error()
			call.Attempts = append(call.Attempts, a)
			lastErr = err
			if ctx.Err() != nil {
				break
			}
			continue
		}
		a.Body = string(respBody)
		call.Attempts = append(call.Attempts, a)
		if truncated {
			return Verdict{ConnectorResult: flows.ConnectorResult{Failure: httpFailure(step, status,
				fmt.Sprintf("The API's response body is larger than %d bytes; B2C reads at most 1 MiB and treats a larger body as a failure.", MaxBody))}}
		}
		return c.Wire.Interpret(c.Schema, step, status, header.Get("Content-Type"), respBody)
	}
	return Verdict{ConnectorResult: flows.ConnectorResult{Failure: connFailure(ep, timeout, len(call.Attempts), lastErr)}}
}

func (c *Client) attempt(ctx context.Context, hc *http.Client, ep Endpoint, timeout time.Duration, body []byte) (int, http.Header, []byte, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	if ep.Username != "" || ep.Password != "" {
		req.SetBasicAuth(ep.Username, ep.Password)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, nil, false, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return resp.StatusCode, resp.Header, nil, false, fmt.Errorf("reading the response: %w", err)
	}
	if len(data) > MaxBody {
		return resp.StatusCode, resp.Header, data[:MaxBody], true, nil
	}
	return resp.StatusCode, resp.Header, data, false, nil
}

// connFailure explains a call that got no HTTP answer.
func connFailure(ep Endpoint, timeout time.Duration, attempts int, err error) *flows.ConnectorFailure {
	shown := ep.URL
	if u, perr := url.Parse(ep.URL); perr == nil {
		u.RawQuery, u.User = "", nil // never show an API key or credentials to the user
		shown = u.String()
	}
	what := "the connection failed"
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		what = fmt.Sprintf("no answer within the %s timeout", timeout)
	case errors.As(err, &dnsErr):
		what = fmt.Sprintf("the host %q could not be resolved", dnsErr.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		what = "the connection was refused (is the API running on that port?)"
	case err != nil && strings.Contains(err.Error(), "tls"):
		what = "the TLS handshake failed"
	}
	detail := ""
	if err != nil {
		detail = " (" + err.Error() + ")"
	}
	return &flows.ConnectorFailure{
		Message: fmt.Sprintf("Failed to establish connection to restful service end point within timeout limit %g seconds. Restful service URL: %s",
			timeout.Seconds(), shown),
		Diagnostic: fmt.Sprintf("Calling %s failed after %d attempt(s): %s%s; B2C waits %s per attempt and retries once on a timeout or connection failure.",
			shown, attempts, what, detail, timeout),
	}
}
