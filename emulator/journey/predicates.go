package journey

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// invalid is the item-level error of a value typed into claim's input, "" when the value is
// accepted: the ClaimType's Restriction Pattern first (its HelpText), then the predicate
// validation its PredicateValidationReference (or InputValidationReference) names.
func (x *execution) invalid(tp *policy.TechnicalProfile, claim string, ct *policy.ClaimType, v string) string {
	if ct == nil || v == "" {
		return ""
	}
	if ct.Pattern != "" && !x.restricted(x.r.ID, ct, v) {
		return x.claimText(tp, claim, "PatternHelpText", ct.PatternHelpText)
	}
	return x.predicateError(tp, x.p.Validation(ct), v)
}

// predicateError is the message of a value that fails validation pv, "" when it passes: for
// each group that fails, in document order, the group's UserHelpText followed by the HelpText
// of every predicate it lists (the choices the text introduces), or, for a group without a
// text, the HelpText of each predicate that failed. B2C builds the same texts under the field
// (https://learn.microsoft.com/azure/active-directory-b2c/predicates#configure-password-complexity);
// docs/custom-policies.md says how b2cemu joins them.
func (x *execution) predicateError(tp *policy.TechnicalProfile, pv *policy.PredicateValidation, v string) string {
	if pv == nil {
		return ""
	}
	var parts []string
	for _, g := range pv.Groups {
		var failed []string
		for _, id := range g.Predicates {
			if !x.predicatePasses(x.p.Predicates[id], v) {
				failed = append(failed, id)
			}
		}
		need := g.MatchAtLeast
		if need == 0 {
			need = len(g.Predicates)
		}
		if len(g.Predicates)-len(failed) >= need {
			continue
		}
		parts = append(parts, x.groupText(tp, pv, g, failed))
	}
	return strings.Join(parts, " ")
}

// groupText is a failing group's part of the message.
func (x *execution) groupText(tp *policy.TechnicalProfile, pv *policy.PredicateValidation, g policy.PredicateGroup, failed []string) string {
	head := x.localized(tp, "InputValidation", pv.ID, g.ID)
	if head == "" {
		head = g.HelpText
	}
	head = strings.ReplaceAll(head, "{0}", strconv.Itoa(g.MatchAtLeast))
	list := failed
	if head != "" {
		list = g.Predicates
	}
	var helps []string
	for _, id := range list {
		if s := x.predicateText(tp, x.p.Predicates[id]); s != "" {
			helps = append(helps, s)
		}
	}
	switch {
	case head == "":
		return strings.Join(helps, " ")
	case len(helps) == 0:
		return head
	}
	return head + " " + strings.Join(helps, ", ")
}

// predicateText is a predicate's HelpText, localized (ElementType="Predicate", StringId="HelpText"),
// with {0} and {1} its Minimum and Maximum as the community's localized texts write them.
func (x *execution) predicateText(tp *policy.TechnicalProfile, pr *policy.Predicate) string {
	if pr == nil {
		return ""
	}
	s := x.localized(tp, "Predicate", pr.ID, "HelpText")
	if s == "" {
		s = pr.HelpText
	}
	return strings.NewReplacer("{0}", pr.Params["Minimum"], "{1}", pr.Params["Maximum"]).Replace(s)
}

// predicatePasses runs one predicate on v. A regular expression runs within the pattern bound;
// one that does not finish counts as not matching and is logged without the value.
func (x *execution) predicatePasses(pr *policy.Predicate, v string) bool {
	if pr == nil { // a load error, so only in a policy built in code
		return false
	}
	if pr.Method != "MatchesRegex" {
		ok, _ := pr.Match(v, x.Now())
		return ok
	}
	pattern := pr.Params["RegularExpression"]
	ok, err := matchCompiled(pr.Regexp, pattern, v)
	if errors.Is(err, errUnfinished) {
		x.logUnfinished(x.r.ID, unfinished(pr.El, fmt.Sprintf("Predicate Id=%q RegularExpression", pr.ID), pattern, len([]rune(v)), err))
	}
	return ok && err == nil
}
