package loadgen

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestForm(t *testing.T) {
	page := []byte(`<form id="localAccountForm" class="localAccount" method="post" action="/contoso.onmicrosoft.com/B2C_1_local/flow?tx=1&amp;x=2" novalidate>` +
		`<input type="hidden" name="csrf" value="A&amp;B"> <input type="hidden" name="seq" value="0"><input type="email" id="email" class="" name="email">`)
	action, fields, signIn, err := form(page)
	if err != nil || action != "/contoso.onmicrosoft.com/B2C_1_local/flow?tx=1&x=2" || fields.Get("csrf") != "A&B" || fields.Get("seq") != "0" || len(fields) != 2 || signIn != "email" {
		t.Errorf("form = %q %v %q %v", action, fields, signIn, err)
	}
	if _, _, _, err := form([]byte(`<p>no form</p>`)); err == nil {
		t.Error("a page without the sign-in form was accepted")
	}
}

func TestProcessCPU(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	for i := 0; processCPU(os.Getpid()) == 0 && i < 1e8; i++ { // spend a tick of CPU
	}
	if processCPU(os.Getpid()) <= 0 || ownCPU() <= 0 {
		t.Errorf("processCPU %s, ownCPU %s", processCPU(os.Getpid()), ownCPU())
	}
	if processCPU(-1) != 0 {
		t.Error("a process that does not exist has CPU time")
	}
}

// TestTokenAnswer: only a 200 answer with the outcome token, an id token and the expected
// calls counts as a success; everything else is a failure that says why.
func TestTokenAnswer(t *testing.T) {
	token := `{"outcome":"token","runId":"r","idToken":"eyJhbGciOi.x.y","claims":{"name":"a,b}"},"attempts":[],"calls":[` +
		`{"step":"PostFederationSignup","request":{"displayName":"\"elapsedMs\":9"},"latencyMs":0.3,"elapsedMs":0.5,"outcome":"Continue"},` +
		`{"step":"PostAttributeCollection","request":{},"latencyMs":1,"elapsedMs":12,"outcome":"Continue"}]}` + "\n"
	got, err := tokenAnswer("B2C_1_load", 200, []byte(token), 2)
	if err != nil || len(got) != 2 || got[0] != 0.5 || got[1] != 12 {
		t.Fatalf("a token answer: %v %v", got, err)
	}
	for name, c := range map[string]struct {
		status int
		answer string
		calls  int
		want   string
	}{
		"status":        {400, `{"error":"AADB2C90068: no application"}`, 2, "400 Bad Request"},
		"blocked":       {200, `{"outcome":"blocked","runId":"r","userMessage":"No.","attempts":[],"calls":[]}`, 0, `outcome "blocked"`},
		"fewer calls":   {200, token, 3, "want a token after 3"},
		"no id token":   {200, `{"outcome":"token","runId":"r","attempts":[],"calls":[]}`, 0, "without an id token"},
		"not JSON":      {200, `<html>`, 0, "not JSON"},
		"another shape": {200, `{"runId":"r","outcome":"token","idToken":"eyJ.a.b","calls":[]}`, 0, "without an id token"},
	} {
		if _, err := tokenAnswer("B2C_1_load", c.status, []byte(c.answer), c.calls); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, c.want)
		}
	}
}

// TestWireClient: the workers' client keeps its connection across requests, reads the
// loopback API's answers, and dials again when a kept-alive connection was closed meanwhile.
func TestWireClient(t *testing.T) {
	api := &connector{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go api.serve(ln)
	w := &wireClient{addr: ln.Addr().String()}
	defer w.close()
	for _, c := range []struct{ path, want string }{{"/api?code=k", `{"version":"1.0.0","action":"Continue"}`}, {"/loyalty", `{"promoCode":"PROMO-LOAD"}`}} {
		status, body, err := w.post(context.Background(), c.path, []byte(`{"email":"a@b.c"}`))
		if err != nil || status != 200 || string(body) != c.want {
			t.Errorf("POST %s: %d %s %v", c.path, status, body, err)
		}
	}
	if n := len(api.take()); n != 2 {
		t.Errorf("%d handler times recorded, want 2", n)
	}

	var conns atomic.Int32
	srv := &http.Server{ConnState: func(c net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			conns.Add(1)
		case http.StateIdle: // the server ends each kept-alive connection after its answer
			c.Close()
		}
	}, Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { io.Copy(rw, r.Body) })}
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln2)
	defer srv.Close()
	w2 := &wireClient{addr: ln2.Addr().String()}
	defer w2.close()
	for i := range 2 {
		status, body, err := w2.post(context.Background(), "/echo", []byte(`{"i":1}`))
		if err != nil || status != 200 || string(body) != `{"i":1}` {
			t.Errorf("request %d: %d %s %v", i, status, body, err)
		}
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (a new one after the idle one closed)", n)
	}
}

// TestShares: the CPU share leaves the harness out, the machine share counts it; a mode
// without CPU figures shows none.
func TestShares(t *testing.T) {
	m := ModeReport{Mode: Floor, Flows: 1, ServerCPU: 1000 * time.Microsecond, SignCPU: 750 * time.Microsecond, ClientCPU: 250 * time.Microsecond}
	if m.CPUShare() != 0.75 || m.MachineShare() != 0.6 {
		t.Errorf("CPU share %.3f, machine share %.3f; want 0.75 and 0.6", m.CPUShare(), m.MachineShare())
	}
	if (ModeReport{ClientCPU: time.Millisecond}).MachineShare() != 0 {
		t.Error("a mode without server CPU has a machine share")
	}
	if out := (Report{Modes: []ModeReport{m}}).String(); !strings.Contains(out, "    75%    0.25 ms     60%") {
		t.Errorf("the report's row:\n%s", out)
	}
}
