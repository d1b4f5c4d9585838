package views

import "strconv"

func itoa(n int) string { return strconv.Itoa(n) }

func ariaHidden(shown bool) string { return strconv.FormatBool(!shown) }

func boolString(b bool) string { return strconv.FormatBool(b) }

func lang(l string) string {
	if l == "" {
		return "en"
	}
	return l
}
