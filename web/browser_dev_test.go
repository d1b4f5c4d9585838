package web_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/fixtures"
)

// TestBrowserDevTools drives the developer pages in Chromium with their plain forms: the
// admin token's sign-in, the index in b2cemu's own stylesheet (loaded under the pages' CSP),
// create, search, edit, revoke, delete, import and reset, then sign out.
func TestBrowserDevTools(t *testing.T) {
	ctx := chromium(t)
	srv := emulatortest.Start(t, string(fixtures.DemoConfig)+"\nadmin: {token: "+devToken+"}\n") // the demo tenant, with a token
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("sign in", chromedp.Navigate(srv.URL+"/_emulator/users"), chromedp.WaitVisible(css("#token")), shot("dev-login"),
		chromedp.SendKeys(css("#token"), devToken), chromedp.Click(css("#signIn")), chromedp.WaitVisible(css("#newUser")))
	run("the index", chromedp.Navigate(srv.URL+"/_emulator"), chromedp.WaitVisible(css("#endpoints")), shot("dev-index"))
	if bg := read(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('header.dev')).backgroundColor`)); bg != "rgb(29, 35, 48)" {
		t.Errorf("the header's background is %q: dev.css did not load", bg)
	}

	run("create", chromedp.Navigate(srv.URL+"/_emulator/users/new"), chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), "ana@fabrikam.com"), chromedp.SendKeys(css("#password"), "Passw0rd!x"),
		chromedp.SendKeys(css(`#attr\.displayName`), "Ana Lima"), chromedp.Click(css("#create")), chromedp.WaitVisible(css("#notice[data-done=created]")), shot("dev-user"))
	id := read(t, ctx, chromedp.Text(css("#objectId")))
	run("edit", chromedp.Clear(css(`#attr\.displayName`)), chromedp.SendKeys(css(`#attr\.displayName`), "Ana Maria Lima"),
		chromedp.SetValue(css(`#attr\.city`), "Porto"), chromedp.Click(css("#save")), chromedp.WaitVisible(css("#notice[data-done=updated]")))
	if got := read(t, ctx, chromedp.Value(css(`#attr\.city`))); got != "Porto" || read(t, ctx, chromedp.Text(css("#notice"))) != "The user was saved." {
		t.Errorf("after the edit: city %q", got)
	}
	run("search", chromedp.Navigate(srv.URL+"/_emulator/users"), chromedp.WaitVisible(css("#q")), chromedp.SendKeys(css("#q"), "porto"),
		chromedp.Click(css("#search")), chromedp.WaitVisible(css("#q[value=porto]")), chromedp.WaitVisible(css(`tr[data-object-id="`+id+`"]`)), shot("dev-users"))
	run("open the user", chromedp.Click(css("a.user")), chromedp.WaitVisible(css("#activity")))
	run("revoke", chromedp.Click(css("#revoke")), chromedp.WaitVisible(css("#notice[data-done=revoked]")))
	if got := read(t, ctx, chromedp.Text(css("#revokedAt"))); got == "—" {
		t.Error("revoking left no time")
	}

	export := filepath.Join(t.TempDir(), "users.json")
	os.WriteFile(export, bearerGet(t, srv, "/_emulator/users/export"), 0o600)
	run("delete", chromedp.Click(css("#delete")), chromedp.WaitVisible(css("#notice[data-done=deleted]")))
	run("import", chromedp.SetUploadFiles(css("#importFile"), []string{export}), chromedp.Click(css("#importButton")),
		chromedp.WaitVisible(css("#notice[data-done=imported]")), chromedp.WaitVisible(css(`tr[data-object-id="`+id+`"]`)))
	html := read(t, ctx, chromedp.OuterHTML(css("html")))
	if strings.Contains(html, devToken) {
		t.Error("a page shows the admin token")
	}
	run("reset", chromedp.Click(css("#reset")), chromedp.WaitVisible(css("#notice[data-done=reset]")),
		chromedp.Navigate(srv.URL+"/_emulator/users"), chromedp.WaitVisible(css("#noUsers")))
	run("sign out", chromedp.Click(css("#signOut")), chromedp.WaitVisible(css("#token")),
		chromedp.Navigate(srv.URL+"/_emulator/emails"), chromedp.WaitVisible(css("#token")))
}

// bearerGet reads an admin API path with the token, as a script does.
func bearerGet(t *testing.T, srv *emulatortest.Server, path string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+devToken)
	resp, err := srv.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}
