package loadgen

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// An emulator's answer to a federated sign-up, shortened: the stand-ins copy it.
const floorAnswer = `{"outcome":"token","runId":"r1","idToken":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln","claims":{"sub":"x"},"attempts":[],"calls":[` +
	`{"step":"PostFederationSignup","request":{"email":"a@b.c"},"latencyMs":0.3,"elapsedMs":0.5,"outcome":"Continue"},` +
	`{"step":"PostAttributeCollection","request":{"email":"a@b.c","city":"Lisbon"},"latencyMs":1,"elapsedMs":12,"outcome":"Continue"}]}` + "\n"

// TestFloorStandIn: each stand-in makes both calls with the emulator's bodies and headers,
// signs a token that verifies, and answers with the emulator's answer and its own times, which
// the harness's checks accept; an API that does not continue makes every sign-up fail.
func TestFloorStandIn(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "k.pem")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600)
	bodies := []string{`{"email":"a@b.c"}`, `{"email":"a@b.c","city":"Lisbon"}`}
	for _, wire := range []bool{false, true} {
		for _, api := range []struct {
			name, answer string
			ok           bool
		}{{"continue", `{"version":"1.0.0","action":"Continue"}`, true}, {"block", `{"version":"1.0.0","action":"ShowBlockPage","userMessage":"no"}`, false}} {
			t.Run(map[bool]string{false: Floor, true: FloorWire}[wire]+"/"+api.name, func(t *testing.T) {
				var mu sync.Mutex
				var got []string
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					b, _ := io.ReadAll(r.Body)
					mu.Lock()
					got = append(got, r.URL.RequestURI()+" "+r.Header.Get("Content-Type")+" "+r.Header.Get("Authorization")+" "+string(b))
					mu.Unlock()
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, api.answer)
				}))
				defer srv.Close()
				addr, _ := freeAddr()
				spec := FloorSpec{Addr: addr, Wire: wire, Key: keyFile, API: srv.URL + apiPath, Auth: "Basic YjJjOmxvYWQ=", Bodies: bodies, Answer: floorAnswer}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- ServeFloor(ctx, spec) }()
				defer func() { cancel(); <-done }()
				waitFor(t, addr)
				wc := &wireClient{addr: addr}
				defer wc.close()
				for i := range 2 {
					status, answer, err := wc.post(ctx, "/_emulator/flows/B2C_1_load/run", []byte(`{"identityProvider":"facebook.com"}`))
					if !api.ok {
						if _, terr := tokenAnswer("B2C_1_load", status, answer, 2); err == nil && terr == nil {
							t.Fatalf("sign-up %d succeeded with an API that blocks: %d %s", i, status, answer)
						}
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					if _, err := tokenAnswer("B2C_1_load", status, answer, 2); err != nil {
						t.Fatalf("sign-up %d: %v", i, err)
					}
					checkFloorAnswer(t, &key.PublicKey, string(answer))
				}
				want := "/api?code=k application/json Basic YjJjOmxvYWQ= "
				mu.Lock()
				defer mu.Unlock()
				if api.ok && (len(got) != 4 || got[0] != want+bodies[0] || got[1] != want+bodies[1]) {
					t.Errorf("the API received %q, want each body of %q with %q", got, bodies, want)
				}
			})
		}
	}
}

// checkFloorAnswer: the answer is the template with a signature that verifies.
func checkFloorAnswer(t *testing.T, pub *rsa.PublicKey, answer string) {
	t.Helper()
	token := answer[strings.Index(answer, `"idToken":"`)+len(`"idToken":"`):]
	token = token[:strings.IndexByte(token, '"')]
	signed, sig, _ := strings.Cut(token, ".eyJzdWIiOiJ4In0.")
	if signed != "eyJhbGciOiJSUzI1NiJ9" {
		t.Fatalf("token %q is not the template's", token)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(sig)
	digest := sha256.Sum256([]byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0"))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], raw); err != nil {
		t.Errorf("the stand-in's signature: %v", err)
	}
	rest := answer[strings.Index(answer, `,"claims"`):]
	tmplRest := floorAnswer[strings.Index(floorAnswer, `,"claims"`):]
	if len(rest) < len(tmplRest)-8 || !strings.HasPrefix(rest, `,"claims":{"sub":"x"},"attempts":[],"calls":[`) || !strings.HasSuffix(rest, `"outcome":"Continue"}]}`+"\n") {
		t.Errorf("answer %q is not the template's", rest)
	}
}

func waitFor(t *testing.T, addr string) {
	t.Helper()
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return
		}
		if i > 500 {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestParseTemplate: an answer without a token or with fewer calls is refused.
func TestParseTemplate(t *testing.T) {
	if _, err := parseTemplate([]byte(floorAnswer), 2); err != nil {
		t.Error(err)
	}
	if _, err := parseTemplate([]byte(floorAnswer), 3); err == nil {
		t.Error("a template with 2 calls was accepted for 3")
	}
	for _, bad := range []string{`{"outcome":"blocked"}`, `{"idToken":"eyJhbGciOi`, `{"idToken":"eyJhbGciOi"}`, `{"idToken":"eyJ.a.b","calls":[{"elapsedMs":1`} {
		if _, err := parseTemplate([]byte(bad), 1); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}
