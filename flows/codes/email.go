package codes

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/flows/engine"
)

// Email verification as B2C's self-asserted pages run it: a code goes to the address, the page
// asks for it, and the page cannot be submitted before the address is verified. Both engines
// use these rules: the user flows' local sign-up page and a custom policy's Verified.Email
// claims and code-sending profiles. b2cemu puts the mail in its outbox (log and admin API)
// instead of sending it.
const (
	Lifetime = 5 * time.Minute // chosen; see docs/custom-policies.md
	Attempts = 3               // wrong codes before the code is void
)

// Mail is a verification email b2cemu would have sent.
type Mail struct {
	Time          time.Time
	RunID, Policy string
	To, Code      string
	// TechnicalProfile is the custom policy's profile that sent it; "" for a user flow.
	TechnicalProfile string
}

// Code is a verification code sent to an address.
type Code struct {
	To      string
	value   string
	expires time.Time
	left    int // wrong entries before the code is void
}

// New is value sent to to at now, valid for life and for attempts wrong entries.
func New(to, value string, now time.Time, life time.Duration, attempts int) *Code {
	return &Code{To: to, value: value, expires: now.Add(life), left: attempts}
}

// Check is the outcome of checking a typed code.
type Check int

// The outcomes, in the order the engines' message tables list the failures.
const (
	OK        Check = iota
	Expired         // no code, or its lifetime is over
	Wrong           // wrong, with attempts left
	Exhausted       // wrong, and that was the last attempt
)

// Check compares typed with the code for the address to (the code is only right for the
// address it went to). Every outcome but Wrong uses the code up: it cannot be checked
// again.
func (c *Code) Check(to, typed string, now time.Time) Check {
	switch {
	case c == nil || c.value == "" || !now.Before(c.expires):
		return Expired
	case strings.TrimSpace(typed) == c.value && strings.EqualFold(to, c.To):
		c.value = ""
		return OK
	}
	c.left--
	if c.left <= 0 {
		c.value = ""
		return Exhausted
	}
	return Wrong
}

// Live reports whether the code can still be checked.
func (c *Code) Live() bool { return c != nil && c.value != "" }

// Value is the code to send: fixed when the configuration sets one (for suites that cannot
// read the outbox), else six digits drawn from id (a GUID of the id source, so seeded runs
// repeat their codes).
func Value(fixed, id string) string {
	if fixed != "" {
		return fixed
	}
	hex := strings.ReplaceAll(id, "-", "")
	n, err := strconv.ParseUint(hex[:min(8, len(hex))], 16, 64)
	if err != nil || len(hex) < 8 { // not a GUID: any id source still gives a code
		h := fnv.New32a()
		h.Write([]byte(id))
		n = uint64(h.Sum32())
	}
	return fmt.Sprintf("%06d", n%1000000)
}

// EmailVerification is one page field's verification: the code out, the address verified
// and the last failure.
type EmailVerification struct {
	Code     *Code  // the code out, nil when none can be checked
	Verified string // the verified address, "" until one is
	Failure  Check  // the last check's failure; OK for none
}

// Send records a new code for to; an earlier code and verification are void.
func (v *EmailVerification) Send(to, value string, now time.Time) {
	*v = EmailVerification{Code: New(to, value, now, Lifetime, Attempts)}
}

// Verify checks typed against the code out, for the address on the page.
func (v *EmailVerification) Verify(to, typed string, now time.Time) Check {
	res := v.Code.Check(to, typed, now)
	if res == OK {
		v.Verified = v.Code.To
	}
	if res != Wrong {
		v.Code = nil
	}
	v.Failure = res
	return res
}

// VerifiedFor reports whether email is the verified address.
func (v *EmailVerification) VerifiedFor(email string) bool {
	return v != nil && v.Verified != "" && strings.EqualFold(v.Verified, email)
}

// verificationTexts are the page's email-verification texts: B2C's UxElement string ids of the
// self-asserted page with their English defaults (localization-string-ids, "Sign-up and
// self-asserted pages").
var verificationTexts = map[string]string{
	"ver_but_send":          "Send verification code",
	"ver_but_verify":        "Verify code",
	"ver_but_resend":        "Send new code",
	"ver_but_edit":          "Change e-mail",
	"ver_input":             "Verification code",
	"ver_intro_msg":         "Verification is necessary. Please click Send button.",
	"ver_info_msg":          "Verification code has been sent to your inbox. Please copy it to the input box below.",
	"ver_success_msg":       "E-mail address verified. You can now continue.",
	"ver_fail_code_expired": "That code is expired. Please request a new code.",
	"ver_fail_retry":        "That code is incorrect. Please try again.",
	"ver_fail_no_retry":     "You've made too many incorrect attempts. Please try again later.",
}

// failureTexts are the string ids of the failures.
var failureTexts = map[Check]string{Expired: "ver_fail_code_expired", Wrong: "ver_fail_retry", Exhausted: "ver_fail_no_retry"}

// View is the page's view of v (nil: nothing sent yet). text gives a string id's text, with
// its English default: the engine's localization.
func (v *EmailVerification) View(text func(id, def string) string) *engine.Verification {
	t := func(id string) string { return text(id, verificationTexts[id]) }
	out := &engine.Verification{Send: t("ver_but_send"), Verify: t("ver_but_verify"), Resend: t("ver_but_resend"),
		Change: t("ver_but_edit"), Code: t("ver_input"), Message: t("ver_intro_msg")}
	switch {
	case v == nil:
		return out
	case v.Verified != "":
		out.State, out.Message = "verified", t("ver_success_msg")
	case v.Code.Live():
		out.State, out.Message = "sent", t("ver_info_msg")
	}
	if id := failureTexts[v.Failure]; id != "" {
		out.Error = t(id)
	}
	return out
}

// Value is the code as sent, for the outbox.
func (c *Code) Value() string { return c.value }

// LiveAt reports whether the code can still be checked at now.
func (c *Code) LiveAt(now time.Time) bool { return c.Live() && now.Before(c.expires) }
