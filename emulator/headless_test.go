package emulator_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// post sends JSON to the emulator and decodes the JSON answer.
func post(t testing.TB, client *http.Client, method, url string, body any, out any, header ...string) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode
}

type runResult struct {
	Outcome, RunID, ObjectID, IDToken, AccessToken, RefreshToken, UserMessage, Error, ErrorDescription string
	NewUser                                                                                            bool
	Claims                                                                                             map[string]any
	Attempts                                                                                           []struct {
		Values      map[string]string
		UserMessage string
		FieldErrors map[string]string
	}
	Calls []struct {
		Step, Outcome, Diagnostic string
		Status                    int
		Request, Response         map[string]any
		LatencyMs                 float64
	}
}

func run(t testing.TB, srv *emulatortest.Server, req map[string]any) runResult {
	t.Helper()
	var out runResult
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/flows/B2C_1_SignUpSignIn/run", req, &out); status != 200 {
		t.Fatalf("run: %d %+v", status, out)
	}
	return out
}

func validationScript() *connectorScript {
	return &connectorScript{answer: func(step string, body map[string]any) (int, string) {
		switch {
		case body["email"] == "eve@evil.example":
			return 200, `{"version":"1.0.0","action":"ShowBlockPage","userMessage":"Blocked."}`
		case step == "PostFederationSignup":
			return 200, `{"version":"1.0.0","action":"Continue","city":"Lisbon"}`
		case len(fmt.Sprint(body["displayName"])) <= 5:
			return 400, `{"version":"1.0.0","action":"ValidationError","status":400,"userMessage":"Too short."}`
		}
		return 200, `{"version":"1.0.0","action":"Continue","jobTitle":"Engineer"}`
	}}
}

func TestHeadlessFederatedSignUp(t *testing.T) {
	srv, _ := start(t, validationScript())
	out := run(t, srv, map[string]any{"clientId": clientID, "nonce": "hn", "identityProvider": "facebook.com",
		"account": map[string]any{"issuerAssignedId": "fb-1"}, "attributes": []map[string]string{{"displayName": "Jo"}, {"displayName": "John Smith"}}})
	if out.Outcome != "token" || !out.NewUser || len(out.Attempts) != 2 || out.Attempts[0].UserMessage != "Too short." || out.Attempts[1].UserMessage != "" {
		t.Fatalf("run = %+v", out)
	}
	if out.Attempts[1].Values["city"] != "Lisbon" {
		t.Errorf("pre-filled values are not submitted: %v", out.Attempts[1].Values)
	}
	claims := emulatortest.Verify(t, srv.URL+policyPath+"/v2.0/.well-known/openid-configuration", out.IDToken)
	if claims["nonce"] != "hn" || claims["jobTitle"] != "Engineer" || claims["city"] != "Lisbon" || out.Claims["sub"] != claims["sub"] {
		t.Errorf("claims = %v", claims)
	}
	if len(out.Calls) != 3 || out.Calls[0].Step != "PostFederationSignup" || out.Calls[1].Status != 400 || out.Calls[1].Response["userMessage"] != "Too short." ||
		out.Calls[2].Request["displayName"] != "John Smith" {
		t.Errorf("transcript = %+v", out.Calls)
	}
	// The same identity again signs in.
	again := run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "facebook.com", "account": map[string]any{"issuerAssignedId": "fb-1"}})
	if again.Outcome != "token" || again.NewUser || again.ObjectID != out.ObjectID || len(again.Calls) != 0 {
		t.Errorf("sign-in = %+v", again)
	}
}

func TestHeadlessOutcomes(t *testing.T) {
	srv, _ := start(t, validationScript())
	if out := run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "facebook.com", "account": map[string]any{"issuerAssignedId": "fb-2"}}); out.Outcome != "blocked" || out.UserMessage != "Blocked." {
		t.Errorf("block: %+v", out)
	}
	out := run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "facebook.com",
		"account": map[string]any{"email": "new@fabrikam.com", "displayName": "Neo"}, "attributes": []map[string]string{{}}})
	if out.Outcome != "validationError" || out.UserMessage != "Too short." || len(out.Attempts) != 1 {
		t.Errorf("validation error: %+v", out)
	}
	// Local sign-up, then sign-in with the same email and password; a wrong password.
	local := map[string]any{"clientId": clientID, "scope": "openid offline_access " + clientID, "identityProvider": "email",
		"account": map[string]any{"email": "ana@fabrikam.com", "password": "Passw0rd!"}, "attributes": []map[string]string{{"displayName": "Ana Lima"}}}
	up := run(t, srv, local)
	if up.Outcome != "token" || !up.NewUser || up.AccessToken == "" || up.RefreshToken == "" {
		t.Fatalf("local sign-up: %+v", up)
	}
	in := run(t, srv, local)
	if in.Outcome != "token" || in.NewUser || in.ObjectID != up.ObjectID {
		t.Errorf("local sign-in: %+v", in)
	}
	local["account"] = map[string]any{"email": "ana@fabrikam.com", "password": "wrong"}
	if out := run(t, srv, local); out.Outcome != "validationError" || out.UserMessage != "Your password is incorrect." {
		t.Errorf("wrong password: %+v", out)
	}
	for _, bad := range []struct {
		path string
		body map[string]any
		code int
	}{
		{"/_emulator/flows/B2C_1_nope/run", map[string]any{"clientId": clientID, "identityProvider": "email"}, 404},
		{"/_emulator/flows/B2C_1_SignUpSignIn/run", map[string]any{"clientId": "nope", "identityProvider": "email"}, 400},
		{"/_emulator/flows/B2C_1_SignUpSignIn/run", map[string]any{"clientId": clientID, "identityProvider": "github.com"}, 400},
		{"/_emulator/flows/B2C_1_SignUpSignIn/run", map[string]any{"clientId": clientID, "identityProvider": "email", "colour": "red"}, 400},
	} {
		var e map[string]string
		if status := post(t, srv.Client, http.MethodPost, srv.URL+bad.path, bad.body, &e); status != bad.code || e["error"] == "" {
			t.Errorf("%s %v: %d %v", bad.path, bad.body, status, e)
		}
	}
}

// TestRevokeSignInSessions: as Graph's revokeSignInSessions, the admin API refuses the user's
// refresh tokens issued more than five minutes before the revocation; new sign-ins work.
func TestRevokeSignInSessions(t *testing.T) {
	srv, _ := start(t, validationScript())
	local := map[string]any{"clientId": clientID, "scope": "openid offline_access", "identityProvider": "email",
		"account": map[string]any{"email": "rv@fabrikam.com", "password": "Passw0rd!"}, "attributes": []map[string]string{{"displayName": "Rui Vaz"}}}
	up := run(t, srv, local)
	refresh := func(rt string) (int, map[string]any) {
		return redeem(t, srv, url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "client_secret": {"app-secret"}, "refresh_token": {rt}})
	}
	// Revoked within five minutes of the token's issue: still accepted (clock skew).
	post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users/"+up.ObjectID+"/revokeSignInSessions", nil, nil)
	status, out := refresh(up.RefreshToken)
	if status != 200 {
		t.Fatalf("refresh right after a revocation: %d %v", status, out)
	}
	post(t, srv.Client, http.MethodPut, srv.URL+"/_emulator/clock", map[string]any{"advance": "10m"}, nil)
	post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users/"+up.ObjectID+"/revokeSignInSessions", nil, nil)
	status, out = refresh(out["refresh_token"].(string))
	if desc, _ := out["error_description"].(string); status != 400 || !strings.HasPrefix(desc, "AADB2C90129") {
		t.Errorf("refresh after the revocation: %d %v", status, out)
	}
	if in := run(t, srv, local); in.Outcome != "token" {
		t.Errorf("sign-in after the revocation: %+v", in)
	}
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users/nobody/revokeSignInSessions", nil, nil); status != 404 {
		t.Errorf("unknown user: %d", status)
	}
}

func TestHeadlessConnectorFailure(t *testing.T) {
	api := startAPI(t, &connectorScript{})
	srv := emulatortest.Start(t, tenantYAML(api[:strings.LastIndex(api, ":")]+":1"))
	out := run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "facebook.com", "account": map[string]any{"issuerAssignedId": "fb-1"}})
	if out.Outcome != "error" || out.Error != "server_error" || !strings.HasPrefix(out.ErrorDescription, "AADB2C90075") ||
		len(out.Calls) != 1 || !strings.Contains(out.Calls[0].Diagnostic, "refused") {
		t.Errorf("run = %+v", out)
	}
}

func TestAdminAPI(t *testing.T) {
	srv, _ := start(t, validationScript())
	base := srv.URL + "/_emulator"
	var created map[string]any
	if status := post(t, srv.Client, http.MethodPost, base+"/users", map[string]any{"email": "seed@fabrikam.com", "password": "Passw0rd!",
		"attributes": map[string]any{"displayName": "Seeded", "MembershipId": "M-1"}}, &created); status != 201 || created["objectId"] == "" {
		t.Fatalf("create: %d %v", status, created)
	}
	oid := created["objectId"].(string)
	out := run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "email", "account": map[string]any{"email": "seed@fabrikam.com", "password": "Passw0rd!"}})
	if out.Outcome != "token" || out.ObjectID != oid || out.Claims["extension_MembershipId"] != "M-1" {
		t.Errorf("sign-in of a seeded user: %+v", out)
	}
	if status := post(t, srv.Client, http.MethodPost, base+"/users", map[string]any{"email": "seed@fabrikam.com", "password": "Passw0rd!"}, nil); status != 409 {
		t.Errorf("duplicate: %d", status)
	}
	if status := post(t, srv.Client, http.MethodPost, base+"/users", map[string]any{"email": "x@fabrikam.com", "password": "Passw0rd!", "attributes": map[string]any{"shoeSize": "42"}}, nil); status != 400 {
		t.Errorf("unknown attribute: %d", status)
	}
	var got map[string]any
	if status := post(t, srv.Client, http.MethodGet, base+"/users/"+oid, nil, &got); status != 200 || got["attributes"].(map[string]any)["displayName"] != "Seeded" {
		t.Errorf("get: %d %v", status, got)
	}

	// Export, reset, import: the user comes back and still signs in with its password.
	resp, err := srv.Client.Get(base + "/users/export")
	if err != nil {
		t.Fatal(err)
	}
	export, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(export), `"passwordHash": "$b2cemu-sha256$`) {
		t.Errorf("export: %s", export)
	}
	if status := post(t, srv.Client, http.MethodPost, base+"/reset", nil, nil); status != 204 {
		t.Errorf("reset: %d", status)
	}
	var list struct{ Users []map[string]any }
	post(t, srv.Client, http.MethodGet, base+"/users", nil, &list)
	var calls struct{ Calls []any }
	post(t, srv.Client, http.MethodGet, base+"/calls", nil, &calls)
	if len(list.Users) != 0 || len(calls.Calls) != 0 {
		t.Errorf("after reset: %d users, %d calls", len(list.Users), len(calls.Calls))
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/users/import", bytes.NewReader(export))
	resp, err = srv.Client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("import: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	if out := run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "email", "account": map[string]any{"email": "seed@fabrikam.com", "password": "Passw0rd!"}}); out.Outcome != "token" || out.ObjectID != oid {
		t.Errorf("sign-in after import: %+v", out)
	}
	if status := post(t, srv.Client, http.MethodDelete, base+"/users/"+oid, nil, nil); status != 204 {
		t.Errorf("delete: %d", status)
	}
	if status := post(t, srv.Client, http.MethodGet, base+"/users/"+oid, nil, nil); status != 404 {
		t.Errorf("get after delete: %d", status)
	}
	var keys struct {
		Kids   []string
		Active string
	}
	if post(t, srv.Client, http.MethodGet, base+"/keys", nil, &keys); len(keys.Kids) != 1 || keys.Active != keys.Kids[0] {
		t.Errorf("keys = %+v", keys)
	}

	// The clock: frozen, then advanced.
	var clock map[string]any
	post(t, srv.Client, http.MethodPut, base+"/clock", map[string]any{"time": "2030-01-02T03:04:05Z"}, &clock)
	if clock["frozen"] != true || clock["now"] != "2030-01-02T03:04:05Z" {
		t.Errorf("clock = %v", clock)
	}
	out = run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "facebook.com", "account": map[string]any{"issuerAssignedId": "fb-1"}, "attributes": []map[string]string{{"displayName": "John Smith"}}})
	if out.Claims["iat"] != float64(1893553445) {
		t.Errorf("iat = %v under a frozen clock", out.Claims["iat"])
	}
	post(t, srv.Client, http.MethodPut, base+"/clock", map[string]any{"advance": "1h"}, &clock)
	if clock["now"] != "2030-01-02T04:04:05Z" {
		t.Errorf("advanced clock = %v", clock)
	}
	if status := post(t, srv.Client, http.MethodPut, base+"/clock", map[string]any{"advance": "soon"}, nil); status != 400 {
		t.Errorf("bad clock change: %d", status)
	}
	post(t, srv.Client, http.MethodPut, base+"/clock", map[string]any{"real": true}, &clock)
	if clock["frozen"] != false {
		t.Errorf("real clock = %v", clock)
	}
}

func TestAdminToken(t *testing.T) {
	api := startAPI(t, validationScript())
	srv := emulatortest.Start(t, tenantYAML(api)+"admin: {token: s3cret-admin}\n")
	if status := post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/users", nil, nil); status != 401 {
		t.Errorf("without the token: %d", status)
	}
	if status := post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/users", nil, nil, "Authorization", "Bearer wrong"); status != 401 {
		t.Errorf("a wrong token: %d", status)
	}
	if status := post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/users", nil, nil, "Authorization", "Bearer s3cret-admin"); status != 200 {
		t.Errorf("with the token: %d", status)
	}
	b := srv.NewBrowser(t)
	if page := b.Get("/_emulator/calls?token=s3cret-admin"); page.Status != 200 {
		t.Errorf("a browser with ?token=: %d", page.Status)
	}
	if page := b.Get("/_emulator/calls"); page.Status != 200 {
		t.Errorf("the browser's cookie: %d", page.Status)
	}
}

// TestDeterministicTokens: two emulators with the same key, seed and time give byte-identical
// tokens for the same run.
func TestDeterministicTokens(t *testing.T) {
	dir := t.TempDir()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	keyFile := filepath.Join(dir, "signing.pem")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600)
	api := startAPI(t, validationScript())
	cfg := tenantYAML(api) + "signingKeys: [{file: " + keyFile + "}]\ndeterministic: {seed: 42, time: 2030-06-01T12:00:00Z}\nserver: {publicUrl: \"http://b2c.test\"}\n"
	req := map[string]any{"clientId": clientID, "nonce": "n", "identityProvider": "facebook.com",
		"account": map[string]any{"issuerAssignedId": "fb-1"}, "attributes": []map[string]string{{"displayName": "John Smith"}}}
	one := emulatortest.Start(t, cfg)
	first := run(t, one, req)
	second := run(t, emulatortest.Start(t, cfg), req)
	if first.IDToken == "" || first.IDToken != second.IDToken {
		t.Errorf("tokens differ:\n%s\n%s", first.IDToken, second.IDToken)
	}
	// A reset emulator is a new one again: the same run gives the same token.
	post(t, one.Client, http.MethodPut, one.URL+"/_emulator/clock", map[string]any{"advance": "5m"}, nil)
	post(t, one.Client, http.MethodPost, one.URL+"/_emulator/reset", nil, nil)
	if third := run(t, one, req); third.IDToken != first.IDToken {
		t.Errorf("after reset the token differs:\n%s\n%s", first.IDToken, third.IDToken)
	}
}

// TestParallelSignUps: 100 headless and 10 page-driven sign-ups at once never see each other's
// state.
func TestParallelSignUps(t *testing.T) {
	srv, _ := start(t, &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1.0.0","action":"Continue"}` }})
	var wg sync.WaitGroup
	errs := make(chan string, 110)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			email := fmt.Sprintf("user%03d@fabrikam.com", i)
			out := run(t, srv, map[string]any{"clientId": clientID, "identityProvider": "facebook.com",
				"account": map[string]any{"issuerAssignedId": fmt.Sprint("p-", i), "email": email, "displayName": fmt.Sprint("User ", i)}})
			emails, _ := out.Claims["emails"].([]any)
			if out.Outcome != "token" || len(emails) != 1 || emails[0] != email || out.Claims["name"] != fmt.Sprint("User ", i) || len(out.Calls) != 2 {
				errs <- fmt.Sprintf("headless %d: %+v", i, out)
			}
		}(i)
	}
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			b := srv.NewBrowser(t)
			page := b.Get(authorizeURL(map[string][]string{"response_type": {"id_token"}, "nonce": {fmt.Sprint("b-", i)}}))
			page = b.Follow(page, "a#createAccount")
			email := fmt.Sprintf("page%02d@fabrikam.com", i)
			page = b.VerifyEmail(page, email)
			page = b.Submit(page, "button#continue", map[string]string{"email": email, "newPassword": "Passw0rd!", "reenterPassword": "Passw0rd!", "displayName": fmt.Sprint("Page ", i)})
			if page.Location == nil {
				errs <- fmt.Sprintf("browser %d: no redirect", i)
				return
			}
			frag := page.Location.Fragment
			if !strings.Contains(frag, "id_token=") {
				errs <- fmt.Sprintf("browser %d: %s", i, page.Location)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(srv.Em.Users.List()); n != 110 {
		t.Errorf("%d users, want 110", n)
	}
}
