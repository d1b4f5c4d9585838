package emulator_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestHomeListsCustomPolicies: the custom-policy example's home page lists each relying party
// once, in id order, as a custom policy with its journey (not as a user flow type), each row
// linking its own policy's discovery document.
func TestHomeListsCustomPolicies(t *testing.T) {
	srv := emulatortest.StartFile(t, filepath.Join("..", "docs", "examples", "custom-policies", "b2cemu.yaml"), emulatortest.FreeAddr(t))
	home := srv.NewBrowser(t).Get("/")
	want := map[string]string{ // policy → its DefaultUserJourney
		"B2C_1A_PASSWORDRESET": "PasswordReset", "B2C_1A_PROFILEEDIT": "ProfileEdit",
		"B2C_1A_SIGNUP_SIGNIN": "SignUpOrSignIn", "B2C_1A_SIGNUP_SIGNIN_EMAILCODE": "SignUpOrSignIn",
	}
	var order []string
	home.Doc.Find("table.flows tbody tr").Each(func(_ int, row *goquery.Selection) {
		id := row.AttrOr("data-policy", "")
		order = append(order, id)
		journey, ok := want[strings.ToUpper(id)]
		if !ok {
			t.Errorf("unexpected row %q", id)
			return
		}
		if typ := strings.TrimSpace(row.Find("td.type").Contents().First().Text()); typ != "custom policy" {
			t.Errorf("%s: type %q", id, typ)
		}
		if got := row.Find(".journey code").Text(); !strings.EqualFold(got, journey) {
			t.Errorf("%s: journey %q, want %s", id, got, journey)
		}
		href := row.Find("a.discovery").AttrOr("href", "")
		if !strings.HasSuffix(href, "/"+strings.ToLower(id)+"/v2.0/.well-known/openid-configuration") {
			t.Errorf("%s: discovery link %q", id, href)
		}
		if strings.Contains(row.Text(), "signUpOrSignIn") {
			t.Errorf("%s is labelled as a user flow: %q", id, row.Text())
		}
	})
	if len(order) != len(want) || !sortedFold(order) {
		t.Errorf("rows %v, want each policy once, by id", order)
	}
}

func sortedFold(ids []string) bool {
	for i := 1; i < len(ids); i++ {
		if strings.ToLower(ids[i-1]) > strings.ToLower(ids[i]) {
			return false
		}
	}
	return true
}
