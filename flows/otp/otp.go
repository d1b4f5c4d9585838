// Package otp is RFC 6238's time-based one-time passwords, as authenticator apps compute
// them: HMAC-SHA-1 over the 30-second step count (RFC 4226's HOTP), 6 digits, and a check
// that accepts the step before and after the current one for clock drift.
package otp

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The parameters authenticator apps assume when an otpauth URI names none (RFC 6238 section
// 4 and 5.2; Google Authenticator's Key Uri Format).
const (
	Step   = 30 * time.Second
	Digits = 6
	Skew   = 1 // steps accepted either side of the current one
)

// encoding is the secret's text form: base32 without padding, as otpauth URIs carry it.
var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// HOTP is RFC 4226's code for key at counter, with digits digits.
func HOTP(key []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// TOTP is the code for key at t: HOTP over the step count since the Unix epoch.
func TOTP(key []byte, t time.Time, digits int) string {
	return HOTP(key, uint64(t.Unix())/uint64(Step/time.Second), digits)
}

// Check reports whether typed is the 6-digit code of key at now, or of the step before or
// after it. The comparison takes the same time whatever the code.
func Check(key []byte, typed string, now time.Time) bool {
	typed = strings.TrimSpace(typed)
	if len(typed) != Digits {
		return false
	}
	ok := 0
	for d := -Skew; d <= Skew; d++ {
		want := TOTP(key, now.Add(time.Duration(d)*Step), Digits)
		ok |= subtle.ConstantTimeCompare([]byte(want), []byte(typed))
	}
	return ok == 1
}

// Encode is key as an authenticator app takes it typed in: base32, upper case, no padding.
func Encode(key []byte) string { return encoding.EncodeToString(key) }

// Decode is a secret in Encode's form (spaces and lower case allowed, as people copy it).
func Decode(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(secret), " ", ""))
	key, err := encoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("the secret is not base32: %w", err)
	}
	return key, nil
}

// URI is the otpauth:// URI an authenticator app reads from a QR code: the issuer and the
// account name as its label, the secret and the parameters above.
func URI(issuer, account string, key []byte) string {
	q := url.Values{"secret": {Encode(key)}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	return "otpauth://totp/" + label + "?" + q.Encode()
}
