package emulator_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestCustomPolicyPasswordResetAndProfileEdit runs the example's other relying parties:
// password reset (verify the address, set a new password, sign in with it) and profile edit
// (sign in, change the names, which the directory keeps).
func TestCustomPolicyPasswordResetAndProfileEdit(t *testing.T) {
	srv := startLoyalty(t, &loyaltyAPI{})
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "pr@contoso.com", "password": "Old-Passw0rd",
		"attributes": map[string]any{"displayName": "Pat", "givenName": "Pat"}}, nil); status != 201 {
		t.Fatalf("seeding: %d", status)
	}
	b := srv.NewBrowser(t)
	page := b.Get(authorizeFor("B2C_1A_PasswordReset"))
	if page.Doc.Find("#email_ver_but_send").Length() != 1 {
		t.Fatalf("not the address verification page:\n%s", page.Body)
	}
	page = verified(t, srv, b, page, "pr@contoso.com")
	page = b.Submit(page, "button#continue", nil)
	if page.Doc.Find("input#newPassword").Length() != 1 {
		t.Fatalf("not the new password page:\n%s", page.Body)
	}
	claims := idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"newPassword": "New-Passw0rd", "reenterPassword": "New-Passw0rd"}))
	if claims["email"] != "pr@contoso.com" || claims["sub"] == "" {
		t.Errorf("password reset claims = %v", claims)
	}

	b = srv.NewBrowser(t)
	page = b.Get(authorizeFor("B2C_1A_ProfileEdit"))
	if page.Doc.Find("input#signInName").Length() != 1 || page.Doc.Find("input#password").Length() != 1 {
		t.Fatalf("not the sign-in page of profile edit:\n%s", page.Body)
	}
	page = b.Submit(page, "button#continue", map[string]string{"signInName": "pr@contoso.com", "password": "Old-Passw0rd"})
	if got := page.Text("#claimVerificationServerError"); got != "Your password is incorrect." {
		t.Fatalf("the old password still works after the reset: %q", got)
	}
	page = b.Submit(page, "button#continue", map[string]string{"signInName": "pr@contoso.com", "password": "New-Passw0rd"})
	if page.Doc.Find("input#givenName").AttrOr("value", "") != "Pat" {
		t.Fatalf("the profile page is not pre-filled from the directory:\n%s", page.Body)
	}
	claims = idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"givenName": "Patricia", "surname": "Lee"}))
	if claims["given_name"] != "Patricia" || claims["family_name"] != "Lee" || claims["sub"] != listUsers(t, srv)[0]["objectId"] {
		t.Errorf("profile edit claims = %v", claims)
	}
	if attrs := listUsers(t, srv)[0]["attributes"].(map[string]any); attrs["givenName"] != "Patricia" || attrs["surname"] != "Lee" || attrs["displayName"] != "Pat" {
		t.Errorf("stored attributes = %v", attrs)
	}
}

// TestCustomPolicyRefreshJourney: a refresh token runs the relying party's RedeemRefreshToken
// journey: the directory is read again, the REST API's promoCode survives only because the
// example's Extensions list it in RefreshTokenReadAndSetup, email (set on sign-up only) does
// not, and revokeSignInSessions refuses refresh tokens issued more than five minutes before it.
func TestCustomPolicyRefreshJourney(t *testing.T) {
	kept := regexp.MustCompile(`(?s)\s*<ClaimsProvider>\s*<DisplayName>Refresh token journey</DisplayName>.*?</ClaimsProvider>`)
	dropKept := policyEdits{extensionsXML: func(s string) string { return policyEditRegexp(t, s, kept, "") }}
	for _, tc := range []struct {
		name      string
		edit      policyEdits
		wantPromo any
	}{
		{"promoCode kept", nil, "PROMO-L-9"},
		{"starter pack as is", dropKept, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, tc.edit, "")
			b := srv.NewBrowser(t)
			q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid offline_access"},
				"response_type": {"code"}, "nonce": {"n-1"}}
			page := verified(t, srv, b, b.Follow(b.Get(customPath+"/oauth2/v2.0/authorize?"+q.Encode()), "a#createAccount"), "rf@contoso.com")
			page = b.Submit(page, "button#continue", map[string]string{"email": "rf@contoso.com", "newPassword": "Passw0rd!x",
				"reenterPassword": "Passw0rd!x", "displayName": "Rafa", "loyaltyId": "L-9"})
			if page.Location == nil || page.Location.Query().Get("code") == "" {
				t.Fatalf("no code: %d\n%s", page.Status, page.Body)
			}
			status, out := redeemAt(t, srv, customPath, url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID},
				"code": {page.Location.Query().Get("code")}, "redirect_uri": {"http://app.test/callback"}})
			disco := srv.URL + customPath + "/v2.0/.well-known/openid-configuration"
			if status != 200 || out["refresh_token"] == nil {
				t.Fatalf("code redemption: %d %v", status, out)
			}
			signIn := srv.Verify(t, disco, out["id_token"].(string))
			if signIn["promoCode"] != "PROMO-L-9" || signIn["email"] != "rf@contoso.com" {
				t.Fatalf("sign-up claims = %v", signIn)
			}
			status, out = redeemAt(t, srv, customPath, url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {out["refresh_token"].(string)}})
			if status != 200 {
				t.Fatalf("refresh: %d %v", status, out)
			}
			refreshed := srv.Verify(t, disco, out["id_token"].(string))
			if refreshed["sub"] != signIn["sub"] || refreshed["name"] != "Rafa" || refreshed["promoCode"] != tc.wantPromo || refreshed["email"] != nil ||
				refreshed["tfp"] != "b2c_1a_signup_signin" || refreshed["tid"] != signIn["tid"] {
				t.Errorf("refreshed claims = %v", refreshed)
			}

			// Revoked ten minutes after the refresh token was issued: refused.
			post(t, srv.Client, http.MethodPut, srv.URL+"/_emulator/clock", map[string]any{"advance": "10m"}, nil)
			var revoked map[string]bool
			if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users/"+signIn["sub"].(string)+"/revokeSignInSessions", nil, &revoked); status != 200 || !revoked["value"] {
				t.Fatalf("revokeSignInSessions: %d %v", status, revoked)
			}
			status, out = redeemAt(t, srv, customPath, url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {out["refresh_token"].(string)}})
			if desc, _ := out["error_description"].(string); status != 400 || out["error"] != "invalid_grant" || !strings.HasPrefix(desc, "AADB2C90129: The provided grant has been revoked.") {
				t.Errorf("refresh after revocation: %d %v", status, out)
			}
			if !strings.Contains(srv.Log.String(), "AssertRefreshTokenIssuedLaterThanValidFromDate: refreshTokenIssuedOnDateTime") {
				t.Errorf("the log does not say why:\n%s", srv.Log.String())
			}
		})
	}
}

// TestCustomPolicyForgotPassword: the unified page's "Forgot your password?" link sends the
// user back to the application with AADB2C90118, as the starter packs do; the sign-in
// profile's setting.* metadata hides or moves the links, and
// setting.forgotPasswordLinkOverride runs an embedded password reset's claims exchange.
func TestCustomPolicyForgotPassword(t *testing.T) {
	t.Run("back to the application", func(t *testing.T) {
		srv := startLoyalty(t, &loyaltyAPI{})
		b := srv.NewBrowser(t)
		page := b.Get(customAuthorize())
		if page.Text(".password-label a#forgotPassword") != "Forgot your password?" {
			t.Fatalf("no link:\n%s", page.Body)
		}
		page = b.Follow(page, "a#forgotPassword")
		frag, _ := url.ParseQuery(page.Location.Fragment)
		if frag.Get("error") != "access_denied" || !strings.HasPrefix(frag.Get("error_description"), "AADB2C90118: The user has forgotten their password.") {
			t.Errorf("location = %v", page.Location)
		}
	})
	settings := func(items string) func(string) string {
		return func(s string) string {
			return policyEdit(t, s, `<Item Key="SignUpTarget">SignUpWithLogonEmailExchange</Item>`, `<Item Key="SignUpTarget">SignUpWithLogonEmailExchange</Item>`+items)
		}
	}
	t.Run("settings", func(t *testing.T) {
		srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, policyEdits{baseXML: settings(`<Item Key="setting.forgotPasswordLinkLocation">None</Item><Item Key="setting.showSignupLink">false</Item>`)}, "")
		page := srv.NewBrowser(t).Get(customAuthorize())
		if page.Doc.Find("#forgotPassword").Length() != 0 || page.Doc.Find("#createAccount").Length() != 0 || page.Doc.Find("#signInName").Length() != 1 {
			t.Errorf("links not hidden:\n%s", page.Body)
		}
		srv, _ = startLoyaltyIn(t, &loyaltyAPI{}, policyEdits{baseXML: settings(`<Item Key="setting.forgotPasswordLinkLocation">AfterButtons</Item>`)}, "")
		if page := srv.NewBrowser(t).Get(customAuthorize()); page.Doc.Find(".buttons + .forgot-password a#forgotPassword").Length() != 1 {
			t.Errorf("link not after the buttons:\n%s", page.Body)
		}
	})
	t.Run("embedded password reset", func(t *testing.T) {
		edit := func(s string) string {
			s = settings(`<Item Key="setting.forgotPasswordLinkOverride">ForgotPasswordExchange</Item>`)(s)
			s = policyEdit(t, s, `<ClaimsProviderSelection ValidationClaimsExchangeId="LocalAccountSigninEmailExchange" />`,
				`<ClaimsProviderSelection ValidationClaimsExchangeId="LocalAccountSigninEmailExchange" /><ClaimsProviderSelection TargetClaimsExchangeId="ForgotPasswordExchange" />`)
			return policyEdit(t, s, `<ClaimsExchange Id="SignUpWithLogonEmailExchange" TechnicalProfileReferenceId="LocalAccountSignUpWithLogonEmail" />`,
				`<ClaimsExchange Id="SignUpWithLogonEmailExchange" TechnicalProfileReferenceId="LocalAccountSignUpWithLogonEmail" /><ClaimsExchange Id="ForgotPasswordExchange" TechnicalProfileReferenceId="LocalAccountDiscoveryUsingEmailAddress" />`)
		}
		srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, policyEdits{baseXML: edit}, "")
		post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "fp@contoso.com", "password": "Old-Passw0rd"}, nil)
		b := srv.NewBrowser(t)
		page := b.Get(customAuthorize())
		if page.Doc.Find("button#ForgotPasswordExchange").Length() != 0 {
			t.Errorf("the override's exchange became a button:\n%s", page.Body)
		}
		page = b.Follow(page, "a#forgotPassword")
		if page.Doc.Find("#email_ver_but_send").Length() != 1 {
			t.Fatalf("not the password reset page:\n%s", page.Body)
		}
		claims := idToken(t, srv, b.Submit(verified(t, srv, b, page, "fp@contoso.com"), "button#continue", nil))
		if claims["sub"] != listUsers(t, srv)[0]["objectId"] {
			t.Errorf("claims = %v", claims)
		}
	})
}

// TestCustomPolicyEmbeddedPasswordReset: Microsoft's recommended self-service password reset:
// the sign-in profile's setting.forgotPasswordLinkOverride chooses the ForgotPassword
// exchange, whose claim makes the journey invoke the PasswordReset sub journey (Type Call),
// after which the journey goes on to the token with the new password set.
func TestCustomPolicyEmbeddedPasswordReset(t *testing.T) {
	edit := replaceIn(t, signUpXML, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" />`, `<DefaultUserJourney ReferenceId="CustomSignUpSignIn" />`)
	edit[extensionsXML] = func(s string) string {
		s = policyEdit(t, s, `    </ClaimsSchema>`, `      <ClaimType Id="isForgotPassword"><DisplayName>isForgotPassword</DisplayName><DataType>boolean</DataType></ClaimType>
    </ClaimsSchema>`)
		return policyEdit(t, s, `  </ClaimsProviders>`, `    <ClaimsProvider>
      <DisplayName>Local Account</DisplayName>
      <TechnicalProfiles>
        <TechnicalProfile Id="ForgotPassword">
          <DisplayName>Forgot your password?</DisplayName>
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.ClaimsTransformationProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <OutputClaims><OutputClaim ClaimTypeReferenceId="isForgotPassword" DefaultValue="true" AlwaysUseDefaultValue="true" /></OutputClaims>
          <UseTechnicalProfileForSessionManagement ReferenceId="SM-Noop" />
        </TechnicalProfile>
        <TechnicalProfile Id="SelfAsserted-LocalAccountSignin-Email">
          <Metadata><Item Key="setting.forgotPasswordLinkOverride">ForgotPasswordExchange</Item></Metadata>
        </TechnicalProfile>
      </TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>
  <SubJourneys>
    <SubJourney Id="PasswordReset" Type="Call">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="PasswordResetUsingEmailAddressExchange" TechnicalProfileReferenceId="LocalAccountDiscoveryUsingEmailAddress" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="NewCredentials" TechnicalProfileReferenceId="LocalAccountWritePasswordUsingObjectId" /></ClaimsExchanges>
        </OrchestrationStep>
      </OrchestrationSteps>
    </SubJourney>
  </SubJourneys>
  <UserJourneys>
    <UserJourney Id="CustomSignUpSignIn">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="CombinedSignInAndSignUp" ContentDefinitionReferenceId="api.signuporsignin">
          <ClaimsProviderSelections>
            <ClaimsProviderSelection ValidationClaimsExchangeId="LocalAccountSigninEmailExchange" />
            <ClaimsProviderSelection TargetClaimsExchangeId="ForgotPasswordExchange" />
          </ClaimsProviderSelections>
          <ClaimsExchanges><ClaimsExchange Id="LocalAccountSigninEmailExchange" TechnicalProfileReferenceId="SelfAsserted-LocalAccountSignin-Email" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange">
          <Preconditions><Precondition Type="ClaimsExist" ExecuteActionsIf="true"><Value>objectId</Value><Action>SkipThisOrchestrationStep</Action></Precondition></Preconditions>
          <ClaimsExchanges>
            <ClaimsExchange Id="SignUpWithLogonEmailExchange" TechnicalProfileReferenceId="LocalAccountSignUpWithLogonEmail" />
            <ClaimsExchange Id="ForgotPasswordExchange" TechnicalProfileReferenceId="ForgotPassword" />
          </ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="3" Type="InvokeSubJourney">
          <Preconditions><Precondition Type="ClaimsExist" ExecuteActionsIf="false"><Value>isForgotPassword</Value><Action>SkipThisOrchestrationStep</Action></Precondition></Preconditions>
          <JourneyList><Candidate SubJourneyReferenceId="PasswordReset" /></JourneyList>
        </OrchestrationStep>
        <OrchestrationStep Order="4" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="AADUserReadWithObjectId" TechnicalProfileReferenceId="AAD-UserReadUsingObjectId" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="5" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
      <ClientDefinition ReferenceId="DefaultWeb" />
    </UserJourney>
  </UserJourneys>`)
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edit, "")
	post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "sj@contoso.com", "password": "Old-Passw0rd",
		"attributes": map[string]any{"displayName": "Sam"}}, nil)
	b := srv.NewBrowser(t)
	page := b.Get(customAuthorize())
	if page.Doc.Find("button#ForgotPasswordExchange").Length() != 0 {
		t.Errorf("the forgot-password exchange became a button")
	}
	page = b.Follow(page, "a#forgotPassword")
	page = verified(t, srv, b, page, "sj@contoso.com")
	page = b.Submit(page, "button#continue", nil)
	if page.Doc.Find("input#newPassword").Length() != 1 {
		t.Fatalf("not the new password page of the sub journey:\n%s", page.Body)
	}
	claims := idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"newPassword": "N3w-Passw0rd", "reenterPassword": "N3w-Passw0rd"}))
	if claims["name"] != "Sam" || claims["sub"] != listUsers(t, srv)[0]["objectId"] {
		t.Errorf("claims after the sub journey = %v", claims)
	}
	b = srv.NewBrowser(t)
	if again := idToken(t, srv, b.Submit(b.Get(customAuthorize()), "button#next", map[string]string{"signInName": "sj@contoso.com", "password": "N3w-Passw0rd"})); again["sub"] != claims["sub"] {
		t.Errorf("sign-in with the new password: %v", again)
	}
}

// TestCustomPolicyDeleteOperations: the directory operations DeleteClaims (the persisted
// claims name the attributes to remove) and DeleteClaimsPrincipal (the account is deleted),
// in a relying-party file that declares its own profiles and journey.
func TestCustomPolicyDeleteOperations(t *testing.T) {
	rp := func(id, operation, persisted string) string {
		return `<?xml version="1.0" encoding="utf-8"?>
<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06" PolicySchemaVersion="0.3.0.0" TenantId="contoso.onmicrosoft.com" PolicyId="B2C_1A_` + id + `">
  <BasePolicy><PolicyId>B2C_1A_TrustFrameworkExtensions</PolicyId></BasePolicy>
  <ClaimsProviders><ClaimsProvider><DisplayName>Azure Active Directory</DisplayName><TechnicalProfiles>
    <TechnicalProfile Id="AAD-` + id + `">
      <Metadata><Item Key="Operation">` + operation + `</Item><Item Key="RaiseErrorIfClaimsPrincipalDoesNotExist">true</Item></Metadata>
      <InputClaims><InputClaim ClaimTypeReferenceId="objectId" Required="true" /></InputClaims>
      <PersistedClaims><PersistedClaim ClaimTypeReferenceId="objectId" />` + persisted + `</PersistedClaims>
      <IncludeTechnicalProfile ReferenceId="AAD-Common" />
    </TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
  <UserJourneys><UserJourney Id="J-` + id + `"><OrchestrationSteps>
    <OrchestrationStep Order="1" Type="CombinedSignInAndSignUp" ContentDefinitionReferenceId="api.signuporsignin">
      <ClaimsProviderSelections><ClaimsProviderSelection ValidationClaimsExchangeId="LocalAccountSigninEmailExchange" /></ClaimsProviderSelections>
      <ClaimsExchanges><ClaimsExchange Id="LocalAccountSigninEmailExchange" TechnicalProfileReferenceId="SelfAsserted-LocalAccountSignin-Email" /></ClaimsExchanges>
    </OrchestrationStep>
    <OrchestrationStep Order="2" Type="ClaimsExchange"><ClaimsExchanges><ClaimsExchange Id="Op" TechnicalProfileReferenceId="AAD-` + id + `" /></ClaimsExchanges></OrchestrationStep>
    <OrchestrationStep Order="3" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
  </OrchestrationSteps></UserJourney></UserJourneys>
  <RelyingParty>
    <DefaultUserJourney ReferenceId="J-` + id + `" />
    <TechnicalProfile Id="PolicyProfile"><DisplayName>PolicyProfile</DisplayName><Protocol Name="OpenIdConnect" />
      <OutputClaims><OutputClaim ClaimTypeReferenceId="objectId" PartnerClaimType="sub" /><OutputClaim ClaimTypeReferenceId="givenName" /></OutputClaims>
      <SubjectNamingInfo ClaimType="sub" />
    </TechnicalProfile>
  </RelyingParty>
</TrustFrameworkPolicy>`
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, nil, "", map[string]string{
		"Forget.xml": rp("forget_names", "DeleteClaims", `<PersistedClaim ClaimTypeReferenceId="givenName" />`),
		"Delete.xml": rp("delete_account", "DeleteClaimsPrincipal", ""),
	})
	post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "del@contoso.com", "password": "Passw0rd!x",
		"attributes": map[string]any{"displayName": "Del", "givenName": "Dell"}}, nil)
	signIn := func(policy string) *emulatortest.Page {
		b := srv.NewBrowser(t)
		return b.Submit(b.Get(authorizeFor(policy)), "button#next", map[string]string{"signInName": "del@contoso.com", "password": "Passw0rd!x"})
	}
	forgot := idToken(t, srv, signIn("B2C_1A_forget_names"))
	attrs := listUsers(t, srv)[0]["attributes"].(map[string]any)
	if _, kept := attrs["givenName"]; kept || attrs["displayName"] != "Del" {
		t.Errorf("after DeleteClaims: %v", attrs)
	}
	if deleted := idToken(t, srv, signIn("B2C_1A_delete_account")); deleted["sub"] != forgot["sub"] || len(listUsers(t, srv)) != 0 {
		t.Errorf("after DeleteClaimsPrincipal: token %v, users %v", deleted, listUsers(t, srv))
	}
	if got := signIn("B2C_1A_delete_account").Text(".error.pageLevel"); got != "We can't seem to find your account." {
		t.Errorf("signing in to the deleted account: %q", got)
	}
}
