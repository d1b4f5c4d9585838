package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// containerfile is the image definition; make image builds it with podman or docker in the
// context that imageContext lays out.
const containerfile = "cmd/b2cemu/Containerfile"

// caBundles are where the build machine may keep its CA bundle (Debian and Ubuntu, Fedora
// and RHEL, openSUSE, Alpine, macOS); SSL_CERT_FILE comes first. An image FROM scratch has
// none, and connectors behind public HTTPS need one: the image puts it where Go looks first.
var caBundles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
}

// readCABundle is the first CA bundle found.
func readCABundle(getenv func(string) string) ([]byte, error) {
	paths := caBundles
	if f := getenv("SSL_CERT_FILE"); f != "" {
		paths = append([]string{f}, paths...)
	}
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			return data, nil
		}
	}
	return nil, fmt.Errorf("the image carries the build machine's CA bundle, and there is none at %s: install one (apt-get install ca-certificates) or set SSL_CERT_FILE to it", strings.Join(paths, ", "))
}

// imageContext lays out the build context the Containerfile copies from: the static linux
// binary, the CA bundle, and an empty data folder that becomes the volume.
func imageContext(ctx context.Context, version, arch, out string, stdout io.Writer) error {
	dir := filepath.Join(out, "image")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return err
	}
	ts, err := parseTargets("linux/" + arch)
	if err != nil {
		return fmt.Errorf("--arch: %w", err)
	}
	if err := buildBinary(ctx, ts[0], version, filepath.Join(dir, "b2cemu")); err != nil {
		return err
	}
	ca, err := readCABundle(os.Getenv)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "ca-certificates.crt"), ca, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(stdout, dir)
	return nil
}
