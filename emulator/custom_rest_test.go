package emulator_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

func TestCustomPolicyRESTCallsInInspector(t *testing.T) {
	api := &loyaltyAPI{}
	srv := startLoyalty(t, api)
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "bo@contoso.com")
	form := map[string]string{"email": "bo@contoso.com", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x", "displayName": "Bo", "loyaltyId": "bad-1"}
	page = b.Submit(page, "button#continue", form)
	var calls struct{ Calls []map[string]any }
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls", nil, &calls)
	if len(calls.Calls) != 1 {
		t.Fatalf("inspector calls = %d, want 1", len(calls.Calls))
	}
	c := calls.Calls[0]
	if c["connector"] != "REST-ValidateProfile" || c["step"] != "ValidationTechnicalProfile" || c["outcome"] != "ValidationError" ||
		c["userMessage"] != "Your loyalty number is not valid." || c["request"].(map[string]any)["loyaltyId"] != "bad-1" {
		t.Errorf("inspector call = %v", c)
	}
	if a := c["attempts"].([]any); len(a) != 1 || a[0].(map[string]any)["status"] != float64(409) {
		t.Errorf("attempts = %v", c["attempts"])
	}

	// The same email twice: the directory refuses the second account.
	form["loyaltyId"] = "L-1"
	idToken(t, srv, b.Submit(page, "button#continue", form))
	b2 := srv.NewBrowser(t)
	page = b2.Submit(verified(t, srv, b2, b2.Follow(b2.Get(customAuthorize()), "a#createAccount"), "bo@contoso.com"), "button#continue", form)
	if got := page.Text("#claimVerificationServerError"); got != "A user with the specified ID already exists. Please choose a different one." {
		t.Errorf("duplicate sign-up: %q", got)
	}

	// Mismatched passwords never reach the API.
	before := len(api.calls())
	form["reenterPassword"] = "Other0rd!x"
	page = b2.Submit(page, "button#continue", form)
	if !page.Visible("#passwordEntryMismatch") || len(api.calls()) != before {
		t.Errorf("password mismatch: visible=%v, API calls %d → %d", page.Visible("#passwordEntryMismatch"), before, len(api.calls()))
	}
}

func TestCustomPolicyUnreachableService(t *testing.T) {
	srv := startLoyalty(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close() // no answer at all
	}))
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "di@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "di@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "displayName": "Di", "loyaltyId": "L-9"})
	if got := page.Text("#claimVerificationServerError"); !strings.HasPrefix(got, "Failed to establish connection to restful service end point.") {
		t.Errorf("page error = %q", got)
	}
	var calls struct{ Calls []map[string]any }
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls", nil, &calls)
	if len(calls.Calls) != 1 || calls.Calls[0]["outcome"] != "failure" || len(calls.Calls[0]["attempts"].([]any)) != 2 ||
		!strings.Contains(calls.Calls[0]["diagnostic"].(string), "retries once") {
		t.Errorf("calls = %v", calls.Calls)
	}
	if !strings.Contains(srv.Log.String(), "RESTful technical profile failed") {
		t.Error("the failure was not logged")
	}
	if users := listUsers(t, srv); len(users) != 0 {
		t.Errorf("users = %v", users)
	}
}

// TestCustomPolicyRESTAuthentication: Basic and ApiKeyHeader take their secrets from policyKeys,
// and the inspector shows them redacted.
func TestCustomPolicyRESTAuthentication(t *testing.T) {
	for _, tc := range []struct {
		name, metadata, keys, header, want, shown string
	}{
		{"Basic", `<Item Key="AuthenticationType">Basic</Item>`,
			`<Key Id="BasicAuthenticationUsername" StorageReferenceId="B2C_1A_RestApiUsername" /><Key Id="BasicAuthenticationPassword" StorageReferenceId="B2C_1A_RestApiPassword" />`,
			"Authorization", "Basic YjJjOnBhNTU=", `Basic [redacted: user "b2c"]`},
		{"Bearer", `<Item Key="AuthenticationType">Bearer</Item>`,
			`<Key Id="BearerAuthenticationToken" StorageReferenceId="B2C_1A_RestApiKey" />`,
			"Authorization", "Bearer k3y", "Bearer [redacted]"},
		{"ApiKeyHeader", `<Item Key="AuthenticationType">ApiKeyHeader</Item>`,
			`<Key Id="x-functions-key" StorageReferenceId="B2C_1A_RestApiKey" />`,
			"X-Functions-Key", "k3y", "[redacted]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &loyaltyAPI{}
			srv, _ := startLoyaltyIn(t, api, restAuthentication(t, tc.metadata, tc.keys), "policyKeys: {B2C_1A_RestApiUsername: b2c, B2C_1A_RestApiPassword: pa55, B2C_1A_RestApiKey: k3y}\n")
			b := srv.NewBrowser(t)
			page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "au@contoso.com")
			idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"email": "au@contoso.com", "newPassword": "Passw0rd!x",
				"reenterPassword": "Passw0rd!x", "displayName": "Au", "loyaltyId": "L-3"}))
			api.mu.Lock()
			got := api.headers[0].Get(tc.header)
			api.mu.Unlock()
			if got != tc.want {
				t.Errorf("%s = %q, want %q", tc.header, got, tc.want)
			}
			var calls struct {
				Calls []struct{ RequestHeaders map[string]string }
			}
			post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls", nil, &calls)
			shown := ""
			for k, v := range calls.Calls[0].RequestHeaders {
				if strings.EqualFold(k, tc.header) {
					shown = v
				}
			}
			if shown != tc.shown {
				t.Errorf("inspector shows %s = %q, want %q", tc.header, shown, tc.shown)
			}
		})
	}
}

// TestCustomPolicyRESTRequestShapes: a claim sent as the whole body, and the warning for a
// claim resolver without IncludeClaimResolvingInClaimsHandling.
func TestCustomPolicyRESTRequestShapes(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(raw))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"promoCode":"P"}`)
	})
	edit := replaceIn(t, extensionsXML, `<Item Key="IncludeClaimResolvingInClaimsHandling">true</Item>`, `<Item Key="ClaimUsedForRequestPayload">email</Item>`)
	srv, _ := startLoyaltyIn(t, api, edit, "")
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "rq@contoso.com")
	idToken(t, srv, b.Submit(page, "button#continue", map[string]string{"email": "rq@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "loyaltyId": "L-1"}))
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 || bodies[0] != "rq@contoso.com" {
		t.Errorf("bodies = %q, want the email claim as the whole body", bodies)
	}
	var calls struct{ Calls []struct{ Warnings []string } }
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls", nil, &calls)
	if len(calls.Calls) != 1 || len(calls.Calls[0].Warnings) != 1 || !strings.Contains(calls.Calls[0].Warnings[0], "IncludeClaimResolvingInClaimsHandling") {
		t.Errorf("warnings = %+v", calls.Calls)
	}
}

// TestCustomPolicyBearerWithoutToken: Bearer authentication with no token configured stops at
// the page with AADB2C90194's text, calls nothing, and tells the developer what is missing.
func TestCustomPolicyBearerWithoutToken(t *testing.T) {
	api := &loyaltyAPI{}
	edit := replaceIn(t, extensionsXML, `<Item Key="AuthenticationType">None</Item>`, `<Item Key="AuthenticationType">Bearer</Item>`)
	srv, _ := startLoyaltyIn(t, api, edit, "")
	b := srv.NewBrowser(t)
	page := verified(t, srv, b, b.Follow(b.Get(customAuthorize()), "a#createAccount"), "br@contoso.com")
	page = b.Submit(page, "button#continue", map[string]string{"email": "br@contoso.com", "newPassword": "Passw0rd!x",
		"reenterPassword": "Passw0rd!x", "loyaltyId": "L-1"})
	if got := page.Text("#claimVerificationServerError"); got != "The claim to use as a bearer token has no value." {
		t.Errorf("page error = %q", got)
	}
	var calls struct {
		Calls []struct{ Outcome, Diagnostic string }
	}
	post(t, srv.Client, http.MethodGet, srv.URL+"/_emulator/calls", nil, &calls)
	if len(api.calls()) != 0 || len(calls.Calls) != 1 || !strings.Contains(calls.Calls[0].Diagnostic, "BearerAuthenticationToken") {
		t.Errorf("API calls %d, inspector %+v", len(api.calls()), calls.Calls)
	}
}
