package codes

import (
	"regexp"
	"strings"
)

// Countries are the phone-factor page's country code list: ISO code, name and dialling
// code (a subset of B2C's list, which has every country).
var Countries = []struct{ ISO, Name, Dial string }{
	{"US", "United States", "1"}, {"CA", "Canada", "1"}, {"GB", "United Kingdom", "44"}, {"IE", "Ireland", "353"},
	{"DE", "Germany", "49"}, {"FR", "France", "33"}, {"ES", "Spain", "34"}, {"IT", "Italy", "39"},
	{"NL", "Netherlands", "31"}, {"SE", "Sweden", "46"}, {"IN", "India", "91"}, {"JP", "Japan", "81"},
	{"AU", "Australia", "61"}, {"NZ", "New Zealand", "64"}, {"BR", "Brazil", "55"}, {"ZA", "South Africa", "27"},
}

// numberPattern is B2C's number_pattern of the phone-factor page: a plus, then 7 to 15
// digits with single spaces or dashes between them.
var numberPattern = regexp.MustCompile(`^\+(?:[0-9][\x20-]?){6,14}[0-9]$`)

// E164 is the number of the enrolment page's country and local number, or the string id of
// the page's error. A number typed with its own + keeps its country code.
func E164(country, local string) (string, string) {
	local = strings.TrimSpace(local)
	if local == "" {
		return "", "requiredField_number"
	}
	n := local
	if !strings.HasPrefix(local, "+") {
		dial := ""
		for _, c := range Countries {
			if strings.EqualFold(c.ISO, country) {
				dial = c.Dial
			}
		}
		if dial == "" {
			return "", "requiredField_countryCode"
		}
		n = "+" + dial + strings.TrimPrefix(local, "0")
	}
	if !numberPattern.MatchString(n) {
		return "", "invalid_number"
	}
	return "+" + strings.Map(func(c rune) rune {
		if c >= '0' && c <= '9' {
			return c
		}
		return -1
	}, n), ""
}
