package web

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/web/views"
)

// TestStringTablesAreComplete renders every page a user of a flow sees, in every language, with
// every built-in message and label, and fails on any string the table lacks.
func TestStringTablesAreComplete(t *testing.T) {
	for _, lang := range Languages[1:] {
		var missing []string
		tr := translator(lang)
		page := views.Page{Title: "Sign up or sign in", Lang: lang, Tenant: "contoso", T: func(s string) string {
			out := tr(s)
			if out == s && strings.TrimSpace(s) != "" && s != "No" {
				missing = append(missing, s)
			}
			return out
		}}
		var fields []views.Field
		for _, a := range attributes.New(nil).All() {
			fields = append(fields, views.Field{ID: a.Name, Label: a.Label, InputType: "TextBox", Type: "text", Error: "This information is required."})
		}
		for i, msg := range flows.Messages {
			fields = append(fields, views.Field{ID: "f" + string(rune('a'+i)), Label: "Display Name", InputType: "TextBox", Type: "text", Error: strings.Replace(msg, "%d", "64", 1)})
		}
		fields = append(fields, views.Field{ID: "b", Label: "New Password", InputType: "RadioSingleSelect", Options: []views.Option{{Value: "true", Label: "Yes"}, {Value: "false", Label: "No"}}},
			views.Field{ID: "c", Label: "Confirm New Password", InputType: "Password", Type: "password"})
		pages := []templ.Component{
			views.SignInPage(views.SignIn{Page: page, Combined: true, Local: true, LocalSignUp: true, RememberMe: true, PageError: "Your password is incorrect.",
				EmailError: "Please enter your Email Address", PassError: "Please enter your password", Providers: []views.Provider{{ID: "x", ButtonID: "XExchange", DisplayName: "X"}}}),
			views.SignInPage(views.SignIn{Page: page, LocalSignUp: true, Providers: []views.Provider{{ID: "x", ButtonID: "XExchange", DisplayName: "X"}}}),
			views.IdPPage(views.IdP{Page: page, ProviderName: "Facebook"}),
			views.IdPPage(views.IdP{Page: page, ProviderName: "Facebook", SignsUp: true, CanDelete: true, TypedExisting: "u-1",
				Accounts: []views.Account{{IssuerAssignedID: "1", DisplayName: "Ana", ExistingUser: "u-2"}}}),
			views.IdPPage(views.IdP{Page: page, ProviderName: "Facebook", Accounts: []views.Account{{IssuerAssignedID: "1", DisplayName: "Ana", ExistingUser: "u-2"}}}),
			views.SelfAssertedPage(views.SelfAsserted{Page: page, Intro: "Please provide the following details.", Fields: fields, ContinueLabel: "Create",
				RequiredMissing: true, PasswordMismatch: true, FieldIncorrect: true, ServerError: "A user with the specified ID already exists. Please choose a different one."}),
			views.SelfAssertedPage(views.SelfAsserted{Page: page, Intro: "Create your account by providing the following details.", ContinueLabel: "Create"}),
			views.ErrorPage(views.Error{Page: page, Code: "AADB2C90006", Message: "Your sign-in session has expired or was already completed. Please go back to the application and sign in again."}),
			views.ErrorPage(views.Error{Page: page, Message: "This page was already submitted. Please go back to the application and sign in again."}),
			views.SignedOutPage(page),
		}
		for _, title := range []string{"Sign up", "User details"} { // the other page titles
			titled := page
			titled.Title = title
			pages = append(pages, views.SignedOutPage(titled))
		}
		for _, p := range pages {
			var b bytes.Buffer
			if err := p.Render(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range missing {
			if !strings.Contains(m, "Display Name") { // field labels repeat
				t.Errorf("%s: no translation of %q", lang, m)
			}
		}
	}
}

func TestLanguage(t *testing.T) {
	for in, want := range map[string]string{"es": "es", "es-ES": "es", "ES_mx": "es", "en-US": "en", "fr-FR": "en", "": "en"} {
		if got := language(in); got != want {
			t.Errorf("language(%q) = %q, want %q", in, got, want)
		}
	}
	if got := translator("es")("Please enter no more than 128 characters."); got != "No escriba más de 128 caracteres." {
		t.Errorf("a numbered message: %q", got)
	}
	if got := translator("es")("Only fabrikam.com may sign up."); got != "Only fabrikam.com may sign up." {
		t.Errorf("a connector's message was changed: %q", got)
	}
}
