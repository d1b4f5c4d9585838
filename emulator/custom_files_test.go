package emulator_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/config"
)

// TestCustomPolicyHotReload: saving a policy file reloads it; a broken save is refused with
// the file and line, and the running policies stay.
func TestCustomPolicyHotReload(t *testing.T) {
	srv, dir := startLoyaltyIn(t, &loyaltyAPI{}, nil, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Em.Watch(ctx, srv.Config, func(string) string { return "" }, config.Override{Key: "server.addr", Value: "127.0.0.1:0", From: "the test"})
	time.Sleep(50 * time.Millisecond) // let the watcher start
	label := func() string {
		b := srv.NewBrowser(t)
		return b.Follow(b.Get(customAuthorize()), "a#createAccount").Text("label[for=loyaltyId]")
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not happen:\n%s", what, srv.Log.String())
			}
		}
	}
	if got := label(); got != "Your loyalty ID" {
		t.Fatalf("label = %q", got)
	}
	ext := filepath.Join(dir, "TrustFrameworkExtensions.xml")
	orig, _ := os.ReadFile(ext)
	os.WriteFile(ext, []byte(policyEdit(t, string(orig), "Your loyalty ID", "Loyalty number")), 0o644)
	waitFor("the policy reload", func() bool { return label() == "Loyalty number" })

	os.WriteFile(ext, []byte(policyEdit(t, string(orig), `ReferenceId="REST-ValidateProfile"`, `ReferenceId="REST-Missing"`)), 0o644)
	waitFor("the refusal", func() bool { return strings.Contains(srv.Log.String(), "configuration reload refused") })
	if !strings.Contains(srv.Log.String(), "TrustFrameworkExtensions.xml:") || !strings.Contains(srv.Log.String(), "REST-Missing") {
		t.Errorf("the refusal does not name the file, line and profile:\n%s", srv.Log.String())
	}
	if got := label(); got != "Loyalty number" {
		t.Errorf("after a broken save the label is %q; the running policies should stay", got)
	}
}

// TestCustomPolicyUnsupportedElement: a journey that reaches something b2cemu does not run ends
// on B2C's error page, and the log names the file, line and element.
func TestCustomPolicyUnsupportedElement(t *testing.T) {
	edit := func(s string) string {
		s = policyEdit(t, s, `    </ClaimsSchema>`, `    </ClaimsSchema>
    <ClaimsTransformations>
      <ClaimsTransformation Id="AgeGroup" TransformationMethod="GetAgeGroupAndConsentStatus">
        <InputClaims><InputClaim ClaimTypeReferenceId="email" TransformationClaimType="dateOfBirth" /></InputClaims>
      </ClaimsTransformation>
    </ClaimsTransformations>`)
		return policyEdit(t, s, `<InputClaims>
            <InputClaim ClaimTypeReferenceId="loyaltyId" />`, `<InputClaimsTransformations><InputClaimsTransformation ReferenceId="AgeGroup" /></InputClaimsTransformations>
          <InputClaims>
            <InputClaim ClaimTypeReferenceId="loyaltyId" />`)
	}
	api := &loyaltyAPI{}
	srv, _ := startLoyaltyIn(t, api, policyEdits{extensionsXML: edit}, "")
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "un@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "un@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "loyaltyId": "L-1"})
	if page.Status != http.StatusOK && page.Status != http.StatusBadRequest && page.Status != http.StatusInternalServerError || !strings.Contains(page.Body, "AADB2C90075") {
		t.Fatalf("not B2C's error page: %d\n%s", page.Status, page.Body)
	}
	log := srv.Log.String()
	if !strings.Contains(log, "TrustFrameworkExtensions.xml:") || !strings.Contains(log, "GetAgeGroupAndConsentStatus") {
		t.Errorf("the log does not name the file, line and element:\n%s", log)
	}
	if len(api.calls()) != 0 || len(listUsers(t, srv)) != 0 {
		t.Error("the journey went on past the unsupported element")
	}
}

// TestCustomPolicySAMLRelyingParty: a relying party speaking SAML 2.0 loads with a warning,
// and its authorize requests end on the error page with a diagnostic, not a silent OIDC token.
func TestCustomPolicySAMLRelyingParty(t *testing.T) {
	edit := replaceIn(t, signUpXML, `<Protocol Name="OpenIdConnect" />`, `<Protocol Name="SAML2" />`)
	srv, _ := startLoyaltyIn(t, &loyaltyAPI{}, edit, "")
	page := srv.NewBrowser(t).Get(customAuthorize())
	if !strings.Contains(page.Body, "AADB2C90075") || page.Doc.Find("#signInName").Length() != 0 {
		t.Fatalf("not the error page:\n%s", page.Body)
	}
	if log := srv.Log.String(); !strings.Contains(log, "the relying party speaks SAML2") || !strings.Contains(log, "a relying party speaking SAML2") {
		t.Errorf("log:\n%s", log)
	}
}
