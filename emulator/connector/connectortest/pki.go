// Package connectortest makes the certificates that TLS and mutual-TLS connector tests need:
// a CA, server certificates and PKCS#12 client certificates with chosen validity windows.
package connectortest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// PKI is a throw-away certificate authority.
type PKI struct {
	CA     *x509.Certificate
	key    *ecdsa.PrivateKey
	serial int64
}

// NewPKI makes a CA valid from an hour ago for a year.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "b2cemu test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	return &PKI{CA: ca, key: key, serial: 1}
}

// CAPEM is the CA certificate in PEM, for a connector's caFile.
func (p *PKI) CAPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.CA.Raw})
}

func (p *PKI) issue(t testing.TB, tmpl *x509.Certificate) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p.serial++
	tmpl.SerialNumber = big.NewInt(p.serial)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.CA, &key.PublicKey, p.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

// ServerCert is a server certificate for hosts (IP addresses or names).
func (p *PKI) ServerCert(t testing.TB, hosts ...string) tls.Certificate {
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: hosts[0]}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	cert, key := p.issue(t, tmpl)
	return tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}
}

// ClientPFX is a client certificate named cn, valid from notBefore to notAfter, as a PFX
// protected by password.
func (p *PKI) ClientPFX(t testing.TB, cn string, notBefore, notAfter time.Time, password string) []byte {
	t.Helper()
	cert, key := p.issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: cn}, NotBefore: notBefore, NotAfter: notAfter,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature})
	pfx, err := pkcs12.Modern.Encode(key, cert, []*x509.Certificate{p.CA}, password)
	if err != nil {
		t.Fatal(err)
	}
	return pfx
}

// Server starts an HTTPS server on 127.0.0.1 with a certificate for 127.0.0.1 signed by the
// CA. With clientCerts it requires a client certificate signed by the CA (mutual TLS).
func (p *PKI) Server(t testing.TB, h http.Handler, clientCerts bool) *httptest.Server {
	return p.ServerFor(t, h, clientCerts, "127.0.0.1")
}

// ServerFor is Server with a certificate for other hosts.
func (p *PKI) ServerFor(t testing.TB, h http.Handler, clientCerts bool, hosts ...string) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // failed handshakes are what these tests provoke
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.ServerCert(t, hosts...)}, MinVersion: tls.VersionTLS12}
	if clientCerts {
		pool := x509.NewCertPool()
		pool.AddCert(p.CA)
		srv.TLS.ClientCAs, srv.TLS.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}
