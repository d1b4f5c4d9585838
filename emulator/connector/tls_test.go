package connector_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/emulator/connector/connectortest"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
)

// echoCN answers Continue with the client certificate's common name as jobTitle.
var echoCN = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	cn := ""
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		cn = r.TLS.PeerCertificates[0].Subject.CommonName
	}
	io.WriteString(w, `{"version":"1.0.0","action":"Continue","jobTitle":"`+cn+`"}`)
})

func load(t *testing.T, pki *connectortest.PKI, cn string, from, to time.Time) connector.ClientCert {
	t.Helper()
	c, err := connector.LoadPFX(cn+".pfx", pki.ClientPFX(t, cn, from, to, "pw-"+cn), "pw-"+cn)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMutualTLSPicksTheNewestValidCertificate(t *testing.T) {
	pki := connectortest.NewPKI(t)
	srv := pki.Server(t, echoCN, true)
	now := time.Now()
	day := 24 * time.Hour
	certs := []connector.ClientCert{
		load(t, pki, "old-valid", now.Add(-30*day), now.Add(30*day)),
		load(t, pki, "new-valid", now.Add(-day), now.Add(300*day)),
		load(t, pki, "not-yet-valid", now.Add(day), now.Add(400*day)),
		load(t, pki, "expired", now.Add(-60*day), now.Add(-day)),
	}
	hc, err := connector.NewHTTPClient(certs, pki.CAPEM(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var calls []connector.Call
	res := client(connector.Endpoint{Name: "api", URL: srv.URL, Certificates: certs, HTTP: hc}, &calls).Call(context.Background(), pacRequest)
	if res.Failure != nil {
		t.Fatalf("failure: %s", res.Failure.Diagnostic)
	}
	if res.Claims["jobTitle"] != "new-valid" {
		t.Errorf("the server saw %v, want the newest valid certificate", res.Claims["jobTitle"])
	}
	if got, _ := connector.Pick(certs, now.Add(2*day)); got.Leaf.Subject.CommonName != "not-yet-valid" {
		t.Errorf("two days later Pick = %s", got.Leaf.Subject.CommonName)
	}
}

func TestLoadPFX(t *testing.T) {
	pki := connectortest.NewPKI(t)
	pfx := pki.ClientPFX(t, "c", time.Now(), time.Now().Add(time.Hour), "right")
	if _, err := connector.LoadPFX("c.pfx", pfx, "wrong"); !errors.Is(err, connector.ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := connector.LoadPFX("c.pfx", []byte("not a pfx"), ""); err == nil || errors.Is(err, connector.ErrWrongPassword) {
		t.Errorf("garbage: %v", err)
	}
	if c, err := connector.LoadPFX("c.pfx", pfx, "right"); err != nil || len(c.TLS.Certificate) != 2 {
		t.Errorf("right password: %v (chain %d)", err, len(c.TLS.Certificate))
	}
}

// TestTLSFailures: each TLS fault gets its own diagnostic, B2C's connection text for the user,
// and no retry (a handshake that failed fails again).
func TestTLSFailures(t *testing.T) {
	pki := connectortest.NewPKI(t)
	other := connectortest.NewPKI(t)
	now := time.Now()
	valid := load(t, pki, "valid", now.Add(-time.Hour), now.Add(time.Hour))
	foreign := load(t, other, "foreign", now.Add(-time.Hour), now.Add(time.Hour))
	expired := load(t, pki, "expired", now.Add(-2*time.Hour), now.Add(-time.Hour))
	plain := httptest.NewServer(echoCN)
	t.Cleanup(plain.Close)
	mk := func(certs []connector.ClientCert, ca []byte) *http.Client {
		hc, err := connector.NewHTTPClient(certs, ca, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		return hc
	}
	tests := []struct {
		name  string
		url   string
		certs []connector.ClientCert
		hc    *http.Client
		want  string
	}{
		{"untrusted server certificate", pki.Server(t, echoCN, false).URL, nil, mk(nil, nil), "not trusted"},
		{"server certificate for another host", pki.ServerFor(t, echoCN, false, "api.contoso.example").URL, nil, mk(nil, pki.CAPEM()), `not valid for the host "127.0.0.1"`},
		{"client certificate required, none configured", pki.Server(t, echoCN, true).URL, nil, mk(nil, pki.CAPEM()), "requires a client certificate"},
		{"client certificate from an untrusted CA", pki.Server(t, echoCN, true).URL, []connector.ClientCert{foreign}, mk([]connector.ClientCert{foreign}, pki.CAPEM()), "rejected the client certificate"},
		{"https to a plain HTTP server", strings.Replace(plain.URL, "http:", "https:", 1), nil, mk(nil, nil), "does not speak TLS"},
		{"no client certificate valid now", pki.Server(t, echoCN, true).URL, []connector.ClientCert{expired}, mk([]connector.ClientCert{expired}, pki.CAPEM()), "None of the connector's 1 client certificates is valid now"},
	}
	_ = valid
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []connector.Call
			ep := connector.Endpoint{Name: "api", URL: tt.url, Certificates: tt.certs, HTTP: tt.hc, Retries: 1, Timeout: 3 * time.Second}
			res := client(ep, &calls).Call(context.Background(), pacRequest)
			if res.Failure == nil {
				t.Fatalf("accepted: %+v", res)
			}
			if !strings.Contains(res.Failure.Diagnostic, tt.want) {
				t.Errorf("diagnostic %q lacks %q", res.Failure.Diagnostic, tt.want)
			}
			if !strings.HasPrefix(res.Failure.Message, "Failed to establish connection to restful service end point") {
				t.Errorf("user message %q", res.Failure.Message)
			}
			if n := len(calls[0].Attempts); n > 1 {
				t.Errorf("%d attempts: a TLS failure is not retried", n)
			}
		})
	}
}

func TestDNSFailure(t *testing.T) {
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "api.contoso.invalid", IsNotFound: true}}
	}}
	var calls []connector.Call
	res := client(connector.Endpoint{Name: "api", URL: "https://api.contoso.invalid/x", HTTP: &http.Client{Transport: tr}, Retries: 1}, &calls).Call(context.Background(), pacRequest)
	if res.Failure == nil || !strings.Contains(res.Failure.Diagnostic, `the host name "api.contoso.invalid" could not be resolved`) || len(calls[0].Attempts) != 2 {
		t.Errorf("failure %+v, attempts %d", res.Failure, len(calls[0].Attempts))
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://x.example/api?code=s3cr3t&v=1":        "https://x.example/api?code=[redacted]&v=1",
		"https://x.example/api?sig=a&api-key=b&name=c": "https://x.example/api?sig=[redacted]&api-key=[redacted]&name=c",
		"https://user:pw@x.example/api":                "https://redacted@x.example/api",
		"http://127.0.0.1:7071/api/validate":           "http://127.0.0.1:7071/api/validate",
	} {
		if got := connector.Redact(in); got != want {
			t.Errorf("Redact(%s) = %s, want %s", in, got, want)
		}
	}
}

var _ = apiconnector.Continue
