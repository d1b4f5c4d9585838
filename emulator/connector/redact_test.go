package connector_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/connector"
)

func TestSecretParam(t *testing.T) {
	for _, name := range []string{"code", "Code", "key", "apikey", "api-key", "api_key", "apiKey", "subscription-key", "Ocp-Apim-Subscription-Key",
		"x-functions-key", "sig", "sv", "signature", "token", "access_token", "id_token", "secret", "client_secret", "password", "pwd", "pass",
		"auth", "authorization", "credentials", "sas", "jwt", "client_assertion"} {
		if !connector.SecretParam(name) {
			t.Errorf("%q is not treated as a secret", name)
		}
	}
	for _, name := range []string{"x", "page", "api-version", "sp", "tenant", "lang", "step"} {
		if connector.SecretParam(name) {
			t.Errorf("%q is treated as a secret", name)
		}
	}
}

func TestRedactEveryKindOfSecret(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://api.example/validate?code=K3y%2B%3D&x=1", "https://api.example/validate?code=[redacted]&x=1"},
		{"https://u:p4ss@api.example/v", "https://redacted@api.example/v"},
		{"https://api.example/v?subscription-key=abc&api-version=2021&x-functions-key=def", "https://api.example/v?subscription-key=[redacted]&api-version=2021&x-functions-key=[redacted]"},
		{"https://x.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers&sv=1.0&sig=S1gn", "https://x.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers&sv=[redacted]&sig=[redacted]"},
		{"https://app.example/cb#access_token=eyJ&state=1", "https://app.example/cb#access_token=[redacted]&state=1"},
		{"https://api.example/%zz?code=K3y", "https://api.example/%zz?code=[redacted]"}, // not a URL Go parses
		{"/relative?token=t0k3n", "/relative?token=[redacted]"},
	}
	for _, tt := range tests {
		if got := connector.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorTextNeverShowsTheURL(t *testing.T) {
	raw := "https://b2c:pa55w0rd@api.example/v?code=K3y-s3cr3t&client_secret=Cl13nt"
	tests := []error{
		&url.Error{Op: "Post", URL: raw, Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")},
		&url.Error{Op: "Post", URL: raw, Err: &url.Error{Op: "Get", URL: raw, Err: errors.New("stopped after 10 redirects")}},
		errors.New(`Post "` + raw + `": context deadline exceeded`), // a URL in plain text
		&url.Error{Op: "Post", URL: raw, Err: errors.New(`redirect to "` + raw + `" refused`)},
	}
	for _, err := range tests {
		got := connector.ErrorText(err)
		for _, secret := range []string{"K3y-s3cr3t", "Cl13nt", "pa55w0rd"} {
			if strings.Contains(got, secret) {
				t.Errorf("ErrorText(%v) = %q shows %q", err, got, secret)
			}
		}
	}
	if got := connector.ErrorText(tests[0]); got != "dial tcp 127.0.0.1:1: connect: connection refused" {
		t.Errorf("the inner error is %q", got)
	}
}

// noDNS is a client whose resolver fails without sending a query anywhere.
func noDNS() *http.Client {
	resolver := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no DNS server in tests")
	}}
	dialer := &net.Dialer{Resolver: resolver}
	return &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
}

// TestNoAnswerKeepsTheKeySecret fails a call in every way that gets no HTTP answer and
// searches the whole record, the user's text and the diagnostic for the endpoint's secrets.
func TestNoAnswerKeepsTheKeySecret(t *testing.T) {
	const query = "?code=K3y-s3cr3t&x-functions-key=Fn-k3y-s3cr3t&sig=S1g-s3cr3t&sv=2021-06-08"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	slow := newRecorder(t, func(_ int32, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	untrusted := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(untrusted.Close)
	tests := []struct {
		name, url, want string
		http            *http.Client
		timeout         time.Duration // 0 = 5 s
	}{
		{"refused", "http://u:Us3r-s3cr3t@" + closed + "/api" + query, "refused", nil, 0},
		{"timeout", slow.srv.URL + "/api" + query, "no answer within", nil, 200 * time.Millisecond},
		{"DNS", "http://api.example.invalid/api" + query, "could not be resolved", noDNS(), 0},
		{"TLS", untrusted.URL + "/api" + query, "not trusted", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []connector.Call
			ep := connector.Endpoint{Name: "api", URL: tt.url, Username: "b2c", Password: "Pa55-s3cr3t", Timeout: tt.timeout, Retries: 1, HTTP: tt.http}
			res := client(ep, &calls).Call(context.Background(), pacRequest)
			if res.Failure == nil || !strings.Contains(res.Failure.Diagnostic, tt.want) {
				t.Fatalf("failure = %+v", res.Failure)
			}
			record, _ := json.Marshal(calls[0])
			shown := string(record) + res.Failure.Message + res.Failure.Diagnostic
			for _, secret := range []string{"K3y-s3cr3t", "Fn-k3y-s3cr3t", "S1g-s3cr3t", "Us3r-s3cr3t", "Pa55-s3cr3t", "2021-06-08"} {
				if strings.Contains(shown, secret) {
					t.Errorf("the record shows %q:\n%s\n%s", secret, record, res.Failure.Message)
				}
			}
			if calls[0].Attempts[0].Error == "" || strings.Contains(calls[0].Attempts[0].Error, "Post ") {
				t.Errorf("attempt error %q: want the inner error, not *url.Error's text", calls[0].Attempts[0].Error)
			}
		})
	}
}

// TestEchoedSecretsAreScrubbed: an API whose error page quotes the request URL and its
// Authorization header cannot put the key or password into the record.
func TestEchoedSecretsAreScrubbed(t *testing.T) {
	rec := newRecorder(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", r.URL.String())
		w.WriteHeader(500)
		w.Write([]byte("POST " + r.URL.RequestURI() + " with " + r.Header.Get("Authorization")))
	})
	var calls []connector.Call
	ep := connector.Endpoint{Name: "api", URL: rec.srv.URL + "/api?code=K3y%2Bs3cr3t", Username: "b2c", Password: "Pa55-s3cr3t"}
	client(ep, &calls).Call(context.Background(), pacRequest)
	record, _ := json.Marshal(calls[0])
	for _, secret := range []string{"K3y%2Bs3cr3t", "K3y+s3cr3t", "Pa55-s3cr3t", "YjJjOlBhNTUtczNjcjN0"} {
		if strings.Contains(string(record), secret) {
			t.Errorf("the record shows %q:\n%s", secret, record)
		}
	}
	if !strings.Contains(calls[0].Attempts[0].Body, "code=[redacted]") {
		t.Errorf("body %q", calls[0].Attempts[0].Body)
	}
}

// TestRedirectsAreNotFollowed: a redirect to another host is answered as a failure with the
// redacted Location; nothing reaches the other host, and it is not retried.
func TestRedirectsAreNotFollowed(t *testing.T) {
	other := newRecorder(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"version":"1.0.0","action":"Continue"}`))
	})
	elsewhere := strings.Replace(other.srv.URL, "127.0.0.1", "localhost", 1) + "/steal?code=K3y-s3cr3t"
	rec := newRecorder(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere, http.StatusTemporaryRedirect)
	})
	var calls []connector.Call
	ep := connector.Endpoint{Name: "api", URL: rec.srv.URL + "/api?code=K3y-s3cr3t", Username: "b2c", Password: "Pa55-s3cr3t", Retries: 1}
	res := client(ep, &calls).Call(context.Background(), pacRequest)
	if res.Failure == nil || !strings.Contains(res.Failure.Diagnostic, "on another host") || !strings.Contains(res.Failure.Diagnostic, "code=[redacted]") {
		t.Fatalf("failure = %+v", res.Failure)
	}
	if want := "Code 'TemporaryRedirect' and Reason 'Temporary Redirect'"; !strings.Contains(res.Failure.Message, want) {
		t.Errorf("user text %q lacks %q", res.Failure.Message, want)
	}
	if rec.requests.Load() != 1 || other.requests.Load() != 0 {
		t.Errorf("requests: endpoint %d, other host %d; want 1 and 0", rec.requests.Load(), other.requests.Load())
	}
	record, _ := json.Marshal(calls[0])
	if strings.Contains(string(record), "K3y-s3cr3t") || calls[0].Attempts[0].Headers["Location"] == "" {
		t.Errorf("record: %s", record)
	}
}
