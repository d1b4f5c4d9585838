package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// woodgrove starts the browser tests' tenant (admin API token, when given) with its
// connector, and returns the way to its fake identity provider's page.
func woodgrove(t *testing.T, token string) (*emulatortest.Server, *woodgroveAPI, func(b *emulatortest.Browser) *emulatortest.Page) {
	t.Helper()
	api := &woodgroveAPI{}
	hook := httptest.NewServer(api)
	t.Cleanup(hook.Close)
	yaml := strings.Replace(browserTenant, "CONNECTOR", hook.URL, 1)
	if token != "" {
		yaml += "admin:\n  token: " + token + "\n"
	}
	srv := emulatortest.Start(t, yaml)
	authorize := "/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize?" + url.Values{
		"client_id": {"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}, "redirect_uri": {srv.URL + "/jwt"}, "scope": {"openid"},
		"response_type": {"id_token"}, "nonce": {"n"}, "prompt": {"login"}}.Encode()
	return srv, api, func(b *emulatortest.Browser) *emulatortest.Page {
		t.Helper()
		page := b.Submit(b.Get(authorize), "button#GoogleExchange", nil)
		if page.Doc.Find("#api[data-name=FakeIdentityProvider]").Length() != 1 {
			t.Fatalf("not the fake identity provider page: %d\n%s", page.Status, page.Body)
		}
		return page
	}
}

// signUp walks the attribute page of a federated sign-up to the token.
func signUp(t *testing.T, b *emulatortest.Browser, page *emulatortest.Page) {
	t.Helper()
	if page.Doc.Find("#attributeVerification").Length() != 1 {
		t.Fatalf("not the attribute page: %d\n%s", page.Status, page.Body)
	}
	if end := b.Submit(page, "button#continue", map[string]string{"displayName": "Mia Chen-Long"}); end.Location == nil && !strings.Contains(end.Body, "id_token") {
		t.Fatalf("the sign-up did not end with a token: %d\n%s", end.Status, end.Body)
	}
}

// TestFakeIdPClaimsBox: the claims box's object is laid over the chosen identity under the
// provider's claim names and reaches PostFederationSignup as B2C's claims mapping gives it.
func TestFakeIdPClaimsBox(t *testing.T) {
	srv, api, idp := woodgrove(t, "")
	for _, tc := range []struct {
		name, button string
		fields       map[string]string
		want         map[string]any // PostFederationSignup's body members; nil: absent
		wantSub      string
	}{
		{"fixture account, mapped claims replace its own", `button.fixtureAccount[value="g-100"]`,
			map[string]string{"claims": `{"email": "mia.work@woodgrove.example", "given_name": "Mía", "family_name": null, "city": "Paris", "locale": "fr"}`},
			map[string]any{"email": "mia.work@woodgrove.example", "givenName": "Mía", "surname": nil, "displayName": "Mia Chen", "city": nil, "locale": nil}, "g-100"},
		{"fixture account, the same sub is fine", `button.fixtureAccount[value="g-100"]`,
			map[string]string{"claims": `{"sub": "g-100", "name": "Mia C"}`}, map[string]any{"displayName": "Mia C"}, "g-100"},
		{"typed identity, the box's sub is the subject", "button#idp_signin",
			map[string]string{"idp_email": "zed@woodgrove.example", "idp_issuerAssignedId": "typed-1", "claims": `{"sub": "oidc-77", "name": "Zed"}`},
			map[string]any{"email": "zed@woodgrove.example", "displayName": "Zed"}, "oidc-77"},
		{"typed identity, the box's email gives the subject", "button#idp_signin",
			map[string]string{"idp_email": "old@woodgrove.example", "claims": `{"email": "Ana@Woodgrove.example"}`},
			map[string]any{"email": "Ana@Woodgrove.example"}, "ana@woodgrove.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			deleteUsers(t, srv)
			api.take()
			b := srv.NewBrowser(t)
			page := b.Submit(idp(b), tc.button, tc.fields)
			if page.Doc.Find("#attributeVerification").Length() != 1 {
				t.Fatalf("not the attribute page: %d\n%s", page.Status, page.Body)
			}
			body := api.last()
			if body["step"] != "PostFederationSignup" {
				t.Fatalf("last call %v, want PostFederationSignup", body)
			}
			for k, want := range tc.want {
				if got, ok := body[k]; want == nil && ok || want != nil && got != want {
					t.Errorf("PostFederationSignup %s = %v, want %v (body %v)", k, got, want, body)
				}
			}
			ids, _ := json.Marshal(body["identities"])
			if !strings.Contains(string(ids), `"issuerAssignedId":"`+tc.wantSub+`"`) {
				t.Errorf("identities = %s, want the subject %s", ids, tc.wantSub)
			}
		})
	}
}

// TestFakeIdPClaimsBoxRefused: a box that is not one JSON object, a mapped claim that is not a
// string and another subject for a fixture account come back on the page with a message that
// says so, with everything typed kept, and nothing is called.
func TestFakeIdPClaimsBoxRefused(t *testing.T) {
	srv, api, idp := woodgrove(t, "")
	for _, tc := range []struct {
		name, button, claims, want string
	}{
		{"not JSON", "button#idp_signin", `{"email": "a@b.example",`, "The claims box is not valid JSON (unexpected EOF)"},
		{"an array", `button.fixtureAccount[value="g-100"]`, `[{"email": "a@b.example"}]`, "The claims box holds an array; it must be a JSON object"},
		{"null", "button#idp_signin", `null`, "The claims box holds null; it must be a JSON object"},
		{"two values", "button#idp_signin", `{} {}`, "The claims box holds more than one JSON value"},
		{"a number for email", "button#idp_signin", `{"email": 42}`, `The claims box gives "email" a number (42); the provider's email claim is a string`},
		{"another subject for a fixture", `button.fixtureAccount[value="g-100"]`, `{"sub": "g-999"}`, `The claims box gives "sub" "g-999", but the fixture account is the identity "g-100"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api.take()
			b := srv.NewBrowser(t)
			typed := map[string]string{"idp_email": "kept@woodgrove.example", "idp_displayName": "Kept Name", "claims": tc.claims}
			page := b.Submit(idp(b), tc.button, typed)
			if got := page.Text("#idpProblem"); !strings.HasPrefix(got, tc.want) {
				t.Errorf("message %q, want it to start %q\n%s", got, tc.want, page.Body)
			}
			if got := page.Text("textarea#claims"); got != strings.TrimSpace(tc.claims) {
				t.Errorf("the claims box holds %q, want what was typed %q", got, tc.claims)
			}
			if page.Doc.Find("#idp_email").AttrOr("value", "") != "kept@woodgrove.example" || page.Doc.Find("#idp_displayName").AttrOr("value", "") != "Kept Name" {
				t.Errorf("the typed identity was not kept:\n%s", page.Body)
			}
			if _, open := page.Doc.Find("details.custom-identity").Attr("open"); open != (tc.button == "button#idp_signin") {
				t.Errorf("the typed identity's form open = %v, want it open only when it was submitted", open)
			}
			if calls := api.take(); len(calls) != 0 {
				t.Errorf("connector called: %v", calls)
			}
			// The page goes on: the same run takes a good submission.
			if next := b.Submit(page, `button.fixtureAccount[value="g-100"]`, map[string]string{"claims": ""}); next.Doc.Find("#attributeVerification").Length() != 1 {
				t.Errorf("after the refusal, the fixture account does not sign up:\n%s", next.Body)
			}
		})
	}
}

// deleteUsers empties the directory through the admin API.
func deleteUsers(t *testing.T, srv *emulatortest.Server) {
	t.Helper()
	for _, u := range users(t, srv, "") {
		req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/_emulator/users/"+u["objectId"].(string), nil)
		resp, err := srv.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}

// users lists the directory through the admin API.
func users(t *testing.T, srv *emulatortest.Server, token string) []map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/_emulator/users", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Users []map[string]any `json:"users"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("GET /_emulator/users: %v", err)
	}
	return out.Users
}

// TestFakeIdPExistingAccount: once a fixture account has signed up, its button says that it
// exists and that signing in runs no sign-up connector; "Delete this user" deletes it through
// the admin API's call, after which the account signs up again and PostFederationSignup runs.
func TestFakeIdPExistingAccount(t *testing.T) {
	srv, api, idp := woodgrove(t, "")
	b := srv.NewBrowser(t)
	page := idp(b)
	if page.Doc.Find(".account .existing-user").Length() != 0 {
		t.Fatalf("an empty directory shows an existing user:\n%s", page.Body)
	}
	signUp(t, b, b.Submit(page, `button.fixtureAccount[value="g-100"]`, nil))
	objectID := users(t, srv, "")[0]["objectId"].(string)

	page = idp(b)
	notice := page.Doc.Find(`button.fixtureAccount[value="g-100"]`).Parent().Find(".existing-user")
	if got := strings.TrimSpace(notice.Find("p").First().Text()); got != "This account already exists: signing in will not run the sign-up API connectors." {
		t.Fatalf("g-100's notice = %q\n%s", got, page.Body)
	}
	if page.Doc.Find(`button.fixtureAccount[value="g-666"]`).Parent().Find(".existing-user").Length() != 0 {
		t.Error("g-666, which never signed up, says it exists")
	}
	if v := notice.Find("button.deleteUser").AttrOr("value", ""); v != "deleteUser:"+objectID {
		t.Fatalf("delete button value %q, want deleteUser:%s", v, objectID)
	}
	// A forged delete of a user the provider does not hold deletes nothing.
	if got := b.Submit(page, `button.fixtureAccount[value="g-100"]`, map[string]string{"op": "deleteUser:" + strings.Repeat("0", 8)}).Text("#idpProblem"); !strings.Contains(got, "There is no user") {
		t.Errorf("a forged delete: %q", got)
	}
	api.take()
	page = b.Submit(idp(b), "button.deleteUser", nil)
	if got := page.Text("#idpNotice"); !strings.HasPrefix(got, "Deleted the user "+objectID+" (g-100)") {
		t.Errorf("after the delete: %q\n%s", got, page.Body)
	}
	if len(users(t, srv, "")) != 0 || page.Doc.Find(".account .existing-user").Length() != 0 || len(api.take()) != 0 {
		t.Fatalf("the user was not deleted, or the page still says it exists, or a connector ran:\n%s", page.Body)
	}
	signUp(t, b, b.Submit(page, `button.fixtureAccount[value="g-100"]`, nil))
	if steps := api.take(); len(steps) != 2 || steps[0] != "PostFederationSignup" {
		t.Errorf("the account signed up again with the calls %v, want PostFederationSignup and PostAttributeCollection", steps)
	}
}

// TestFakeIdPExistingTypedIdentity: the page's script asks api/FakeIdentityProvider/identity
// whether a typed identity has a user (subject, else the box's sub, else the email); without
// the script, a submission that comes back shows the notice.
func TestFakeIdPExistingTypedIdentity(t *testing.T) {
	srv, _, idp := woodgrove(t, "")
	b := srv.NewBrowser(t)
	signUp(t, b, b.Submit(idp(b), "button#idp_signin", map[string]string{"idp_email": "Zoe@Woodgrove.example"}))
	objectID := users(t, srv, "")[0]["objectId"].(string)

	page := idp(b)
	check, _ := page.Doc.Find("#typedExisting").Attr("data-check")
	if !page.Doc.Find("#typedExisting").Is("[hidden]") || check == "" {
		t.Fatalf("the typed identity's notice is shown before anything is typed, or has no data-check:\n%s", page.Body)
	}
	for _, tc := range []struct {
		fields url.Values
		want   string
	}{
		{url.Values{"idp_email": {"zoe@woodgrove.example"}}, `{"subject":"zoe@woodgrove.example","objectId":"` + objectID + `"}`},
		{url.Values{"idp_email": {"x@woodgrove.example"}, "claims": {`{"sub": "zoe@woodgrove.example"}`}}, `{"subject":"zoe@woodgrove.example","objectId":"` + objectID + `"}`},
		{url.Values{"idp_email": {"zoe@woodgrove.example"}, "idp_issuerAssignedId": {"other"}}, `{"subject":"other"}`},
		{url.Values{"claims": {`[]`}}, `{"problem":"The claims box holds an array; it must be a JSON object, such as {\"email\": \"ana@fabrikam.com\", \"given_name\": \"Ana\"}."}`},
	} {
		u, _ := page.URL.Parse(check + "&" + tc.fields.Encode())
		got := b.Get(u.String())
		if strings.TrimSpace(got.Body) != tc.want {
			t.Errorf("check %v = %d %s, want %s", tc.fields, got.Status, got.Body, tc.want)
		}
	}
	back := b.Submit(page, "button#idp_signin", map[string]string{"idp_email": "zoe@woodgrove.example", "claims": "{"})
	if !back.Visible("#typedExisting") || back.Doc.Find("#typedExisting button.deleteUser").AttrOr("value", "") != "deleteUser:"+objectID {
		t.Errorf("a refused submission of an existing identity does not say it exists:\n%s", back.Body)
	}
}

// TestFakeIdPExistingAccountWithAdminToken: with an admin token the page deletes no user; it
// names the admin API call instead.
func TestFakeIdPExistingAccountWithAdminToken(t *testing.T) {
	srv, _, idp := woodgrove(t, "s3cret-admin-token")
	b := srv.NewBrowser(t)
	signUp(t, b, b.Submit(idp(b), `button.fixtureAccount[value="g-100"]`, nil))
	objectID := users(t, srv, "s3cret-admin-token")[0]["objectId"].(string)
	page := idp(b)
	notice := page.Doc.Find(`button.fixtureAccount[value="g-100"]`).Parent().Find(".existing-user")
	if notice.Find("button.deleteUser").Length() != 0 || !strings.Contains(notice.Text(), "DELETE /_emulator/users/"+objectID) {
		t.Fatalf("with a token, the notice = %q", notice.Text())
	}
	got := b.Submit(page, `button.fixtureAccount[value="g-100"]`, map[string]string{"op": "deleteUser:" + objectID, "account": ""})
	if !strings.Contains(got.Text("#idpProblem"), "this page deletes no users") || len(users(t, srv, "s3cret-admin-token")) != 1 {
		t.Errorf("a posted delete with a token: %q", got.Text("#idpProblem"))
	}
	if strings.Contains(got.Body, "s3cret-admin-token") {
		t.Error("the page shows the admin token")
	}
}
