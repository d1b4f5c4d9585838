package emulator_test

import (
	"net/http"
	"path/filepath"
	"testing"
)

// TestCustomPolicyPredicates drives b2cemu's predicates fixture (testdata/predicates): a weak
// password, a PIN with a letter and a date of birth in the future are refused, each with its
// help texts under its field and #fieldIncorrect above the form, in French when the page is;
// a strong password with sound values reaches the token.
func TestCustomPolicyPredicates(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("testdata", "predicates"))
	srv := startPolicies(t, dir, "")
	const policy = "B2C_1A_predicates"
	tests := []struct {
		name, locales string
		form          map[string]string
		errs          map[string]string // field → its item-level error
	}{
		{"weak password", "", map[string]string{"displayName": "Ana", "newPassword": "pass"}, map[string]string{
			"newPassword": "Between 8 and 64 characters. At least 3 of: a lowercase letter, an uppercase letter, a digit, a symbol"}},
		{"two character classes", "", map[string]string{"displayName": "Ana", "newPassword": "password12"}, map[string]string{
			"newPassword": "At least 3 of: a lowercase letter, an uppercase letter, a digit, a symbol"}},
		{"PIN and date", "", map[string]string{"displayName": "Ana", "newPassword": "Passw0rd!x", "pin": "12a4", "birthDate": "2999-01-01"}, map[string]string{
			"pin": "Digits only.", "birthDate": "A date from 1900-01-01 to today."}},
		{"French", "&ui_locales=fr", map[string]string{"displayName": "Ana", "newPassword": "pass"}, map[string]string{
			"newPassword": "Entre 8 et 64 caractères. Au moins 3 parmi : a lowercase letter, an uppercase letter, a digit, a symbol"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := srv.NewBrowser(t)
			page := b.Submit(b.Get(authorizeFor(policy)+tt.locales), "button#continue", tt.form)
			if page.Location != nil {
				t.Fatalf("the page was accepted: redirect to %s%s", page.Location.Host, page.Location.Path)
			}
			for field, want := range tt.errs {
				if got := page.Text("#" + field + "_error"); got != want {
					t.Errorf("#%s_error = %q, want %q", field, got, want)
				}
			}
			if v, _ := page.Doc.Find("#fieldIncorrect").Attr("aria-hidden"); v != "false" {
				t.Errorf("#fieldIncorrect aria-hidden=%q, want false", v)
			}
		})
	}
	b := srv.NewBrowser(t)
	page := b.Submit(b.Get(authorizeFor(policy)), "button#continue", map[string]string{"displayName": "Ana", "newPassword": "passw0rd!x", "pin": "0420", "birthDate": "1984-02-29"})
	claims := idTokenOf(t, srv, policy, page)
	if claims["sub"] != "Ana" || claims["pin"] != "0420" || claims["birthdate"] != "1984-02-29" {
		t.Errorf("token claims = %v", claims)
	}
}

// TestDisplayControlPredicates: a display control's Send Code checks its address against the
// claim type's predicate validation, as the page does: the predicate's text under the field,
// and no code sent.
func TestDisplayControlPredicates(t *testing.T) {
	edits := displayControlEdits(t, ssprActions, ssprProfiles)
	control := edits[extensionsXML]
	edits[extensionsXML] = func(s string) string {
		return policyEdit(t, control(s), `</ClaimsSchema>`, `  <ClaimType Id="email"><PredicateValidationReference Id="OwnAddress" /></ClaimType>
    </ClaimsSchema>
    <Predicates>
      <Predicate Id="NotFabrikam" Method="MatchesRegex" HelpText="Use an address of your own.">
        <Parameters><Parameter Id="RegularExpression">^(?!.*@fabrikam\.com$)</Parameter></Parameters>
      </Predicate>
    </Predicates>
    <PredicateValidations>
      <PredicateValidation Id="OwnAddress">
        <PredicateGroups><PredicateGroup Id="Own"><PredicateReferences><PredicateReference Id="NotFabrikam" /></PredicateReferences></PredicateGroup></PredicateGroups>
      </PredicateValidation>
    </PredicateValidations>`)
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edits, "")
	b := srv.NewBrowser(t)
	page := b.Follow(b.Get(customAuthorize()), "a#createAccount")
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": "dc@fabrikam.com"})
	if got := page.Text("#email_error"); got != "Use an address of your own." {
		t.Errorf("send to a refused address: #email_error = %q", got)
	}
	var outbox struct{ Emails []struct{ To string } }
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/emails", nil, &outbox)
	if len(outbox.Emails) != 0 {
		t.Errorf("outbox = %+v", outbox.Emails)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": "dc@contoso.com"})
	if got := page.Text("#email_error"); got != "" {
		t.Errorf("send to a sound address: #email_error = %q", got)
	}
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/emails", nil, &outbox)
	if len(outbox.Emails) != 1 {
		t.Errorf("outbox = %+v", outbox.Emails)
	}
}
