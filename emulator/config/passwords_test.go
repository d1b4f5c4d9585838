package config_test

import (
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/config"
)

func TestPasswordsBcryptCost(t *testing.T) {
	tests := []struct {
		name, yaml string
		env        string // B2CEMU_PASSWORDS_BCRYPTCOST
		want       int
		problem    string
	}{
		{name: "default: the fast scheme", want: 0},
		{name: "bcrypt's minimum", yaml: "passwords:\n  bcryptCost: 4", want: 4},
		{name: "realistic", yaml: "passwords:\n  bcryptCost: 12", want: 12},
		{name: "from the environment", env: "10", want: 10},
		{name: "below bcrypt's minimum", yaml: "passwords:\n  bcryptCost: 3", problem: `line 2: passwords.bcryptCost: 3 is out of range; use 0 (the default: a fast salted hash) or a bcrypt cost between 4 and 31`},
		{name: "above bcrypt's maximum", yaml: "passwords:\n  bcryptCost: 32", problem: `passwords.bcryptCost: 32 is out of range`},
		{name: "negative", yaml: "passwords:\n  bcryptCost: -1", problem: `passwords.bcryptCost: -1 is out of range`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Load(write(t, tt.yaml), func(k string) string {
				if k == "B2CEMU_PASSWORDS_BCRYPTCOST" {
					return tt.env
				}
				return ""
			})
			if tt.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Passwords.BcryptCost != tt.want {
				t.Errorf("bcryptCost = %d, want %d", cfg.Passwords.BcryptCost, tt.want)
			}
		})
	}
}
