package flows_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// stubConnector answers each step with a scripted result and records the requests.
type stubConnector struct {
	answers map[apiconnector.Step][]apiconnector.Result // consumed in order; the last repeats
	calls   []apiconnector.Request
}

var _ apiconnector.Connector = (*stubConnector)(nil)

func (s *stubConnector) Call(_ context.Context, req apiconnector.Request) apiconnector.Result {
	s.calls = append(s.calls, req)
	a := s.answers[req.Step]
	if len(a) == 0 {
		return apiconnector.Result{Action: apiconnector.Continue}
	}
	res := a[0]
	if len(a) > 1 {
		s.answers[req.Step] = a[1:]
	}
	return res
}

func (s *stubConnector) steps() []apiconnector.Step {
	var out []apiconnector.Step
	for _, c := range s.calls {
		out = append(out, c.Step)
	}
	return out
}

// memDirectory is a plain in-memory directory; passwords are kept as given.
type memDirectory struct {
	users     []*engine.User
	passwords map[string]string
}

var _ directory.Directory = (*memDirectory)(nil)

func (d *memDirectory) FindByIdentity(_ context.Context, id engine.Identity) (*engine.User, error) {
	for _, u := range d.users {
		for _, x := range u.Identities {
			if strings.EqualFold(x.Issuer, id.Issuer) && strings.EqualFold(x.IssuerAssignedID, id.IssuerAssignedID) && x.SignInType == id.SignInType {
				return u, nil
			}
		}
	}
	return nil, directory.ErrNotFound
}

func (d *memDirectory) Get(_ context.Context, oid string) (*engine.User, error) {
	for _, u := range d.users {
		if u.ObjectID == oid {
			return u, nil
		}
	}
	return nil, directory.ErrNotFound
}

func (d *memDirectory) Authenticate(ctx context.Context, email, password string) (*engine.User, error) {
	u, err := d.FindByIdentity(ctx, engine.Identity{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: email})
	if err != nil {
		return nil, err
	}
	if d.passwords[u.ObjectID] != password {
		return nil, directory.ErrBadPassword
	}
	return u, nil
}

func (d *memDirectory) Create(ctx context.Context, u *engine.User, password string) error {
	for _, id := range u.Identities {
		if _, err := d.FindByIdentity(ctx, id); err == nil {
			return directory.ErrExists
		}
	}
	d.users = append(d.users, u)
	if d.passwords == nil {
		d.passwords = map[string]string{}
	}
	d.passwords[u.ObjectID] = password
	return nil
}

var (
	schema = attributes.New([]attributes.Attribute{{Name: "LoyaltyNumber", DataType: attributes.String}, {Name: "Age", DataType: attributes.Int}, {Name: "OptIn", DataType: attributes.Boolean}})
	susi   = &flows.Definition{
		ID: "B2C_1_susi", Type: flows.SignUpOrSignIn, IdentityProviders: []string{"email", "facebook.com"},
		UserAttributes:    []flows.UserAttribute{{Name: "displayName", Required: true}, {Name: "city"}, {Name: "LoyaltyNumber"}, {Name: "Age"}, {Name: "OptIn"}},
		ApplicationClaims: []string{"displayName", "emails", "identityProvider", "newUser", "objectId", "jobTitle", "city", "LoyaltyNumber", "Age", "OptIn"},
		Connectors:        map[apiconnector.Step]string{apiconnector.PostFederationSignup: "api", apiconnector.PostAttributeCollection: "api", apiconnector.PreTokenIssuance: "api"},
	}
	john = engine.SignInFederated{IssuerAssignedID: "123", Claims: engine.Claims{"email": "john@fabrikam.com", "displayName": "John Smith", "givenName": "John"}}
)

func newMachine(c *stubConnector, d *memDirectory) *flows.Machine {
	n := 0
	return &flows.Machine{Schema: schema, Tenant: "contoso", Connector: c, Directory: d,
		Now:   func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		NewID: func() string { n++; return "oid-" + string(rune('0'+n)) }}
}

// testCode is TestAdvance's verification code (Machine.FixedCode).
const testCode = "246810"

// verified is the local sign-up page's verification of email (send, then the code) before in.
func verified(email string, in engine.Input) []engine.Input {
	values := map[string]string{"email": email}
	return []engine.Input{engine.VerifyEmail{Action: "send", Field: "email", Values: values},
		engine.VerifyEmail{Action: "verify", Field: "email", Code: testCode, Values: values}, in}
}

func cont(claims engine.Claims) apiconnector.Result {
	return apiconnector.Result{Action: apiconnector.Continue, Claims: claims}
}

func failure() apiconnector.Result {
	return apiconnector.Result{Failure: &apiconnector.Failure{Message: "The claims exchange 'PreUserWriteRestful' specified in step '1' returned HTTP error response with Code 'InternalServerError' and Reason 'Internal Server Error'.", Diagnostic: "HTTP 500"}}
}

func TestAdvance(t *testing.T) {
	type check func(t *testing.T, r *engine.Run, c *stubConnector, d *memDirectory)
	tests := []struct {
		name    string
		def     *flows.Definition
		answers map[apiconnector.Step][]apiconnector.Result
		seed    func(d *memDirectory)
		inputs  []engine.Input
		phase   engine.Phase
		steps   []apiconnector.Step
		check   check
	}{
		{
			name:   "federated sign-up pre-fills from the IdP and the connector, overrides at PostAttributeCollection",
			inputs: []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, john},
			answers: map[apiconnector.Step][]apiconnector.Result{
				apiconnector.PostFederationSignup: {cont(engine.Claims{"city": "Lisbon", "LoyaltyNumber": "L-1"})},
			},
			phase: engine.PhaseAttributes,
			steps: []apiconnector.Step{apiconnector.PostFederationSignup},
			check: func(t *testing.T, r *engine.Run, c *stubConnector, _ *memDirectory) {
				want := engine.Claims{"email": "john@fabrikam.com", "displayName": "John Smith", "givenName": "John", "city": "Lisbon", "LoyaltyNumber": "L-1"}
				if !reflect.DeepEqual(r.Values, want) {
					t.Errorf("values = %v, want %v", r.Values, want)
				}
				req := c.calls[0]
				if req.Claims["email"] != "john@fabrikam.com" || len(req.Identities) != 1 || req.Identities[0] != (engine.Identity{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "123"}) {
					t.Errorf("PostFederationSignup request = %+v", req)
				}
				if req.ObjectID != "" {
					t.Error("objectId sent before the token step")
				}
			},
		},
		{
			name:   "federated sign-up completes: override stored, not-collected claim token-only, token step adds claims",
			inputs: []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, john, engine.SubmitAttributes{Values: map[string]string{"displayName": "Johnny S", "Age": "42", "OptIn": "true"}}},
			answers: map[apiconnector.Step][]apiconnector.Result{
				apiconnector.PostAttributeCollection: {cont(engine.Claims{"displayName": "John Override", "jobTitle": "Engineer"})},
				apiconnector.PreTokenIssuance:        {cont(engine.Claims{"city": "Porto", "email": "evil@x.com"})},
			},
			phase: engine.PhaseDone,
			steps: []apiconnector.Step{apiconnector.PostFederationSignup, apiconnector.PostAttributeCollection, apiconnector.PreTokenIssuance},
			check: func(t *testing.T, r *engine.Run, c *stubConnector, d *memDirectory) {
				u := d.users[0]
				if u.Attributes["displayName"] != "John Override" || u.Attributes["Age"] != int64(42) || u.Attributes["OptIn"] != true {
					t.Errorf("stored = %v", u.Attributes)
				}
				if _, ok := u.Attributes["jobTitle"]; ok {
					t.Error("jobTitle was not collected but was stored")
				}
				want := map[string]any{"name": "John Override", "emails": []string{"john@fabrikam.com"}, "idp": "facebook.com", "newUser": true,
					"oid": "oid-1", "jobTitle": "Engineer", "city": "Porto", "extension_Age": int64(42), "extension_OptIn": true}
				if !reflect.DeepEqual(r.TokenClaims, want) {
					t.Errorf("token claims = %v\nwant %v", r.TokenClaims, want)
				}
				pac := c.calls[1]
				if pac.Claims["displayName"] != "Johnny S" || pac.Claims["givenName"] != "John" || pac.Claims["Age"] != int64(42) {
					t.Errorf("PostAttributeCollection claims = %v", pac.Claims)
				}
				if tok := c.calls[2]; tok.ObjectID != "oid-1" {
					t.Errorf("token step objectId = %q", tok.ObjectID)
				}
			},
		},
		{
			name:    "ShowBlockPage at PostFederationSignup blocks before the page",
			inputs:  []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, john},
			answers: map[apiconnector.Step][]apiconnector.Result{apiconnector.PostFederationSignup: {{Action: apiconnector.ShowBlockPage, UserMessage: "No <b>sign-ups</b>."}}},
			phase:   engine.PhaseBlocked,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, d *memDirectory) {
				if r.UserMessage != "No <b>sign-ups</b>." || len(d.users) != 0 {
					t.Errorf("message %q, users %d", r.UserMessage, len(d.users))
				}
			},
		},
		{
			name:    "a failed PostFederationSignup call ends on the error page",
			inputs:  []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, john},
			answers: map[apiconnector.Step][]apiconnector.Result{apiconnector.PostFederationSignup: {failure()}},
			phase:   engine.PhaseFailed,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if r.Failure.Code != "AADB2C90075" || r.Failure.Redirect || r.Failure.Diagnostic == "" {
					t.Errorf("failure = %+v", r.Failure)
				}
			},
		},
		{
			name: "ValidationError keeps the user on the page with the values, then a retry succeeds",
			inputs: []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, john,
				engine.SubmitAttributes{Values: map[string]string{"displayName": "Jo", "city": "Faro"}},
			},
			answers: map[apiconnector.Step][]apiconnector.Result{apiconnector.PostAttributeCollection: {{Action: apiconnector.ValidationError, UserMessage: "Too short."}}},
			phase:   engine.PhaseAttributes,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, d *memDirectory) {
				if r.PageError != "Too short." || r.Values["displayName"] != "Jo" || r.Values["city"] != "Faro" || len(d.users) != 0 {
					t.Errorf("page error %q values %v users %d", r.PageError, r.Values, len(d.users))
				}
			},
		},
		{
			name:    "a failed PostAttributeCollection call shows the generic error on the page",
			inputs:  []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, john, engine.SubmitAttributes{Values: map[string]string{"displayName": "John Smith"}}},
			answers: map[apiconnector.Step][]apiconnector.Result{apiconnector.PostAttributeCollection: {failure()}},
			phase:   engine.PhaseAttributes,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, d *memDirectory) {
				if !strings.HasPrefix(r.PageError, "The claims exchange 'PreUserWriteRestful'") || len(d.users) != 0 {
					t.Errorf("page error %q users %d", r.PageError, len(d.users))
				}
			},
		},
		{
			name:   "a required field left empty is reported without calling the connector",
			inputs: []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, john, engine.SubmitAttributes{Values: map[string]string{"displayName": " ", "Age": "x"}}},
			phase:  engine.PhaseAttributes,
			steps:  []apiconnector.Step{apiconnector.PostFederationSignup},
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if !r.RequiredMissing || r.FieldErrors["displayName"] != "This information is required." || r.FieldErrors["Age"] == "" {
					t.Errorf("required %v errors %v", r.RequiredMissing, r.FieldErrors)
				}
			},
		},
		{
			name: "local sign-up never calls PostFederationSignup",
			inputs: append([]engine.Input{engine.StartSignUp{}}, verified("ana@fabrikam.com", engine.SubmitSignUp{Email: "ana@fabrikam.com", Password: "Passw0rd!", ConfirmPassword: "Passw0rd!",
				Values: map[string]string{"displayName": "Ana Lima"}})...),
			phase: engine.PhaseDone,
			steps: []apiconnector.Step{apiconnector.PostAttributeCollection, apiconnector.PreTokenIssuance},
			check: func(t *testing.T, r *engine.Run, c *stubConnector, d *memDirectory) {
				want := engine.Identity{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@fabrikam.com"}
				if c.calls[0].Identities[0] != want || c.calls[0].Claims["email"] != "ana@fabrikam.com" {
					t.Errorf("request = %+v", c.calls[0])
				}
				if _, ok := r.TokenClaims["idp"]; ok {
					t.Error("a local account's token has idp")
				}
				if d.passwords[d.users[0].ObjectID] != "Passw0rd!" {
					t.Error("password not handed to the directory")
				}
			},
		},
		{
			name:   "local sign-up checks the password confirmation and strength",
			inputs: []engine.Input{engine.StartSignUp{}, engine.SubmitSignUp{Email: "ana@fabrikam.com", Password: "weakweak", ConfirmPassword: "other", Values: map[string]string{"displayName": "Ana"}}},
			phase:  engine.PhaseLocalSignUp,
			check: func(t *testing.T, r *engine.Run, c *stubConnector, _ *memDirectory) {
				if !r.PasswordMismatch || r.FieldErrors["newPassword"] == "" || len(c.calls) != 0 {
					t.Errorf("mismatch %v errors %v calls %d", r.PasswordMismatch, r.FieldErrors, len(c.calls))
				}
			},
		},
		{
			name: "local sign-up with a taken email says so",
			seed: func(d *memDirectory) {
				d.Create(context.Background(), &engine.User{ObjectID: "x", Identities: []engine.Identity{{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@fabrikam.com"}}}, "Passw0rd!")
			},
			inputs: append([]engine.Input{engine.StartSignUp{}}, verified("ana@fabrikam.com", engine.SubmitSignUp{Email: "ana@fabrikam.com", Password: "Passw0rd!", ConfirmPassword: "Passw0rd!", Values: map[string]string{"displayName": "Ana Lima"}})...),
			phase:  engine.PhaseLocalSignUp,
			check: func(t *testing.T, r *engine.Run, c *stubConnector, _ *memDirectory) {
				if !strings.Contains(r.PageError, "already exists") || len(c.calls) != 0 {
					t.Errorf("page error %q calls %d", r.PageError, len(c.calls))
				}
			},
		},
		{
			name: "a returning local user signs in: no sign-up connectors, no newUser",
			seed: func(d *memDirectory) {
				d.Create(context.Background(), &engine.User{ObjectID: "u1", Attributes: engine.Claims{"email": "ana@fabrikam.com", "displayName": "Ana"},
					Identities: []engine.Identity{{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@fabrikam.com"}}}, "Passw0rd!")
			},
			inputs: []engine.Input{engine.SignInLocal{Email: "ana@fabrikam.com", Password: "Passw0rd!"}},
			phase:  engine.PhaseDone,
			steps:  []apiconnector.Step{apiconnector.PreTokenIssuance},
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if _, ok := r.TokenClaims["newUser"]; ok || r.NewUser || r.TokenClaims["oid"] != "u1" {
					t.Errorf("token claims = %v", r.TokenClaims)
				}
			},
		},
		{
			name: "a wrong password stays on the sign-in page",
			seed: func(d *memDirectory) {
				d.Create(context.Background(), &engine.User{ObjectID: "u1", Identities: []engine.Identity{{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@fabrikam.com"}}}, "Passw0rd!")
			},
			inputs: []engine.Input{engine.SignInLocal{Email: "ana@fabrikam.com", Password: "nope"}},
			phase:  engine.PhaseSignIn,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if r.PageError != "Your password is incorrect." || r.Values["email"] != "ana@fabrikam.com" {
					t.Errorf("page error %q", r.PageError)
				}
			},
		},
		{
			name: "a returning federated identity signs in without sign-up connectors",
			seed: func(d *memDirectory) {
				d.Create(context.Background(), &engine.User{ObjectID: "u2", Attributes: engine.Claims{"displayName": "John"},
					Identities: []engine.Identity{{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "123"}}}, "")
			},
			inputs: []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, john},
			phase:  engine.PhaseDone,
			steps:  []apiconnector.Step{apiconnector.PreTokenIssuance},
		},
		{
			name:    "a failed token-step call redirects server_error to the application",
			inputs:  []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, john, engine.SubmitAttributes{Values: map[string]string{"displayName": "John Smith"}}},
			answers: map[apiconnector.Step][]apiconnector.Result{apiconnector.PreTokenIssuance: {failure()}},
			phase:   engine.PhaseFailed,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if !r.Failure.Redirect || r.Failure.OAuth != "server_error" || r.Failure.Code != "AADB2C90075" {
					t.Errorf("failure = %+v", r.Failure)
				}
			},
		},
		{
			name: "a single sign-on session signs in without pages; the token step runs; email as a single claim",
			def: &flows.Definition{ID: "B2C_1_susi", Type: flows.SignUpOrSignIn, IdentityProviders: []string{"facebook.com"},
				ApplicationClaims: []string{"displayName"}, Connectors: map[apiconnector.Step]string{apiconnector.PreTokenIssuance: "api"},
				Tokens: flows.TokenSettings{EmailClaim: true}},
			seed: func(d *memDirectory) {
				d.Create(context.Background(), &engine.User{ObjectID: "u3", Attributes: engine.Claims{"displayName": "John", "email": "j@x.com"},
					Identities: []engine.Identity{{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "123"}}}, "")
			},
			inputs: []engine.Input{engine.ResumeSession{ObjectID: "u3", Identity: engine.Identity{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "123"}}},
			phase:  engine.PhaseDone,
			steps:  []apiconnector.Step{apiconnector.PreTokenIssuance},
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if r.TokenClaims["email"] != "j@x.com" || r.TokenClaims["name"] != "John" || r.NewUser {
					t.Errorf("claims = %v", r.TokenClaims)
				}
			},
		},
		{
			name:   "domain_hint goes to the provider's page",
			inputs: []engine.Input{engine.DomainHint{Domain: "Facebook.com"}},
			phase:  engine.PhaseIdP,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if r.Provider != "facebook.com" {
					t.Errorf("provider = %q", r.Provider)
				}
			},
		},
		{
			name:   "a domain_hint no provider answers to changes nothing",
			inputs: []engine.Input{engine.DomainHint{Domain: "google.com"}, engine.DomainHint{Domain: "email"}},
			phase:  engine.PhaseSignIn,
		},
		{
			name:   "forgot password ends with access_denied AADB2C90118",
			inputs: []engine.Input{engine.ForgotPassword{}},
			phase:  engine.PhaseCancelled,
			check: func(t *testing.T, r *engine.Run, c *stubConnector, _ *memDirectory) {
				if r.Failure.OAuth != "access_denied" || r.Failure.Code != "AADB2C90118" || r.Failure.Message != "The user has forgotten their password." || !r.Failure.Redirect || len(c.calls) != 0 {
					t.Errorf("failure = %+v", r.Failure)
				}
			},
		},
		{
			name:   "cancel ends with access_denied AADB2C90091",
			inputs: []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, engine.Cancel{}},
			phase:  engine.PhaseCancelled,
			check: func(t *testing.T, r *engine.Run, _ *stubConnector, _ *memDirectory) {
				if r.Failure.OAuth != "access_denied" || r.Failure.Code != "AADB2C90091" || !r.Failure.Redirect {
					t.Errorf("failure = %+v", r.Failure)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := susi
			if tt.def != nil {
				def = tt.def
			}
			c := &stubConnector{answers: tt.answers}
			if c.answers == nil {
				c.answers = map[apiconnector.Step][]apiconnector.Result{}
			}
			d := &memDirectory{}
			if tt.seed != nil {
				tt.seed(d)
			}
			m := newMachine(c, d)
			m.FixedCode = testCode
			r := m.Start(context.Background(), def, "run-1", "client-1", "en-US")
			for i, in := range tt.inputs {
				if err := m.Advance(context.Background(), def, r, in); err != nil {
					t.Fatalf("input %d (%T): %v", i, in, err)
				}
			}
			if r.Phase != tt.phase {
				t.Fatalf("phase = %s, want %s (page error %q, failure %+v)", r.Phase, tt.phase, r.PageError, r.Failure)
			}
			if tt.steps != nil && !reflect.DeepEqual(c.steps(), tt.steps) {
				t.Errorf("connector steps = %v, want %v", c.steps(), tt.steps)
			}
			for _, call := range c.calls {
				if call.ClientID != "client-1" || call.UILocales != "en-US" || call.Connector != "api" {
					t.Errorf("call context = %+v", call)
				}
			}
			if tt.check != nil {
				tt.check(t, r, c, d)
			}
		})
	}
}

func TestAdvanceRefusesInputsThatDoNotFit(t *testing.T) {
	c := &stubConnector{answers: map[apiconnector.Step][]apiconnector.Result{}}
	m := newMachine(c, &memDirectory{})
	r := m.Start(context.Background(), susi, "run", "client", "en-US")
	for _, in := range []engine.Input{engine.ChooseProvider{Provider: "google.com"}, engine.SubmitAttributes{}, john} {
		seq := r.Seq
		err := m.Advance(context.Background(), susi, r, in)
		if engine.KindOf(err) != engine.Invalid || r.Seq != seq || r.Phase != engine.PhaseSignIn {
			t.Errorf("%T: err %v, seq %d→%d, phase %s", in, err, seq, r.Seq, r.Phase)
		}
	}
	// A sign-up flow's page has no forgotten-password link.
	signUp := &flows.Definition{ID: "B2C_1_up", Type: flows.SignUp, IdentityProviders: []string{"email", "facebook.com"}}
	if err := m.Advance(context.Background(), signUp, m.Start(context.Background(), signUp, "run-2", "client", "en-US"), engine.ForgotPassword{}); engine.KindOf(err) != engine.Invalid {
		t.Errorf("forgot password in a sign-up flow: %v", err)
	}
	r.Phase = engine.PhaseDone
	if err := m.Advance(context.Background(), susi, r, engine.Cancel{}); engine.KindOf(err) != engine.Invalid {
		t.Errorf("advancing a finished run: %v", err)
	}
}

func TestStartGoesStraightToTheOnlyProviderOfASignUpFlow(t *testing.T) {
	m := newMachine(&stubConnector{}, &memDirectory{})
	for _, tt := range []struct {
		providers []string
		phase     engine.Phase
	}{
		{[]string{"email"}, engine.PhaseLocalSignUp},
		{[]string{"facebook.com"}, engine.PhaseIdP},
		{[]string{"email", "facebook.com"}, engine.PhaseSignIn},
	} {
		def := &flows.Definition{ID: "B2C_1_up", Type: flows.SignUp, IdentityProviders: tt.providers}
		if r := m.Start(context.Background(), def, "r", "c", ""); r.Phase != tt.phase {
			t.Errorf("%v: phase %s, want %s", tt.providers, r.Phase, tt.phase)
		}
	}
}

// TestConnectorClaimsKeepThePageRules: a Continue claim the attribute page would refuse from a
// user fails the call at every step: nothing invalid is stored or issued, and the diagnostic
// names the claim, the rule and the fix.
func TestConnectorClaimsKeepThePageRules(t *testing.T) {
	long := strings.Repeat("x", 500000)
	federated := []engine.Input{engine.ChooseProvider{Provider: "facebook.com"}, john}
	submitted := append(federated[:2:2], engine.SubmitAttributes{Values: map[string]string{"displayName": "John Smith"}})
	tests := []struct {
		name   string
		step   apiconnector.Step
		claims engine.Claims
		inputs []engine.Input
		phase  engine.Phase
		want   []string // in the diagnostic
	}{
		{"a 500,000-character displayName at PostFederationSignup", apiconnector.PostFederationSignup, engine.Claims{"displayName": long}, federated,
			engine.PhaseFailed, []string{`"displayName"`, "500000 characters", "at most 256", "Return at most 256 characters"}},
		{"a script displayName at PostFederationSignup", apiconnector.PostFederationSignup, engine.Claims{"displayName": "<script>alert(1)</script>"}, federated,
			engine.PhaseFailed, []string{`"displayName"`, "< or >", "Remove the < and > characters"}},
		{"a 500,000-character displayName at PostAttributeCollection", apiconnector.PostAttributeCollection, engine.Claims{"displayName": long}, submitted,
			engine.PhaseAttributes, []string{`"displayName"`, "500000 characters", "at most 256"}},
		{"a script displayName at PostAttributeCollection", apiconnector.PostAttributeCollection, engine.Claims{"displayName": "<script>x</script>"}, submitted,
			engine.PhaseAttributes, []string{`"displayName"`, "< or >"}},
		{"a 65-character givenName at PostAttributeCollection", apiconnector.PostAttributeCollection, engine.Claims{"givenName": strings.Repeat("g", 65)}, submitted,
			engine.PhaseAttributes, []string{`"givenName"`, "at most 64"}},
		{"a 257-character custom attribute at PostAttributeCollection", apiconnector.PostAttributeCollection, engine.Claims{"LoyaltyNumber": strings.Repeat("1", 257)}, submitted,
			engine.PhaseAttributes, []string{`"extension_LoyaltyNumber"`, "at most 256"}},
		{"an Int beyond 32 bits at PostAttributeCollection", apiconnector.PostAttributeCollection, engine.Claims{"Age": int64(1) << 40}, submitted,
			engine.PhaseAttributes, []string{`"extension_Age"`, "2147483647", "Return a number in that range"}},
		{"a string for an Int attribute at PostAttributeCollection", apiconnector.PostAttributeCollection, engine.Claims{"Age": "old"}, submitted,
			engine.PhaseAttributes, []string{`"extension_Age"`, "of type int", "JSON number"}},
		{"a 500,000-character displayName at the token step", apiconnector.PreTokenIssuance, engine.Claims{"displayName": long}, submitted,
			engine.PhaseFailed, []string{`"displayName"`, "at most 256"}},
		{"a script displayName at the token step", apiconnector.PreTokenIssuance, engine.Claims{"displayName": "<img src=x onerror=alert(1)>"}, submitted,
			engine.PhaseFailed, []string{`"displayName"`, "< or >"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &stubConnector{answers: map[apiconnector.Step][]apiconnector.Result{tt.step: {cont(tt.claims)}}}
			d := &memDirectory{}
			m := newMachine(c, d)
			r := m.Start(context.Background(), susi, "run-1", "client-1", "en-US")
			for i, in := range tt.inputs {
				if err := m.Advance(context.Background(), susi, r, in); err != nil {
					t.Fatalf("input %d (%T): %v", i, in, err)
				}
			}
			if r.Phase != tt.phase {
				t.Fatalf("phase = %s, want %s (page error %q, failure %+v)", r.Phase, tt.phase, r.PageError, r.Failure)
			}
			exchange := map[apiconnector.Step]string{apiconnector.PostFederationSignup: "PreSelfAssertedRestful", apiconnector.PostAttributeCollection: "PreUserWriteRestful", apiconnector.PreTokenIssuance: "PreSendClaimsRestful"}[tt.step]
			generic := "The claims exchange '" + exchange + "' specified in step '1' returned HTTP error response with Code 'OK' and Reason 'OK'."
			var diagnostic string
			switch tt.phase {
			case engine.PhaseAttributes: // stays on the page, with the values kept
				if r.PageError != generic || r.Values.String("displayName") != "John Smith" {
					t.Errorf("page error %q, values %v", r.PageError, r.Values)
				}
				diagnostic = apiconnector.InvalidClaimDiagnostic(tt.step, m.Schema.CheckClaims(tt.claims))
			default:
				if r.Failure.Code != "AADB2C90075" || r.Failure.Message != generic || r.Failure.Redirect != (tt.step == apiconnector.PreTokenIssuance) {
					t.Errorf("failure = %+v", r.Failure)
				}
				diagnostic = r.Failure.Diagnostic
			}
			for _, w := range tt.want {
				if !strings.Contains(diagnostic, w) {
					t.Errorf("diagnostic %q lacks %q", diagnostic, w)
				}
			}
			if len(diagnostic) > 1000 {
				t.Errorf("the diagnostic quotes the value: %d bytes", len(diagnostic))
			}
			if r.TokenClaims != nil {
				t.Errorf("a token was prepared: %v", r.TokenClaims)
			}
			if tt.step != apiconnector.PreTokenIssuance && len(d.users) != 0 {
				t.Errorf("a user was stored: %v", d.users[0].Attributes)
			}
		})
	}
}

// TestCheckAcceptsWhatThePageAccepts: the values the page takes pass Check unchanged.
func TestCheckAcceptsWhatThePageAccepts(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    any
	}{
		{"displayName", strings.Repeat("é", 256)}, {"givenName", strings.Repeat("g", 64)}, {"postalCode", strings.Repeat("1", 40)},
		{"streetAddress", strings.Repeat("s", 1024)}, {"city", "São Paulo & <Lisbon>"}, {"Age", int64(-2147483648)}, {"OptIn", false},
	} {
		a, _ := schema.Lookup(tt.name)
		if err := a.Check(tt.v); err != nil {
			t.Errorf("%s %v: %v", tt.name, tt.v, err)
		}
	}
}

func (d *memDirectory) Update(ctx context.Context, oid string, attrs engine.Claims, password string) (*engine.User, error) {
	u, err := d.Get(ctx, oid)
	if err != nil {
		return nil, err
	}
	for k, v := range attrs {
		if v == nil {
			delete(u.Attributes, k)
		} else {
			u.Attributes[k] = v
		}
	}
	if password != "" {
		d.passwords[oid] = password
	}
	return u, nil
}
