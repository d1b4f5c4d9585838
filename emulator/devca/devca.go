// Package devca is the development certificate authority: it signs b2cemu's HTTPS
// certificate when server.tls is on without certificate files, and is kept in dataDir so that
// trusting it once lasts.
package devca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/b2cemu/b2cemu/emulator/store"
)

// CA is the development certificate authority.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	path string
}

// Path is the file holding the CA certificate in PEM, for NODE_EXTRA_CA_CERTS and the system
// store.
func (ca *CA) Path() string { return ca.path }

// Load reads the CA from the database, creating it on first use, and writes its
// certificate to dataDir/tls/ca.pem for people to trust. With no database it is made in
// memory and its certificate written to a temporary file.
// It reports whether the CA was created.
func Load(db *store.DB, dataDir string, now time.Time) (*CA, bool, error) {
	if db == nil {
		ca, err := newCA(now)
		if err != nil {
			return nil, false, err
		}
		f, err := os.CreateTemp("", "b2cemu-dev-ca-*.pem")
		if err != nil {
			return nil, false, err
		}
		defer f.Close()
		if err := pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}); err != nil {
			return nil, false, err
		}
		ca.path = f.Name()
		return ca, true, nil
	}
	certPEM, err1 := db.Key("tls-ca.pem")
	keyPEM, err2 := db.Key("tls-ca-key.pem")
	if err := errors.Join(err1, err2); err != nil {
		return nil, false, fmt.Errorf("dataDir: reading the development CA: %w", err)
	}
	created := certPEM == nil || keyPEM == nil
	var ca *CA
	var err error
	if created {
		if ca, err = newCA(now); err != nil {
			return nil, false, err
		}
		keyDER, _ := x509.MarshalPKCS8PrivateKey(ca.key)
		certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
		if err := errors.Join(db.PutKey("tls-ca.pem", certPEM), db.PutKey("tls-ca-key.pem", keyPEM)); err != nil {
			return nil, false, fmt.Errorf("dataDir: storing the development CA: %w", err)
		}
	} else if ca, err = parseCA(certPEM, keyPEM); err != nil {
		return nil, false, fmt.Errorf("dataDir: the stored development CA: %w", err)
	}
	dir := filepath.Join(dataDir, "tls")
	ca.path = filepath.Join(dir, "ca.pem")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, fmt.Errorf("dataDir: %w", err)
	}
	if err := os.WriteFile(ca.path, certPEM, 0o644); err != nil {
		return nil, false, fmt.Errorf("dataDir: %w", err)
	}
	return ca, created, nil
}

func newCA(now time.Time) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "b2cemu development CA", Organization: []string{"b2cemu"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	return &CA{cert: cert, key: key}, nil
}

func parseCA(certPEM, keyPEM []byte) (*CA, error) {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, errors.New("not PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, err
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errors.New("the key is not ECDSA")
	}
	return &CA{cert: cert, key: key}, nil
}

// ServerCert issues a certificate for hosts (names or IP addresses; the first is its common
// name), valid for 397 days, the longest browsers accept.
func (ca *CA) ServerCert(hosts []string, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: hosts[0], Organization: []string{"b2cemu"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 0, 397), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}, nil
}
