package emulator

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/b2cemu/b2cemu/emulator/config"
)

// settle is how long the watched files must stay quiet before a reload: an editor's save is
// often several events (truncate, write, rename), and the reload should see the last.
const settle = 200 * time.Millisecond

// Watch reloads the configuration file whenever it or one of the custom policy files it names
// changes, until ctx is done. An invalid edit is logged with the same messages as at start-up
// and the running configuration stays in force; so does an empty or unreadable file, which is
// what an editor leaves for a moment while it saves. It watches folders, so editors that
// replace a file are seen too. overrides are what the command line set (--addr); they apply
// to each reload.
func (e *Emulator) Watch(ctx context.Context, path string, getenv func(string) string, overrides ...config.Override) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching the configuration: %w", err)
	}
	defer w.Close()
	abs, _ := filepath.Abs(path)
	if err := w.Add(filepath.Dir(abs)); err != nil {
		return fmt.Errorf("watching the configuration: %w", err)
	}
	policyDirs := map[string]bool{}
	watchPolicies := func() {
		cfg, err := config.Load(path, getenv, overrides...)
		if err != nil {
			return
		}
		for _, dir := range policyFolders(cfg) {
			if !policyDirs[dir] && w.Add(dir) == nil {
				policyDirs[dir] = true
			}
		}
	}
	watchPolicies()
	quiet := time.NewTimer(settle)
	quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-w.Events:
			p, _ := filepath.Abs(ev.Name)
			policy := policyDirs[filepath.Dir(p)] && strings.EqualFold(filepath.Ext(p), ".xml")
			if (p == abs || policy) && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename|fsnotify.Remove) != 0 {
				quiet.Reset(settle) // each event restarts the wait
			}
		case err := <-w.Errors:
			e.log.Warn("watching the configuration: " + err.Error())
		case <-quiet.C:
			e.reloadFile(path, getenv, overrides)
			watchPolicies() // the configuration may name new policy folders
		}
	}
}

func (e *Emulator) reloadFile(path string, getenv func(string) string, overrides []config.Override) {
	data, err := os.ReadFile(path)
	switch {
	case err != nil:
		e.log.Warn("configuration reload skipped: the file cannot be read; the running configuration stays in force", "config", path, "error", err.Error())
		return
	case config.Empty(data):
		e.log.Warn("configuration reload skipped: the file is empty (an editor saving it?); the running configuration stays in force", "config", path)
		return
	}
	cfg, err := config.LoadData(path, data, getenv, overrides...)
	if err == nil {
		err = e.Reload(cfg)
	}
	if err != nil {
		e.log.Error("configuration reload refused; the running configuration stays in force:\n"+err.Error(), "config", path)
		return
	}
	e.log.Info("configuration reloaded", "config", path)
}

// policyFolders are the folders holding the configuration's custom policy files.
func policyFolders(cfg *config.Config) []string {
	var out []string
	for _, p := range cfg.CustomPolicies.Paths {
		abs, err := filepath.Abs(cfg.Resolve(p))
		if err != nil {
			continue
		}
		if info, err := os.Stat(abs); err == nil && !info.IsDir() {
			abs = filepath.Dir(abs)
		}
		out = append(out, abs)
	}
	return out
}
