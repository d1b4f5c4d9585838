package journey

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/flows/engine"
)

// stringCollection reads a stringCollection claim's JSON; anything else is an empty one.
func stringCollection(v string) []string {
	var list []string
	_ = json.Unmarshal([]byte(v), &list)
	return list
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func addItem(in, _, out map[string]string) {
	list := stringCollection(in["collection"])
	if in["item"] != "" {
		list = append(list, in["item"])
	}
	out["collection"] = jsonText(list)
}

func addParameter(in, params, out map[string]string) {
	out["collection"] = jsonText(append(stringCollection(in["collection"]), params["item"]))
}

func firstItem(in, _, out map[string]string) {
	if list := stringCollection(in["collection"]); len(list) > 0 {
		out["extractedItem"] = list[0]
	}
}

// collectionContains is StringCollectionContains (the item a parameter) and
// StringCollectionContainsClaim (the item a claim).
func collectionContains(in, params, out map[string]string) {
	item, found := params["item"]+in["item"], false
	for _, v := range stringCollection(in["inputClaim"] + in["collection"]) {
		found = found || equalFold(v, item, ignoreCase(params, "ignoreCase"))
	}
	out["outputClaim"] = strconv.FormatBool(found)
}

func claimFromJSON(in, params, out map[string]string) {
	var obj map[string]any
	if json.Unmarshal([]byte(in["inputJson"]), &obj) != nil {
		return
	}
	flat := map[string]string{}
	flatten(flat, "", obj, true)
	if v, ok := flat[params["claimToExtract"]]; ok {
		out["extractedClaim"] = v
	}
}

// generateJSON is GenerateJson: each input claim and parameter at its dotted path, claims
// first, parameters in document order.
func generateJSON(_ *execution, u *use) *engine.Failure {
	var doc any = map[string]any{}
	for _, c := range u.t.InputClaims {
		doc = setPath(doc, strings.Split(c.Role, "."), u.in[c.Role])
	}
	for _, ip := range u.t.Parameters {
		doc = setPath(doc, strings.Split(ip.ID, "."), ip.Value)
	}
	u.out["outputClaim"] = jsonText(doc)
	return nil
}

func (x *execution) currentDateTime(u *use) *engine.Failure {
	u.out["currentDateTime"] = x.Now().UTC().Format(time.RFC3339)
	return nil
}

func copyNumber(in, _, out map[string]string) { out["outputClaim"] = in["inputClaim"] }

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
