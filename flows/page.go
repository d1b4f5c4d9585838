package flows

import (
	"strings"

	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// B2C's texts of the user flows' pages (the page model's strings; the web layer translates
// them with the rest of the page).
const (
	titleSignUpOrSignIn = "Sign up or sign in"
	titleSignIn         = "Sign in"
	titleSignUp         = "Sign up"
	titleDetails        = "User details"
	introSignUp         = "Create your account by providing the following details."
	introAttributes     = "Please provide the following details."
	msgWholeNumber      = "Please enter a whole number."
	// wholeNumber is what Attribute.Parse accepts for an Int attribute, as an HTML pattern.
	wholeNumber = `[+\-]?[0-9]+`
	// strongPassword is what StrongPassword accepts, as an HTML pattern read with the u flag:
	// 8 to 64 characters, three of lower case, upper case, digits and anything else.
	strongPassword = `(?=[\s\S]{8,64}$)(?:` + lower + upper + digit + `|` + lower + upper + other + `|` + lower + digit + other + `|` + upper + digit + other + `)[\s\S]*`
	lower          = `(?=[\s\S]*\p{Lowercase})`
	upper          = `(?=[\s\S]*\p{Uppercase})`
	digit          = `(?=[\s\S]*\p{Nd})`
	other          = `(?=[\s\S]*[^\p{Lowercase}\p{Uppercase}\p{Nd}])`
)

// describe fills r.Page with the page of the run's phase, from the flow's definition and the
// run's state: it runs after every Start and every Advance that succeeded, so the page is
// always the one the run is on.
func (m *Machine) describe(def *Definition, r *engine.Run) {
	switch {
	case r.Phase == engine.PhaseSignIn:
		r.Page = m.signInPage(def)
	case r.Phase == engine.PhaseLocalSignUp:
		r.Page = m.signUpPage(def, r)
	case r.Phase == engine.PhaseAttributes && def.Type == PasswordReset:
		r.Page = resetPage(r)
	case r.Phase == engine.PhaseAttributes && def.Type == ProfileEdit:
		r.Page = &engine.Page{Title: titleDetails, ContinueLabel: "Continue", Fields: m.attributeFields(def, r, true)}
	case r.Phase == engine.PhaseAttributes:
		r.Page = &engine.Page{Title: titleSignUp, Intro: introAttributes, ContinueLabel: "Create", Fields: m.attributeFields(def, r, true)}
	case r.Phase == engine.PhaseMFA:
		r.Page = m.mfaPage(def, r)
	case r.Phase == engine.PhaseBlocked:
		r.Page = &engine.Page{Title: titleSignUp, Blocked: true, Intro: r.UserMessage}
	default: // the fake identity provider's page, or the run ended
		r.Page = nil
	}
}

// signInPage is the flow's first page: B2C's unified page (local sign-in, "Sign up now",
// "Forgot your password?", the provider buttons) or, for a sign-up flow, the provider choice.
func (m *Machine) signInPage(def *Definition) *engine.Page {
	p := &engine.Page{Unified: true, Selection: !def.SignsIn(), LocalSignIn: def.SignsIn() && def.Offers(LocalProvider),
		SignUpLink: def.SignsUp() && def.Offers(LocalProvider), SignInName: def.SignInInput}
	switch {
	case def.Type == SignUpOrSignIn:
		p.Title = titleSignUpOrSignIn
	case def.SignsIn(): // sign in and profile editing: no sign-up link
		p.Title = titleSignIn
	default:
		p.Title = titleSignUp
	}
	if p.SignInName == "" {
		p.SignInName = "email"
	}
	if def.PhoneAccounts() { // a phone number and a code: no password to forget
		p.SignInName, p.PhoneSignIn = "signInName", true
	} else if p.LocalSignIn {
		p.ForgotPassword = "AfterLabel"
	}
	p.RememberMe = p.LocalSignIn && def.KeepMeSignedInDays > 0
	social := def.SocialProviders()
	if len(social) > 0 {
		p.Providers = make([]engine.PageOption, 0, len(social))
	}
	for _, id := range social {
		name := m.providerName(id)
		p.Providers = append(p.Providers, engine.PageOption{Value: ExchangeID(name), Label: name})
	}
	return p
}

// signUpPage is the local account sign-up page: the email (verified unless the flow turns
// verification off), the new password twice, then the flow's other attributes.
func (m *Machine) signUpPage(def *Definition, r *engine.Run) *engine.Page {
	email := engine.PageField{ID: "email", Label: "Email Address", InputType: "EmailBox", Required: true}
	if def.VerifiesEmail() {
		email.Verify = stateOf(r).emailCheck.View(english)
	}
	fields := []engine.PageField{email,
		{ID: "newPassword", Label: "New Password", InputType: "Password", Required: true, Pattern: strongPassword, PatternHelp: msgPasswordStrength},
		{ID: "reenterPassword", Label: "Confirm New Password", InputType: "Password", Required: true}}
	return &engine.Page{Title: titleSignUp, Intro: introSignUp, ContinueLabel: "Create", Fields: append(fields, m.attributeFields(def, r, false)...)}
}

// resetPage is the password reset page the run is on: the email page until an account is
// found, then the new password page.
func resetPage(r *engine.Run) *engine.Page {
	if r.User == nil {
		return &engine.Page{Title: titleDetails, ContinueLabel: "Continue", Fields: []engine.PageField{
			{ID: "email", Label: "Email Address", InputType: "EmailBox", Required: true, Verify: stateOf(r).emailCheck.View(english)}}}
	}
	return &engine.Page{Title: titleDetails, ContinueLabel: "Continue", Fields: []engine.PageField{
		{ID: "newPassword", Label: "New Password", InputType: "Password", Required: true, Pattern: strongPassword, PatternHelp: msgPasswordStrength},
		{ID: "reenterPassword", Label: "Confirm New Password", InputType: "Password", Required: true}}}
}

// attributeFields are the inputs of the flow's user attributes, in the flow's order; withEmail
// keeps the email attribute (the local sign-up page has its own email field). On a profile
// editing page, a local account's email is its sign-in name and cannot be edited.
func (m *Machine) attributeFields(def *Definition, r *engine.Run, withEmail bool) []engine.PageField {
	var out []engine.PageField // nil when there is no field, as pages have always had it
	if len(def.UserAttributes) > 0 {
		out = make([]engine.PageField, 0, len(def.UserAttributes)) // one allocation, not one per growth
	}
	for _, ua := range def.UserAttributes {
		if ua.Name == "email" && !withEmail {
			continue
		}
		a, _ := m.Schema.Lookup(ua.Name)
		f := engine.PageField{ID: a.Name, Label: a.Label, InputType: "TextBox", Required: ua.Required}
		if a.Custom { // B2C's input id for a custom attribute
			f.ID, f.Claim = "extension_"+a.Name, a.Name
		}
		switch {
		case a.Name == "email" && def.Type == ProfileEdit && r.Provider == LocalProvider:
			f.InputType, f.Required = "Readonly", false
		case a.Name == "email":
			f.InputType = "EmailBox"
		case a.DataType == attributes.Boolean:
			f.InputType, f.Options = "RadioSingleSelect", []engine.PageOption{{Value: "true", Label: "Yes"}, {Value: "false", Label: "No"}}
		case a.DataType == attributes.Int:
			f.Pattern, f.PatternHelp = wholeNumber, msgWholeNumber
		}
		out = append(out, f)
	}
	return out
}

// english gives a string id's English default: user flows have no localized page strings.
func english(_, def string) string { return def }

// providerName is an identity provider's display name, its id when the tenant gives none.
func (m *Machine) providerName(id string) string {
	if n := m.Providers[id]; n != "" {
		return n
	}
	return id
}

// ExchangeID is B2C's claims exchange of a user flow's identity provider button, also the
// button's element id: the provider's display name without what is not a letter or a digit,
// and "Exchange" (FacebookExchange, GoogleExchange).
func ExchangeID(displayName string) string {
	return strings.Map(func(c rune) rune {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return c
		}
		return -1
	}, displayName) + "Exchange"
}

// provider is the identity provider a sign-in page's choice names: its id, or the claims
// exchange of its button.
func (m *Machine) provider(def *Definition, choice string) (string, bool) {
	if def.Offers(choice) {
		return choice, true
	}
	for _, id := range def.SocialProviders() {
		if ExchangeID(m.providerName(id)) == choice {
			return id, true
		}
	}
	return "", false
}
