package journey

import (
	"net/http"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/policy/policytest"
	"github.com/b2cemu/b2cemu/emulator/store"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// selfAssertedEngine loads b2cemu's self-asserted settings fixture
// (emulator/testdata/selfasserted), its base file's text edited by edit.
func selfAssertedEngine(t *testing.T, edit func(string) string) *Engine {
	t.Helper()
	policies := fixturePolicies(t, "selfasserted", []string{"SelfAssertedBase.xml", "sa_message.xml", "sa_retry.xml"}, func(name, text string) string {
		if name == "SelfAssertedBase.xml" && edit != nil {
			return edit(text)
		}
		return text
	})
	return &Engine{Policies: policies, Directory: store.NewUsers(4), Tenant: "contoso", TenantID: "t", HTTP: &http.Client{Timeout: 5 * time.Second},
		Now: time.Now, NewID: func() string { return "new-1" }}
}

// TestSelfAssertedButtons: setting.showContinueButton and setting.showCancelButton, in any
// case, hide the page's #continue and #cancel when false; true or no item shows them; the
// page's fields are the same either way.
func TestSelfAssertedButtons(t *testing.T) {
	const items = `<Item Key="setting.showContinueButton">false</Item>
            <Item Key="setting.showCancelButton">false</Item>`
	for _, tc := range []struct {
		name, items            string
		hideContinue, hideCanc bool
	}{
		{"both false", items, true, true},
		{"any case", `<Item Key="setting.showContinueButton">FALSE</Item><Item Key="setting.showCancelButton"> False </Item>`, true, true},
		{"both true", `<Item Key="setting.showContinueButton">true</Item><Item Key="setting.showCancelButton">True</Item>`, false, false},
		{"no items", ``, false, false},
		{"only cancel hidden", `<Item Key="setting.showCancelButton">false</Item>`, false, true},
		{"only continue hidden", `<Item Key="setting.showContinueButton">false</Item>`, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := selfAssertedEngine(t, func(s string) string { return policytest.Edit(t, s, items, tc.items) })
			r := e.Start(t.Context(), "B2C_1A_sa_message", "run-1", "app", "")
			if r.Phase != engine.PhaseAttributes || r.Page == nil {
				t.Fatalf("phase %s, failure %+v", r.Phase, r.Failure)
			}
			if r.Page.HideContinue != tc.hideContinue || r.Page.HideCancel != tc.hideCanc {
				t.Errorf("hide continue %v, cancel %v; want %v, %v", r.Page.HideContinue, r.Page.HideCancel, tc.hideContinue, tc.hideCanc)
			}
			if len(r.Page.Fields) != 1 || r.Page.Fields[0].ID != "message" || r.Page.Fields[0].InputType != "Paragraph" ||
				r.Values.String("message") != "You already have an account. Sign in with it instead." {
				t.Errorf("fields %+v, values %v", r.Page.Fields, r.Values)
			}
		})
	}
}

// TestSelfAssertedRetryLimit: setting.retryLimit is the number of retries after a first
// submission that a validation profile refuses: the page shows the error until the user
// has failed once more than the limit, and that failure ends the journey with AADB2C90157,
// sent to the application. Submissions the page's own checks refuse (a required field
// missing) are not counted, and a right submission goes on.
func TestSelfAssertedRetryLimit(t *testing.T) {
	const limit = `<Item Key="setting.retryLimit">2</Item>`
	wrong := map[string]string{"string1": "ABC", "string2": "123"}
	right := map[string]string{"string1": "abc", "string2": "ABC"}
	missing := map[string]string{"string1": "", "string2": "123"}
	for _, tc := range []struct {
		name, item string
		submit     []map[string]string
		want       engine.Phase
	}{
		{"two retries", limit, []map[string]string{wrong, wrong}, engine.PhaseAttributes},
		{"a third failure", limit, []map[string]string{wrong, wrong, wrong}, engine.PhaseFailed},
		{"right on the last retry", limit, []map[string]string{wrong, wrong, right}, engine.PhaseDone},
		{"missing fields are not counted", limit, []map[string]string{wrong, missing, missing, missing, wrong}, engine.PhaseAttributes},
		{"zero: the first failure", `<Item Key="setting.retryLimit">0</Item>`, []map[string]string{wrong}, engine.PhaseFailed},
		{"white space", `<Item Key="setting.retryLimit"> 1 </Item>`, []map[string]string{wrong, wrong}, engine.PhaseFailed},
		{"no limit", ``, []map[string]string{wrong, wrong, wrong, wrong, wrong, wrong, wrong, wrong}, engine.PhaseAttributes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := selfAssertedEngine(t, func(s string) string { return policytest.Edit(t, s, limit, tc.item) })
			r := e.Start(t.Context(), "B2C_1A_sa_retry", "run-1", "app", "")
			for i, values := range tc.submit {
				if r.Phase != engine.PhaseAttributes {
					t.Fatalf("submission %d: phase %s, failure %+v", i+1, r.Phase, r.Failure)
				}
				if err := e.Advance(t.Context(), "B2C_1A_sa_retry", r, engine.SubmitAttributes{Values: values}); err != nil {
					t.Fatal(err)
				}
			}
			if r.Phase != tc.want {
				t.Fatalf("phase %s, want %s; page error %q, failure %+v", r.Phase, tc.want, r.PageError, r.Failure)
			}
			switch tc.want {
			case engine.PhaseAttributes:
				if last := tc.submit[len(tc.submit)-1]; last["string1"] != "" && r.PageError != "The two strings must be the same." {
					t.Errorf("page error %q", r.PageError)
				}
			case engine.PhaseFailed:
				f := r.Failure
				if f.Code != "AADB2C90157" || f.Message != "User has exceeded the maximum number for retries for a self-asserted step." || !f.Redirect || f.OAuth != "server_error" {
					t.Errorf("failure %+v", f)
				}
			}
		})
	}
}

// TestSelfAssertedRetriesPerPage: the count belongs to the page's showing: a profile shown
// again in a later step starts with the whole limit.
func TestSelfAssertedRetriesPerPage(t *testing.T) {
	const step2 = `<OrchestrationStep Order="2" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>`
	e := selfAssertedEngine(t, func(s string) string {
		return policytest.Edit(t, s, step2, `<OrchestrationStep Order="2" Type="ClaimsExchange">
          <ClaimsExchanges><ClaimsExchange Id="Again" TechnicalProfileReferenceId="Page-Retry" /></ClaimsExchanges>
        </OrchestrationStep>
        <OrchestrationStep Order="3" Type="SendClaims" CpimIssuerTechnicalProfileReferenceId="JwtIssuer" />
      </OrchestrationSteps>
    </UserJourney>
  </UserJourneys>`)
	})
	r := e.Start(t.Context(), "B2C_1A_sa_retry", "run-1", "app", "")
	wrong, right := map[string]string{"string1": "a", "string2": "b"}, map[string]string{"string1": "a", "string2": "A"}
	for i, values := range []map[string]string{wrong, wrong, right, wrong, wrong} {
		if err := e.Advance(t.Context(), "B2C_1A_sa_retry", r, engine.SubmitAttributes{Values: values}); err != nil {
			t.Fatal(err)
		}
		if r.Phase != engine.PhaseAttributes {
			t.Fatalf("after submission %d: phase %s, failure %+v", i+1, r.Phase, r.Failure)
		}
	}
}

// TestParagraphIsNotAnInput: a Paragraph claim is text on the page, not an input: whatever a
// post sends for it (a value, none, another case of its name), the claim keeps the value the
// page showed, into the token and on a refused page shown again; a Required="true" on it asks
// nothing of the user and draws no required-field error.
func TestParagraphIsNotAnInput(t *testing.T) {
	const message = "You already have an account. Sign in with it instead."
	for _, tc := range []struct {
		name, output string
		post         map[string]string
		want         engine.Phase
	}{
		{"a posted value", `<OutputClaim ClaimTypeReferenceId="message" />`, map[string]string{"message": "typed", "string1": "x"}, engine.PhaseDone},
		{"another case", `<OutputClaim ClaimTypeReferenceId="message" />`, map[string]string{"MESSAGE": "typed", "string1": "x"}, engine.PhaseDone},
		{"no value", `<OutputClaim ClaimTypeReferenceId="message" />`, map[string]string{"string1": "x"}, engine.PhaseDone},
		{"required", `<OutputClaim ClaimTypeReferenceId="message" Required="true" />`, map[string]string{"message": "", "string1": "x"}, engine.PhaseDone},
		{"a refused page", `<OutputClaim ClaimTypeReferenceId="message" />`, map[string]string{"message": "typed", "string1": ""}, engine.PhaseAttributes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			policies := fixturePolicies(t, "selfasserted", []string{"SelfAssertedBase.xml", "sa_message.xml"}, func(name, text string) string {
				if name == "sa_message.xml" {
					return policytest.Edit(t, text, `<OutputClaim ClaimTypeReferenceId="string1" />`, `<OutputClaim ClaimTypeReferenceId="string1" /><OutputClaim ClaimTypeReferenceId="message" />`)
				}
				text = policytest.Edit(t, text, `<Item Key="setting.showContinueButton">false</Item>`, ``)
				return policytest.Edit(t, text, `<OutputClaims><OutputClaim ClaimTypeReferenceId="message" /></OutputClaims>`,
					`<OutputClaims>`+tc.output+`<OutputClaim ClaimTypeReferenceId="string1" Required="true" /></OutputClaims>`)
			})
			e := &Engine{Policies: policies, Directory: store.NewUsers(4), Tenant: "contoso", TenantID: "t", Now: time.Now, NewID: func() string { return "new-1" }}
			r := e.Start(t.Context(), "B2C_1A_sa_message", "run-1", "app", "")
			if r.Phase != engine.PhaseAttributes || len(r.Page.Fields) != 2 || r.Page.Fields[0].InputType != "Paragraph" || r.Page.Fields[0].Required {
				t.Fatalf("phase %s, fields %+v, failure %+v", r.Phase, r.Page.Fields, r.Failure)
			}
			if err := e.Advance(t.Context(), "B2C_1A_sa_message", r, engine.SubmitAttributes{Values: tc.post}); err != nil {
				t.Fatal(err)
			}
			if r.Phase != tc.want {
				t.Fatalf("phase %s, want %s; field errors %v, failure %+v", r.Phase, tc.want, r.FieldErrors, r.Failure)
			}
			if got := r.TokenClaims["message"]; tc.want == engine.PhaseDone && got != message {
				t.Errorf("the token's message %q, want the page's %q", got, message)
			}
			if got := r.Values.String("message"); tc.want == engine.PhaseAttributes && (got != message || r.FieldErrors["message"] != "" || r.FieldErrors["string1"] == "") {
				t.Errorf("the page again: message %q, field errors %v", got, r.FieldErrors)
			}
		})
	}
}

// TestShownText: what a post says of a Paragraph field (a submission's or a verification
// button's) is replaced by the page's value; the other fields are as posted.
func TestShownText(t *testing.T) {
	page := &engine.Page{Fields: []engine.PageField{{ID: "notice", InputType: "Paragraph"}, {ID: "empty", InputType: "Paragraph"}, {ID: "email", InputType: "EmailBox"}}}
	for _, tc := range []struct {
		name       string
		page       *engine.Page
		post, want map[string]string
	}{
		{"a posted value", page, map[string]string{"notice": "typed", "email": "a@b.c"}, map[string]string{"notice": "Read me.", "email": "a@b.c"}},
		{"another case", page, map[string]string{"NOTICE": "typed", "Empty": "x"}, map[string]string{"notice": "Read me."}},
		{"nothing posted", page, map[string]string{}, map[string]string{"notice": "Read me."}},
		{"no page", nil, map[string]string{"notice": "typed"}, map[string]string{"notice": "typed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &engine.Run{Page: tc.page, Values: engine.Claims{"notice": "Read me.", "email": "old@b.c"}}
			got := shownText(r, tc.post)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}
