package connector

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ShowBytes makes s printable as valid UTF-8 for the call record's views: each byte that is
// not part of valid UTF-8 is written as \xNN, so the inspector shows what the API sent
// rather than U+FFFD. It returns the text and the number of bytes escaped.
func ShowBytes(s string) (string, int) {
	if utf8.ValidString(s) {
		return s, 0
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
			n++
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String(), n
}

// BytesNote is the note shown with a body of which ShowBytes escaped n bytes.
func BytesNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("The body is not valid UTF-8: %d byte(s) that are not UTF-8 are shown as \\xNN.", n)
}
