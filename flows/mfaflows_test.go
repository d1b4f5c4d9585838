package flows_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/flows/otp"
)

// appKey is the authenticator app's key of an enrolled user.
var appKey = []byte("12345678901234567890")

// seedMFA stores Ana (a local account) and John (a Facebook identity); enrolled puts a phone
// number and an authenticator app's key on record for both.
func seedMFA(d *memDirectory, enrolled bool) {
	seedAna(d)
	if enrolled {
		for _, u := range d.users {
			u.Attributes[codes.PhoneAttribute] = "+447700900123"
			u.Attributes[codes.TOTPAttribute] = otp.Encode(appKey)
		}
	}
}

// mfaRoute is one way through a flow type: the inputs of the first factor, then the flow's
// own page (nil when the token follows the second factor), and where the second factor stands.
type mfaRoute struct {
	name  string
	typ   flows.Type
	first []engine.Input
	page  engine.Input // the new password or the profile page's Continue
	field string       // the first field of that page
	// pageFirst: the page comes before the second factor (a profile edit that creates the
	// account, whose factor follows the user write as at sign-up); newUser: the run creates it.
	pageFirst, newUser bool
	sessionMFA         bool // the first input resumes a session that passed the second factor
}

func mfaRoutes() []mfaRoute {
	ana := engine.SignInLocal{Email: "ana@fabrikam.com", Password: "Passw0rd!"}
	fb := engine.ChooseProvider{Provider: "facebook.com"}
	reset := verified("ana@fabrikam.com", engine.SubmitAttributes{Values: map[string]string{"email": "ana@fabrikam.com"}})
	newPassword := engine.SubmitAttributes{Values: map[string]string{"newPassword": "N3w-Secret", "reenterPassword": "N3w-Secret"}}
	profile := engine.SubmitAttributes{Values: map[string]string{"displayName": "Edited"}}
	session := func(mfa bool) engine.Input {
		return engine.ResumeSession{ObjectID: "oid-ana", Identity: engine.Identity{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@fabrikam.com"}, MFA: mfa}
	}
	return []mfaRoute{
		{name: "sign-up", typ: flows.SignUp, first: []engine.Input{engine.SubmitSignUp{Email: "bo@fabrikam.com", Password: "Passw0rd!", ConfirmPassword: "Passw0rd!"}}, newUser: true},
		{name: "sign-in/local", typ: flows.SignIn, first: []engine.Input{ana}},
		{name: "sign-in/social", typ: flows.SignIn, first: []engine.Input{fb, john}},
		{name: "sign-in/session without MFA", typ: flows.SignIn, first: []engine.Input{session(false)}},
		{name: "sign-in/session with MFA", typ: flows.SignIn, first: []engine.Input{session(true)}, sessionMFA: true},
		{name: "password reset", typ: flows.PasswordReset, first: reset, page: newPassword, field: "newPassword"},
		{name: "profile edit/local", typ: flows.ProfileEdit, first: []engine.Input{ana}, page: profile, field: "displayName"},
		{name: "profile edit/social", typ: flows.ProfileEdit, first: []engine.Input{fb, john}, page: profile, field: "displayName"},
		{name: "profile edit/new social", typ: flows.ProfileEdit, first: []engine.Input{fb, engine.SignInFederated{IssuerAssignedID: "777", Claims: engine.Claims{"email": "cy@fabrikam.com"}}},
			page: profile, field: "displayName", pageFirst: true, newUser: true},
		{name: "profile edit/session without MFA", typ: flows.ProfileEdit, first: []engine.Input{session(false)}, page: profile, field: "displayName"},
		{name: "profile edit/session with MFA", typ: flows.ProfileEdit, first: []engine.Input{session(true)}, page: profile, field: "displayName", sessionMFA: true},
	}
}

// mfaDefinition is a flow of the type with the MFA settings and the token step's connector.
func mfaDefinition(typ flows.Type, method engine.MFAMethod, enf flows.MFAEnforcement) *flows.Definition {
	def := &flows.Definition{ID: "B2C_1_" + string(typ), Type: typ, IdentityProviders: []string{"email", "facebook.com"}, NoEmailVerification: typ != flows.PasswordReset,
		ApplicationClaims: []string{"objectId"}, Connectors: map[apiconnector.Step]string{apiconnector.PreTokenIssuance: "api"},
		MFA: flows.MFASettings{Method: method, Enforcement: enf}}
	switch typ {
	case flows.SignUp, flows.PasswordReset: // a single provider: straight to the local page
		def.IdentityProviders = []string{"email"}
	case flows.ProfileEdit:
		def.UserAttributes = []flows.UserAttribute{{Name: "displayName", Required: true}}
	}
	return def
}

// mfaAsked is when B2C asks for the factor: always; under conditional, to enrol (a new user,
// or one with nothing on record: every account here has an address for the email code).
func mfaAsked(rt mfaRoute, method engine.MFAMethod, enf flows.MFAEnforcement, enrolled bool) bool {
	switch {
	case rt.sessionMFA:
		return false
	case enf == flows.MFAAlways:
		return true
	case enf == flows.MFAConditional:
		return rt.newUser || !enrolled && method != engine.MFAEmail
	}
	return false
}

// TestMFAEveryFlowType: every flow type (sign-up, sign-in, password reset, profile edit; the
// unified flow in TestMFAMethodsAndEnforcement) × every method × every enforcement, for a
// user with nothing on record and an enrolled one. The second factor comes after the first
// (the sign-in, the reset's verified address, the sign-up's user write) and before the new
// password page, the profile page and the token step; PreTokenIssuance runs once, last.
func TestMFAEveryFlowType(t *testing.T) {
	methods := []engine.MFAMethod{engine.MFAEmail, engine.MFASMS, engine.MFACall, engine.MFASMSOrCall, engine.MFATOTP}
	for _, rt := range mfaRoutes() {
		for _, method := range methods {
			for _, enf := range []flows.MFAEnforcement{flows.MFAOff, flows.MFAAlways, flows.MFAConditional} {
				for _, enrolled := range []bool{false, true} {
					if rt.newUser && enrolled {
						continue // a new account has nothing on record
					}
					t.Run(fmt.Sprintf("%s/%s/%s/enrolled=%v", rt.name, method, enf, enrolled), func(t *testing.T) {
						mfaRun(t, rt, mfaDefinition(rt.typ, method, enf), enrolled, mfaAsked(rt, method, enf, enrolled))
					})
				}
			}
		}
	}
}

// mfaRun walks the route and checks where the second factor stands.
func mfaRun(t *testing.T, rt mfaRoute, def *flows.Definition, enrolled, asked bool) {
	ctx := context.Background()
	c, d, o := &stubConnector{}, &memDirectory{}, &outbox{}
	seedMFA(d, enrolled)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := mfaMachine(c, d, o, &now)
	r := m.Start(ctx, def, "run-1", "app", "")
	advance := func(in engine.Input) {
		t.Helper()
		if err := m.Advance(ctx, def, r, in); err != nil {
			t.Fatalf("%T: %v (phase %s)", in, err, r.Phase)
		}
	}
	ownPage := func() {
		t.Helper()
		if r.Phase != engine.PhaseAttributes || r.Page == nil || len(r.Page.Fields) == 0 || r.Page.Fields[0].ID != rt.field || len(c.calls) != 0 {
			t.Fatalf("phase %s, page %+v, calls %v; want the page of %s before any token step", r.Phase, r.Page, c.steps(), rt.field)
		}
		advance(rt.page)
	}
	for _, in := range rt.first {
		advance(in)
	}
	if rt.pageFirst {
		ownPage()
	}
	if asked {
		if r.Phase != engine.PhaseMFA || r.Page == nil || r.Page.MFA == nil || len(c.calls) != 0 {
			t.Fatalf("phase %s, calls %v; want the second-factor page first", r.Phase, c.steps())
		}
		if r.Page.MFA.Enrol == enrolled && method(def) != engine.MFAEmail && !rt.newUser {
			t.Errorf("enrolment page %v for a user enrolled %v", r.Page.MFA.Enrol, enrolled)
		}
		secondFactor(t, m, def, r, now)
	}
	if rt.page != nil && !rt.pageFirst {
		ownPage()
	}
	if r.Phase != engine.PhaseDone || !slices.Equal(c.steps(), []apiconnector.Step{apiconnector.PreTokenIssuance}) {
		t.Fatalf("phase %s (page %+v), calls %v; want done after PreTokenIssuance", r.Phase, r.Page, c.steps())
	}
	if got := r.User.Attributes.String(codes.PhoneAttribute); asked && !enrolled && isPhone(method(def)) && got != "+447700900123" {
		t.Errorf("the enrolled number %q was not kept", got)
	}
	if rt.typ == flows.PasswordReset && d.passwords["oid-ana"] != "N3w-Secret" {
		t.Errorf("password %q: the reset did not set it", d.passwords["oid-ana"])
	}
}

func method(def *flows.Definition) engine.MFAMethod { return def.MFA.Method }

func isPhone(m engine.MFAMethod) bool {
	return m == engine.MFASMS || m == engine.MFACall || m == engine.MFASMSOrCall
}

// TestPhoneAccountsAuthenticatorApp: a phone account flow's authenticator app comes after the
// phone code (the number is the first factor): enrolment after the sign-up's attribute page,
// verification after a sign-in's code; under conditional an enrolled user is not asked.
func TestPhoneAccountsAuthenticatorApp(t *testing.T) {
	ctx := context.Background()
	for _, enf := range []flows.MFAEnforcement{flows.MFAAlways, flows.MFAConditional} {
		t.Run(string(enf), func(t *testing.T) {
			def := &flows.Definition{ID: "B2C_1_phone", Type: flows.SignUpOrSignIn, IdentityProviders: []string{"email"}, LocalAccount: "phone",
				UserAttributes: []flows.UserAttribute{{Name: "displayName", Required: true}}, ApplicationClaims: []string{"objectId"},
				Connectors: map[apiconnector.Step]string{apiconnector.PreTokenIssuance: "api"}, MFA: flows.MFASettings{Method: engine.MFATOTP, Enforcement: enf}}
			c, d, o := &stubConnector{}, &memDirectory{}, &outbox{}
			now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			m := mfaMachine(c, d, o, &now)
			walk := func(id string, inputs ...engine.Input) *engine.Run {
				t.Helper()
				r := m.Start(ctx, def, id, "app", "")
				for _, in := range inputs {
					if err := m.Advance(ctx, def, r, in); err != nil {
						t.Fatalf("%T: %v", in, err)
					}
				}
				return r
			}
			send, verify := engine.VerifyMFA{Action: "sendCode", Country: "US", Number: "555 555 0100"}, engine.VerifyMFA{Action: "verifyCode", Code: testCode}
			r := walk("run-1", engine.StartSignUp{}, send, verify, engine.SubmitAttributes{Values: map[string]string{"displayName": "Pat"}})
			if r.Phase != engine.PhaseMFA || r.Page.MFA.Method != engine.MFATOTP || !r.Page.MFA.Enrol || len(c.calls) != 0 {
				t.Fatalf("after the sign-up's attributes: phase %s, page %+v, calls %v; want the app's enrolment", r.Phase, r.Page, c.steps())
			}
			secondFactor(t, m, def, r, now)
			if r.Phase != engine.PhaseDone || d.users[0].Attributes.String(codes.TOTPAttribute) == "" {
				t.Fatalf("sign-up: phase %s, attributes %v", r.Phase, d.users[0].Attributes)
			}
			r = walk("run-2", engine.SignInLocal{Email: "+1 555 555 0100"}, engine.VerifyMFA{Action: "sendCode"}, verify)
			if asked := enf == flows.MFAAlways; (r.Phase == engine.PhaseMFA) != asked {
				t.Fatalf("sign-in after the code: phase %s, want the app's code %v", r.Phase, asked)
			}
			if r.Phase == engine.PhaseMFA {
				if r.Page.MFA.Enrol {
					t.Error("sign-in enrolled the app again")
				}
				secondFactor(t, m, def, r, now)
			}
			if r.Phase != engine.PhaseDone || r.NewUser {
				t.Errorf("sign-in: phase %s", r.Phase)
			}
		})
	}
}
