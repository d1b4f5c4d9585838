package contract_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/contract"
	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const appID = "6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10"

// tenant is a tenant whose user flow collects built-in and custom attributes and calls one
// connector at all three steps.
const tenant = `
tenant:
  name: fabrikam
  id: 8d2e5a11-3c4f-4b6a-9e7d-1f2a3b4c5d6e
  extensionsAppId: 0c0b0a09-0807-4605-8403-020100fedcba
customAttributes:
  - {name: Plan, dataType: string}
  - {name: Seats, dataType: int}
  - {name: loyaltyNumber, dataType: string}
identityProviders:
  - id: google.com
    displayName: Google
    accounts:
      - {issuerAssignedId: g-7, email: ada@fabrikam.example, displayName: Ada Lovelace, givenName: Ada, surname: Lovelace}
      - {issuerAssignedId: g-8, email: bob@fabrikam.example, displayName: Bob Byte}
apiConnectors:
  - {name: hook, endpointUrl: "CONNECTOR/hook?code=k", authentication: {type: basic, username: u, password: p}}
  - {name: unused, endpointUrl: "CONNECTOR/unused", authentication: {type: none}}
applications:
  - {name: App, clientId: ` + appID + `, redirectUris: ["http://app.test/callback"]}
userFlows:
  - id: B2C_1_golden
    type: signUpOrSignIn
    identityProviders: [google.com, email]
    userAttributes:
      - {name: displayName, required: true}
      - {name: city}
      - {name: Plan}
      - {name: Seats}
    applicationClaims: [displayName, Plan, objectId]
    apiConnectors: {postFederationSignup: hook, postAttributeCollection: hook, preTokenIssuance: hook}
  - id: B2C_1_plain
    type: signUpOrSignIn
    identityProviders: [email]
  - id: B2C_1_signin
    type: signIn
    identityProviders: [email, google.com]
    applicationClaims: [displayName, objectId]
    apiConnectors: {preTokenIssuance: hook}
`

// hook pre-fills Plan, returns a misspelled and an uncollected claim before the user is
// created, and a claim that is no application claim before the token; it keeps every body.
type hook struct {
	mu     sync.Mutex
	bodies []string
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.bodies = append(h.bodies, string(b))
	h.mu.Unlock()
	var in struct{ Step string }
	json.Unmarshal(b, &in)
	w.Header().Set("Content-Type", "application/json")
	switch in.Step {
	case "PostFederationSignup":
		io.WriteString(w, `{"version":"1.0.0","action":"Continue","extension_Plan":"Gold"}`)
	case "PostAttributeCollection":
		io.WriteString(w, `{"version":"1.0.0","action":"Continue","extension_loyaltyNumbr":"L-1","extension_plan":"Gold","jobTitle":"Pilot"}`)
	default:
		io.WriteString(w, `{"version":"1.0.0","action":"Continue","city":"Paris"}`)
	}
}

func (h *hook) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := h.bodies
	h.bodies = nil
	return b
}

func start(t *testing.T) (*emulatortest.Server, *hook, *config.Config) {
	t.Helper()
	h := &hook{}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	srv := emulatortest.Start(t, strings.ReplaceAll(tenant, "CONNECTOR", ts.URL))
	cfg, err := config.Load(srv.Config, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return srv, h, cfg
}

// TestFlowBodiesAreARealRunsBodies: `connector test --flow` sends, byte for byte, the bodies
// a real sign-up of the same identity sends and the call inspector records: the identity
// provider's claims, the pre-filled and typed attributes, what the connector answered before,
// the flow's application. The golden file holds them (go test -update rewrites it).
func TestFlowBodiesAreARealRunsBodies(t *testing.T) {
	srv, h, cfg := start(t)
	b := srv.NewBrowser(t)
	authorize := "/fabrikam.onmicrosoft.com/B2C_1_golden/oauth2/v2.0/authorize?" + url.Values{"client_id": {appID},
		"redirect_uri": {"http://app.test/callback"}, "scope": {"openid"}, "response_type": {"id_token"}, "nonce": {"n"}}.Encode()
	page := b.Submit(b.Get(authorize), "button#GoogleExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="g-7"]`, nil)
	if end := b.Submit(page, "button#continue", map[string]string{"city": "Redmond", "extension_Seats": "42"}); end.Location == nil {
		t.Fatalf("the real run did not end at the application: %d\n%s", end.Status, end.Body)
	}
	real := h.take()
	var inspector struct {
		Calls []struct {
			Step    string
			Request json.RawMessage
		}
	}
	resp, err := srv.Client.Get(srv.URL + "/_emulator/calls")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&inspector)
	resp.Body.Close()

	var out strings.Builder
	ok, err := contract.Check(context.Background(), cfg, contract.Options{Flow: "b2c_1_golden"}, &out)
	if err != nil || !ok {
		t.Fatalf("check: %v %v\n%s", ok, err, out.String())
	}
	checked := h.take()
	if len(real) != 3 || len(checked) != 3 || len(inspector.Calls) != 3 {
		t.Fatalf("%d real bodies, %d checked, %d in the inspector", len(real), len(checked), len(inspector.Calls))
	}
	objectID := func(body string) string { // the real run's user has an id of its own
		var v struct{ ObjectID string }
		json.Unmarshal([]byte(body), &v)
		return v.ObjectID
	}
	for i, step := range []string{"PostFederationSignup", "PostAttributeCollection", "PreTokenIssuance"} {
		want := real[i]
		if id := objectID(want); id != "" {
			want = strings.Replace(want, id, "5f8a1c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b", 1)
		}
		rec := string(inspector.Calls[len(inspector.Calls)-1-i].Request) // newest first
		if !strings.Contains(want, `"step":"`+step+`"`) || rec != real[i] {
			t.Errorf("%s: the inspector recorded\n%s\nthe connector received\n%s", step, rec, real[i])
		}
		if checked[i] != want {
			t.Errorf("%s: connector test --flow sent\n%s\na real run sent\n%s", step, checked[i], want)
		}
	}
	golden := filepath.Join("testdata", "flow-bodies.txt")
	got := strings.Join(checked, "\n") + "\n"
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	if want, _ := os.ReadFile(golden); string(want) != got {
		t.Errorf("the bodies differ from %s (go test -update rewrites it):\n%s", golden, got)
	}
	for _, want := range []string{
		`warning: Claim "extension_loyaltyNumbr" names no attribute of the tenant: did you mean "extension_loyaltyNumber"?`,
		`warning: Claim "extension_plan" names no attribute of the tenant: did you mean "extension_Plan"?`,
		`warning: Claim "jobTitle" is not collected by the user flow B2C_1_golden, so B2C puts it in this sign-up's token (when it is an application claim) but does not store it`,
		`warning: Claim "city" is not an application claim of the user flow B2C_1_golden, so B2C leaves it out of the token`,
		"== the user flow B2C_1_golden: the run ends with a token",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestFlowOptions: --step, --connector, --idp, --account and --claims narrow and shape what
// the flow sends; a step not checked answers Continue without a call.
func TestFlowOptions(t *testing.T) {
	_, h, cfg := start(t)
	fixture := `{"displayName": "Ada L.", "extension_Seats": 3, "jobTitle": "Analyst", "email": null}`
	for _, tc := range []struct {
		name   string
		o      contract.Options
		bodies []string // each sent body contains these, in order
		end    string
	}{
		// PostFederationSignup is not called, so nothing pre-fills Plan: it is typed.
		{"one step", contract.Options{Flow: "B2C_1_golden", Steps: []apiconnector.Step{apiconnector.PostAttributeCollection}},
			[]string{`"city":"Redmond","extension_0c0b0a09080746058403020100fedcba_Plan":"sample Plan","extension_0c0b0a09080746058403020100fedcba_Seats":42,"step":"PostAttributeCollection"`}, "the run ends with a token"},
		{"another account, claims", contract.Options{Flow: "B2C_1_golden", Connector: "hook", Account: "g-8", Steps: []apiconnector.Step{apiconnector.PostFederationSignup, apiconnector.PostAttributeCollection}, Claims: []byte(fixture)},
			[]string{`{"identities":[{"signInType":"federated","issuer":"google.com","issuerAssignedId":"g-8"}],"displayName":"Bob Byte","jobTitle":"Analyst","step":"PostFederationSignup"`,
				`"displayName":"Ada L.","jobTitle":"Analyst","city":"Redmond","extension_0c0b0a09080746058403020100fedcba_Plan":"Gold","extension_0c0b0a09080746058403020100fedcba_Seats":3,"step":"PostAttributeCollection"`}, "the run ends with a token"},
		{"a local account", contract.Options{Flow: "B2C_1_golden", IdP: "email", UILocales: "es-ES"},
			[]string{`{"email":"jane.doe@fabrikam.com","identities":[{"signInType":"emailAddress","issuer":"fabrikam.onmicrosoft.com","issuerAssignedId":"jane.doe@fabrikam.com"}],"displayName":"Jane Doe","city":"Redmond","extension_0c0b0a09080746058403020100fedcba_Plan":"sample Plan","extension_0c0b0a09080746058403020100fedcba_Seats":42,"step":"PostAttributeCollection","client_id":"` + appID + `","ui_locales":"es-ES"}`,
				`"objectId":"5f8a1c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b","step":"PreTokenIssuance"`}, "the run ends with a token"},
		// A sign-in flow signs in a user made for the check: the token step only.
		{"a sign-in flow", contract.Options{Flow: "B2C_1_signin", Claims: []byte(`{"city": null}`)},
			[]string{`{"email":"ada@fabrikam.example","identities":[{"signInType":"federated","issuer":"google.com","issuerAssignedId":"g-7"}],"displayName":"Ada Lovelace","givenName":"Ada","surname":"Lovelace","jobTitle":"Engineer","streetAddress":"1 Main Street","postalCode":"98052","state":"WA","country":"United States","extension_0c0b0a09080746058403020100fedcba_Plan":"sample Plan","extension_0c0b0a09080746058403020100fedcba_Seats":42,"extension_0c0b0a09080746058403020100fedcba_loyaltyNumber":"sample loyaltyNumber","objectId":"5f8a1c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b","step":"PreTokenIssuance"`},
			"the run ends with a token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			ok, err := contract.Check(context.Background(), cfg, tc.o, &out)
			if err != nil || !ok {
				t.Fatalf("%v %v\n%s", ok, err, out.String())
			}
			sent := h.take()
			if len(sent) != len(tc.bodies) {
				t.Fatalf("sent %d bodies, want %d:\n%s", len(sent), len(tc.bodies), strings.Join(sent, "\n"))
			}
			for i, want := range tc.bodies {
				if !strings.Contains(sent[i], want) {
					t.Errorf("body %d\n%s\nlacks\n%s", i, sent[i], want)
				}
			}
			if !strings.Contains(out.String(), "== the user flow "+tc.o.Flow+": "+tc.end) ||
				tc.o.IdP == "email" && !strings.Contains(out.String(), "== PostFederationSignup → hook: not sent (B2C never calls it for local accounts)") {
				t.Errorf("output:\n%s", out.String())
			}
		})
	}
}

// TestFlowRefusals: what cannot be checked says why and what would work.
func TestFlowRefusals(t *testing.T) {
	_, h, cfg := start(t)
	for _, tc := range []struct {
		name string
		o    contract.Options
		want string
	}{
		{"unknown flow", contract.Options{Flow: "B2C_1_goldne"}, `no user flow "B2C_1_goldne" in the configuration; did you mean "B2C_1_golden"?; use one of: B2C_1_golden, B2C_1_plain, B2C_1_signin`},
		{"a flow without connectors", contract.Options{Flow: "B2C_1_plain"}, "the user flow B2C_1_plain calls no API connector"},
		{"a connector the flow does not call", contract.Options{Flow: "B2C_1_golden", Connector: "unused"},
			"the user flow B2C_1_golden does not call the connector unused; it calls PostFederationSignup: hook, PostAttributeCollection: hook, PreTokenIssuance: hook"},
		{"unknown connector", contract.Options{Flow: "B2C_1_golden", Connector: "hok"}, `no API connector named "hok" in the configuration; did you mean "hook"?`},
		{"a provider the flow does not offer", contract.Options{Flow: "B2C_1_golden", IdP: "gogle.com"}, `the user flow B2C_1_golden offers no identity provider "gogle.com"; did you mean "google.com"?; it offers: google.com, email`},
		{"unknown account", contract.Options{Flow: "B2C_1_golden", Account: "g-9"}, `the identity provider google.com has no fixture account "g-9"; did you mean "g-7"?`},
		{"a custom attribute the flow does not collect", contract.Options{Flow: "B2C_1_golden", Claims: []byte(`{"extension_loyaltyNumber": "L-1"}`)},
			`the claims file gives "extension_loyaltyNumber", which B2C_1_golden never sends: the flow does not collect it, and an identity provider gives no custom attribute`},
		{"a misspelled claim", contract.Options{Flow: "B2C_1_golden", Claims: []byte(`{"extension_Seat": 2}`)},
			`the claims file names "extension_Seat", which is not an attribute of the tenant; did you mean "extension_Seats"?`},
		{"local sign-up, uncollected", contract.Options{Flow: "B2C_1_golden", Local: true, Claims: []byte(`{"jobTitle": "x"}`)},
			`the claims file gives "jobTitle", which a local sign-up of B2C_1_golden never sends: the flow does not collect it`},
		{"unknown application", contract.Options{Flow: "B2C_1_golden", ClientID: "nope"}, `no application with the client id "nope"; use one of: ` + appID + ` (App)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := contract.Check(context.Background(), cfg, tc.o, io.Discard)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err %v\nwant %s", err, tc.want)
			}
			if sent := h.take(); len(sent) != 0 {
				t.Errorf("a refused check sent %d requests", len(sent))
			}
		})
	}
}

// TestFlowStopsWhereTheRunStops: a block page at PostFederationSignup ends the run there, as it
// does in B2C: nothing later is sent.
func TestFlowStopsWhereTheRunStops(t *testing.T) {
	blocked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"version":"1.0.0","action":"ShowBlockPage","userMessage":"Not here."}`)
	}))
	defer blocked.Close()
	path := filepath.Join(t.TempDir(), "b2cemu.yaml")
	os.WriteFile(path, []byte(strings.ReplaceAll(tenant, "CONNECTOR", blocked.URL)), 0o644)
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	ok, err := contract.Check(context.Background(), cfg, contract.Options{Flow: "B2C_1_golden"}, &out)
	if err != nil || !ok || strings.Count(out.String(), "\nPOST ") != 1 || !strings.Contains(out.String(), "== the user flow B2C_1_golden: B2C shows the block page: Not here.") ||
		!strings.Contains(out.String(), "== PostAttributeCollection → hook: not sent (the run does not reach it)") {
		t.Errorf("%v %v\n%s", ok, err, out.String())
	}
}
