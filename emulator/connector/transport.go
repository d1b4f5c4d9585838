package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Request is one outbound HTTP request: an API connector's call or a custom policy's RESTful
// call. The caller decides what is sent (method, URL, headers with their credentials, body);
// Send sends it the same way for both: a timeout per attempt, retries after a timeout or a
// failed connection, no redirects followed, at most MaxBody bytes read, one Attempt recorded
// per try with its headers redacted and the secrets scrubbed.
type Request struct {
	Method string // "" = POST
	URL    string
	// Header is sent as given and shared by the attempts; Send never changes it.
	Header  http.Header
	Body    []byte
	Timeout time.Duration // per attempt; 0 = 5 s
	Retries int           // further attempts after a timeout or a failed connection
	HTTP    *http.Client  // nil = a shared client trusting the system's roots
	// Secrets are values that must not appear in what is recorded (a password, a key, a
	// token, a Basic value), besides the URL's own (its secret query parameters, its user
	// information's password). Values shorter than 4 characters are left out.
	Secrets []string
	// Scrub, when set, is Scrubber(URL, Secrets) built once by a caller that sends to the
	// same endpoint again and again (an API connector); nil: Send builds it.
	Scrub func(string) string
}

// Scrubber returns the function that replaces the secrets of a request to rawURL (its
// secret query parameters and password) and the extra values with [redacted].
func Scrubber(rawURL string, extra ...string) func(string) string {
	return scrubber(secretValues(rawURL, extra...))
}

// Answer is what a Request got: a record of every attempt and, when one was answered, its
// response.
type Answer struct {
	Attempts []Attempt
	Status   int // the answered attempt's status; on a failed read, the status it began with
	Header   http.Header
	Body     []byte // at most MaxBody bytes
	TooBig   bool   // the body was longer than MaxBody (a failure, as in B2C)
	// Err is the last attempt's error when no attempt got a whole answer.
	Err error
	// Stopped is the caller's context error when the caller gave up (its request ended),
	// which ends the attempts.
	Stopped error
	// Clean scrubs the request's secrets from text: callers pass the texts they derive from
	// the answer (diagnostics, warnings) through it before recording them.
	Clean   func(string) string
	timeout time.Duration
}

// errBadRequest marks a request that could not even be built (an invalid URL): it is not
// retried.
type errBadRequest struct{ err error }

func (e errBadRequest) Error() string { return ErrorText(e.err) }
func (e errBadRequest) Unwrap() error { return e.err }

// Send makes up to 1+Retries attempts: a timeout or a failed connection is retried; an HTTP
// answer of any kind, a failed TLS handshake, an invalid request and a caller that went away
// are not.
func Send(ctx context.Context, r Request) Answer {
	if r.Timeout <= 0 {
		r.Timeout = 5 * time.Second
	}
	if r.Method == "" {
		r.Method = http.MethodPost
	}
	hc := r.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	clean := r.Scrub
	if clean == nil {
		clean = Scrubber(r.URL, r.Secrets...)
	}
	ans := Answer{Clean: clean, timeout: r.Timeout}
	for attempt := 0; attempt <= r.Retries; attempt++ {
		start := time.Now()
		status, header, body, tooBig, err := try(ctx, hc, r)
		a := Attempt{Status: status, Headers: flatten(header), LatencyMs: float64(time.Since(start).Microseconds()) / 1000}
		if err != nil {
			a.Error = ans.Clean(ErrorText(err))
			ans.Attempts = append(ans.Attempts, ans.clean(a))
			ans.Status, ans.Header, ans.Err = status, header, err
			if ans.Stopped = ctx.Err(); ans.Stopped != nil || !retried(err) {
				break
			}
			continue
		}
		a.Body, a.Truncated = cut(body, DisplayLimit)
		ans.Attempts = append(ans.Attempts, ans.clean(a))
		ans.Status, ans.Header, ans.Body, ans.TooBig, ans.Err = status, header, body, tooBig, nil
		return ans
	}
	return ans
}

// retried reports whether an attempt that failed with err is worth another: not when the
// request is invalid or the TLS handshake failed, which a retry would repeat.
func retried(err error) bool {
	var bad errBadRequest
	return !errors.As(err, &bad) && tlsFailure(err) == ""
}

// clean scrubs the request's secrets from an attempt's record.
func (ans *Answer) clean(a Attempt) Attempt {
	a.Body = ans.Clean(a.Body)
	for k, h := range a.Headers {
		a.Headers[k] = ans.Clean(h)
	}
	return a
}

// try is one attempt within its own timeout.
func try(ctx context.Context, hc *http.Client, r Request) (int, http.Header, []byte, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return 0, nil, nil, false, errBadRequest{err}
	}
	if r.Header != nil {
		req.Header = r.Header // http.Client copies a header before it changes one
	}
	resp, err := roundTrip(hc, req)
	if err != nil {
		return 0, nil, nil, false, err
	}
	defer resp.Body.Close()
	data, err := readAtMost(resp.Body, MaxBody+1)
	if err != nil {
		return resp.StatusCode, resp.Header, nil, false, fmt.Errorf("the connection broke while reading the response: %w", err)
	}
	if len(data) > MaxBody {
		return resp.StatusCode, resp.Header, data[:MaxBody], true, nil
	}
	return resp.StatusCode, resp.Header, data, false, nil
}

// readAtMost reads r to its end or to limit bytes, whichever comes first: io.ReadAll of an
// io.LimitReader, without the LimitReader (one allocation less per call).
func readAtMost(r io.Reader, limit int) ([]byte, error) {
	b := make([]byte, 0, min(512, limit))
	for len(b) < limit {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow as append does
		}
		n, err := r.Read(b[len(b):min(cap(b), limit)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

// roundTrip sends req through hc without following a redirect. A client with neither a
// cookie jar nor a timeout (every client the emulator builds) is just its transport:
// http.Client.Do would copy the request's headers for redirects it never follows. The error
// is Do's, a *url.Error naming the request (without its user information).
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
		return nil, &url.Error{Op: urlErrorOp(req.Method), URL: req.URL.Redacted(), Err: err}
	}
	return resp, nil
}

// urlErrorOp is the Op http.Client.Do puts in its *url.Error: the method, capitalized.
func urlErrorOp(method string) string {
	return method[:1] + strings.ToLower(method[1:])
}

// Explain says in a developer's words why a request got no HTTP answer: a TLS problem, a
// timeout, DNS, a refused or reset connection, a caller that went away, an invalid request.
// API connectors and custom policies' RESTful calls explain their failures with it alike.
func Explain(err error, timeout time.Duration) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	var bad errBadRequest
	switch {
	case errors.As(err, &bad):
		return "the request could not be built: the URL is not one Go can send"
	case tlsFailure(err) != "":
		return tlsFailure(err)
	case errors.Is(err, context.Canceled):
		return "the call was cancelled"
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return fmt.Sprintf("no answer within the %s timeout", timeout)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("the host name %q could not be resolved (DNS)", dnsErr.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the connection was refused (is the API running on that port?)"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "the connection was reset before a complete response arrived"
	}
	return "the connection failed"
}

// NoAnswer explains an answer without a response: the URL (redacted), how many attempts were
// made, what went wrong and, when the attempts ended early, why; otherwise rule, the caller's
// timeout and retry rule as B2C states it.
func (ans Answer) NoAnswer(url, rule string) string {
	n, shown, inner := len(ans.Attempts), Redact(url), ErrorText(ans.Err)
	var text string
	switch {
	case errors.Is(ans.Stopped, context.Canceled):
		text = fmt.Sprintf("Calling %s was cancelled during attempt %d: the request that made the call ended (the browser went away or b2cemu is stopping), so it was not retried (%s).", shown, n, inner)
	case ans.Stopped != nil:
		text = fmt.Sprintf("Calling %s was stopped during attempt %d: the request that made the call ran out of time, so it was not retried (%s).", shown, n, inner)
	case errors.As(ans.Err, new(errBadRequest)), tlsFailure(ans.Err) != "":
		text = fmt.Sprintf("Calling %s failed after %d attempt(s): %s (%s); this is not retried.", shown, n, Explain(ans.Err, ans.timeout), inner)
	default:
		text = fmt.Sprintf("Calling %s failed after %d attempt(s): %s (%s); %s.", shown, n, Explain(ans.Err, ans.timeout), inner, rule)
	}
	return ans.Clean(text)
}
