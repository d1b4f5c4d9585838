package emulator_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// startSelfAsserted serves b2cemu's self-asserted settings fixture (testdata/selfasserted):
// the message page with both buttons hidden and the page with setting.retryLimit 2.
func startSelfAsserted(t *testing.T) *emulatortest.Server {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("testdata", "selfasserted"))
	return startPolicies(t, dir, "")
}

// TestCustomRetryLimitEndsTheJourney: over HTTP, as a browser without scripts posts the page,
// the validation profile's refusal shows on the page with the values kept twice (the two
// retries setting.retryLimit 2 allows), and the third refusal sends the application
// AADB2C90157 in the redirect, with the authorize request's state.
func TestCustomRetryLimitEndsTheJourney(t *testing.T) {
	srv := startSelfAsserted(t)
	b := srv.NewBrowser(t)
	page := b.Get(authorizeFor("B2C_1A_sa_retry"))
	wrong := map[string]string{"string1": "one", "string2": "two"}
	for i := 1; i <= 2; i++ {
		page = b.Submit(page, "button#continue", wrong)
		if page.Location != nil || !page.Visible("#claimVerificationServerError") || page.Text("#claimVerificationServerError") != "The two strings must be the same." {
			t.Fatalf("refusal %d: %d %v\n%s", i, page.Status, page.Location, page.Body)
		}
		if page.Doc.Find("input#string1").AttrOr("value", "") != "one" {
			t.Errorf("refusal %d: the page lost the values", i)
		}
	}
	page = b.Submit(page, "button#continue", wrong)
	if page.Location == nil || page.Location.Host != "app.test" {
		t.Fatalf("the third refusal: %d\n%s", page.Status, page.Body)
	}
	q, _ := url.ParseQuery(page.Location.Fragment)
	if q.Get("error") != "server_error" || q.Get("state") != "s-1" ||
		!strings.HasPrefix(q.Get("error_description"), "AADB2C90157: User has exceeded the maximum number for retries for a self-asserted step.\r\nCorrelation ID: ") {
		t.Errorf("redirect %v", page.Location)
	}

	// The headless API: the same three submissions end the run with the code.
	answer := headlessRun(t, srv, "B2C_1A_sa_retry", map[string]any{"clientId": clientID, "attributes": []map[string]string{wrong, wrong, wrong}})
	if answer.Outcome != "error" || answer.Error != "server_error" || !strings.HasPrefix(answer.ErrorDescription, "AADB2C90157: ") ||
		len(answer.Attempts) != 3 || answer.Attempts[1].UserMessage != "The two strings must be the same." {
		t.Errorf("headless: %+v", answer)
	}
}

// headlessRun posts a headless run request for a policy and returns its 200 answer.
func headlessRun(t *testing.T, srv *emulatortest.Server, policy string, req map[string]any) runResult {
	t.Helper()
	var out runResult
	if status := post(t, srv.Client, http.MethodPost, srv.URL+"/_emulator/flows/"+policy+"/run", req, &out); status != 200 {
		t.Fatalf("headless %s: %d %+v", policy, status, out)
	}
	return out
}

// TestCustomPageWithoutButtons: the message page renders its message (a Paragraph claim: text,
// no input) with #continue and #cancel hidden (aria-hidden, display: none), #continue
// disabled so that no form post can start from it; the headless API answers it as the block
// page: "blocked" with the message.
func TestCustomPageWithoutButtons(t *testing.T) {
	srv := startSelfAsserted(t)
	page := srv.NewBrowser(t).Get(authorizeFor("B2C_1A_sa_message"))
	if got := page.Text("li.Paragraph.message_li p.textInParagraph#message"); got != "You already have an account. Sign in with it instead." || page.Doc.Find("#attributeList input").Length() != 0 {
		t.Errorf("message %q, or an input on the page\n%s", got, page.Body)
	}
	for _, id := range []string{"#continue", "#cancel"} {
		b := page.Doc.Find("div.buttons > button" + id)
		if b.Length() != 1 || b.AttrOr("aria-hidden", "") != "true" || b.AttrOr("style", "") != "display: none;" {
			t.Errorf("%s: %d buttons, aria-hidden %q, style %q", id, b.Length(), b.AttrOr("aria-hidden", ""), b.AttrOr("style", ""))
		}
	}
	if _, disabled := page.Doc.Find("button#continue").Attr("disabled"); !disabled {
		t.Error("the hidden #continue is not disabled")
	}

	// The headless API submits nothing there, whatever attributes says.
	for _, attrs := range [][]map[string]string{nil, {{"message": "x"}}} {
		answer := headlessRun(t, srv, "B2C_1A_sa_message", map[string]any{"clientId": clientID, "attributes": attrs})
		if answer.Outcome != "blocked" || answer.UserMessage != "You already have an account. Sign in with it instead." || len(answer.Attempts) != 0 {
			t.Errorf("headless with attributes %v: %+v", attrs, answer)
		}
	}
}

// TestCustomRetryLimitOnTheSignInPage: the unified page's profile takes setting.retryLimit
// too: with 1, a sign-in that login-NonInteractive refuses shows its message once, and the
// second refusal ends the journey with AADB2C90157.
func TestCustomRetryLimitOnTheSignInPage(t *testing.T) {
	srv, _ := startLoyaltyIn(t, http.NotFoundHandler(), replaceIn(t, baseXML, `<Item Key="setting.operatingMode">Email</Item>`,
		`<Item Key="setting.operatingMode">Email</Item><Item Key="setting.retryLimit">1</Item>`), "")
	b := srv.NewBrowser(t)
	page := b.Get(customAuthorize())
	nobody := map[string]string{"signInName": "nobody@contoso.com", "password": "Passw0rd!x"}
	page = b.Submit(page, "button#next", nobody)
	if got := page.Text(".error.pageLevel"); page.Location != nil || got != "We can't seem to find your account." {
		t.Fatalf("first refusal: %v %q", page.Location, got)
	}
	page = b.Submit(page, "button#next", nobody)
	if page.Location == nil {
		t.Fatalf("second refusal: %d\n%s", page.Status, page.Body)
	}
	if q, _ := url.ParseQuery(page.Location.Fragment); !strings.HasPrefix(q.Get("error_description"), "AADB2C90157: ") {
		t.Errorf("redirect %v", page.Location)
	}
}

// TestCustomParagraphFormPost: a page with a Paragraph claim, posted as a browser without
// scripts posts it (the Paragraph is text, so the form has no field for it), and posted with a
// forged value for it, and answered by the headless API with a value for it in attributes:
// the token always has the value the page showed.
func TestCustomParagraphFormPost(t *testing.T) {
	const shown = "Your code is 12345 <b>today</b>."
	srv := startSelfAsserted(t)
	for _, post := range []map[string]string{{"string1": "abc"}, {"string1": "abc", "message": "forged"}} {
		b := srv.NewBrowser(t)
		page := b.Get(authorizeFor("B2C_1A_sa_notice"))
		if got := page.Text("p.textInParagraph#message"); got != shown || page.Doc.Find("[name=message]").Length() != 0 {
			t.Fatalf("the Paragraph shows %q, or the form has a field for it:\n%s", got, page.Body)
		}
		if claims := idTokenOf(t, srv, "B2C_1A_sa_notice", b.Submit(page, "button#continue", post)); claims["message"] != shown || claims["string1"] != "abc" {
			t.Errorf("post %v: claims %v", post, claims)
		}
	}
	answer := headlessRun(t, srv, "B2C_1A_sa_notice", map[string]any{"clientId": clientID, "attributes": []map[string]string{{"string1": "abc", "message": "forged"}}})
	if answer.Outcome != "token" || answer.Claims["message"] != shown {
		t.Errorf("headless: %+v", answer)
	}
}
