package web

import "testing"

func TestPageText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Sign-ups are closed.", "Sign-ups are closed."},
		{"a\x00b", "ab"},
		{"tab\tLF\nFF\fCR\r kept", "tab\tLF\nFF\fCR\r kept"},
		{"\x01\x08\x0b\x0e\x1f\x7f", ""},
		{"C1 \u0080\u009f gone, \u00a0 kept", "C1  gone, \u00a0 kept"},
		{"non\ufdd0\ufdef\ufffe\uffff\U0001fffe\U0010ffffcharacters", "noncharacters"},
		{"bad \xff\xfe UTF-8", "bad  UTF-8"},
		{"ünïcødé 🙂 stays", "ünïcødé 🙂 stays"},
		{"<b>escaped later</b>", "<b>escaped later</b>"},
	} {
		if got := pageText(tc.in); got != tc.want {
			t.Errorf("pageText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
