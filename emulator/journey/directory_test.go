package journey

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/store"
	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// directoryEngine loads b2cemu's sign-in-name fixtures (emulator/testdata/directory) over a
// directory with an email, a username and a phone account.
func directoryEngine(t *testing.T) (*Engine, *store.Users) {
	t.Helper()
	policies := fixturePolicies(t, "directory", []string{"DirectoryBase.xml", "ReadBySignInName.xml", "WriteUserName.xml", "NoUser.xml"}, nil)
	users := store.NewUsers(4)
	for oid, id := range map[string]engine.Identity{
		"oid-email": {SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@contoso.test"},
		"oid-user":  {SignInType: directory.UserNameSignIn, Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "bo.user"},
		"oid-phone": {SignInType: directory.PhoneSignIn, Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "+15550100"},
	} {
		u := &engine.User{ObjectID: oid, Identities: []engine.Identity{id}, Attributes: engine.Claims{"displayName": oid}}
		if err := users.Create(context.Background(), u, "Passw0rd!x"); err != nil {
			t.Fatal(err)
		}
	}
	ids := 0
	return &Engine{Policies: policies, Directory: users, Tenant: "contoso", TenantID: "t", HTTP: &http.Client{Timeout: 5 * time.Second},
		Now: time.Now, NewID: func() string { ids++; return "new-" + string(rune('0'+ids)) }}, users
}

// TestDirectoryBySignInNames: the partner claim signInNames finds a user by any of their
// sign-in names (email, username — case-insensitively — or phone number), a missing one is the
// profile's UserMessageIfClaimsPrincipalDoesNotExist; a Write persisting signInNames.userName
// creates a userName identity, which signInNames then finds, and a second Write of the same
// name is refused.
func TestDirectoryBySignInNames(t *testing.T) {
	e, users := directoryEngine(t)
	run := func(policy, signin string) *engine.Run {
		return e.StartRequest(t.Context(), policy, "run-1", "app", "", map[string]string{"signin": signin, "name": "Cy"})
	}
	for _, tc := range []struct{ signin, sub string }{
		{"ana@contoso.test", "oid-email"}, {"Ana@Contoso.test", "oid-email"}, {"bo.user", "oid-user"}, {"BO.User", "oid-user"}, {"+15550100", "oid-phone"},
	} {
		r := run("B2C_1A_dir_read", tc.signin)
		if r.Phase != engine.PhaseDone || r.TokenClaims["sub"] != tc.sub || r.User.ObjectID != tc.sub {
			t.Errorf("read %q: phase %s, claims %v, failure %+v", tc.signin, r.Phase, r.TokenClaims, r.Failure)
		}
	}
	if r := run("B2C_1A_dir_read", "nobody"); r.Phase != engine.PhaseFailed || r.Failure == nil || !strings.Contains(r.Failure.Message, "No account has that sign-in name.") {
		t.Errorf("read nobody: phase %s, failure %+v", r.Phase, r.Failure)
	}

	r := run("B2C_1A_dir_write", "cy.user")
	if r.Phase != engine.PhaseDone || r.TokenClaims["newUser"] != true || r.TokenClaims["sub"] == "" {
		t.Fatalf("write: phase %s, claims %v, failure %+v", r.Phase, r.TokenClaims, r.Failure)
	}
	u, err := users.Get(t.Context(), r.TokenClaims["sub"].(string))
	if err != nil {
		t.Fatal(err)
	}
	want := engine.Identity{SignInType: "userName", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "cy.user"}
	if len(u.Identities) != 1 || u.Identities[0] != want || u.Attributes.String("displayName") != "Cy" || u.Attributes["signInNames.userName"] != nil {
		t.Errorf("the new user: identities %v, attributes %v", u.Identities, u.Attributes)
	}
	if r := run("B2C_1A_dir_write", "CY.USER"); r.Phase != engine.PhaseFailed || r.Failure == nil || !strings.Contains(r.Failure.Message, "already exists") {
		t.Errorf("second write: phase %s, failure %+v", r.Phase, r.Failure)
	}
}

// TestSendClaimsWithoutAUser: a journey that reads no directory user still gets its token,
// with the relying party's output claims; with no value for the subject claim, sub is B2C's
// "Not supported currently. Use oid claim.".
func TestSendClaimsWithoutAUser(t *testing.T) {
	e, _ := directoryEngine(t)
	r := e.StartRequest(t.Context(), "B2C_1A_dir_nouser", "run-1", "app", "", map[string]string{"signin": "someone", "name": "Cy"})
	if r.Phase != engine.PhaseDone {
		t.Fatalf("phase %s, failure %+v", r.Phase, r.Failure)
	}
	if r.TokenClaims["sub"] != "Not supported currently. Use oid claim." || r.TokenClaims["name"] != "Cy" || r.TokenClaims["signInName"] != "someone" {
		t.Errorf("token claims = %v", r.TokenClaims)
	}
	if r.User == nil || r.User.ObjectID != "" || r.NewUser {
		t.Errorf("user = %+v, new %v", r.User, r.NewUser)
	}
}
