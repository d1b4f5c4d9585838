package emulator_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator"
	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/connector/connectortest"
	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// certTenant is a tenant whose connector authenticates with client certificates over mutual
// TLS; dir holds the PFX files and the CA.
func certTenant(url, dir string) string {
	return `
tenant: {name: fabrikamb2c, id: 11111111-2222-4333-8444-555555555555, extensionsAppId: aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee}
identityProviders:
  - id: facebook.com
    accounts: [{issuerAssignedId: "fb-1", email: john@fabrikam.com, displayName: John Smith}]
apiConnectors:
  - name: mtls
    endpointUrl: ` + url + `/api?code=secret-key
    authentication:
      type: certificate
      certificates:
        - {file: ` + filepath.Join(dir, "old.pfx") + `, password: old-pw}
        - {file: ` + filepath.Join(dir, "new.pfx") + `, password: new-pw}
        - {file: ` + filepath.Join(dir, "future.pfx") + `, password: future-pw}
    caFile: ` + filepath.Join(dir, "ca.pem") + `
applications:
  - {name: app, clientId: ` + clientID + `, redirectUris: ["http://app.test/callback"]}
userFlows:
  - id: B2C_1_SignUpSignIn
    type: signUpOrSignIn
    identityProviders: [facebook.com]
    userAttributes: [{name: displayName, required: true}]
    applicationClaims: [displayName, jobTitle]
    apiConnectors: {postAttributeCollection: mtls}
`
}

func TestSignUpWithAClientCertificateConnector(t *testing.T) {
	pki := connectortest.NewPKI(t)
	api := pki.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"version":"1.0.0","action":"Continue","jobTitle":"`+r.TLS.PeerCertificates[0].Subject.CommonName+`"}`)
	}), true)
	dir := t.TempDir()
	now := time.Now()
	os.WriteFile(filepath.Join(dir, "old.pfx"), pki.ClientPFX(t, "old", now.Add(-48*time.Hour), now.Add(48*time.Hour), "old-pw"), 0o600)
	os.WriteFile(filepath.Join(dir, "new.pfx"), pki.ClientPFX(t, "new", now.Add(-time.Hour), now.Add(10*24*time.Hour), "new-pw"), 0o600)
	os.WriteFile(filepath.Join(dir, "future.pfx"), pki.ClientPFX(t, "future", now.Add(time.Hour), now.Add(90*24*time.Hour), "future-pw"), 0o600)
	os.WriteFile(filepath.Join(dir, "ca.pem"), pki.CAPEM(), 0o600)

	srv := emulatortest.Start(t, certTenant(api.URL, dir))
	if !strings.Contains(srv.Log.String(), "client certificate expires soon") {
		t.Errorf("no warning for certificates expiring within 30 days:\n%s", srv.Log.String())
	}
	b := srv.NewBrowser(t)
	page := b.Get(authorizeURL(nil))
	page = b.Submit(page, `button#facebookcomExchange`, nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)
	page = b.Submit(page, "button#continue", nil)
	if page.Location == nil {
		t.Fatalf("no redirect:\n%s", page.Body)
	}
	status, tok := redeem(t, srv, map[string][]string{"grant_type": {"authorization_code"}, "code": {page.Location.Query().Get("code")}, "client_id": {clientID}})
	if status != 200 {
		t.Fatalf("token: %d %v", status, tok)
	}
	claims := emulatortest.Verify(t, srv.URL+policyPath+"/v2.0/.well-known/openid-configuration", tok["id_token"].(string))
	if claims["jobTitle"] != "new" {
		t.Errorf("the API saw certificate %v, want the newest valid one", claims["jobTitle"])
	}

	// The inspector recorded the call without the API key.
	resp, err := http.Get(srv.URL + "/_emulator/calls")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var calls struct{ Calls []map[string]any }
	json.Unmarshal(raw, &calls)
	if len(calls.Calls) != 1 || calls.Calls[0]["outcome"] != "Continue" || strings.Contains(string(raw), "secret-key") {
		t.Errorf("inspector: %s", raw)
	}
}

// TestBadClientCertificatesAreConfigurationProblems: certificate files that cannot be used are
// configuration problems with their lines, found by the loader and, for files that changed
// since, by New; no message shows a PFX password.
func TestBadClientCertificatesAreConfigurationProblems(t *testing.T) {
	pki := connectortest.NewPKI(t)
	dir := t.TempDir()
	now := time.Now()
	good := func() {
		os.WriteFile(filepath.Join(dir, "old.pfx"), pki.ClientPFX(t, "old", now, now.Add(time.Hour), "old-pw"), 0o600)
		os.WriteFile(filepath.Join(dir, "new.pfx"), pki.ClientPFX(t, "new", now, now.Add(time.Hour), "new-pw"), 0o600)
		os.WriteFile(filepath.Join(dir, "future.pfx"), pki.ClientPFX(t, "f", now, now.Add(time.Hour), "future-pw"), 0o600)
		os.WriteFile(filepath.Join(dir, "ca.pem"), pki.CAPEM(), 0o600)
	}
	bad := func() {
		os.WriteFile(filepath.Join(dir, "old.pfx"), pki.ClientPFX(t, "old", now, now.Add(time.Hour), "right"), 0o600)
		os.WriteFile(filepath.Join(dir, "new.pfx"), []byte("not a pfx"), 0o600)
		os.WriteFile(filepath.Join(dir, "ca.pem"), []byte("not PEM"), 0o600)
	}
	path := filepath.Join(dir, "b2cemu.yaml")
	os.WriteFile(path, []byte(certTenant("https://127.0.0.1:1", dir)), 0o600)
	check := func(err error, wants ...string) {
		t.Helper()
		var perr *config.Error
		if !errors.As(err, &perr) || len(perr.Problems) != len(wants) {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "old-pw") || strings.Contains(err.Error(), "future-pw") {
			t.Errorf("the error shows a PFX password:\n%s", err)
		}
		for _, want := range wants {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%s", want, err)
			}
		}
	}
	good()
	bad()
	_, err := config.Load(path, func(string) string { return "" })
	check(err,
		`line 12: apiConnectors[0].authentication.certificates[0].password: is not the password of`,
		`line 13: apiConnectors[0].authentication.certificates[1].file: "`+filepath.Join(dir, "new.pfx")+`": not a PKCS#12`,
		`line 15: apiConnectors[0].caFile: "`+filepath.Join(dir, "ca.pem")+`" holds no PEM certificate`)

	good()
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	bad()
	_, err = emulator.New(cfg, emulator.Options{BaseURL: "http://127.0.0.1:1"})
	check(err,
		`line 12: apiConnectors[0].authentication.certificates[0].password: is not the password of`,
		`line 13: apiConnectors[0].authentication.certificates[1].file: "`+filepath.Join(dir, "new.pfx")+`": not a PKCS#12`,
		`apiConnectors[0].caFile:`)
}

// clientCertificateEdit makes the loyalty profile call url with AuthenticationType
// ClientCertificate and the key B2C_1A_RestApiClientCertificate.
func clientCertificateEdit(t testing.TB, url string) policyEdits {
	edits := restAuthentication(t, `<Item Key="AuthenticationType">ClientCertificate</Item>`, `<Key Id="ClientCertificate" StorageReferenceId="B2C_1A_RestApiClientCertificate" />`)
	auth := edits[extensionsXML]
	edits[extensionsXML] = func(s string) string {
		return auth(policyEditRegexp(t, s, regexp.MustCompile(`<Item Key="ServiceUrl">[^<]*</Item>`), `<Item Key="ServiceUrl">`+url+`</Item>`))
	}
	return edits
}

// TestCustomPolicyClientCertificate: a RESTful profile with AuthenticationType
// ClientCertificate presents its policy key's certificate over real mutual TLS, trusting the
// API's CA through customPolicies.caFile; a profile naming a key the configuration lacks is a
// load error.
func TestCustomPolicyClientCertificate(t *testing.T) {
	pki := connectortest.NewPKI(t)
	api := &loyaltyAPI{}
	var mu sync.Mutex
	var presented []string
	tlsAPI := pki.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		presented = append(presented, r.TLS.PeerCertificates[0].Subject.CommonName)
		mu.Unlock()
		api.ServeHTTP(w, r)
	}), true)
	dir := t.TempDir()
	now := time.Now()
	os.WriteFile(filepath.Join(dir, "client.pfx"), pki.ClientPFX(t, "b2c-policy-key", now.Add(-time.Hour), now.Add(90*24*time.Hour), "pfx-pw"), 0o600)
	os.WriteFile(filepath.Join(dir, "ca.pem"), pki.CAPEM(), 0o600)
	extra := `  caFile: ` + filepath.Join(dir, "ca.pem") + `
policyCertificates:
  B2C_1A_RestApiClientCertificate:
    - file: ` + filepath.Join(dir, "client.pfx") + `
      password: pfx-pw
`
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, clientCertificateEdit(t, tlsAPI.URL+"/api/loyalty"), extra)
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "mt@contoso.com")
	claims := idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"email": "mt@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "loyaltyId": "L-8"}))
	mu.Lock()
	defer mu.Unlock()
	if claims["promoCode"] != "PROMO-L-8" || len(presented) != 1 || presented[0] != "b2c-policy-key" {
		t.Errorf("claims %v, certificates presented %v", claims, presented)
	}

	// The same policy without the key: refused at load, naming the profile and the fix.
	cfgDir := t.TempDir()
	files := clientCertificateEdit(t, tlsAPI.URL).apply(t, tlsAPI.URL)
	for _, name := range []string{baseXML, localizationXML, extensionsXML, signUpXML} {
		os.WriteFile(filepath.Join(cfgDir, name), []byte(files[name]), 0o600)
	}
	path := filepath.Join(cfgDir, "b2cemu.yaml")
	os.WriteFile(path, []byte("customPolicies:\n  paths: [.]\n"), 0o600)
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	_, err = emulator.New(cfg, emulator.Options{BaseURL: "http://127.0.0.1:1"})
	if err == nil || !strings.Contains(err.Error(), `TechnicalProfile Id="REST-ValidateProfile" uses AuthenticationType ClientCertificate with the key "B2C_1A_RestApiClientCertificate", which policyCertificates does not hold`) {
		t.Errorf("err = %v", err)
	}
}
