package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// chromium returns a browser context on Debian's Chromium, or skips the test when it is not
// installed (B2CEMU_REQUIRE_BROWSER=1, as in CI, turns the skip into a failure).
func chromium(t *testing.T) context.Context {
	t.Helper()
	return chromiumIn(t, t.TempDir())
}

// chromiumCookies is chromium with a profile whose profile.cookie_controls_mode is mode: 0
// allows third-party cookies (browsers' default), 1 blocks them; extra are more options.
func chromiumCookies(t *testing.T, mode int, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "Default"), 0o700)
	prefs := fmt.Sprintf(`{"profile":{"cookie_controls_mode":%d}}`, mode)
	if err := os.WriteFile(filepath.Join(dir, "Default", "Preferences"), []byte(prefs), 0o600); err != nil {
		t.Fatal(err)
	}
	return chromiumIn(t, dir, extra...)
}

// chromiumIn is chromium with the profile in dir, which may hold a Default/Preferences file,
// and the extra options.
func chromiumIn(t *testing.T, dir string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	ctx, stop := launchChromium(t, dir, extra...)
	t.Cleanup(stop)
	return ctx
}

// launchChromium starts Chromium with the profile in dir and the extra options, and returns
// its context and the function that closes it, as a user quitting the browser does: Chromium
// writes its persistent cookies into the profile, so a browser started again on dir has them
// back.
func launchChromium(t *testing.T, dir string, extra ...chromedp.ExecAllocatorOption) (context.Context, func()) {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("B2CEMU_REQUIRE_BROWSER") != "" {
			t.Fatal("chromium is not installed (apt-get install chromium)")
		}
		t.Skip("chromium is not installed; browser tests skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(dir),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true), chromedp.WindowSize(1000, 900))
	opts = append(opts, extra...)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancel2 := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // starts the browser on a context without a deadline
		cancel2()
		cancel()
		t.Fatalf("starting chromium: %v", err)
	}
	ctx, cancel3 := context.WithTimeout(bctx, 90*time.Second)
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			cancel3()
			chromedp.Cancel(bctx) // closes the browser and waits for it to exit
			cancel2()
			cancel()
		})
	}
}

// shot saves a screenshot into $B2CEMU_SCREENSHOTS when it is set.
func shot(name string) chromedp.Action[chromedp.Void] {
	dir := os.Getenv("B2CEMU_SCREENSHOTS")
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if dir == "" || name == "" {
			return nil
		}
		buf, err := chromedp.FullScreenshot(100)(ctx, t)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	})
}

// css selects the first element matching a CSS selector.
type css = chromedp.CSS

// read returns the value of an action that reads the page, failing the test on an error. A
// read that lost its node to a document still landing (a form_post page, a confirmed
// navigation) is run again once the page has loaded: the action queries its selector anew.
func read(t *testing.T, ctx context.Context, a chromedp.Action[string]) string {
	t.Helper()
	for attempt := 1; ; attempt++ {
		v, err := chromedp.Run(ctx, a)
		if err == nil {
			return strings.TrimSpace(v)
		}
		if attempt == 5 || !staleNode(err) {
			t.Fatal(err)
		}
		loaded(ctx)
	}
}

// shownText waits until the page has loaded and sel is shown, and returns its trimmed text.
// It reads by script, holding no node between finding and reading, and starts over when a
// navigation ends its wait; suites on a real tenant wait the same way for the next page.
func shownText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	expr := `(() => { if (document.readyState !== "complete") return false;
		const e = document.querySelector(` + jsString(sel) + `);
		return e !== null && e.getClientRects().length > 0 && e.textContent.trim(); })()`
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		var v string
		v, err = chromedp.Run(ctx, chromedp.Poll[string](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second)))
		if err == nil {
			return v
		}
		if ctx.Err() != nil || errors.Is(err, chromedp.ErrPollingTimeout) {
			break
		}
		time.Sleep(100 * time.Millisecond) // a redirect chain replaces documents faster than a poll starts
	}
	t.Fatalf("waiting for %s: %v", sel, err)
	return ""
}

// staleNode reports whether err is the browser's answer for a node or script context that a
// new document replaced.
func staleNode(err error) bool {
	for _, s := range []string{"No node with given id found", "Could not find node with given id", "Cannot find context with specified id", "Execution context was destroyed", "Node with given id does not belong to the document"} {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

// loaded waits (up to 10 seconds) for the current document to finish loading.
func loaded(ctx context.Context) {
	chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === "complete"`, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
}

// An unfamiliar tenant, written in the public configuration shape, with its own connector.
const browserTenant = `
tenant:
  name: woodgrove
  id: 3f2504e0-4f89-41d3-9a0c-0305e82c3301
  extensionsAppId: 0c0b0a09-0807-4605-8403-020100fedcba
customAttributes:
  - name: Plan
    dataType: string
    description: Subscription plan
  - name: Seats
    dataType: int
    description: Seats
identityProviders:
  - id: google.com
    displayName: Google
    accounts:
      - issuerAssignedId: "g-100"
        email: mia@woodgrove.example
        displayName: Mia Chen
        givenName: Mia
        surname: Chen
      - issuerAssignedId: "g-666"
        email: spam@blocked.example
        displayName: Spammer
apiConnectors:
  - name: woodgrove-api
    endpointUrl: CONNECTOR/hooks/b2c?code=abc
    authentication: {type: basic, username: hook, password: hook-secret}
applications:
  - name: Viewer
    clientId: 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
    redirectUris: [/jwt]
userFlows:
  - id: B2C_1_woodgrove
    type: signUpOrSignIn
    identityProviders: [google.com, email]
    userAttributes:
      - {name: displayName, required: true}
      - {name: Plan}
      - {name: Seats}
    applicationClaims: [displayName, emails, identityProvider, newUser, objectId, Plan, jobTitle]
    apiConnectors:
      postFederationSignup: woodgrove-api
      postAttributeCollection: woodgrove-api
`

// woodgroveAPI is that tenant's connector: blocks blocked.example, wants display names longer
// than five characters, pre-fills Plan and sets jobTitle.
type woodgroveAPI struct {
	mu     sync.Mutex
	steps  []string
	bodies []map[string]any
}

func (a *woodgroveAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	raw, _ := io.ReadAll(r.Body)
	json.Unmarshal(raw, &in)
	step, _ := in["step"].(string)
	a.mu.Lock()
	a.steps = append(a.steps, step)
	a.bodies = append(a.bodies, in)
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	email, _ := in["email"].(string)
	name, _ := in["displayName"].(string)
	switch {
	case strings.HasSuffix(email, "@blocked.example"):
		io.WriteString(w, `{"version":"1.0.0","action":"ShowBlockPage","userMessage":"Sign-ups from this domain are not allowed."}`)
	case step == "PostFederationSignup":
		io.WriteString(w, `{"version":"1.0.0","action":"Continue","extension_Plan":"Gold"}`)
	case len(name) <= 5:
		w.WriteHeader(400)
		io.WriteString(w, `{"version":"1.0.0","action":"ValidationError","status":400,"userMessage":"Please use a display name longer than five characters."}`)
	default:
		io.WriteString(w, `{"version":"1.0.0","action":"Continue","displayName":"`+name+` ✓","jobTitle":"Ranger"}`)
	}
}

// last is the body of the latest call.
func (a *woodgroveAPI) last() map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.bodies) == 0 {
		return nil
	}
	return a.bodies[len(a.bodies)-1]
}

func (a *woodgroveAPI) take() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.steps
	a.steps, a.bodies = nil, nil
	return s
}

func TestBrowserSignUpJourneys(t *testing.T) {
	ctx := chromium(t)
	api := &woodgroveAPI{}
	hook := httptest.NewServer(api)
	defer hook.Close()
	srv := emulatortest.Start(t, strings.Replace(browserTenant, "CONNECTOR", hook.URL, 1))
	discovery := srv.URL + "/woodgrove.onmicrosoft.com/B2C_1_woodgrove/v2.0/.well-known/openid-configuration"
	authorize := srv.URL + "/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize?" + url.Values{
		"client_id": {"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}, "redirect_uri": {srv.URL + "/jwt"}, "scope": {"openid"},
		"response_type": {"id_token"}, "response_mode": {"form_post"}, "nonce": {"browser-nonce"}, "prompt": {"login"}}.Encode()

	token := func(t *testing.T) map[string]any {
		t.Helper()
		name := ""
		if strings.HasSuffix(t.Name(), "/federated-sign-up") {
			name = "token-viewer"
		}
		jwt := shownText(t, ctx, "#token")
		if err := chromedp.Do(ctx, shot(name)); err != nil {
			t.Fatal(err)
		}
		return emulatortest.Verify(t, discovery, jwt)
	}

	t.Run("federated-sign-up", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(authorize),
			chromedp.WaitVisible(css("#api[data-name=Unified]")), shot("signin"),
			chromedp.Click(css("button#GoogleExchange")),
			chromedp.WaitVisible(css(`button.fixtureAccount[value="g-100"]`)), shot("idp"),
			chromedp.Click(css(`button.fixtureAccount[value="g-100"]`)),
			chromedp.WaitVisible(css("#attributeVerification")), shot("attributes"),
		)
		if err != nil {
			t.Fatal(err)
		}
		display, plan := read(t, ctx, chromedp.Value(css("#displayName"))), read(t, ctx, chromedp.Value(css("#extension_Plan")))
		if got := eval[int](t, ctx, `document.querySelectorAll("li.TextBox.extension_Plan_li input#extension_Plan[name=extension_Plan]").length`); got != 1 {
			t.Errorf("the custom attribute is not input#extension_Plan in li.TextBox.extension_Plan_li")
		}
		for _, id := range []string{"#requiredFieldMissing", "#claimVerificationServerError", "#passwordEntryMismatch", "#fieldIncorrect", ".displayName_li .error.itemLevel"} {
			if got := boxState(t, ctx, id); got != hiddenBox {
				t.Errorf("%s before any error = %+v, want %+v", id, got, hiddenBox)
			}
		}
		// A required field left empty: B2C's messages, shown by the page's script, no request.
		markPage(t, ctx)
		eval[string](t, ctx, `document.querySelector("#displayName").value = ""`) // chromedp.SetValue refuses ""
		err = chromedp.Do(ctx,
			chromedp.Click(css("button#continue")),
			chromedp.WaitVisible(css(".displayName_li .error.itemLevel.show")),
		)
		if err != nil {
			t.Fatal(err)
		}
		item := boxState(t, ctx, ".displayName_li .error.itemLevel")
		if page := boxState(t, ctx, "#requiredFieldMissing"); page != shownBox || item != (errorBox{AriaHidden: "false", Style: "display: block;", Shown: true, ShowClass: true}) {
			t.Errorf("required: #requiredFieldMissing %+v, item error %+v", page, item)
		}
		if got := read(t, ctx, chromedp.Text(css(".displayName_li .error.itemLevel"))); got != "This information is required." ||
			!eval[bool](t, ctx, `document.querySelector("#displayName").classList.contains("highlightError")`) {
			t.Errorf("required: item text %q, or #displayName not highlightError", got)
		}
		if !stillMarked(t, ctx) || len(api.take()) != 1 {
			t.Error("the empty required field was posted: the check must run in the page")
		}
		// A whole-number attribute with letters: B2C's text, #fieldIncorrect, no request.
		err = chromedp.Do(ctx,
			chromedp.SetValue(css("#displayName"), "Mia"),
			chromedp.SetValue(css("#extension_Seats"), "two"),
			chromedp.Click(css("button#continue")),
			chromedp.WaitVisible(css(".extension_Seats_li .error.itemLevel.show")),
		)
		if err != nil {
			t.Fatal(err)
		}
		if got := read(t, ctx, chromedp.Text(css(".extension_Seats_li .error.itemLevel"))); got != "Please enter a whole number." ||
			boxState(t, ctx, "#fieldIncorrect") != shownBox || boxState(t, ctx, "#requiredFieldMissing") != hiddenBox || !stillMarked(t, ctx) || len(api.take()) != 0 {
			t.Errorf("whole number: %q, #fieldIncorrect %+v, shown without a request: %v", got, boxState(t, ctx, "#fieldIncorrect"), stillMarked(t, ctx))
		}
		err = chromedp.Do(ctx,
			chromedp.SetValue(css("#extension_Seats"), "2"),
			chromedp.SetValue(css("#extension_Plan"), "Platinum"),
			chromedp.SetValue(css("#displayName"), "Mia"),
			chromedp.Click(css("button#continue")),
			chromedp.WaitVisible(css("#claimVerificationServerError")), shot("validation-error"),
		)
		if err != nil {
			t.Fatal(err)
		}
		serverError, kept := read(t, ctx, chromedp.Text(css("#claimVerificationServerError"))), read(t, ctx, chromedp.Value(css("#displayName")))
		if display != "Mia Chen" || plan != "Gold" {
			t.Errorf("pre-fill: displayName %q Plan %q", display, plan)
		}
		if serverError != "Please use a display name longer than five characters." || kept != "Mia" {
			t.Errorf("validation loop: %q, kept %q", serverError, kept)
		}
		if got := boxState(t, ctx, "#claimVerificationServerError"); got != shownBox {
			t.Errorf("#claimVerificationServerError = %+v, want %+v", got, shownBox)
		}
		if got := boxState(t, ctx, "#requiredFieldMissing"); got != hiddenBox {
			t.Errorf("#requiredFieldMissing after the server's answer = %+v", got)
		}
		if err := chromedp.Do(ctx, chromedp.SetValue(css("#displayName"), "Mia Chen"), chromedp.Click(css("button#continue"))); err != nil {
			t.Fatal(err)
		}
		claims := token(t)
		if claims["name"] != "Mia Chen ✓" || claims["jobTitle"] != "Ranger" || claims["extension_Plan"] != "Platinum" || claims["newUser"] != true || claims["nonce"] != "browser-nonce" {
			t.Errorf("claims = %v", claims)
		}
		if last := api.last(); last["extension_0c0b0a09080746058403020100fedcba_Plan"] != "Platinum" || last["extension_0c0b0a09080746058403020100fedcba_Seats"] != 2.0 {
			t.Errorf("the connector received extension_<appId>_Plan = %v, _Seats = %v", last["extension_0c0b0a09080746058403020100fedcba_Plan"], last["extension_0c0b0a09080746058403020100fedcba_Seats"])
		}
		if got := strings.Join(api.take(), ","); got != "PostAttributeCollection,PostAttributeCollection" {
			t.Errorf("steps = %s", got)
		}
	})

	t.Run("block-page", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(authorize),
			chromedp.Click(css("button#GoogleExchange")),
			chromedp.Click(css(`button.fixtureAccount[value="g-666"]`)),
			chromedp.WaitVisible(css("#api[data-name=SelfAsserted] .intro")), shot("block"),
		)
		if err != nil {
			t.Fatal(err)
		}
		msg := read(t, ctx, chromedp.Text(css("#api .intro")))
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#continue, form").length`))
		if err != nil {
			t.Fatal(err)
		}
		if msg != "Sign-ups from this domain are not allowed." || n != 0 {
			t.Errorf("block page: %q, %d ways forward", msg, n)
		}
		api.take()
	})

	t.Run("local-sign-up", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(authorize),
			chromedp.Click(css("a#createAccount")),
			chromedp.WaitVisible(css("#newPassword")),
		)
		if err != nil {
			t.Fatal(err)
		}
		// The email is verified first, as on B2C: #continue stays disabled until it is.
		if got := eval[bool](t, ctx, `document.querySelector("#continue").disabled`); !got {
			t.Error("#continue is enabled before the email is verified")
		}
		err = chromedp.Do(ctx,
			chromedp.SendKeys(css("#email"), "leo@woodgrove.example"),
			chromedp.Click(css("#email_ver_but_send")),
			chromedp.WaitVisible(css("#email_ver_input")), shot("local-sign-up-code"),
		)
		if err != nil {
			t.Fatal(err)
		}
		if got := read(t, ctx, chromedp.Text(css("#email_info"))); got != "Verification code has been sent to your inbox. Please copy it to the input box below." {
			t.Errorf("#email_info after send = %q", got)
		}
		var outbox struct{ Emails []struct{ Code string } }
		getJSON(t, srv.URL+"/_emulator/emails?to=leo@woodgrove.example", &outbox)
		if len(outbox.Emails) != 1 {
			t.Fatalf("outbox = %+v", outbox)
		}
		err = chromedp.Do(ctx,
			chromedp.SendKeys(css("#email_ver_input"), outbox.Emails[0].Code),
			chromedp.Click(css("#email_ver_but_verify")),
			chromedp.WaitVisible(css("#email_ver_control[data-state=verified] #email_ver_but_edit")),
		)
		if err != nil {
			t.Fatal(err)
		}
		if got := read(t, ctx, chromedp.Text(css("#email_info"))); got != "E-mail address verified. You can now continue." ||
			eval[bool](t, ctx, `document.querySelector("#continue").disabled`) {
			t.Errorf("after verify: #email_info %q, #continue disabled %v", got, eval[bool](t, ctx, `document.querySelector("#continue").disabled`))
		}
		err = chromedp.Do(ctx,
			chromedp.SendKeys(css("#newPassword"), "Str0ng!pass"),
			chromedp.SendKeys(css("#reenterPassword"), "Str0ng!pasz"),
			chromedp.SendKeys(css("#displayName"), "Leo Martins"), shot("local-sign-up"),
		)
		if err != nil {
			t.Fatal(err)
		}
		markPage(t, ctx)
		if err := chromedp.Do(ctx, chromedp.Click(css("button#continue")), chromedp.WaitVisible(css("#passwordEntryMismatch"))); err != nil {
			t.Fatal(err)
		}
		if got := boxState(t, ctx, "#passwordEntryMismatch"); got != shownBox || !stillMarked(t, ctx) || len(api.take()) != 0 {
			t.Errorf("password mismatch: %+v, shown without a request: %v", got, stillMarked(t, ctx))
		}
		err = chromedp.Do(ctx,
			chromedp.SetValue(css("#reenterPassword"), "Str0ng!pass"),
			chromedp.Click(css("button#continue")),
		)
		if err != nil {
			t.Fatal(err)
		}
		claims := token(t)
		if claims["newUser"] != true || claims["name"] != "Leo Martins ✓" || claims["idp"] != nil {
			t.Errorf("claims = %v", claims)
		}
		if got := strings.Join(api.take(), ","); got != "PostAttributeCollection" {
			t.Errorf("steps = %s (PostFederationSignup must never run for local accounts)", got)
		}
	})

	t.Run("sign-in", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(authorize), chromedp.WaitVisible(css("#email"))); err != nil {
			t.Fatal(err)
		}
		unifiedDOM(t, ctx, "email", "GoogleExchange")
		// Empty fields: B2C's messages from the page's script, no request.
		markPage(t, ctx)
		if err := chromedp.Do(ctx, chromedp.Click(css("[type=submit]")), chromedp.WaitVisible(css(".entry-item .error.itemLevel.show"))); err != nil {
			t.Fatal(err)
		}
		texts := eval[[]string](t, ctx, `[...document.querySelectorAll(".error.itemLevel.show")].map(e => e.textContent.trim())`)
		if strings.Join(texts, "|") != "Please enter your Email Address|Please enter your password" || !stillMarked(t, ctx) {
			t.Errorf("empty sign-in: %q, shown without a request: %v", texts, stillMarked(t, ctx))
		}
		// Enter in #password signs in (it used to pick the first social button).
		err := chromedp.Do(ctx,
			chromedp.SendKeys(css("#email"), "leo@woodgrove.example"),
			chromedp.SendKeys(css("#password"), "Str0ng!pass\r"),
		)
		if err != nil {
			t.Fatal(err)
		}
		claims := token(t)
		if claims["newUser"] != nil || claims["name"] != "Leo Martins ✓" {
			t.Errorf("claims = %v", claims)
		}
		if steps := api.take(); len(steps) != 0 {
			t.Errorf("sign-in called the connector: %v", steps)
		}
	})

	t.Run("single-sign-on", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(strings.Replace(authorize, "&prompt=login", "", 1))); err != nil {
			t.Fatal(err)
		}
		claims := token(t)
		if claims["name"] != "Leo Martins ✓" || claims["newUser"] != nil {
			t.Errorf("claims = %v", claims)
		}
	})
}

// TestBrowserInspectorUpdatesLive opens the call inspector, makes a connector call from
// another client and waits for the page to show it without a manual reload.
func TestBrowserInspectorUpdatesLive(t *testing.T) {
	ctx := chromium(t)
	api := &woodgroveAPI{}
	hook := httptest.NewServer(api)
	defer hook.Close()
	srv := emulatortest.Start(t, strings.Replace(browserTenant, "CONNECTOR", hook.URL, 1))
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/_emulator/calls"), chromedp.WaitVisible(css("#noCalls"))); err != nil {
		t.Fatal(err)
	}
	// A sign-up over plain HTTP in the background: one PostFederationSignup call.
	b := srv.NewBrowser(t)
	page := b.Get("/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize?" + url.Values{
		"client_id": {"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}, "redirect_uri": {srv.URL + "/jwt"}, "scope": {"openid"}, "response_type": {"id_token"}}.Encode())
	page = b.Submit(page, "button#GoogleExchange", nil)
	b.Submit(page, `button.fixtureAccount[value="g-666"]`, nil)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(css("article.call.outcome-ShowBlockPage")), shot("inspector")); err != nil {
		t.Fatalf("the inspector did not show the new call: %v", err)
	}
	if got := read(t, ctx, chromedp.Text(css("article.call .step"))); got != "PostFederationSignup" {
		t.Errorf("step = %q", got)
	}
}

// TestBrowserOtherPages visits the pages the journeys do not: the home page, a sign-up flow's
// provider choice, the Spanish sign-in page and the error page.
func TestBrowserOtherPages(t *testing.T) {
	ctx := chromium(t)
	srv := emulatortest.Start(t, "")
	q := url.Values{"client_id": {"6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10"}, "redirect_uri": {srv.URL + "/jwt"}, "scope": {"openid"},
		"response_type": {"id_token"}, "prompt": {"login"}}
	steps := []struct {
		name, url, wait string
	}{
		{"home", srv.URL + "/", "a.run"},
		{"signup-provider-choice", srv.URL + "/contoso.onmicrosoft.com/B2C_1_signup/oauth2/v2.0/authorize?" + q.Encode(), "#api[data-name=IdpSelections]"},
		{"signin-spanish", srv.URL + "/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/authorize?" + q.Encode() + "&ui_locales=es", "#api[data-name=Unified]"},
		{"error", srv.URL + "/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/authorize?client_id=6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10&redirect_uri=https%3A%2F%2Fevil.example%2F", "#api[data-name=GlobalException]"},
	}
	for _, s := range steps {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url), chromedp.WaitVisible(css(s.wait)), shot(s.name)); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	if got := read(t, ctx, chromedp.Text(css("#errorCode"))); got != "AADB2C90006" {
		t.Errorf("error page code = %q", got)
	}
}
