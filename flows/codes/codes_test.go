package codes_test

import (
	"testing"

	"github.com/b2cemu/b2cemu/flows/codes"
)

func TestCodeValue(t *testing.T) {
	for _, tt := range []struct{ fixed, id, want string }{
		{"000000", "0000ffff-0000-0000-0000-000000000000", "000000"},
		{"", "0000ffff-0000-0000-0000-000000000000", "065535"},
		{"", "oid-1", codes.Value("", "oid-1")}, // not a GUID: still six digits, the same each time
	} {
		if got := codes.Value(tt.fixed, tt.id); got != tt.want || len(got) != 6 && tt.fixed == "" {
			t.Errorf("Value(%q, %q) = %q, want %q", tt.fixed, tt.id, got, tt.want)
		}
	}
}

// TestMasked: a number on record shows its last four digits only.
func TestMasked(t *testing.T) {
	if got := codes.Masked("+15555550100"); got != "+XXXXXXX0100" {
		t.Errorf("Masked = %q", got)
	}
}
