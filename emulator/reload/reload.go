// Package reload applies edits of the configuration file, and of the custom policy files it
// names, to a running emulator without a restart, keeping the running configuration when an
// edit is broken.
package reload

import (
	"context"
	"fmt"
	"log/slog"
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

// Target is what a reload applies a new configuration to: the emulator. Reload refuses a
// configuration it cannot use, with the problems, and keeps the one in force.
type Target interface {
	Reload(cfg *config.Config) error
}

// Watch reloads the configuration file whenever it or one of the custom policy files it names
// changes, until ctx is done. An invalid edit is logged with the same messages as at start-up
// and the running configuration stays in force; so does an empty or unreadable file, which is
// what an editor leaves for a moment while it saves. It watches folders, so editors that
// replace a file are seen too. overrides are what the command line set (--addr); they apply
// to each reload.
func Watch(ctx context.Context, t Target, log *slog.Logger, path string, getenv func(string) string, overrides ...config.Override) error {
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
			log.Warn("watching the configuration: " + err.Error())
		case <-quiet.C:
			reloadFile(t, log, path, getenv, overrides)
			watchPolicies() // the configuration may name new policy folders
		}
	}
}

// reloadFile reads the file and hands a valid configuration to t, logging what happened.
func reloadFile(t Target, log *slog.Logger, path string, getenv func(string) string, overrides []config.Override) {
	data, err := os.ReadFile(path)
	switch {
	case err != nil:
		log.Warn("configuration reload skipped: the file cannot be read; the running configuration stays in force", "config", path, "error", err.Error())
		return
	case config.Empty(data):
		log.Warn("configuration reload skipped: the file is empty (an editor saving it?); the running configuration stays in force", "config", path)
		return
	}
	cfg, err := config.LoadData(path, data, getenv, overrides...)
	if err == nil {
		err = t.Reload(cfg)
	}
	if err != nil {
		log.Error("configuration reload refused; the running configuration stays in force:\n"+err.Error(), "config", path)
		return
	}
	log.Info("configuration reloaded", "config", path)
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
