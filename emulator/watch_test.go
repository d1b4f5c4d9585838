package emulator_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestConfigHotReload: an edit of the file takes effect without a restart and keeps the
// users; an invalid edit is reported and the running configuration stays.
func TestConfigHotReload(t *testing.T) {
	api := startAPI(t, validationScript())
	cfg := tenantYAML(api)
	srv := emulatortest.Start(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Em.Watch(ctx, srv.Config, func(string) string { return "" }, config.Override{Key: "server.addr", Value: "127.0.0.1:0", From: "the test"})
	out := run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "facebook.com", "account": map[string]any{"issuerAssignedId": "fb-1"},
		"attributes": []map[string]string{{"displayName": "John Smith"}}})
	if out.Outcome != "token" {
		t.Fatalf("run: %+v", out)
	}
	time.Sleep(50 * time.Millisecond) // let the watcher start

	status := func(path string) int {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not happen:\n%s", what, srv.Log.String())
			}
		}
	}
	added := cfg + "  - {id: B2C_1_added, type: signUp, identityProviders: [email]}\n"
	os.WriteFile(srv.Config, []byte(added), 0o644)
	waitFor("the reload", func() bool {
		return status("/fabrikamb2c.onmicrosoft.com/B2C_1_added/v2.0/.well-known/openid-configuration") == 200
	})
	if n := len(srv.Em.Users.List()); n != 1 {
		t.Errorf("%d users after the reload, want 1", n)
	}
	if strings.Contains(srv.Log.String(), "restart b2cemu") {
		t.Errorf("a spurious restart warning:\n%s", srv.Log.String())
	}

	os.WriteFile(srv.Config, []byte(strings.Replace(added, "name: fabrikamb2c", "name: Bad Name", 1)), 0o644)
	waitFor("the refusal", func() bool { return strings.Contains(srv.Log.String(), "configuration reload refused") })
	if !strings.Contains(srv.Log.String(), `tenant.name: \"Bad Name\" is not a tenant name`) && !strings.Contains(srv.Log.String(), `tenant.name: "Bad Name" is not a tenant name`) {
		t.Errorf("the refusal does not carry the start-up message:\n%s", srv.Log.String())
	}
	if status("/fabrikamb2c.onmicrosoft.com/B2C_1_added/v2.0/.well-known/openid-configuration") != 200 {
		t.Error("an invalid edit replaced the running configuration")
	}
}
