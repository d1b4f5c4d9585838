package policy_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// loyalty is the example policy set: starter-pack-shaped files with the loyalty walkthrough's
// edits, documented in docs/custom-policies.md.
var loyalty = filepath.Join("..", "..", "docs", "examples", "custom-policies", "policies")

func TestLoadMergesTheChain(t *testing.T) {
	policies, err := policy.Load([]string{loyalty})
	if err != nil {
		t.Fatal(err)
	}
	p := policies["b2c_1a_signup_signin"]
	if p == nil || len(policies) != 4 || policies["b2c_1a_profileedit"] == nil || policies["b2c_1a_passwordreset"] == nil || policies["b2c_1a_signup_signin_emailcode"] == nil {
		t.Fatalf("policies = %v", policies)
	}
	// Steps sorted by Order, whatever the file's order.
	var steps []string
	for _, s := range p.Journey.Steps {
		steps = append(steps, s.Type)
	}
	if strings.Join(steps, ",") != "CombinedSignInAndSignUp,ClaimsExchange,ClaimsExchange,SendClaims" {
		t.Errorf("steps = %v", steps)
	}
	signUp := p.TechnicalProfiles["LocalAccountSignUpWithLogonEmail"]
	// The child's validation comes first (REST before the directory write), the base's
	// metadata and handler stay.
	if len(signUp.Validations) != 2 || signUp.Validations[0].ReferenceID != "REST-ValidateProfile" || signUp.Validations[1].ReferenceID != "AAD-UserWriteUsingLogonEmail" {
		t.Errorf("validations = %+v", signUp.Validations)
	}
	if signUp.Kind != policy.SelfAsserted || signUp.Metadata["ContentDefinitionReferenceId"] != "api.localaccountsignup" || signUp.Session != "SM-AAD" {
		t.Errorf("sign-up profile = %+v", signUp)
	}
	// References take the ClaimsSchema's casing (the base says surName).
	var outs []string
	for _, c := range signUp.OutputClaims {
		outs = append(outs, c.ClaimType)
	}
	if strings.Join(outs, ",") != "objectId,email,newPassword,reenterPassword,displayName,loyaltyId,promoCode,executed-SelfAsserted-Input,authenticationSource,newUser,givenName,surname" {
		t.Errorf("output claims = %v", outs)
	}
	// IncludeTechnicalProfile brings the protocol; the includer's items win.
	write := p.TechnicalProfiles["AAD-UserWriteUsingLogonEmail"]
	if write.Kind != policy.Directory || write.Session != "SM-Noop" || write.Metadata["Operation"] != "Write" || write.Keys["issuer_secret"] != "B2C_1A_TokenSigningKeyContainer" {
		t.Errorf("write profile = %+v", write)
	}
	// A partial re-declaration adds metadata items and keeps the rest.
	login := p.TechnicalProfiles["login-NonInteractive"]
	if login.Kind != policy.PasswordCheck || login.Metadata["client_id"] != "ProxyIdentityExperienceFrameworkAppId" || login.Metadata["HttpBinding"] != "POST" || len(login.InputClaims) != 5 {
		t.Errorf("login profile = %+v", login)
	}
	rest := p.TechnicalProfiles["REST-ValidateProfile"]
	if rest.Kind != policy.Restful || rest.InputClaims[2].PartnerClaimType != "lang" || rest.InputClaims[2].DefaultValue != "{Culture:LCID}" || !rest.InputClaims[2].AlwaysUseDefault {
		t.Errorf("rest profile = %+v", rest)
	}
	if p.TechnicalProfiles["JwtIssuer"].Kind != policy.TokenIssuer || p.SubjectClaim != "sub" || len(p.RelyingParty.OutputClaims) != 5 {
		t.Errorf("issuer or relying party: %+v", p.RelyingParty)
	}
	// Claim types match case-insensitively (surName → surname); localization merges in.
	if p.ClaimTypes["surname"] == nil || p.ClaimTypes["loyaltyid"].UserInputType != "TextBox" || !strings.HasPrefix(p.ClaimTypes["newpassword"].PatternHelpText, "8-16 characters") {
		t.Error("claim types")
	}
	if refs := p.ContentDefinitions["api.localaccountsignup"].Path("LocalizedResourcesReferences", "LocalizedResourcesReference"); len(refs) != 2 || p.ContentDefinitions["api.localaccountsignup"].TextOf("LoadUri") == "" {
		t.Error("the content definition did not merge")
	}
}

// TestLoadErrors: each broken set of files gets a problem naming the file, the line and what
// to fix.
func TestLoadErrors(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(loyalty, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	base, loc, ext, rp := read("TrustFrameworkBase.xml"), read("TrustFrameworkLocalization.xml"), read("TrustFrameworkExtensions.xml"), read("SignUpOrSignin.xml")
	// The SignUpOrSignIn journey's step 3; the ProfileEdit journey has the same exchange.
	const signUpStep3 = `TechnicalProfileReferenceId="LocalAccountSignUpWithLogonEmail" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="3" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="AADUserReadWithObjectId" TechnicalProfileReferenceId="AAD-UserReadUsingObjectId" />`
	// predicates is the set with the extension's Predicates and PredicateValidations (each on
	// its own line, 12 and 13) and loyaltyId's PredicateValidationReference (line 8).
	predicates := func(preds, validations, ref string) map[string]string {
		e := ext
		if ref != "" {
			e = policyEdit(t, e, `<UserInputType>TextBox</UserInputType></ClaimType>`, `<UserInputType>TextBox</UserInputType><PredicateValidationReference Id="`+ref+`" /></ClaimType>`)
		}
		e = policyEdit(t, e, "</ClaimsSchema>", "</ClaimsSchema>\n<Predicates>"+preds+"</Predicates>\n<PredicateValidations>"+validations+"</PredicateValidations>")
		return map[string]string{"base.xml": base, "loc.xml": loc, "ext.xml": e, "rp.xml": rp}
	}
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"missing base policy", map[string]string{"rp.xml": rp}, `rp.xml:4: BasePolicy: PolicyId B2C_1A_TrustFrameworkExtensions is not among the loaded files`},
		{"cycle", map[string]string{"base.xml": policyEdit(t, base, `PublicPolicyUri="http://yourtenant.onmicrosoft.com/B2C_1A_TrustFrameworkBase">`,
			`PublicPolicyUri="x"><BasePolicy><PolicyId>B2C_1A_signup_signin</PolicyId></BasePolicy>`), "loc.xml": loc, "ext.xml": ext, "rp.xml": rp}, `the BasePolicy chain is a cycle`},
		{"malformed XML", map[string]string{"rp.xml": policyEdit(t, rp, "</RelyingParty>", "</RelyingPart>")}, `rp.xml:23: not well-formed XML`},
		{"KeepAliveInDays not a number", map[string]string{"base.xml": base, "loc.xml": loc, "ext.xml": ext, "rp.xml": policyEdit(t, rp, `<Endpoints>`,
			`<UserJourneyBehaviors><SingleSignOn Scope="Tenant" KeepAliveInDays="thirty" /></UserJourneyBehaviors><Endpoints>`)},
			`rp.xml:7: SingleSignOn: KeepAliveInDays "thirty" is not a whole number of days; use 1 to 90, or 0 to turn Keep me signed in off`},
		{"KeepAliveInDays out of range", map[string]string{"base.xml": base, "loc.xml": loc, "ext.xml": ext, "rp.xml": policyEdit(t, rp, `<Endpoints>`,
			`<UserJourneyBehaviors><SingleSignOn Scope="Tenant" KeepAliveInDays="91" /></UserJourneyBehaviors><Endpoints>`)},
			`rp.xml:7: SingleSignOn: KeepAliveInDays 91 is out of range; use 1 to 90 days, or 0 to turn Keep me signed in off`},
		{"enableRememberMe not a boolean", map[string]string{"base.xml": policyEdit(t, base, `<Item Key="setting.operatingMode">Email</Item>`,
			`<Item Key="setting.operatingMode">Email</Item><Item Key="setting.enableRememberMe">yes</Item>`), "loc.xml": loc, "ext.xml": ext, "rp.xml": rp},
			`base.xml:233: TechnicalProfile Id="SelfAsserted-LocalAccountSignin-Email": the metadata setting.enableRememberMe is "yes"; use true (show the Keep me signed in checkbox) or false`},
		{"unknown handler", map[string]string{"base.xml": base, "loc.xml": loc,
			"ext.xml": policyEdit(t, ext, "Providers.RestfulProvider", "Providers.TelepathyProvider"), "rp.xml": rp}, `TechnicalProfile Id="REST-ValidateProfile": the protocol "Proprietary" with handler`},
		{"bad pattern", map[string]string{"base.xml": base, "loc.xml": loc, "ext.xml": policyEdit(t, ext, `<DataType>string</DataType><UserInputType>TextBox</UserInputType></ClaimType>`,
			`<DataType>string</DataType><UserInputType>TextBox</UserInputType><Restriction><Pattern RegularExpression="^([0-9]{6}$" HelpText="Six digits." /></Restriction></ClaimType>`), "rp.xml": rp},
			`ext.xml:8: ClaimType Id="loyaltyId": the Restriction Pattern is not a valid .NET regular expression`},
		{"missing claim type", map[string]string{"base.xml": base, "loc.xml": loc, "ext.xml": policyEdit(t, ext, `<InputClaim ClaimTypeReferenceId="loyaltyId" />`, `<InputClaim ClaimTypeReferenceId="loyaltyNumber" />`), "rp.xml": rp},
			`ext.xml:39: TechnicalProfile Id="REST-ValidateProfile": references the claim type "loyaltyNumber", which the ClaimsSchema does not declare`},
		{"missing technical profile", map[string]string{"base.xml": policyEdit(t, base, signUpStep3, strings.TrimSuffix(signUpStep3, `"AAD-UserReadUsingObjectId" />`)+`"AAD-Read" />`), "loc.xml": loc, "ext.xml": ext, "rp.xml": rp},
			`UserJourney SignUpOrSignIn step 3: references the technical profile "AAD-Read", which is not declared`},
		{"unsupported step type", map[string]string{"base.xml": policyEdit(t, base, `<OrchestrationStep Order="4" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`, `<OrchestrationStep Order="4" Type="ReviewScopes" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`), "loc.xml": loc, "ext.xml": ext, "rp.xml": rp},
			`the step type "ReviewScopes" is not one b2cemu runs (GetClaims, CombinedSignInAndSignUp`},
		{"missing sub journey", map[string]string{"base.xml": policyEdit(t, base, `<OrchestrationStep Order="4" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`,
			`<OrchestrationStep Order="4" Type="InvokeSubJourney"><JourneyList><Candidate SubJourneyReferenceId="Nope" /></JourneyList></OrchestrationStep><OrchestrationStep Order="5" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`),
			"loc.xml": loc, "ext.xml": ext, "rp.xml": rp}, `UserJourney SignUpOrSignIn step 4: references the sub journey "Nope", which is not declared`},
		{"missing display control", map[string]string{"base.xml": base, "loc.xml": loc, "rp.xml": rp, "ext.xml": policyEdit(t, ext,
			`<ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-ValidateProfile" />`,
			`<DisplayClaims><DisplayClaim DisplayControlReferenceId="emailControl" /></DisplayClaims><ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-ValidateProfile" />`)},
			`TechnicalProfile Id="LocalAccountSignUpWithLogonEmail": references the display control "emailControl", which is not declared`},
		{"display control type", map[string]string{"base.xml": base, "loc.xml": loc, "rp.xml": rp, "ext.xml": policyEdit(t, policyEdit(t, ext,
			`<ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-ValidateProfile" />`,
			`<DisplayClaims><DisplayClaim DisplayControlReferenceId="captcha" /></DisplayClaims><ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-ValidateProfile" />`),
			`</ClaimsSchema>`, `</ClaimsSchema><DisplayControls><DisplayControl Id="captcha" UserInterfaceControlType="CaptchaControl"><DisplayClaims><DisplayClaim ClaimTypeReferenceId="email" /></DisplayClaims></DisplayControl></DisplayControls>`)},
			`uses the display control "captcha" of type "CaptchaControl"; b2cemu runs VerificationControl, QrCodeControl, AuthenticatorAppIconControl and AuthenticatorInfoControl`},
		{"unknown EnabledForUserJourneys", map[string]string{"base.xml": base, "loc.xml": loc, "rp.xml": rp, "ext.xml": policyEdit(t, ext,
			`<ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-ValidateProfile" />`,
			`<EnabledForUserJourneys>Sometimes</EnabledForUserJourneys><ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="REST-ValidateProfile" />`)},
			`TechnicalProfile Id="LocalAccountSignUpWithLogonEmail": EnabledForUserJourneys "Sometimes" is not Always, Never, OnClaimsExistence`},
		{"predicate method", predicates(`<Predicate Id="Digits" Method="IsNumeric" HelpText="Digits only." />`, ``, ``),
			`ext.xml:12: Predicate Id="Digits": the Method "IsNumeric" is not a predicate method; use one of IsLengthRange, MatchesRegex, IncludesCharacters, IsDateRange`},
		{"predicate parameter", predicates(`<Predicate Id="Digits" Method="MatchesRegex"><Parameters /></Predicate>`, ``, ``),
			`ext.xml:12: Predicate Id="Digits": the MatchesRegex method needs a <Parameter Id="RegularExpression"> in its Parameters`},
		{"predicate pattern", predicates(`<Predicate Id="Digits" Method="MatchesRegex"><Parameters><Parameter Id="RegularExpression">^([0-9]+$</Parameter></Parameters></Predicate>`, ``, ``),
			`ext.xml:12: Predicate Id="Digits": the RegularExpression is not a valid .NET regular expression`},
		{"undeclared predicate", predicates(`<Predicate Id="Digits" Method="MatchesRegex"><Parameters><Parameter Id="RegularExpression">^[0-9]+$</Parameter></Parameters></Predicate>`,
			`<PredicateValidation Id="LoyaltyRule"><PredicateGroups><PredicateGroup Id="Shape"><PredicateReferences><PredicateReference Id="Digit" /></PredicateReferences></PredicateGroup></PredicateGroups></PredicateValidation>`, `LoyaltyRule`),
			`ext.xml:13: PredicateValidation Id="LoyaltyRule": the group "Shape" references the predicate "Digit", which BuildingBlocks Predicates does not declare`},
		{"MatchAtLeast beyond the group", predicates(`<Predicate Id="Digits" Method="MatchesRegex"><Parameters><Parameter Id="RegularExpression">^[0-9]+$</Parameter></Parameters></Predicate>`,
			`<PredicateValidation Id="LoyaltyRule"><PredicateGroups><PredicateGroup Id="Shape"><PredicateReferences MatchAtLeast="2"><PredicateReference Id="Digits" /></PredicateReferences></PredicateGroup></PredicateGroups></PredicateValidation>`, `LoyaltyRule`),
			`ext.xml:13: PredicateValidation Id="LoyaltyRule": the group "Shape" has MatchAtLeast="2"; write a whole number from 1 to 1, the number of its PredicateReference elements`},
		{"undeclared predicate validation", predicates(``, ``, `LoyaltyRules`),
			`ext.xml:8: ClaimType Id="loyaltyId": the PredicateValidationReference "LoyaltyRules" names no PredicateValidation of BuildingBlocks PredicateValidations; declare it or correct the Id`},
		{"duplicate policy id", map[string]string{"a.xml": rp, "b.xml": rp}, `PolicyId B2C_1A_signup_signin is also declared in`},
		{"no relying party", map[string]string{"base.xml": base}, `no relying-party policy`},
		{"missing include", map[string]string{"base.xml": policyEdit(t, base, `<OutputClaim ClaimTypeReferenceId="signInNames.emailAddress" />
          </OutputClaims>
          <IncludeTechnicalProfile ReferenceId="AAD-Common" />`, `<OutputClaim ClaimTypeReferenceId="signInNames.emailAddress" />
          </OutputClaims>
          <IncludeTechnicalProfile ReferenceId="AAD-Missing" />`), "loc.xml": loc, "ext.xml": ext, "rp.xml": rp},
			`includes technical profile "AAD-Missing", which is not declared`},
	}
	serviceURL := func(item string) map[string]string {
		return map[string]string{"base.xml": base, "loc.xml": loc, "rp.xml": rp,
			"ext.xml": policyEdit(t, ext, `<Item Key="ServiceUrl">http://127.0.0.1:8080/demo/api/loyalty</Item>`, item)}
	}
	const rest = `ext.xml:32: TechnicalProfile Id="REST-ValidateProfile": `
	for _, tc := range []struct{ name, item, want string }{
		{"ServiceUrl with a comment", `<Item Key="ServiceUrl">http://127.0.0.1:8080/demo/api/<!-- v2 -->loyalty</Item>`,
			rest + "the ServiceUrl holds an XML comment; write the URL alone in the Item and put the comment outside it"},
		{"ServiceUrl that is not a URL", `<Item Key="ServiceUrl">http://127.0.0.1:8080 /demo/api/loyalty?code=K3y</Item>`,
			rest + `the ServiceUrl "http://127.0.0.1:8080 /demo/api/loyalty?code=…" is not a URL: invalid port ":8080 " after host (it holds white space: a space in a path or query is written %20); write an absolute http or https URL such as https://api.contoso.com/validate`},
		{"ServiceUrl with another scheme", `<Item Key="ServiceUrl">ftp://files.contoso.com/loyalty</Item>`,
			rest + `the ServiceUrl "ftp://files.contoso.com/loyalty" has the scheme "ftp"; B2C calls http and https services only`},
		{"relative ServiceUrl", `<Item Key="ServiceUrl">/demo/api/loyalty</Item>`, rest + `the ServiceUrl "/demo/api/loyalty" has no scheme`},
		{"empty ServiceUrl", `<Item Key="ServiceUrl"> </Item>`, rest + `a RESTful technical profile needs a ServiceUrl (B2C requires one): add <Item Key="ServiceUrl">https://…</Item> to its Metadata`},
		{"no ServiceUrl", ``, `ext.xml:28: TechnicalProfile Id="REST-ValidateProfile": a RESTful technical profile needs a ServiceUrl`},
		{"placeholder in the host", `<Item Key="ServiceUrl">https://{tenant}.contoso.com/loyalty/{loyaltyId}</Item>`,
			rest + `the ServiceUrl "https://{tenant}.contoso.com/loyalty/{loyaltyId}" has a {…} placeholder in its host; SendClaimsIn Url fills the path and the query only, never the host`},
	} {
		tests = append(tests, struct {
			name  string
			files map[string]string
			want  string
		}{tc.name, serviceURL(tc.item), tc.want})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
			}
			_, err := policy.Load([]string{dir})
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%s\nlacks:\n%s", err, tt.want)
			}
		})
	}
}

// TestTokenIssuerProtocol: the SocialAndLocalAccounts pack declares its JwtIssuer with the
// OpenIdConnect protocol; OutputTokenFormat makes it the token issuer, not an identity provider.
func TestTokenIssuerProtocol(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"TrustFrameworkBase.xml", "TrustFrameworkLocalization.xml", "TrustFrameworkExtensions.xml", "SignUpOrSignin.xml"} {
		b, err := os.ReadFile(filepath.Join(loyalty, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if name == "TrustFrameworkBase.xml" { // the JwtIssuer profile
			s = policyEdit(t, s, `<Protocol Name="None" />
          <OutputTokenFormat>JWT</OutputTokenFormat>`, `<Protocol Name="OpenIdConnect" />
          <OutputTokenFormat>JWT</OutputTokenFormat>`)
		}
		os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644)
	}
	policies, err := policy.Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if k := policies["b2c_1a_signup_signin"].TechnicalProfiles["JwtIssuer"].Kind; k != policy.TokenIssuer {
		t.Errorf("JwtIssuer kind = %v", k)
	}
}

// TestRefreshEndpoint: the relying party's Endpoint Id="Token" names the refresh journey; a
// journey the files lack is a warning (revisions of the starter pack pair such files), and
// refresh tokens then re-issue the sign-in's claims.
func TestRefreshEndpoint(t *testing.T) {
	policies, err := policy.Load([]string{loyalty})
	if err != nil {
		t.Fatal(err)
	}
	if p := policies["b2c_1a_signup_signin"]; p.Refresh == nil || p.Refresh.ID != "RedeemRefreshToken" || len(p.Refresh.Steps) != 3 || len(p.Warnings) != 0 {
		t.Errorf("refresh journey = %+v, warnings %v", p.Refresh, p.Warnings)
	}
	dir := t.TempDir()
	for _, name := range []string{"TrustFrameworkBase.xml", "TrustFrameworkLocalization.xml", "TrustFrameworkExtensions.xml", "SignUpOrSignin.xml"} {
		b, _ := os.ReadFile(filepath.Join(loyalty, name))
		if name == "SignUpOrSignin.xml" { // the relying party's Endpoint Id="Token"
			b = []byte(policyEdit(t, string(b), `UserJourneyReferenceId="RedeemRefreshToken"`, `UserJourneyReferenceId="Redeem"`))
		}
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	policies, err = policy.Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	p := policies["b2c_1a_signup_signin"]
	if p.Refresh != nil || len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0].Error(), `SignUpOrSignin.xml:9: Endpoint Id="Token": the user journey "Redeem" is not declared`) {
		t.Errorf("refresh %v, warnings %v", p.Refresh, p.Warnings)
	}
}

func TestChainDepth(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i <= 11; i++ {
		base := ""
		if i > 0 {
			base = `<BasePolicy><PolicyId>B2C_1A_L` + string(rune('a'+i-1)) + `</PolicyId></BasePolicy>`
		}
		rp := ""
		if i == 11 {
			rp = `<RelyingParty><DefaultUserJourney ReferenceId="J" /></RelyingParty>`
		}
		xml := `<TrustFrameworkPolicy PolicyId="B2C_1A_L` + string(rune('a'+i)) + `">` + base + rp + `</TrustFrameworkPolicy>`
		os.WriteFile(filepath.Join(dir, string(rune('a'+i))+".xml"), []byte(xml), 0o644)
	}
	_, err := policy.Load([]string{dir})
	if err == nil || !strings.Contains(err.Error(), "more than 10 levels") {
		t.Errorf("err = %v", err)
	}
}

// BenchmarkLoad loads, merges and checks the example policy set (five files, three relying
// parties), as start-up and every hot reload do.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := policy.Load([]string{loyalty}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLoadReportsEveryCycle: B2C refuses a BasePolicy cycle whether or not a relying party
// leads into it; each cycle is one problem naming every policy in it with its file and line.
func TestLoadReportsEveryCycle(t *testing.T) {
	dir := t.TempDir()
	entries, _ := os.ReadDir(loyalty)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(loyalty, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644)
	}
	orphan := func(id, base string) string {
		return `<TrustFrameworkPolicy PolicyId="` + id + `">
  <!-- no relying party uses this file -->
  <BasePolicy><PolicyId>` + base + `</PolicyId></BasePolicy>
</TrustFrameworkPolicy>`
	}
	for name, content := range map[string]string{"a.xml": orphan("B2C_1A_A", "B2C_1A_B"), "b.xml": orphan("B2C_1A_B", "b2c_1a_a"),
		"self.xml": orphan("B2C_1A_Self", "B2C_1A_Self"), "tail.xml": orphan("B2C_1A_Tail", "B2C_1A_B")} {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	policies, err := policy.Load([]string{dir})
	var perr *policy.Error
	if !errors.As(err, &perr) {
		t.Fatalf("err = %v, want the cycles", err)
	}
	a, b, self := filepath.Join(dir, "a.xml"), filepath.Join(dir, "b.xml"), filepath.Join(dir, "self.xml")
	want := []string{
		a + `:3: BasePolicy: the BasePolicy chain is a cycle: B2C_1A_A (` + a + `:3) → B2C_1A_B (` + b + `:3) → B2C_1A_A; a chain must end at a policy without BasePolicy (such as TrustFrameworkBase): remove the BasePolicy of one of them or point it at a policy outside the cycle`,
		self + `:3: BasePolicy: the BasePolicy chain is a cycle: B2C_1A_Self (` + self + `:3) → B2C_1A_Self; a chain must end at a policy without BasePolicy (such as TrustFrameworkBase): remove the BasePolicy of one of them or point it at a policy outside the cycle`,
	}
	var got []string
	for _, p := range perr.Problems {
		got = append(got, p.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(policies) != 4 {
		t.Errorf("the relying parties outside the cycles: %d loaded, want 4", len(policies))
	}
}

// hintFixtures are b2cemu's own policies in the shape of the community's invitation and
// magic-link samples (emulator/testdata/getclaims).
var hintFixtures = filepath.Join("..", "testdata", "getclaims")

// TestGetClaimsChecks: a GetClaims step is the first step of a user journey and names an
// id_token_hint profile that can verify a hint; each mistake is a load error with its fix.
func TestGetClaimsChecks(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(hintFixtures, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	base, secret, keys := read("HintBase.xml"), read("LinkSharedSecret.xml"), read("LinkIssuerKeys.xml")
	getClaims := `<OrchestrationStep Order="1" Type="GetClaims" CpimIssuerTechnicalProfileReferenceId="Hint-SharedSecret" />`
	edit := func(t *testing.T, old, new string) string {
		t.Helper()
		return policyEdit(t, base, old, new)
	}
	tests := []struct {
		name, base, want string
	}{
		{"misplaced", edit(t, getClaims+"\n", "") + "", ""},
		{"unknown profile", edit(t, getClaims, `<OrchestrationStep Order="1" Type="GetClaims" CpimIssuerTechnicalProfileReferenceId="IdTokenHint_ExtractClaims" />`),
			`HintBase.xml:91: UserJourney SharedSecretLink step 1: references the technical profile "IdTokenHint_ExtractClaims", which is not declared; declare the id_token_hint technical profile`},
		{"no issuer profile", edit(t, getClaims, `<OrchestrationStep Order="1" Type="GetClaims" />`),
			`UserJourney SharedSecretLink step 1: GetClaims needs CpimIssuerTechnicalProfileReferenceId naming the id_token_hint technical profile (AADB2C90108)`},
		{"not a hint profile", edit(t, getClaims, `<OrchestrationStep Order="1" Type="GetClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />`),
			`TechnicalProfile Id="JwtIssuer": a GetClaims step's technical profile must be an id_token_hint profile, <Protocol Name="None" /> without OutputTokenFormat; this one is a TokenIssuer profile`},
		{"symmetric without audience", edit(t, `<Item Key="IdTokenAudience">0f3a9c1e-6b2d-4e8f-9a7c-5d4b3a2f1e0d</Item>`, ""),
			`HintBase.xml:31: TechnicalProfile Id="Hint-SharedSecret": an id_token_hint profile with a client_secret key needs the IdTokenAudience metadata item (the hint's aud claim)`},
		{"symmetric without issuer", edit(t, `<Item Key="issuer">https://links.contoso.test</Item>`, ""),
			`TechnicalProfile Id="Hint-SharedSecret": an id_token_hint profile with a client_secret key needs the issuer metadata item (the hint's iss claim)`},
		{"no way to verify", edit(t, `<Metadata><Item Key="METADATA">http://127.0.0.1:9/.well-known/openid-configuration</Item></Metadata>`, ""),
			`TechnicalProfile Id="Hint-IssuerKeys": an id_token_hint profile needs a way to verify the hint: a <Key Id="client_secret"`},
		{"METADATA not a URL", edit(t, `http://127.0.0.1:9/.well-known/openid-configuration`, `your-app/.well-known/openid-configuration`),
			`the METADATA item "your-app/.well-known/openid-configuration" is not an http(s) URL`},
	}
	// A GetClaims step anywhere but first: move it after the unsolicited page.
	tests[0].base = policyEdit(t, policyEdit(t, base, getClaims, ""), `<OrchestrationStep Order="3" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="ReadByEmail"`, `<OrchestrationStep Order="3" Type="GetClaims" CpimIssuerTechnicalProfileReferenceId="Hint-SharedSecret" />
        <OrchestrationStep Order="4" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="ReadByEmail"`)
	tests[0].want = `UserJourney SharedSecretLink step 3: a GetClaims step must be the journey's first orchestration step (it reads the authorize request's id_token_hint before any other step); give it the lowest Order`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policy.LoadSources([]policy.Source{{Name: "HintBase.xml", Data: []byte(tt.base)},
				{Name: "LinkSharedSecret.xml", Data: []byte(secret)}, {Name: "LinkIssuerKeys.xml", Data: []byte(keys)}})
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%s\nlacks:\n%s", err, tt.want)
			}
		})
	}
	t.Run("in a sub journey", func(t *testing.T) {
		sub := policyEdit(t, base, `</UserJourneys>`, `</UserJourneys>
  <SubJourneys><SubJourney Id="ReadHint" Type="Call"><OrchestrationSteps>
    <OrchestrationStep Order="1" Type="GetClaims" CpimIssuerTechnicalProfileReferenceId="Hint-SharedSecret" />
  </OrchestrationSteps></SubJourney></SubJourneys>`)
		_, err := policy.LoadSources([]policy.Source{{Name: "HintBase.xml", Data: []byte(sub)}, {Name: "LinkSharedSecret.xml", Data: []byte(secret)}})
		if want := `SubJourney ReadHint step 1: a GetClaims step runs only as the first step of a UserJourney, never in a sub journey`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v, want %q", err, want)
		}
	})
	t.Run("the fixtures load", func(t *testing.T) {
		policies, err := policy.LoadSources([]policy.Source{{Name: "HintBase.xml", Data: []byte(base)},
			{Name: "LinkSharedSecret.xml", Data: []byte(secret)}, {Name: "LinkIssuerKeys.xml", Data: []byte(keys)}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tp := range policies["b2c_1a_link_shared_secret"].HintProfiles() {
			ids = append(ids, tp.ID+"="+tp.HintSecret())
		}
		if got := strings.Join(ids, ","); got != "Hint-IssuerKeys=,Hint-SharedSecret=B2C_1A_InviteLinkKey" {
			t.Errorf("hint profiles = %s", got)
		}
	})
}

// TestCompiledAtLoad: what the journey reads at run time — a transformation's claims,
// parameters and method, the localized strings, the claim patterns — is read from the XML
// once, when the policy loads.
func TestCompiledAtLoad(t *testing.T) {
	policies, err := policy.Load([]string{loyalty})
	if err != nil {
		t.Fatal(err)
	}
	p := policies["b2c_1a_signup_signin"]
	later := p.ClaimsTransformation("AssertRefreshTokenIssuedLaterThanValidFromDate")
	if later == nil || later.Method != "AssertDateTimeIsGreaterThan" || later.Role("rightOperand") != "refreshTokensValidFromDateTime" ||
		later.Params["TreatAsEqualIfWithinMillseconds"] != "300000" || len(later.Parameters) != 3 || later.Parameters[0].ID != "AssertIfEqualTo" {
		t.Errorf("transformation = %+v", later)
	}
	add := p.ClaimsTransformation("CreateOtherMailsFromEmail")
	if add == nil || len(add.OutputClaims) != 1 || add.OutputClaims[0] != (policy.TransformationClaim{ClaimType: "otherMails", Role: "collection"}) {
		t.Errorf("outputs = %+v", add)
	}
	if p.ClaimsTransformation("Nope") != nil {
		t.Error("an unknown transformation compiled")
	}
	texts := p.Texts()
	if texts.Default != "en" || strings.Join(texts.Supported, ",") != "en,es" {
		t.Errorf("languages = %q %q", texts.Default, texts.Supported)
	}
	if got := texts.Lookup("api.signuporsignin", "EN", "ClaimType", "SIGNINNAME", "DisplayName"); got != "Email Address" {
		t.Errorf("en signInName = %q", got)
	}
	if got := texts.Lookup("api.signuporsignin", "", "ErrorMessage", "", "UserMessageIfInvalidPassword"); got != "Your password is incorrect." {
		t.Errorf("any language = %q", got)
	}
	if got := texts.Lookup("api.localaccountsignup", "fr", "UxElement", "", "button_continue"); got != "" {
		t.Errorf("fr = %q", got)
	}
	email := p.ClaimTypes["email"]
	if email.Regexp == nil || email.Regexp.MatchTimeout != policy.PatternTimeout {
		t.Errorf("email pattern = %+v", email.Regexp)
	}
	if ok, _ := email.Regexp.MatchString("a@b"); !ok {
		t.Error("the compiled pattern does not match")
	}
}

// TestReferencesInAnyCase: a reference to a technical profile, claims transformation, user
// journey or included profile resolves whatever its case, to the element as declared (B2C
// accepts the community samples' generateErrorCode for GenerateErrorCode, docs/custom-policies.md).
func TestReferencesInAnyCase(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(loyalty, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	base := policyEdit(t, read("TrustFrameworkBase.xml"), `<OutputClaimsTransformation ReferenceId="AssertAccountEnabledIsTrue" />`, `<OutputClaimsTransformation ReferenceId="assertAccountEnabledIsTrue" />`)
	base = strings.Replace(base, `<IncludeTechnicalProfile ReferenceId="AAD-Common" />`, `<IncludeTechnicalProfile ReferenceId="aad-common" />`, 1)
	ext := policyEdit(t, read("TrustFrameworkExtensions.xml"), `<ValidationTechnicalProfile ReferenceId="REST-ValidateProfile" />`, `<ValidationTechnicalProfile ReferenceId="rest-validateprofile" />`)
	rp := policyEdit(t, read("SignUpOrSignin.xml"), `<DefaultUserJourney ReferenceId="SignUpOrSignIn" />`, `<DefaultUserJourney ReferenceId="signuporsignin" />`)
	policies, err := policy.LoadSources([]policy.Source{{Name: "base.xml", Data: []byte(base)}, {Name: "loc.xml", Data: []byte(read("TrustFrameworkLocalization.xml"))},
		{Name: "ext.xml", Data: []byte(ext)}, {Name: "rp.xml", Data: []byte(rp)}})
	if err != nil {
		t.Fatal(err)
	}
	p := policies["b2c_1a_signup_signin"]
	if p.Journey == nil || p.Journey.ID != "SignUpOrSignIn" {
		t.Fatalf("journey = %+v", p.Journey)
	}
	signUp := p.TechnicalProfiles["LocalAccountSignUpWithLogonEmail"]
	if len(signUp.Validations) != 2 || signUp.Validations[0].ReferenceID != "REST-ValidateProfile" {
		t.Errorf("validations = %+v", signUp.Validations)
	}
	var found bool
	for _, tp := range p.TechnicalProfiles {
		for _, tr := range tp.OutputTransformations {
			found = found || tr == "AssertAccountEnabledIsTrue"
			if tr == "assertAccountEnabledIsTrue" {
				t.Errorf("%s keeps the reference as written", tp.ID)
			}
		}
	}
	if !found || p.ClaimsTransformation("AssertAccountEnabledIsTrue") == nil {
		t.Error("the transformation reference did not resolve")
	}
}

// TestKeepAliveInDays: the relying party's SingleSignOn KeepAliveInDays is the Keep me signed
// in session's length; none or 0 turns it off. setting.enableRememberMe takes True as B2C's
// article writes it.
func TestKeepAliveInDays(t *testing.T) {
	for _, tt := range []struct {
		name, behaviors string
		days            int
	}{
		{"no UserJourneyBehaviors", ``, 0},
		{"no KeepAliveInDays", `<UserJourneyBehaviors><SingleSignOn Scope="Tenant" /></UserJourneyBehaviors>`, 0},
		{"thirty days", `<UserJourneyBehaviors><SingleSignOn Scope="Tenant" KeepAliveInDays="30" /><SessionExpiryType>Absolute</SessionExpiryType><SessionExpiryInSeconds>1200</SessionExpiryInSeconds></UserJourneyBehaviors>`, 30},
		{"zero turns it off", `<UserJourneyBehaviors><SingleSignOn Scope="Tenant" KeepAliveInDays="0" /></UserJourneyBehaviors>`, 0},
		{"ninety, spaced", `<UserJourneyBehaviors><SingleSignOn Scope="Application" KeepAliveInDays=" 90 " /></UserJourneyBehaviors>`, 90},
	} { // the sign-in profile shows the box in every row: without days, the policy warns
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range []string{"TrustFrameworkBase.xml", "TrustFrameworkLocalization.xml", "TrustFrameworkExtensions.xml", "SignUpOrSignin.xml"} {
				b, _ := os.ReadFile(filepath.Join(loyalty, name))
				s := string(b)
				switch name {
				case "SignUpOrSignin.xml":
					s = policyEdit(t, s, `<Endpoints>`, tt.behaviors+`<Endpoints>`)
				case "TrustFrameworkBase.xml":
					s = policyEdit(t, s, `<Item Key="setting.operatingMode">Email</Item>`, `<Item Key="setting.operatingMode">Email</Item><Item Key="setting.enableRememberMe">True</Item>`)
				}
				os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644)
			}
			policies, err := policy.Load([]string{dir})
			if err != nil {
				t.Fatal(err)
			}
			p := policies["b2c_1a_signup_signin"]
			if p.KeepAliveInDays != tt.days {
				t.Errorf("KeepAliveInDays = %d, want %d", p.KeepAliveInDays, tt.days)
			}
			const warning = `TrustFrameworkBase.xml:228: TechnicalProfile Id="SelfAsserted-LocalAccountSignin-Email": setting.enableRememberMe shows Keep me signed in, but the relying party of B2C_1A_signup_signin keeps no such session; add <SingleSignOn Scope="Tenant" KeepAliveInDays="30" /> to its UserJourneyBehaviors (1 to 90 days)`
			warned := len(p.Warnings) == 1 && strings.HasSuffix(p.Warnings[0].Error(), warning)
			if want := tt.days == 0; warned != want || len(p.Warnings) > 1 {
				t.Errorf("warnings %v, want the Keep me signed in one: %v", p.Warnings, want)
			}
		})
	}
}
