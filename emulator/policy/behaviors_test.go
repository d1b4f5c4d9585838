package policy_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/emulator/policy/policytest"
)

// withBehaviors loads the example set with the relying party's UserJourneyBehaviors holding
// behaviors (line 6 of SignUpOrSignin.xml, after the DefaultUserJourney) and returns the
// sign-up or sign-in policy, or the load error.
func withBehaviors(t *testing.T, behaviors string) (*policy.Policy, error) {
	t.Helper()
	dir := policytest.CopyEdited(t, loyalty, map[string]func(string) string{"SignUpOrSignin.xml": func(s string) string {
		return policyEdit(t, s, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" />`, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" /><UserJourneyBehaviors>`+behaviors+`</UserJourneyBehaviors>`)
	}})
	policies, err := policy.Load([]string{dir})
	if err != nil {
		return nil, err
	}
	return policies["b2c_1a_signup_signin"], nil
}

// checkBehaviors loads behaviors and compares read(policy) with want, or the load error with
// wantErr when it is set.
func checkBehaviors[T any](t *testing.T, behaviors, wantErr string, read func(*policy.Policy) T, want T) {
	t.Helper()
	p, err := withBehaviors(t, behaviors)
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error:\n%v\nlacks:\n%s", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := read(p); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestJourneyFraming: the relying party's JourneyFraming (Microsoft's "Embedded sign-up or
// sign-in experience" and the schema's JourneyFraming type) gives the origins that may frame
// the policy's pages when Enabled is true; Enabled false or no element frames nothing. A value
// the article or the schema refuses is a load error naming the file, line and fix.
func TestJourneyFraming(t *testing.T) {
	const at = `SignUpOrSignin.xml:6: JourneyFraming: `
	for _, tc := range []struct {
		name, behaviors string
		want            []string // the framing origins
		err             string
	}{
		{"absent", ``, nil, ""},
		{"enabled", `<JourneyFraming Enabled="true" Sources="https://somesite.com https://anothersite.com" />`, []string{"https://somesite.com", "https://anothersite.com"}, ""},
		{"any white space, a port, a trailing slash", `<JourneyFraming Enabled=" 1 " Sources="  https://app.contoso.com:8443/
		  https://www.contoso.com " />`, []string{"https://app.contoso.com:8443/", "https://www.contoso.com"}, ""},
		{"disabled", `<JourneyFraming Enabled="false" Sources="https://somesite.com" />`, nil, ""},
		{"disabled, sources not checked", `<JourneyFraming Enabled="0" Sources="http://localhost:3000" />`, nil, ""},
		{"before ScriptExecution", `<JourneyFraming Enabled="true" Sources="https://somesite.com" /><ScriptExecution>Allow</ScriptExecution>`, []string{"https://somesite.com"}, ""},
		{"Enabled not a boolean", `<JourneyFraming Enabled="yes" Sources="https://somesite.com" />`, nil,
			at + `Enabled "yes" is not a boolean; write Enabled="true" to let the listed Sources frame this policy's pages, or "false"`},
		{"no Enabled", `<JourneyFraming Sources="https://somesite.com" />`, nil, at + `has no Enabled attribute (B2C requires it); write Enabled="true"`},
		{"no Sources", `<JourneyFraming Enabled="true" />`, nil, at + `has no Sources attribute (B2C requires it); list the origins that may frame the pages, separated by spaces, such as Sources="https://app.contoso.com"`},
		{"empty Sources", `<JourneyFraming Enabled="true" Sources=" " />`, nil, at + `Sources lists no origin; list the origins that may frame the pages`},
		{"http", `<JourneyFraming Enabled="true" Sources="https://somesite.com http://localhost:3000" />`, nil,
			at + `Sources: "http://localhost:3000" uses the scheme http; each source must be an https URI (serve the framing page over https, such as https://localhost:3000)`},
		{"wildcard", `<JourneyFraming Enabled="true" Sources="https://*.contoso.com" />`, nil,
			at + `Sources: "https://*.contoso.com" holds a wildcard, which B2C does not support; list each origin in full, such as https://app.contoso.com`},
		{"commas", `<JourneyFraming Enabled="true" Sources="https://a.contoso.com,https://b.contoso.com" />`, nil,
			at + `Sources: "https://a.contoso.com,https://b.contoso.com" holds a comma; separate the URIs with spaces`},
		{"no host", `<JourneyFraming Enabled="true" Sources="app.contoso.com" />`, nil,
			at + `Sources: "app.contoso.com" is not an absolute https URI; write the framing application's origin, such as https://app.contoso.com`},
		{"query", `<JourneyFraming Enabled="true" Sources="https://app.contoso.com/?a=b;script-src" />`, nil,
			at + `Sources: "https://app.contoso.com/?a=b;script-src" has a query or fragment; write the framing application's origin, such as https://app.contoso.com`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkBehaviors(t, tc.behaviors, tc.err, func(p *policy.Policy) []string { return p.FrameAncestors }, tc.want)
		})
	}
}

// TestContentDefinitionParameters: the relying party's ContentDefinitionParameters (the
// relying party reference; the schema's ContentDefinitionParameters type) are kept in order,
// their values as written (claim resolvers are resolved when a page is shown). A Parameter
// without a Name, or a Name written twice, is a load error.
func TestContentDefinitionParameters(t *testing.T) {
	const at = `SignUpOrSignin.xml:6: `
	for _, tc := range []struct {
		name, behaviors string
		want            []policy.ContentParameter
		err             string
	}{
		{"absent", ``, nil, ""},
		{"the reference's", `<ContentDefinitionParameters><Parameter Name="campaignId">{OAUTH-KV:campaignId}</Parameter>
			<Parameter Name="lang">{Culture:LanguageName}</Parameter><Parameter Name="appId"> {OIDC:ClientId} </Parameter></ContentDefinitionParameters>`,
			[]policy.ContentParameter{{Name: "campaignId", Value: "{OAUTH-KV:campaignId}"}, {Name: "lang", Value: "{Culture:LanguageName}"}, {Name: "appId", Value: "{OIDC:ClientId}"}}, ""},
		{"a constant", `<ContentDefinitionParameters><Parameter Name="brand">fabrikam</Parameter></ContentDefinitionParameters>`,
			[]policy.ContentParameter{{Name: "brand", Value: "fabrikam"}}, ""},
		{"no Name", `<ContentDefinitionParameters><Parameter>{OAUTH-KV:campaignId}</Parameter></ContentDefinitionParameters>`, nil,
			at + `ContentDefinitionParameters Parameter: has no Name (B2C requires one); write the query parameter's name, such as <Parameter Name="campaignId">`},
		{"Name twice", `<ContentDefinitionParameters><Parameter Name="campaignId">a</Parameter><Parameter Name="campaignId">b</Parameter></ContentDefinitionParameters>`, nil,
			at + `ContentDefinitionParameters Parameter: the Name "campaignId" is written twice; keep one`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkBehaviors(t, tc.behaviors, tc.err, func(p *policy.Policy) []policy.ContentParameter { return p.ContentParameters }, tc.want)
		})
	}
}
