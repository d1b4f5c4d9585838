package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// testVersion is stamped into the binaries the tests build.
const testVersion = "v1.2.3-test"

// TestMain runs the tests from the repository's root, where make runs the release program.
func TestMain(m *testing.M) {
	if err := os.Chdir(filepath.Join("..", "..", "..")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if sharedDist != "" {
		os.RemoveAll(sharedDist)
	}
	os.Exit(code)
}

var (
	distOnce   sync.Once
	sharedDist string
	distErr    error
)

// hostDist is make release for this machine's target only, built once for every test: six
// targets would take minutes, and the code that packs them is the same.
func hostDist(t *testing.T) string {
	t.Helper()
	distOnce.Do(func() {
		if sharedDist, distErr = os.MkdirTemp("", "b2cemu-dist-"); distErr != nil {
			return
		}
		distErr = dist(context.Background(), testVersion, []target{hostTarget()}, sharedDist, io.Discard)
	})
	if distErr != nil {
		t.Fatal(distErr)
	}
	return sharedDist
}

func hostTarget() target { return target{runtime.GOOS, runtime.GOARCH} }

// TestDistHostTarget: the archive holds the static binary and the README, the binary tells
// the stamped version, SHA256SUMS is what sha256sum -c reads, and verify accepts it.
func TestDistHostTarget(t *testing.T) {
	dir := hostDist(t)
	name := hostTarget().archiveName(testVersion)
	var out strings.Builder
	if err := verify(dir, &out); err != nil || out.String() != "ok "+name+"\n" {
		t.Fatalf("verify: %v\n%s", err, out.String())
	}
	bin := filepath.Join(t.TempDir(), hostTarget().exe())
	data, err := binaryOf(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(bin, data, 0o755)
	if got, err := exec.Command(bin, "version").Output(); err != nil || string(got) != "b2cemu "+testVersion+"\n" {
		t.Errorf("the archived binary's version: %q, %v", got, err)
	}
	if _, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command("sha256sum", "-c", sumsFile)
		cmd.Dir = dir
		if got, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c: %v\n%s", err, got)
		}
	}
	if runtime.GOOS == "linux" {
		if got, _ := exec.Command("file", bin).Output(); len(got) > 0 && !bytes.Contains(got, []byte("statically linked")) {
			t.Errorf("not a static binary: %s", got)
		}
	}
}

// TestArchivesOfEveryKind packs a stand-in binary as a tar.gz and as a zip (Windows) without
// building, and checks what verify finds wrong: a changed archive, a missing binary, a bad line.
func TestArchivesOfEveryKind(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "stand-in")
	os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755)
	var names []string
	for _, tg := range []target{{"linux", "arm64"}, {"darwin", "amd64"}, {"windows", "arm64"}} {
		name := tg.archiveName("v9")
		if err := writeArchive(filepath.Join(dir, name), tg, bin, []byte("readme")); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if names[2] != "b2cemu_v9_windows_arm64.zip" || names[0] != "b2cemu_v9_linux_arm64.tar.gz" {
		t.Errorf("archive names: %v", names)
	}
	if err := writeSums(dir, names); err != nil {
		t.Fatal(err)
	}
	if err := verify(dir, io.Discard); err != nil {
		t.Fatalf("verify: %v", err)
	}

	os.WriteFile(filepath.Join(dir, names[1]), []byte("changed"), 0o644)
	if err := verify(dir, io.Discard); err == nil || !strings.Contains(err.Error(), names[1]+": SHA-256") {
		t.Errorf("a changed archive: %v", err)
	}
	noBinary := filepath.Join(dir, "b2cemu_v9_linux_amd64.tar.gz")
	var buf bytes.Buffer
	writeTarGz(&buf, []archiveFile{{"README.md", 0o644, []byte("x")}})
	os.WriteFile(noBinary, buf.Bytes(), 0o644)
	if _, err := binaryOf(noBinary); err == nil || !strings.Contains(err.Error(), "holds no b2cemu binary") {
		t.Errorf("an archive without the binary: %v", err)
	}
	os.WriteFile(filepath.Join(dir, sumsFile), []byte("abc  ../b2cemu\n"), 0o644)
	if err := verify(dir, io.Discard); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a bad SHA256SUMS line: %v", err)
	}
}

func TestParseTargets(t *testing.T) {
	ts, err := parseTargets(strings.Join(defaultTargets, ","))
	if err != nil || len(ts) != 6 {
		t.Fatalf("the default targets: %v %v", ts, err)
	}
	for _, bad := range []string{"linux", "plan9/amd64", "linux/386", ""} {
		if _, err := parseTargets(bad); err == nil || !strings.Contains(err.Error(), "--targets") {
			t.Errorf("parseTargets(%q): %v", bad, err)
		}
	}
}

func TestCommandsNeedAVersion(t *testing.T) {
	for _, cmd := range []string{"dist", "npm", "image"} {
		if err := run(context.Background(), []string{cmd}, io.Discard); err == nil || !strings.Contains(err.Error(), "needs --version") {
			t.Errorf("%s without --version: %v", cmd, err)
		}
	}
	if err := run(context.Background(), []string{"frob"}, io.Discard); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("an unknown command: %v", err)
	}
}
