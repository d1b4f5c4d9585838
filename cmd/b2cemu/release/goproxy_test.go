package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

// TestModuleIsInstallable: go.mod is what go install …@version accepts, and the proxy folder
// make install-check installs from holds a module zip the go command accepts, with the
// committed sources and without the work tree's extras. (make install-check runs go install.)
func TestModuleIsInstallable(t *testing.T) {
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if err := installable(gomod); err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"module example.com/other\n":                                         "the module path must be github.com/b2cemu/b2cemu",
		"module github.com/b2cemu/b2cemu\nreplace a.b/c => ../c\n":           "replace or exclude",
		"module github.com/b2cemu/b2cemu\nexclude golang.org/x/mod v0.1.0\n": "replace or exclude",
	} {
		if err := installable([]byte(text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}

	out := t.TempDir()
	if err := goproxy("v1.2.3", out, io.Discard); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, "goproxy", modulePath, "@v")
	for _, f := range []string{"list", "v1.2.3.info", "v1.2.3.mod"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	checked, err := modzip.CheckZip(module.Version{Path: modulePath, Version: "v1.2.3"}, filepath.Join(dir, "v1.2.3.zip"))
	if err != nil {
		t.Fatalf("the module zip: %v (%v)", err, checked.Invalid)
	}
	prefix := modulePath + "@v1.2.3/"
	if !slices.Contains(checked.Valid, prefix+"cmd/b2cemu/main.go") || !slices.Contains(checked.Valid, prefix+"fixtures/demo.yaml") {
		t.Errorf("the zip lacks the sources: %d files", len(checked.Valid))
	}
	if slices.ContainsFunc(checked.Valid, func(f string) bool { return strings.Contains(f, "node_modules/") || strings.HasPrefix(f, ".tools/") }) {
		t.Error("the zip holds work-tree files that are not committed")
	}
	if err := goproxy("1.2.3", out, io.Discard); err == nil || !strings.Contains(err.Error(), "semantic version") {
		t.Errorf("a version without v: %v", err)
	}
}
