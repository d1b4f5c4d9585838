package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// displayControlEdits turn the example's sign-up page to a VerificationControl display
// control, as Microsoft's display-control starter pack does, with send and verify profiles
// given by sender, the sign-up profile's DisplayClaims with the control first.
func displayControlEdits(t testing.TB, sender, senderProfiles string) policyEdits {
	return policyEdits{extensionsXML: func(s string) string {
		s = policyEdit(t, s, `    </ClaimsSchema>
  </BuildingBlocks>`, `      <ClaimType Id="verificationCode"><DisplayName>Verification Code</DisplayName><DataType>string</DataType><UserInputType>TextBox</UserInputType></ClaimType>
      <ClaimType Id="otp"><DisplayName>One-time password</DisplayName><DataType>string</DataType></ClaimType>
    </ClaimsSchema>
    <DisplayControls>
      <DisplayControl Id="emailVerificationControl" UserInterfaceControlType="VerificationControl">
        <DisplayClaims>
          <DisplayClaim ClaimTypeReferenceId="email" Required="true" />
          <DisplayClaim ClaimTypeReferenceId="verificationCode" ControlClaimType="VerificationCode" Required="true" />
        </DisplayClaims>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="email" /></OutputClaims>
        <Actions>`+sender+`</Actions>
      </DisplayControl>
    </DisplayControls>
  </BuildingBlocks>`)
		s = policyEdit(t, s, `  </ClaimsProviders>`, `    <ClaimsProvider>
      <DisplayName>Verification codes</DisplayName>
      <TechnicalProfiles>`+senderProfiles+`</TechnicalProfiles>
    </ClaimsProvider>
  </ClaimsProviders>`)
		s = policyEdit(t, s, `<OutputClaim ClaimTypeReferenceId="email" PartnerClaimType="Verified.Email" Required="true" />`, `<OutputClaim ClaimTypeReferenceId="email" Required="true" />`)
		return policyEdit(t, s, `<ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-ValidateProfile" />`, `<DisplayClaims>
            <DisplayClaim DisplayControlReferenceId="emailVerificationControl" />
            <DisplayClaim ClaimTypeReferenceId="newPassword" Required="true" />
            <DisplayClaim ClaimTypeReferenceId="reenterPassword" Required="true" />
            <DisplayClaim ClaimTypeReferenceId="displayName" />
            <DisplayClaim ClaimTypeReferenceId="loyaltyId" />
          </DisplayClaims>
          <ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-ValidateProfile" />`)
	}}
}

const ssprActions = `
          <Action Id="SendCode"><ValidationClaimsExchange><ValidationClaimsExchangeTechnicalProfile TechnicalProfileReferenceId="AadSspr-SendCode" /></ValidationClaimsExchange></Action>
          <Action Id="VerifyCode"><ValidationClaimsExchange><ValidationClaimsExchangeTechnicalProfile TechnicalProfileReferenceId="AadSspr-VerifyCode" /></ValidationClaimsExchange></Action>`

const ssprProfiles = `
        <TechnicalProfile Id="AadSspr-SendCode">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.AadSsprProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <Metadata><Item Key="Operation">SendCode</Item></Metadata>
          <InputClaims><InputClaim ClaimTypeReferenceId="email" PartnerClaimType="emailAddress" /></InputClaims>
        </TechnicalProfile>
        <TechnicalProfile Id="AadSspr-VerifyCode">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.AadSsprProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <Metadata><Item Key="Operation">VerifyCode</Item></Metadata>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="verificationCode" />
            <InputClaim ClaimTypeReferenceId="email" PartnerClaimType="emailAddress" />
          </InputClaims>
        </TechnicalProfile>`

// TestCustomPolicyDisplayControl: a VerificationControl with Azure AD SSPR's email code, as
// in Microsoft's display-control starter pack: B2C's ids and texts, the page refused until the
// control is verified, SSPR's messages for a wrong code, and the loyalty walkthrough after.
func TestCustomPolicyDisplayControl(t *testing.T) {
	api := &loyaltyAPI{}
	srv, _ := startLoyaltyIn(t, api, displayControlEdits(t, ssprActions, ssprProfiles), "")
	b := srv.NewBrowser(t)
	page := b.Follow(b.Get(customAuthorize()), "a#createAccount")
	if page.Text("button#emailVerificationControl_but_send_code") != "Send verification code" || page.Doc.Find("input#verificationCode[disabled]").Length() != 1 ||
		page.Doc.Find("#email_ver_but_send").Length() != 0 || page.Doc.Find("input#loyaltyId").Length() != 1 {
		t.Fatalf("not the display control's page:\n%s", page.Body)
	}
	form := map[string]string{"email": "dc@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x", "displayName": "Dee", "loyaltyId": "L-5"}
	page = b.Submit(page, "button#continue", form)
	if got := page.Text("#claimVerificationServerError"); got != "The claims for verification control have not been verified." || len(api.calls()) != 0 {
		t.Fatalf("submitted before verification: %q, %d API calls", got, len(api.calls()))
	}
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": ""})
	if got := page.Text(".email_li .error.itemLevel, #email_error"); got != "This information is required." {
		t.Errorf("send without an address: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": "dc@contoso.com", "displayName": "Dee"})
	if page.Text("#emailVerificationControl_info_message") != "Verification code has been sent to your inbox. Please copy it to the input box below." ||
		page.Doc.Find("input#verificationCode").Length() != 1 || page.Doc.Find("input#email[readonly]").Length() != 1 ||
		page.Doc.Find("input#displayName").AttrOr("value", "") != "Dee" {
		t.Fatalf("after sending:\n%s", page.Body)
	}
	var outbox struct {
		Emails []struct{ To, Code, TechnicalProfile string }
	}
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/emails", nil, &outbox)
	if len(outbox.Emails) != 1 || outbox.Emails[0].To != "dc@contoso.com" || outbox.Emails[0].TechnicalProfile != "AadSspr-SendCode" {
		t.Fatalf("outbox = %+v", outbox.Emails)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": "000000x"})
	if got := page.Text("#emailVerificationControl_error_message"); got != "The verification has failed, please try again." {
		t.Errorf("wrong code: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": outbox.Emails[0].Code})
	if page.Text("#emailVerificationControl_but_change_claims") != "Change e-mail" || page.Doc.Find(`#emailVerificationControl_but_verify_code[type=button][style="display: none;"]`).Length() != 1 ||
		page.Text("#emailVerificationControl_error_message") != "" || page.Text("#emailVerificationControl_info_message") != "E-mail address verified. You can now continue." {
		t.Fatalf("after verifying:\n%s", page.Body)
	}
	claims := idToken(t, srv, b.Submit(page, "button#continue", form))
	if claims["email"] != "dc@contoso.com" || claims["promoCode"] != "PROMO-L-5" || claims["name"] != "Dee" {
		t.Errorf("claims = %v", claims)
	}

	// Three wrong codes use the code up: SSPR's no-retry message, then a new code is needed.
	b = srv.NewBrowser(t)
	page = b.Follow(b.Get(customAuthorize()), "a#createAccount")
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": "dd@contoso.com"})
	for i := 0; i < 3; i++ {
		page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": "1"})
	}
	if got := page.Text("#emailVerificationControl_error_message"); got != "You have exceeded maximum number of verification attempts." {
		t.Errorf("third wrong code: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": "1"})
	if got := page.Text("#emailVerificationControl_error_message"); got != "The code has expired." {
		t.Errorf("after the code is used up: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_change_claims", nil)
	if page.Doc.Find("#emailVerificationControl_but_send_code").Length() != 1 || page.Doc.Find("input#email[readonly]").Length() != 0 {
		t.Errorf("after change:\n%s", page.Body)
	}
}

// TestCustomPolicyDisplayControlOneTimePassword: the custom email verification pattern: the
// one-time password provider makes the code, a RESTful profile mails it (here to a test
// API), and the provider verifies it, with its own messages.
func TestCustomPolicyDisplayControlOneTimePassword(t *testing.T) {
	var mu sync.Mutex
	var mails []map[string]any
	mailer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		mails = append(mails, body)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(mailer.Close)
	actions := `
          <Action Id="SendCode"><ValidationClaimsExchange>
            <ValidationClaimsExchangeTechnicalProfile TechnicalProfileReferenceId="GenerateOtp" />
            <ValidationClaimsExchangeTechnicalProfile TechnicalProfileReferenceId="SendOtp" />
          </ValidationClaimsExchange></Action>
          <Action Id="VerifyCode"><ValidationClaimsExchange><ValidationClaimsExchangeTechnicalProfile TechnicalProfileReferenceId="VerifyOtp" /></ValidationClaimsExchange></Action>`
	profiles := `
        <TechnicalProfile Id="GenerateOtp">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.OneTimePasswordProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <Metadata>
            <Item Key="Operation">GenerateCode</Item>
            <Item Key="CodeExpirationInSeconds">600</Item>
            <Item Key="CodeLength">8</Item>
            <Item Key="CharacterSet">0-9</Item>
            <Item Key="NumRetryAllowed">2</Item>
          </Metadata>
          <InputClaims><InputClaim ClaimTypeReferenceId="email" PartnerClaimType="identifier" /></InputClaims>
          <OutputClaims><OutputClaim ClaimTypeReferenceId="otp" PartnerClaimType="otpGenerated" /></OutputClaims>
        </TechnicalProfile>
        <TechnicalProfile Id="SendOtp">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <Metadata>
            <Item Key="ServiceUrl">` + mailer.URL + `/send</Item>
            <Item Key="SendClaimsIn">Body</Item>
            <Item Key="AuthenticationType">None</Item>
            <Item Key="AllowInsecureAuthInProduction">true</Item>
          </Metadata>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="email" PartnerClaimType="to" />
            <InputClaim ClaimTypeReferenceId="otp" PartnerClaimType="code" />
          </InputClaims>
        </TechnicalProfile>
        <TechnicalProfile Id="VerifyOtp">
          <Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.OneTimePasswordProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
          <Metadata><Item Key="Operation">VerifyCode</Item></Metadata>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="email" PartnerClaimType="identifier" />
            <InputClaim ClaimTypeReferenceId="verificationCode" PartnerClaimType="otpToVerify" />
          </InputClaims>
        </TechnicalProfile>`
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, displayControlEdits(t, actions, profiles), "")
	b := srv.NewBrowser(t)
	page := b.Follow(b.Get(customAuthorize()), "a#createAccount")
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": "otp@contoso.com"})
	mu.Lock()
	sent := append([]map[string]any(nil), mails...)
	mu.Unlock()
	code, _ := sent[0]["code"].(string)
	if len(sent) != 1 || sent[0]["to"] != "otp@contoso.com" || len(code) != 8 {
		t.Fatalf("mails = %v\n%s", sent, page.Body)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": "1"})
	if got := page.Text("#emailVerificationControl_error_message"); got != "That code is incorrect. Please try again." {
		t.Errorf("wrong code: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": code})
	if page.Doc.Find("#emailVerificationControl_but_change_claims").Length() != 1 {
		t.Fatalf("not verified:\n%s", page.Body)
	}
	claims := idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"email": "otp@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "loyaltyId": "L-6"}))
	if claims["email"] != "otp@contoso.com" || claims["promoCode"] != "PROMO-L-6" {
		t.Errorf("claims = %v", claims)
	}
}

// TestCustomPolicyDisplayControlTexts: the control's texts follow the page layout: its own
// localized strings (ElementType DisplayControl) on selfasserted 2.1.x, the page's
// verification_control_* strings and their defaults on 2.0.
func TestCustomPolicyDisplayControlTexts(t *testing.T) {
	localized := displayControlEdits(t, ssprActions, ssprProfiles)
	localized[localizationXML] = func(s string) string {
		return policyEdit(t, s, `<LocalizedString ElementType="UxElement" StringId="button_continue">Create</LocalizedString>`,
			`<LocalizedString ElementType="UxElement" StringId="button_continue">Create</LocalizedString>
          <LocalizedString ElementType="DisplayControl" ElementId="emailVerificationControl" StringId="but_send_code">Mail me a code</LocalizedString>`)
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, localized, "")
	b := srv.NewBrowser(t)
	if got := b.Follow(b.Get(customAuthorize()), "a#createAccount").Text("#emailVerificationControl_but_send_code"); got != "Mail me a code" {
		t.Errorf("localized send button = %q", got)
	}
	older := displayControlEdits(t, ssprActions, ssprProfiles)
	older[baseXML] = func(s string) string {
		// every self-asserted content definition of the base: the four pages
		return policyEditN(t, s, "contract:selfasserted:2.1.7</DataUri></ContentDefinition>", "contract:selfasserted:2.0.0</DataUri></ContentDefinition>", 4)
	}
	srv, _ = startLoyaltyIn(t, &loyaltyAPI{}, older, "")
	b = srv.NewBrowser(t)
	page := b.Follow(b.Get(customAuthorize()), "a#createAccount")
	if got := page.Text("#emailVerificationControl_but_send_code"); got != "Send Code" {
		t.Errorf("2.0 send button = %q\n%s", got, page.Body)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": "old@contoso.com"})
	if got := page.Text("#emailVerificationControl_info_message"); got != "Verification code has been sent. Please copy it to the input box below." {
		t.Errorf("2.0 sent message = %q", got)
	}
}
