package emulator_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// linkingProviders are the Facebook and Google providers of testdata/linking, with their
// fixture accounts.
const linkingProviders = `
identityProviders:
  - id: facebook.com
    displayName: Facebook
    accounts:
      - {issuerAssignedId: "fb-1", displayName: Mia Chen}
  - id: google.com
    displayName: Google
    accounts:
      - {issuerAssignedId: "g-1", displayName: Mia Chen}
      - {issuerAssignedId: "g-2", displayName: Ivo Ito}
`

// startLinking serves the example policies with the account-linking policies of
// testdata/linking (B2C_1A_link_susi, B2C_1A_link, B2C_1A_unlink).
func startLinking(t *testing.T) *emulatortest.Server {
	t.Helper()
	dir := filepath.Join("testdata", "linking")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, nil, linkingProviders, files)
	return srv
}

// signInWith walks a policy in a new browser (no single sign-on): a provider button and its
// fixture account on each provider-selection page, as exchange=account pairs, and returns
// the last page.
func signInWith(t *testing.T, srv *emulatortest.Server, policy string, picks ...string) *emulatortest.Page {
	t.Helper()
	b := srv.NewBrowser(t)
	page := b.Get(authorizeFor(policy))
	for _, pick := range picks {
		exchange, account, _ := strings.Cut(pick, "=")
		page = b.Submit(page, "button#"+exchange, nil)
		if account != "" {
			page = b.Submit(page, fmt.Sprintf(`button.fixtureAccount[value=%q]`, account), nil)
		}
	}
	return page
}

// federatedOf are a listed user's federated identities as issuer/issuerAssignedId.
func federatedOf(u map[string]any) []string {
	var out []string
	ids, _ := u["identities"].([]any)
	for _, v := range ids {
		id, _ := v.(map[string]any)
		if id["signInType"] == "federated" {
			out = append(out, fmt.Sprint(id["issuer"], "/", id["issuerAssignedId"]))
		}
	}
	slices.Sort(out)
	return out
}

// offers checks a provider-selection page's buttons: those of shown are there (space
// separated), that of hidden is not (EnabledForUserJourneys).
func offers(t *testing.T, page *emulatortest.Page, shown, hidden string) {
	t.Helper()
	for _, id := range strings.Fields(shown) {
		if page.Doc.Find("button#"+id).Length() != 1 {
			t.Errorf("no %s button\n%s", id, page.Body)
		}
	}
	if hidden != "" && page.Doc.Find("button#"+hidden).Length() != 0 {
		t.Errorf("the page offers %s, which EnabledForUserJourneys hides", hidden)
	}
}

// userByID is the admin API's listing of the user with this object id.
func userByID(t *testing.T, srv *emulatortest.Server, oid string) map[string]any {
	t.Helper()
	for _, u := range listUsers(t, srv) {
		if u["objectId"] == oid {
			return u
		}
	}
	t.Fatalf("no user %s", oid)
	return nil
}

func issuersClaim(claims map[string]any) []string {
	var out []string
	list, _ := claims["issuers"].([]any)
	for _, v := range list {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// TestCustomPolicyAccountLinking: a user signs up with Facebook; linking a Google account
// another user holds changes nothing; the link policy (offering only the providers not linked
// yet) adds Google to the same user (the admin API shows both identities); a sign-in with
// Google then finds that user; the unlink policy (offering only linked providers) removes
// Google, after which a Google sign-in is refused by the link policy (its read raises an
// error) and signs up a new user with the sign-up-or-sign-in policy.
func TestCustomPolicyAccountLinking(t *testing.T) {
	srv := startLinking(t)
	up := idToken(t, srv, signInWith(t, srv, "B2C_1A_link_susi", "FacebookExchange=fb-1"))
	oid, _ := up["sub"].(string)
	if oid == "" || up["newUser"] != true || up["idp"] != "facebook.com" {
		t.Fatalf("sign-up claims = %v", up)
	}

	offers(t, signInWith(t, srv, "B2C_1A_link", "FacebookExchange=fb-1"), "LinkGoogleExchange", "LinkFacebookExchange")
	offers(t, signInWith(t, srv, "B2C_1A_unlink", "FacebookExchange=fb-1"), "UnlinkFacebookExchange", "UnlinkGoogleExchange")
	other := idToken(t, srv, signInWith(t, srv, "B2C_1A_link_susi", "GoogleExchange=g-2"))
	taken := idToken(t, srv, signInWith(t, srv, "B2C_1A_link", "FacebookExchange=fb-1", "LinkGoogleExchange=g-2"))
	if taken["objectIdToLink"] != other["sub"] || taken["sub"] != oid || !slices.Equal(issuersClaim(taken), []string{"facebook.com"}) {
		t.Errorf("linking another user's identity = %v, want objectIdToLink %v and nothing linked", taken, other["sub"])
	}

	linked := idToken(t, srv, signInWith(t, srv, "B2C_1A_link", "FacebookExchange=fb-1", "LinkGoogleExchange=g-1"))
	if linked["sub"] != oid || !slices.Equal(issuersClaim(linked), []string{"facebook.com", "google.com"}) || linked["objectIdToLink"] != nil {
		t.Fatalf("link claims = %v, want %s with both issuers", linked, oid)
	}
	if u := userByID(t, srv, oid); !slices.Equal(federatedOf(u), []string{"facebook.com/fb-1", "google.com/g-1"}) {
		t.Fatalf("the user after linking = %v", u)
	}
	offers(t, signInWith(t, srv, "B2C_1A_link", "GoogleExchange=g-1"), "", "LinkGoogleExchange")

	viaGoogle := idToken(t, srv, signInWith(t, srv, "B2C_1A_link_susi", "GoogleExchange=g-1"))
	if viaGoogle["sub"] != oid || viaGoogle["newUser"] != nil || viaGoogle["idp"] != "google.com" {
		t.Errorf("sign-in with the linked provider = %v, want %s", viaGoogle, oid)
	}

	offers(t, signInWith(t, srv, "B2C_1A_unlink", "GoogleExchange=g-1"), "UnlinkFacebookExchange UnlinkGoogleExchange", "")
	unlinked := idToken(t, srv, signInWith(t, srv, "B2C_1A_unlink", "FacebookExchange=fb-1", "UnlinkGoogleExchange"))
	if unlinked["sub"] != oid || !slices.Equal(issuersClaim(unlinked), []string{"facebook.com"}) {
		t.Fatalf("unlink claims = %v", unlinked)
	}
	if u := userByID(t, srv, oid); !slices.Equal(federatedOf(u), []string{"facebook.com/fb-1"}) {
		t.Errorf("identities after unlinking = %v", federatedOf(u))
	}

	refused := signInWith(t, srv, "B2C_1A_link", "GoogleExchange=g-1")
	if refused.Location == nil {
		t.Fatalf("link policy with the unlinked provider: %d\n%s", refused.Status, refused.Body)
	}
	if frag, _ := url.ParseQuery(refused.Location.Fragment); !strings.Contains(frag.Get("error_description"), "No account uses this sign-in. Sign up first.") {
		t.Errorf("link policy with the unlinked provider went back with %s", refused.Location)
	}
	again := idToken(t, srv, signInWith(t, srv, "B2C_1A_link_susi", "GoogleExchange=g-1"))
	if again["sub"] == oid || again["newUser"] != true {
		t.Errorf("sign-up with the unlinked provider = %v, want a new user", again)
	}
}
