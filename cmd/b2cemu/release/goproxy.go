package main

import (
	"archive/tar"
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
	tree, err := os.MkdirTemp("", "b2cemu-head-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tree)
	if err := extractHEAD(tree); err != nil {
		return err
	}
	if err := modzip.CreateFromDir(zf, module.Version{Path: modulePath, Version: version}, tree); err != nil {
		return fmt.Errorf("zipping HEAD as %s@%s: %w", modulePath, version, err)
	}
	committed, err := exec.Command("git", "log", "-1", "--format=%cI", "HEAD").Output()
	if err != nil {
		return fmt.Errorf("git log: %w", err)
	}
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": strings.TrimSpace(string(committed))})
	headMod, err := os.ReadFile(filepath.Join(tree, "go.mod"))
	if err != nil {
		return fmt.Errorf("HEAD has no go.mod: %w", err)
	}
	for name, data := range map[string][]byte{version + ".mod": headMod, version + ".info": info, "list": []byte(version + "\n")} {
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
	f, err := modfile.Parse("go.mod", gomod, nil)
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

// extractHEAD writes HEAD's committed files into dir (git archive): what a tag would hold,
// without the work tree's node_modules, build outputs and uncommitted changes.
func extractHEAD(dir string) error {
	cmd := exec.Command("git", "archive", "--format=tar", "HEAD")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git archive: %w", err)
	}
	tr := tar.NewReader(out)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading git archive: %w", err)
		}
		path := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(path, 0o755)
		case tar.TypeReg:
			err = writeFrom(path, tr, os.FileMode(hdr.Mode).Perm())
		}
		if err != nil {
			return err
		}
	}
	return cmd.Wait()
}

func writeFrom(path string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
