package emulator_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
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

	os.WriteFile(srv.Config, []byte(configEdit(t, added, "name: fabrikamb2c", "name: Bad Name")), 0o644)
	waitFor("the refusal", func() bool { return strings.Contains(srv.Log.String(), "configuration reload refused") })
	if !strings.Contains(srv.Log.String(), `tenant.name: \"Bad Name\" is not a tenant name`) && !strings.Contains(srv.Log.String(), `tenant.name: "Bad Name" is not a tenant name`) {
		t.Errorf("the refusal does not carry the start-up message:\n%s", srv.Log.String())
	}
	if status("/fabrikamb2c.onmicrosoft.com/B2C_1_added/v2.0/.well-known/openid-configuration") != 200 {
		t.Error("an invalid edit replaced the running configuration")
	}
}

// TestReloadKeepsTheConfigurationThroughSaves: an editor empties the file, or replaces it,
// before it writes the new content; meanwhile the running configuration stays in force (the
// user flow never answers 404), and the new content then takes effect. An invalid file is
// refused with its file, line and key in the log.
func TestReloadKeepsTheConfigurationThroughSaves(t *testing.T) {
	cfg := tenantYAML(startAPI(t, validationScript()))
	srv := emulatortest.Start(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Em.Watch(ctx, srv.Config, func(string) string { return "" }, config.Override{Key: "server.addr", Value: "127.0.0.1:0", From: "the test"})
	time.Sleep(50 * time.Millisecond) // let the watcher start

	status := func(policy string) int {
		resp, err := http.Get(srv.URL + "/fabrikamb2c.onmicrosoft.com/" + policy + "/v2.0/.well-known/openid-configuration")
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	var polls, failed atomic.Int64
	stop := make(chan struct{})
	polled := make(chan struct{})
	t.Cleanup(func() { close(stop); <-polled })
	go func() {
		defer close(polled)
		for {
			select {
			case <-stop:
				return
			default:
			}
			polls.Add(1)
			if status("B2C_1_SignUpSignIn") != 200 {
				failed.Add(1)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not happen:\n%s", what, srv.Log.String())
			}
		}
	}
	pause := func() { time.Sleep(400 * time.Millisecond) } // longer than the watcher's quiet time
	noFailures := func(when string) {
		t.Helper()
		if n := failed.Load(); n != 0 {
			t.Fatalf("%s, %d of %d polls of the user flow failed", when, n, polls.Load())
		}
	}

	os.WriteFile(srv.Config, nil, 0o644) // truncated, and left so for a while
	pause()
	noFailures("with the file empty")
	waitFor("the skip", func() bool {
		return strings.Contains(srv.Log.String(), "configuration reload skipped: the file is empty")
	})
	os.Remove(srv.Config) // replaced: gone for a while
	pause()
	waitFor("the skip", func() bool {
		return strings.Contains(srv.Log.String(), "configuration reload skipped: the file cannot be read")
	})
	for i := range 5 { // saves that truncate, then write
		os.WriteFile(srv.Config, nil, 0o644)
		time.Sleep(time.Duration(i*20) * time.Millisecond)
		os.WriteFile(srv.Config, []byte(cfg), 0o644)
	}
	added := cfg + "  - {id: B2C_1_added, type: signUp, identityProviders: [email]}\n"
	os.WriteFile(srv.Config, []byte(added), 0o644)
	waitFor("the new flow", func() bool { return status("B2C_1_added") == 200 })

	bad := configEdit(t, added, "name: fabrikamb2c", "name: Bad Name")
	os.WriteFile(srv.Config, []byte(bad), 0o644)
	waitFor("the refusal", func() bool { return strings.Contains(srv.Log.String(), "configuration reload refused") })
	noFailures("after the saves")
	log := srv.Log.String()
	for _, want := range []string{srv.Config + ": 1 configuration problem", `line 3: tenant.name: `, `is not a tenant name`} {
		if !strings.Contains(log, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, log)
		}
	}
	if status("B2C_1_added") != 200 {
		t.Error("an invalid edit replaced the running configuration")
	}
}
