package emulator

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/b2cemu/b2cemu/emulator/config"
)

// Watch reloads the configuration file whenever it changes, until ctx is done. An invalid edit
// is logged with the same messages as at start-up and the running configuration stays in
// force. It watches the file's folder, so editors that replace the file are seen too. adjust,
// when not nil, applies to each loaded configuration what the command line overrides.
func (e *Emulator) Watch(ctx context.Context, path string, getenv func(string) string, adjust func(*config.Config)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching the configuration: %w", err)
	}
	defer w.Close()
	abs, _ := filepath.Abs(path)
	if err := w.Add(filepath.Dir(abs)); err != nil {
		return fmt.Errorf("watching the configuration: %w", err)
	}
	var settle <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-w.Events:
			if p, _ := filepath.Abs(ev.Name); p == abs && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename) != 0 {
				settle = time.After(100 * time.Millisecond) // an editor's save is often several events
			}
		case err := <-w.Errors:
			e.log.Warn("watching the configuration: " + err.Error())
		case <-settle:
			settle = nil
			e.reloadFile(path, getenv, adjust)
		}
	}
}

func (e *Emulator) reloadFile(path string, getenv func(string) string, adjust func(*config.Config)) {
	cfg, err := config.Load(path, getenv)
	if err == nil {
		if adjust != nil {
			adjust(cfg)
		}
		err = e.Reload(cfg)
	}
	if err != nil {
		e.log.Error("configuration reload refused; the running configuration stays in force:\n" + err.Error())
		return
	}
	e.log.Info("configuration reloaded", "config", path)
}
