package emulator_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// BenchmarkHeadlessSignUp is one complete headless federated sign-up in-process: both
// connector calls (to a loopback connector) and a signed token.
//
// The loopback API runs in a process of its own, as a real API does, reading the body and
// answering Continue; the request is written directly: the allocations counted are the
// emulator's alone.
func BenchmarkHeadlessSignUp(b *testing.B) {
	srv := emulatortest.Start(b, tenantYAML(apiProcess(b)))
	h := srv.Em.Handler()
	b.ReportAllocs()
	var body []byte
	i := 0
	for b.Loop() {
		i++
		body = fmt.Appendf(body[:0], `{"clientId":%q,"identityProvider":"facebook.com","account":{"issuerAssignedId":"bench-%d","email":"u%d@fabrikam.com","displayName":"Bench User"}}`, clientID, i, i)
		req := httptest.NewRequest(http.MethodPost, "/_emulator/flows/B2C_1_SignUpSignIn/run", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

// apiProcess starts this test binary as the loopback API (TestLoopbackAPIProcess) and
// returns its URL; the process ends with the benchmark.
func apiProcess(b *testing.B) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoopbackAPIProcess$")
	cmd.Env = append(os.Environ(), "B2CEMU_BENCH_API=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "api=")
	if err != nil || !ok {
		b.Fatalf("the API process said %q (%v)", line, err)
	}
	go io.Copy(io.Discard, out)
	return url
}

// TestLoopbackAPIProcess is BenchmarkHeadlessSignUp's API when run by it (B2CEMU_BENCH_API=1):
// it prints its URL and answers Continue until killed. Otherwise it is skipped.
func TestLoopbackAPIProcess(t *testing.T) {
	if os.Getenv("B2CEMU_BENCH_API") != "1" {
		t.Skip("the loopback API process of BenchmarkHeadlessSignUp")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("api=http://" + ln.Addr().String())
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"version":"1.0.0","action":"Continue"}`)
	}))
}

// BenchmarkCustomPolicySignUp is one complete headless local sign-up through the loyalty
// policies in-process: the email verification, the RESTful validation (to a loopback API),
// the directory write, the directory read and a signed token.
func BenchmarkCustomPolicySignUp(b *testing.B) {
	srv := startLoyaltyBench(b)
	h := srv.Em.Handler()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		body, _ := json.Marshal(map[string]any{"clientId": clientID, "identityProvider": "email",
			"account":    map[string]any{"email": fmt.Sprintf("u%d@contoso.com", i), "password": "Passw0rd!x"},
			"attributes": []map[string]string{{"displayName": "Bench User", "loyaltyId": "L-1"}}})
		req := httptest.NewRequest(http.MethodPost, "/_emulator/flows/B2C_1A_signup_signin/run", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte(`"outcome":"token"`)) {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}
