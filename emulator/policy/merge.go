package policy

import (
	"sort"
	"strconv"
	"strings"
)

// keyOf names an element among its siblings for merging: elements with the same key in a
// parent policy and its child are one element (the child re-declares what it changes); an
// element without a key is a single value the child replaces.
func keyOf(el *Element) string {
	a := el.Attr
	switch el.Name {
	case "ClaimType":
		return strings.ToLower(a["Id"]) // claim references are case-insensitive
	case "ClaimsTransformation", "ContentDefinition", "LocalizedResources", "TechnicalProfile", "UserJourney", "SubJourney", "ClaimsExchange", "Key", "DisplayControl",
		"Predicate", "PredicateValidation", "InputValidation", "PredicateGroup", "PredicateReference", "Parameter":
		return a["Id"]
	case "Item":
		return a["Key"]
	case "InputClaim", "OutputClaim", "PersistedClaim", "DisplayClaim":
		return strings.ToLower(a["ClaimTypeReferenceId"] + a["DisplayControlReferenceId"])
	case "ValidationTechnicalProfile", "InputClaimsTransformation", "OutputClaimsTransformation":
		return a["ReferenceId"]
	case "OrchestrationStep":
		return a["Order"]
	case "LocalizedString":
		return a["ElementType"] + "|" + a["ElementId"] + "|" + a["StringId"]
	case "LocalizedResourcesReference":
		return a["Language"]
	case "SupportedLanguage":
		return strings.TrimSpace(el.Text)
	case "ClaimsProviderSelection":
		return a["TargetClaimsExchangeId"] + "|" + a["ValidationClaimsExchangeId"]
	case "Enumeration":
		return a["Value"]
	}
	return ""
}

// merge combines an element of a parent policy with the child's re-declaration of it: the
// child's attributes and text win; keyed children are merged one by one (the child's first, in
// its order, then the parent's it does not mention, unless the container's MergeBehavior says
// Append or ReplaceAll); other children the child declares replace the parent's.
func merge(parent, child *Element) *Element {
	if parent == nil {
		return child
	}
	if child == nil {
		return parent
	}
	out := &Element{Name: child.Name, Attr: map[string]string{}, File: child.File, Line: child.Line, Text: child.Text, Comment: child.Comment}
	for k, v := range parent.Attr {
		out.Attr[k] = v
	}
	for k, v := range child.Attr {
		out.Attr[k] = v
	}
	if strings.TrimSpace(out.Text) == "" {
		out.Text, out.Comment = parent.Text, parent.Comment
	}
	behavior := child.Attr["MergeBehavior"]
	if behavior == "" && child.Name == "Restriction" {
		behavior = "ReplaceAll" // enumerations are replaced unless the child says otherwise
	}
	for _, name := range childNames(child, parent) {
		out.Children = append(out.Children, mergeNamed(parent.All(name), child.All(name), behavior)...)
	}
	if out.Name == "OrchestrationSteps" {
		sort.SliceStable(out.Children, func(i, j int) bool {
			a, _ := strconv.Atoi(out.Children[i].Attr["Order"])
			b, _ := strconv.Atoi(out.Children[j].Attr["Order"])
			return a < b
		})
	}
	return out
}

// childNames lists the names of the elements' children, each once, in the order they first
// appear (the first element's children first).
func childNames(els ...*Element) []string {
	var names []string
	seen := map[string]bool{}
	for _, el := range els {
		for _, c := range el.Children {
			if !seen[c.Name] {
				seen[c.Name] = true
				names = append(names, c.Name)
			}
		}
	}
	return names
}

// mergeNamed merges the children of one name: those of one side alone stay; keyed ones merge
// one by one; one unkeyed element on each side merges; otherwise the child's replace the
// parent's.
func mergeNamed(ps, cs []*Element, behavior string) []*Element {
	switch {
	case len(cs) == 0:
		return ps
	case len(ps) == 0:
		return cs
	case keyOf(cs[0]) != "" || keyOf(ps[0]) != "":
		return mergeList(ps, cs, behavior)
	case len(cs) == 1 && len(ps) == 1:
		return []*Element{merge(ps[0], cs[0])}
	}
	return cs
}

func mergeList(parent, child []*Element, behavior string) []*Element {
	if behavior == "ReplaceAll" {
		return child
	}
	byKey := map[string]*Element{}
	for _, p := range parent {
		byKey[keyOf(p)] = p
	}
	inChild := map[string]bool{}
	var merged []*Element
	for _, c := range child {
		inChild[keyOf(c)] = true
		merged = append(merged, merge(byKey[keyOf(c)], c))
	}
	var rest []*Element
	for _, p := range parent {
		if !inChild[keyOf(p)] {
			rest = append(rest, p)
		}
	}
	if behavior == "Append" {
		return append(rest, merged...)
	}
	return append(merged, rest...)
}
