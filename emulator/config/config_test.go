package config_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/connector/connectortest"
)

func noEnv(string) string { return "" }

func TestDemoLoads(t *testing.T) {
	cfg, err := config.Load("", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Tenant.Name != "contoso" || len(cfg.UserFlows) != 5 || cfg.Server.Addr != "127.0.0.1:8080" {
		t.Errorf("demo = %+v", cfg)
	}
}

func TestDefaultsAndEnvironment(t *testing.T) {
	env := map[string]string{"B2CEMU_SERVER_ADDR": "127.0.0.1:0", "B2CEMU_TENANT_NAME": "fabrikam", "B2CEMU_COMPAT_PRETOKENSTEP": "PreTokenApplicationClaims",
		"B2CEMU_ADMIN_TOKEN": "t0ken", "B2CEMU_DETERMINISTIC_SEED": "42", "B2CEMU_DETERMINISTIC_TIME": "2026-01-01T00:00:00Z", "B2CEMU_BRANDING_COMPANYNAME": "Fabrikam"}
	cfg, err := config.Load(write(t, "userFlows: []\n"), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.Addr != "127.0.0.1:0" || cfg.Tenant.Name != "fabrikam" || cfg.Compat.PreTokenStep != "PreTokenApplicationClaims" {
		t.Errorf("overrides not applied: %+v", cfg)
	}
	if cfg.Admin.Token != "t0ken" || cfg.Deterministic.Seed != 42 || cfg.Deterministic.Time != "2026-01-01T00:00:00Z" || cfg.Branding.CompanyName != "Fabrikam" {
		t.Errorf("documented overrides not applied: admin %+v, deterministic %+v, branding %+v", cfg.Admin, cfg.Deterministic, cfg.Branding)
	}
	if cfg.Tenant.ID == "" || cfg.Compat.PreTokenClientIDKey != "client_id" || cfg.CustomPolicies.DeploymentMode != "Development" {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	for _, k := range config.EnvKeys() {
		if !strings.HasPrefix(config.EnvName(k), "B2CEMU_") {
			t.Errorf("env name of %s = %s", k, config.EnvName(k))
		}
	}
}

func TestPolicyKeySecretFromEnvironment(t *testing.T) {
	env := map[string]string{"B2CEMU_POLICYKEYS_B2C_1A_RESTAPIPASSWORD": "from-env"}
	cfg, err := config.Load(write(t, "policyKeys:\n  B2C_1A_RestApiUsername: b2c\n  B2C_1A_RestApiPassword: \"\"\n"), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PolicyKeys["b2c_1a_restapipassword"] != "from-env" || cfg.PolicyKeys["b2c_1a_restapiusername"] != "b2c" {
		t.Errorf("policyKeys = %v", cfg.PolicyKeys)
	}
}

func TestJSONAndDurations(t *testing.T) {
	cfg, err := config.Load(write(t, `{"apiConnectors":[{"name":"a","endpointUrl":"https://x.example/api?code=1","authentication":{"type":"none"},"timeout":"750ms","retries":0}]}`), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.APIConnectors[0]
	if a.Timeout != 750*time.Millisecond || a.Retries == nil || *a.Retries != 0 {
		t.Errorf("connector = %+v", a)
	}
}

func TestEveryProblemAtOnce(t *testing.T) {
	_, err := config.Load(write(t, `
tenant:
  name: Contoso
  id: nope
userFlows:
  - id: B2C_1_x
    type: signUpOrSignIn
    identityProviders: [github.com]
`), noEnv)
	perr, ok := err.(*config.Error)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	if len(perr.Problems) != 3 {
		t.Errorf("problems = %v", perr)
	}
	if !strings.Contains(err.Error(), "3 configuration problems") || !strings.Contains(err.Error(), "line 3: tenant.name") {
		t.Errorf("message:\n%s", err)
	}
}

// TestBrokenConfigs gives each broken configuration the exact problem it gets.
func TestBrokenConfigs(t *testing.T) {
	base := `
identityProviders:
  - id: facebook.com
apiConnectors:
  - name: api
    endpointUrl: https://api.example/validate
    authentication: {type: basic, username: u, password: p}
applications:
  - name: app
    clientId: 6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10
    redirectUris: [/jwt]
`
	files := brokenFiles(t)
	tests := []struct {
		name, yaml, want string
	}{
		{"yaml syntax", "server: [", `not valid YAML or JSON`},
		{"key given twice", "tenant: {name: a}\ntenant: {name: b}", `line 2: tenant: is given twice (first at line 1); keep one`},
		{"unknown top-level key", "tenants: {}", `line 1: tenants: unknown key "tenants"; did you mean "tenant"?`},
		{"unknown nested key, wrong case", "server:\n  Addr: x", `line 2: server.Addr: unknown key "Addr"; did you mean "addr"?`},
		{"unknown key without a near name", "server:\n  colour: x", `server.colour: unknown key "colour"; known keys here: addr, publicUrl, tls`},
		{"bool", "server:\n  tls:\n    enabled: maybe", `line 3: server.tls.enabled: "maybe" is not true or false`},
		{"duration", "apiConnectors:\n  - {name: a, endpointUrl: /x, authentication: {type: none}, timeout: 5}", `apiConnectors[0].timeout: "5" is not a duration such as 5s or 500ms`},
		{"int", "apiConnectors:\n  - {name: a, endpointUrl: /x, authentication: {type: none}, retries: once}", `apiConnectors[0].retries: "once" is not a whole number`},
		{"list expected", "userFlows: {}", `userFlows: a mapping is not a list`},
		{"mapping expected", "tenant: contoso", `tenant: "contoso" is not a mapping of keys`},
		{"address", "server:\n  addr: 8080", `server.addr: "8080" is not host:port`},
		{"public url", "server:\n  publicUrl: localhost:8080", `server.publicUrl: "localhost:8080" is not an absolute http(s) URL`},
		{"tls with one file", "server:\n  tls:\n    enabled: true\n    certFile: c.pem", `server.tls: give both certFile and keyFile, or neither`},
		{"token lifetime", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], tokens: {lifetime: 2m}}", `userFlows[0].tokens.lifetime: 2m0s is out of range; B2C allows 5m to 24h`},
		{"refresh lifetime", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], tokens: {refreshTokenLifetime: 2400h}}", `userFlows[0].tokens.refreshTokenLifetime: 2400h0m0s is out of range`},
		{"sliding window", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], tokens: {slidingWindow: forever}}", `userFlows[0].tokens.slidingWindow: "forever" is not a sliding window type; use bounded or noExpiry`},
		{"issuer format", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], tokens: {issuerFormat: v1}}", `userFlows[0].tokens.issuerFormat: "v1" is not an issuer format`},
		{"sign-in input id", base + "userFlows:\n  - {id: B2C_1_x, type: signUpOrSignIn, identityProviders: [email], signInInputId: signInName}", `userFlows[0].signInInputId: "signInName" is not a sign-in input id; use email`},
		{"mfa method", base + "userFlows:\n  - {id: B2C_1_x, type: signUpOrSignIn, identityProviders: [email], mfa: {method: voice, enforcement: always}}", `userFlows[0].mfa.method: "voice" is not an MFA method; use emailOtp, sms, phoneCall, smsOrPhoneCall or totp`},
		{"mfa enforcement", base + "userFlows:\n  - {id: B2C_1_x, type: signUpOrSignIn, identityProviders: [email], mfa: {method: sms, enforcement: sometimes}}", `userFlows[0].mfa.enforcement: "sometimes" is not an MFA enforcement; use off, always or conditional`},
		{"mfa method of a password reset", base + "userFlows:\n  - {id: B2C_1_x, type: passwordReset, identityProviders: [email], mfa: {method: text, enforcement: always}}", `line 13: userFlows[0].mfa.method: "text" is not an MFA method; use emailOtp, sms, phoneCall, smsOrPhoneCall or totp`},
		{"mfa enforcement of a profile edit", base + "userFlows:\n  - {id: B2C_1_x, type: profileEdit, identityProviders: [email], mfa: {method: totp, enforcement: on}}", `line 13: userFlows[0].mfa.enforcement: "on" is not an MFA enforcement; use off, always or conditional`},
		{"email mfa of phone accounts", base + "userFlows:\n  - {id: B2C_1_x, type: signUpOrSignIn, identityProviders: [email], localAccount: phone, mfa: {method: emailOtp, enforcement: always}}", `line 13: userFlows[0].mfa.method: b2cemu does not yet enrol an address for the email code of phone accounts (localAccount: phone); use totp`},
		{"default mfa method of phone accounts", base + "userFlows:\n  - {id: B2C_1_x, type: signUpOrSignIn, identityProviders: [email], localAccount: phone, mfa: {enforcement: conditional}}", `line 13: userFlows[0].mfa.method: is not given, and its default smsOrPhoneCall is not offered with phone accounts (localAccount: phone); give method: totp`},
		{"phone mfa of phone accounts", base + "userFlows:\n  - {id: B2C_1_x, type: signIn, identityProviders: [email], localAccount: phone, mfa: {method: sms, enforcement: always}}", `line 13: userFlows[0].mfa.method: sms is not offered with phone accounts (localAccount: phone), whose number is the first factor; use emailOtp or totp`},
		{"local account type", base + "userFlows:\n  - {id: B2C_1_x, type: signUpOrSignIn, identityProviders: [email], localAccount: username}", `userFlows[0].localAccount: "username" is not a local account type; use email (the default) or phone`},
		{"page template", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], pageLayout: {template: oceanGreen}}", `userFlows[0].pageLayout.template: "oceanGreen" is not a page template; use oceanBlue (the default), slateGray or classic`},
		{"custom page name", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], pageLayout: {customPageUri: {signin: p.html}}}", `userFlows[0].pageLayout.customPageUri.signin: "signin" is not a page of a user flow's page layouts; use one of: error, idpSelection, localAccountSignUp, socialAccountSignUp, unified`},
		{"custom page off loopback", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], pageLayout: {customPageUri: {unified: 'https://contoso.blob.core.windows.net/p/unified.html?sv=1&sig=s3cret'}}}", `userFlows[0].pageLayout.customPageUri.unified: "https://contoso.blob.core.windows.net/p/unified.html" is not on loopback; b2cemu loads custom page content only from a file or from localhost, 127.0.0.1 or [::1]`},
		{"custom page file", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], pageLayout: {customPageUri: {unified: pages/none.html}}}", `userFlows[0].pageLayout.customPageUri.unified: "pages/none.html" cannot be read as a file`},
		{"custom page scheme", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], pageLayout: {customPageUri: {unified: 'ftp://127.0.0.1/p.html'}}}", `userFlows[0].pageLayout.customPageUri.unified: "ftp://127.0.0.1/p.html" is neither a file nor an http(s) URL`},
		{"policy claim", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], tokens: {policyClaim: policy}}", `userFlows[0].tokens.policyClaim: "policy" is not a policy claim; use tfp or acr`},
		{"identifier uri", "applications:\n  - {name: api, clientId: 6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10, redirectUris: [/jwt], identifierUri: 'api://tasks'}", `applications[0].identifierUri: "api://tasks" is not an App ID URI`},
		{"scopes without identifier uri", "applications:\n  - {name: api, clientId: 6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10, redirectUris: [/jwt], scopes: [read]}", `applications[0].scopes: need identifierUri`},
		{"tls file missing", "server:\n  tls: {enabled: true, certFile: nope.pem, keyFile: nope.key}", `server.tls.certFile: "nope.pem" cannot be read`},
		{"tenant name", "tenant:\n  name: Contoso", `tenant.name: "Contoso" is not a tenant name`},
		{"tenant id", "tenant:\n  id: 123", `tenant.id: "123" is not a GUID`},
		{"extensions app id", "tenant:\n  extensionsAppId: b2c", `tenant.extensionsAppId: "b2c" is not a GUID`},
		{"signing key missing", "signingKeys:\n  - file: nope.pem", `signingKeys[0].file: "nope.pem" cannot be read`},
		{"custom attribute name", "customAttributes:\n  - name: loyalty-number", `customAttributes[0].name: "loyalty-number" is not a custom attribute name`},
		{"custom attribute shadows a built-in", "customAttributes:\n  - name: city", `customAttributes[0].name: "city" is a built-in attribute`},
		{"custom attribute twice", "customAttributes:\n  - name: A\n  - name: A", `customAttributes[1].name: "A" is declared twice`},
		{"custom attribute type", "customAttributes:\n  - name: A\n    dataType: date", `customAttributes[0].dataType: "date" is not a user-flow data type; use string, int or boolean`},
		{"idp id empty", "identityProviders:\n  - displayName: X", `identityProviders[0].id: is empty`},
		{"idp id email", "identityProviders:\n  - id: email", `identityProviders[0].id: "email" is the built-in local account provider`},
		{"idp account without id", "identityProviders:\n  - id: x.com\n    accounts:\n      - email: a@b.c", `identityProviders[0].accounts[0].issuerAssignedId: is empty`},
		{"connector name twice", "apiConnectors:\n  - {name: a, endpointUrl: /x, authentication: {type: none}}\n  - {name: a, endpointUrl: /x, authentication: {type: none}}", `apiConnectors[1].name: "a" is declared twice`},
		{"connector url", "apiConnectors:\n  - {name: a, endpointUrl: 'ftp://x', authentication: {type: none}}", `apiConnectors[0].endpointUrl: "ftp://x" is not an absolute http(s) URL`},
		{"connector basic without password", "apiConnectors:\n  - {name: a, endpointUrl: /x, authentication: {username: u}}", `apiConnectors[0].authentication: type basic needs username and password`},
		{"connector auth type", "apiConnectors:\n  - {name: a, endpointUrl: /x, authentication: {type: apikey}}", `apiConnectors[0].authentication.type: "apikey" is not an authentication type; use basic, certificate or none`},
		{"certificate without certificates", "apiConnectors:\n  - {name: a, endpointUrl: 'https://x.example', authentication: {type: certificate}}", `apiConnectors[0].authentication.certificates: type certificate needs at least one certificate`},
		{"certificate file missing", "apiConnectors:\n  - {name: a, endpointUrl: 'https://x.example', authentication: {type: certificate, certificates: [{file: nope.pfx}]}}", `apiConnectors[0].authentication.certificates[0].file: "nope.pfx" cannot be read`},
		{"ca file missing", "apiConnectors:\n  - {name: a, endpointUrl: 'https://x.example', authentication: {type: none}, caFile: ca.pem}", `apiConnectors[0].caFile: "ca.pem" cannot be read`},
		{"inspector size", "inspector:\n  maxCalls: 0", `inspector.maxCalls: 0 is out of range`},
		{"connector retries", "apiConnectors:\n  - {name: a, endpointUrl: /x, authentication: {type: none}, retries: 9}", `apiConnectors[0].retries: 9 is out of range; use 0 to 5`},
		{"application without client id", "applications:\n  - name: x\n    redirectUris: [/jwt]", `applications[0].clientId: is empty`},
		{"application without redirect uris", "applications:\n  - {name: x, clientId: 6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10}", `applications[0].redirectUris: is empty`},
		{"application redirect uri", "applications:\n  - {name: x, clientId: 6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10, redirectUris: ['jwt']}", `applications[0].redirectUris[0]: "jwt" is not an absolute http(s) URL`},
		{"flow id", base + "userFlows:\n  - {id: signup, type: signUp, identityProviders: [email]}", `userFlows[0].id: "signup" is not a user flow name; user flows are named B2C_1_<name>`},
		{"flow type", base + "userFlows:\n  - {id: B2C_1_x, type: signin, identityProviders: [email]}", `userFlows[0].type: "signin" is not a user flow type; use signUpOrSignIn, signUp, signIn, passwordReset or profileEdit`},
		{"sign-in flow with postFederationSignup", base + "userFlows:\n  - {id: B2C_1_x, type: signIn, identityProviders: [email], apiConnectors: {postFederationSignup: api}}",
			`userFlows[0].apiConnectors.postFederationSignup: a signIn user flow creates no users, so postFederationSignup never runs; remove it, or make the flow type signUpOrSignIn`},
		{"sign-in flow with postAttributeCollection", base + "userFlows:\n  - {id: B2C_1_x, type: signIn, identityProviders: [email], apiConnectors: {postAttributeCollection: api}}",
			`userFlows[0].apiConnectors.postAttributeCollection: a signIn user flow creates no users, so postAttributeCollection never runs`},
		{"sign-in flow with attributes", base + "userFlows:\n  - {id: B2C_1_x, type: signIn, identityProviders: [email], userAttributes: [{name: city}]}",
			`userFlows[0].userAttributes: a signIn user flow collects no attributes; remove userAttributes, or make the flow type signUpOrSignIn`},
		{"password reset with a social provider", base + "userFlows:\n  - {id: B2C_1_x, type: passwordReset, identityProviders: [email, facebook.com]}",
			`userFlows[0].identityProviders[1]: "facebook.com": a passwordReset user flow resets local account passwords only; list just email`},
		{"password reset without verification", base + "userFlows:\n  - {id: B2C_1_x, type: passwordReset, identityProviders: [email], emailVerification: false}",
			`userFlows[0].emailVerification: a passwordReset user flow always verifies the email`},
		{"password reset with a connector", base + "userFlows:\n  - {id: B2C_1_x, type: passwordReset, identityProviders: [email], apiConnectors: {preTokenIssuance: api}}",
			`userFlows[0].apiConnectors.preTokenIssuance: API connectors run in sign-up and sign-in user flows only, not in a passwordReset flow`},
		{"profile edit with a connector", base + "userFlows:\n  - {id: B2C_1_x, type: profileEdit, identityProviders: [email], apiConnectors: {postAttributeCollection: api}}",
			`userFlows[0].apiConnectors.postAttributeCollection: API connectors run in sign-up and sign-in user flows only, not in a profileEdit flow`},
		{"flow without providers", base + "userFlows:\n  - {id: B2C_1_x, type: signUp}", `userFlows[0].identityProviders: is empty`},
		{"flow provider", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [google.com]}", `userFlows[0].identityProviders[0]: "google.com" is not a configured identity provider; use email or one of: facebook.com`},
		{"flow attribute", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], userAttributes: [{name: Loyalty}]}", `userFlows[0].userAttributes[0].name: "Loyalty" is not a built-in or custom attribute`},
		{"flow claim", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], applicationClaims: [email]}", `userFlows[0].applicationClaims[0]: "email" is not an application claim`},
		{"flow connector", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email], apiConnectors: {postAttributeCollection: apii}}", `userFlows[0].apiConnectors.postAttributeCollection: "apii" is not a configured API connector; use one of: api`},
		{"flow twice", base + "userFlows:\n  - {id: B2C_1_x, type: signUp, identityProviders: [email]}\n  - {id: b2c_1_X, type: signUp, identityProviders: [email]}", `userFlows[1].id: "b2c_1_X" is declared twice`},
		{"compat step", "compat:\n  preTokenStep: PreToken", `compat.preTokenStep: "PreToken" is not a token-step name`},
		{"compat client id key", "compat:\n  preTokenClientIdKey: clientID", `compat.preTokenClientIdKey: "clientID" is not a client id key; use client_id or clientId`},
		{"branding colour", "branding:\n  primaryColor: blue", `branding.primaryColor: "blue" is not a hex colour`},
		{"branding logo", "branding:\n  logo: logo.bmp", `branding.logo: "logo.bmp" cannot be read`},
		{"branding background", "branding:\n  backgroundImage: sea.png", `branding.backgroundImage: "sea.png" cannot be read`},
		{"deterministic time", "deterministic:\n  time: yesterday", `deterministic.time: "yesterday" is not an RFC 3339 time`},
		{"fixed verification code", "deterministic:\n  verificationCode: 12ab", `deterministic.verificationCode: "12ab" is not a verification code; use 4 to 10 digits, e.g. "000000" (quoted in YAML)`},
		{"custom policy folder missing", "customPolicies:\n  paths: [policies/]", `customPolicies.paths[0]: "policies/" cannot be read`},
		{"deployment mode", "customPolicies:\n  deploymentMode: Staging", `customPolicies.deploymentMode: "Staging" is not a deployment mode`},
		{"client id not a GUID", "applications:\n  - name: x\n    clientId: my-app\n    redirectUris: [/jwt]",
			`line 3: applications[0].clientId: "my-app" is not a GUID; B2C application (client) ids are GUIDs: use the app registration's id, e.g. 6b1c1a4e-`},
		{"client certificate not a PFX", "apiConnectors:\n  - name: a\n    endpointUrl: 'https://x.example'\n    authentication:\n      type: certificate\n      certificates:\n        - file: garbage.pfx",
			`line 7: apiConnectors[0].authentication.certificates[0].file: "garbage.pfx": not a PKCS#12 (PFX) file; export the certificate with its private key as a .pfx`},
		{"client certificate in PEM", "apiConnectors:\n  - name: a\n    endpointUrl: 'https://x.example'\n    authentication:\n      type: certificate\n      certificates:\n        - file: cacert.pem",
			`line 7: apiConnectors[0].authentication.certificates[0].file: "cacert.pem": holds PEM, not PKCS#12 (PFX)`},
		{"client certificate fix", "apiConnectors:\n  - name: a\n    endpointUrl: 'https://x.example'\n    authentication:\n      type: certificate\n      certificates:\n        - file: garbage.pfx",
			`; export the certificate with its private key as a .pfx, e.g. openssl pkcs12 -export -in cert.pem -inkey key.pem -out client.pfx`},
		{"client certificate password", "apiConnectors:\n  - name: a\n    endpointUrl: 'https://x.example'\n    authentication:\n      type: certificate\n      certificates:\n        - {file: client.pfx, password: not-it}",
			`line 7: apiConnectors[0].authentication.certificates[0].password: is not the password of "client.pfx"; set the password the PFX was exported with`},
		{"client certificate is a folder", "apiConnectors:\n  - name: a\n    endpointUrl: 'https://x.example'\n    authentication:\n      type: certificate\n      certificates:\n        - file: folder",
			`line 7: apiConnectors[0].authentication.certificates[0].file: "folder" is a folder; give the path of a PKCS#12 (.pfx) file`},
		{"policy certificate not a PFX", "policyCertificates:\n  B2C_1A_Cert:\n    - file: garbage.pfx",
			`line 3: policyCertificates.B2C_1A_Cert[0].file: "garbage.pfx": not a PKCS#12 (PFX) file`},
		{"ca file without a certificate", "apiConnectors:\n  - name: a\n    endpointUrl: 'https://x.example'\n    authentication: {type: none}\n    caFile: ec.pem",
			`line 5: apiConnectors[0].caFile: "ec.pem" holds no PEM certificate; give the CA certificates in PEM (-----BEGIN CERTIFICATE-----), converting a DER file with openssl x509 -inform der`},
		{"policy ca file without a certificate", "customPolicies:\n  caFile: garbage.pfx",
			`line 2: customPolicies.caFile: "garbage.pfx" holds no PEM certificate`},
		{"EC signing key", "signingKeys:\n  - file: ec.pem",
			`line 2: signingKeys[0].file: "ec.pem": holds an EC private key; B2C signs tokens with RS256, which needs an RSA key: make one with openssl genrsa -out signing.pem 2048`},
		{"EC signing key in PKCS#8", "signingKeys:\n  - file: ec8.pem",
			`line 2: signingKeys[0].file: "ec8.pem": holds an EC private key; B2C signs tokens with RS256`},
		{"EC signing key from openssl ecparam", "signingKeys:\n  - file: ecparam.pem",
			`line 2: signingKeys[0].file: "ecparam.pem": holds an EC private key; B2C signs tokens with RS256`},
		{"signing key is a certificate", "signingKeys:\n  - file: cacert.pem",
			`line 2: signingKeys[0].file: "cacert.pem": holds a CERTIFICATE, not a private key`},
		{"signing key not PEM", "signingKeys:\n  - file: garbage.pfx",
			`line 2: signingKeys[0].file: "garbage.pfx": no PEM block found`},
		{"data dir is a file", "dataDir: garbage.pfx",
			`line 1: dataDir: "garbage.pfx" is a file; give a folder for b2cemu.db (it is created when missing), or leave dataDir empty`},
		{"data dir under a file", "dataDir: garbage.pfx/data",
			`line 1: dataDir: "garbage.pfx/data" cannot be created: "`},
		{"every interface without a token", "server:\n  addr: 0.0.0.0:0",
			`line 2: server.addr: "0.0.0.0:0" listens on every network interface and admin.token is empty, so anyone who can reach it could use the admin API (export users with their password hashes, reset, re-send connector calls); set admin.token (or B2CEMU_ADMIN_TOKEN), or listen on a loopback address such as 127.0.0.1:8080`},
		{"empty host without a token", "server:\n  addr: ':8080'", `line 2: server.addr: ":8080" listens on every network interface and admin.token is empty`},
		{"IPv6 any without a token", "server:\n  addr: '[::]:0'", `line 2: server.addr: "[::]:0" listens on every network interface and admin.token is empty`},
		{"a LAN address without a token", "server:\n  addr: 192.0.2.10:8080", `line 2: server.addr: "192.0.2.10:8080" listens on an address other machines can reach and admin.token is empty`},
		{"a host name without a token", "server:\n  addr: b2cemu.internal:8080", `server.addr: "b2cemu.internal:8080" listens on an address other machines can reach`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, tt.yaml)
			for name, data := range files {
				if data == nil {
					os.Mkdir(filepath.Join(filepath.Dir(path), name), 0o755)
				} else {
					os.WriteFile(filepath.Join(filepath.Dir(path), name), data, 0o600)
				}
			}
			_, err := config.Load(path, noEnv)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message:\n%s\nlacks:\n%s", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), path+":") {
				t.Errorf("message does not name the file: %s", err)
			}
		})
	}
}

// TestFlowTypesLoad: every B2C user-flow type loads, the sign-in flow with the token step's
// connector, the password reset and profile editing flows with their MFA settings.
func TestFlowTypesLoad(t *testing.T) {
	path := write(t, `
identityProviders:
  - id: facebook.com
apiConnectors:
  - {name: enrich, endpointUrl: /x, authentication: {type: none}}
userFlows:
  - {id: B2C_1_signin, type: signIn, identityProviders: [email, facebook.com], apiConnectors: {preTokenIssuance: enrich}}
  - {id: B2C_1_reset, type: passwordReset, identityProviders: [email], mfa: {method: sms, enforcement: always}}
  - {id: B2C_1_edit, type: profileEdit, identityProviders: [email, facebook.com], userAttributes: [{name: displayName, required: true}, {name: city}],
     mfa: {method: totp, enforcement: conditional}}
`)
	cfg, err := config.Load(path, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, f := range cfg.UserFlows {
		types = append(types, f.Type)
	}
	if got := strings.Join(types, ","); got != "signIn,passwordReset,profileEdit" {
		t.Errorf("types %s", got)
	}
	if reset, edit := cfg.UserFlows[1].MFA, cfg.UserFlows[2].MFA; reset != (config.MFA{Method: "sms", Enforcement: "always"}) ||
		edit != (config.MFA{Method: "totp", Enforcement: "conditional"}) {
		t.Errorf("mfa of the reset %+v, of the edit %+v", reset, edit)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "nope.yaml"), noEnv)
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("err = %v", err)
	}
}

func TestBadEnvironmentValue(t *testing.T) {
	_, err := config.Load(write(t, ""), func(k string) string {
		if k == "B2CEMU_SERVER_TLS_ENABLED" {
			return "sometimes"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "B2CEMU_") {
		t.Errorf("err = %v", err)
	}
}

func write(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "b2cemu.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// brokenFiles are the key and certificate files the broken configurations name, by file
// name; nil is a folder.
func brokenFiles(t *testing.T) map[string][]byte {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sec1, _ := x509.MarshalECPrivateKey(ec)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(ec)
	pki := connectortest.NewPKI(t)
	now := time.Now()
	return map[string][]byte{
		"garbage.pfx": []byte("not a certificate"),
		"cacert.pem":  pki.CAPEM(),
		"client.pfx":  pki.ClientPFX(t, "client", now, now.Add(time.Hour), "right"),
		"ec.pem":      pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}),
		"ec8.pem":     pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
		"ecparam.pem": append(pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}}),
			pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})...), // openssl ecparam -genkey
		"folder": nil,
	}
}

// TestAdminAPIOffLoopback: the admin API is refused beyond loopback without admin.token, from
// the file, the environment and a flag alike; nothing here listens.
func TestAdminAPIOffLoopback(t *testing.T) {
	tests := []struct {
		name, yaml string
		env        map[string]string
		flag       string
		want       string // "" = accepted
	}{
		{"loopback IPv4", "server: {addr: '127.0.0.1:0'}", nil, "", ""},
		{"loopback 127/8", "server: {addr: '127.0.0.2:0'}", nil, "", ""},
		{"loopback IPv6", "server: {addr: '[::1]:0'}", nil, "", ""},
		{"localhost", "server: {addr: 'localhost:0'}", nil, "", ""},
		{"every interface with a token", "server: {addr: '0.0.0.0:0'}\nadmin: {token: t0ken}", nil, "", ""},
		{"every interface with the token from the environment", "server: {addr: '0.0.0.0:0'}", map[string]string{"B2CEMU_ADMIN_TOKEN": "t0ken"}, "", ""},
		{"the environment", "", map[string]string{"B2CEMU_SERVER_ADDR": "0.0.0.0:0"}, "",
			"\n  server.addr (set by B2CEMU_SERVER_ADDR): \"0.0.0.0:0\" listens on every network interface and admin.token is empty"},
		{"the flag", "server: {addr: '127.0.0.1:0'}", nil, ":0",
			"\n  server.addr (set by --addr): \":0\" listens on every network interface"},
		{"the flag wins over the file", "server: {addr: '0.0.0.0:0'}", nil, "127.0.0.1:0", ""},
		{"the flag wins over the environment", "", map[string]string{"B2CEMU_SERVER_ADDR": "127.0.0.1:0"}, "[::]:0", "server.addr (set by --addr): \"[::]:0\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var overrides []config.Override
			if tt.flag != "" {
				overrides = append(overrides, config.Override{Key: "server.addr", Value: tt.flag, From: "--addr"})
			}
			_, err := config.Load(write(t, tt.yaml), func(k string) string { return tt.env[k] }, overrides...)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestShippedConfigsLoad: the demo tenant and every example configuration in docs/ load.
func TestShippedConfigsLoad(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "docs", "examples", "*", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no example configurations found")
	}
	for _, f := range append(files, "") {
		if filepath.Base(filepath.Dir(f)) == "dex" {
			continue // dex's own configuration, for the side-by-side benchmark
		}
		if _, err := config.Load(f, noEnv); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestDocumentedProblems loads the example file of docs/configuration.md#errors and expects
// the output printed there: an unknown key and two wrong values, in one error.
func TestDocumentedProblems(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Errors\n")
	if !ok {
		t.Fatal("docs/configuration.md has no Errors section")
	}
	_, rest, _ := strings.Cut(section, "```yaml\n")
	file, rest, _ := strings.Cut(rest, "```")
	_, rest, _ = strings.Cut(rest, "```\n")
	want, _, _ := strings.Cut(rest, "```")
	if file == "" || want == "" {
		t.Fatal("the Errors section lost its example file or output")
	}
	path := write(t, file)
	_, err = config.Load(path, noEnv)
	if err == nil {
		t.Fatal("the example loads without problems")
	}
	got := strings.TrimPrefix(err.Error(), filepath.Dir(path)+string(filepath.Separator))
	if got != strings.TrimSuffix(want, "\n") {
		t.Errorf("the example gives\n%s\nthe documentation shows\n%s", got, want)
	}
}

// TestKeepMeSignedInLoads: the session settings B2C takes load, with the days a flow's Keep
// me signed in session lasts (30 when the flow names none, 0 when the flow offers none).
func TestKeepMeSignedInLoads(t *testing.T) {
	for _, tt := range []struct {
		name, flow string
		days       int
	}{
		{"off by default", `{id: B2C_1_f, type: signUpOrSignIn, identityProviders: [email]}`, 0},
		{"on, default days", `{id: B2C_1_f, type: signUpOrSignIn, identityProviders: [email], session: {keepMeSignedIn: true}}`, 30},
		{"sign-in flow, one day", `{id: B2C_1_f, type: signIn, identityProviders: [email], session: {keepMeSignedIn: true, keepMeSignedInDays: 1}}`, 1},
		{"profile editing, 90 days", `{id: B2C_1_f, type: profileEdit, identityProviders: [email, facebook.com], session: {keepMeSignedIn: true, keepMeSignedInDays: 90}}`, 90},
		{"explicitly off", `{id: B2C_1_f, type: signUp, identityProviders: [email], session: {keepMeSignedIn: false}}`, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Load(write(t, "identityProviders: [{id: facebook.com}]\nuserFlows:\n  - "+tt.flow+"\n"), noEnv)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.UserFlows[0].KeepMeSignedIn(); got != tt.days {
				t.Errorf("KeepMeSignedIn() = %d days, want %d", got, tt.days)
			}
		})
	}
}
