package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/emulator/token"
)

// maxNamedFile bounds the key and certificate files read while validating: the largest, a
// CA bundle, is a few hundred KiB; anything larger is the wrong file.
const maxNamedFile = 4 << 20

// readFile reads a file the configuration names under key, adding a problem (ending in fix)
// when it is missing, a folder, a device, or too large to be a key or certificate.
func (c *Config) readFile(v *validator, key, file, fix string) ([]byte, bool) {
	path := c.Resolve(file)
	info, err := os.Stat(path)
	switch {
	case err != nil:
		v.add(key, fmt.Sprintf("%q cannot be read (%v); %s", file, err, fix))
	case info.IsDir():
		v.add(key, fmt.Sprintf("%q is a folder; %s", file, fix))
	case !info.Mode().IsRegular():
		v.add(key, fmt.Sprintf("%q is not a regular file; %s", file, fix))
	case info.Size() > maxNamedFile:
		v.add(key, fmt.Sprintf("%q is %d bytes, too large for a key or certificate file; %s", file, info.Size(), fix))
	default:
		data, err := os.ReadFile(path)
		if err != nil {
			v.add(key, fmt.Sprintf("%q cannot be read (%v); %s", file, err, fix))
			return nil, false
		}
		return data, true
	}
	return nil, false
}

// checkSigningKey: the file holds an RSA private key, as RS256 tokens need.
func (c *Config) checkSigningKey(v *validator, key, file string) {
	if file == "" {
		v.add(key, "is empty; give the path of a PEM RSA private key (PKCS#1 or PKCS#8)")
		return
	}
	data, ok := c.readFile(v, key, file, "give the path of a PEM RSA private key, relative to the configuration file")
	if !ok {
		return
	}
	if _, err := token.ParseKey(data, time.Time{}); err != nil {
		v.add(key, fmt.Sprintf("%q: %v", file, err))
	}
}

// checkCertificate: a PKCS#12 file that opens with its password. The password never appears
// in a message.
func (c *Config) checkCertificate(v *validator, key string, cert Certificate) {
	const fix = "give the path of a PKCS#12 (.pfx) file, relative to the configuration file"
	if cert.File == "" {
		v.add(key+".file", "is empty; "+fix)
		return
	}
	data, ok := c.readFile(v, key+".file", cert.File, fix)
	if !ok {
		return
	}
	_, err := connector.LoadPFX(cert.File, data, cert.Password)
	switch {
	case errors.Is(err, connector.ErrWrongPassword):
		v.add(key+".password", fmt.Sprintf("is not the password of %q; set the password the PFX was exported with", cert.File))
	case err != nil:
		v.add(key+".file", fmt.Sprintf("%q: %v", cert.File, err))
	}
}

// checkCAFile: a PEM file with at least one certificate, trusted for what.
func (c *Config) checkCAFile(v *validator, key, file, what string) {
	if file == "" {
		return
	}
	data, ok := c.readFile(v, key, file, "give a PEM file of CA certificates to trust for "+what)
	if ok && !x509.NewCertPool().AppendCertsFromPEM(data) {
		v.add(key, fmt.Sprintf("%q holds no PEM certificate; give the CA certificates in PEM (-----BEGIN CERTIFICATE-----), "+
			"converting a DER file with openssl x509 -inform der -in ca.cer -out ca.pem", file))
	}
}

// checkServerCertificate: certFile and keyFile make a certificate and its key.
func (c *Config) checkServerCertificate(v *validator) {
	t := c.Server.TLS
	cert, ok1 := c.readFile(v, "server.tls.certFile", t.CertFile, "give a PEM certificate chain")
	key, ok2 := c.readFile(v, "server.tls.keyFile", t.KeyFile, "give the certificate's PEM private key")
	if ok1 && ok2 {
		if _, err := tls.X509KeyPair(cert, key); err != nil {
			v.add("server.tls", fmt.Sprintf("certFile %q and keyFile %q do not make a certificate (%v); give a PEM certificate chain and its private key", t.CertFile, t.KeyFile, err))
		}
	}
}

// checkDataDir: dataDir is a folder, or can become one (its nearest existing ancestor is a
// folder).
func (c *Config) checkDataDir(v *validator) {
	if c.DataDir == "" {
		return
	}
	dir := filepath.Clean(c.Resolve(c.DataDir))
	for p := dir; ; p = filepath.Dir(p) {
		info, err := os.Stat(p)
		switch {
		case err != nil && filepath.Dir(p) != p:
			continue // missing (or under a file): look further up
		case err != nil || info.IsDir():
			return
		case p == dir:
			v.add("dataDir", fmt.Sprintf("%q is a file; give a folder for b2cemu.db (it is created when missing), or leave dataDir empty to keep everything in memory", c.DataDir))
		default:
			v.add("dataDir", fmt.Sprintf("%q cannot be created: %q is a file; give a folder path, or leave dataDir empty to keep everything in memory", c.DataDir, p))
		}
		return
	}
}
