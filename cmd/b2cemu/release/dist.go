package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// defaultOut is gitignored (.tools/).
const defaultOut = ".tools/dist"

// defaultTargets are the platforms of a release: Linux, macOS and Windows on amd64 and arm64.
var defaultTargets = []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"}

// sumsFile lists each archive's SHA-256 in sha256sum's format (`sha256sum -c SHA256SUMS`).
const sumsFile = "SHA256SUMS"

// archived is the time of every archive entry, so that the same binaries give the same bytes.
var archived = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

type target struct{ goos, goarch string }

func (t target) String() string { return t.goos + "/" + t.goarch }

// exe is the binary's file name on the target.
func (t target) exe() string {
	if t.goos == "windows" {
		return "b2cemu.exe"
	}
	return "b2cemu"
}

// archiveName is b2cemu_<version>_<os>_<arch>.tar.gz, or .zip for Windows.
func (t target) archiveName(version string) string {
	ext := ".tar.gz"
	if t.goos == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("b2cemu_%s_%s_%s%s", version, t.goos, t.goarch, ext)
}

func parseTargets(list string) ([]target, error) {
	var ts []target
	for _, s := range strings.Split(list, ",") {
		goos, goarch, ok := strings.Cut(strings.TrimSpace(s), "/")
		if !ok || !slices.Contains([]string{"linux", "darwin", "windows"}, goos) || !slices.Contains([]string{"amd64", "arm64"}, goarch) {
			return nil, fmt.Errorf("--targets: %q is not one of %s", s, strings.Join(defaultTargets, ", "))
		}
		ts = append(ts, target{goos, goarch})
	}
	return ts, nil
}

// buildBinary builds cmd/b2cemu for t as make build does: static (CGO_ENABLED=0), -trimpath,
// the version stamped into main.version.
func buildBinary(ctx context.Context, t target, version, path string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w -X main.version="+version, "-o", path, "./cmd/b2cemu")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.goos, "GOARCH="+t.goarch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build for %s: %w\n%s", t, err, out)
	}
	return nil
}

// dist builds every target, archives each binary with the README, and writes SHA256SUMS.
func dist(ctx context.Context, version string, ts []target, out string, stdout io.Writer) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", out, err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		return fmt.Errorf("run from the repository's root: %w", err)
	}
	var names []string
	for _, t := range ts {
		bin := filepath.Join(out, "bin", t.goos+"_"+t.goarch, t.exe())
		if err := buildBinary(ctx, t, version, bin); err != nil {
			return err
		}
		name := t.archiveName(version)
		if err := writeArchive(filepath.Join(out, name), t, bin, readme); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "built", filepath.Join(out, name))
		names = append(names, name)
	}
	return writeSums(out, names)
}

// writeArchive writes the binary (mode 0755) and README.md at the archive's root.
func writeArchive(path string, t target, bin string, readme []byte) error {
	exe, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	files := []archiveFile{{t.exe(), 0o755, exe}, {"README.md", 0o644, readme}}
	var buf bytes.Buffer
	if t.goos == "windows" {
		err = writeZip(&buf, files)
	} else {
		err = writeTarGz(&buf, files)
	}
	if err != nil {
		return fmt.Errorf("archiving %s: %w", path, err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

type archiveFile struct {
	name string
	mode os.FileMode
	data []byte
}

func writeTarGz(w io.Writer, files []archiveFile) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: int64(f.mode), Size: int64(len(f.data)), ModTime: archived, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, files []archiveFile) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		hdr := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: archived}
		hdr.SetMode(f.mode)
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

func writeSums(dir string, names []string) error {
	var b strings.Builder
	for _, name := range names {
		sum, err := fileSHA256(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, name)
	}
	return os.WriteFile(filepath.Join(dir, sumsFile), []byte(b.String()), 0o644)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// verify checks that SHA256SUMS lists at least one archive, that each listed archive has that
// checksum, and that each holds a non-empty executable b2cemu binary at its root.
func verify(dir string, stdout io.Writer) error {
	sums, err := readSums(dir)
	if err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(sums))
	for _, name := range names {
		want := sums[name]
		got, err := fileSHA256(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("%s lists %s: %w", sumsFile, name, err)
		}
		if got != want {
			return fmt.Errorf("%s: SHA-256 %s, but %s says %s; rebuild with make release", name, got, sumsFile, want)
		}
		if _, err := binaryOf(filepath.Join(dir, name)); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "ok", name)
	}
	return nil
}

// readSums reads SHA256SUMS into archive name → checksum.
func readSums(dir string) (map[string]string, error) {
	f, err := os.Open(filepath.Join(dir, sumsFile))
	if err != nil {
		return nil, fmt.Errorf("%w (make release writes it)", err)
	}
	defer f.Close()
	sums := map[string]string{}
	lines := bufio.NewScanner(f)
	for n := 1; lines.Scan(); n++ {
		sum, name, ok := strings.Cut(lines.Text(), "  ")
		if !ok || len(sum) != 64 || name == "" || strings.ContainsAny(name, `/\`) {
			return nil, fmt.Errorf("%s line %d: %q is not \"<sha256>  <archive>\"", sumsFile, n, lines.Text())
		}
		sums[name] = sum
	}
	if len(sums) == 0 {
		return nil, fmt.Errorf("%s lists no archive", sumsFile)
	}
	return sums, lines.Err()
}

// binaryOf returns the b2cemu binary inside a release archive, checking it is executable.
func binaryOf(archive string) ([]byte, error) {
	var (
		data []byte
		mode os.FileMode
		err  error
	)
	if strings.HasSuffix(archive, ".zip") {
		data, mode, err = fromZip(archive, "b2cemu.exe")
	} else {
		data, mode, err = fromTarGz(archive, "b2cemu")
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", archive, err)
	case len(data) == 0:
		return nil, fmt.Errorf("%s: holds no b2cemu binary at its root", archive)
	case mode&0o111 == 0:
		return nil, fmt.Errorf("%s: the binary's mode %v is not executable", archive, mode)
	}
	return data, nil
}

func fromTarGz(path, name string) ([]byte, os.FileMode, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, 0, err
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil, 0, nil
		}
		if err != nil {
			return nil, 0, err
		}
		if hdr.Name == name && hdr.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(tr)
			return data, os.FileMode(hdr.Mode), err
		}
	}
}

func fromZip(path, name string) ([]byte, os.FileMode, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, 0, err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, 0, err
		}
		defer rc.Close()
		data, err := io.ReadAll(rc)
		return data, f.Mode(), err
	}
	return nil, 0, nil
}
