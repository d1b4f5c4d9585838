package emulator_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// facebookJourney replaces the end of the Extensions' ClaimsProviders: a Facebook provider
// and a SignUpOrSignIn journey whose sign-in page offers it beside the local account.
const facebookJourney = `    <ClaimsProvider>
      <Domain>facebook.com</Domain>
      <DisplayName>Facebook</DisplayName>
      <TechnicalProfiles>
        <TechnicalProfile Id="Facebook-OAUTH">
          <DisplayName>Facebook</DisplayName>
          <Protocol Name="SAML2" />
          <Metadata><Item Key="PartnerEntity">https://idp.example/metadata</Item></Metadata>
          <OutputClaims><OutputClaim ClaimTypeReferenceId="email" PartnerClaimType="email" /></OutputClaims>
        </TechnicalProfile>
      </TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>
  <UserJourneys>
    <UserJourney Id="SignUpOrSignIn">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="CombinedSignInAndSignUp" ContentDefinitionReferenceId="api.signuporsignin">
          <ClaimsProviderSelections><ClaimsProviderSelection TargetClaimsExchangeId="FacebookExchange" /></ClaimsProviderSelections>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="FacebookExchange" TechnicalProfileReferenceId="Facebook-OAUTH" /></ClaimsExchanges>
        </OrchestrationStep>
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>`

// TestCustomPolicySocialButton: an identity provider of the unified page gets its button (the
// claims exchange id, the localized or display name); choosing it, whatever its protocol
// (here SAML 2.0), opens the fake identity provider page.
func TestCustomPolicySocialButton(t *testing.T) {
	edit := replaceIn(t, extensionsXML, `  </ClaimsProviders>`, facebookJourney)
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edit, "")
	b := srv.NewBrowser(t)
	page := b.Get(customAuthorize())
	if page.Doc.Find("button#FacebookExchange").Length() != 1 || page.Text("button#FacebookExchange") != "Facebook" || page.Doc.Find("#signInName").Length() != 1 {
		t.Fatalf("the unified page lacks the Facebook button or the local form:\n%s", page.Body)
	}
	// Local sign-up still works: step 2 has two exchanges and runs the one "Sign up now" chose.
	page = b.Follow(page, "a#createAccount")
	if page.Doc.Find("input#loyaltyId").Length() != 1 {
		t.Fatalf("sign-up page:\n%s", page.Body)
	}
	b2 := srv.NewBrowser(t)
	page = b2.Submit(b2.Get(customAuthorize()), "button#FacebookExchange", nil)
	if page.Doc.Find(`div#api[data-name=FakeIdentityProvider]`).Length() != 1 {
		t.Fatalf("not the fake identity provider page: %d\n%s", page.Status, page.Body)
	}
}

// TestCustomPolicySocialSignIn runs a SocialAndLocalAccounts-shaped journey: Facebook (OAuth
// 2.0) becomes the fake identity provider page; the first sign-in finds no user by
// alternativeSecurityId, asks for the profile pre-filled from the provider and writes the
// user; the second signs the same user in without a page.
func TestCustomPolicySocialSignIn(t *testing.T) {
	const ws = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
	for _, tc := range []struct {
		protocol string
		names    map[string]string // the profile's partner claim types in place of Facebook's
	}{
		{"OAuth2", nil},
		{"OAuth1", map[string]string{"id": "user_id", "name": "screen_name"}},
		{"SAML2", map[string]string{"id": "assertionSubjectName", "first_name": ws + "givenname", "last_name": ws + "surname",
			"name": ws + "name", "email": ws + "emailaddress"}},
	} {
		t.Run(tc.protocol, func(t *testing.T) { socialSignIn(t, tc.protocol, tc.names) })
	}
}

// socialSignIn runs the social journey with the Facebook profile switched to protocol and
// its partner claim types renamed.
func socialSignIn(t *testing.T, protocol string, names map[string]string) {
	ext := policyEdit(t, readTestdata(t, "social-extensions.xml"), `<Protocol Name="OAuth2" />`, `<Protocol Name="`+protocol+`" />`)
	for from, to := range names {
		ext = policyEdit(t, ext, `PartnerClaimType="`+from+`"`, `PartnerClaimType="`+to+`"`)
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, nil, facebookProvider, map[string]string{"SocialExtensions.xml": ext, "Social.xml": readTestdata(t, "social-rp.xml")})

	signIn := func() (*emulatortest.Browser, *emulatortest.Page) {
		b := srv.NewBrowser(t)
		page := b.Get(authorizeFor("B2C_1A_social"))
		if page.Doc.Find("button#FacebookExchange").Length() != 1 {
			t.Fatalf("no Facebook button:\n%s", page.Body)
		}
		page = b.Submit(page, "button#FacebookExchange", nil)
		if page.Doc.Find(`button.fixtureAccount[value="fb-42"]`).Length() != 1 {
			t.Fatalf("not the fake identity provider page:\n%s", page.Body)
		}
		return b, b.Submit(page, `button.fixtureAccount[value="fb-42"]`, nil)
	}
	b, page := signIn()
	if page.Doc.Find("input#displayName").AttrOr("value", "") != "Mia Chen" || page.Doc.Find("input#givenName").AttrOr("value", "") != "Mia" {
		t.Fatalf("the profile page is not pre-filled from the provider:\n%s", page.Body)
	}
	first := idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"displayName": "Mia C."}))
	if first["idp"] != "facebook.com" || first["name"] != "Mia C." || first["newUser"] != true || first["email"] != "mia@example.com" {
		t.Errorf("first sign-in claims = %v", first)
	}
	users := listUsers(t, srv)
	if len(users) != 1 || users[0]["objectId"] != first["sub"] {
		t.Fatalf("users = %v", users)
	}
	ids, _ := json.Marshal(users[0]["identities"])
	if !strings.Contains(string(ids), `"issuer":"facebook.com"`) || !strings.Contains(string(ids), `"issuerAssignedId":"fb-42"`) {
		t.Errorf("identities = %s", ids)
	}

	_, page = signIn()
	again := idToken(t, srv, page)
	if again["sub"] != first["sub"] || again["name"] != "Mia C." || again["newUser"] != nil {
		t.Errorf("returning sign-in claims = %v", again)
	}

	// domain_hint names the provider by its ClaimsProvider's Domain: no unified page.
	b = srv.NewBrowser(t)
	page = b.Get(authorizeFor("B2C_1A_social") + "&domain_hint=facebook.com")
	if page.Doc.Find(`button.fixtureAccount[value="fb-42"]`).Length() != 1 {
		t.Fatalf("domain_hint did not go to the provider:\n%s", page.Body)
	}
	if again := idToken(t, srv, b.Submit(page, `button.fixtureAccount[value="fb-42"]`, nil)); again["sub"] != first["sub"] {
		t.Errorf("domain_hint sign-in claims = %v", again)
	}
	if page := srv.NewBrowser(t).Get(authorizeFor("B2C_1A_social") + "&domain_hint=contoso.com"); page.Doc.Find("button#FacebookExchange").Length() != 1 {
		t.Errorf("an unknown domain_hint changed the page:\n%s", page.Body)
	}
}
