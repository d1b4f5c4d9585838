package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/emulator/store"
)

// TestBehaviour runs one table of cases against both engines — the test tenant's user flow
// (tenantYAML) and the loyalty example's custom policy (docs/examples/custom-policies) — each
// with the in-memory store and with dataDir (bbolt), as TestBehaviour/<engine>/<store>/<case>.
// A case drives the pages through a behaviourRun and asserts what a user or an application
// sees; where B2C's user flows and custom policies differ, the case says so and asserts each.
func TestBehaviour(t *testing.T) {
	for _, e := range []behaviourEngine{userFlowEngine{}, customPolicyEngine{}} {
		t.Run(e.name(), func(t *testing.T) {
			for _, store := range []string{"memory", "bbolt"} {
				t.Run(store, func(t *testing.T) {
					dataDir, users := "", 0
					if store == "bbolt" {
						dataDir = t.TempDir()
						// Registered before the server's, so it runs after the server has closed the file.
						t.Cleanup(func() { persisted(t, dataDir, users) })
					}
					run := &behaviourRun{behaviourEngine: e, srv: e.start(t, httptest.NewServer(behaviourService{}), dataDir)}
					for _, c := range behaviourCases {
						t.Run(c.name, func(t *testing.T) { c.run(t, run) })
					}
					users = len(listUsers(t, run.srv))
				})
			}
		})
	}
}

// persisted checks that dataDir's database holds the want users the cases left.
func persisted(t *testing.T, dataDir string, want int) {
	db, err := store.Open(filepath.Join(dataDir, "b2cemu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	users, err := store.OpenUsers(0, db)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(users.List()); got != want || want == 0 {
		t.Errorf("dataDir holds %d users, the emulator served %d", got, want)
	}
}

// The service's texts, the same for both engines.
const (
	refusedText = "That address is not accepted here."
	blockedText = "Sign-ups from this address are closed."
)

var behaviourCases = []struct {
	name string
	run  func(t *testing.T, r *behaviourRun)
}{
	{"sign-up", func(t *testing.T, r *behaviourRun) {
		b := r.srv.NewBrowser(t)
		page := b.Submit(r.signUpPage(t, b, "ana@example.com"), "button#continue", r.fields("ana@example.com", "Ana Lima"))
		claims, _ := r.tokens(t, page)
		user := r.user(t, "ana@example.com")
		if user == nil || claims["sub"] != user["objectId"] || claims["name"] != "Ana Lima" || claims["aud"] != clientID ||
			claims["tfp"] != strings.ToLower(r.policy()) || claims[r.serviceClaim()] == nil {
			t.Errorf("claims %v, user %v", claims, user)
		}
		// B2C differs: a user flow's application claims put the address in "emails" and mark
		// the sign-up with "newUser"; the example's relying party issues "email" and no newUser.
		if r.userFlow() {
			if emails, _ := claims["emails"].([]any); len(emails) != 1 || emails[0] != "ana@example.com" || claims["newUser"] != true {
				t.Errorf("user flow claims: emails %v, newUser %v", claims["emails"], claims["newUser"])
			}
		} else if claims["email"] != "ana@example.com" || claims["newUser"] != nil {
			t.Errorf("custom policy claims: email %v, newUser %v", claims["email"], claims["newUser"])
		}
	}},
	{"validation error kept on the page", func(t *testing.T, r *behaviourRun) {
		b := r.srv.NewBrowser(t)
		page := onPage(t, b.Submit(r.signUpPage(t, b, "refused-bo@example.com"), "button#continue", r.fields("refused-bo@example.com", "Bo Silva")))
		if got := page.Text("#claimVerificationServerError"); got != refusedText || !page.Visible("#claimVerificationServerError") {
			t.Fatalf("#claimVerificationServerError = %q\n%s", got, page.Body)
		}
		if page.Doc.Find("input#displayName").AttrOr("value", "") != "Bo Silva" || page.Doc.Find("input#email").AttrOr("value", "") != "refused-bo@example.com" {
			t.Errorf("the values were not kept:\n%s", page.Body)
		}
		if u := r.user(t, "refused-bo@example.com"); u != nil {
			t.Errorf("a refused user was written: %v", u)
		}
	}},
	{"block", func(t *testing.T, r *behaviourRun) {
		b := r.srv.NewBrowser(t)
		page := b.Submit(b.Get(r.authorize(r.blockPolicy(), nil)), "button#FacebookExchange", nil)
		page = b.Submit(page, `button.fixtureAccount[value="fb-2"]`, nil)
		// B2C differs: a user flow's connector answers ShowBlockPage and the user sees the block
		// page; a custom policy has no block page: the same refusal from a RESTful profile that
		// runs as an orchestration step ends the journey and goes back to the application as
		// server_error with an AADB2C90075 description (Microsoft's RESTful technical profile reference: there is no page to show it on).
		if r.userFlow() {
			if page = onPage(t, page); page.Doc.Find(`div#api[data-name=SelfAsserted]`).Length() != 1 || page.Text(".intro") != blockedText || page.Doc.Find("button#continue, form").Length() != 0 {
				t.Errorf("not the block page:\n%s", page.Body)
			}
		} else {
			q := r.answer(t, page)
			if q.Get("error") != "server_error" || !strings.HasPrefix(q.Get("error_description"), "AADB2C90075: "+blockedText) || q.Get("code") != "" {
				t.Errorf("the application got %v", q)
			}
		}
		if u := r.user(t, "fb-2"); u != nil {
			t.Errorf("a blocked user was written: %v", u)
		}
	}},
	{"cancel", func(t *testing.T, r *behaviourRun) {
		b := r.srv.NewBrowser(t)
		page := b.Submit(b.Follow(b.Get(r.authorize(r.policy(), nil)), "a#createAccount"), "button#cancel", nil)
		q := r.answer(t, page)
		if q.Get("error") != "access_denied" || !strings.HasPrefix(q.Get("error_description"), "AADB2C90091: ") || q.Get("state") != "st-1" {
			t.Errorf("the application got %v", q)
		}
	}},
	{"SSO", func(t *testing.T, r *behaviourRun) {
		b := r.srv.NewBrowser(t)
		first, _ := r.tokens(t, b.Submit(r.signUpPage(t, b, "sso@example.com"), "button#continue", r.fields("sso@example.com", "Sol")))
		// The same browser signs in again with no page: the authorize request answers with the code.
		again, _ := r.tokens(t, b.Get(r.authorize(r.policy(), url.Values{"nonce": {"n-2"}})))
		if again["sub"] != first["sub"] || again["nonce"] != "n-2" || again["name"] != "Sol" {
			t.Errorf("second sign-in claims = %v", again)
		}
		// prompt=login asks again: the unified page.
		if page := b.Get(r.authorize(r.policy(), url.Values{"prompt": {"login"}})); page.Doc.Find(`div#api[data-name=Unified]`).Length() != 1 {
			t.Errorf("prompt=login: not the unified page:\n%s", page.Body)
		}
	}},
	{"refresh", func(t *testing.T, r *behaviourRun) {
		b := r.srv.NewBrowser(t)
		first, refresh := r.tokens(t, b.Submit(r.signUpPage(t, b, "rf@example.com"), "button#continue", r.fields("rf@example.com", "Rafa")))
		form := r.credentials(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
		status, out := redeemAt(t, r.srv, r.path(r.policy()), form)
		if status != 200 || out["id_token"] == nil || out["refresh_token"] == nil || out["refresh_token"] == refresh {
			t.Fatalf("refresh grant: %d %v", status, out)
		}
		claims := r.srv.Verify(t, r.discovery(), out["id_token"].(string))
		if claims["sub"] != first["sub"] || claims["name"] != "Rafa" || claims["iat"] == nil {
			t.Errorf("refreshed claims = %v", claims)
		}
	}},
	{"the call inspector's record", func(t *testing.T, r *behaviourRun) {
		b := r.srv.NewBrowser(t)
		b.Submit(r.signUpPage(t, b, "refused-cy@example.com"), "button#continue", r.fields("refused-cy@example.com", "Cy"))
		var calls struct{ Calls []map[string]any }
		post(t, r.srv.Client, http.MethodGet, r.srv.URL+"/_emulator/calls?outcome=ValidationError", nil, &calls)
		var c map[string]any
		for _, call := range calls.Calls {
			if req, _ := call["request"].(map[string]any); req["email"] == "refused-cy@example.com" {
				c = call
			}
		}
		if c == nil {
			t.Fatalf("no ValidationError call for refused-cy@example.com among %v", calls.Calls)
		}
		// B2C differs: an API connector refuses with HTTP 400 and action ValidationError at
		// PostAttributeCollection; a RESTful validation profile refuses with HTTP 409.
		connector, step, status := "checks", "PostAttributeCollection", 400.0
		if !r.userFlow() {
			connector, step, status = "REST-ValidateProfile", "ValidationTechnicalProfile", 409
		}
		attempts, _ := c["attempts"].([]any)
		if c["connector"] != connector || c["step"] != step || c["userMessage"] != refusedText || len(attempts) != 1 ||
			attempts[0].(map[string]any)["status"] != status {
			t.Errorf("inspector record = %v", c)
		}
	}},
}

// behaviourEngine is what the cases need to know of an engine's tenant.
type behaviourEngine interface {
	name() string
	// start serves the engine's tenant, its service at api, keeping the directory in dataDir
	// ("" for memory).
	start(t *testing.T, api *httptest.Server, dataDir string) *emulatortest.Server
	userFlow() bool
	path(policy string) string // the policy's URL path: /{tenant}.onmicrosoft.com/{policy}
	policy() string            // the sign-up and sign-in policy
	blockPolicy() string       // the policy whose service blocks eve@evil.example after Facebook
	serviceClaim() string      // the claim the service adds to the token
	fields(email, name string) map[string]string
	credentials(form url.Values) url.Values // form with the application's client credentials
}

// behaviourRun drives an engine's pages for the cases.
type behaviourRun struct {
	behaviourEngine
	srv *emulatortest.Server
}

// authorize is the authorize URL of policy for the code flow with a refresh token.
func (r *behaviourRun) authorize(policy string, extra url.Values) string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid offline_access"},
		"response_type": {"code"}, "state": {"st-1"}, "nonce": {"n-1"}}
	for k, v := range extra {
		q[k] = v
	}
	return r.path(policy) + "/oauth2/v2.0/authorize?" + q.Encode()
}

func (r *behaviourRun) discovery() string {
	return r.srv.URL + r.path(r.policy()) + "/v2.0/.well-known/openid-configuration"
}

// signUpPage opens a new run's local sign-up page in b and verifies the address.
func (r *behaviourRun) signUpPage(t *testing.T, b *emulatortest.Browser, email string) *emulatortest.Page {
	t.Helper()
	return b.VerifyEmail(b.Follow(b.Get(r.authorize(r.policy(), nil)), "a#createAccount"), email)
}

// onPage fails the test unless p is a page of the emulator.
func onPage(t *testing.T, p *emulatortest.Page) *emulatortest.Page {
	t.Helper()
	if p.Doc == nil {
		t.Fatalf("a redirect to %s, not a page", p.Location)
	}
	return p
}

// answer is the query of the redirect to the application.
func (r *behaviourRun) answer(t *testing.T, p *emulatortest.Page) url.Values {
	t.Helper()
	if p.Location == nil || p.Location.Host != "app.test" {
		t.Fatalf("no redirect to the application: %d\n%s", p.Status, p.Body)
	}
	return p.Location.Query()
}

// tokens redeems the code the application got and returns the verified id_token's claims and
// the refresh token.
func (r *behaviourRun) tokens(t *testing.T, p *emulatortest.Page) (map[string]any, string) {
	t.Helper()
	q := r.answer(t, p)
	if q.Get("code") == "" || q.Get("state") != "st-1" {
		t.Fatalf("no code: %v", q)
	}
	form := r.credentials(url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {"http://app.test/callback"}})
	status, out := redeemAt(t, r.srv, r.path(r.policy()), form)
	if status != 200 || out["id_token"] == nil || out["refresh_token"] == nil {
		t.Fatalf("code redemption: %d %v", status, out)
	}
	return r.srv.Verify(t, r.discovery(), out["id_token"].(string)), out["refresh_token"].(string)
}

// user is the directory's user with an identity of that issuerAssignedId (a local account's
// address, a Facebook account's id), or nil.
func (r *behaviourRun) user(t *testing.T, id string) map[string]any {
	t.Helper()
	for _, u := range listUsers(t, r.srv) {
		if ids, _ := json.Marshal(u["identities"]); strings.Contains(string(ids), `"issuerAssignedId":"`+id+`"`) {
			return u
		}
	}
	return nil
}

// behaviourService is both engines' service: the user flow's API connector (/api/checks) and
// the custom policy's RESTful profiles (/api/ValidateProfile on the sign-up page,
// /api/Screen after Facebook). It decides by the address: one starting with "refused-" gets
// a validation error, one at evil.example is blocked, any other continues with a claim.
type behaviourService struct{}

func (behaviourService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	raw, _ := io.ReadAll(r.Body)
	json.Unmarshal(raw, &body)
	email, _ := body["email"].(string)
	refused, blocked := strings.HasPrefix(email, "refused-"), strings.HasSuffix(email, "@evil.example")
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/api/checks" && blocked:
		io.WriteString(w, `{"version":"1.0.0","action":"ShowBlockPage","userMessage":"`+blockedText+`"}`)
	case r.URL.Path == "/api/checks" && refused:
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"version":"1.0.0","action":"ValidationError","status":"400","userMessage":"`+refusedText+`"}`)
	case r.URL.Path == "/api/checks" && body["step"] == "PostAttributeCollection":
		io.WriteString(w, `{"version":"1.0.0","action":"Continue","jobTitle":"Checked"}`)
	case r.URL.Path == "/api/checks":
		io.WriteString(w, `{"version":"1.0.0","action":"Continue"}`)
	case refused || blocked:
		text := map[bool]string{true: refusedText, false: blockedText}[refused]
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, `{"version":"1.0.0","status":409,"code":"B-1","userMessage":"`+text+`","requestId":"r-1"}`)
	default:
		io.WriteString(w, `{"promoCode":"PROMO-1"}`)
	}
}

// userFlowEngine is the test tenant's sign-up and sign-in user flow, whose connector runs at
// PostFederationSignup and PostAttributeCollection.
type userFlowEngine struct{}

func (userFlowEngine) name() string   { return "userflow" }
func (userFlowEngine) userFlow() bool { return true }

func (userFlowEngine) start(t *testing.T, api *httptest.Server, dataDir string) *emulatortest.Server {
	t.Cleanup(api.Close)
	yaml := tenantYAML(api.URL)
	if dataDir != "" {
		yaml += "dataDir: " + dataDir + "\n"
	}
	return emulatortest.Start(t, yaml)
}

func (userFlowEngine) path(policy string) string { return "/fabrikamb2c.onmicrosoft.com/" + policy }
func (userFlowEngine) policy() string            { return "B2C_1_SignUpSignIn" }
func (userFlowEngine) blockPolicy() string       { return "B2C_1_SignUpSignIn" }
func (userFlowEngine) serviceClaim() string      { return "jobTitle" }

func (userFlowEngine) fields(email, name string) map[string]string {
	return map[string]string{"email": email, "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x", "displayName": name}
}

// credentials: the test tenant's web app is a confidential client.
func (userFlowEngine) credentials(form url.Values) url.Values {
	form.Set("client_id", clientID)
	form.Set("client_secret", "app-secret")
	return form
}

// customPolicyEngine is the loyalty example's B2C_1A_signup_signin, its REST validation
// profile calling the service, and a relying party on the social journey of testdata/ that
// screens a Facebook user with the service before anything is written.
type customPolicyEngine struct{}

func (customPolicyEngine) name() string   { return "custompolicy" }
func (customPolicyEngine) userFlow() bool { return false }

func (customPolicyEngine) start(t *testing.T, api *httptest.Server, dataDir string) *emulatortest.Server {
	t.Cleanup(api.Close)
	files := policyEdits(nil).apply(t, api.URL+"/api/ValidateProfile")
	files["SocialExtensions.xml"] = readTestdata(t, "social-extensions.xml")
	files["Screened.xml"] = policyEdit(t, screenedPolicy, "{service}", api.URL+"/api/Screen")
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	extra := `
identityProviders:
  - id: facebook.com
    displayName: Facebook
    accounts:
      - {issuerAssignedId: "fb-2", email: eve@evil.example, displayName: Eve}
`
	if dataDir != "" {
		extra += "dataDir: " + dataDir + "\n"
	}
	return startPolicies(t, dir, extra)
}

func (customPolicyEngine) path(policy string) string { return "/contoso.onmicrosoft.com/" + policy }
func (customPolicyEngine) policy() string            { return "B2C_1A_signup_signin" }
func (customPolicyEngine) blockPolicy() string       { return "B2C_1A_screened" }
func (customPolicyEngine) serviceClaim() string      { return "promoCode" }

func (customPolicyEngine) fields(email, name string) map[string]string {
	return map[string]string{"email": email, "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x", "displayName": name, "loyaltyId": "L-1"}
}

// credentials: the example's web app is a public client.
func (customPolicyEngine) credentials(form url.Values) url.Values {
	form.Set("client_id", clientID)
	return form
}

// screenedPolicy is a relying party on the social journey of testdata/ whose RESTful profile
// REST-Screen runs as an orchestration step right after Facebook, before the user is read,
// asked or written: the place of a user flow's PostFederationSignup connector.
const screenedPolicy = `<?xml version="1.0" encoding="utf-8"?>
<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06" PolicySchemaVersion="0.3.0.0"
    TenantId="contoso.onmicrosoft.com" PolicyId="B2C_1A_screened" PublicPolicyUri="http://contoso.onmicrosoft.com/B2C_1A_screened">
  <BasePolicy><TenantId>contoso.onmicrosoft.com</TenantId><PolicyId>B2C_1A_SocialExtensions</PolicyId></BasePolicy>
  <ClaimsProviders>
    <ClaimsProvider>
      <DisplayName>Screening</DisplayName>
      <TechnicalProfiles>
        <TechnicalProfile Id="REST-Screen">
          <DisplayName>Refuse the addresses the service does not accept</DisplayName>
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <Metadata>
            <Item Key="ServiceUrl">{service}</Item>
            <Item Key="SendClaimsIn">Body</Item>
            <Item Key="AuthenticationType">None</Item>
            <Item Key="AllowInsecureAuthInProduction">true</Item>
          </Metadata>
          <InputClaims><InputClaim ClaimTypeReferenceId="email" /></InputClaims>
          <UseTechnicalProfileForSessionManagement ReferenceId="SM-Noop" />
        </TechnicalProfile>
      </TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>
  <UserJourneys>
    <UserJourney Id="ScreenedSocialSignIn">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="CombinedSignInAndSignUp" ContentDefinitionReferenceId="api.signuporsignin">
          <ClaimsProviderSelections><ClaimsProviderSelection TargetClaimsExchangeId="FacebookExchange" /></ClaimsProviderSelections>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="FacebookExchange" TechnicalProfileReferenceId="Facebook-OAUTH" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="3" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="Screen" TechnicalProfileReferenceId="REST-Screen" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="4" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="AADUserReadUsingAlternativeSecurityId" TechnicalProfileReferenceId="AAD-UserReadUsingAlternativeSecurityId-NoError" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="5" Type="ClaimsExchange">
          <Preconditions><Precondition Type="ClaimsExist" ExecuteActionsIf="true"><Value>objectId</Value><Action>SkipThisOrchestrationStep</Action></Precondition></Preconditions>
          <ClaimsExchanges><ClaimsExchange Id="SelfAsserted-Social" TechnicalProfileReferenceId="SelfAsserted-Social" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="6" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
      <ClientDefinition ReferenceId="DefaultWeb" />
    </UserJourney>
  </UserJourneys>
  <RelyingParty>
    <DefaultUserJourney ReferenceId="ScreenedSocialSignIn" />
    <TechnicalProfile Id="PolicyProfile">
      <DisplayName>PolicyProfile</DisplayName>
      <Protocol Name="OpenIdConnect" />
      <OutputClaims>
        <OutputClaim ClaimTypeReferenceId="displayName" />
        <OutputClaim ClaimTypeReferenceId="email" />
        <OutputClaim ClaimTypeReferenceId="objectId" PartnerClaimType="sub" />
      </OutputClaims>
      <SubjectNamingInfo ClaimType="sub" />
    </TechnicalProfile>
  </RelyingParty>
</TrustFrameworkPolicy>
`
