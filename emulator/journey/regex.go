package journey

import (
	"errors"
	"fmt"
	"sync"

	"github.com/dlclark/regexp2/v2"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// matchTimeout bounds one match of a policy's regular expression against a value the user
// typed (policy.PatternTimeout says why).
const matchTimeout = policy.PatternTimeout

// errUnfinished is a match that did not finish: errTooDeep when it ran out of backtracking stack
// (regexp2 bounds it), else it ran out of time. regexp2's own timeout error quotes the input,
// which may be a password, so it never travels.
var (
	errUnfinished = errors.New("did not finish")
	errTooDeep    = fmt.Errorf("%w: out of backtracking stack", errUnfinished)
)

// patterns caches the patterns a loaded policy did not compile (a policy built in code):
// compiling the starter packs' password rule costs more than matching it. A regexp2.Regexp is
// safe for concurrent use; every one in the cache is made by policy.CompilePattern, so every
// one has the timeout.
var patterns sync.Map // pattern → *regexp2.Regexp

// compilePattern compiles a policy pattern with the match timeout set.
func compilePattern(pattern string) (*regexp2.Regexp, error) {
	if re, ok := patterns.Load(pattern); ok {
		return re.(*regexp2.Regexp), nil
	}
	re, err := policy.CompilePattern(pattern)
	if err != nil {
		return nil, err
	}
	patterns.Store(pattern, re)
	return re, nil
}

// matchPattern reports whether value matches pattern within the bound: errUnfinished when the
// match ran out of time, a compile error when the pattern is not a regular expression.
func matchPattern(pattern, value string) (bool, error) {
	re, err := compilePattern(pattern)
	if err != nil {
		return false, err
	}
	return match(re, value)
}

// matchCompiled is matchPattern with the pattern compiled when the policy loaded, when it was
// (a policy built in code has none).
func matchCompiled(re *regexp2.Regexp, pattern, value string) (bool, error) {
	if re == nil {
		return matchPattern(pattern, value)
	}
	return match(re, value)
}

// match is matchPattern for a compiled pattern: it names how a match that did not finish ended.
func match(re *regexp2.Regexp, value string) (bool, error) {
	ok, err := re.MatchString(value)
	switch {
	case errors.Is(err, regexp2.ErrBacktrackingStackLimit):
		return false, errTooDeep
	case err != nil:
		return false, errUnfinished
	}
	return ok, nil
}

// unfinished is the developer's diagnostic for a pattern that ran out of time: where the
// pattern is, the pattern, and how to fix it. The value is never in it (it may be a password).
func unfinished(el *policy.Element, what, pattern string, runes int, err error) string {
	at := ""
	if el != nil {
		at = fmt.Sprintf("%s:%d: ", el.File, el.Line)
	}
	why := fmt.Sprintf("within %v (catastrophic backtracking)", matchTimeout)
	if errors.Is(err, errTooDeep) {
		why = "before it ran out of backtracking stack"
	}
	return fmt.Sprintf("%s%s: the regular expression %q did not finish matching a %d-character value %s and counts as not matching; rewrite it without nested or overlapping quantifiers such as (a+)+ or (a|a)*, and without capturing groups under * or + where (?:…) will do",
		at, what, pattern, runes, why)
}

// restricted reports whether v passes a ClaimType's Restriction Pattern. A pattern that does
// not compile is a load error, so it never reaches here; a match that runs out of time counts
// as not matching (the user sees the claim's HelpText, as for any value that does not match)
// and is logged for the developer.
func (e *Engine) restricted(runID string, ct *policy.ClaimType, v string) bool {
	ok, err := matchCompiled(ct.Regexp, ct.Pattern, v)
	if errors.Is(err, errUnfinished) {
		el := ct.El.Child("Restriction").Child("Pattern")
		e.logUnfinished(runID, unfinished(el, fmt.Sprintf("ClaimType Id=%q Restriction Pattern", ct.ID), ct.Pattern, len([]rune(v)), err))
	}
	return ok || err != nil && !errors.Is(err, errUnfinished)
}

// logUnfinished logs a pattern that ran out of time, with the run when there is one.
func (e *Engine) logUnfinished(runID, diagnostic string) {
	if e.Log == nil {
		return
	}
	if runID == "" {
		e.Log.Warn("custom policy pattern: " + diagnostic)
		return
	}
	e.Log.Warn("custom policy pattern: "+diagnostic, "run", runID)
}
