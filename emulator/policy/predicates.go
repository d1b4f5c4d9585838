package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/dlclark/regexp2/v2"
)

// Predicate is a BuildingBlocks Predicate compiled: one check of a claim's value
// (https://learn.microsoft.com/azure/active-directory-b2c/predicates).
type Predicate struct {
	ID, Method string
	HelpText   string            // the HelpText attribute, else the deprecated UserHelpText element
	Params     map[string]string // Parameter values by Id, trimmed
	Min, Max   int               // IsLengthRange
	Regexp     *regexp2.Regexp   // MatchesRegex
	Chars      []charRange       // IncludesCharacters
	El         *Element
}

// charRange is one character or an inclusive range of an IncludesCharacters CharacterSet.
type charRange struct{ lo, hi rune }

// PredicateValidation is a PredicateValidation (or a legacy InputValidation): groups that must
// all pass for the value to be accepted.
type PredicateValidation struct {
	ID     string
	Groups []PredicateGroup
	El     *Element
}

// PredicateGroup is a PredicateGroup: its predicates, of which MatchAtLeast must pass (0: all).
type PredicateGroup struct {
	ID, HelpText string
	MatchAtLeast int
	Predicates   []string // PredicateReference Ids, in document order
	El           *Element
}

// The methods B2C documents for a Predicate.
var predicateMethods = []string{"IsLengthRange", "MatchesRegex", "IncludesCharacters", "IsDateRange"}

// predicateParams are the parameters each method requires.
var predicateParams = map[string][]string{
	"IsLengthRange":      {"Minimum", "Maximum"},
	"MatchesRegex":       {"RegularExpression"},
	"IncludesCharacters": {"CharacterSet"},
	"IsDateRange":        {"Minimum", "Maximum"},
}

// compilePredicates reads the Predicates, PredicateValidations and legacy InputValidations of
// the building blocks, reporting what B2C would refuse at upload.
func (p *Policy) compilePredicates(bb *Element, errs *Error) {
	p.Predicates = map[string]*Predicate{}
	for _, el := range bb.Path("Predicates", "Predicate") {
		pr := compilePredicate(el, errs)
		p.Predicates[pr.ID] = pr
	}
	p.PredicateValidations = map[string]*PredicateValidation{}
	for _, el := range bb.Path("PredicateValidations", "PredicateValidation") {
		v := &PredicateValidation{ID: el.Attr["Id"], El: el}
		for _, g := range el.Path("PredicateGroups", "PredicateGroup") {
			v.Groups = append(v.Groups, predicateGroup(g, g.Attr["Id"], g.TextOf("UserHelpText"), g.Path("PredicateReferences")))
		}
		p.PredicateValidations[v.ID] = v
	}
	p.InputValidations = map[string]*PredicateValidation{}
	for _, el := range bb.Path("InputValidations", "InputValidation") {
		v := &PredicateValidation{ID: el.Attr["Id"], El: el}
		for _, refs := range el.All("PredicateReferences") { // the legacy shape: each list is a group
			v.Groups = append(v.Groups, predicateGroup(refs, refs.Attr["Id"], refs.Attr["HelpText"], []*Element{refs}))
		}
		p.InputValidations[v.ID] = v
	}
}

// predicateGroup reads a group's references; MatchAtLeast is checked by checkPredicates.
func predicateGroup(el *Element, id, help string, lists []*Element) PredicateGroup {
	g := PredicateGroup{ID: id, HelpText: help, El: el}
	for _, refs := range lists {
		if n, err := strconv.Atoi(strings.TrimSpace(refs.Attr["MatchAtLeast"])); err == nil {
			g.MatchAtLeast = n
		}
		for _, r := range refs.All("PredicateReference") {
			g.Predicates = append(g.Predicates, r.Attr["Id"])
		}
	}
	return g
}

// compilePredicate reads a Predicate: its method's parameters parsed, its pattern compiled.
func compilePredicate(el *Element, errs *Error) *Predicate {
	pr := &Predicate{ID: el.Attr["Id"], Method: el.Attr["Method"], HelpText: el.Attr["HelpText"], Params: map[string]string{}, El: el}
	if pr.HelpText == "" {
		pr.HelpText = el.TextOf("UserHelpText")
	}
	for _, prm := range el.Path("Parameters", "Parameter") {
		pr.Params[prm.Attr["Id"]] = strings.TrimSpace(prm.Text)
	}
	owner := describe(el)
	required, known := predicateParams[pr.Method]
	if !known {
		errs.add(el, owner, "the Method %q is not a predicate method; use one of %s", pr.Method, strings.Join(predicateMethods, ", "))
		return pr
	}
	for _, id := range required {
		if _, ok := pr.Params[id]; !ok {
			errs.add(el, owner, "the %s method needs a <Parameter Id=%q> in its Parameters", pr.Method, id)
			return pr
		}
	}
	if err := pr.compile(); err != nil {
		errs.add(el, owner, "%v", err)
	}
	return pr
}

// compile parses the method's parameters.
func (pr *Predicate) compile() error {
	var err error
	switch pr.Method {
	case "IsLengthRange":
		if pr.Min, err = lengthParam(pr.Params, "Minimum"); err != nil {
			return err
		}
		if pr.Max, err = lengthParam(pr.Params, "Maximum"); err != nil {
			return err
		}
		if pr.Min > pr.Max {
			return fmt.Errorf("the Minimum %d is greater than the Maximum %d; no value can pass", pr.Min, pr.Max)
		}
	case "MatchesRegex":
		if pr.Regexp, err = CompilePattern(pr.Params["RegularExpression"]); err != nil {
			return fmt.Errorf("the RegularExpression is not a valid .NET regular expression: %w", err)
		}
	case "IncludesCharacters":
		if pr.Chars, err = parseCharacterSet(pr.Params["CharacterSet"]); err != nil {
			return err
		}
	case "IsDateRange":
		for _, id := range []string{"Minimum", "Maximum"} {
			if _, err := dateParam(pr.Params[id], time.Time{}); err != nil {
				return fmt.Errorf("the %s %q is not a date: write yyyy-mm-dd (e.g. 1970-01-01) or Today", id, pr.Params[id])
			}
		}
	}
	return nil
}

// lengthParam is an IsLengthRange bound: a whole number of characters, not negative.
func lengthParam(params map[string]string, id string) (int, error) {
	n, err := strconv.Atoi(params[id])
	if err != nil || n < 0 {
		return 0, fmt.Errorf("the %s %q is not a number of characters; write a whole number such as 8", id, params[id])
	}
	return n, nil
}

// parseCharacterSet reads a CharacterSet: characters and ranges such as a-z, where \\ is a
// backslash and \- a hyphen. B2C refuses any other escape at upload ("the only escape patterns
// allowed in CharacterSet Parameters are "\\" "\-"", quoted in
// https://github.com/MicrosoftDocs/azure-docs/issues/40785).
func parseCharacterSet(set string) ([]charRange, error) {
	type item struct {
		r       rune
		escaped bool
	}
	var items []item
	rs := []rune(set)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '\\' {
			items = append(items, item{r: rs[i]})
			continue
		}
		if i+1 == len(rs) || rs[i+1] != '\\' && rs[i+1] != '-' {
			return nil, fmt.Errorf(`the CharacterSet %q has an escape other than \\ (a backslash) and \- (a hyphen), the only two B2C allows`, set)
		}
		i++
		items = append(items, item{r: rs[i], escaped: true})
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("the CharacterSet is empty; list the characters, e.g. a-z or 0-9")
	}
	var out []charRange
	for i := 0; i < len(items); i++ {
		if i+2 < len(items) && items[i+1].r == '-' && !items[i+1].escaped {
			lo, hi := items[i].r, items[i+2].r
			if lo > hi {
				return nil, fmt.Errorf("the CharacterSet %q has the range %c-%c, whose start is after its end", set, lo, hi)
			}
			out = append(out, charRange{lo, hi})
			i += 2
			continue
		}
		out = append(out, charRange{items[i].r, items[i].r})
	}
	return out, nil
}

// dateParam is an IsDateRange bound: yyyy-mm-dd, or Today (the day of now, in UTC).
func dateParam(s string, now time.Time) (time.Time, error) {
	if strings.EqualFold(s, "Today") {
		y, m, d := now.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	}
	return time.Parse("2006-01-02", s)
}

// Match reports whether v passes the predicate on the day of now. A MatchesRegex match that
// does not finish within PatternTimeout returns false and the regexp2 error (which quotes the
// value: the caller names it, never prints it).
func (pr *Predicate) Match(v string, now time.Time) (bool, error) {
	switch pr.Method {
	case "IsLengthRange":
		n := len(utf16.Encode([]rune(v))) // .NET counts UTF-16 code units
		return n >= pr.Min && n <= pr.Max, nil
	case "MatchesRegex":
		re := pr.Regexp
		if re == nil {
			var err error
			if re, err = CompilePattern(pr.Params["RegularExpression"]); err != nil {
				return false, nil
			}
		}
		return re.MatchString(v)
	case "IncludesCharacters":
		return pr.includes(v), nil
	case "IsDateRange":
		return pr.inDateRange(v, now), nil
	}
	return false, nil
}

// includes reports whether v has at least one character of the set.
func (pr *Predicate) includes(v string) bool {
	for _, r := range v {
		for _, cr := range pr.Chars {
			if r >= cr.lo && r <= cr.hi {
				return true
			}
		}
	}
	return false
}

// inDateRange reports whether v, a date (yyyy-mm-dd, or the date of a date-time), lies within
// the bounds, both included.
func (pr *Predicate) inDateRange(v string, now time.Time) bool {
	if len(v) > 10 && (v[10] == 'T' || v[10] == ' ') {
		v = v[:10]
	}
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		return false
	}
	lo, err1 := dateParam(pr.Params["Minimum"], now)
	hi, err2 := dateParam(pr.Params["Maximum"], now)
	return err1 == nil && err2 == nil && !d.Before(lo) && !d.After(hi)
}

// Validation is the PredicateValidation (or legacy InputValidation) a claim type references,
// nil when it references none.
func (p *Policy) Validation(ct *ClaimType) *PredicateValidation {
	switch {
	case ct == nil || ct.ValidationRef == "":
		return nil
	case ct.ValidationElement == "InputValidationReference":
		return p.InputValidations[ct.ValidationRef]
	}
	return p.PredicateValidations[ct.ValidationRef]
}

// checkPredicates reports the references of validations and claim types that do not resolve.
func (c *checker) checkPredicates() {
	for _, set := range []map[string]*PredicateValidation{c.p.PredicateValidations, c.p.InputValidations} {
		for _, id := range sortedKeys(set) {
			c.predicateValidation(set[id])
		}
	}
	for _, id := range sortedKeys(c.p.ClaimTypes) {
		ct := c.p.ClaimTypes[id]
		if ct.ValidationRef != "" && c.p.Validation(ct) == nil {
			section := map[string]string{"InputValidationReference": "InputValidations"}[ct.ValidationElement]
			if section == "" {
				section = "PredicateValidations"
			}
			c.errs.add(ct.El.Child(ct.ValidationElement), describe(ct.El), "the %s %q names no %s of BuildingBlocks %s; declare it or correct the Id",
				ct.ValidationElement, ct.ValidationRef, strings.TrimSuffix(section, "s"), section)
		}
	}
}

// predicateValidation checks a validation's groups: each names declared predicates, and its
// MatchAtLeast is a number no greater than their count.
func (c *checker) predicateValidation(v *PredicateValidation) {
	owner := describe(v.El)
	for _, g := range v.Groups {
		if len(g.Predicates) == 0 {
			c.errs.add(g.El, owner, "the group %q has no PredicateReference; add <PredicateReferences><PredicateReference Id=\"…\" /></PredicateReferences>", g.ID)
		}
		for _, id := range g.Predicates {
			if c.p.Predicates[id] == nil {
				c.errs.add(g.El, owner, "the group %q references the predicate %q, which BuildingBlocks Predicates does not declare", g.ID, id)
			}
		}
		for _, refs := range append(g.El.All("PredicateReferences"), g.El) {
			at, ok := refs.Attr["MatchAtLeast"]
			if !ok || refs.Name != "PredicateReferences" {
				continue
			}
			if n, err := strconv.Atoi(strings.TrimSpace(at)); err != nil || n < 1 || n > len(g.Predicates) {
				c.errs.add(refs, owner, "the group %q has MatchAtLeast=%q; write a whole number from 1 to %d, the number of its PredicateReference elements", g.ID, at, len(g.Predicates))
			}
		}
	}
}
