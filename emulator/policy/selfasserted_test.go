package policy_test

import (
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// TestPageSettingErrors: a self-asserted profile's setting.showContinueButton or
// setting.showCancelButton other than true or false (in any case), and a setting.retryLimit
// that is not a whole number of 0 or more, are load errors naming the file, the line of the
// Item, the profile, the key and the fix; the right values load, and a profile that includes
// another is checked with the Items it inherits.
func TestPageSettingErrors(t *testing.T) {
	read := fixtureReader(t, "selfasserted")
	base := read("SelfAssertedBase.xml")
	const (
		cont    = `<Item Key="setting.showContinueButton">false</Item>`
		limit   = `<Item Key="setting.retryLimit">2</Item>`
		message = `SelfAssertedBase.xml:38: TechnicalProfile Id="Page-Message": `
		retry   = `SelfAssertedBase.xml:49: TechnicalProfile Id="Page-Retry": `
		yesNo   = `; write true (the default: the page shows the button) or false (it hides it)`
		number  = `; write a whole number of 0 or more, such as 3: how many times the user may try again after a validation technical profile refused the page`
	)
	for _, tc := range []struct{ name, old, new, want string }{
		{"continue yes", cont, `<Item Key="setting.showContinueButton">yes</Item>`, message + `setting.showContinueButton is "yes"` + yesNo},
		{"continue empty", cont, `<Item Key="setting.showContinueButton"></Item>`, message + `setting.showContinueButton is ""` + yesNo},
		{"cancel 0", `<Item Key="setting.showCancelButton">false</Item>`, `<Item Key="setting.showCancelButton">0</Item>`,
			`SelfAssertedBase.xml:39: TechnicalProfile Id="Page-Message": setting.showCancelButton is "0"` + yesNo},
		{"negative limit", limit, `<Item Key="setting.retryLimit">-1</Item>`, retry + `setting.retryLimit is "-1"` + number},
		{"fraction", limit, `<Item Key="setting.retryLimit">2.5</Item>`, retry + `setting.retryLimit is "2.5"` + number},
		{"words", limit, `<Item Key="setting.retryLimit">three</Item>`, retry + `setting.retryLimit is "three"` + number},
		{"signed", limit, `<Item Key="setting.retryLimit">+3</Item>`, retry + `setting.retryLimit is "+3"` + number},
		{"included", `<TechnicalProfile Id="Check-Strings">`, `<TechnicalProfile Id="Page-Retry-Again">
          <Metadata><Item Key="setting.showCancelButton">no</Item></Metadata>
          <IncludeTechnicalProfile ReferenceId="Page-Retry" />
        </TechnicalProfile>
        <TechnicalProfile Id="Check-Strings">`, `SelfAssertedBase.xml:63: TechnicalProfile Id="Page-Retry-Again": setting.showCancelButton is "no"` + yesNo},
		{"right values", cont, `<Item Key="setting.showContinueButton"> TRUE </Item>`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs := []policy.Source{{Name: "SelfAssertedBase.xml", Data: []byte(policyEdit(t, base, tc.old, tc.new))},
				{Name: "sa_message.xml", Data: []byte(read("sa_message.xml"))}, {Name: "sa_retry.xml", Data: []byte(read("sa_retry.xml"))}}
			_, err := policy.LoadSources(srcs)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "":
			case err == nil:
				t.Fatal("loaded")
			case !strings.Contains(err.Error(), tc.want):
				t.Errorf("error:\n%s\nlacks:\n%s", err, tc.want)
			}
		})
	}
}

// TestParagraphRequiredWarns: Required="true" on a Paragraph claim of a self-asserted
// profile (an output or display claim) loads with a warning naming the file, the line of the
// claim, the claim and the fix, since Microsoft's ClaimsSchema says it must be false; without
// it, or on another input type, there is no warning.
func TestParagraphRequiredWarns(t *testing.T) {
	read := fixtureReader(t, "selfasserted")
	const (
		output = `<OutputClaims><OutputClaim ClaimTypeReferenceId="message" /></OutputClaims>`
		fix    = `: a Paragraph claim shows text the user cannot change, so its Required must be false (Microsoft's ClaimsSchema); b2cemu ignores it: remove Required="true"`
	)
	for _, tc := range []struct{ name, new, want string }{
		{"output claim", `<OutputClaims><OutputClaim ClaimTypeReferenceId="message" Required="true" /></OutputClaims>`,
			`SelfAssertedBase.xml:42: OutputClaim ClaimTypeReferenceId="message"` + fix},
		{"display claim", `<DisplayClaims><DisplayClaim ClaimTypeReferenceId="message" Required="true" /></DisplayClaims>` + output,
			`SelfAssertedBase.xml:42: DisplayClaim ClaimTypeReferenceId="message"` + fix},
		{"not required", `<OutputClaims><OutputClaim ClaimTypeReferenceId="message" Required="false" /></OutputClaims>`, ""},
		{"a text box", `<OutputClaims><OutputClaim ClaimTypeReferenceId="message" /><OutputClaim ClaimTypeReferenceId="string1" Required="true" /></OutputClaims>`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs := []policy.Source{{Name: "SelfAssertedBase.xml", Data: []byte(policyEdit(t, read("SelfAssertedBase.xml"), output, tc.new))},
				{Name: "sa_message.xml", Data: []byte(read("sa_message.xml"))}}
			policies, err := policy.LoadSources(srcs)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range policies["b2c_1a_sa_message"].Warnings {
				got = append(got, w.Error())
			}
			if tc.want == "" && len(got) != 0 || tc.want != "" && (len(got) != 1 || !strings.HasSuffix(got[0], tc.want)) {
				t.Errorf("warnings %q, want %q", got, tc.want)
			}
		})
	}
}
