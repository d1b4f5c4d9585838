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

// readOnly reports whether a field is fixed by its verification: a verified address, or the
// address a display control sent its code to.
func readOnly(f Field) bool {
	if f.Verify == nil {
		return false
	}
	return f.Verify.State == "verified" || f.Verify.Control != "" && f.Verify.State == "sent"
}
