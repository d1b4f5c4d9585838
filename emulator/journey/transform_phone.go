package journey

import (
	"fmt"
	"strings"

	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// The phone number claims transformations, as Microsoft's phone number claims transformations
// reference describes them: a phoneNumber claim holds the number in E.164 form (+ and digits).

// phoneNumber is ConvertStringToPhoneNumberClaim: an international number (+, country code,
// digits with spaces, dashes, dots or parentheses), or a local one with the country's ISO
// 3166 code, in E.164 form — the local number's digits after the country's calling code, as
// Microsoft's example keeps Denmark's 033 456-7890 as +450334567890. Anything else fails with
// the page's UserMessageIfClaimsTransformationInvalidPhoneNumber.
func (x *execution) phoneNumber(u *use) *engine.Failure {
	typed := strings.TrimSpace(u.in["phoneNumberString"])
	digits := strings.Map(func(c rune) rune {
		switch {
		case c >= '0' && c <= '9':
			return c
		case strings.ContainsRune(" -.()", c):
			return -1
		}
		return 'x'
	}, strings.TrimPrefix(typed, "+"))
	if !strings.HasPrefix(typed, "+") {
		digits = dialCode(u.in["country"]) + digits
	}
	if strings.ContainsRune(digits, 'x') || len(digits) < 7 || len(digits) > 15 || (!strings.HasPrefix(typed, "+") && dialCode(u.in["country"]) == "") {
		return &engine.Failure{Message: x.text(u.tp, "ErrorMessage", "UserMessageIfClaimsTransformationInvalidPhoneNumber", msgInvalidPhone),
			Diagnostic: fmt.Sprintf("%s: %q is not a phone number (ConvertStringToPhoneNumberClaim takes +, a country code and digits, or a local number with its country)", u.t.ID, typed)}
	}
	u.out["outputClaim"] = "+" + digits
	return nil
}

// msgInvalidPhone is the default message of an invalid number: Microsoft documents none for
// the transformation, so b2cemu shows the phone-factor page's text for one.
const msgInvalidPhone = "Please enter a valid phone number"

// moreDialCodes are calling codes of countries beyond the phone-factor page's list.
var moreDialCodes = map[string]string{"DK": "45", "NO": "47", "FI": "358", "PL": "48", "PT": "351", "BE": "32", "CH": "41",
	"AT": "43", "MX": "52", "CN": "86", "KR": "82", "SG": "65"}

// dialCode is the calling code of an ISO 3166 country code, "" for none b2cemu knows.
func dialCode(iso string) string {
	for _, c := range codes.Countries {
		if iso != "" && strings.EqualFold(c.ISO, iso) {
			return c.Dial
		}
	}
	return moreDialCodes[strings.ToUpper(iso)]
}

// phoneString is ConvertPhoneNumberClaimToString: the number as a string claim.
func phoneString(in, _, out map[string]string) { out["phoneNumberString"] = in["phoneNumber"] }
