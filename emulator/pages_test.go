package emulator_test

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestLocalizedPages: ui_locales (or Accept-Language) picks the language of the built-in
// strings; a connector's own message is shown as sent.
func TestLocalizedPages(t *testing.T) {
	srv, b := start(t, &connectorScript{answer: func(step string, _ map[string]any) (int, string) {
		return 400, `{"version":"1.0.0","action":"ValidationError","status":400,"userMessage":"Nombre demasiado corto."}`
	}})
	page := b.Get(authorizeURL(url.Values{"ui_locales": {"es-ES"}}))
	if page.Doc.Find("html").AttrOr("lang", "") != "es" || page.Text("button#next") != "Iniciar sesión" || page.Text("a#createAccount") != "Registrarse ahora" {
		t.Fatalf("not Spanish:\n%s", page.Body)
	}
	page = b.Follow(page, "a#createAccount")
	page = b.Submit(page, "button#continue", map[string]string{"email": "ana@fabrikam.com"})
	if page.Text("#requiredFieldMissing") != "Falta un campo obligatorio. Rellene todos los campos obligatorios e inténtelo de nuevo." ||
		page.Text("li.newPassword_li .error.itemLevel") != "Esta información es obligatoria." || page.Text("button#continue") != "Crear" {
		t.Errorf("Spanish errors:\n%s", page.Body)
	}
	page = b.VerifyEmail(page, "ana@fabrikam.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "ana@fabrikam.com", "newPassword": "Passw0rd!", "reenterPassword": "Passw0rd!", "displayName": "Ana"})
	if page.Text("#claimVerificationServerError") != "Nombre demasiado corto." {
		t.Errorf("connector message = %q", page.Text("#claimVerificationServerError"))
	}
	// Accept-Language when there is no ui_locales; English otherwise.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+authorizeURL(nil), nil)
	req.Header.Set("Accept-Language", "es-MX,es;q=0.9")
	resp, err := srv.NewBrowser(t).Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "Iniciar sesión con su dirección de correo electrónico") {
		t.Error("Accept-Language es-MX did not give Spanish")
	}
	if page := srv.NewBrowser(t).Get(authorizeURL(url.Values{"ui_locales": {"fr-FR"}})); page.Text("button#next") != "Sign in" {
		t.Errorf("an unknown language must fall back to English: %q", page.Text("button#next"))
	}
}

func TestBrandedPages(t *testing.T) {
	dir := t.TempDir()
	logo := filepath.Join(dir, "logo.svg")
	os.WriteFile(logo, []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`), 0o644)
	api := startAPI(t, &connectorScript{})
	srv := emulatortest.Start(t, tenantYAML(api)+"branding: {companyName: Fabrikam Air, logo: "+logo+", primaryColor: \"#c239b3\", backgroundColor: \"#1b1a19\"}\n")
	b := srv.NewBrowser(t)
	page := b.Get(authorizeURL(nil))
	if page.Text(".banner .tenant") != "Fabrikam Air" || page.Doc.Find(`img.logo[src="/_branding/logo"]`).Length() != 1 {
		t.Errorf("banner:\n%s", page.Body)
	}
	css := b.Get("/_branding.css")
	if !strings.Contains(css.Body, "#c239b3") || !strings.Contains(css.Body, "background: #1b1a19") {
		t.Errorf("branding CSS: %s", css.Body)
	}
	resp, err := srv.Client.Get(srv.URL + "/_branding/logo")
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("logo: %v %v", err, resp)
	}
}

// TestSignInInputID: the unified page's sign-in name input is input#email on a user flow (the
// recommended user flows' page) and input#logonIdentifier with signInInputId: logonIdentifier
// (the standard ones'); the form posts it under that name and the sign-in works with either.
func TestSignInInputID(t *testing.T) {
	api := startAPI(t, &connectorScript{answer: func(string, map[string]any) (int, string) { return 200, `{"version":"1.0.0","action":"Continue"}` }})
	for _, id := range []string{"email", "logonIdentifier"} {
		t.Run(id, func(t *testing.T) {
			yaml := tenantYAML(api)
			if id != "email" {
				yaml = configEdit(t, yaml, "    type: signUpOrSignIn\n", "    type: signUpOrSignIn\n    signInInputId: "+id+"\n")
			}
			srv := emulatortest.Start(t, yaml)
			b := srv.NewBrowser(t)
			page := b.Submit(b.VerifyEmail(b.Follow(b.Get(authorizeURL(nil)), "a#createAccount"), "in@fabrikam.com"), "button#continue", map[string]string{
				"email": "in@fabrikam.com", "newPassword": "Passw0rd!", "reenterPassword": "Passw0rd!", "displayName": "Ina"})
			if page.Location == nil {
				t.Fatalf("sign-up did not return to the app:\n%s", page.Body)
			}
			b = srv.NewBrowser(t)
			page = b.Get(authorizeURL(nil))
			sel := "form#localAccountForm input#" + id + "[type=email][name=" + id + "]"
			if page.Doc.Find(sel).Length() != 1 || page.Doc.Find("label[for="+id+"]").Length() != 1 || page.Doc.Find("[type=submit]").Length() != 1 {
				t.Fatalf("no single %s with its label and one [type=submit]:\n%s", sel, page.Body)
			}
			if page = b.Submit(page, "button#next", map[string]string{id: "in@fabrikam.com", "password": "Passw0rd!"}); page.Location == nil {
				t.Errorf("sign-in with %s did not return to the app:\n%s", id, page.Body)
			}
		})
	}
}
