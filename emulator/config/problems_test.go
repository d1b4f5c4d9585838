package config_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestProblemTexts pins the whole text of the problems every check reports, line numbers,
// keys and fixes included, one broken file per group of checks: the shape of the YAML (each
// kind of key and value), the top-level values and the user flows.
func TestProblemTexts(t *testing.T) {
	base := `identityProviders:
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
	cases := []struct{ name, yaml string }{
		{"shape", `server:
  addr: [a, b]
  tls:
    enabled: maybe
  Addr: x
  colour: x
  publicUrl: http://localhost:8080
  publicUrl: http://localhost:9090
tenant: contoso
dataDir:
userFlows: {}
policyKeys: [a]
policyCertificates:
  B2C_1A_Cert: notalist
inspector: {maxCalls: many}
apiConnectors:
  - name: a
    timeout: [5]
  - name: b
    timeout: 5
`},
		{"values", base + `signingKeys:
  - file: missing.pem
inspector: {maxCalls: 0}
passwords: {bcryptCost: 3}
branding:
  primaryColor: blue
  backgroundColor: "#12"
  logo: missing.png
deterministic:
  time: yesterday
  verificationCode: "12"
customPolicies:
  paths: [missing-policies]
  caFile: missing-ca.pem
  deploymentMode: Staging
policyCertificates:
  B2C_1A_Empty: []
  B2C_1A_Missing:
    - {file: missing.pfx, password: x}
compat:
  preTokenStep: PreToken
  preTokenClientIdKey: clientID
`},
		{"user flows", base + `customAttributes:
  - {name: loyaltyId}
userFlows:
  - id: signup
    type: signUp
    identityProviders: [email]
  - id: B2C_1_twice
    type: signUp
    identityProviders: [email]
  - id: b2c_1_TWICE
    type: signUp
    identityProviders: [email]
  - id: B2C_1_type
    type: signUpSignIn
    identityProviders: [email]
  - id: B2C_1_empty
    type: signUp
    identityProviders: []
  - id: B2C_1_phone
    type: passwordReset
    identityProviders: [email]
    localAccount: phone
  - id: B2C_1_local
    type: signUp
    identityProviders: [email, github.com]
    localAccount: username
    signInInputId: signInName
    userAttributes:
      - {name: displayName}
      - {name: shoeSize}
      - {name: displayName}
    applicationClaims: [displayName, email, extension_loyaltyId, loyaltyId, shoeSize]
    apiConnectors:
      postFederationSignup: api
      postAttributeCollection: nope
      preTokenIssuance: none
`},
		{"keep me signed in", base + `userFlows:
  - id: B2C_1_days
    type: signUpOrSignIn
    identityProviders: [email]
    session: {keepMeSignedIn: true, keepMeSignedInDays: 91}
  - id: B2C_1_off
    type: signIn
    identityProviders: [email]
    session: {keepMeSignedInDays: 7}
  - id: B2C_1_signup
    type: signUp
    identityProviders: [email]
    session: {keepMeSignedIn: true}
  - id: B2C_1_social
    type: signUpOrSignIn
    identityProviders: [facebook.com]
    session: {keepMeSignedIn: true}
  - id: B2C_1_legacy
    type: signIn
    identityProviders: [email]
    signInInputId: logonIdentifier
    session:
      keepMeSignedIn: true
      keepMeSignedInDays: 0
  - id: B2C_1_fine
    type: profileEdit
    identityProviders: [email]
    session: {keepMeSignedIn: true, keepMeSignedInDays: 90}
`},
	}
	var got strings.Builder
	for _, tt := range cases {
		dir := t.TempDir()
		path := filepath.Join(dir, "b2cemu.yaml")
		if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := config.Load(path, noEnv)
		if err == nil {
			t.Fatalf("%s: accepted", tt.name)
		}
		got.WriteString("== " + tt.name + " ==\n" + strings.ReplaceAll(err.Error(), dir, "<dir>") + "\n")
	}
	golden := filepath.Join("testdata", "problems.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("problems changed (go test -run TestProblemTexts -update rewrites %s):\n%s", golden, got.String())
	}
}
