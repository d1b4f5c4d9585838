package journey

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2/v2"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// regexBound is what a test allows one bounded match: matchTimeout plus regexp2's clock
// granularity, with ample room for a loaded machine. An unbounded match of the hostile inputs
// below takes minutes.
const regexBound = 5 * time.Second

// hostile is a pattern that backtracks exponentially on a run of a's that does not end the
// way it wants.
const hostile = `^(a+)+$`

var hostileInput = strings.Repeat("a", 40) + "!"

func TestHostilePatternIsBounded(t *testing.T) {
	for i := range 2 { // the second match reads the compiled pattern from the cache
		start := time.Now()
		ok, err := matchPattern(hostile, hostileInput)
		if took := time.Since(start); !errors.Is(err, errUnfinished) || ok || took > regexBound {
			t.Fatalf("match %d = %v, %v after %v; want errUnfinished well within %v", i, ok, err, took, regexBound)
		}
	}
	if ok, err := matchPattern(hostile, "aaaa"); !ok || err != nil {
		t.Errorf("a value the pattern matches = %v, %v", ok, err)
	}
	// regexp2 bounds the backtracking stack too: a capturing group under * on a long value.
	// The pattern gets a long timeout here so that on a loaded machine the stack, not the
	// clock, ends the match.
	deep := regexp2.MustCompile(`^(a|b)*$`, regexp2.None)
	deep.MatchTimeout = time.Minute
	if ok, err := match(deep, strings.Repeat("a", 60000)); ok || !errors.Is(err, errTooDeep) || !errors.Is(err, errUnfinished) {
		t.Errorf("a match out of backtracking stack = %v, %v, want errTooDeep", ok, err)
	} else if d := unfinished(nil, "ClaimType Id=\"x\" Restriction Pattern", `^(a|b)*$`, 60000, err); !strings.Contains(d, "a 60000-character value before it ran out of backtracking stack") {
		t.Errorf("diagnostic = %s", d)
	}
	if _, err := matchPattern(`(`, "x"); err == nil || errors.Is(err, errUnfinished) {
		t.Errorf("a pattern that does not compile = %v, want its compile error", err)
	}
}

func TestRestrictionPatternTimeoutIsLogged(t *testing.T) {
	var logs strings.Builder
	e := &Engine{Log: slog.New(slog.NewTextHandler(&logs, nil))}
	pat := &policy.Element{Name: "Pattern", File: "ext.xml", Line: 7}
	ct := &policy.ClaimType{ID: "loyaltyId", Pattern: hostile,
		El: &policy.Element{Name: "ClaimType", File: "ext.xml", Line: 5, Children: []*policy.Element{{Name: "Restriction", Children: []*policy.Element{pat}}}}}
	const secret = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"
	if e.restricted("run-1", ct, secret) {
		t.Fatal("a value whose match ran out of time passed the restriction")
	}
	got := logs.String()
	for _, want := range []string{"ext.xml:7", `ClaimType Id=\"loyaltyId\" Restriction Pattern`, `\"^(a+)+$\"`, "did not finish", "run=run-1"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "aaaaaaaaaaaaaaaaaaaa!") {
		t.Errorf("the log quotes the value (it may be a password):\n%s", got)
	}
}

// FuzzPolicyRegex runs any pattern against any value through the path the journey uses:
// compiling never panics, every compiled pattern carries the timeout, and every match returns
// within the bound.
func FuzzPolicyRegex(f *testing.F) {
	f.Add(hostile, hostileInput)
	f.Add(`^((?=.*[a-z])(?=.*[A-Z])(?=.*\d)).{8,16}$`, "Passw0rd!x")
	f.Add(`^[a-zA-Z0-9.!#$%&'^_{}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*$`, "ana@contoso.com")
	f.Fuzz(func(t *testing.T, pattern, input string) {
		if len(pattern) > 256 || len(input) > 1024 { // policy patterns and claim values are short
			t.Skip()
		}
		defer patterns.Delete(pattern) // the cache holds a policy's few patterns, not the fuzzer's
		start := time.Now()
		re, err := compilePattern(pattern)
		if err != nil {
			return
		}
		if re.MatchTimeout != matchTimeout {
			t.Fatalf("compiled %q without the timeout: %v", pattern, re.MatchTimeout)
		}
		_, err = matchPattern(pattern, input)
		if took := time.Since(start); took > regexBound {
			t.Fatalf("%q on %q took %v (err %v), want within %v", pattern, input, took, err, regexBound)
		}
	})
}
