package reload_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/reload"
)

// target records the configurations handed to it; refuse makes it refuse them.
type target struct {
	mu     sync.Mutex
	got    []string // tenant names
	refuse error
}

var _ reload.Target = (*target)(nil)

func (t *target) Reload(cfg *config.Config) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.refuse != nil {
		return t.refuse
	}
	t.got = append(t.got, cfg.Tenant.Name)
	return nil
}

func (t *target) tenants() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.got...)
}

// syncBuffer is a log sink safe for the watcher's goroutine and the test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// watch starts watching a configuration file with the content given and returns its path.
func watch(t *testing.T, tg *target, log *syncBuffer, content string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "b2cemu.yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- reload.Watch(ctx, tg, slog.New(slog.NewTextHandler(log, nil)), path, func(string) string { return "" })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	time.Sleep(50 * time.Millisecond) // let the watcher start
	return path
}

// eventually polls ok for up to 5 s.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReloadsAnEdit: a saved edit reaches the target once the file is quiet; an empty file
// and an invalid one are skipped and logged, and the next good save reloads.
func TestReloadsAnEdit(t *testing.T) {
	tg, log := &target{}, &syncBuffer{}
	path := watch(t, tg, log, "tenant:\n  name: contoso\n")
	write(t, path, "tenant:\n  name: fabrikam\n")
	eventually(t, "the edit", func() bool { got := tg.tenants(); return len(got) == 1 && got[0] == "fabrikam" })

	write(t, path, "")
	eventually(t, "the empty file's warning", func() bool { return strings.Contains(log.String(), "the file is empty") })
	write(t, path, "tenant: [\n")
	eventually(t, "the refusal", func() bool { return strings.Contains(log.String(), "configuration reload refused") })
	if got := tg.tenants(); len(got) != 1 {
		t.Errorf("a broken file reached the target: %v", got)
	}
	write(t, path, "tenant:\n  name: woodgrove\n")
	eventually(t, "the good save", func() bool { got := tg.tenants(); return len(got) == 2 && got[1] == "woodgrove" })
}

// TestTargetRefuses: a configuration the target refuses is logged with its reason.
func TestTargetRefuses(t *testing.T) {
	tg, log := &target{refuse: errors.New("the signing key cannot be read")}, &syncBuffer{}
	path := watch(t, tg, log, "tenant:\n  name: contoso\n")
	write(t, path, "tenant:\n  name: fabrikam\n")
	eventually(t, "the refusal", func() bool {
		return strings.Contains(log.String(), "configuration reload refused") && strings.Contains(log.String(), "the signing key cannot be read")
	})
}

// TestWatchesPolicyFolders: saving a custom policy file in a folder the configuration names
// reloads; other files there do not.
func TestWatchesPolicyFolders(t *testing.T) {
	policies := t.TempDir()
	tg, log := &target{}, &syncBuffer{}
	watch(t, tg, log, "tenant:\n  name: contoso\ncustomPolicies:\n  paths: ["+policies+"]\n")
	write(t, filepath.Join(policies, "notes.txt"), "not a policy")
	time.Sleep(400 * time.Millisecond) // twice the quiet period: a reload would have happened
	if got := tg.tenants(); len(got) != 0 {
		t.Fatalf("a text file reloaded: %v", got)
	}
	write(t, filepath.Join(policies, "SignUpOrSignin.xml"), "<TrustFrameworkPolicy/>")
	eventually(t, "the policy save", func() bool { return len(tg.tenants()) == 1 })
}
