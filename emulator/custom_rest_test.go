package emulator_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestCustomPolicyRESTRedirectNotFollowed: a RESTful profile's 3xx is the call's answer. The
// redirect's target, on another host, gets nothing, not even the ApiKeyHeader key; the user
// sees B2C's generic text and the developer a diagnostic naming the redacted Location.
func TestCustomPolicyRESTRedirectNotFollowed(t *testing.T) {
	var reached atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	t.Cleanup(elsewhere.Close)
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/api/ValidateProfile?code=Redirect-k3y", http.StatusTemporaryRedirect)
	})
	edit := restAuthentication(t, `<Item Key="AuthenticationType">ApiKeyHeader</Item>`, `<Key Id="x-functions-key" StorageReferenceId="B2C_1A_RestApiKey" />`)
	srv, _ := startLoyaltyIn(t, api, edit, "policyKeys: {B2C_1A_RestApiKey: Header-k3y}\n")
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "re@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "re@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "displayName": "Re", "loyaltyId": "L-7"})
	if got := page.Text("#claimVerificationServerError"); !strings.Contains(got, "returned HTTP error response with Code 'TemporaryRedirect'") {
		t.Errorf("page error = %q", got)
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the redirect's target got %d requests", n)
	}
	var calls struct{ Calls []map[string]any }
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls", nil, &calls)
	if len(calls.Calls) != 1 {
		t.Fatalf("calls = %v", calls.Calls)
	}
	diag, _ := calls.Calls[0]["diagnostic"].(string)
	if !strings.Contains(diag, "does not follow redirects") || !strings.Contains(diag, elsewhere.URL) {
		t.Errorf("diagnostic = %q", diag)
	}
	for _, v := range []string{page.Body, srv.Log.String(), diag} {
		for _, secret := range []string{"Redirect-k3y", "Header-k3y"} {
			if strings.Contains(v, secret) {
				t.Errorf("%q is shown", secret)
			}
		}
	}
	if users := listUsers(t, srv); len(users) != 0 {
		t.Errorf("users = %v", users)
	}
}

// restFirst is a relying party whose journey calls the REST profile before any page.
const restFirst = `<?xml version="1.0" encoding="UTF-8"?>
<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06" PolicySchemaVersion="0.3.0.0"
    TenantId="contoso.onmicrosoft.com" PolicyId="B2C_1A_rest_first" PublicPolicyUri="http://contoso.onmicrosoft.com/B2C_1A_rest_first">
  <BasePolicy><TenantId>contoso.onmicrosoft.com</TenantId><PolicyId>B2C_1A_TrustFrameworkExtensions</PolicyId></BasePolicy>
  <UserJourneys>
    <UserJourney Id="RestFirst">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="CallFirst" TechnicalProfileReferenceId="REST-ValidateProfile" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>
  <RelyingParty>
    <DefaultUserJourney ReferenceId="RestFirst" />
    <TechnicalProfile Id="PolicyProfile">
      <DisplayName>PolicyProfile</DisplayName>
      <Protocol Name="OpenIdConnect" />
      <OutputClaims><OutputClaim ClaimTypeReferenceId="promoCode" /></OutputClaims>
      <SubjectNamingInfo ClaimType="sub" />
    </TechnicalProfile>
  </RelyingParty>
</TrustFrameworkPolicy>
`

// TestCustomPolicyFirstCallEndsWithTheBrowser: a journey that calls a service before its
// first page makes that call with the browser's request, so a browser that goes away
// cancels it instead of leaving it to run out its timeout and retry.
func TestCustomPolicyFirstCallEndsWithTheBrowser(t *testing.T) {
	cancelled := make(chan struct{}, 2)
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server notices a closed connection once the body is read
		select {
		case <-r.Context().Done():
			cancelled <- struct{}{}
		case <-time.After(5 * time.Second):
		}
	})
	srv, _ := startLoyaltyIn(t, api, nil, "", map[string]string{"RestFirst.xml": restFirst})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	authorize := authorizeFor("B2C_1A_rest_first")
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+authorize, nil)
	if resp, err := srv.Client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the authorize request answered %d while its service was still working", resp.StatusCode)
	}
	select {
	case <-cancelled:
	case <-time.After(3 * time.Second):
		t.Fatal("the service's request was not cancelled when the browser left")
	}
}
