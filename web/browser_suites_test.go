package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/flows/attributes"
)

// The selector and wait sequences of public end-to-end helpers written for real tenants
// (docs/playwright.md#suites-written-for-real-tenants names them), replayed in Chromium on
// a user flow and on a custom policy. Each step selects and waits as that suite does; none
// uses an id or a hook that only b2cemu has.

// suitesTenant is the woodgrove tenant with a second sign-up or sign-in flow whose unified
// page names its sign-in input logonIdentifier, as the standard user flows' pages do.
var suitesTenant = strings.Replace(browserTenant, "userFlows:\n", `userFlows:
  - id: B2C_1_Standard
    type: signUpOrSignIn
    identityProviders: [email]
    signInInputId: logonIdentifier
    userAttributes: [{name: displayName, required: true}]
    applicationClaims: [displayName, emails, objectId]
  - id: B2C_1_Reset
    type: passwordReset
    identityProviders: [email]
    applicationClaims: [emails, objectId]
`, 1)

// seedUser creates a local account through the users API.
func seedUser(t *testing.T, base, email, password, name string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"email": email, "password": password, "attributes": map[string]string{"displayName": name}})
	resp, err := http.Post(base+"/_emulator/users", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("seeding %s: %d", email, resp.StatusCode)
	}
}

// authorizeAt is the authorize URL of policy under base (base ends in the tenant), with
// prompt=login so that every run shows the pages.
func authorizeAt(base, policy, client, redirect string) string {
	return base + "/" + policy + "/oauth2/v2.0/authorize?" + url.Values{
		"client_id": {client}, "redirect_uri": {redirect}, "scope": {"openid"}, "response_type": {"id_token"},
		"response_mode": {"form_post"}, "nonce": {"suite"}, "prompt": {"login"}}.Encode()
}

// shownWith waits until an element matching sel is shown and holds text, as Cypress's
// cy.get(sel).should("be.visible").should("contain", text) and Playwright's
// expect(locator).toContainText do; it fails the test after 15 seconds.
func shownWith(t *testing.T, ctx context.Context, sel, text string) {
	t.Helper()
	expr := `[...document.querySelectorAll(` + jsString(sel) + `)].some(e => e.getClientRects().length > 0 && e.textContent.includes(` + jsString(text) + `))`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		found := eval[[]string](t, ctx, `[...document.querySelectorAll(`+jsString(sel)+`)].map(e => e.outerHTML)`)
		t.Fatalf("no shown %s containing %q: %v; matches %q", sel, text, err, found)
	}
}

// idle waits until the document at the application's redirect URI has loaded, as a
// suite's wait for the network to go idle after the last navigation.
func idle(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	expr := `location.pathname === ` + jsString(path) + ` && document.readyState === "complete"`
	var err error
	for attempt := 0; attempt < 50; attempt++ { // a navigation ends a poll: poll the new document
		if _, err = chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))); err == nil {
			return
		}
		if ctx.Err() != nil || errors.Is(err, chromedp.ErrPollingTimeout) {
			break
		}
		time.Sleep(100 * time.Millisecond) // a redirect chain replaces documents faster than a poll starts
	}
	t.Fatalf("waiting for %s: %v", path, err)
}

func TestBrowserPublicSuites(t *testing.T) {
	srv := emulatortest.Start(t, strings.Replace(suitesTenant, "CONNECTOR", "http://127.0.0.1:9", 1))
	example := startExample(t, nil)
	flows := srv.URL + "/woodgrove.onmicrosoft.com"
	custom := example.URL + "/contoso.onmicrosoft.com"
	seedUser(t, srv.URL, "ruth@woodgrove.example", "Str0ng!pass", "Ruth Okafor")
	seedUser(t, example.URL, "ruth@contoso.com", "Str0ng!pass", "Ruth Okafor")
	userFlow := func(policy string) string { return authorizeAt(flows, policy, woodgroveClient, srv.URL+"/jwt") }
	customPolicy := func(policy string) string {
		return authorizeAt(custom, policy, "4f6b1a52-8c7e-4d3a-9b21-6e0f5c7d8a90", example.URL+"/jwt")
	}

	// MSAL.js's end-to-end utilities (puppeteer): wait for the sign-in input to be in the
	// document, type the name and the password, click #next, wait to be back at the app.
	t.Run("msal-local-account", func(t *testing.T) {
		ctx := chromium(t)
		err := chromedp.Do(ctx,
			chromedp.Navigate(userFlow("B2C_1_Standard")),
			chromedp.WaitReady(css("#logonIdentifier")),
			chromedp.SendKeys(css("#logonIdentifier"), "ruth@woodgrove.example"),
			chromedp.SendKeys(css("#password"), "Str0ng!pass"),
			chromedp.Click(css("#next")),
		)
		if err != nil {
			t.Fatal(err)
		}
		idle(t, ctx, "/jwt")
		if claims := emulatortest.Verify(t, flows+"/B2C_1_Standard/v2.0/.well-known/openid-configuration", shownText(t, ctx, "#token")); claims["name"] != "Ruth Okafor" {
			t.Errorf("claims = %v", claims)
		}
	})

	// Cypress's Azure AD B2C recipe: inside the b2clogin.com origin, type into
	// input[type="email"] and input[type="password"], click button[type="submit"]. On a user
	// flow (#email) and on a custom policy (#signInName) alike.
	for _, tc := range []struct{ name, authorize, email string }{
		{"cypress-recipe/user-flow", userFlow("B2C_1_woodgrove"), "ruth@woodgrove.example"},
		{"cypress-recipe/custom-policy", customPolicy("B2C_1A_signup_signin"), "ruth@contoso.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := chromium(t)
			err := chromedp.Do(ctx,
				chromedp.Navigate(tc.authorize),
				chromedp.SendKeys(css(`input[type="email"]`), tc.email),
				chromedp.SendKeys(css(`input[type="password"]`), "Str0ng!pass"),
				chromedp.Click(css(`button[type="submit"]`)),
			)
			if err != nil {
				t.Fatal(err)
			}
			idle(t, ctx, "/jwt")
			if got := shownText(t, ctx, "#token"); strings.Count(got, ".") != 2 {
				t.Errorf("no token at the application: %q", got)
			}
		})
	}

	// A public Cypress login spec for a tenant with custom policies: #signInName, #password,
	// button#next; the page's own checks in div[role=alert] > p and .error.itemLevel >
	// p[role=alert]; the server's answers in form#localAccountForm > div[role=alert] > p.
	t.Run("cypress-custom-policy-errors", func(t *testing.T) {
		ctx := chromium(t)
		const pageError = `form#localAccountForm > div[role="alert"] > p`
		if err := chromedp.Do(ctx, chromedp.Navigate(customPolicy("B2C_1A_signup_signin")), chromedp.WaitVisible(css("button#next")), chromedp.Click(css("button#next"))); err != nil {
			t.Fatal(err)
		}
		shownWith(t, ctx, `div:nth-of-type(1) > div[role="alert"] > p`, "Please enter your Email Address")
		shownWith(t, ctx, `.error.itemLevel > p[role="alert"]`, "Please enter your password")
		for _, tc := range []struct{ email, want string }{
			{"nobody@contoso.com", "We can't seem to find your account."},
			{"ruth@contoso.com", "Your password is incorrect."},
		} {
			err := chromedp.Do(ctx,
				chromedp.WaitVisible(css("input#signInName")),
				chromedp.SetValue(css("input#signInName"), tc.email),
				chromedp.SetValue(css("input#password"), "wrongpassword"),
				chromedp.Click(css("button#next")),
			)
			if err != nil {
				t.Fatal(err)
			}
			shownWith(t, ctx, pageError, tc.want)
		}
	})

	// A public Python Playwright login: fill #signInName and #password, click the button whose
	// text is "Sign in", wait for the network to go idle; a sign-in that went through leaves no
	// #localAccountForm > div.error.pageLevel > p behind.
	t.Run("python-playwright-sign-in", func(t *testing.T) {
		ctx := chromium(t)
		err := chromedp.Do(ctx,
			chromedp.Navigate(customPolicy("B2C_1A_signup_signin")),
			chromedp.SendKeys(css("#signInName"), "ruth@contoso.com"),
			chromedp.SendKeys(css("#password"), "Str0ng!pass"),
			chromedp.Click(chromedp.Search(`//button[normalize-space()="Sign in"]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		idle(t, ctx, "/jwt")
		if eval[bool](t, ctx, `document.querySelector("#localAccountForm > div.error.pageLevel > p") !== null`) {
			t.Error("the sign-in page's error is still there after a sign-in that went through")
		}
	})

	// Password reset, as suites that cover it select it: #forgotPassword or the reset policy,
	// the email verified with #email_ver_but_send / #email_ver_input / #email_ver_but_verify,
	// then #continue, #newPassword, #reenterPassword, #continue.
	for _, tc := range []struct{ name, authorize, base, email string }{
		{"password-reset/user-flow", userFlow("B2C_1_Reset"), srv.URL, "ruth@woodgrove.example"},
		{"password-reset/custom-policy", customPolicy("B2C_1A_PasswordReset"), example.URL, "ruth@contoso.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := chromium(t)
			passwordReset(t, ctx, tc.authorize, tc.base, tc.email)
		})
	}
}

// passwordReset verifies the email on the reset policy's first page, sets a new password and
// checks that a token comes back.
func passwordReset(t *testing.T, ctx context.Context, authorize, base, email string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(css("#email_ver_but_send")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := eval[string](t, ctx, `(() => { const c = document.querySelector("#continue"); return c.disabled + "/" + c.getAttribute("aria-disabled"); })()`); got != "true/true" {
		t.Errorf("#continue before the email is verified: disabled/aria-disabled = %s, want true/true", got)
	}
	// The code input is in the page before a code is sent, hidden as B2C's error containers are.
	if got := boxState(t, ctx, "#email_ver_input"); got != hiddenBox {
		t.Errorf("#email_ver_input before the code is sent = %+v, want %+v", got, hiddenBox)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#email"), email),
		chromedp.Click(css("#email_ver_but_send")),
		chromedp.WaitVisible(css("#email_ver_input")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shownWith(t, ctx, "#email_info", "Verification code has been sent to your inbox.")
	var outbox struct{ Emails []struct{ Code string } }
	getJSON(t, base+"/_emulator/emails?to="+url.QueryEscape(email), &outbox)
	if len(outbox.Emails) == 0 {
		t.Fatalf("no code in the outbox for %s", email)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#email_ver_input"), outbox.Emails[len(outbox.Emails)-1].Code),
		chromedp.Click(css("#email_ver_but_verify")),
		chromedp.WaitVisible(css("#email_ver_but_edit")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shownWith(t, ctx, "#email_info", "E-mail address verified. You can now continue.")
	err = chromedp.Do(ctx,
		chromedp.WaitEnabled(css("#continue")),
		chromedp.Click(css("#continue")),
		chromedp.WaitVisible(css("#newPassword")),
		chromedp.SendKeys(css("#newPassword"), "N3w!password"),
		chromedp.SendKeys(css("#reenterPassword"), "N3w!password"),
		chromedp.Click(css("#continue")),
	)
	if err != nil {
		t.Fatal(err)
	}
	idle(t, ctx, "/jwt")
	if got := shownText(t, ctx, "#token"); strings.Count(got, ".") != 2 {
		t.Errorf("no token after the reset: %q", got)
	}
}

// TestBrowserClientSideChecks: on the sign-up page of a user flow and of a custom policy, a
// password the policy's complexity refuses shows the password's help text when the user
// leaves the field, and passwords that differ show B2C's mismatch text on #continue, both
// from the page's script without a request.
func TestBrowserClientSideChecks(t *testing.T) {
	srv := emulatortest.Start(t, strings.Replace(suitesTenant, "CONNECTOR", "http://127.0.0.1:9", 1))
	example := startExample(t, nil)
	const mismatch = "The password entry fields do not match. Please enter the same password in both fields and try again."
	for _, tc := range []struct{ name, authorize, help string }{
		{"user-flow", authorizeAt(srv.URL+"/woodgrove.onmicrosoft.com", "B2C_1_woodgrove", woodgroveClient, srv.URL+"/jwt"),
			"The password must be between 8 and 64 characters and contain 3 out of 4 of the following: lowercase characters, uppercase characters, digits (0-9), and one or more symbols."},
		{"custom-policy", authorizeAt(example.URL+"/contoso.onmicrosoft.com", "B2C_1A_signup_signin", "4f6b1a52-8c7e-4d3a-9b21-6e0f5c7d8a90", example.URL+"/jwt"),
			"8-16 characters, with 3 of: lower case, upper case, digits, symbols."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := chromium(t)
			err := chromedp.Do(ctx,
				chromedp.Navigate(tc.authorize),
				chromedp.Click(css("a#createAccount")),
				chromedp.WaitVisible(css("#newPassword")),
			)
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "user-flow" { // the page's pattern is the machine's StrongPassword
				for _, pw := range []string{"weakpass", "Str0ngpass", "str0ng!pass", "STRONG!PASS", "Sh0rt!", "ÄÖÜäöü12", "Ab1" + strings.Repeat("x", 61), "Ab1" + strings.Repeat("x", 62), "пароль!Пароль", "ǅǅǅǅǅǅ12"} {
					got := eval[bool](t, ctx, `new RegExp("^(?:" + document.querySelector("#newPassword").pattern + ")$", "u").test(`+jsString(pw)+`)`)
					if got != attributes.StrongPassword(pw) {
						t.Errorf("%q: the page's pattern says %v, StrongPassword %v", pw, got, attributes.StrongPassword(pw))
					}
				}
			}
			markPage(t, ctx)
			net := watchNetwork(t, ctx)
			err = chromedp.Do(ctx,
				chromedp.SendKeys(css("#newPassword"), "weakpass"),
				chromedp.Focus(css("#reenterPassword")),
			)
			if err != nil {
				t.Fatal(err)
			}
			shownWith(t, ctx, ".newPassword_li .error.itemLevel.show", tc.help)
			if !eval[bool](t, ctx, `document.querySelector("#newPassword").classList.contains("highlightError")`) {
				t.Error("#newPassword is not highlightError")
			}
			// A strong password clears it; a different confirmation shows the mismatch on submit.
			eval[string](t, ctx, `document.querySelector("#newPassword").value = ""`)
			err = chromedp.Do(ctx,
				chromedp.SendKeys(css("#newPassword"), "Str0ng!pass"),
				chromedp.SendKeys(css("#reenterPassword"), "Str0ng!pasz"),
				chromedp.Focus(css("#email")),
			)
			if err != nil {
				t.Fatal(err)
			}
			if got := boxState(t, ctx, ".newPassword_li .error.itemLevel"); got.Shown {
				t.Errorf("the help text stayed after a strong password: %+v", got)
			}
			eval[bool](t, ctx, `document.querySelector("#continue").disabled = false`) // past the pending verification, to reach the check
			if err := chromedp.Do(ctx, chromedp.Click(css("#continue"))); err != nil {
				t.Fatal(err)
			}
			shownWith(t, ctx, "#passwordEntryMismatch", mismatch)
			net.mu.Lock()
			posts := 0
			for _, e := range net.events {
				if e.Method == "POST" {
					posts++
				}
			}
			net.mu.Unlock()
			if !stillMarked(t, ctx) || posts != 0 {
				t.Errorf("the checks sent %d requests; same page %v", posts, stillMarked(t, ctx))
			}
		})
	}
}

// tenantID is the tenant's id, read from a policy's issuer (https://<host>/<id>/v2.0/).
func tenantID(t *testing.T, policyBase string) string {
	t.Helper()
	var doc struct{ Issuer string }
	getJSON(t, policyBase+"/v2.0/.well-known/openid-configuration", &doc)
	parts := strings.Split(strings.TrimSuffix(doc.Issuer, "/"), "/")
	if len(parts) < 2 {
		t.Fatalf("issuer %q", doc.Issuer)
	}
	return parts[len(parts)-2]
}

// TestBrowserAuthorizePathForms opens the first page in Chromium at every path form an
// application may use, on a user flow and on a custom policy: the document is the authorize
// URL's own answer (200, no redirect), and the sign-in goes on under the tenant and policy as
// the application spelled them, to api/CombinedSigninAndSignup/confirmed.
func TestBrowserAuthorizePathForms(t *testing.T) {
	srv := emulatortest.Start(t, strings.Replace(suitesTenant, "CONNECTOR", "http://127.0.0.1:9", 1))
	example := startExample(t, nil)
	seedUser(t, srv.URL, "ruth@woodgrove.example", "Str0ng!pass", "Ruth Okafor")
	seedUser(t, example.URL, "ruth@contoso.com", "Str0ng!pass", "Ruth Okafor")
	flowID := tenantID(t, srv.URL+"/woodgrove.onmicrosoft.com/B2C_1_woodgrove")
	customID := tenantID(t, example.URL+"/contoso.onmicrosoft.com/B2C_1A_signup_signin")
	type engine struct{ base, client, email, nameSel string }
	flow := engine{srv.URL, woodgroveClient, "ruth@woodgrove.example", "#email"}
	custom := engine{example.URL, "4f6b1a52-8c7e-4d3a-9b21-6e0f5c7d8a90", "ruth@contoso.com", "#signInName"}
	cases := []struct {
		name   string
		e      engine
		path   string // the authorize path, before its query
		policy string // the p= parameter, "" when the policy is in the path
		prefix string // where the later pages are
	}{
		{"user-flow/tenant-and-policy", flow, "/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize", "", "/woodgrove.onmicrosoft.com/B2C_1_woodgrove"},
		{"user-flow/lower-case", flow, "/woodgrove.onmicrosoft.com/b2c_1_woodgrove/oauth2/v2.0/authorize", "", "/woodgrove.onmicrosoft.com/b2c_1_woodgrove"},
		{"user-flow/tfp", flow, "/tfp/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize", "", "/woodgrove.onmicrosoft.com/B2C_1_woodgrove"},
		{"user-flow/p-parameter", flow, "/woodgrove.onmicrosoft.com/oauth2/v2.0/authorize", "B2C_1_WoodGrove", "/woodgrove.onmicrosoft.com/B2C_1_WoodGrove"},
		{"user-flow/tenant-id", flow, "/" + flowID + "/B2C_1_woodgrove/oauth2/v2.0/authorize", "", "/" + flowID + "/B2C_1_woodgrove"},
		{"custom-policy/tenant-and-policy", custom, "/contoso.onmicrosoft.com/B2C_1A_signup_signin/oauth2/v2.0/authorize", "", "/contoso.onmicrosoft.com/B2C_1A_signup_signin"},
		{"custom-policy/lower-case", custom, "/contoso.onmicrosoft.com/b2c_1a_signup_signin/oauth2/v2.0/authorize", "", "/contoso.onmicrosoft.com/b2c_1a_signup_signin"},
		{"custom-policy/tfp", custom, "/tfp/contoso.onmicrosoft.com/B2C_1A_SIGNUP_SIGNIN/oauth2/v2.0/authorize", "", "/contoso.onmicrosoft.com/B2C_1A_SIGNUP_SIGNIN"},
		{"custom-policy/p-parameter", custom, "/contoso.onmicrosoft.com/oauth2/v2.0/authorize", "B2C_1A_Signup_Signin", "/contoso.onmicrosoft.com/B2C_1A_Signup_Signin"},
		{"custom-policy/tenant-id", custom, "/" + customID + "/B2C_1A_signup_signin/oauth2/v2.0/authorize", "", "/" + customID + "/B2C_1A_signup_signin"},
	}
	ctx := chromium(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"client_id": {tc.e.client}, "redirect_uri": {tc.e.base + "/jwt"}, "scope": {"openid"}, "response_type": {"id_token"},
				"response_mode": {"form_post"}, "nonce": {"n"}, "prompt": {"login"}}
			if tc.policy != "" {
				q.Set("p", tc.policy)
			}
			authorize := tc.e.base + tc.path + "?" + q.Encode()
			net := watchNetwork(t, ctx)
			if err := chromedp.Do(ctx, chromedp.Navigate(authorize), chromedp.WaitVisible(css(tc.e.nameSel))); err != nil {
				t.Fatal(err)
			}
			if r := net.waitFor(t, tc.path+"?"); r.Method != "GET" || r.Status != 200 {
				t.Errorf("the authorize URL answered %d", r.Status)
			}
			if loc := eval[string](t, ctx, `location.pathname`); loc != tc.path {
				t.Errorf("the first page is at %s", loc)
			}
			for sel, want := range map[string]string{
				"#createAccount":    tc.prefix + "/api/CombinedSigninAndSignup/unified?local=signup&csrf_token=",
				"#forgotPassword":   tc.prefix + "/api/CombinedSigninAndSignup/forgotPassword?csrf_token=",
				"#localAccountForm": tc.prefix + "/SelfAsserted?tx=StateProperties=",
			} {
				got := eval[string](t, ctx, `(() => { const e = document.querySelector(`+jsString(sel)+`); return e ? (e.getAttribute("href") || e.getAttribute("action") || "") : ""; })()`)
				if !strings.HasPrefix(strings.TrimPrefix(got, tc.e.base), want) {
					t.Errorf("%s = %s, want it to start with %s", sel, got, want)
				}
			}
			err := chromedp.Do(ctx,
				chromedp.SendKeys(css(tc.e.nameSel), tc.e.email),
				chromedp.SendKeys(css("#password"), "Str0ng!pass"),
				chromedp.Click(css("#next")),
			)
			if err != nil {
				t.Fatal(err)
			}
			if r := net.waitFor(t, "/api/CombinedSigninAndSignup/confirmed?"); !strings.HasPrefix(strings.TrimPrefix(r.URL, tc.e.base), tc.prefix+"/api/CombinedSigninAndSignup/confirmed?") {
				t.Errorf("confirmed at %s, want under %s", r.URL, tc.prefix)
			}
			idle(t, ctx, "/jwt")
		})
	}
}

// TestBrowserLocalizedPages: with ui_locales=es the unified page's <title>, heading and button
// are B2C's Spanish strings on a user flow and on a custom policy, and the custom policy's
// own localized error text shows where suites look for it.
func TestBrowserLocalizedPages(t *testing.T) {
	srv := emulatortest.Start(t, strings.Replace(suitesTenant, "CONNECTOR", "http://127.0.0.1:9", 1))
	example := startExample(t, nil)
	seedUser(t, example.URL, "ruth@contoso.com", "Str0ng!pass", "Ruth Okafor")
	ctx := chromium(t)
	for _, tc := range []struct{ name, authorize, nameSel string }{
		{"user-flow", authorizeAt(srv.URL+"/woodgrove.onmicrosoft.com", "B2C_1_woodgrove", woodgroveClient, srv.URL+"/jwt") + "&ui_locales=es", "#email"},
		{"custom-policy", authorizeAt(example.URL+"/contoso.onmicrosoft.com", "B2C_1A_signup_signin", "4f6b1a52-8c7e-4d3a-9b21-6e0f5c7d8a90", example.URL+"/jwt") + "&ui_locales=es", "#signInName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(tc.authorize), chromedp.WaitVisible(css(tc.nameSel))); err != nil {
				t.Fatal(err)
			}
			got := eval[string](t, ctx, `[document.documentElement.lang, document.title, document.querySelector(".heading h1").textContent.trim(), document.querySelector("#next").textContent.trim()].join("|")`)
			if got != "es|Registrarse o iniciar sesión|Iniciar sesión|Iniciar sesión" {
				t.Errorf("lang|title|h1|#next = %q", got)
			}
		})
	}
	err := chromedp.Do(ctx,
		chromedp.SendKeys(css("#signInName"), "ruth@contoso.com"),
		chromedp.SendKeys(css("#password"), "wrong-Passw0rd"),
		chromedp.Click(css("#next")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shownWith(t, ctx, `form#localAccountForm > div[role="alert"] > p`, "La contraseña no es correcta.")
}
