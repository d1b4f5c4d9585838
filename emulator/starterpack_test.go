package emulator_test

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// Microsoft's starter pack is not part of this repository (its files are Microsoft's, and the
// tests run offline). TestStarterPack runs its files unchanged when B2CEMU_STARTERPACK names a
// checkout of github.com/Azure-Samples/active-directory-b2c-custom-policy-starterpack:
//
//	B2CEMU_STARTERPACK=~/src/starterpack make starterpack
func starterPack(t *testing.T) string {
	dir := os.Getenv("B2CEMU_STARTERPACK")
	if dir == "" {
		t.Skip("B2CEMU_STARTERPACK is not set; see docs/custom-policies.md")
	}
	return dir
}

// readPack reads the named files of one starter pack folder (LocalAccounts, SocialAndLocalAccounts).
func readPack(t *testing.T, pack string, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(starterPack(t), pack, name))
		if err != nil {
			t.Fatalf("the starter pack checkout lacks %s/%s: %v", pack, name, err)
		}
		out[name] = string(b)
	}
	return out
}

// startPack serves the unchanged policy files of a starter pack folder (every *.xml in it);
// base, when set, is the folder whose TrustFrameworkBase.xml to take instead.
func startPack(t *testing.T, pack, base, extra string) *emulatortest.Server {
	t.Helper()
	dir := t.TempDir()
	names, _ := filepath.Glob(filepath.Join(starterPack(t), pack, "*.xml"))
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	files := readPack(t, pack, names...)
	if base != "" {
		files["TrustFrameworkBase.xml"] = readPack(t, base, "TrustFrameworkBase.xml")["TrustFrameworkBase.xml"]
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return startPolicies(t, dir, extra)
}

// TestStarterPackLoyalty is the loyalty walkthrough on the LocalAccounts pack's unchanged Base
// and Localization, with the walkthrough's Extensions and relying party from the example.
func TestStarterPackLoyalty(t *testing.T) {
	for _, pack := range []string{"LocalAccounts", "SocialAndLocalAccounts"} {
		t.Run(pack, func(t *testing.T) {
			files := readPack(t, pack, "TrustFrameworkBase.xml")
			// The SocialAndLocalAccounts Localization of some revisions sits above the
			// Extensions; the LocalAccounts one has the layout the walkthrough expects.
			for k, v := range readPack(t, "LocalAccounts", "TrustFrameworkLocalization.xml") {
				files[k] = v
			}
			api := &loyaltyAPI{}
			srv, _ := startLoyaltyIn(t, api, nil, "", files)
			loyaltyWalkthrough(t, srv, api)
		})
	}
}

// TestStarterPackSocialAndLocal runs the SocialAndLocalAccounts files unchanged: the unified
// page, local sign-up with its checks, sign-in, and Facebook through the fake provider page.
func TestStarterPackSocialAndLocal(t *testing.T) {
	srv := startPack(t, "SocialAndLocalAccounts", "", `
identityProviders:
  - id: facebook.com
    displayName: Facebook
    accounts:
      - {issuerAssignedId: "fb-7", email: mia@example.com, displayName: Mia Chen, givenName: Mia, surname: Chen}
`)
	var disco map[string]any
	if status := post(t, srv.Client, "GET", srv.URL+customPath+"/v2.0/.well-known/openid-configuration", nil, &disco); status != 200 || disco["issuer"] == nil {
		t.Fatalf("discovery: %d %v", status, disco)
	}

	b := srv.NewBrowser(t)
	page := b.Get(customAuthorize() + "&login_hint=" + url.QueryEscape("ana@contoso.com"))
	if page.Text("button#FacebookExchange") != "Facebook" || page.Doc.Find("input#password").Length() != 1 || page.Text("a#createAccount") != "Sign up now" {
		t.Fatalf("unified page:\n%s", page.Body)
	}
	if got := page.Doc.Find("input#signInName").AttrOr("value", ""); got != "ana@contoso.com" {
		t.Errorf("login_hint did not pre-fill the email: %q", got)
	}

	page = b.Follow(page, "a#createAccount")
	var ids []string
	page.Doc.Find("form#attributeVerification input:not([type=hidden]):not(#email_ver_input)").Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, s.AttrOr("id", ""))
	})
	if strings.Join(ids, ",") != "email,newPassword,reenterPassword,displayName,givenName,surname" {
		t.Errorf("sign-up fields = %v", ids)
	}
	if page.Text("button#continue") != "Create" || page.Doc.Find("button#email_ver_but_send").Length() != 1 {
		t.Errorf("sign-up buttons:\n%s", page.Body)
	}
	page = verified(t, srv, b, page, "ana@contoso.com")
	form := map[string]string{"email": "ana@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!y",
		"displayName": "Ana", "givenName": "Ana", "surname": "Diaz"}
	page = b.Submit(page, "button#continue", form)
	if !strings.Contains(page.Body, "The password entry fields do not match. Please enter the same password in both fields and try again.") {
		t.Errorf("mismatched passwords:\n%s", page.Body)
	}
	form["newPassword"], form["reenterPassword"] = "abc", "abc"
	page = b.Submit(page, "button#continue", form)
	if !strings.Contains(page.Body, "8-16 characters, containing 3 out of 4 of the following") {
		t.Errorf("weak password:\n%s", page.Body)
	}
	if users := listUsers(t, srv); len(users) != 0 {
		t.Fatalf("a user was written by a refused page: %v", users)
	}
	form["newPassword"], form["reenterPassword"] = "Passw0rd!x", "Passw0rd!x"
	claims := idToken(t, srv, b.Submit(page, "button#continue", form))
	if claims["name"] != "Ana" || claims["given_name"] != "Ana" || claims["family_name"] != "Diaz" || claims["email"] != "ana@contoso.com" ||
		claims["tid"] != "11111111-2222-4333-8444-555555555555" || claims["sub"] != listUsers(t, srv)[0]["objectId"] {
		t.Errorf("sign-up claims = %v", claims)
	}

	// The same address again is refused by the directory write.
	b = srv.NewBrowser(t)
	page = verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "ana@contoso.com")
	page = b.Submit(page, "button#continue", form)
	if got := page.Text("#claimVerificationServerError"); got != "A user with the specified ID already exists. Please choose a different one." {
		t.Errorf("duplicate sign-up: %q", got)
	}

	// Sign-in: the right password gives the same subject (and, as in the pack, no email).
	for _, tc := range []struct{ email, password, want string }{
		{"ana@contoso.com", "nope", "Your password is incorrect."},
		{"nobody@contoso.com", "Passw0rd!x", "We can't seem to find your account."},
	} {
		b = srv.NewBrowser(t)
		page = b.Submit(b.Get(customAuthorize()), "button#next", map[string]string{"signInName": tc.email, "password": tc.password})
		if got := page.Text(".error.pageLevel"); got != tc.want {
			t.Errorf("sign-in %s/%s: %q, want %q", tc.email, tc.password, got, tc.want)
		}
	}
	b = srv.NewBrowser(t)
	again := idToken(t, srv, b.Submit(b.Get(customAuthorize()), "button#next", map[string]string{"signInName": "ana@contoso.com", "password": "Passw0rd!x"}))
	if again["sub"] != claims["sub"] || again["email"] != nil || again["name"] != "Ana" {
		t.Errorf("sign-in claims = %v", again)
	}

	// Facebook: the first sign-in asks for the profile, the second goes straight to the token.
	social := func() (*emulatortest.Browser, *emulatortest.Page) {
		b := srv.NewBrowser(t)
		page := b.Submit(b.Get(customAuthorize()), "button#FacebookExchange", nil)
		return b, b.Submit(page, `button.fixtureAccount[value="fb-7"]`, nil)
	}
	b, page = social()
	if page.Doc.Find("input#displayName").AttrOr("value", "") != "Mia Chen" {
		t.Fatalf("social profile page:\n%s", page.Body)
	}
	first := idToken(t, srv, b.Submit(page, "button#continue", nil))
	// Only a relying party that lists identityProvider among its output claims sends idp.
	wantIdp := any(nil)
	if strings.Contains(readPack(t, "SocialAndLocalAccounts", "SignUpOrSignin.xml")["SignUpOrSignin.xml"], `"identityProvider"`) {
		wantIdp = "facebook.com"
	}
	if first["idp"] != wantIdp || first["name"] != "Mia Chen" || first["sub"] == claims["sub"] {
		t.Errorf("social sign-up claims = %v", first)
	}
	_, page = social()
	if second := idToken(t, srv, page); second["sub"] != first["sub"] {
		t.Errorf("social sign-in claims = %v", second)
	}
	// domain_hint=facebook.com: the base's <Domain>, though the Extensions redeclare the
	// profile in a ClaimsProvider without one.
	if page := srv.NewBrowser(t).Get(customAuthorize() + "&domain_hint=facebook.com"); page.Doc.Find(`button.fixtureAccount[value="fb-7"]`).Length() != 1 {
		t.Errorf("domain_hint:\n%s", page.Body)
	}
	var mia map[string]any
	for _, u := range listUsers(t, srv) {
		if u["objectId"] == first["sub"] {
			mia = u
		}
	}
	attrs, _ := mia["attributes"].(map[string]any)
	if upn, _ := attrs["userPrincipalName"].(string); !regexp.MustCompile(`^cpim_[0-9a-f-]{36}@contoso\.onmicrosoft\.com$`).MatchString(upn) {
		t.Errorf("social user = %v", mia)
	}
}

// TestStarterPackLocalAccounts runs the LocalAccounts files unchanged: sign-up, sign-in and a
// refresh token; then the same with the SocialAndLocalAccounts base, a superset of the
// LocalAccounts one that some revisions alone give the refresh journey.
func TestStarterPackLocalAccounts(t *testing.T) {
	for _, base := range []string{"LocalAccounts", "SocialAndLocalAccounts"} {
		t.Run(base, func(t *testing.T) { localAccounts(t, base) })
	}
}

func localAccounts(t *testing.T, base string) {
	srv := startPack(t, "LocalAccounts", base, "")
	disco := srv.URL + customPath + "/v2.0/.well-known/openid-configuration"
	b := srv.NewBrowser(t)
	q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid offline_access"}, "response_type": {"code"}}
	page := verified(t, srv, b, b.Follow(b.Get(customPath+"/oauth2/v2.0/authorize?"+q.Encode()), "a#createAccount"), "lee@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "lee@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "displayName": "Lee", "givenName": "Lee", "surname": "Park"})
	if page.Location == nil || page.Location.Query().Get("code") == "" {
		t.Fatalf("no code: %d\n%s", page.Status, page.Body)
	}
	status, out := redeemAt(t, srv, customPath, url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {page.Location.Query().Get("code")}})
	if status != 200 {
		t.Fatalf("code: %d %v", status, out)
	}
	claims := srv.Verify(t, disco, out["id_token"].(string))
	if claims["email"] != "lee@contoso.com" || claims["family_name"] != "Park" || claims["sub"] == nil {
		t.Errorf("sign-up claims = %v", claims)
	}

	// The refresh token: with the relying party's Token endpoint and the base's
	// RedeemRefreshToken journey the directory is read again, and the sign-up's email (which
	// the journey does not set) is gone; a pack revision without the journey re-issues the
	// sign-up's claims.
	journey := strings.Contains(readPack(t, base, "TrustFrameworkBase.xml")["TrustFrameworkBase.xml"], `UserJourney Id="RedeemRefreshToken"`) &&
		strings.Contains(readPack(t, "LocalAccounts", "SignUpOrSignin.xml")["SignUpOrSignin.xml"], `UserJourneyReferenceId="RedeemRefreshToken"`)
	status, out = redeemAt(t, srv, customPath, url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {out["refresh_token"].(string)}})
	if status != 200 {
		t.Fatalf("refresh: %d %v", status, out)
	}
	refreshed := srv.Verify(t, disco, out["id_token"].(string))
	wantEmail := any("lee@contoso.com")
	if journey {
		wantEmail = nil
	}
	if refreshed["sub"] != claims["sub"] || refreshed["name"] != "Lee" || refreshed["family_name"] != "Park" || refreshed["email"] != wantEmail {
		t.Errorf("refreshed claims = %v (refresh journey: %v)", refreshed, journey)
	}

	b = srv.NewBrowser(t)
	again := idToken(t, srv, b.Submit(b.Get(customAuthorize()), "button#next", map[string]string{"signInName": "lee@contoso.com", "password": "Passw0rd!x"}))
	if again["sub"] != claims["sub"] || again["given_name"] != "Lee" || again["email"] != nil {
		t.Errorf("sign-in claims = %v", again)
	}
}

// TestStarterPackDisplayControls runs the display-control starter pack's LocalAccounts files
// unchanged: sign-up and password reset verify the address with its VerificationControl and
// Azure AD SSPR's email code, with the pack's localized texts.
func TestStarterPackDisplayControls(t *testing.T) {
	const pack = "Display Controls Starterpack/LocalAccounts"
	srv := startPack(t, pack, "", "")
	b := srv.NewBrowser(t)
	page := b.Follow(b.Get(customAuthorize()), "a#createAccount")
	if page.Text("#emailVerificationControl_but_send_code") != "Send verification code" || page.Doc.Find("#email_ver_but_send").Length() != 0 {
		t.Fatalf("sign-up page:\n%s", page.Body)
	}
	form := map[string]string{"email": "dc@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x", "displayName": "Dee", "givenName": "Dee", "surname": "Ray"}
	page = b.Submit(page, "button#continue", form)
	if got := page.Text("#claimVerificationServerError"); got != notVerifiedText {
		t.Errorf("unverified submit: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", form)
	if got := page.Text("#emailVerificationControl_info_message"); got != "Verification code has been sent to your inbox. Please copy it to the input box below." {
		t.Errorf("sent: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": "x"})
	if got := page.Text("#emailVerificationControl_error_message"); got != "That code is incorrect. Please try again." {
		t.Errorf("wrong code: %q", got)
	}
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": outboxCode(t, srv, "dc@contoso.com")})
	if got := page.Text("#emailVerificationControl_but_change_claims"); got != "Change e-mail" {
		t.Fatalf("verified: %q\n%s", got, page.Body)
	}
	claims := idToken(t, srv, b.Submit(page, "button#continue", form))
	if claims["email"] != "dc@contoso.com" || claims["family_name"] != "Ray" {
		t.Errorf("sign-up claims = %v", claims)
	}

	// Password reset: the same control on the discovery page, then the new password.
	b = srv.NewBrowser(t)
	page = b.Get(authorizeFor("B2C_1A_PasswordReset"))
	page = b.Submit(page, "button#emailVerificationControl_but_send_code", map[string]string{"email": "dc@contoso.com"})
	page = b.Submit(page, "button#emailVerificationControl_but_verify_code", map[string]string{"verificationCode": outboxCode(t, srv, "dc@contoso.com")})
	page = b.Submit(page, "button#continue", map[string]string{"email": "dc@contoso.com"})
	if page.Doc.Find("input#newPassword").Length() != 1 {
		t.Fatalf("not the new password page:\n%s", page.Body)
	}
	if reset := idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"newPassword": "N3w-Passw0rd", "reenterPassword": "N3w-Passw0rd"})); reset["sub"] != claims["sub"] {
		t.Errorf("password reset claims = %v", reset)
	}
	b = srv.NewBrowser(t)
	if again := idToken(t, srv, b.Submit(b.Get(customAuthorize()), "button#next", map[string]string{"signInName": "dc@contoso.com", "password": "N3w-Passw0rd"})); again["sub"] != claims["sub"] {
		t.Errorf("sign-in with the new password: %v", again)
	}
}

const notVerifiedText = "The claims for verification control have not been verified."

// TestStarterPackProfileEdit runs the SocialAndLocalAccounts ProfileEdit relying party when the
// checkout has it: the provider choice (Facebook or the local account), the sign-in page,
// then the profile page, written to the directory.
func TestStarterPackProfileEdit(t *testing.T) {
	if _, err := os.Stat(filepath.Join(starterPack(t), "SocialAndLocalAccounts", "ProfileEdit.xml")); err != nil {
		t.Skip("the checkout has no SocialAndLocalAccounts/ProfileEdit.xml")
	}
	srv := startPack(t, "SocialAndLocalAccounts", "", "")
	post(t, srv.Client, "POST", srv.URL+"/_emulator/users", map[string]any{"email": "pe@contoso.com", "password": "Passw0rd!x",
		"attributes": map[string]any{"displayName": "Pat", "givenName": "Pat"}}, nil)
	b := srv.NewBrowser(t)
	page := b.Get(authorizeFor("B2C_1A_ProfileEdit"))
	if page.Doc.Find("button#FacebookExchange").Length() != 1 || page.Doc.Find("button#LocalAccountSigninEmailExchange").Length() != 1 {
		t.Fatalf("provider choice:\n%s", page.Body)
	}
	page = b.Submit(page, "button#LocalAccountSigninEmailExchange", nil)
	page = b.Submit(page, "button#continue", map[string]string{"signInName": "pe@contoso.com", "password": "Passw0rd!x"})
	if page.Doc.Find("input#givenName").AttrOr("value", "") != "Pat" {
		t.Fatalf("profile page:\n%s", page.Body)
	}
	claims := idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"givenName": "Patricia", "surname": "Lee"}))
	if claims["sub"] != listUsers(t, srv)[0]["objectId"] {
		t.Errorf("claims = %v", claims)
	}
	if attrs := listUsers(t, srv)[0]["attributes"].(map[string]any); attrs["givenName"] != "Patricia" || attrs["surname"] != "Lee" {
		t.Errorf("attributes = %v", attrs)
	}
}

// TestStarterPackMfa runs the SocialAndLocalAccountsWithMfa pack unchanged: sign-up writes the
// user, then PhoneFactor-InputOrVerify enrols a number (its code from the text message
// outbox) and AAD-UserWritePhoneNumberUsingObjectId keeps it; the next sign-in verifies the
// number on record.
func TestStarterPackMfa(t *testing.T) {
	srv := startPack(t, "SocialAndLocalAccountsWithMfa", "", `
identityProviders:
  - id: facebook.com
    displayName: Facebook
    accounts:
      - {issuerAssignedId: "fb-7", email: mia@example.com, displayName: Mia Chen}
`)
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "noa@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "noa@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "displayName": "Noa", "givenName": "Noa", "surname": "Levi"})
	if page.Doc.Find(`#api[data-name="Phonefactor"]`).Length() != 1 || page.Doc.Find("input#number").Length() != 1 ||
		page.Doc.Find("button#sendCode").Length() != 1 || page.Doc.Find("button#sendCall").Length() != 1 {
		t.Fatalf("no phone enrolment after sign-up:\n%s", page.Body)
	}
	page = b.Submit(page, "button#sendCode", map[string]string{"countryCode": "GB", "number": "07700 900123"})
	code := phoneCode(t, srv.URL, srv.Client, "+447700900123", "B2C_1A_signup_signin", 1)
	claims := idToken(t, srv, b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": code}))
	users := listUsers(t, srv)
	if len(users) != 1 || claims["sub"] != users[0]["objectId"] || claims["name"] != "Noa" ||
		users[0]["attributes"].(map[string]any)["strongAuthenticationPhoneNumber"] != "+447700900123" {
		t.Fatalf("sign-up: claims %v, users %v", claims, users)
	}

	b = srv.NewBrowser(t)
	page = b.Submit(b.Get(customAuthorize()), "button#next", map[string]string{"signInName": "noa@contoso.com", "password": "Passw0rd!x"})
	if page.Doc.Find("input#number").Length() != 0 || page.Text("#phoneNumber") != "+XXXXXXXX0123" {
		t.Fatalf("sign-in: the number on record is not shown masked:\n%s", page.Body)
	}
	page = b.Submit(page, "button#sendCall", nil)
	var out smsOutbox
	post(t, srv.Client, "GET", srv.URL+"/_emulator/sms", nil, &out)
	if len(out.SMS) != 2 || out.SMS[0].Channel != "call" {
		t.Fatalf("outbox %+v", out)
	}
	again := idToken(t, srv, b.Submit(page, "button#verifyCode", map[string]string{"verificationCode": out.SMS[0].Code}))
	if again["sub"] != claims["sub"] {
		t.Errorf("sign-in claims %v", again)
	}
}
