package policy

import (
	"strconv"
	"strings"
)

// The self-asserted profile's page settings b2cemu reads (Microsoft's self-asserted
// technical profile reference, Metadata).
const (
	ShowContinueButton = "setting.showContinueButton" // true (default) or false
	ShowCancelButton   = "setting.showCancelButton"   // true (default) or false
	RetryLimitKey      = "setting.retryLimit"         // retries after a refused submission
)

// Hides reports whether a self-asserted profile's page hides the button of a show setting
// (ShowContinueButton, ShowCancelButton): its value is false, in any case.
func (tp *TechnicalProfile) Hides(setting string) bool {
	return strings.EqualFold(tp.Metadata[setting], "false")
}

// RetryLimit is the profile's setting.retryLimit, and whether it has one; the load refused
// any value that is not a whole number of 0 or more.
func (tp *TechnicalProfile) RetryLimit() (int, bool) {
	v, ok := tp.Metadata[RetryLimitKey]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 31)
	return int(n), err == nil
}

// checkPageSettings checks the show settings and the retry limit of every self-asserted
// profile when the policy loads, so a value that is none of the reference's is an error naming the Item's
// file and line, the profile and the fix, rather than a page that silently shows its buttons.
func (p *Policy) checkPageSettings(errs *Error) {
	for _, id := range sortedKeys(p.TechnicalProfiles) {
		tp := p.TechnicalProfiles[id]
		if tp.Kind != SelfAsserted {
			continue
		}
		for _, it := range tp.El.Path("Metadata", "Item") {
			if msg := pageSettingProblem(it.Attr["Key"], strings.TrimSpace(it.Text)); msg != "" {
				errs.add(it, describe(tp.El), "%s", msg)
			}
		}
	}
}

// pageSettingProblem says what is wrong with a page setting's value and how to fix it, or
// returns "" (for a right value, or a key that is not a page setting).
func pageSettingProblem(key, v string) string {
	switch key {
	case ShowContinueButton, ShowCancelButton:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return key + ` is "` + v + `"; write true (the default: the page shows the button) or false (it hides it)`
		}
	case RetryLimitKey:
		if _, err := strconv.ParseUint(v, 10, 31); err != nil {
			return key + ` is "` + v + `"; write a whole number of 0 or more, such as 3: how many times the user may try again after a validation technical profile refused the page`
		}
	}
	return ""
}
