package journey

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/b2cemu/b2cemu/flows/engine"
)

// compareClaims is CompareClaimToValue (against compareTo) and CompareClaims (against
// inputClaim2), with operator EQUAL or NOT EQUAL.
func compareClaims(_ *execution, u *use) *engine.Failure {
	in, params := u.in, u.params
	other := params["compareTo"]
	if strings.EqualFold(u.t.Method, "CompareClaims") {
		other = in["inputClaim2"]
	}
	equal := in["inputClaim1"] == other || strings.EqualFold(params["ignoreCase"], "true") && strings.EqualFold(in["inputClaim1"], other)
	u.out["outputClaim"] = strconv.FormatBool(equal == !strings.EqualFold(params["operator"], "NOT EQUAL"))
	return nil
}

func (x *execution) assertStringsEqual(u *use) *engine.Failure {
	a, b, cmp := u.in["inputClaim1"], u.in["inputClaim2"], u.params["stringComparison"]
	if a == b || strings.HasSuffix(cmp, "IgnoreCase") && strings.EqualFold(a, b) {
		return nil
	}
	if cmp == "" {
		cmp = "Ordinal"
	}
	return &engine.Failure{Message: x.text(u.tp, "ErrorMessage", "UserMessageIfClaimsTransformationStringsAreNotEqual", fmt.Sprintf("Claim value comparison failed using StringComparison %q.", cmp))}
}

func (x *execution) assertBoolean(u *use) *engine.Failure {
	if v := u.in["inputClaim"]; v != "" && !strings.EqualFold(v, u.params["valueToCompareTo"]) {
		return &engine.Failure{Message: x.text(u.tp, "ErrorMessage", "UserMessageIfClaimsTransformationBooleanValueIsNotEqual", `Boolean claim value comparison failed for claim type "inputClaim".`)}
	}
	return nil
}

func (x *execution) assertDateTimeLater(u *use) *engine.Failure {
	if err := assertLater(u.t.ID, u.t, u.in, u.params); err != "" {
		return &engine.Failure{Message: x.text(u.tp, "ErrorMessage", "DateTimeGreaterThan", "Claim value comparison failed: The provided left operand is greater than the right operand."), Diagnostic: err}
	}
	return nil
}

func claimExists(in, _, out map[string]string) {
	out["outputClaim"] = strconv.FormatBool(in["inputClaim"] != "")
}

func setIfStringsEqual(in, params, out map[string]string) {
	eq := equalFold(in["inputClaim1"], in["inputClaim2"], ignoreCase(params, "stringComparison"))
	if eq {
		out["outputClaim"] = params["outputClaimIfMatched"]
	}
	out["stringCompareResultClaim"] = strconv.FormatBool(eq)
}

func setIfStringsMatch(in, params, out map[string]string) {
	eq := equalFold(in["claimToMatch"], params["matchTo"], ignoreCase(params, "stringComparison"))
	if eq {
		out["outputClaim"] = params["outputClaimIfMatched"]
	}
	out["stringMatchResultClaim"] = strconv.FormatBool(eq)
}

// setIfRegexMatch is SetClaimsIfRegexMatch with the matchTo pattern compiled at load. A
// match that does not finish is a value that does not match: the result claim says false and
// the journey goes on (the method has no error of its own); the developer learns why.
func (x *execution) setIfRegexMatch(u *use) *engine.Failure {
	m, err := matchCompiled(u.t.MatchTo, u.params["matchTo"], u.in["claimToMatch"])
	switch {
	case errors.Is(err, errUnfinished):
		x.logUnfinished("", unfinished(u.t.El, fmt.Sprintf("ClaimsTransformation Id=%q (SetClaimsIfRegexMatch) matchTo", u.t.ID), u.params["matchTo"], len([]rune(u.in["claimToMatch"])), err))
	case err != nil:
		return unsupported(u.tp, fmt.Sprintf("the regular expression %q of %s", u.params["matchTo"], u.t.ID))
	}
	if m {
		u.out["outputClaim"] = u.params["outputClaimIfMatched"]
	}
	u.out["regexCompareResultClaim"] = strconv.FormatBool(m)
	return nil
}

func setIfBooleansMatch(in, params, out map[string]string) {
	if strings.EqualFold(in["claimToMatch"], params["matchTo"]) {
		out["outputClaim"] = params["outputClaimIfMatched"]
	}
}

func isTrue(v string) bool { return strings.EqualFold(v, "true") }

func andClaims(in, _, out map[string]string) {
	out["outputClaim"] = strconv.FormatBool(isTrue(in["inputClaim1"]) && isTrue(in["inputClaim2"]))
}

func orClaims(in, _, out map[string]string) {
	out["outputClaim"] = strconv.FormatBool(isTrue(in["inputClaim1"]) || isTrue(in["inputClaim2"]))
}

func notClaims(in, _, out map[string]string) {
	out["outputClaim"] = strconv.FormatBool(!isTrue(in["inputClaim"]))
}

func compareBoolean(in, params, out map[string]string) {
	out["compareResult"] = strconv.FormatBool(strings.EqualFold(in["inputClaim"], params["valueToCompareTo"]))
}

// lookupValue is LookupValue: the parameter named by the input; a missing one fails when
// errorOnFailedLookup is true.
func (x *execution) lookupValue(u *use) *engine.Failure {
	v, ok := u.params[u.in["inputParameterId"]]
	switch {
	case ok:
		u.out["outputClaim"] = v
	case strings.EqualFold(u.params["errorOnFailedLookup"], "true"):
		return &engine.Failure{Message: x.text(u.tp, "ErrorMessage", "UserMessageIfClaimsTransformationLookupValueFailed", "The value could not be found."),
			Diagnostic: fmt.Sprintf("%s: LookupValue has no input parameter %q", u.t.ID, u.in["inputParameterId"])}
	}
	return nil
}
