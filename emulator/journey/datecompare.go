package journey

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/flows/engine"
)

// termsConsentRequired and dateTimeComparison are the date claims transformations that answer a Boolean (Microsoft's
// "Date claims transformations" reference): DateTimeComparison, whether firstDateTime plus
// timeSpanInSeconds is the same as, later than or earlier than secondDateTime (absent: now),
// and IsTermsOfUseConsentRequired, whether termsOfUseConsentDateTime is absent or earlier than
// the termsOfUseTextUpdateDateTime parameter. A date that cannot be read fails the profile, as
// B2C's exception for a null firstDateTime does.
func termsConsentRequired(u *use) *engine.Failure {
	id, params := u.t.ID, u.params
	updated, ok := parseDateTime(params["termsOfUseTextUpdateDateTime"])
	if !ok {
		return dateError(id, "the termsOfUseTextUpdateDateTime parameter %q is not a date-time", params["termsOfUseTextUpdateDateTime"])
	}
	consented, ok := parseDateTime(u.in["termsOfUseConsentDateTime"])
	u.out["result"] = strconv.FormatBool(!ok || consented.Before(updated))
	return nil
}

// dateTimeComparison is DateTimeComparison (see termsConsentRequired's comment).
func (x *execution) dateTimeComparison(u *use) *engine.Failure {
	id, in, params, out := u.t.ID, u.in, u.params, u.out
	first, ok := parseDateTime(in["firstDateTime"])
	if !ok {
		return dateError(id, "firstDateTime %q is not a date-time (DateTimeComparison needs one)", in["firstDateTime"])
	}
	second := x.Now().UTC()
	if v := in["secondDateTime"]; v != "" {
		if second, ok = parseDateTime(v); !ok {
			return dateError(id, "secondDateTime %q is not a date-time", v)
		}
	}
	if span := params["timeSpanInSeconds"]; span != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(span), 10, 32)
		if err != nil {
			return dateError(id, "timeSpanInSeconds %q is not a whole number of seconds", span)
		}
		first = first.Add(time.Duration(n) * time.Second)
	}
	switch op := strings.ToLower(strings.TrimSpace(params["operator"])); op {
	case "same":
		out["result"] = strconv.FormatBool(first.Equal(second))
	case "later than":
		out["result"] = strconv.FormatBool(first.After(second))
	case "earlier than":
		out["result"] = strconv.FormatBool(first.Before(second))
	default:
		return dateError(id, "the operator %q is not one of same, later than, earlier than", params["operator"])
	}
	return nil
}

func dateError(id, format string, args ...any) *engine.Failure {
	return &engine.Failure{Message: "The service has encountered an internal error.", Diagnostic: id + ": " + fmt.Sprintf(format, args...)}
}
