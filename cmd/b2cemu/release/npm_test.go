package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNPMVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.3":          "1.2.3",
		"v1.2.3-rc.1":     "1.2.3-rc.1",
		"a1092a3":         "0.0.0-dev-a1092a3",
		"a1092a3-dirty":   "0.0.0-dev-a1092a3-dirty",
		"0123456":         "0.0.0-dev-0123456", // all digits: one identifier with a hyphen is not numeric
		"v1.2.3-4-gabcde": "1.2.3-4-gabcde",
		"dev":             "0.0.0-dev-dev",
		"v01.2.3":         "0.0.0-dev-v01-2-3",
	} {
		if got := npmVersion(in); got != want {
			t.Errorf("npmVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNPMPackages packs the npm packages from this machine's release archive, installs the
// tarballs offline into an empty project as a user's npm i -D would, runs npx b2cemu version,
// shows the message when the platform package is left out, and runs the example Playwright
// suite (docs/examples/playwright) through the package's global setup together with a spec
// of its fixture (cmd/b2cemu/npm/test).
func TestNPMPackages(t *testing.T) {
	npmPath, err := exec.LookPath("npm")
	if err != nil {
		if os.Getenv("B2CEMU_REQUIRE_CLIENTS") != "" {
			t.Fatal("the npm packages need node and npm (apt-get install nodejs npm)")
		}
		t.Skip("the npm packages need node and npm (apt-get install nodejs npm)")
	}
	dir := hostDist(t)
	if err := npm(context.Background(), testVersion, dir, io.Discard); err != nil {
		t.Fatal(err)
	}
	platform := hostTarget().npmName()
	checkManifests(t, dir, platform)

	main := filepath.Join(dir, "b2cemu-1.2.3-test.tgz")
	binary := filepath.Join(dir, strings.ReplaceAll(strings.TrimPrefix(platform, "@"), "/", "-")+"-1.2.3-test.tgz")
	project := npmInstall(t, npmPath, main, binary)
	if got := npx(t, project, "version"); got != "b2cemu "+testVersion+"\n" {
		t.Errorf("npx b2cemu version: %q", got)
	}

	bare := npmInstall(t, npmPath, main) // the optional package skipped, as --omit=optional does
	cmd := exec.Command("node", filepath.Join(bare, "node_modules", "b2cemu", "bin", "b2cemu.js"), "version")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), platform+", which holds the binary, is not installed") {
		t.Errorf("without %s: %v\n%s", platform, err, out)
	}

	// startB2cemu with a configuration that does not load rejects with b2cemu's message.
	script := `require("b2cemu").startB2cemu({ config: "missing.yaml" }).then(() => process.exit(3), (e) => console.log(e.message))`
	cmd = exec.Command("node", "-e", script)
	cmd.Dir = project
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "exited (status 1) before serving") || !strings.Contains(string(out), "missing.yaml") {
		t.Errorf("startB2cemu with a missing configuration: %v\n%s", err, out)
	}

	t.Run("Playwright", func(t *testing.T) { runPlaywright(t, project) })
}

// checkManifests: the platform package is limited to its os and cpu; the main package names
// it, at the same version, as an optional dependency, and ships the shim as its bin.
func checkManifests(t *testing.T, dir, platform string) {
	t.Helper()
	var plat, main struct {
		Name, Version        string
		OS, CPU              []string
		Bin                  map[string]string
		OptionalDependencies map[string]string
	}
	readJSON(t, filepath.Join(dir, "npm", strings.TrimPrefix(platform, "@b2cemu/"), "package.json"), &plat)
	readJSON(t, filepath.Join(dir, "npm", "b2cemu", "package.json"), &main)
	osName, cpu := hostTarget().npmPlatform()
	if plat.Name != platform || plat.Version != "1.2.3-test" || len(plat.OS) != 1 || plat.OS[0] != osName || len(plat.CPU) != 1 || plat.CPU[0] != cpu {
		t.Errorf("the platform package: %+v", plat)
	}
	if main.Version != "1.2.3-test" || main.OptionalDependencies[platform] != "1.2.3-test" || main.Bin["b2cemu"] != "bin/b2cemu.js" {
		t.Errorf("the main package: %+v", main)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, v)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// npmInstall is npm i -D of the tarballs into a new project, offline and with a cache of its
// own: nothing comes from a registry.
func npmInstall(t *testing.T, npmPath string, tarballs ...string) string {
	t.Helper()
	project := t.TempDir()
	os.WriteFile(filepath.Join(project, "package.json"), []byte(`{"name": "uses-b2cemu", "private": true}`), 0o644)
	args := append([]string{"install", "--offline", "--no-audit", "--no-fund", "--cache", t.TempDir(), "-D"}, tarballs...)
	cmd := exec.Command(npmPath, args...)
	cmd.Dir = project
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install %v: %v\n%s", tarballs, err, out)
	}
	return project
}

func npx(t *testing.T, project string, args ...string) string {
	t.Helper()
	cmd := exec.Command("npx", append([]string{"--no-install", "b2cemu"}, args...)...)
	cmd.Dir = project
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("npx b2cemu %v: %v\n%s%s", args, err, out, stderr.String())
	}
	return string(out)
}

// runPlaywright copies the example suite and the fixture spec into the project, links the
// example's Playwright packages (make deps installs them; nothing is downloaded) and runs the
// suite with globalSetup "b2cemu/global-setup": the example's config reads B2CEMU_URL, which
// the setup sets to the emulator it started. Nothing else must be serving at that URL.
func runPlaywright(t *testing.T, project string) {
	example, _ := filepath.Abs(filepath.Join("docs", "examples", "playwright"))
	_, chromiumErr := exec.LookPath("chromium")
	if _, err := os.Stat(filepath.Join(example, "node_modules", "@playwright", "test")); err != nil || chromiumErr != nil {
		if os.Getenv("B2CEMU_REQUIRE_BROWSER") != "" {
			t.Fatalf("the Playwright run needs chromium and make deps (npm ci in %s)", example)
		}
		t.Skip("the Playwright run needs chromium and make deps")
	}
	if err := copyTree(filepath.Join(example, "tests"), filepath.Join(project, "tests")); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"playwright.config.ts", "tsconfig.json"} {
		data, _ := os.ReadFile(filepath.Join(example, f))
		os.WriteFile(filepath.Join(project, f), data, 0o644)
	}
	fixture, _ := os.ReadFile(filepath.Join("cmd", "b2cemu", "npm", "test", "fixture.spec.ts"))
	os.WriteFile(filepath.Join(project, "tests", "fixture.spec.ts"), fixture, 0o644)
	os.WriteFile(filepath.Join(project, "b2cemu.config.ts"), []byte(`import { defineConfig } from "@playwright/test";
import suite from "./playwright.config";
export default defineConfig(suite, { globalSetup: "b2cemu/global-setup" });
`), 0o644)
	for _, m := range []string{"@playwright", "playwright", "playwright-core"} {
		if err := os.Symlink(filepath.Join(example, "node_modules", m), filepath.Join(project, "node_modules", m)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join("node_modules", "@playwright", "test", "cli.js"), "test", "-c", "b2cemu.config.ts", "--workers=2", "--timeout=90000", "--output="+t.TempDir())
	cmd.Dir = project
	cmd.Env = withoutEnv(os.Environ(), "B2CEMU_URL", "B2CEMU_CUSTOM_URL", "B2CEMU_CONFIG")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("playwright: %v\n%s", err, out)
	}
	// The example's eight demo-tenant specs and the fixture's; its custom policy spec skips without B2CEMU_CUSTOM_URL.
	if !strings.Contains(string(out), "9 passed") || !strings.Contains(string(out), "1 skipped") {
		t.Errorf("unexpected result:\n%s", out)
	}
}

func withoutEnv(env []string, names ...string) []string {
	var kept []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			kept = append(kept, kv)
		}
	}
	return kept
}
