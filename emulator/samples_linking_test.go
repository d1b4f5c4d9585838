package emulator_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/emulator/journey/hinttest"
)

// communityLinking serves a folder of the community's account-linking samples on the
// SocialAndLocalAccounts starter pack, with the measurement's edits (the tenant, the IEF
// application ids, a policy key for each StorageReferenceId); it skips without
// B2CEMU_SAMPLES.
func communityLinking(t *testing.T, folder string) *emulatortest.Server {
	t.Helper()
	samples := os.Getenv("B2CEMU_SAMPLES")
	if samples == "" {
		t.Skip("B2CEMU_SAMPLES is not set; see docs/custom-policies.md")
	}
	files := readPack(t, "SocialAndLocalAccounts", "TrustFrameworkBase.xml", "TrustFrameworkLocalization.xml", "TrustFrameworkExtensions.xml")
	names, _ := filepath.Glob(filepath.Join(samples, "policies", folder, "policy", "*.xml"))
	if len(names) == 0 {
		t.Fatalf("the samples checkout has no policies/%s/policy/*.xml", folder)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		files["sample-"+filepath.Base(n)] = string(b)
	}
	env := &samplesEnv{stub: "http://127.0.0.1:9", hints: hinttest.NewIssuer(t)}
	dir, keys := t.TempDir(), map[string]string{}
	for name, data := range files {
		b := substitute([]byte(data), env)
		for _, m := range keyRe.FindAllSubmatch(b, -1) {
			keys[string(m[1])] = "sample-secret-" + strings.ToLower(string(m[1])) + "-0123456789abcdef"
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logs := &emulatortest.LogBuffer{}
	ts := httptest.NewUnstartedServer(nil)
	if err := startSample(t, ts, dir, keys, logs); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ts.Close()
		if t.Failed() {
			t.Logf("log:\n%s", logs)
		}
	})
	return &emulatortest.Server{URL: ts.URL, Client: ts.Client()}
}

// walk runs a sample policy in a new browser: each step is a button id, "idp=<subject>" (the
// fake provider's typed identity) or "page" (the social sign-up page, submitted as filled).
func walk(t *testing.T, srv *emulatortest.Server, policy string, steps ...string) *emulatortest.Page {
	t.Helper()
	b := srv.NewBrowser(t)
	page := b.Get(authorizeFor(policy))
	for _, s := range steps {
		switch sub, ok := strings.CutPrefix(s, "idp="); {
		case ok:
			page = b.Submit(page, "button#idp_signin", map[string]string{"idp_issuerAssignedId": sub, "idp_displayName": "Mia Chen"})
		case s == "page":
			page = b.Submit(page, "button#continue", map[string]string{"displayName": "Mia Chen", "givenName": "Mia", "surname": "Chen"})
		default:
			if page.Doc.Find("button#"+s).Length() == 0 {
				t.Fatalf("%s: no button#%s on the page (%d):\n%s", policy, s, page.Status, page.Body)
			}
			page = b.Submit(page, "button#"+s, nil)
		}
	}
	return page
}

// TestCommunityAccountLinkingSamples: the account-linking samples, unchanged but for the
// measurement's edits, run every relying party to a token: sign up with Facebook, link Google
// (the link page then offers no Google link), sign in with Google to the same objectId, unlink
// Google; a Google sign-in then signs up a new user.
func TestCommunityAccountLinkingSamples(t *testing.T) {
	for _, tc := range []struct {
		folder, susi, link, unlink string
		linkGoogle, unlinkGoogle   []string // the link and unlink page's buttons after a Facebook sign-in
	}{
		{"account-linkage-unified", "B2C_1A_AccountLink_SUSI", "B2C_1A_AccountLinkAndUnlink", "B2C_1A_AccountLinkAndUnlink",
			[]string{"LinkGoogleExchange", "idp=g-1"}, []string{"UnlinkGoogleExchange"}},
		{"account-linkage", "B2C_1A_AccountLink_SUSI", "B2C_1A_AccountLink", "B2C_1A_AccountLink_Remove",
			[]string{"LinkGoogleExchange", "idp=g-1"}, []string{"UnlinkGoogleExchange"}},
	} {
		t.Run(tc.folder, func(t *testing.T) {
			srv := communityLinking(t, tc.folder)
			token := func(policy string, p *emulatortest.Page) map[string]any {
				t.Helper()
				return idTokenOf(t, srv, policy, p)
			}
			up := token(tc.susi, walk(t, srv, tc.susi, "FacebookExchange", "idp=fb-1", "page"))
			oid := fmt.Sprint(up["sub"])
			linked := token(tc.link, walk(t, srv, tc.link, append([]string{"FacebookExchange", "idp=fb-1"}, tc.linkGoogle...)...))
			if linked["sub"] != oid {
				t.Fatalf("link: sub %v, want %s", linked["sub"], oid)
			}
			if got := federatedOf(userByID(t, srv, oid)); !slices.Equal(got, []string{"facebook.com/fb-1", "google.com/g-1"}) {
				t.Fatalf("identities after linking = %v", got)
			}
			if page := walk(t, srv, tc.link, "FacebookExchange", "idp=fb-1"); page.Doc.Find("button#LinkGoogleExchange").Length() != 0 {
				t.Errorf("the link page still offers Google")
			}
			if in := token(tc.susi, walk(t, srv, tc.susi, "GoogleExchange", "idp=g-1")); in["sub"] != oid {
				t.Errorf("Google sign-in: sub %v, want %s", in["sub"], oid)
			}
			unlinked := token(tc.unlink, walk(t, srv, tc.unlink, append([]string{"FacebookExchange", "idp=fb-1"}, tc.unlinkGoogle...)...))
			if unlinked["sub"] != oid {
				t.Errorf("unlink: sub %v", unlinked["sub"])
			}
			if got := federatedOf(userByID(t, srv, oid)); !slices.Equal(got, []string{"facebook.com/fb-1"}) {
				t.Errorf("identities after unlinking = %v", got)
			}
			if again := token(tc.susi, walk(t, srv, tc.susi, "GoogleExchange", "idp=g-1", "page")); again["sub"] == oid {
				t.Errorf("Google sign-in after unlinking found the same user")
			}
		})
	}
}
