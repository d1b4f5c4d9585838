package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// BenchmarkHeadlessSignUp is one complete headless federated sign-up in-process: both
// connector calls (to a loopback connector) and a signed token.
func BenchmarkHeadlessSignUp(b *testing.B) {
	script := &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1.0.0","action":"Continue"}` }}
	api := httptest.NewServer(script)
	defer api.Close()
	srv := emulatortest.Start(b, tenantYAML(api.URL))
	h := srv.Em.Handler()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		body, _ := json.Marshal(map[string]any{"clientId": clientID, "identityProvider": "facebook.com",
			"account": map[string]any{"issuerAssignedId": fmt.Sprint("bench-", i), "email": fmt.Sprintf("u%d@fabrikam.com", i), "displayName": "Bench User"}})
		req := httptest.NewRequest(http.MethodPost, "/_emulator/flows/B2C_1_SignUpSignIn/run", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
		script.reset() // keep the script's record from growing
	}
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
