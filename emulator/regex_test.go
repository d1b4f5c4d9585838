package emulator_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// hostileAs is a value on which ^(a+)+$ backtracks exponentially: unbounded, one match of it
// takes hours.
var hostileAs = strings.Repeat("a", 40) + "!"

// regexEdit gives the loyalty policies a hostile pattern: as the loyaltyId claim's Restriction
// Pattern (restriction), or as the matchTo of a SetClaimsIfRegexMatch the REST validation
// profile runs on loyaltyId, sending its result to the API as loyaltyIsAs.
func regexEdit(t testing.TB, restriction bool) policyEdits {
	return policyEdits{extensionsXML: func(s string) string {
		if restriction {
			return policyEdit(t, s, `<UserInputType>TextBox</UserInputType></ClaimType>`,
				`<UserInputType>TextBox</UserInputType><Restriction><Pattern RegularExpression="^(a+)+$" HelpText="Only the letter a." /></Restriction></ClaimType>`)
		}
		s = policyEdit(t, s, `</ClaimsSchema>`, `<ClaimType Id="loyaltyKind"><DataType>string</DataType></ClaimType>
      <ClaimType Id="loyaltyIsAs"><DataType>boolean</DataType></ClaimType>
    </ClaimsSchema>
    <ClaimsTransformations>
      <ClaimsTransformation Id="CheckLoyaltyId" TransformationMethod="SetClaimsIfRegexMatch">
        <InputClaims><InputClaim ClaimTypeReferenceId="loyaltyId" TransformationClaimType="claimToMatch" /></InputClaims>
        <InputParameters>
          <InputParameter Id="matchTo" DataType="string" Value="^(a+)+$" />
          <InputParameter Id="outputClaimIfMatched" DataType="string" Value="letters" />
        </InputParameters>
        <OutputClaims>
          <OutputClaim ClaimTypeReferenceId="loyaltyKind" TransformationClaimType="outputClaim" />
          <OutputClaim ClaimTypeReferenceId="loyaltyIsAs" TransformationClaimType="regexCompareResultClaim" />
        </OutputClaims>
      </ClaimsTransformation>
    </ClaimsTransformations>`)
		return policyEdit(t, s, `<InputClaims>
            <InputClaim ClaimTypeReferenceId="loyaltyId" />`, `<InputClaimsTransformations><InputClaimsTransformation ReferenceId="CheckLoyaltyId" /></InputClaimsTransformations>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="loyaltyIsAs" />
            <InputClaim ClaimTypeReferenceId="loyaltyId" />`)
	}}
}

// TestCustomPolicyHostilePatternIsBounded: a submitted value on which a policy pattern
// backtracks catastrophically answers quickly, as a value that does not match, and the log
// names the pattern for the developer.
func TestCustomPolicyHostilePatternIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name        string
		restriction bool
		where       string
	}{
		{"restriction pattern", true, `ClaimType Id="loyaltyId" Restriction Pattern`},
		{"SetClaimsIfRegexMatch", false, `ClaimsTransformation Id="CheckLoyaltyId" (SetClaimsIfRegexMatch) matchTo`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &loyaltyAPI{}
			srv, _ := startLoyaltyIn(t, api, regexEdit(t, tc.restriction), "")
			b := srv.NewBrowser(t)
			b.Client.Timeout = time.Minute // an unbounded match fails the test instead of hanging it
			page := b.Follow(b.Get(customAuthorize()), "a#createAccount")
			page = verified(t, srv, b, page, "ana@contoso.com")
			form := map[string]string{"email": "ana@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x",
				"displayName": "Ana", "loyaltyId": hostileAs}

			start := time.Now()
			page = b.Submit(page, "button#continue", form)
			if took := time.Since(start); took > 5*time.Second {
				t.Fatalf("the submit took %v", took)
			}
			if tc.restriction {
				// As for any value the pattern refuses: the claim's HelpText, no API call.
				if got := page.Text("#loyaltyId_error"); got != "Only the letter a." {
					t.Errorf("loyaltyId error = %q\n%s", got, page.Body)
				}
				if len(api.calls()) != 0 {
					t.Errorf("the API was called for a value the pattern did not accept")
				}
			} else {
				// As for a value that does not match: the result is false and the journey goes on.
				if claims := idToken(t, srv, page); claims["promoCode"] != "PROMO-"+hostileAs {
					t.Errorf("token claims = %v", claims)
				}
				if calls := api.calls(); len(calls) != 1 || fmt.Sprint(calls[0]["loyaltyIsAs"]) != "false" {
					t.Errorf("API calls = %v, want one with loyaltyIsAs false", calls)
				}
			}
			logs := srv.Log.String()
			for _, want := range []string{"custom policy pattern", strings.ReplaceAll(tc.where, `"`, `\"`), `regular expression \"^(a+)+$\" did not finish matching a 41-character value`} {
				if !strings.Contains(logs, want) {
					t.Errorf("the log lacks %s:\n%s", want, logs)
				}
			}
			for _, line := range strings.Split(logs, "\n") {
				if strings.Contains(line, "custom policy pattern") && strings.Contains(line, "aaaaaaaaaa") {
					t.Errorf("the diagnostic quotes the value (it may be a password): %s", line)
				}
			}
		})
	}
}
