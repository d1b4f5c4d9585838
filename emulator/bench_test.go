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
