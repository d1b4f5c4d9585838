package emulator_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestHeadlessLinking: one headless request walks the link policy's two provider-selection
// pages (identityProviders): Facebook signs in the user signed up before, then the second
// page's Google button links a fresh Google identity, or the fixture account accounts names;
// the admin API shows the linked identities. An entry the page does not offer, or a page
// beyond the list, is a 400 naming the page's buttons.
func TestHeadlessLinking(t *testing.T) {
	srv := startLinking(t)
	run := func(policy string, req map[string]any) (int, runResult) {
		t.Helper()
		req["clientId"] = clientID
		var out runResult
		status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/flows/"+policy+"/run", req, &out)
		return status, out
	}
	status, up := run("B2C_1A_link_susi", map[string]any{"identityProvider": "FacebookExchange", "account": map[string]any{"issuerAssignedId": "fb-1"}})
	if status != 200 || up.Outcome != "token" || !up.NewUser {
		t.Fatalf("sign-up with Facebook: %d %+v", status, up)
	}
	fb := map[string]any{"issuerAssignedId": "fb-1"}

	t.Run("refusals name the page's buttons", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			req   map[string]any
			wants []string
		}{
			{"an entry the page does not offer", map[string]any{"identityProviders": []string{"FacebookExchange", "TwitterExchange"}, "accounts": []any{fb}},
				[]string{`identityProviders[1] "TwitterExchange"`, `there is no "TwitterExchange" button on this page`, "LinkGoogleExchange"}},
			{"more pages than entries", map[string]any{"identityProviders": []string{"FacebookExchange"}, "accounts": []any{fb}},
				[]string{"provider-selection page 2", "identityProviders has 1 entries", "[LinkGoogleExchange]"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, out := run("B2C_1A_link", tc.req)
				if status != 400 {
					t.Fatalf("status %d %+v", status, out)
				}
				for _, w := range tc.wants {
					if !strings.Contains(out.Error, w) {
						t.Errorf("error %q lacks %q", out.Error, w)
					}
				}
			})
		}
	})
	t.Run("a fresh Google identity", func(t *testing.T) {
		status, linked := run("B2C_1A_link", map[string]any{"identityProviders": []string{"FacebookExchange", "LinkGoogleExchange"}, "accounts": []any{fb}})
		if status != 200 || linked.Outcome != "token" || linked.ObjectID != up.ObjectID {
			t.Fatalf("link run: %d %+v", status, linked)
		}
		if got := issuersClaim(linked.Claims); !slices.Equal(got, []string{"facebook.com", "google.com"}) {
			t.Errorf("issuers after linking = %v", got)
		}
		ids := federatedOf(userByID(t, srv, up.ObjectID))
		if len(ids) != 2 || ids[0] != "facebook.com/fb-1" || !strings.HasPrefix(ids[1], "google.com/") || ids[1] == "google.com/g-1" {
			t.Errorf("identities after linking = %v, want Facebook's and a fresh Google one", ids)
		}
	})

	t.Run("the Google account accounts names", func(t *testing.T) {
		mo := map[string]any{"issuerAssignedId": "fb-9", "displayName": "Mo"}
		if status, out := run("B2C_1A_link_susi", map[string]any{"identityProviders": []string{"facebook.com"}, "accounts": []any{mo}}); status != 200 || out.Outcome != "token" {
			t.Fatalf("sign-up of fb-9: %d %+v", status, out)
		}
		status, linked := run("B2C_1A_link", map[string]any{"identityProviders": []string{"facebook.com", "LinkGoogleExchange"},
			"accounts": []any{mo, map[string]any{"issuerAssignedId": "g-1"}}})
		if status != 200 || linked.Outcome != "token" {
			t.Fatalf("link run: %d %+v", status, linked)
		}
		if ids := federatedOf(userByID(t, srv, linked.ObjectID)); !slices.Equal(ids, []string{"facebook.com/fb-9", "google.com/g-1"}) {
			t.Errorf("identities after linking = %v", ids)
		}
	})
}
