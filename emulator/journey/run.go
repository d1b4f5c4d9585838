package journey

import (
	"fmt"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// A technical profile that did not succeed is an *engine.Failure: Message is what the user
// sees (on the page for a validation profile), Diagnostic what the developer should know,
// Unsupported marks a feature b2cemu does not run yet and Rejected a service's 4xx
// userMessage for the page; OAuth, when set, is the error the application gets instead of
// server_error.

// unsupported is the failure of a part of a technical profile b2cemu does not run yet.
func unsupported(tp *policy.TechnicalProfile, what string) *engine.Failure {
	return &engine.Failure{Code: "AADB2C90075", Unsupported: true, Message: "This part of the policy is not supported by the emulator yet.",
		Diagnostic: fmt.Sprintf("%s:%d: TechnicalProfile Id=%q: %s is not supported by b2cemu yet (docs/custom-policies.md)", tp.El.File, tp.El.Line, tp.ID, what)}
}

// run executes a non-interactive technical profile over scope: its input claims
// transformations, input claims, the protocol, its output claims and output claims
// transformations. Outputs are written to scope. step is the orchestration step (0 for a
// validation profile).
func (x *execution) run(tp *policy.TechnicalProfile, scope map[string]string, step int) (map[string]string, *engine.Failure) {
	for _, t := range tp.InputTransformations {
		if err := x.transform(tp, t, scope); err != nil {
			return nil, err
		}
	}
	inputs := map[string]string{}  // partner name → value
	created := map[string]string{} // claims an input default created, for this profile only
	defer dropCreated(tp, scope, created)
	for _, c := range tp.InputClaims {
		v, ok := scope[strings.ToLower(c.ClaimType)]
		if c.HasDefault && (c.AlwaysUseDefault || !ok || v == "") {
			v, ok = x.resolveDefault(tp, scope, c), true
			if _, had := scope[strings.ToLower(c.ClaimType)]; !had && v != "" {
				scope[strings.ToLower(c.ClaimType)], created[strings.ToLower(c.ClaimType)] = v, v
			}
		}
		if !ok || v == "" {
			if c.Required {
				return nil, &engine.Failure{Message: x.text(tp, "ErrorMessage", "UserMessageIfMissingRequiredElement", "Missing required element: {0}", c.ClaimType),
					Diagnostic: fmt.Sprintf("%s: the input claim %s has no value", tp.ID, c.ClaimType)}
			}
			continue
		}
		name := c.PartnerClaimType
		if name == "" {
			name = c.ClaimType
		}
		inputs[name] = v
	}
	result, err := x.protocol(&call{tp: tp, inputs: inputs, scope: scope, step: step})
	if err != nil {
		return nil, err
	}
	if err := x.outputs(tp, result, scope); err != nil {
		return nil, err
	}
	return result, nil
}

// dropCreated removes from scope the claims that the profile's input defaults created (B2C's
// DefaultValue creates the claim for the profile: its protocol and its output claims
// transformations see it, as the home-realm discovery sample's dummyTrue comparison needs), but
// those the profile outputs or that something else has since changed: they stay in the journey.
func dropCreated(tp *policy.TechnicalProfile, scope, created map[string]string) {
	for id, v := range created {
		if scope[id] == v && !isOutput(tp, id) {
			delete(scope, id)
		}
	}
}

// isOutput reports whether the claim (lower-cased id) is one of the profile's output claims.
func isOutput(tp *policy.TechnicalProfile, id string) bool {
	for _, c := range tp.OutputClaims {
		if strings.ToLower(c.ClaimType) == id {
			return true
		}
	}
	return false
}

// outputs maps a profile's result (by partner claim name) to its output claims in scope, with
// their defaults, then runs its output claims transformations.
func (x *execution) outputs(tp *policy.TechnicalProfile, result, scope map[string]string) *engine.Failure {
	for _, c := range tp.OutputClaims {
		name := c.PartnerClaimType
		if name == "" {
			name = c.ClaimType
		}
		v, ok := result[name]
		if !ok {
			v, ok = result[c.ClaimType]
		}
		if c.HasDefault && (c.AlwaysUseDefault || !ok) {
			v, ok = x.resolveDefault(tp, scope, c), true
		}
		if ok && v != "" {
			scope[strings.ToLower(c.ClaimType)] = v
		}
	}
	for _, t := range tp.OutputTransformations {
		if err := x.transform(tp, t, scope); err != nil {
			return err
		}
	}
	return nil
}
