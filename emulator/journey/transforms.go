package journey

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// nullClaim is an output value that removes the claim from the bag (NullClaim).
const nullClaim = "\x00null"

// moreTransforms runs the general claims transformations beyond the starter packs' (string,
// boolean, date, number, JSON and string collection ones), writing outputs by their
// TransformationClaimType into out. A method b2cemu does not know is reported as unsupported.
func (x *execution) moreTransforms(tp *policy.TechnicalProfile, t *policy.Element, method string, in, params, out map[string]string) *runError {
	id := t.Attr["Id"]
	ignoreCase := func(key string) bool {
		return strings.EqualFold(params[key], "true") || strings.HasSuffix(strings.ToLower(params[key]), "ignorecase")
	}
	equal := func(a, b string, fold bool) bool { return a == b || fold && strings.EqualFold(a, b) }
	switch method {
	case "NullClaim":
		out["claim_to_null"] = nullClaim
	case "DoesClaimExist":
		out["outputClaim"] = strconv.FormatBool(in["inputClaim"] != "")
	case "StringReplace":
		out["outputClaim"] = strings.ReplaceAll(in["inputClaim"], params["oldValue"], params["newValue"])
	case "StringSubstring":
		runes := []rune(in["inputClaim"])
		start, _ := strconv.Atoi(params["startIndex"])
		n, err := strconv.Atoi(params["length"])
		if err != nil || start+n > len(runes) {
			n = len(runes) - start
		}
		if start < 0 || start > len(runes) || n < 0 {
			return &runError{msg: "The service has encountered an internal error.", diagnostic: fmt.Sprintf("%s: StringSubstring startIndex %d and length %s do not fit %q", id, start, params["length"], in["inputClaim"])}
		}
		out["outputClaim"] = string(runes[start : start+n])
	case "StringContains":
		v, c := in["inputClaim"], params["contains"]
		if ignoreCase("ignoreCase") {
			v, c = strings.ToLower(v), strings.ToLower(c)
		}
		out["outputClaim"] = strconv.FormatBool(strings.Contains(v, c))
	case "ParseDomain":
		if _, domain, ok := strings.Cut(in["emailAddress"], "@"); ok {
			out["domain"] = domain
		}
	case "StringSplit":
		parts := strings.Split(in["inputClaim"], params["delimiter"])
		b, _ := json.Marshal(parts)
		out["outputClaim"] = string(b)
	case "StringJoin":
		var list []string
		_ = json.Unmarshal([]byte(in["inputClaim"]), &list)
		out["outputClaim"] = strings.Join(list, params["delimiter"])
	case "AddParameterToStringCollection":
		var list []string
		_ = json.Unmarshal([]byte(in["collection"]), &list)
		b, _ := json.Marshal(append(list, params["item"]))
		out["collection"] = string(b)
	case "StringCollectionContains", "StringCollectionContainsClaim":
		var list []string
		_ = json.Unmarshal([]byte(in["inputClaim"]+in["collection"]), &list)
		item := params["item"] + in["item"]
		found := false
		for _, v := range list {
			found = found || equal(v, item, ignoreCase("ignoreCase"))
		}
		out["outputClaim"] = strconv.FormatBool(found)
	case "SetClaimsIfStringsAreEqual":
		eq := equal(in["inputClaim1"], in["inputClaim2"], ignoreCase("stringComparison"))
		if eq {
			out["outputClaim"] = params["outputClaimIfMatched"]
		}
		out["stringCompareResultClaim"] = strconv.FormatBool(eq)
	case "SetClaimsIfStringsMatch":
		eq := equal(in["claimToMatch"], params["matchTo"], ignoreCase("stringComparison"))
		if eq {
			out["outputClaim"] = params["outputClaimIfMatched"]
		}
		out["stringMatchResultClaim"] = strconv.FormatBool(eq)
	case "SetClaimsIfRegexMatch":
		m, err := matchPattern(params["matchTo"], in["claimToMatch"])
		switch {
		case errors.Is(err, errUnfinished):
			// As for a value that does not match: the result claim says false and the journey
			// goes on (the method has no error of its own); the developer learns why.
			x.logUnfinished("", unfinished(t, fmt.Sprintf("ClaimsTransformation Id=%q (SetClaimsIfRegexMatch) matchTo", id), params["matchTo"], len([]rune(in["claimToMatch"])), err))
		case err != nil:
			return unsupported(tp, fmt.Sprintf("the regular expression %q of %s", params["matchTo"], id))
		}
		if m {
			out["outputClaim"] = params["outputClaimIfMatched"]
		}
		out["regexCompareResultClaim"] = strconv.FormatBool(m)
	case "SetClaimIfBooleansMatch":
		if strings.EqualFold(in["claimToMatch"], params["matchTo"]) {
			out["outputClaim"] = params["outputClaimIfMatched"]
		}
	case "AndClaims", "OrClaims":
		a, b := strings.EqualFold(in["inputClaim1"], "true"), strings.EqualFold(in["inputClaim2"], "true")
		if method == "AndClaims" {
			out["outputClaim"] = strconv.FormatBool(a && b)
		} else {
			out["outputClaim"] = strconv.FormatBool(a || b)
		}
	case "NotClaims":
		out["outputClaim"] = strconv.FormatBool(!strings.EqualFold(in["inputClaim"], "true"))
	case "CompareBooleanClaimToValue":
		out["compareResult"] = strconv.FormatBool(strings.EqualFold(in["inputClaim"], params["valueToCompareTo"]))
	case "GetCurrentDateTime":
		out["currentDateTime"] = x.Now().UTC().Format(time.RFC3339)
	case "ConvertNumberToStringClaim":
		out["outputClaim"] = in["inputClaim"]
	case "LookupValue":
		v, ok := params[in["inputParameterId"]]
		switch {
		case ok:
			out["outputClaim"] = v
		case strings.EqualFold(params["errorOnFailedLookup"], "true"):
			return &runError{msg: x.text(tp, "ErrorMessage", "UserMessageIfClaimsTransformationLookupValueFailed", "The value could not be found."),
				diagnostic: fmt.Sprintf("%s: LookupValue has no input parameter %q", id, in["inputParameterId"])}
		}
	case "GenerateJson":
		var doc any = map[string]any{}
		for _, c := range t.Path("InputClaims", "InputClaim") {
			doc = setPath(doc, strings.Split(c.Attr["TransformationClaimType"], "."), in[c.Attr["TransformationClaimType"]])
		}
		for _, ip := range t.Path("InputParameters", "InputParameter") {
			doc = setPath(doc, strings.Split(ip.Attr["Id"], "."), ip.Attr["Value"])
		}
		b, _ := json.Marshal(doc)
		out["outputClaim"] = string(b)
	case "Hash":
		// b2cemu's own hash (B2C does not publish its algorithm): equal inputs, equal hashes.
		secret := x.PolicyKeys[strings.ToLower(params["randomizerSecret"])]
		sum := sha256.Sum256([]byte(in["plaintext"] + "\x00" + in["salt"] + "\x00" + secret))
		out["hash"] = base64.StdEncoding.EncodeToString(sum[:])
	default:
		return unsupported(tp, fmt.Sprintf("the claims transformation method %q (%s)", method, id))
	}
	return nil
}

// setPath sets a dotted path (personalizations.0.to.0.email) under node, as GenerateJson
// does: a numeric segment indexes an array, any other names a member.
func setPath(node any, parts []string, v string) any {
	if len(parts) == 0 {
		return v
	}
	if idx, err := strconv.Atoi(parts[0]); err == nil && idx >= 0 && idx < 1000 { // larger: a member name
		list, _ := node.([]any)
		for len(list) <= idx {
			list = append(list, nil)
		}
		list[idx] = setPath(list[idx], parts[1:], v)
		return list
	}
	m, ok := node.(map[string]any)
	if !ok {
		m = map[string]any{}
	}
	m[parts[0]] = setPath(m[parts[0]], parts[1:], v)
	return m
}
