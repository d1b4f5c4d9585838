package devca_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/devca"
	"github.com/b2cemu/b2cemu/emulator/store"
)

// verify checks that cert, issued by the CA in caFile, is valid for host.
func verify(t *testing.T, caFile string, chain [][]byte, host string) {
	t.Helper()
	pemData, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemData) {
		t.Fatalf("%s holds no PEM certificate", caFile)
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: host}); err != nil {
		t.Errorf("%s: %v", host, err)
	}
}

// TestInMemory: without a database the CA lives for the run, its certificate in a temporary
// file, and its server certificates are valid for every host asked for.
func TestInMemory(t *testing.T) {
	ca, created, err := devca.Load(nil, "", time.Now())
	if err != nil || !created {
		t.Fatalf("created %v, %v", created, err)
	}
	t.Cleanup(func() { os.Remove(ca.Path()) })
	cert, err := ca.ServerCert([]string{"localhost", "127.0.0.1", "::1", "b2c.test"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"localhost", "127.0.0.1", "::1", "b2c.test"} {
		verify(t, ca.Path(), cert.Certificate, host)
	}
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	if len(leaf.IPAddresses) != 2 || !leaf.IPAddresses[0].Equal(net.ParseIP("127.0.0.1")) || time.Until(leaf.NotAfter) > 397*24*time.Hour {
		t.Errorf("IPs %v, valid until %s", leaf.IPAddresses, leaf.NotAfter)
	}
}

// TestKeptInDataDir: with a database the CA is made once and reused, and its certificate is
// written to dataDir/tls/ca.pem each time.
func TestKeptInDataDir(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "b2cemu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	first, created, err := devca.Load(db, dir, time.Now())
	if err != nil || !created || first.Path() != filepath.Join(dir, "tls", "ca.pem") {
		t.Fatalf("first load: created %v, path %s, %v", created, first.Path(), err)
	}
	before, _ := os.ReadFile(first.Path())
	os.Remove(first.Path())
	again, created, err := devca.Load(db, dir, time.Now())
	if err != nil || created {
		t.Fatalf("second load: created %v, %v", created, err)
	}
	after, err := os.ReadFile(again.Path())
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the CA changed or was not written again: %v", err)
	}
	if b, _ := pem.Decode(after); b == nil || b.Type != "CERTIFICATE" {
		t.Errorf("ca.pem is not a PEM certificate")
	}
	cert, err := again.ServerCert([]string{"localhost"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	verify(t, again.Path(), cert.Certificate, "localhost")
}
