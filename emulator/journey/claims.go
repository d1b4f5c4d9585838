package journey

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

var resolverRe = regexp.MustCompile(`\{([A-Za-z-]+):([^{}]+)\}`)

// lcids are .NET culture ids of the cultures b2cemu speaks ({Culture:LCID}); a neutral
// culture has its own id (en → 9).
var lcids = map[string]string{"en-us": "1033", "en-gb": "2057", "en": "9", "es": "10", "es-es": "3082", "es-mx": "2058"}

// oidcParams are the {OIDC:*} resolvers that read an authorize parameter.
var oidcParams = map[string]string{"LoginHint": "login_hint", "DomainHint": "domain_hint", "MaxAge": "max_age", "Nonce": "nonce",
	"Prompt": "prompt", "Resource": "resource", "Scope": "scope", "RedirectUri": "redirect_uri"}

// resolve replaces claim resolvers ({Culture:LCID}, {Policy:PolicyId}, {OIDC:ClientId},
// {Context:CorrelationId}, {Claim:x}, …) in a default value.
func (x *execution) resolve(bag map[string]string, v string) string {
	return resolverRe.ReplaceAllStringFunc(v, func(m string) string {
		parts := resolverRe.FindStringSubmatch(m)
		kind, key := parts[1], parts[2]
		locale := x.r.UILocales
		if locale == "" {
			locale = "en-US"
		}
		lang, region, _ := strings.Cut(locale, "-")
		switch kind + ":" + key {
		case "Culture:LCID":
			if id, ok := lcids[strings.ToLower(locale)]; ok {
				return id
			}
			return "1033"
		case "Culture:RFC5646":
			return locale
		case "Culture:LanguageName":
			return lang
		case "Culture:RegionName":
			return region
		case "Policy:PolicyId":
			return x.p.ID
		case "Policy:TenantObjectId":
			return x.TenantID
		case "Policy:TrustFrameworkTenantId", "Policy:RelyingPartyTenantId":
			return x.Tenant + ".onmicrosoft.com"
		case "OIDC:ClientId":
			return x.r.ClientID
		case "Context:CorrelationId":
			return x.r.ID
		case "Context:IPAddress":
			return x.clientIP()
		case "Context:BuildNumber":
			return "b2cemu"
		case "Context:DateTimeInUtc":
			return x.Now().UTC().Format("1/2/2006 3:04:05 PM")
		}
		if kind == "Claim" {
			return bag[strings.ToLower(key)]
		}
		if kind == "OAUTH-KV" {
			return x.r.Request[key] // an authorize parameter; an absent one resolves to nothing
		}
		if param, ok := oidcParams[key]; kind == "OIDC" && ok {
			return x.r.Request[param]
		}
		return m // not a resolver b2cemu knows: left as written
	})
}

// text is a localized string of the profile's content definition (ElementType UxElement or
// ErrorMessage), else fallback; {0} takes arg.
func (x *execution) text(tp *policy.TechnicalProfile, elementType, stringID, fallback string, arg ...string) string {
	s := x.localized(tp, elementType, "", stringID)
	if s == "" && tp != nil {
		// The profile's metadata: UserMessageIf… for errors, language.<id> for page texts.
		if elementType == "UxElement" {
			s = tp.Metadata["language."+stringID]
		} else {
			s = tp.Metadata[stringID]
		}
	}
	if s == "" {
		s = fallback
	}
	if len(arg) > 0 {
		s = strings.ReplaceAll(s, "{0}", arg[0])
	}
	return s
}

// claimText is a claim type's localized DisplayName, UserHelpText or PatternHelpText.
func (x *execution) claimText(tp *policy.TechnicalProfile, claim, stringID, fallback string) string {
	if s := x.localized(tp, "ClaimType", claim, stringID); s != "" {
		return s
	}
	return fallback
}

func (x *execution) localized(tp *policy.TechnicalProfile, elementType, elementID, stringID string) string {
	return x.localizedIn(tp.Metadata["ContentDefinitionReferenceId"], x.languageFor(tp), elementType, elementID, stringID)
}

// languageFor is the language of tp's texts: the run's page language for the page's profile
// and the validation profiles it runs, the policy's default language for any other profile.
func (x *execution) languageFor(tp *policy.TechnicalProfile) string {
	if x.page != nil || tp == x.st.tp {
		return x.st.lang
	}
	return ""
}

// localizedIn is a string of the content definition's localized resources in lang, else in
// the policy's default language, else "".
func (x *execution) localizedIn(cdID, lang, elementType, elementID, stringID string) string {
	texts := x.p.Texts()
	if texts == nil {
		return ""
	}
	if lang != "" && !strings.EqualFold(lang, texts.Default) {
		if s := texts.Lookup(cdID, lang, elementType, elementID, stringID); s != "" {
			return s
		}
	}
	return texts.Lookup(cdID, texts.Default, elementType, elementID, stringID) // the default language's, else none
}

// language is the policy's supported language for ui_locales (exact, then the base
// language: es-MX finds es), else its default language.
func language(p *policy.Policy, uiLocales string) string {
	texts := p.Texts()
	if texts == nil {
		return ""
	}
	for _, want := range strings.Fields(strings.ReplaceAll(uiLocales, ",", " ")) {
		base, _, _ := strings.Cut(want, "-")
		for _, cand := range []string{want, base} {
			for _, s := range texts.Supported {
				if strings.EqualFold(s, cand) {
					return s
				}
			}
		}
	}
	return texts.Default
}

// sendClaims names the token's claims by the relying party's output claims: PartnerClaimType,
// else the claim type's OpenIdConnect partner type, else its Id; empty values are left out.
func (x *execution) sendClaims() {
	claims := map[string]any{}
	for _, c := range x.p.RelyingParty.OutputClaims {
		v, ok := x.st.bag[strings.ToLower(c.ClaimType)]
		if c.HasDefault && (c.AlwaysUseDefault || !ok) {
			v = x.resolve(x.st.bag, c.DefaultValue)
		}
		if v == "" {
			continue
		}
		name := c.PartnerClaimType
		if ct := x.p.ClaimTypes[strings.ToLower(c.ClaimType)]; name == "" && ct != nil {
			name = ct.Partner["OpenIdConnect"]
		}
		if name == "" {
			name = c.ClaimType
		}
		var val any = v
		if ct := x.p.ClaimTypes[strings.ToLower(c.ClaimType)]; ct != nil {
			switch ct.DataType {
			case "boolean":
				val = strings.EqualFold(v, "true")
			case "int", "long":
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					val = n
				}
			case "stringCollection":
				var list []string
				if json.Unmarshal([]byte(v), &list) == nil {
					val = list
				}
			}
		}
		claims[name] = val
	}
	oid := x.st.bag["objectid"]
	claims["sub"] = x.subject(claims, oid)
	// A journey that never read or wrote a directory user (a link generator, a home-realm
	// discovery page) still gets its token: the user has no objectId, so nothing is recorded
	// against one and a single sign-on session finds no one.
	x.r.User = &engine.User{ObjectID: oid}
	if x.st.bag["authenticationsource"] == "localAccountAuthentication" {
		x.r.Identity = engine.Identity{SignInType: "emailAddress", Issuer: x.Tenant + ".onmicrosoft.com", IssuerAssignedID: x.st.bag["signinnames.emailaddress"]}
	}
	x.r.NewUser = x.st.bag["newuser"] == "true"
	x.r.TokenClaims = claims
	x.r.Carry = copyBag(x.st.bag)
	x.r.Phase, x.r.Page = engine.PhaseDone, nil
}

// noSubject is the sub B2C issues when a token has no subject value.
const noSubject = "Not supported currently. Use oid claim."

// subject is the token's sub: the output claim SubjectNamingInfo names (by its token name),
// else an output claim named sub, else the objectId, else B2C's noSubject text.
func (x *execution) subject(claims map[string]any, oid string) string {
	if subj, ok := claims[x.p.SubjectClaim].(string); ok && x.p.SubjectClaim != "" && subj != "" {
		return subj
	}
	if subj, ok := claims["sub"].(string); ok && subj != "" {
		return subj // an output claim the token names sub
	}
	if oid != "" {
		return oid
	}
	return noSubject
}

// assertLater is AssertDateTimeIsGreaterThan: the left operand must be later than the right
// one; times within TreatAsEqualIfWithinMillseconds are equal, which fails unless
// AssertIfEqualTo is false; a missing right operand passes when
// AssertIfRightOperandIsNotPresent is true. It returns why the assertion failed, or "".
func assertLater(id string, t *policy.ClaimsTransformation, in, params map[string]string) string {
	name := t.Role
	if in["rightOperand"] == "" {
		if strings.EqualFold(params["AssertIfRightOperandIsNotPresent"], "true") {
			return ""
		}
		return fmt.Sprintf("%s: %s has no value", id, name("rightOperand"))
	}
	left, lok := parseDateTime(in["leftOperand"])
	right, rok := parseDateTime(in["rightOperand"])
	if !lok || !rok {
		return fmt.Sprintf("%s: %s %q and %s %q must both be date-times", id, name("leftOperand"), in["leftOperand"], name("rightOperand"), in["rightOperand"])
	}
	window, _ := strconv.Atoi(params["TreatAsEqualIfWithinMillseconds"])
	diff := left.Sub(right)
	equal := diff.Abs() <= time.Duration(window)*time.Millisecond
	if equal && !strings.EqualFold(params["AssertIfEqualTo"], "false") || !equal && diff < 0 {
		return fmt.Sprintf("%s: %s %s is not later than %s %s", id, name("leftOperand"), in["leftOperand"], name("rightOperand"), in["rightOperand"])
	}
	return ""
}
