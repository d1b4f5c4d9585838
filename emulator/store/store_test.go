package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/store"
	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
)

func TestUsers(t *testing.T) {
	ctx := context.Background()
	s := store.NewUsers(4)
	local := engine.Identity{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "Ana@Fabrikam.com"}
	fed := engine.Identity{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "AbC"}
	if err := s.Create(ctx, &engine.User{ObjectID: "u1", Identities: []engine.Identity{local}, Attributes: engine.Claims{"email": "Ana@Fabrikam.com"}}, "Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, &engine.User{ObjectID: "u2", Identities: []engine.Identity{fed}}, ""); err != nil {
		t.Fatal(err)
	}
	// Emails match case-insensitively; federated subjects exactly.
	if u, err := s.FindByIdentity(ctx, engine.Identity{SignInType: "emailAddress", Issuer: "CONTOSO.onmicrosoft.com", IssuerAssignedID: "ana@fabrikam.com"}); err != nil || u.ObjectID != "u1" {
		t.Errorf("local lookup: %v %v", u, err)
	}
	if _, err := s.FindByIdentity(ctx, engine.Identity{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "abc"}); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("federated subjects are case-sensitive: %v", err)
	}
	if err := s.Create(ctx, &engine.User{ObjectID: "u3", Identities: []engine.Identity{{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@fabrikam.com"}}}, "x"); !errors.Is(err, directory.ErrExists) {
		t.Errorf("duplicate email: %v", err)
	}
	if _, err := s.Authenticate(ctx, "ANA@fabrikam.com", "Passw0rd!"); err != nil {
		t.Errorf("authenticate: %v", err)
	}
	if _, err := s.Authenticate(ctx, "ana@fabrikam.com", "wrong"); !errors.Is(err, directory.ErrBadPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := s.Authenticate(ctx, "nobody@fabrikam.com", "x"); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("unknown email: %v", err)
	}
	// Returned users are copies.
	u, _ := s.FindByIdentity(ctx, fed)
	u.Attributes["displayName"] = "changed"
	if again, _ := s.FindByIdentity(ctx, fed); again.Attributes["displayName"] != nil {
		t.Error("a caller changed the stored user")
	}
	if len(s.List()) != 2 {
		t.Errorf("list = %d", len(s.List()))
	}
}

func TestExpiring(t *testing.T) {
	now := time.Unix(1000, 0)
	m := store.NewExpiring[string](time.Minute, func() time.Time { return now })
	m.Put("a", "1")
	if v, ok := m.Get("a"); !ok || v != "1" {
		t.Fatal("get")
	}
	if v, ok := m.Take("a"); !ok || v != "1" {
		t.Fatal("take")
	}
	if _, ok := m.Take("a"); ok {
		t.Error("taken twice")
	}
	m.Put("b", "2")
	now = now.Add(61 * time.Second)
	if _, ok := m.Get("b"); ok {
		t.Error("expired value returned")
	}
}

func TestRing(t *testing.T) {
	r := store.NewRing[int](3)
	for i := 1; i <= 5; i++ {
		r.Add(i)
	}
	if got := r.List(); len(got) != 3 || got[0] != 5 || got[2] != 3 {
		t.Errorf("list = %v", got)
	}
	r.Clear()
	if len(r.List()) != 0 || r.Added() != 5 {
		t.Errorf("after clear: %v, added %d", r.List(), r.Added())
	}
	r.Add(6)
	if got := r.List(); len(got) != 1 || got[0] != 6 {
		t.Errorf("list = %v", got)
	}
}

// TestCreateNeverReplacesAUser: a new user with a taken object id is refused, and the user
// who has it keeps its identities and attributes.
func TestCreateNeverReplacesAUser(t *testing.T) {
	ctx := context.Background()
	s := store.NewUsers(4)
	ana := &engine.User{ObjectID: "u1", Identities: []engine.Identity{{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "ana"}}, Attributes: engine.Claims{"displayName": "Ana"}}
	if err := s.Create(ctx, ana, ""); err != nil {
		t.Fatal(err)
	}
	bo := &engine.User{ObjectID: "u1", Identities: []engine.Identity{{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "bo"}}, Attributes: engine.Claims{"displayName": "Bo"}}
	if err := s.Create(ctx, bo, ""); !errors.Is(err, directory.ErrObjectIDTaken) {
		t.Fatalf("taken object id: %v", err)
	}
	if u, err := s.Get(ctx, "u1"); err != nil || u.Attributes["displayName"] != "Ana" {
		t.Errorf("u1 = %v %v", u, err)
	}
	if _, err := s.FindByIdentity(ctx, bo.Identities[0]); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("the refused user's identity was indexed: %v", err)
	}
	if _, err := s.FindByIdentity(ctx, ana.Identities[0]); err != nil {
		t.Errorf("ana's identity: %v", err)
	}
}

// TestSignedInIsKept: a sign-in's time is stored with the user (in dataDir across a restart),
// keeps the password, and survives an update of the attributes.
func TestSignedInIsKept(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/b2cemu.db"
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.OpenUsers(4, db)
	if err != nil {
		t.Fatal(err)
	}
	local := engine.Identity{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@fabrikam.com"}
	if err := s.Create(ctx, &engine.User{ObjectID: "u1", Identities: []engine.Identity{local}, Attributes: engine.Claims{}}, "Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.SignedIn("u1", at); err != nil {
		t.Fatal(err)
	}
	if err := s.SignedIn("nobody", at); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("an unknown user: %v", err)
	}
	if _, err := s.Update(ctx, "u1", engine.Claims{"displayName": "Ana"}, ""); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, _ = store.OpenUsers(4, db)
	if u, err := s.Get(ctx, "u1"); err != nil || !u.LastSignIn.Equal(at) {
		t.Errorf("after a restart: %+v %v", u, err)
	}
	if _, err := s.Authenticate(ctx, "ana@fabrikam.com", "Passw0rd!"); err != nil {
		t.Errorf("the password after a sign-in was recorded: %v", err)
	}
}

// TestUserNameAccounts: a userName identity is matched case-insensitively, as email
// addresses are, and signs in with its password (login-NonInteractive by username).
func TestUserNameAccounts(t *testing.T) {
	ctx := context.Background()
	s := store.NewUsers(4)
	id := engine.Identity{SignInType: directory.UserNameSignIn, Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "Bo.User"}
	if err := s.Create(ctx, &engine.User{ObjectID: "u1", Identities: []engine.Identity{id}, Attributes: engine.Claims{}}, "Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	if u, err := s.FindByIdentity(ctx, engine.Identity{SignInType: "userName", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "bo.user"}); err != nil || u.ObjectID != "u1" {
		t.Errorf("FindByIdentity = %v, %v", u, err)
	}
	if u, err := s.Authenticate(ctx, "BO.USER", "Passw0rd!"); err != nil || u.ObjectID != "u1" {
		t.Errorf("Authenticate = %v, %v", u, err)
	}
	if _, err := s.Authenticate(ctx, "bo.user", "wrong"); !errors.Is(err, directory.ErrBadPassword) {
		t.Errorf("a wrong password: %v", err)
	}
}

// TestSetFederated: linking and unlinking providers replaces a user's federated identities,
// keeps its local sign-in name and password, moves the index (a linked identity finds the
// user, an unlinked one no longer does), survives a restart, and refuses an identity another
// user holds.
func TestSetFederated(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/b2cemu.db"
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.OpenUsers(4, db)
	if err != nil {
		t.Fatal(err)
	}
	local := engine.Identity{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@fabrikam.com"}
	fb := engine.Identity{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "fb-1"}
	google := engine.Identity{SignInType: "federated", Issuer: "google.com", IssuerAssignedID: "g-1"}
	other := engine.Identity{SignInType: "federated", Issuer: "live.com", IssuerAssignedID: "l-1"}
	for oid, ids := range map[string][]engine.Identity{"u1": {local, fb}, "u2": {other}} {
		if err := s.Create(ctx, &engine.User{ObjectID: oid, Identities: ids, Attributes: engine.Claims{}}, "Passw0rd!"); err != nil {
			t.Fatal(err)
		}
	}
	find := func(id engine.Identity) string {
		u, err := s.FindByIdentity(ctx, id)
		if err != nil {
			return err.Error()
		}
		return u.ObjectID
	}
	for _, tc := range []struct {
		name       string
		ids        []engine.Identity
		wantErr    error
		wantIDs    int
		fb, google string
	}{
		{"link google, twice in the list", []engine.Identity{fb, google, google}, nil, 3, "u1", "u1"},
		{"unlink facebook", []engine.Identity{google}, nil, 2, directory.ErrNotFound.Error(), "u1"},
		{"another user's identity", []engine.Identity{google, other}, directory.ErrExists, 2, directory.ErrNotFound.Error(), "u1"},
		{"unlink all", nil, nil, 1, directory.ErrNotFound.Error(), directory.ErrNotFound.Error()},
	} {
		u, err := s.SetFederated(ctx, "u1", tc.ids)
		if !errors.Is(err, tc.wantErr) || (err == nil && len(u.Identities) != tc.wantIDs) {
			t.Errorf("%s: %v %+v", tc.name, err, u)
		}
		if got := find(fb); got != tc.fb {
			t.Errorf("%s: facebook finds %s, want %s", tc.name, got, tc.fb)
		}
		if got := find(google); got != tc.google {
			t.Errorf("%s: google finds %s, want %s", tc.name, got, tc.google)
		}
	}
	if _, err := s.SetFederated(ctx, "nobody", nil); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("an unknown user: %v", err)
	}
	if _, err := s.SetFederated(ctx, "u1", []engine.Identity{google}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, _ = store.OpenUsers(4, db)
	if got := find(google); got != "u1" {
		t.Errorf("after a restart google finds %s", got)
	}
	if _, err := s.Authenticate(ctx, "ana@fabrikam.com", "Passw0rd!"); err != nil {
		t.Errorf("the local sign-in after linking: %v", err)
	}
}
