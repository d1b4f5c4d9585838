package emulator_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/b2cemu/b2cemu/emulator"
	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// serveWith serves yaml on 127.0.0.1 with the given timeouts until the test ends; it returns
// the listen address.
func serveWith(t *testing.T, yaml string, timeouts emulator.Timeouts) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "b2cemu.yaml")
	os.WriteFile(path, []byte(yaml), 0o600)
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	em, err := emulator.New(cfg, emulator.Options{BaseURL: "http://" + ln.Addr().String(), Timeouts: timeouts,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- em.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// closedWithin reads conn until the server closes it, failing when that takes longer than wait.
func closedWithin(t *testing.T, conn net.Conn, wait time.Duration) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(wait))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection is still open after %s", wait)
	}
}

// TestSlowBodyIsCutOff: a client that sends its headers and then trickles (or withholds) the
// body loses the connection after the read timeout.
func TestSlowBodyIsCutOff(t *testing.T) {
	addr := serveWith(t, tenantYAML("http://127.0.0.1:1"), emulator.Timeouts{Read: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /_emulator/users HTTP/1.1\r\nHost: "+addr+"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"email\":")
	began := time.Now()
	closedWithin(t, conn, 5*time.Second)
	if d := time.Since(began); d < 250*time.Millisecond {
		t.Errorf("closed after %s, before the read timeout", d)
	}
}

// TestIdleConnectionIsClosed: a kept-alive connection that sends no next request is closed
// after the idle timeout.
func TestIdleConnectionIsClosed(t *testing.T) {
	addr := serveWith(t, tenantYAML("http://127.0.0.1:1"), emulator.Timeouts{Idle: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Close {
		t.Fatalf("healthz: %d, close %v", resp.StatusCode, resp.Close)
	}
	closedWithin(t, conn, 5*time.Second)
}

// TestSlowConnectorOutlastsTheTimeouts: the read and write timeouts do not bound the time a
// handler waits on a connector before it answers.
func TestSlowConnectorOutlastsTheTimeouts(t *testing.T) {
	script := validationScript()
	answer := script.answer
	script.answer = func(step string, body map[string]any) (int, string) {
		time.Sleep(400 * time.Millisecond)
		return answer(step, body)
	}
	addr := serveWith(t, tenantYAML(startAPI(t, script)), emulator.Timeouts{Read: 150 * time.Millisecond, Write: 150 * time.Millisecond})
	srv := &emulatortest.Server{URL: "http://" + addr, Client: http.DefaultClient}
	out := run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "facebook.com", "account": map[string]any{"issuerAssignedId": "fb-1"},
		"attributes": []map[string]string{{"displayName": "John Smith"}}})
	if out.Outcome != "token" {
		t.Errorf("run: %+v", out)
	}
}

// TestConnectorCallCancelledWhenTheBrowserLeaves: the browser submits the attribute page and
// goes away while the connector is still thinking; the connector's request is cancelled
// rather than left to run its 30 s timeout.
func TestConnectorCallCancelledWhenTheBrowserLeaves(t *testing.T) {
	started, cancelled := make(chan struct{}), make(chan struct{})
	script := validationScript()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.RawQuery, "slow") {
			script.ServeHTTP(w, r)
			return
		}
		io.ReadAll(r.Body) // net/http notices a closed connection once the body is read
		close(started)
		select {
		case <-r.Context().Done():
			close(cancelled)
		case <-time.After(20 * time.Second):
		}
	}))
	defer api.Close()
	cfg := configEdit(t, tenantYAML(api.URL), "postAttributeCollection: checks", "postAttributeCollection: slow")
	cfg = configEdit(t, cfg, "applications:", `  - name: slow
    endpointUrl: `+api.URL+`/api/slow?slow=1
    authentication: {type: basic, username: b2c, password: pa55}
    timeout: 30s
    retries: 0
applications:`)
	srv := emulatortest.Start(t, cfg)
	b := srv.NewBrowser(t)
	page := b.Get(authorizeURL(nil))
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)

	form := page.Doc.Find("button#continue").Closest("form")
	data := url.Values{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		if name := in.AttrOr("name", ""); name != "" {
			data.Set(name, in.AttrOr("value", ""))
		}
	})
	data.Set("displayName", "John Smith")
	action, _ := page.URL.Parse(form.AttrOr("action", ""))
	ctx, leave := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(data.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	go func() {
		<-started
		leave() // the browser closes the tab
	}()
	if resp, err := b.Client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the submission answered %d before the browser left", resp.StatusCode)
	}
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the connector's request was not cancelled after the browser left")
	}
}
