package web

import (
	"strings"
	"testing"
)

// TestHeadlessProvidersRequest: the checks of a run request's identityProviders and accounts,
// and a user flow's one-entry list becoming identityProvider and account.
func TestHeadlessProvidersRequest(t *testing.T) {
	fb := map[string]any{"issuerAssignedId": "fb-1"}
	for _, tc := range []struct {
		name    string
		req     RunRequest
		custom  bool
		wantErr string
		want    RunRequest
	}{
		{name: "identityProvider alone", req: RunRequest{IdentityProvider: "facebook.com"}, want: RunRequest{IdentityProvider: "facebook.com"}},
		{name: "a list on a custom policy", custom: true, req: RunRequest{IdentityProviders: []string{"FacebookExchange", "LinkGoogleExchange"}, Accounts: []map[string]any{fb}},
			want: RunRequest{IdentityProviders: []string{"FacebookExchange", "LinkGoogleExchange"}, Accounts: []map[string]any{fb}}},
		{name: "a user flow's one entry", req: RunRequest{IdentityProviders: []string{"facebook.com"}, Accounts: []map[string]any{fb}},
			want: RunRequest{IdentityProvider: "facebook.com", Account: fb}},
		{name: "both fields", custom: true, req: RunRequest{IdentityProvider: "email", IdentityProviders: []string{"email"}}, wantErr: "not both"},
		{name: "more accounts than providers", custom: true, req: RunRequest{IdentityProviders: []string{"FacebookExchange"}, Accounts: []map[string]any{fb, fb}},
			wantErr: "accounts has 2 entries for 1 identityProviders entries"},
		{name: "accounts without providers", custom: true, req: RunRequest{Accounts: []map[string]any{fb}}, wantErr: "accounts has 1 entries for 0"},
		{name: "two pages on a user flow", req: RunRequest{IdentityProviders: []string{"facebook.com", "google.com"}}, wantErr: "a user flow shows one provider choice"},
		{name: "an empty entry", custom: true, req: RunRequest{IdentityProviders: []string{"FacebookExchange", " "}}, wantErr: "identityProviders[1] is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			err := checkProviders(&req, tc.custom)
			switch {
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one with %q", err, tc.wantErr)
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr == "" && (req.IdentityProvider != tc.want.IdentityProvider || len(req.IdentityProviders) != len(tc.want.IdentityProviders) ||
				len(req.Accounts) != len(tc.want.Accounts) || len(req.Account) != len(tc.want.Account)):
				t.Errorf("request %+v, want %+v", req, tc.want)
			}
		})
	}
}
