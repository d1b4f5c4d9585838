package contract

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/attributes"
)

// didYouMean is "; did you mean "<nearest>"?" for the candidate nearest to name, or "" when
// none is near enough to be a slip of the keyboard (config.Suggest: a case slip, or one or
// two edits).
func didYouMean(name string, candidates []string) string {
	if n := nearest(name, candidates); n != "" {
		return fmt.Sprintf("; did you mean %q?", n)
	}
	return ""
}

// requestNames are the tenant's attributes as a connector names them in an answer: Graph names
// and extension_<Name>.
func requestNames(schema attributes.Schema) []string {
	var names []string
	for _, a := range schema.All() {
		names = append(names, wireName(a))
	}
	return names
}

func wireName(a attributes.Attribute) string {
	if a.Custom {
		return "extension_" + a.Name
	}
	return a.Name
}

// claimAdvice are the warnings Check adds to a Continue answer's: for a key that names no
// attribute, the nearest attribute's name; with the user flow def, for a claim the flow takes
// no value of at the step, what B2C does with it and the nearest name it does take.
func claimAdvice(call connector.Call, schema attributes.Schema, appID string, def *flows.Definition) []string {
	if call.Outcome != string(apiconnector.Continue) || len(call.Attempts) == 0 {
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(call.Attempts[len(call.Attempts)-1].Body), &obj) != nil {
		return nil
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var advice []string
	for _, k := range keys {
		if k == "version" || k == "action" {
			continue
		}
		a, known := attributeOf(schema, appID, k)
		switch {
		case !known && !isBareCustom(schema, k):
			if n := nearest(k, requestNames(schema)); n != "" {
				advice = append(advice, fmt.Sprintf("Claim %q names no attribute of the tenant: did you mean %q?", k, n))
			}
		case known && def != nil:
			if w := flowAdvice(schema, def, call.Step, k, a); w != "" {
				advice = append(advice, w)
			}
		}
	}
	return advice
}

// attributeOf is the attribute a response key names: a built-in's Graph name, or
// extension_<Name> and extension_<appId>_<Name> for a custom attribute.
func attributeOf(schema attributes.Schema, appID, key string) (attributes.Attribute, bool) {
	if a, ok := schema.Lookup(key); ok {
		return a, !a.Custom
	}
	rest, ok := strings.CutPrefix(key, "extension_")
	if !ok {
		return attributes.Attribute{}, false
	}
	rest = strings.TrimPrefix(rest, strings.ReplaceAll(appID, "-", "")+"_")
	a, ok := schema.Lookup(rest)
	return a, ok && a.Custom
}

// isBareCustom reports a custom attribute's bare name, which the connector client's own
// warning already names the right key for.
func isBareCustom(schema attributes.Schema, key string) bool {
	a, ok := schema.Lookup(key)
	return ok && a.Custom
}

// flowAdvice says what def does with a Continue claim it does not take at step: a claim of
// PostAttributeCollection the flow does not collect reaches this sign-up's token but is not
// stored; one of PreTokenIssuance that is not an application claim is left out of the token.
func flowAdvice(schema attributes.Schema, def *flows.Definition, step apiconnector.Step, key string, a attributes.Attribute) string {
	var taken []string
	var what string
	switch step {
	case apiconnector.PostAttributeCollection:
		for _, ua := range def.UserAttributes {
			taken = append(taken, ua.Name)
		}
		what = "is not collected by the user flow %s, so B2C puts it in this sign-up's token (when it is an application claim) but does not store it"
	case apiconnector.PreTokenIssuance:
		taken = def.ApplicationClaims
		what = "is not an application claim of the user flow %s, so B2C leaves it out of the token"
	default:
		return ""
	}
	if slices.Contains(taken, a.Name) {
		return ""
	}
	var names []string
	for _, t := range taken {
		if ta, ok := schema.Lookup(t); ok {
			names = append(names, wireName(ta))
		}
	}
	return fmt.Sprintf("Claim %q "+what+"%s", key, def.ID, didYouMean(key, names))
}

// nearest is config.Suggest's name for name, never name itself.
func nearest(name string, candidates []string) string {
	if n := config.Suggest(name, candidates); n != name {
		return n
	}
	return ""
}
