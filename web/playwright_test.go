package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestPlaywrightExample runs the example Playwright suite (docs/examples/playwright) against
// the demo tenant on a free port, as a user would run it against `make run`, and its custom
// policy spec against the loyalty example.
func TestPlaywrightExample(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("..", "docs", "examples", "playwright"))
	npx, err := exec.LookPath("npx")
	_, chromiumErr := exec.LookPath("chromium")
	if _, statErr := os.Stat(filepath.Join(dir, "node_modules", "@playwright", "test")); err != nil || statErr != nil || chromiumErr != nil {
		if os.Getenv("B2CEMU_REQUIRE_BROWSER") != "" {
			t.Fatalf("the Playwright example needs node, chromium and make deps (npm ci in %s)", dir)
		}
		t.Skip("the Playwright example needs node, chromium and make deps")
	}
	srv := emulatortest.Start(t, "")
	custom := startExample(t, nil) // the custom policies' spec runs against the loyalty example
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npx, "playwright", "test", "--workers=2", "--timeout=90000", "--output="+t.TempDir())
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "B2CEMU_URL="+srv.URL, "B2CEMU_CUSTOM_URL="+custom.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("playwright: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "9 passed") {
		t.Errorf("unexpected result:\n%s", out)
	}
	t.Logf("%s", out)
}
