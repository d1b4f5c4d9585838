package emulator_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCustomPolicyLocalizedValidationMessage: a validation profile's message comes from the
// localized strings of the page it is shown on.
func TestCustomPolicyLocalizedValidationMessage(t *testing.T) {
	edit := replaceIn(t, localizationXML, `StringId="UserMessageIfClaimsPrincipalAlreadyExists">A user with the specified ID already exists. Please choose a different one.`,
		`StringId="UserMessageIfClaimsPrincipalAlreadyExists">You already have an account; sign in instead.`)
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edit, "")
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", map[string]any{"email": "lo@contoso.com", "password": "Passw0rd!x"}, nil); status != 201 {
		t.Fatalf("seeding: %d", status)
	}
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "lo@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "lo@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "loyaltyId": "L-1"})
	if got := page.Text("#claimVerificationServerError"); got != "You already have an account; sign in instead." {
		t.Errorf("page error = %q", got)
	}
}

// TestCustomPolicyLocalizedRequiredField: a required field left empty shows the page's own
// required_field text and #requiredFieldMissing, never #fieldIncorrect, whatever the text says.
func TestCustomPolicyLocalizedRequiredField(t *testing.T) {
	edit := replaceIn(t, localizationXML, `<LocalizedString ElementType="UxElement" StringId="button_continue">Create</LocalizedString>`,
		`<LocalizedString ElementType="UxElement" StringId="button_continue">Create</LocalizedString>
          <LocalizedString ElementType="UxElement" StringId="required_field">Please fill this in.</LocalizedString>`)
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edit, "")
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "req@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "req@contoso.com", "newPassword": "", "reenterPassword": "", "loyaltyId": "L-1"})
	hidden := func(sel string) string { v, _ := page.Doc.Find(sel).Attr("aria-hidden"); return v }
	if got := page.Text("#newPassword_error"); got != "Please fill this in." {
		t.Errorf("item error = %q", got)
	}
	if hidden("#requiredFieldMissing") != "false" || hidden("#fieldIncorrect") != "true" {
		t.Errorf("#requiredFieldMissing aria-hidden=%s, #fieldIncorrect aria-hidden=%s", hidden("#requiredFieldMissing"), hidden("#fieldIncorrect"))
	}
}

// TestCustomPolicyLanguages: ui_locales picks a SupportedLanguage (es-ES finds es) whose
// localized strings the pages use, falling back to the default language's; an unsupported
// language gets the default; {Culture:LCID} follows ui_locales.
func TestCustomPolicyLanguages(t *testing.T) {
	api := &loyaltyAPI{}
	srv := startLoyalty(t, api)
	b := srv.NewBrowser(t)
	page := b.Follow(b.Get(customAuthorize()+"&ui_locales=es-ES"), "a#createAccount")
	if !strings.HasPrefix(page.Text(`label[for="email"]`), "Correo electrónico") || page.Text("button#continue") != "Crear" || page.Text("button#email_ver_but_send") != "Enviar código de verificación" {
		t.Fatalf("Spanish sign-up page:\n%s", page.Body)
	}
	if !strings.HasPrefix(page.Text(`label[for="loyaltyId"]`), "Su número de fidelidad") {
		t.Errorf("loyaltyId label = %q", page.Text(`label[for="loyaltyId"]`))
	}
	page = b.Submit(page, "button#continue", map[string]string{"email": "es@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x", "loyaltyId": "L-3"})
	if got := page.Text("#claimVerificationServerError"); got != "Notificación no comprobada: email" {
		t.Errorf("Spanish error = %q", got)
	}
	page = b.Submit(page, "button#email_ver_but_send", map[string]string{"email": "es@contoso.com"})
	page = b.Submit(page, "button#email_ver_but_verify", map[string]string{"email_ver_input": outboxCode(t, srv, "es@contoso.com")})
	if got := page.Text("#email_info"); got != "Dirección de correo electrónico comprobada. Ya puede continuar." {
		t.Errorf("Spanish verification message = %q", got)
	}
	idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"email": "es@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x", "loyaltyId": "L-3"}))
	if calls := api.calls(); len(calls) != 1 || calls[0]["lang"] != "3082" {
		t.Errorf("REST lang for es-ES: %v", calls)
	}
	b = srv.NewBrowser(t)
	page = b.Submit(b.Get(customAuthorize()+"&ui_locales=es"), "button#next", map[string]string{"signInName": "es@contoso.com", "password": "nope"})
	if got := page.Text(".error.pageLevel"); got != "La contraseña no es correcta." {
		t.Errorf("Spanish sign-in error = %q", got)
	}
	b = srv.NewBrowser(t)
	if got := b.Follow(b.Get(customAuthorize()+"&ui_locales=fr-FR"), "a#createAccount").Text("button#continue"); got != "Create" {
		t.Errorf("French (unsupported) falls back to English: %q", got)
	}
}
