package connector

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// ClientCert is a decoded PKCS#12 (PFX) client certificate.
type ClientCert struct {
	File string // where it came from, for messages
	TLS  tls.Certificate
	Leaf *x509.Certificate
}

// ValidAt reports whether the certificate is past its start date and unexpired at t.
func (c ClientCert) ValidAt(t time.Time) bool {
	return !t.Before(c.Leaf.NotBefore) && !t.After(c.Leaf.NotAfter)
}

// ErrWrongPassword is returned by LoadPFX for a wrong password.
var ErrWrongPassword = errors.New("wrong password")

// LoadPFX decodes a PFX file with its password (empty for none), keeping its chain.
func LoadPFX(file string, data []byte, password string) (ClientCert, error) {
	key, leaf, chain, err := pkcs12.DecodeChain(data, password)
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return ClientCert{}, ErrWrongPassword
	}
	if err != nil {
		what := fmt.Sprintf("not a PKCS#12 (PFX) file with one key and certificate (%v)", err)
		switch {
		case bytes.Contains(data, []byte("-----BEGIN")):
			what = "holds PEM, not PKCS#12 (PFX)"
		case strings.Contains(err.Error(), "asn1:"):
			what = "not a PKCS#12 (PFX) file" // the decoder's structure dump helps nobody
		}
		return ClientCert{}, fmt.Errorf("%s; export the certificate with its private key as a .pfx, e.g. openssl pkcs12 -export -in cert.pem -inkey key.pem -out client.pfx", what)
	}
	c := ClientCert{File: file, Leaf: leaf, TLS: tls.Certificate{PrivateKey: key, Leaf: leaf, Certificate: [][]byte{leaf.Raw}}}
	for _, ca := range chain {
		c.TLS.Certificate = append(c.TLS.Certificate, ca.Raw)
	}
	return c, nil
}

// Pick returns the certificate B2C would use at t: the most recently added (the last in the
// list) that is unexpired and past its start date.
func Pick(certs []ClientCert, t time.Time) (ClientCert, bool) {
	for i := len(certs) - 1; i >= 0; i-- {
		if certs[i].ValidAt(t) {
			return certs[i], true
		}
	}
	return ClientCert{}, false
}

// NewHTTPClient returns the client for an endpoint: server certificates are checked against
// the system roots plus extraCAs (PEM, may be empty); with certs, the handshake presents the
// certificate Pick chooses at that moment.
func NewHTTPClient(certs []ClientCert, extraCAs []byte, now func() time.Time) (*http.Client, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if len(extraCAs) > 0 && !roots.AppendCertsFromPEM(extraCAs) {
		return nil, errors.New("no PEM certificate found")
	}
	cfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if len(certs) > 0 {
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if c, ok := Pick(certs, now()); ok {
				return &c.TLS, nil
			}
			return &tls.Certificate{}, nil // none valid: the server decides
		}
	}
	tr := newTransport()
	tr.TLSClientConfig = cfg
	// Never follow a redirect: a 3xx is the call's answer. Following one would send the
	// request, and custom headers such as an ApiKeyHeader key, to wherever Location points.
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, nil
}
