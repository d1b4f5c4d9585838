package policy

import (
	"strings"
	"testing"
	"time"
)

// predicate compiles one Predicate element written in XML.
func predicate(t *testing.T, xml string) (*Predicate, *Error) {
	t.Helper()
	el, err := parse("p.xml", []byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	errs := &Error{}
	return compilePredicate(el, errs), errs
}

func predicateXML(method string, params ...string) string {
	var b strings.Builder
	b.WriteString(`<Predicate Id="P" Method="` + method + `" HelpText="help"><Parameters>`)
	for i := 0; i+1 < len(params); i += 2 {
		b.WriteString(`<Parameter Id="` + params[i] + `">` + params[i+1] + `</Parameter>`)
	}
	b.WriteString(`</Parameters></Predicate>`)
	return b.String()
}

func TestPredicateMethods(t *testing.T) {
	now := time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC)
	length := predicateXML("IsLengthRange", "Minimum", "8", "Maximum", "64")
	symbol := predicateXML("IncludesCharacters", "CharacterSet", `@#$%^&amp;*\-_+=[]{}|\\:',.?/`+"`"+`~"();!`)
	dates := predicateXML("IsDateRange", "Minimum", "1970-01-01", "Maximum", "Today")
	tests := []struct {
		name, xml, value string
		want             bool
	}{
		{"length: 7 characters is too short", length, "Abc123!", false},
		{"length: 8 characters", length, "Abc123!x", true},
		{"length: 64 characters", length, strings.Repeat("a", 64), true},
		{"length: 65 characters", length, strings.Repeat("a", 65), false},
		{"length: counts UTF-16 units as .NET does", length, strings.Repeat("😀", 4), true},
		{"length: 7 runes of one unit each", length, "ééééééé", false},
		{"regex: digits", predicateXML("MatchesRegex", "RegularExpression", "^[0-9]+$"), "123456", true},
		{"regex: a letter", predicateXML("MatchesRegex", "RegularExpression", "^[0-9]+$"), "12a", false},
		{"regex: .NET lookahead", predicateXML("MatchesRegex", "RegularExpression", `(^\S.*\S$)|(^\S+$)|(^$)`), " padded", false},
		{"lowercase: a-z present", predicateXML("IncludesCharacters", "CharacterSet", "a-z"), "ABCd", true},
		{"lowercase: none", predicateXML("IncludesCharacters", "CharacterSet", "a-z"), "ABC1", false},
		{"digits: 0-9", predicateXML("IncludesCharacters", "CharacterSet", "0-9"), "abc7", true},
		{"symbol: escaped hyphen", symbol, "abc-", true},
		{"symbol: backslash", symbol, `abc\`, true},
		{"symbol: none", symbol, "abcXYZ09", false},
		{"set: a trailing hyphen is literal", predicateXML("IncludesCharacters", "CharacterSet", "x-"), "a-b", true},
		{"dates: within", dates, "1999-05-04", true},
		{"dates: the minimum itself", dates, "1970-01-01", true},
		{"dates: before", dates, "1969-12-31", false},
		{"dates: today", dates, "2026-12-02", true},
		{"dates: tomorrow", dates, "2026-12-03", false},
		{"dates: a date-time value", dates, "1999-05-04T00:00:00Z", true},
		{"dates: not a date", dates, "yesterday", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, errs := predicate(t, tt.xml)
			if len(errs.Problems) > 0 {
				t.Fatalf("load: %v", errs)
			}
			if got, err := pr.Match(tt.value, now); got != tt.want || err != nil {
				t.Errorf("Match(%q) = %v, %v; want %v", tt.value, got, err, tt.want)
			}
		})
	}
}

func TestPredicateLoadErrors(t *testing.T) {
	tests := []struct{ name, xml, want string }{
		{"unknown method", predicateXML("IsPalindrome"), `the Method "IsPalindrome" is not a predicate method; use one of IsLengthRange, MatchesRegex, IncludesCharacters, IsDateRange`},
		{"missing parameter", predicateXML("IsLengthRange", "Minimum", "8"), `the IsLengthRange method needs a <Parameter Id="Maximum">`},
		{"length not a number", predicateXML("IsLengthRange", "Minimum", "eight", "Maximum", "64"), `the Minimum "eight" is not a number of characters`},
		{"length range reversed", predicateXML("IsLengthRange", "Minimum", "9", "Maximum", "8"), `the Minimum 9 is greater than the Maximum 8`},
		{"bad regex", predicateXML("MatchesRegex", "RegularExpression", "^([0-9]+$"), `the RegularExpression is not a valid .NET regular expression`},
		{"bad escape", predicateXML("IncludesCharacters", "CharacterSet", `a\d`), `has an escape other than \\ (a backslash) and \- (a hyphen)`},
		{"empty set", predicateXML("IncludesCharacters", "CharacterSet", ""), `the CharacterSet is empty`},
		{"reversed range", predicateXML("IncludesCharacters", "CharacterSet", "z-a"), `has the range z-a, whose start is after its end`},
		{"bad date", predicateXML("IsDateRange", "Minimum", "01/01/1970", "Maximum", "Today"), `the Minimum "01/01/1970" is not a date: write yyyy-mm-dd`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := predicate(t, tt.xml)
			if len(errs.Problems) != 1 || !strings.Contains(errs.Problems[0].Msg, tt.want) {
				t.Fatalf("problems = %v, want one containing %q", errs, tt.want)
			}
			if p := errs.Problems[0]; p.File != "p.xml" || p.Line != 1 || p.Element != `Predicate Id="P"` {
				t.Errorf("located at %s:%d %s", p.File, p.Line, p.Element)
			}
		})
	}
}
