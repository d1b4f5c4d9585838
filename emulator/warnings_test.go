package emulator_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator"
	"github.com/b2cemu/b2cemu/emulator/config"
)

// TestPolicyKeysWarning: policyKeys with custom policies are in use and draw no warning; without
// custom policies nothing reads them, and the start-up log says so.
func TestPolicyKeysWarning(t *testing.T) {
	policies, err := filepath.Abs(filepath.Join("..", "docs", "examples", "custom-policies", "policies"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, yaml string
		warn       bool
	}{
		{"with custom policies", "customPolicies: {paths: [" + policies + "]}\npolicyKeys: {B2C_1A_RestApiKey: k3y}\n", false},
		{"without custom policies", "policyKeys: {B2C_1A_RestApiKey: k3y}\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "b2cemu.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(path, func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			if _, err := emulator.New(cfg, emulator.Options{BaseURL: "http://127.0.0.1:0", Log: slog.New(slog.NewTextHandler(&log, nil))}); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(log.String(), "\n") {
				if strings.Contains(line, "policyKeys") && strings.Contains(line, "not run") {
					t.Errorf("the log says custom policies do not run:\n%s", line)
				}
			}
			if got := strings.Contains(log.String(), "policyKeys are ignored"); got != tt.warn {
				t.Errorf("warning about unused policyKeys = %v, want %v; log:\n%s", got, tt.warn, log.String())
			}
		})
	}
}
