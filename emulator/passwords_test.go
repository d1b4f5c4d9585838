package emulator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestPasswordCheckEndsWithTheRequest: a sign-in whose HTTP request has ended checks no
// password. The stored hash is bcrypt at cost 31, which would take hours to verify, so the
// sign-in can only return because the request's context reached the hashing and skipped it.
func TestPasswordCheckEndsWithTheRequest(t *testing.T) {
	script := &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1.0.0","action":"Continue"}` }}
	api := httptest.NewServer(script)
	defer api.Close()
	srv := emulatortest.Start(t, tenantYAML(api.URL))
	slow := "$2a$31$" + strings.Repeat("a", 53) // a well-formed bcrypt hash at cost 31
	imp := map[string]any{"users": []map[string]any{{"objectId": "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
		"identities":   []map[string]string{{"signInType": "emailAddress", "issuer": "fabrikamb2c.onmicrosoft.com", "issuerAssignedId": "slow@fabrikam.com"}},
		"passwordHash": slow}}}
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users/import", imp, nil); status != 200 {
		t.Fatalf("import of a cost-31 hash: %d", status)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client has gone
	body := `{"clientId":"` + clientID + `","identityProvider":"email","account":{"email":"slow@fabrikam.com","password":"Passw0rd!"}}`
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/_emulator/flows/B2C_1_SignUpSignIn/run", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	done := make(chan *httptest.ResponseRecorder)
	go func() {
		rec := httptest.NewRecorder()
		srv.Em.Handler().ServeHTTP(rec, req)
		done <- rec
	}()
	select {
	case rec := <-done:
		// Nobody reads it, but it is one answer, not two.
		if rec.Code != http.StatusBadRequest || strings.TrimSpace(rec.Body.String()) != `{"error":"context canceled"}` {
			t.Errorf("answered %d: %s", rec.Code, rec.Body)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a sign-in whose request had ended went on to verify a cost-31 bcrypt hash")
	}
}
