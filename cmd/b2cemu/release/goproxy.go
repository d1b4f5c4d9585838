package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	modzip "golang.org/x/mod/zip"
)

// modulePath is what `go install github.com/b2cemu/b2cemu/cmd/b2cemu@v1.2.3` fetches.
const modulePath = "github.com/b2cemu/b2cemu"

// goproxy writes a Go module proxy in a folder (GOPROXY=file://…) that serves HEAD's committed
// files as modulePath@version, zipped as the module proxy zips a tag, so that make install-check
// can run go install …@version as a user would, without a tag and without the network.
func goproxy(version, out string, stdout io.Writer) error {
	if !semver.IsValid(version) || semver.Build(version) != "" {
		return fmt.Errorf("--version %q: go install needs a semantic version such as v1.2.3", version)
	}
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		return fmt.Errorf("run from the repository's root: %w", err)
	}
	if err := installable(gomod); err != nil {
		return err
	}
	dir := filepath.Join(out, "goproxy", modulePath, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	zf, err := os.Create(filepath.Join(dir, version+".zip"))
	if err != nil {
		return err
	}
	defer zf.Close()
	if err := modzip.CreateFromVCS(zf, module.Version{Path: modulePath, Version: version}, ".", "HEAD", ""); err != nil {
		return fmt.Errorf("zipping HEAD as %s@%s: %w", modulePath, version, err)
	}
	committed, err := exec.Command("git", "log", "-1", "--format=%cI", "HEAD").Output()
	if err != nil {
		return fmt.Errorf("git log: %w", err)
	}
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": strings.TrimSpace(string(committed))})
	for name, data := range map[string][]byte{version + ".mod": gomod, version + ".info": info, "list": []byte(version + "\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, filepath.Join(out, "goproxy"))
	return nil
}

// installable checks what go install …@version requires of go.mod: this module path, and no
// replace or exclude directive (it refuses a module that has one).
func installable(gomod []byte) error {
	f, err := modfile.ParseLax("go.mod", gomod, nil)
	if err != nil {
		return err
	}
	switch {
	case f.Module == nil || f.Module.Mod.Path != modulePath:
		return fmt.Errorf("go.mod: the module path must be %s for go install %s/cmd/b2cemu@version", modulePath, modulePath)
	case len(f.Replace) > 0 || len(f.Exclude) > 0:
		return fmt.Errorf("go.mod: go install …@version refuses a module with replace or exclude directives; remove them")
	}
	return nil
}
