package emulator_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// controlled is a userMessage, JSON-escaped, holding characters HTML text may not: NUL, BEL,
// a vertical tab, DEL, a C1 control (NEL) and a noncharacter. Tab and line feed are allowed.
const controlled = `Not\u0000 to\u0007day\u000b.\u007f\u0085\ufffe Try\tagain.`

// clean is what the page shows of it.
const clean = "Not today. Try\tagain."

// noControls fails when the page body holds a character HTML text may not.
func noControls(t *testing.T, body string) {
	t.Helper()
	for _, bad := range []string{"\x00", "\a", "\v", "\x7f", "\u0085", "\ufffe"} {
		if strings.Contains(body, bad) {
			t.Errorf("the page holds %q:\n%s", bad, body)
		}
	}
}

// TestUserMessageControlCharacters: an API connector's userMessage reaches the user flow's
// block page and attribute page without the control characters HTML does not allow.
func TestUserMessageControlCharacters(t *testing.T) {
	script := &connectorScript{answer: func(step string, body map[string]any) (int, string) {
		switch {
		case step == "PostFederationSignup" && body["email"] == "eve@evil.example":
			return 200, `{"version":"1.0.0","action":"ShowBlockPage","userMessage":"` + controlled + `"}`
		case step == "PostFederationSignup":
			return 200, `{"version":"1.0.0","action":"Continue"}`
		default:
			return 400, `{"version":"1.0.0","action":"ValidationError","status":"400","userMessage":"` + controlled + `"}`
		}
	}}
	srv, b := start(t, script)
	page := b.Get(authorizeURL(nil))
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-1"]`, nil)
	page = b.Submit(page, "button#continue", map[string]string{"displayName": "John Smith"})
	if got := page.Text("#claimVerificationServerError"); got != clean {
		t.Errorf("ValidationError: #claimVerificationServerError = %q, want %q", got, clean)
	}
	noControls(t, page.Body)

	b = srv.NewBrowser(t)
	page = b.Get(authorizeURL(nil))
	page = b.Submit(page, "button#FacebookExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="fb-2"]`, nil)
	if got := page.Text(".intro"); got != clean {
		t.Errorf("ShowBlockPage: .intro = %q, want %q\n%s", got, clean, page.Body)
	}
	noControls(t, page.Body)
}

// TestRESTUserMessageControlCharacters: a REST technical profile's 4xx userMessage reaches the
// custom policy's page the same way.
func TestRESTUserMessageControlCharacters(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, `{"version":"1.0.0","status":409,"userMessage":"`+controlled+`"}`)
	})
	srv, _ := startLoyaltyIn(t, api, nil, "")
	b := srv.NewBrowser(t)
	page := b.Follow(b.Get(customAuthorize()), "a#createAccount")
	page = verified(t, srv, b, page, "ana@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "ana@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "displayName": "Ana", "loyaltyId": "L-1"})
	if got := page.Text("#claimVerificationServerError"); got != clean {
		t.Errorf("#claimVerificationServerError = %q, want %q\n%s", got, clean, page.Body)
	}
	noControls(t, page.Body)
}
