package flows_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/engine"
)

var (
	signInFlow = &flows.Definition{ID: "B2C_1_signin", Type: flows.SignIn, IdentityProviders: []string{"email", "facebook.com"},
		ApplicationClaims: []string{"displayName", "objectId"}, Connectors: map[apiconnector.Step]string{apiconnector.PreTokenIssuance: "api"}}
	resetFlow   = &flows.Definition{ID: "B2C_1_reset", Type: flows.PasswordReset, IdentityProviders: []string{"email"}, ApplicationClaims: []string{"objectId"}}
	profileFlow = &flows.Definition{ID: "B2C_1_edit", Type: flows.ProfileEdit, IdentityProviders: []string{"email", "facebook.com"},
		UserAttributes:    []flows.UserAttribute{{Name: "email"}, {Name: "displayName", Required: true}, {Name: "city"}, {Name: "OptIn"}},
		ApplicationClaims: []string{"displayName", "city", "newUser", "objectId"}}
)

// seedAna stores a local account (ana@fabrikam.com, password Passw0rd!) and John's Facebook
// identity.
func seedAna(d *memDirectory) {
	d.Create(context.Background(), &engine.User{ObjectID: "oid-ana", Identities: []engine.Identity{{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@fabrikam.com"}},
		Attributes: engine.Claims{"email": "ana@fabrikam.com", "displayName": "Ana Lima", "city": "Porto"}}, "Passw0rd!")
	d.Create(context.Background(), &engine.User{ObjectID: "oid-john", Identities: []engine.Identity{{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "123"}},
		Attributes: engine.Claims{"email": "john@fabrikam.com", "displayName": "John Smith"}}, "")
}

func TestFlowTypes(t *testing.T) {
	type check func(t *testing.T, r *engine.Run, c *stubConnector, d *memDirectory)
	resetTo := func(email string, more ...engine.Input) []engine.Input {
		return append(verified(email, engine.SubmitAttributes{Values: map[string]string{"email": email}}), more...)
	}
	newPassword := engine.SubmitAttributes{Values: map[string]string{"newPassword": "N3w-Secret", "reenterPassword": "N3w-Secret"}}
	tests := []struct {
		name   string
		def    *flows.Definition
		inputs []engine.Input
		phase  engine.Phase
		steps  []apiconnector.Step
		check  check
	}{
		{name: "sign-in: local account, then the token step", def: signInFlow,
			inputs: []engine.Input{engine.SignInLocal{Email: "ana@fabrikam.com", Password: "Passw0rd!"}},
			phase:  engine.PhaseDone, steps: []apiconnector.Step{apiconnector.PreTokenIssuance},
			check: func(t *testing.T, r *engine.Run, c *stubConnector, _ *memDirectory) {
				if c.calls[0].ObjectID != "oid-ana" || r.NewUser || r.TokenClaims["oid"] != "oid-ana" {
					t.Errorf("token step %+v, run %+v", c.calls[0], r)
				}
			}},
		{name: "sign-in: known social identity", def: signInFlow,
			inputs: []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, john},
			phase:  engine.PhaseDone, steps: []apiconnector.Step{apiconnector.PreTokenIssuance}},
		{name: "sign-in: a social identity without an account is AADB2C99002, nothing created", def: signInFlow,
			inputs: []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, engine.SignInFederated{IssuerAssignedID: "999", Claims: engine.Claims{"email": "x@fabrikam.com"}}},
			phase:  engine.PhaseFailed, steps: []apiconnector.Step{},
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, d *memDirectory) {
				if f := r.Failure; f.Code != "AADB2C99002" || f.OAuth != "server_error" || !f.Redirect || f.Message != "User does not exist. Please sign up before you can sign in." {
					t.Errorf("failure %+v", f)
				}
				if len(d.users) != 2 {
					t.Errorf("%d users", len(d.users))
				}
			}},
		{name: "sign-in: the forgotten-password link returns AADB2C90118", def: signInFlow,
			inputs: []engine.Input{engine.ForgotPassword{}}, phase: engine.PhaseCancelled,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if r.Failure.Code != "AADB2C90118" {
					t.Errorf("failure %+v", r.Failure)
				}
			}},
		{name: "password reset: verified email, new password, token", def: resetFlow,
			inputs: resetTo("ana@fabrikam.com", newPassword), phase: engine.PhaseDone,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, d *memDirectory) {
				if d.passwords["oid-ana"] != "N3w-Secret" || r.User.ObjectID != "oid-ana" || r.NewUser {
					t.Errorf("password %q, run user %+v", d.passwords["oid-ana"], r.User)
				}
			}},
		{name: "password reset: the email page needs the address verified", def: resetFlow,
			inputs: []engine.Input{engine.SubmitAttributes{Values: map[string]string{"email": "ana@fabrikam.com"}}}, phase: engine.PhaseAttributes,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if r.PageError != "Claim not verified: email" || r.Page.Fields[0].ID != "email" || r.Page.Fields[0].Verify == nil {
					t.Errorf("page error %q, page %+v", r.PageError, r.Page)
				}
			}},
		{name: "password reset: a verified address without an account", def: resetFlow,
			inputs: resetTo("nobody@fabrikam.com"), phase: engine.PhaseAttributes,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if r.PageError != "An account could not be found for the provided user ID." {
					t.Errorf("page error %q", r.PageError)
				}
			}},
		{name: "password reset: weak and mismatched passwords stay on the page", def: resetFlow,
			inputs: resetTo("ana@fabrikam.com", engine.SubmitAttributes{Values: map[string]string{"newPassword": "short", "reenterPassword": "other"}}), phase: engine.PhaseAttributes,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, d *memDirectory) {
				if r.FieldErrors["newPassword"] == "" || !r.PasswordMismatch || d.passwords["oid-ana"] != "Passw0rd!" {
					t.Errorf("errors %v mismatch %v", r.FieldErrors, r.PasswordMismatch)
				}
				if ids := []string{r.Page.Fields[0].ID, r.Page.Fields[1].ID}; !reflect.DeepEqual(ids, []string{"newPassword", "reenterPassword"}) {
					t.Errorf("fields %v", ids)
				}
			}},
		{name: "profile edit: local sign-in shows the stored attributes", def: profileFlow,
			inputs: []engine.Input{engine.SignInLocal{Email: "ana@fabrikam.com", Password: "Passw0rd!"}}, phase: engine.PhaseAttributes,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				want := engine.Claims{"email": "ana@fabrikam.com", "displayName": "Ana Lima", "city": "Porto"}
				if !reflect.DeepEqual(r.Values, want) || r.Page.ContinueLabel != "Continue" || r.Page.Fields[0].InputType != "Readonly" || r.Page.Fields[3].InputType != "RadioSingleSelect" {
					t.Errorf("values %v, page %+v", r.Values, r.Page)
				}
			}},
		{name: "profile edit: a custom attribute's input is extension_<Name>, holding <Name>", def: profileFlow,
			inputs: []engine.Input{engine.SignInLocal{Email: "ana@fabrikam.com", Password: "Passw0rd!"}}, phase: engine.PhaseAttributes,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				f := r.Page.Fields[3]
				if f.ID != "extension_OptIn" || f.ClaimID() != "OptIn" || r.Page.Fields[1].ClaimID() != "displayName" {
					t.Errorf("fields %+v", r.Page.Fields)
				}
			}},
		{name: "profile edit: a required error is not an incorrect field", def: profileFlow,
			inputs: []engine.Input{engine.SignInLocal{Email: "ana@fabrikam.com", Password: "Passw0rd!"}, engine.SubmitAttributes{Values: map[string]string{"displayName": ""}}},
			phase:  engine.PhaseAttributes,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if !r.RequiredMissing || r.FieldIncorrect || r.FieldErrors["displayName"] == "" {
					t.Errorf("required %v, incorrect %v, errors %v", r.RequiredMissing, r.FieldIncorrect, r.FieldErrors)
				}
			}},
		{name: "profile edit: Continue updates the user and issues a token", def: profileFlow,
			inputs: []engine.Input{engine.SignInLocal{Email: "ana@fabrikam.com", Password: "Passw0rd!"},
				engine.SubmitAttributes{Values: map[string]string{"email": "evil@x.com", "displayName": "Ana L.", "city": "", "OptIn": "true"}}},
			phase: engine.PhaseDone,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, d *memDirectory) {
				want := engine.Claims{"email": "ana@fabrikam.com", "displayName": "Ana L.", "OptIn": true}
				if u, _ := d.Get(context.Background(), "oid-ana"); !reflect.DeepEqual(u.Attributes, want) {
					t.Errorf("stored %v", u.Attributes)
				}
				if r.TokenClaims["name"] != "Ana L." || r.TokenClaims["city"] != nil || r.NewUser {
					t.Errorf("token claims %v", r.TokenClaims)
				}
			}},
		{name: "profile edit: a required attribute left empty stays on the page", def: profileFlow,
			inputs: []engine.Input{engine.SignInLocal{Email: "ana@fabrikam.com", Password: "Passw0rd!"}, engine.SubmitAttributes{Values: map[string]string{"displayName": ""}}},
			phase:  engine.PhaseAttributes,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if !r.RequiredMissing || r.FieldErrors["displayName"] != "This information is required." {
					t.Errorf("errors %v", r.FieldErrors)
				}
			}},
		{name: "profile edit: single sign-on skips the sign-in page", def: profileFlow,
			inputs: []engine.Input{engine.ResumeSession{ObjectID: "oid-john", Identity: engine.Identity{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "123"}}},
			phase:  engine.PhaseAttributes,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if r.Values["displayName"] != "John Smith" || r.Page.Fields[0].InputType != "EmailBox" {
					t.Errorf("values %v", r.Values)
				}
			}},
		{name: "profile edit: a new social identity signs up on the profile page", def: profileFlow,
			inputs: []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, engine.SignInFederated{IssuerAssignedID: "777", Claims: engine.Claims{"email": "new@fabrikam.com", "displayName": "New"}},
				engine.SubmitAttributes{Values: map[string]string{"email": "new@fabrikam.com", "displayName": "New One"}}},
			phase: engine.PhaseDone,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, d *memDirectory) {
				if len(d.users) != 3 || !r.NewUser || d.users[2].Attributes["displayName"] != "New One" {
					t.Errorf("users %d, newUser %v", len(d.users), r.NewUser)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &stubConnector{answers: map[apiconnector.Step][]apiconnector.Result{}}
			d := &memDirectory{}
			seedAna(d)
			m := newMachine(c, d)
			m.FixedCode = testCode
			r := m.Start(context.Background(), tt.def, "run-1", "client-1", "en-US")
			for i, in := range tt.inputs {
				if err := m.Advance(context.Background(), tt.def, r, in); err != nil {
					t.Fatalf("input %d (%T): %v", i, in, err)
				}
			}
			if r.Phase != tt.phase {
				t.Fatalf("phase = %s, want %s (page error %q, failure %+v)", r.Phase, tt.phase, r.PageError, r.Failure)
			}
			if tt.steps != nil && !reflect.DeepEqual(append([]apiconnector.Step{}, c.steps()...), tt.steps) {
				t.Errorf("connector steps = %v, want %v", c.steps(), tt.steps)
			}
			if tt.check != nil {
				tt.check(t, r, c, d)
			}
		})
	}
}

// TestFlowTypesRefuse: what a flow's type has no page for is refused, the run unchanged.
func TestFlowTypesRefuse(t *testing.T) {
	tests := []struct {
		def *flows.Definition
		in  engine.Input
	}{
		{signInFlow, engine.StartSignUp{}},
		{profileFlow, engine.StartSignUp{}},
		{resetFlow, engine.SignInLocal{Email: "ana@fabrikam.com", Password: "Passw0rd!"}},
		{resetFlow, engine.ResumeSession{ObjectID: "oid-ana"}},
	}
	for _, tt := range tests {
		d := &memDirectory{}
		seedAna(d)
		m := newMachine(&stubConnector{}, d)
		r := m.Start(context.Background(), tt.def, "run-1", "", "")
		before := *r
		if err := m.Advance(context.Background(), tt.def, r, tt.in); engine.KindOf(err) != engine.Invalid {
			t.Errorf("%s %T: err = %v", tt.def.Type, tt.in, err)
		}
		if r.Phase != before.Phase || r.Seq != before.Seq {
			t.Errorf("%s %T changed the run", tt.def.Type, tt.in)
		}
	}
}
