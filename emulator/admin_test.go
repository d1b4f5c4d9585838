package emulator_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// graphBody is Microsoft Graph's error shape, which the admin API answers with.
type graphBody struct {
	Error struct {
		Code    string
		Message string
		Details []struct{ Code, Target, Message string }
	}
}

const takenID = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"

// TestCreateUserValidatesAsGraph: POST /_emulator/users refuses what Microsoft Graph refuses,
// with Graph's error body naming the property, and never replaces a user.
func TestCreateUserValidatesAsGraph(t *testing.T) {
	srv := emulatortest.Start(t, tenantYAML("http://127.0.0.1:9"))
	seed := map[string]any{"objectId": takenID, "email": "ana@fabrikam.com", "password": "Passw0rd!", "attributes": map[string]any{"displayName": "Ana"}}
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", seed, nil); status != 201 {
		t.Fatalf("seeding: %d", status)
	}
	fed := func(attrs map[string]any) map[string]any {
		return map[string]any{"identities": []map[string]string{{"signInType": "federated", "issuer": "google.com", "issuerAssignedId": "g-1"}}, "attributes": attrs}
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	local := func(signInType, issuer, name, password string) map[string]any {
		body := map[string]any{"identities": []map[string]string{{"signInType": signInType, "issuer": issuer, "issuerAssignedId": name}}}
		if password != "" {
			body["password"] = password
		}
		return body
	}
	tests := []struct {
		name   string
		body   map[string]any
		status int
		target string // the detail's target; "" for a 201
		want   string // in the message
	}{
		{"an objectId that is taken", map[string]any{"objectId": takenID, "email": "bo@fabrikam.com", "password": "Passw0rd!"}, 409, "objectId",
			"Another object with the same value for property objectId already exists."},
		{"an identity that is taken", map[string]any{"email": "ANA@fabrikam.com", "password": "Passw0rd!"}, 409, "identities",
			"Another object with the same value for property identities already exists."},
		{"a non-GUID objectId", map[string]any{"objectId": "user-1", "email": "bo@fabrikam.com", "password": "Passw0rd!"}, 400, "objectId",
			"Invalid value specified for property 'objectId' of resource 'User'. \"user-1\" is not a GUID"},
		{"an invalid email", map[string]any{"email": "not-an-email", "password": "Passw0rd!"}, 400, "email", "is not an email address"},
		{"the password a", map[string]any{"email": "bo@fabrikam.com", "password": "a"}, 400, "password", "8 to 64 characters with 3 of 4 kinds"},
		{"a password of one class", map[string]any{"email": "bo@fabrikam.com", "password": "abcdefghij"}, 400, "password", "DisableStrongPassword"},
		{"a 65-character password", map[string]any{"email": "bo@fabrikam.com", "password": "Aa1!" + long(61)}, 400, "password", "8 to 64"},
		{"no password", map[string]any{"email": "bo@fabrikam.com"}, 400, "password", "needs a password"},
		{"a weak password with DisableStrongPassword", map[string]any{"email": "weak@fabrikam.com", "password": "a", "passwordPolicies": "DisablePasswordExpiration, DisableStrongPassword"}, 201, "", ""},
		{"DisableStrongPassword still has B2C's maximum", map[string]any{"email": "bo@fabrikam.com", "password": long(257), "passwordPolicies": "DisableStrongPassword"}, 400, "password", "at most 256"},
		{"an unknown password policy", map[string]any{"email": "bo@fabrikam.com", "password": "Passw0rd!", "passwordPolicies": "NoPasswords"}, 400, "passwordPolicies", "DisableStrongPassword and DisablePasswordExpiration"},
		{"a password on a federated user", map[string]any{"password": "Passw0rd!", "identities": fed(nil)["identities"]}, 400, "password", "needs a local account"},
		{"a username account", local("userName", "fabrikamb2c.onmicrosoft.com", "mia_1234-x", "Passw0rd!"), 201, "", ""},
		{"a username that is taken, in another case", local("userName", "fabrikamb2c.onmicrosoft.com", "MIA_1234-X", "Passw0rd!"), 409, "identities",
			"Another object with the same value for property identities already exists."},
		{"a username without a password", local("userName", "fabrikamb2c.onmicrosoft.com", "bo1234", ""), 400, "password", "needs a password"},
		{"a username with a dot", local("userName", "fabrikamb2c.onmicrosoft.com", "bo.li", "Passw0rd!"), 400, "identities[0].issuerAssignedId", "letters, digits, - and _"},
		{"a username starting with _", local("userName", "fabrikamb2c.onmicrosoft.com", "_bo", "Passw0rd!"), 400, "identities[0].issuerAssignedId", "begins with a letter or a digit"},
		{"a username account of another tenant", local("userName", "contoso.onmicrosoft.com", "bo1234", "Passw0rd!"), 400, "identities[0].issuer", "fabrikamb2c.onmicrosoft.com"},
		{"a username account's weak password", local("userName", "fabrikamb2c.onmicrosoft.com", "bo1234", "abc"), 400, "password", "8 to 64"},
		{"a phone number account", local("phoneNumber", "fabrikamb2c.onmicrosoft.com", "+15555550123", ""), 201, "", ""},
		{"a phone number that is not E.164", local("phoneNumber", "fabrikamb2c.onmicrosoft.com", "555 0123", ""), 400, "identities[0].issuerAssignedId", "E.164"},
		{"an unknown sign-in type", local("mail", "fabrikamb2c.onmicrosoft.com", "bo1234", ""), 400, "identities[0]", "federated, emailAddress, userName or phoneNumber"},
		{"a 10,000-character displayName", fed(map[string]any{"displayName": long(10000)}), 400, "attributes.displayName", "is 10000 characters long; Graph allows at most 256"},
		{"a script displayName", fed(map[string]any{"displayName": "<script>alert(1)</script>"}), 400, "attributes.displayName", "contains < or >"},
		{"a 65-character givenName", fed(map[string]any{"givenName": long(65)}), 400, "attributes.givenName", "at most 64"},
		{"a 65-character surname", fed(map[string]any{"surname": long(65)}), 400, "attributes.surname", "at most 64"},
		{"a 129-character jobTitle", fed(map[string]any{"jobTitle": long(129)}), 400, "attributes.jobTitle", "at most 128"},
		{"a 129-character city", fed(map[string]any{"city": long(129)}), 400, "attributes.city", "at most 128"},
		{"a 41-character postalCode", fed(map[string]any{"postalCode": long(41)}), 400, "attributes.postalCode", "at most 40"},
		{"a 1025-character streetAddress", fed(map[string]any{"streetAddress": long(1025)}), 400, "attributes.streetAddress", "at most 1024"},
		{"a 257-character custom attribute", fed(map[string]any{"extension_MembershipId": long(257)}), 400, "attributes.MembershipId", "at most 256"},
		{"an unknown attribute", fed(map[string]any{"shoeSize": "42"}), 400, "shoeSize", "not an attribute of the tenant"},
		{"a value of the wrong type", fed(map[string]any{"city": 7}), 400, "city", "want a string"},
		{"a 65-character federated subject", map[string]any{"identities": []map[string]string{{"signInType": "federated", "issuer": "google.com", "issuerAssignedId": long(65)}}}, 400,
			"identities[0].issuerAssignedId", "at most 64"},
		{"an identity without an issuer", map[string]any{"identities": []map[string]string{{"signInType": "federated", "issuerAssignedId": "g-2"}}}, 400, "identities[0]", "needs signInType"},
		{"the longest values Graph takes", fed(map[string]any{"displayName": long(256), "givenName": long(64), "postalCode": long(40), "streetAddress": long(1024)}), 201, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got graphBody
			status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", tt.body, &got)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %+v", status, tt.status, got)
			}
			if tt.status == 201 {
				return
			}
			e := got.Error
			if e.Code != "Request_BadRequest" || !strings.Contains(e.Message, tt.want) || len(e.Details) != 1 || e.Details[0].Target != tt.target {
				t.Errorf("error = %+v, want target %q and %q", e, tt.target, tt.want)
			}
			if len(e.Message) > 600 {
				t.Errorf("the message quotes the value: %d bytes", len(e.Message))
			}
		})
	}
	var ana map[string]any
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/users/"+takenID, nil, &ana)
	if ana["attributes"].(map[string]any)["email"] != "ana@fabrikam.com" {
		t.Errorf("the taken objectId's user was replaced: %v", ana)
	}
}

// TestImportLimitsAndRules: the import refuses a body over 16 MiB and a user over 16 KiB with
// 413 and the limit, and users that break Graph's rules with 400 naming the user.
func TestImportLimitsAndRules(t *testing.T) {
	srv := emulatortest.Start(t, tenantYAML("http://127.0.0.1:9"))
	user := func(oid, subject, displayName string) string {
		return fmt.Sprintf(`{"objectId":%q,"identities":[{"signInType":"federated","issuer":"facebook.com","issuerAssignedId":%q}],"attributes":{"displayName":%q}}`, oid, subject, displayName)
	}
	many := func(n int, size int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(user(fmt.Sprintf("00000000-0000-4000-8000-%012d", i), fmt.Sprint("s-", i), strings.Repeat("x", size)))
		}
		return `{"users":[` + b.String() + `]}`
	}
	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"60 MB of users", many(6000, 10000), 413, "larger than the limit of 16777216 bytes (16 MiB)"},
		{"one oversized user", `{"users":[` + user(takenID, "s-1", "Ana") + `,` + `{"objectId":"00000000-0000-4000-8000-000000000001","identities":[],"attributes":{"displayName":"` + strings.Repeat("x", 20000) + `"}}]}`, 413,
			"users[1] is 20"},
		{"a non-GUID objectId", `{"users":[` + user("seed-1", "s-1", "Ana") + `]}`, 400, "Invalid value specified for property 'users[0].objectId' of resource 'User'."},
		{"a 257-character displayName", `{"users":[` + user(takenID, "s-1", strings.Repeat("x", 257)) + `]}`, 400, "users[0].attributes.displayName"},
		{"not an export", `[1,2]`, 400, "not an export of users"},
		{"users within the limits", many(100, 256), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := srv.Client.Post(srv.URL+"/_emulator/users/import", "application/json", bytes.NewReader([]byte(tt.body)))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(raw), tt.want) {
				t.Fatalf("%d %.300s, want %d with %q", resp.StatusCode, raw, tt.status, tt.want)
			}
			if tt.status != 200 && !strings.HasPrefix(string(raw), `{"error":{"code":"Request_BadRequest","message":`) {
				t.Errorf("not Graph's error shape: %.200s", raw)
			}
		})
	}
	if n := len(srv.Em.Users.List()); n != 100 {
		t.Errorf("%d users after the imports, want the 100 valid ones", n)
	}
}

// TestPatchUserAsGraph: PATCH /_emulator/users/{id} is Graph's partial update: 204, only the
// named attributes change, null removes one, and what create refuses is refused the same way.
func TestPatchUserAsGraph(t *testing.T) {
	srv := emulatortest.Start(t, tenantYAML("http://127.0.0.1:9"))
	seed := map[string]any{"objectId": takenID, "email": "ana@fabrikam.com", "password": "Passw0rd!", "attributes": map[string]any{"displayName": "Ana", "givenName": "Ana"}}
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", seed, nil); status != 201 {
		t.Fatalf("seeding: %d", status)
	}
	fedID := "5f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
	fed := map[string]any{"objectId": fedID, "identities": []map[string]string{{"signInType": "federated", "issuer": "google.com", "issuerAssignedId": "g-1"}}}
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/users", fed, nil); status != 201 {
		t.Fatalf("seeding federated: %d", status)
	}
	user := srv.URL + "/_emulator/users/" + takenID
	tests := []struct {
		name   string
		url    string
		body   map[string]any
		status int
		target string
	}{
		{"displayName with <", user, map[string]any{"attributes": map[string]any{"displayName": "<b>"}}, 400, "attributes.displayName"},
		{"unknown attribute", user, map[string]any{"attributes": map[string]any{"shoeSize": "9"}}, 400, "shoeSize"},
		{"wrong type", user, map[string]any{"attributes": map[string]any{"givenName": 7}}, 400, "givenName"},
		{"weak password", user, map[string]any{"password": "abc"}, 400, "password"},
		{"password of a federated user", srv.URL + "/_emulator/users/" + fedID, map[string]any{"password": "Passw0rd!2"}, 400, "password"},
		{"identities are not patched", user, map[string]any{"identities": []any{}}, 400, ""},
		{"unknown user", srv.URL + "/_emulator/users/" + "00000000-0000-4000-8000-000000000000", map[string]any{"attributes": map[string]any{"displayName": "X"}}, 404, ""},
		{"partial update", user, map[string]any{"attributes": map[string]any{"displayName": "Ana Li", "givenName": nil}, "password": "N3w-Passw0rd"}, 204, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got graphBody
			var out any = &got
			if tt.status == 404 { // the admin API's own error shape, not Graph's
				out = nil
			}
			if status := post(t, srv.Client, http.MethodPatch, tt.url, tt.body, out); status != tt.status {
				t.Fatalf("status %d, want %d: %+v", status, tt.status, got)
			}
			if tt.target != "" && (len(got.Error.Details) == 0 || got.Error.Details[0].Target != tt.target) {
				t.Errorf("error %+v, want the target %q", got.Error, tt.target)
			}
		})
	}
	var ana struct{ Attributes map[string]any }
	post(t, srv.Client, http.MethodGet, user, nil, &ana)
	if ana.Attributes["displayName"] != "Ana Li" || ana.Attributes["email"] != "ana@fabrikam.com" {
		t.Errorf("attributes %v: want displayName changed and email kept", ana.Attributes)
	}
	if _, ok := ana.Attributes["givenName"]; ok {
		t.Errorf("attributes %v: null should remove givenName", ana.Attributes)
	}
}
