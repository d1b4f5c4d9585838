package emulator_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// directoryAuthorize is a sign-in to one of b2cemu's sign-in-name fixtures; the query's
// signin and name are the claims the fixtures' first step reads.
func directoryAuthorize(policy, signin string) string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid"},
		"response_type": {"id_token"}, "nonce": {"n-1"}, "state": {"s-1"}, "signin": {signin}, "name": {"Cy"}}
	return "/contoso.onmicrosoft.com/" + policy + "/oauth2/v2.0/authorize?" + q.Encode()
}

// TestSignInNamesOverHTTP: over the web app, a Write persisting signInNames.userName makes a
// user whose identity the users API shows as Graph's userName, and a Read by signInNames
// finds the user by that name, in any case, into the token's sub; a journey that reads no
// user still redirects with a token whose sub is B2C's text for a token without a subject.
func TestSignInNamesOverHTTP(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "directory"))
	if err != nil {
		t.Fatal(err)
	}
	srv := startPolicies(t, dir, "")
	created := idTokenOf(t, srv, "B2C_1A_dir_write", srv.NewBrowser(t).Get(directoryAuthorize("B2C_1A_dir_write", "cy.user")))
	oid, _ := created["sub"].(string)
	if oid == "" || created["newUser"] != true || created["name"] != "Cy" {
		t.Fatalf("write: claims = %v", created)
	}
	var user struct {
		Identities []struct{ SignInType, Issuer, IssuerAssignedID string }
	}
	if status := post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/users/"+oid, nil, &user); status != 200 ||
		len(user.Identities) != 1 || user.Identities[0].SignInType != "userName" || user.Identities[0].IssuerAssignedID != "cy.user" {
		t.Errorf("users API: %d %+v", status, user)
	}
	read := idTokenOf(t, srv, "B2C_1A_dir_read", srv.NewBrowser(t).Get(directoryAuthorize("B2C_1A_dir_read", "CY.User")))
	if read["sub"] != oid || read["newUser"] != nil {
		t.Errorf("read: claims = %v, want sub %s", read, oid)
	}
	none := idTokenOf(t, srv, "B2C_1A_dir_nouser", srv.NewBrowser(t).Get(directoryAuthorize("B2C_1A_dir_nouser", "someone")))
	if none["sub"] != "Not supported currently. Use oid claim." || none["name"] != "Cy" || none["signInName"] != "someone" {
		t.Errorf("no user: claims = %v", none)
	}
	seed := map[string]any{"identities": []map[string]string{{"signInType": "userName", "issuer": "contoso.onmicrosoft.com", "issuerAssignedId": "dee_1"}},
		"password": "Passw0rd!", "attributes": map[string]any{"displayName": "Dee"}}
	var seeded struct{ ObjectID string }
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", seed, &seeded); status != 201 {
		t.Fatalf("seeding a username account: %d", status)
	}
	if read := idTokenOf(t, srv, "B2C_1A_dir_read", srv.NewBrowser(t).Get(directoryAuthorize("B2C_1A_dir_read", "DEE_1"))); read["sub"] != seeded.ObjectID || read["name"] != "Dee" {
		t.Errorf("read a seeded username account: claims = %v, want sub %s", read, seeded.ObjectID)
	}
	missing := srv.NewBrowser(t).Get(directoryAuthorize("B2C_1A_dir_read", "nobody"))
	if missing.Location == nil || !strings.Contains(missing.Location.Fragment, "No+account+has+that+sign-in+name.") {
		t.Errorf("read nobody: %d %v\n%s", missing.Status, missing.Location, missing.Body)
	}
}
