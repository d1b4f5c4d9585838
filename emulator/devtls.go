package emulator

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
)

// devCA is the development certificate authority that signs b2cemu's HTTPS certificate when
// server.tls is enabled without certificate files.
type devCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	path string // the CA certificate in PEM, for NODE_EXTRA_CA_CERTS and the system store
}

// loadDevCA reads the CA from dataDir/tls, creating it on first use. With no dataDir it is
// made in memory and its certificate written to a temporary file.
func loadDevCA(dataDir string, now time.Time) (*devCA, bool, error) {
	if dataDir != "" {
		dir := filepath.Join(dataDir, "tls")
		certPath, keyPath := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca-key.pem")
		certPEM, err1 := os.ReadFile(certPath)
		keyPEM, err2 := os.ReadFile(keyPath)
		if err1 == nil && err2 == nil {
			ca, err := parseDevCA(certPEM, keyPEM)
			if err != nil {
				return nil, false, fmt.Errorf("dataDir: the development CA in %s: %w (delete the folder to make a new one)", dir, err)
			}
			ca.path = certPath
			return ca, false, nil
		}
		if !errors.Is(err1, os.ErrNotExist) && err1 != nil {
			return nil, false, fmt.Errorf("dataDir: %w", err1)
		}
		ca, err := newDevCA(now)
		if err != nil {
			return nil, false, err
		}
		keyDER, _ := x509.MarshalPKCS8PrivateKey(ca.key)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, false, fmt.Errorf("dataDir: %w", err)
		}
		if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
			return nil, false, fmt.Errorf("dataDir: %w", err)
		}
		if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o644); err != nil {
			return nil, false, fmt.Errorf("dataDir: %w", err)
		}
		ca.path = certPath
		return ca, true, nil
	}
	ca, err := newDevCA(now)
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

func newDevCA(now time.Time) (*devCA, error) {
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
	return &devCA{cert: cert, key: key}, nil
}

func parseDevCA(certPEM, keyPEM []byte) (*devCA, error) {
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
	return &devCA{cert: cert, key: key}, nil
}

// serverCert issues a certificate for hosts, valid for 397 days.
func (ca *devCA) serverCert(hosts []string, now time.Time) (tls.Certificate, error) {
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
