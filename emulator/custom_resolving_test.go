package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestCustomPolicyRESTClaimResolverSetting: the example's RESTful profile sends its
// {Culture:LCID} input resolved while it sets IncludeClaimResolvingInClaimsHandling=true, and
// as written without it, with a call inspector warning naming the profile, the claim and the
// metadata item to add.
func TestCustomPolicyRESTClaimResolverSetting(t *testing.T) {
	const setting = `<Item Key="IncludeClaimResolvingInClaimsHandling">true</Item>`
	for _, tc := range []struct {
		name     string
		keep     bool
		wantLang string
	}{
		{"with the setting", true, "1033"},
		{"without the setting", false, "{Culture:LCID}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var bodies []map[string]any
			api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var body map[string]any
				raw, _ := io.ReadAll(r.Body)
				if err := json.Unmarshal(raw, &body); err != nil {
					t.Errorf("body %q: %v", raw, err)
				}
				mu.Lock()
				bodies = append(bodies, body)
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"promoCode":"P"}`)
			})
			var edit policyEdits
			if !tc.keep {
				edit = replaceIn(t, extensionsXML, setting, "")
			}
			srv, _ := startLoyaltyIn(t, api, edit, "")
			b := srv.NewBrowser(t)
			page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "cr@contoso.com")
			idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"email": "cr@contoso.com", "newPassword": "Passw0rd!x",
				"reenterPassword": "Passw0rd!x", "loyaltyId": "L-1"}))
			mu.Lock()
			defer mu.Unlock()
			if len(bodies) != 1 || bodies[0]["lang"] != tc.wantLang {
				t.Fatalf("bodies = %v, want lang %q", bodies, tc.wantLang)
			}
			var calls struct{ Calls []struct{ Warnings []string } }
			post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls", nil, &calls)
			if len(calls.Calls) != 1 {
				t.Fatalf("calls = %+v", calls.Calls)
			}
			w := calls.Calls[0].Warnings
			if tc.keep {
				if len(w) != 0 {
					t.Errorf("warnings = %q, want none", w)
				}
				return
			}
			if len(w) != 1 || !strings.Contains(w[0], "REST-ValidateProfile") || !strings.Contains(w[0], "userLanguage") || !strings.Contains(w[0], setting) {
				t.Errorf("warnings = %q, want one naming the profile, the claim and %s", w, setting)
			}
		})
	}
}
