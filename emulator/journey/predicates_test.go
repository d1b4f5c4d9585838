package journey

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// predicatesExecution is an execution of b2cemu's predicates fixture (testdata/predicates)
// on its page, in lang, on 2 December 2026.
func predicatesExecution(t *testing.T, lang string, log *slog.Logger) (*execution, *policy.TechnicalProfile) {
	t.Helper()
	name := "Predicates_signup.xml"
	b, err := os.ReadFile(filepath.Join("..", "testdata", "predicates", name))
	if err != nil {
		t.Fatal(err)
	}
	policies, err := policy.LoadSources([]policy.Source{{Name: name, Data: b}})
	if err != nil {
		t.Fatal(err)
	}
	p := policies["b2c_1a_predicates"]
	tp := p.TechnicalProfiles["Page-Profile"]
	e := &Engine{Log: log, Now: func() time.Time { return time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC) }}
	return e.execute(t.Context(), p, &engine.Run{ID: "run-1"}, &state{lang: lang, tp: tp}), tp
}

// TestPredicateValidationMessages: each group that fails adds its texts, MatchAtLeast counts
// the predicates that pass, a legacy InputValidation is a validation too, and the French
// resources replace the texts they name.
func TestPredicateValidationMessages(t *testing.T) {
	const classes = "At least 3 of: a lowercase letter, an uppercase letter, a digit, a symbol"
	tests := []struct {
		name, lang, claim, value, want string
	}{
		{"strong: four classes", "en", "newPassword", "Passw0rd!x", ""},
		{"strong: three classes", "en", "newPassword", "passw0rd!x", ""},
		{"two classes", "en", "newPassword", "password12", classes},
		{"too short, three classes", "en", "newPassword", "Pa55!", "Between 8 and 64 characters."},
		{"too short, one class", "en", "newPassword", "pass", "Between 8 and 64 characters. " + classes},
		{"too long", "en", "newPassword", "Aa1!" + strings.Repeat("x", 61), "Between 8 and 64 characters."},
		{"french texts, English for the rest", "fr", "newPassword", "pass", "Entre 8 et 64 caractères. Au moins 3 parmi : a lowercase letter, an uppercase letter, a digit, a symbol"},
		{"legacy InputValidation passes", "en", "pin", "0420", ""},
		{"legacy InputValidation fails: UserHelpText element", "en", "pin", "04a0", "Digits only."},
		{"date within the range", "en", "birthDate", "1984-02-29", ""},
		{"date after today", "en", "birthDate", "2026-12-03", "A date from 1900-01-01 to today."},
		{"not a date", "en", "birthDate", "soon", "A date from 1900-01-01 to today."},
		{"no validation on the claim", "en", "displayName", "x", ""},
		{"an empty value is left to Required", "en", "newPassword", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, tp := predicatesExecution(t, tt.lang, nil)
			if got := x.invalid(tp, tt.claim, x.p.ClaimTypes[strings.ToLower(tt.claim)], tt.value); got != tt.want {
				t.Errorf("invalid(%s=%q) = %q, want %q", tt.claim, tt.value, got, tt.want)
			}
		})
	}
}

// TestPredicatePatternTimeoutIsLogged: a MatchesRegex predicate that backtracks without end
// fails within the bound, and the log names the predicate, never the value.
func TestPredicatePatternTimeoutIsLogged(t *testing.T) {
	var logs strings.Builder
	x, _ := predicatesExecution(t, "en", slog.New(slog.NewTextHandler(&logs, nil)))
	pr := &policy.Predicate{ID: "Hostile", Method: "MatchesRegex", Params: map[string]string{"RegularExpression": hostile},
		El: &policy.Element{Name: "Predicate", File: "ext.xml", Line: 12}}
	start := time.Now()
	if x.predicatePasses(pr, hostileInput) {
		t.Fatal("a value whose match ran out of time passed the predicate")
	}
	if took := time.Since(start); took > regexBound {
		t.Errorf("the match took %v", took)
	}
	if got := logs.String(); !strings.Contains(got, `ext.xml:12: Predicate Id=\"Hostile\" RegularExpression: the regular expression`) || strings.Contains(got, hostileInput) {
		t.Errorf("log = %s", got)
	}
}
