package policy

import (
	"sort"
	"strings"
)

// JourneyContextClaims are the names a UserJourneyContextProvider profile's output claims may
// take (PartnerClaimType, else ClaimTypeReferenceId): the samples' IP-Address and
// CorrelationId, and the journey context Microsoft's claim resolvers document as
// {Context:…}. Microsoft does not document the provider; docs/custom-policies.md says why
// each value is what it is.
var JourneyContextClaims = []string{"IP-Address", "IPAddress", "CorrelationId", "DateTimeInUtc", "DeploymentMode", "BuildNumber"}

// The operations of a ConditionalAccessProtocolProvider profile (its OperationType metadata)
// and the output claims each returns, by partner name, as Microsoft's "Define a Conditional
// Access technical profile" reference lists them. Remediation returns none.
var conditionalAccessOutputs = map[string][]string{
	"Evaluation":  {"Challenges", "MultiConditionalAccessStatus"},
	"Remediation": nil,
}

// checkContextProfiles checks the UserJourneyContextProvider and ConditionalAccessProtocolProvider
// profiles when the policy loads: an operation b2cemu cannot run, or an output claim the
// provider never returns (and that has no DefaultValue to fall back on), is a load error at
// its element rather than a claim that silently stays empty. A profile that only exists to be
// included may leave its OperationType to the profiles that include it.
func (p *Policy) checkContextProfiles(included map[string]bool, errs *Error) {
	for _, id := range sortedKeys(p.TechnicalProfiles) {
		tp := p.TechnicalProfiles[id]
		switch tp.Kind {
		case JourneyContext:
			checkOutputs(tp, "a UserJourneyContextProvider", JourneyContextClaims, errs)
		case ConditionalAccess:
			op, known := conditionalAccessOutputs[CAOperation(tp)]
			switch {
			case !known && tp.Metadata["OperationType"] == "" && included[id]:
			case !known && tp.Metadata["OperationType"] == "":
				errs.add(tp.El, describe(tp.El), `a ConditionalAccessProtocolProvider profile needs an OperationType: add <Item Key="OperationType">Evaluation</Item> (or Remediation) to its Metadata`)
			case !known:
				el := metadataItem(tp, "OperationType")
				errs.add(el, describe(tp.El), `the OperationType %q is not one a ConditionalAccessProtocolProvider runs: write <Item Key="OperationType">Evaluation</Item> or Remediation`, tp.Metadata["OperationType"])
			default:
				checkOutputs(tp, "a ConditionalAccessProtocolProvider "+CAOperation(tp), op, errs)
			}
		}
	}
}

// CAOperation is a ConditionalAccessProtocolProvider profile's OperationType, Evaluation or
// Remediation in any casing, written as the reference writes it; "" for anything else.
func CAOperation(tp *TechnicalProfile) string {
	for op := range conditionalAccessOutputs {
		if strings.EqualFold(strings.TrimSpace(tp.Metadata["OperationType"]), op) {
			return op
		}
	}
	return ""
}

// checkOutputs reports each output claim of tp whose name is not among known and that has no
// DefaultValue (Microsoft's references allow such a claim when it has one).
func checkOutputs(tp *TechnicalProfile, what string, known []string, errs *Error) {
	for _, c := range tp.OutputClaims {
		name := c.PartnerClaimType
		if name == "" {
			name = c.ClaimType
		}
		if c.HasDefault || containsFold(known, name) {
			continue
		}
		fix := "it returns no output claims; give the claim a DefaultValue or remove it"
		if len(known) > 0 {
			sorted := append([]string(nil), known...)
			sort.Strings(sorted)
			fix = "set PartnerClaimType to one it returns (" + strings.Join(sorted, ", ") + ") or give the claim a DefaultValue"
		}
		errs.add(c.El, describe(tp.El), "the output claim %q is not one %s profile returns: %s", name, what, fix)
	}
}

// metadataItem is tp's last Metadata Item of key (the one Metadata holds), else the profile.
func metadataItem(tp *TechnicalProfile, key string) *Element {
	el := tp.El
	for _, it := range tp.El.Path("Metadata", "Item") {
		if it.Attr["Key"] == key {
			el = it
		}
	}
	return el
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
