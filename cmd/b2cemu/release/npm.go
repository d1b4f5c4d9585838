package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// npmTemplate is the main npm package's source: the bin shim, the start helper and the
// Playwright helper. Its package.json gets the version and the optional dependencies.
const npmTemplate = "cmd/b2cemu/npm/b2cemu"

// npmScope holds the per-platform packages, one per release target, as esbuild publishes its
// binaries: @b2cemu/<process.platform>-<process.arch>.
const npmScope = "@b2cemu"

// npmPlatform is the target's name in Node's process.platform and process.arch.
func (t target) npmPlatform() (osName, cpu string) {
	osName, cpu = t.goos, t.goarch
	if osName == "windows" {
		osName = "win32"
	}
	if cpu == "amd64" {
		cpu = "x64"
	}
	return osName, cpu
}

func (t target) npmName() string {
	osName, cpu := t.npmPlatform()
	return npmScope + "/" + osName + "-" + cpu
}

var npmSemver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// npmVersion is the release version as npm accepts it: a tag v1.2.3 is 1.2.3; anything else
// (an untagged commit's a1092a3-dirty) is the prerelease 0.0.0-dev-a1092a3-dirty, which is
// never newer than a real release.
func npmVersion(version string) string {
	if v := strings.TrimPrefix(version, "v"); npmSemver.MatchString(v) {
		return v
	}
	clean := regexp.MustCompile(`[^0-9A-Za-z-]+`).ReplaceAllString(version, "-")
	return "0.0.0-dev-" + strings.Trim(clean, "-")
}

// npm writes, under out/npm, a package per archive listed in SHA256SUMS (its binary taken from
// the archive) and the main package naming them as optional dependencies, then packs each
// into out with npm pack.
func npm(ctx context.Context, version, out string, stdout io.Writer) error {
	sums, err := readSums(out)
	if err != nil {
		return err
	}
	ver := npmVersion(version)
	optional := map[string]string{}
	var dirs []string
	for _, t := range parseArchiveTargets(sums, version) {
		dir, err := platformPackage(t, ver, filepath.Join(out, t.archiveName(version)), filepath.Join(out, "npm"))
		if err != nil {
			return err
		}
		optional[t.npmName()] = ver
		dirs = append(dirs, dir)
	}
	if len(dirs) == 0 {
		return fmt.Errorf("%s lists no archive of version %s; run make release first", filepath.Join(out, sumsFile), version)
	}
	main, err := mainPackage(ver, optional, filepath.Join(out, "npm", "b2cemu"))
	if err != nil {
		return err
	}
	for _, dir := range append(dirs, main) {
		if err := npmPack(ctx, dir, out, stdout); err != nil {
			return err
		}
	}
	return nil
}

// parseArchiveTargets is the targets whose archives of this version SHA256SUMS lists.
func parseArchiveTargets(sums map[string]string, version string) []target {
	var ts []target
	for _, s := range defaultTargets {
		t, _ := parseTargets(s)
		if _, ok := sums[t[0].archiveName(version)]; ok {
			ts = append(ts, t[0])
		}
	}
	return ts
}

// platformPackage writes @b2cemu/<os>-<cpu>: package.json with os and cpu, so that npm
// installs it only there, and bin/b2cemu[.exe] from the release archive.
func platformPackage(t target, ver, archive, root string) (string, error) {
	bin, err := binaryOf(archive)
	if err != nil {
		return "", err
	}
	osName, cpu := t.npmPlatform()
	dir := filepath.Join(root, osName+"-"+cpu)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		return "", err
	}
	manifest := map[string]any{
		"name":            t.npmName(),
		"version":         ver,
		"description":     fmt.Sprintf("The b2cemu binary for %s %s; installed by the b2cemu package.", osName, cpu),
		"repository":      "github:b2cemu/b2cemu",
		"os":              []string{osName},
		"cpu":             []string{cpu},
		"preferUnplugged": true,
		"files":           []string{"bin"},
	}
	if err := writeJSON(filepath.Join(dir, "package.json"), manifest); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "bin", t.exe()), bin, 0o755)
}

// mainPackage copies the template and sets its version and optional dependencies.
func mainPackage(ver string, optional map[string]string, dir string) (string, error) {
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := copyTree(npmTemplate, dir); err != nil {
		return "", fmt.Errorf("copying %s (run from the repository's root): %w", npmTemplate, err)
	}
	path := filepath.Join(dir, "package.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var manifest map[string]any
	if err := json.Unmarshal(data, &manifest); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	manifest["version"] = ver
	manifest["optionalDependencies"] = optional
	return dir, writeJSON(path, manifest)
}

func writeJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
}

// npmPack runs npm pack on dir, leaving the tarball in out; npm names it from the package:
// b2cemu-<version>.tgz, b2cemu-linux-x64-<version>.tgz.
func npmPack(ctx context.Context, dir, out string, stdout io.Writer) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "npm", "pack", "--silent", "--pack-destination", abs)
	cmd.Dir = dir
	packed, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm pack in %s (npm is needed for make npm): %w\n%s", dir, err, packed)
	}
	fmt.Fprintln(stdout, "packed", filepath.Join(out, strings.TrimSpace(string(packed))))
	return nil
}
