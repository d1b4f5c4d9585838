package policy_test

import (
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// TestContextProfileChecks: the journey context and Conditional Access profiles of b2cemu's
// fixture (testdata/conditionalaccess) load, and each operation or output claim their
// providers do not have is a load error naming the file, line, element and fix.
func TestContextProfileChecks(t *testing.T) {
	read := fixtureReader(t, "conditionalaccess")
	base, rp := read("CABase.xml"), read("CA_signin.xml")
	const remediate = `<Metadata><Item Key="OperationType">Remediation</Item></Metadata>`
	tests := []struct {
		name, old, new, want string
	}{
		{"the fixture loads", "", "", ""},
		{"operation in any casing", `<Item Key="OperationType">Evaluation</Item>`, `<Item Key="OperationType">evaluation</Item>`, ""},
		{"unknown operation", `<Item Key="OperationType">Evaluation</Item>`, `<Item Key="OperationType">Assessment</Item>`,
			`CABase.xml:87: TechnicalProfile Id="CA-Evaluate": the OperationType "Assessment" is not one a ConditionalAccessProtocolProvider runs: write <Item Key="OperationType">Evaluation</Item> or Remediation`},
		{"no operation", remediate, ``,
			`CABase.xml:100: TechnicalProfile Id="CA-Remediate": a ConditionalAccessProtocolProvider profile needs an OperationType: add <Item Key="OperationType">Evaluation</Item> (or Remediation) to its Metadata`},
		{"evaluation output claim it does not return", `PartnerClaimType="MultiConditionalAccessStatus"`, `PartnerClaimType="RiskLevel"`,
			`CABase.xml:97: TechnicalProfile Id="CA-Evaluate": the output claim "RiskLevel" is not one a ConditionalAccessProtocolProvider Evaluation profile returns: set PartnerClaimType to one it returns (Challenges, MultiConditionalAccessStatus) or give the claim a DefaultValue`},
		{"remediation output claim", remediate, remediate + `<OutputClaims><OutputClaim ClaimTypeReferenceId="caStatus" /></OutputClaims>`,
			`CABase.xml:103: TechnicalProfile Id="CA-Remediate": the output claim "caStatus" is not one a ConditionalAccessProtocolProvider Remediation profile returns: it returns no output claims; give the claim a DefaultValue or remove it`},
		{"remediation output claim with a default", remediate, remediate + `<OutputClaims><OutputClaim ClaimTypeReferenceId="caStatus" DefaultValue="[]" /></OutputClaims>`, ""},
		{"journey context claim it does not have", `PartnerClaimType="BuildNumber"`, `PartnerClaimType="UserAgent"`,
			`CABase.xml:81: TechnicalProfile Id="Journey-Context": the output claim "UserAgent" is not one a UserJourneyContextProvider profile returns: set PartnerClaimType to one it returns (BuildNumber, CorrelationId, DateTimeInUtc, DeploymentMode, IP-Address, IPAddress) or give the claim a DefaultValue`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edited := base
			if tt.old != "" {
				edited = policyEdit(t, base, tt.old, tt.new)
			}
			policies, err := policy.LoadSources([]policy.Source{{Name: "CABase.xml", Data: []byte(edited)}, {Name: "CA_signin.xml", Data: []byte(rp)}})
			switch {
			case tt.want == "" && err != nil:
				t.Fatal(err)
			case tt.want == "":
				if k := policies["b2c_1a_ca_signin"].TechnicalProfiles["CA-Evaluate"].Kind; k != policy.ConditionalAccess {
					t.Errorf("CA-Evaluate is %s", k)
				}
			case err == nil || !strings.Contains(err.Error(), tt.want):
				t.Errorf("error:\n%v\nlacks:\n%s", err, tt.want)
			}
		})
	}
}
