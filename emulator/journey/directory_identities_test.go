package journey

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/emulator/store"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// TestDirectoryUserIdentities: a directory profile looks users up by the userIdentities
// collection's last item, reads the user's federated identities as the collection, creates a
// user with every identity of a persisted collection, replaces an existing user's federated
// identities with one (keeping its local sign-in name), and refuses an identity another user
// holds, an empty collection and one that is not JSON.
func TestDirectoryUserIdentities(t *testing.T) {
	const (
		fb      = `{"issuer":"facebook.com","issuerUserId":"ZmItMQ=="}` // fb-1
		google  = `{"issuer":"google.com","issuerUserId":"Zy0y"}`       // g-2
		twitter = `{"issuer":"twitter.com","issuerUserId":"dC0x"}`      // t-1
	)
	local := engine.Identity{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@contoso.test"}
	setup := func(t *testing.T) (*Engine, *store.Users) {
		users := store.NewUsers(4)
		for oid, ids := range map[string][]engine.Identity{
			"oid-a": {local, {SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "fb-1"}},
			"oid-b": {{SignInType: "federated", Issuer: "google.com", IssuerAssignedID: "g-2"}},
		} {
			if err := users.Create(context.Background(), &engine.User{ObjectID: oid, Identities: ids, Attributes: engine.Claims{}}, ""); err != nil {
				t.Fatal(err)
			}
		}
		return &Engine{Directory: users, Tenant: "contoso", Now: time.Now, NewID: func() string { return "oid-new" }}, users
	}
	profile := func(op, key string, persist bool) *policy.TechnicalProfile {
		tp := &policy.TechnicalProfile{ID: "AAD-" + op, Kind: policy.Directory, El: &policy.Element{Name: "TechnicalProfile"},
			Metadata: map[string]string{"Operation": op}, InputClaims: []policy.ClaimRef{{ClaimType: key, PartnerClaimType: key}}}
		if persist {
			tp.PersistedClaims = []policy.ClaimRef{{ClaimType: "userIdentities"}}
		}
		return tp
	}
	for _, tc := range []struct {
		name           string
		tp             *policy.TechnicalProfile
		input, persist string
		wantObjectID   string   // the result's objectId
		wantIdentities string   // the result's userIdentities
		wantErr        string   // in the error's message or diagnostic
		wantStored     []string // oid-a's or the new user's federated identities afterwards
	}{
		{name: "read by the one identity", tp: profile("Read", "userIdentities", false), input: "[" + fb + "]",
			wantObjectID: "oid-a", wantIdentities: "[" + fb + "]"},
		{name: "read by the last item", tp: profile("Read", "userIdentities", false), input: "[" + fb + "," + google + "]", wantObjectID: "oid-b"},
		{name: "read by alternativeSecurityIds", tp: profile("Read", "alternativeSecurityIds", false), input: "[" + fb + "]", wantObjectID: "oid-a"},
		{name: "read by no one", tp: profile("Read", "userIdentities", false), input: "[" + twitter + "]"},
		{name: "an empty collection", tp: profile("Read", "userIdentities", false), input: "[]", wantErr: "empty collection"},
		{name: "not JSON", tp: profile("Read", "userIdentities", false), input: "{nope", wantErr: "not the collection"},
		{name: "not base64", tp: profile("Read", "userIdentities", false), input: `[{"issuer":"x.com","issuerUserId":"%%"}]`, wantErr: "no base64 issuerUserId"},
		{name: "create with every identity", tp: profile("Write", "userIdentities", true), input: "[" + twitter + "]", persist: "[" + twitter + "," + twitter + "]",
			wantObjectID: "oid-new", wantIdentities: "[" + twitter + "]", wantStored: []string{"twitter.com/t-1"}},
		{name: "link", tp: profile("Write", "objectId", true), input: "oid-a", persist: "[" + fb + "," + twitter + "]",
			wantObjectID: "oid-a", wantStored: []string{"facebook.com/fb-1", "twitter.com/t-1"}},
		{name: "unlink every provider", tp: profile("Write", "objectId", true), input: "oid-a", persist: "[]", wantObjectID: "oid-a", wantStored: []string{}},
		{name: "another user's identity", tp: profile("Write", "objectId", true), input: "oid-a", persist: "[" + fb + "," + google + "]",
			wantErr: "already exists", wantStored: []string{"facebook.com/fb-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, users := setup(t)
			key := tc.tp.InputClaims[0].PartnerClaimType
			scope := map[string]string{strings.ToLower(key): tc.input}
			if tc.persist != "" {
				scope["useridentities"] = tc.persist
			}
			out, rerr := e.testExecution(t.Context(), &policy.Policy{}, nil).directory(&call{tp: tc.tp, inputs: map[string]string{key: tc.input}, scope: scope})
			switch {
			case tc.wantErr != "":
				if rerr == nil || !strings.Contains(rerr.Message+rerr.Diagnostic, tc.wantErr) {
					t.Fatalf("error %+v, want one saying %q", rerr, tc.wantErr)
				}
			case rerr != nil:
				t.Fatalf("%+v", rerr)
			case out["objectId"] != tc.wantObjectID:
				t.Errorf("objectId = %q, want %q (%v)", out["objectId"], tc.wantObjectID, out)
			case tc.wantIdentities != "" && out["userIdentities"] != tc.wantIdentities:
				t.Errorf("userIdentities = %s, want %s", out["userIdentities"], tc.wantIdentities)
			}
			if tc.wantStored == nil {
				return
			}
			oid := tc.wantObjectID
			if oid == "" {
				oid = "oid-a"
			}
			u, err := users.Get(t.Context(), oid)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, id := range u.Identities {
				if id.SignInType == "federated" {
					got = append(got, id.Issuer+"/"+id.IssuerAssignedID)
				} else if oid == "oid-a" && id != local {
					t.Errorf("the local identity became %+v", id)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.wantStored, " ") {
				t.Errorf("stored identities = %v, want %v", got, tc.wantStored)
			}
		})
	}
}
