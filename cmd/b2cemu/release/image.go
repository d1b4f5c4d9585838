package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// containerfile is the image definition; make image builds it with podman or docker in the
// context that imageContext lays out.
const containerfile = "cmd/b2cemu/Containerfile"

// caBundle is Debian's (and most distributions') CA bundle, the first file Go reads on Linux:
// an image FROM scratch has none, and connectors behind public HTTPS need it.
const caBundle = "/etc/ssl/certs/ca-certificates.crt"

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
	ca, err := os.ReadFile(caBundle)
	if err != nil {
		return fmt.Errorf("the image carries the build machine's CA bundle: %w (apt-get install ca-certificates)", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca-certificates.crt"), ca, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(stdout, dir)
	return nil
}
