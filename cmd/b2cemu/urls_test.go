package main

import (
	"bufio"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
)

// TestStartupLogsMainURLs: the start-up log names the home page, the developer tools and each
// policy's discovery document, every one a URL of the emulator, and never the admin token.
func TestStartupLogsMainURLs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan struct{})
	getenv := func(k string) string {
		if k == "B2CEMU_ADMIN_TOKEN" {
			return "t0ken-never-logged"
		}
		return ""
	}
	go func() {
		defer close(done)
		run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, getenv, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	logged := map[string]string{}
	line := regexp.MustCompile(`msg="?([^"]+?)"? url=(\S+)`)
	var all strings.Builder
	for lines.Scan() {
		all.WriteString(lines.Text() + "\n")
		if m := line.FindStringSubmatch(lines.Text()); m != nil {
			logged[m[1]] = m[2]
		}
		if _, ok := logged["discovery B2C_1_profile"]; ok {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	base := logged["developer tools"]
	if !strings.HasSuffix(base, "/_emulator") {
		t.Fatalf("no developer tools URL:\n%s", all.String())
	}
	base = strings.TrimSuffix(base, "/_emulator")
	want := map[string]string{
		"home page": "/", "call inspector": "/_emulator/calls", "users": "/_emulator/users", "emails": "/_emulator/emails",
		"discovery B2C_1_susi":    "/contoso.onmicrosoft.com/b2c_1_susi/v2.0/.well-known/openid-configuration",
		"discovery B2C_1_profile": "/contoso.onmicrosoft.com/b2c_1_profile/v2.0/.well-known/openid-configuration",
	}
	for name, path := range want {
		if logged[name] != base+path {
			t.Errorf("%s: logged %q, want %q", name, logged[name], base+path)
		}
	}
	if strings.Contains(all.String(), "t0ken-never-logged") {
		t.Error("the log holds the admin token")
	}
	cancel()
	<-done
}
