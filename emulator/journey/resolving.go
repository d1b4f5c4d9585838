package journey

import (
	"fmt"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// resolvingKey is the metadata item that lets a technical profile resolve claim resolvers in
// its input and output claims' defaults.
const resolvingKey = "IncludeClaimResolvingInClaimsHandling"

// needsResolvingKey reports whether B2C resolves claim resolvers in this kind of profile only
// when it sets IncludeClaimResolvingInClaimsHandling to true. Microsoft's claim resolver
// overview ("Using claim resolvers") lists the setting for Microsoft Entra ID, OAuth1,
// OAuth2, OpenID Connect, claims transformation, RESTful, SAML identity provider and
// self-asserted profiles; the relying party, one-time password, email code, session and token
// issuer profiles are not in that list, and b2cemu resolves there as before.
func needsResolvingKey(k policy.Kind) bool {
	switch k {
	case policy.SelfAsserted, policy.Directory, policy.Restful, policy.Transformation, policy.PasswordCheck, policy.IdentityProvider:
		return true
	}
	return false
}

// resolvesClaims reports whether tp may resolve claim resolvers in its claims' defaults.
func resolvesClaims(tp *policy.TechnicalProfile) bool {
	return !needsResolvingKey(tp.Kind) || strings.EqualFold(strings.TrimSpace(tp.Metadata[resolvingKey]), "true")
}

// resolveDefault is a claim's default value as tp uses it: resolved, or — in a profile that
// needs IncludeClaimResolvingInClaimsHandling and lacks it — exactly as written, as B2C
// does, with a warning in the log naming the setting.
func (x *execution) resolveDefault(tp *policy.TechnicalProfile, scope map[string]string, c policy.ClaimRef) string {
	if resolvesClaims(tp) {
		return x.resolve(scope, c.DefaultValue)
	}
	if resolverRe.MatchString(c.DefaultValue) && x.Log != nil {
		x.Log.Warn("custom policy claim resolver left unresolved: "+unresolvedText(tp, c), "run", x.r.ID, "policy", x.r.Policy, "technicalProfile", tp.ID)
	}
	return c.DefaultValue
}

// unresolvedText names the profile, the claim and the fix for a claim resolver B2C leaves as
// written.
func unresolvedText(tp *policy.TechnicalProfile, c policy.ClaimRef) string {
	return fmt.Sprintf("technical profile %s: the claim %s defaults to the claim resolver %q, but the profile does not set %s=true, so B2C uses the text as written, unresolved; to resolve it add <Item Key=%q>true</Item> to the profile's Metadata",
		tp.ID, c.ClaimType, c.DefaultValue, resolvingKey, resolvingKey)
}

// resolverWarnings are the call inspector's warnings for a RESTful profile whose input claims
// default to a claim resolver it sends unresolved.
func resolverWarnings(tp *policy.TechnicalProfile) []string {
	if resolvesClaims(tp) {
		return nil
	}
	var out []string
	for _, c := range tp.InputClaims {
		if c.HasDefault && resolverRe.MatchString(c.DefaultValue) {
			out = append(out, unresolvedText(tp, c))
		}
	}
	return out
}
