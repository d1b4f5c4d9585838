package contract

import "testing"

func TestNearest(t *testing.T) {
	names := []string{"displayName", "extension_loyaltyNumber", "extension_Plan", "city", "Seats"}
	for _, tc := range []struct{ name, want string }{
		{"extension_loyaltyNumbr", "extension_loyaltyNumber"},
		{"extension_plan", "extension_Plan"}, // names are case-sensitive: a case slip is the likeliest
		{"DisplayName", "displayName"},
		{"displayname ", "displayName"},
		{"cty", "city"},
		{"jobTitle", ""}, // nothing near
		{"city", ""},     // the name itself is no suggestion
		{"", ""},
	} {
		if got := nearest(tc.name, names); got != tc.want {
			t.Errorf("nearest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
