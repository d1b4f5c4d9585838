package config_test

import (
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/fixtures"
)

// FuzzLoad feeds the loader any file: it never panics, and what it accepts validates.
func FuzzLoad(f *testing.F) {
	f.Add(string(fixtures.DemoConfig))
	f.Add("server: {addr: 1}\ntenant: [a]\nuserFlows: {x: 1}\n")
	f.Add(`{"apiConnectors":[{"name":"a","endpointUrl":"/x","timeout":"5s","retries":9}]}`)
	f.Add("a: &x [*x]\n")
	f.Fuzz(func(t *testing.T, data string) {
		done := make(chan error, 1)
		go func() {
			cfg, err := config.Parse("fuzz.yaml", []byte(data), func(string) string { return "" })
			if err == nil {
				cfg.Validate() // must not panic on anything Parse accepted
			}
			done <- err
		}()
		select {
		case err := <-done:
			if _, ok := err.(*config.Error); err != nil && !ok {
				t.Fatalf("not a configuration error: %v", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("loading took more than 2 s: %q", data)
		}
	})
}
