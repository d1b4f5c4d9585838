package flows_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// field is a page field's layout, without its verification.
type field struct {
	ID, Claim, Label, InputType string
	Required                    bool
	Pattern                     string
	Options                     int
}

func layout(p *engine.Page) []field {
	var out []field
	for _, f := range p.Fields {
		out = append(out, field{f.ID, f.Claim, f.Label, f.InputType, f.Required, f.Pattern, len(f.Options)})
	}
	return out
}

// TestPages: the user-flow machine describes every page it shows in Run.Page, the model the
// custom-policy engine fills too, and keeps it current after every input.
func TestPages(t *testing.T) {
	ctx := context.Background()
	attrs := []field{
		{"displayName", "", "Display Name", "TextBox", true, "", 0},
		{"city", "", "City", "TextBox", false, "", 0},
		{"extension_LoyaltyNumber", "LoyaltyNumber", "LoyaltyNumber", "TextBox", false, "", 0},
		{"extension_Age", "Age", "Age", "TextBox", false, `[+\-]?[0-9]+`, 0},
		{"extension_OptIn", "OptIn", "OptIn", "RadioSingleSelect", false, "", 2},
	}
	newcomer := engine.SignInFederated{IssuerAssignedID: "999", Claims: engine.Claims{"email": "new@fabrikam.com"}}
	signUpOnly := &flows.Definition{ID: "B2C_1_up", Type: flows.SignUp, IdentityProviders: []string{"facebook.com", "email"}}
	signIn := &flows.Definition{ID: "B2C_1_in", Type: flows.SignIn, IdentityProviders: []string{"email"}, SignInInput: "logonIdentifier"}
	tests := []struct {
		name   string
		def    *flows.Definition
		inputs []engine.Input
		answer map[apiconnector.Step][]apiconnector.Result
		check  func(t *testing.T, r *engine.Run)
	}{
		{name: "the unified page", def: susi, check: func(t *testing.T, r *engine.Run) {
			p := r.Page
			want := []engine.PageOption{{Value: "FacebookExchange", Label: "Facebook"}}
			if !p.Unified || p.Selection || !p.LocalSignIn || !p.SignUpLink || p.SignInName != "email" || p.ForgotPassword != "AfterLabel" ||
				p.Title != "Sign up or sign in" || !reflect.DeepEqual(p.Providers, want) {
				t.Errorf("page %+v", p)
			}
		}},
		{name: "a sign-in flow: no sign-up link, its sign-in name input", def: signIn, check: func(t *testing.T, r *engine.Run) {
			if p := r.Page; !p.LocalSignIn || p.SignUpLink || p.SignInName != "logonIdentifier" || p.Title != "Sign in" || len(p.Providers) != 0 {
				t.Errorf("page %+v", p)
			}
		}},
		{name: "a sign-up flow's provider choice", def: signUpOnly, check: func(t *testing.T, r *engine.Run) {
			p := r.Page
			if !p.Unified || !p.Selection || p.LocalSignIn || !p.SignUpLink || p.ForgotPassword != "" || p.Title != "Sign up" || p.Providers[0].Value != "FacebookExchange" {
				t.Errorf("page %+v", p)
			}
		}},
		{name: "a provider button's claims exchange chooses its provider", def: signUpOnly,
			inputs: []engine.Input{engine.ChooseProvider{Provider: "FacebookExchange"}},
			check: func(t *testing.T, r *engine.Run) {
				if r.Phase != engine.PhaseIdP || r.Provider != "facebook.com" || r.Page != nil {
					t.Errorf("phase %s provider %q page %+v", r.Phase, r.Provider, r.Page)
				}
			}},
		{name: "the local sign-up page: email with its verification, passwords, attributes", def: susi,
			inputs: []engine.Input{engine.StartSignUp{}},
			check: func(t *testing.T, r *engine.Run) {
				p := r.Page
				// The page checks the password's strength before sending it, with the server's
				// text (the pattern itself is checked against StrongPassword in Chromium, in web).
				pw := p.Fields[1]
				if pw.Pattern == "" || pw.PatternHelp != "The password must be between 8 and 64 characters and contain 3 out of 4 of the following: lowercase characters, uppercase characters, digits (0-9), and one or more symbols." {
					t.Errorf("newPassword pattern %q, help %q", pw.Pattern, pw.PatternHelp)
				}
				want := append([]field{{"email", "", "Email Address", "EmailBox", true, "", 0},
					{"newPassword", "", "New Password", "Password", true, pw.Pattern, 0},
					{"reenterPassword", "", "Confirm New Password", "Password", true, "", 0}}, attrs...)
				if got := layout(p); !reflect.DeepEqual(got, want) {
					t.Errorf("fields\n got %+v\nwant %+v", got, want)
				}
				v := p.Fields[0].Verify
				if p.Title != "Sign up" || p.Intro != "Create your account by providing the following details." || p.ContinueLabel != "Create" ||
					v == nil || v.State != "" || v.Send != "Send verification code" || p.Fields[3].PatternHelp != "" || p.Fields[6].PatternHelp != "Please enter a whole number." {
					t.Errorf("page %+v, verification %+v", p, v)
				}
			}},
		{name: "the verification's state follows the buttons", def: susi,
			inputs: []engine.Input{engine.StartSignUp{}, engine.VerifyEmail{Action: "send", Field: "email", Values: map[string]string{"email": "ana@contoso.com"}}},
			check: func(t *testing.T, r *engine.Run) {
				if v := r.Page.Fields[0].Verify; v.State != "sent" || v.Message != "Verification code has been sent to your inbox. Please copy it to the input box below." {
					t.Errorf("verification %+v", v)
				}
			}},
		{name: "verification off: no controls", def: &flows.Definition{ID: "B2C_1_up", Type: flows.SignUp, IdentityProviders: []string{"email"}, NoEmailVerification: true},
			check: func(t *testing.T, r *engine.Run) {
				if r.Phase != engine.PhaseLocalSignUp || r.Page.Fields[0].Verify != nil {
					t.Errorf("phase %s fields %+v", r.Phase, r.Page.Fields)
				}
			}},
		{name: "the attribute page after a social sign-in", def: susi,
			inputs: []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, newcomer},
			check: func(t *testing.T, r *engine.Run) {
				p := r.Page
				if got := layout(p); r.Phase != engine.PhaseAttributes || !reflect.DeepEqual(got, attrs) || p.Intro != "Please provide the following details." || p.ContinueLabel != "Create" {
					t.Errorf("phase %s page %+v fields %+v", r.Phase, p, got)
				}
			}},
		{name: "the block page", def: susi,
			inputs: []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, newcomer},
			answer: map[apiconnector.Step][]apiconnector.Result{apiconnector.PostFederationSignup: {{Action: apiconnector.ShowBlockPage, UserMessage: "Not here."}}},
			check: func(t *testing.T, r *engine.Run) {
				if p := r.Page; r.Phase != engine.PhaseBlocked || p == nil || !p.Blocked || p.Intro != "Not here." || len(p.Fields) != 0 {
					t.Errorf("phase %s page %+v", r.Phase, p)
				}
			}},
		{name: "a missing value is not an incorrect one", def: susi,
			inputs: []engine.Input{engine.StartSignUp{}, engine.SubmitSignUp{Values: map[string]string{}}},
			check: func(t *testing.T, r *engine.Run) {
				if !r.RequiredMissing || r.FieldIncorrect || r.Page.Fields[0].ID != "email" {
					t.Errorf("required %v incorrect %v errors %v", r.RequiredMissing, r.FieldIncorrect, r.FieldErrors)
				}
			}},
		{name: "a value of the wrong type is incorrect", def: susi,
			inputs: []engine.Input{engine.StartSignUp{}, engine.SubmitSignUp{Email: "ana@contoso.com", Password: "Passw0rd!", ConfirmPassword: "Passw0rd!",
				Values: map[string]string{"displayName": "Ana", "Age": "old"}}},
			check: func(t *testing.T, r *engine.Run) {
				if r.RequiredMissing || !r.FieldIncorrect || r.FieldErrors["Age"] != "Please enter a whole number." {
					t.Errorf("required %v incorrect %v errors %v", r.RequiredMissing, r.FieldIncorrect, r.FieldErrors)
				}
			}},
		{name: "a weak password and a bad email are incorrect", def: susi,
			inputs: []engine.Input{engine.StartSignUp{}, engine.SubmitSignUp{Email: "ana@", Password: "short", ConfirmPassword: "short", Values: map[string]string{"displayName": "Ana"}}},
			check: func(t *testing.T, r *engine.Run) {
				if !r.FieldIncorrect || r.FieldErrors["email"] == "" || r.FieldErrors["newPassword"] == "" {
					t.Errorf("incorrect %v errors %v", r.FieldIncorrect, r.FieldErrors)
				}
			}},
		{name: "the next submission clears the mark", def: susi,
			inputs: []engine.Input{engine.StartSignUp{}, engine.SubmitSignUp{Email: "ana@", Values: map[string]string{}}, engine.SubmitSignUp{Values: map[string]string{}}},
			check: func(t *testing.T, r *engine.Run) {
				if r.FieldIncorrect || !r.RequiredMissing {
					t.Errorf("incorrect %v required %v", r.FieldIncorrect, r.RequiredMissing)
				}
			}},
		{name: "password reset: the email page, then the new password page", def: resetFlow, check: func(t *testing.T, r *engine.Run) {
			if p := r.Page; p.Title != "User details" || p.ContinueLabel != "Continue" || p.Fields[0].ID != "email" || p.Fields[0].Verify == nil {
				t.Errorf("page %+v", p)
			}
		}},
		{name: "profile editing: the attributes, a local account's email read-only", def: profileFlow,
			inputs: []engine.Input{engine.SignInLocal{Email: "ana@fabrikam.com", Password: "Passw0rd!"}},
			check: func(t *testing.T, r *engine.Run) {
				if p := r.Page; p.Title != "User details" || p.Fields[0].InputType != "Readonly" || p.Fields[0].Required || p.Intro != "" {
					t.Errorf("page %+v", p)
				}
			}},
		{name: "no page once the run has ended", def: susi,
			inputs: []engine.Input{engine.Cancel{}},
			check: func(t *testing.T, r *engine.Run) {
				if r.Page != nil {
					t.Errorf("page %+v", r.Page)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &memDirectory{}
			seedAna(d)
			m := newMachine(&stubConnector{answers: tt.answer}, d)
			m.Providers = map[string]string{"facebook.com": "Facebook"}
			r := m.Start(ctx, tt.def, "run-1", "app", "")
			for _, in := range tt.inputs {
				if err := m.Advance(ctx, tt.def, r, in); err != nil {
					t.Fatalf("%T: %v", in, err)
				}
			}
			tt.check(t, r)
		})
	}
}

// TestRememberMePage: the sign-in page shows "Keep me signed in" when the flow keeps such
// sessions and the page has the local sign-in form; never on a sign-up flow's provider choice.
func TestRememberMePage(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		def  *flows.Definition
		want bool
	}{
		{"off", &flows.Definition{ID: "B2C_1_f", Type: flows.SignUpOrSignIn, IdentityProviders: []string{"email"}}, false},
		{"sign up or sign in, 30 days", &flows.Definition{ID: "B2C_1_f", Type: flows.SignUpOrSignIn, IdentityProviders: []string{"email", "facebook.com"}, KeepMeSignedInDays: 30}, true},
		{"sign in, one day", &flows.Definition{ID: "B2C_1_f", Type: flows.SignIn, IdentityProviders: []string{"email"}, KeepMeSignedInDays: 1}, true},
		{"phone accounts", &flows.Definition{ID: "B2C_1_f", Type: flows.SignIn, IdentityProviders: []string{"email"}, LocalAccount: "phone", KeepMeSignedInDays: 7}, true},
		{"social only: no local form", &flows.Definition{ID: "B2C_1_f", Type: flows.SignUpOrSignIn, IdentityProviders: []string{"facebook.com"}, KeepMeSignedInDays: 30}, false},
		{"a sign-up flow's provider choice", &flows.Definition{ID: "B2C_1_f", Type: flows.SignUp, IdentityProviders: []string{"email", "facebook.com"}, KeepMeSignedInDays: 30}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := newMachine(&stubConnector{}, &memDirectory{})
			m.Providers = map[string]string{"facebook.com": "Facebook"}
			r := m.Start(ctx, tt.def, "run-1", "app", "")
			if !r.Page.Unified || r.Page.RememberMe != tt.want {
				t.Errorf("RememberMe = %v, want %v (page %+v)", r.Page.RememberMe, tt.want, r.Page)
			}
		})
	}
}
