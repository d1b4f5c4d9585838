package journey

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// restCall runs a RESTful profile with Basic authentication against url and returns its
// error, the call record the inspector gets and the log.
func restCall(t *testing.T, ctx context.Context, url string, timeout time.Duration) (*engine.Failure, connector.Call, string) {
	t.Helper()
	var log bytes.Buffer
	var calls []connector.Call
	e := &Engine{PolicyKeys: map[string]string{"b2c_1a_user": "b2c", "b2c_1a_password": "Pa55-s3cr3t"}, RESTTimeout: timeout,
		Now: time.Now, Log: slog.New(slog.NewTextHandler(&log, nil)), Record: func(c connector.Call) { calls = append(calls, c) }}
	tp := &policy.TechnicalProfile{ID: "REST-Check", Kind: policy.Restful,
		Metadata: map[string]string{"ServiceUrl": url, "AuthenticationType": "Basic", "SendClaimsIn": "Body"},
		Keys:     map[string]string{"BasicAuthenticationUsername": "B2C_1A_User", "BasicAuthenticationPassword": "B2C_1A_Password"}}
	_, rerr := e.restful(ctx, &policy.Policy{}, &engine.Run{ID: "run-1"}, tp, map[string]string{"email": "a@b.c"}, 0)
	if len(calls) != 1 {
		t.Fatalf("%d calls recorded, want 1", len(calls))
	}
	return rerr, calls[0], log.String()
}

// connectorCall calls url as an API connector and returns the call record.
func connectorCall(t *testing.T, url string, timeout time.Duration) connector.Call {
	t.Helper()
	var calls []connector.Call
	c := &connector.Client{Schema: attributes.New(nil), Observe: func(c connector.Call) { calls = append(calls, c) },
		Endpoints: map[string]connector.Endpoint{"api": {Name: "api", URL: url, Username: "b2c", Password: "Pa55-s3cr3t", Timeout: timeout, Retries: 1}}}
	c.Call(context.Background(), apiconnector.Request{Connector: "api", Step: apiconnector.PostAttributeCollection})
	return calls[0]
}

// TestRESTFailuresExplainedAsForConnectors: a RESTful call that gets no answer — an
// untrusted TLS certificate, a refused connection, a timeout — is explained to the developer
// (the log and the inspector's record) as an API connector's call is, and neither shows the
// Basic password.
func TestRESTFailuresExplainedAsForConnectors(t *testing.T) {
	untrusted := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(untrusted.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/api"
	ln.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	t.Cleanup(slow.Close)
	for _, tc := range []struct {
		name, url, explanation string
		timeout                time.Duration
		attempts               int
	}{
		{"TLS", untrusted.URL, "the server's TLS certificate is signed by an authority that is not trusted; B2C trusts public CAs only (for a local HTTPS API, trust its CA certificate: an API connector's caFile, or customPolicies.caFile for custom policies)", 5 * time.Second, 1},
		{"refused", refused, "the connection was refused (is the API running on that port?)", 5 * time.Second, 2},
		{"timeout", slow.URL, "no answer within the 100ms timeout", 100 * time.Millisecond, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rerr, call, log := restCall(t, context.Background(), tc.url, tc.timeout)
			api := connectorCall(t, tc.url, tc.timeout)
			if rerr == nil || !strings.Contains(rerr.Diagnostic, tc.explanation) || !strings.Contains(api.Diagnostic, tc.explanation) {
				t.Fatalf("diagnostics lack %q:\nRESTful:   %+v\nconnector: %s", tc.explanation, rerr, api.Diagnostic)
			}
			if call.Diagnostic != rerr.Diagnostic || !strings.Contains(log, tc.explanation) {
				t.Errorf("the record or the log lacks the explanation:\n%s\n%s", call.Diagnostic, log)
			}
			if len(call.Attempts) != tc.attempts || len(api.Attempts) != tc.attempts {
				t.Errorf("attempts: RESTful %d, connector %d, want %d: %+v %+v", len(call.Attempts), len(api.Attempts), tc.attempts, call.Attempts, api.Attempts)
			}
			if !strings.HasPrefix(rerr.Message, "Failed to ") {
				t.Errorf("the page's text = %q", rerr.Message)
			}
			for _, v := range []string{log, call.Diagnostic, call.RequestHeaders["Authorization"], call.Attempts[0].Error} {
				if strings.Contains(v, "Pa55-s3cr3t") || strings.Contains(v, "YjJjOlBhNTUtczNjcjN0") {
					t.Errorf("the password is shown: %s", v)
				}
			}
		})
	}
}

// TestRESTAnswersAsForConnectors: a RESTful call reads its answer as an API connector's is
// read: a body over 1 MiB is a failure saying so, and every value of a repeated response
// header is kept.
func TestRESTAnswersAsForConnectors(t *testing.T) {
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"promoCode":"`+strings.Repeat("x", connector.MaxBody)+`"}`)
	}))
	t.Cleanup(big.Close)
	rerr, call, _ := restCall(t, context.Background(), big.URL, time.Second)
	if rerr == nil || !strings.Contains(rerr.Diagnostic, "larger than 1048576 bytes") || call.Outcome != "failure" {
		t.Errorf("an oversized answer: %+v, outcome %q", rerr, call.Outcome)
	}
	if !strings.Contains(rerr.Message, "returned HTTP error response") {
		t.Errorf("the page's text = %q", rerr.Message)
	}

	multi := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("X-Trace", "a")
		w.Header().Add("X-Trace", "b")
		io.WriteString(w, `{"promoCode":"P-1"}`)
	}))
	t.Cleanup(multi.Close)
	rerr, call, _ = restCall(t, context.Background(), multi.URL, time.Second)
	api := connectorCall(t, multi.URL, time.Second)
	if rerr != nil || call.Attempts[0].Headers["X-Trace"] != "a, b" || api.Attempts[0].Headers["X-Trace"] != "a, b" {
		t.Errorf("repeated header: RESTful %q (%+v), connector %q", call.Attempts[0].Headers["X-Trace"], rerr, api.Attempts[0].Headers["X-Trace"])
	}
}

// TestRESTCancelledCallSaysSo: a call whose request ended during its first attempt is not
// retried, and its diagnostic says that, not that it failed twice.
func TestRESTCancelledCallSaysSo(t *testing.T) {
	started := make(chan struct{}, 2)
	slow := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		started <- struct{}{}
		<-r.Context().Done()
	}))
	t.Cleanup(slow.Close)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	rerr, call, _ := restCall(t, ctx, slow.URL, 5*time.Second)
	if rerr == nil || len(call.Attempts) != 1 {
		t.Fatalf("error %+v after %d attempts", rerr, len(call.Attempts))
	}
	for _, wrong := range []string{"twice", "retries once", "2 attempt"} {
		if strings.Contains(rerr.Diagnostic, wrong) {
			t.Errorf("the diagnostic says %q: %s", wrong, rerr.Diagnostic)
		}
	}
	if !strings.Contains(rerr.Diagnostic, "was cancelled during attempt 1") || !strings.Contains(rerr.Diagnostic, "not retried") {
		t.Errorf("diagnostic = %s", rerr.Diagnostic)
	}
}

// TestRESTInvalidURLIsAFailure: a URL that cannot be sent (one the loader would refuse, or
// one SendClaimsIn Url made) fails the call with a diagnostic, once; it never panics.
func TestRESTInvalidURLIsAFailure(t *testing.T) {
	rerr, call, _ := restCall(t, context.Background(), "http://127.0.0.1:8080 /api", time.Second)
	if rerr == nil || len(call.Attempts) != 1 || !strings.Contains(rerr.Diagnostic, "the request could not be built") || !strings.Contains(rerr.Diagnostic, "not retried") {
		t.Errorf("error %+v after %d attempts", rerr, len(call.Attempts))
	}
}

// TestRESTEchoedSecretsScrubbed: a service that echoes the request's credentials in its
// answer cannot put them in the call record.
func TestRESTEchoedSecretsScrubbed(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "user "+u+" password "+p+" header "+r.Header.Get("Authorization"))
	}))
	t.Cleanup(echo.Close)
	_, call, log := restCall(t, context.Background(), echo.URL, time.Second)
	a := call.Attempts[0]
	if !strings.Contains(a.Body, "user b2c password [redacted]") {
		t.Errorf("the echo did not arrive or was not scrubbed: %q", a.Body)
	}
	for _, v := range []string{a.Body, a.Headers["X-Echo"], call.Diagnostic, log} {
		if strings.Contains(v, "Pa55-s3cr3t") || strings.Contains(v, "YjJjOlBhNTUtczNjcjN0") {
			t.Errorf("a secret is shown: %s", v)
		}
	}
}
