package otp

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcKey is RFC 6238 Appendix B's SHA-1 seed.
var rfcKey = []byte("12345678901234567890")

// TestTOTPVectors: RFC 6238 Appendix B's SHA-1 test vectors (8 digits, 30-second steps).
func TestTOTPVectors(t *testing.T) {
	tests := []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tt := range tests {
		if got := TOTP(rfcKey, time.Unix(tt.unix, 0), 8); got != tt.want {
			t.Errorf("TOTP at %d = %s, want %s", tt.unix, got, tt.want)
		}
	}
}

// TestHOTPVectors: RFC 4226 Appendix D's codes for counters 0 to 9.
func TestHOTPVectors(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for i, w := range want {
		if got := HOTP(rfcKey, uint64(i), 6); got != w {
			t.Errorf("HOTP(%d) = %s, want %s", i, got, w)
		}
	}
}

// TestCheckWindow: the current step and one either side pass; two steps away, a wrong code,
// or a code of the wrong length fail.
func TestCheckWindow(t *testing.T) {
	now := time.Unix(1111111111, 0)
	code := func(d time.Duration) string { return TOTP(rfcKey, now.Add(d), 6) }
	tests := []struct {
		name  string
		typed string
		want  bool
	}{
		{"now", code(0), true},
		{"one step early", code(-Step), true},
		{"one step late", code(Step), true},
		{"spaces around", " " + code(0) + " ", true},
		{"two steps early", code(-2 * Step), false},
		{"two steps late", code(2 * Step), false},
		{"eight digits", TOTP(rfcKey, now, 8), false},
		{"empty", "", false},
		{"letters", "abcdef", false},
	}
	for _, tt := range tests {
		if tt.want == false && tt.typed == code(0) {
			t.Fatalf("%s: the vector equals the current code", tt.name)
		}
		if got := Check(rfcKey, tt.typed, now); got != tt.want {
			t.Errorf("%s: Check(%q) = %v, want %v", tt.name, tt.typed, got, tt.want)
		}
	}
}

// TestSecretRoundTrip: the shown secret decodes to the key, however it is copied, and the
// otpauth URI carries it with the parameters an app needs.
func TestSecretRoundTrip(t *testing.T) {
	s := Encode(rfcKey)
	if s != "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" {
		t.Fatalf("Encode = %s", s)
	}
	for _, typed := range []string{s, strings.ToLower(s), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"} {
		k, err := Decode(typed)
		if err != nil || string(k) != string(rfcKey) {
			t.Errorf("Decode(%q) = %q, %v", typed, k, err)
		}
	}
	if _, err := Decode("not base32!"); err == nil {
		t.Error("Decode accepted a non-base32 secret")
	}
	u, err := url.Parse(URI("fabrikam", "ana@fabrikam.com", rfcKey))
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/fabrikam:ana@fabrikam.com" {
		t.Fatalf("URI %v: %v", u, err)
	}
	q := u.Query()
	if q.Get("secret") != s || q.Get("issuer") != "fabrikam" || q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Errorf("URI query %v", q)
	}
}
