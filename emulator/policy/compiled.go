package policy

import (
	"strings"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// PatternTimeout bounds one match of a policy's regular expression against a value the user
// typed. Policy patterns are .NET regular expressions, which backtrack: a pattern with nested
// quantifiers such as ^(a+)+$ takes time exponential in the input's length, so without a bound
// one submitted value could keep a CPU busy for minutes after the browser gave up. Claim values
// are short and a sound pattern matches them in microseconds, so 100 ms leaves room to spare.
// regexp2 reads a clock that ticks every 100 ms, so a runaway match stops within about 300 ms.
const PatternTimeout = 100 * time.Millisecond

// CompilePattern compiles a policy pattern as b2cemu matches it: .NET syntax, PatternTimeout
// on every match.
func CompilePattern(pattern string) (*regexp2.Regexp, error) {
	re, err := regexp2.Compile(pattern, regexp2.None)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = PatternTimeout
	return re, nil
}

// ClaimsTransformation is a ClaimsTransformation as the journey runs it, read from its element once
// when the policy loads.
type ClaimsTransformation struct {
	ID, Method   string
	InputClaims  []TransformationClaim
	Parameters   []Parameter       // InputParameters in document order (GenerateJson keeps it)
	Params       map[string]string // the same by Id
	OutputClaims []TransformationClaim
	// MatchTo is SetClaimsIfRegexMatch's matchTo parameter compiled, nil for other methods or
	// when it is not a regular expression (the journey reports that when it runs).
	MatchTo *regexp2.Regexp
	El      *Element
}

// TransformationClaim is an InputClaim or OutputClaim of a transformation: the bag's claim
// (ClaimTypeReferenceId) and the method's name for it (TransformationClaimType).
type TransformationClaim struct{ ClaimType, Role string }

// Parameter is an InputParameter.
type Parameter struct{ ID, Value string }

// Role is the claim of the input role, or the role itself when no claim has it.
func (t *ClaimsTransformation) Role(role string) string {
	for _, c := range t.InputClaims {
		if c.Role == role {
			return c.ClaimType
		}
	}
	return role
}

// compileTransformation reads a ClaimsTransformation element.
func compileTransformation(el *Element) *ClaimsTransformation {
	t := &ClaimsTransformation{ID: el.Attr["Id"], Method: el.Attr["TransformationMethod"], Params: map[string]string{}, El: el}
	for _, c := range el.Path("InputClaims", "InputClaim") {
		t.InputClaims = append(t.InputClaims, TransformationClaim{ClaimType: c.Attr["ClaimTypeReferenceId"], Role: c.Attr["TransformationClaimType"]})
	}
	for _, ip := range el.Path("InputParameters", "InputParameter") {
		t.Parameters = append(t.Parameters, Parameter{ID: ip.Attr["Id"], Value: ip.Attr["Value"]})
		t.Params[ip.Attr["Id"]] = ip.Attr["Value"]
	}
	for _, c := range el.Path("OutputClaims", "OutputClaim") {
		t.OutputClaims = append(t.OutputClaims, TransformationClaim{ClaimType: c.Attr["ClaimTypeReferenceId"], Role: c.Attr["TransformationClaimType"]})
	}
	if strings.EqualFold(t.Method, "SetClaimsIfRegexMatch") { // B2C reads the method in any case
		t.MatchTo, _ = CompilePattern(t.Params["matchTo"])
	}
	return t
}

// ClaimsTransformation is the compiled ClaimsTransformation id, nil when the policy has none. A
// policy built in code rather than loaded has its elements compiled on each call.
func (p *Policy) ClaimsTransformation(id string) *ClaimsTransformation {
	if t, ok := p.transforms[id]; ok {
		return t
	}
	if el := p.Transformations[id]; el != nil && p.transforms == nil {
		return compileTransformation(el)
	}
	return nil
}

// Texts are a policy's localized strings (Localization's LocalizedResources), by content
// definition, language, element type, element id and string id, read once when it loads.
type Texts struct {
	Default   string   // SupportedLanguages DefaultLanguage
	Supported []string // SupportedLanguage, in document order
	strings   map[textKey]string
}

type textKey struct{ cd, lang, elementType, elementID, stringID string }

// Lookup is the string of content definition cd in lang ("" = the first of any language),
// or "". Languages and element ids compare without case, as B2C's do.
func (t *Texts) Lookup(cd, lang, elementType, elementID, stringID string) string {
	if t == nil {
		return ""
	}
	return t.strings[textKey{cd, strings.ToLower(lang), elementType, strings.ToLower(elementID), stringID}]
}

// compileTexts reads the Localization element: for each content definition, the strings of
// the resources its LocalizedResourcesReferences name, the first of each key winning.
func compileTexts(loc *Element, cds map[string]*Element) *Texts {
	if loc == nil {
		return nil
	}
	sl := loc.Child("SupportedLanguages")
	t := &Texts{Default: sl.AttrOf("DefaultLanguage"), strings: map[textKey]string{}}
	for _, l := range sl.All("SupportedLanguage") {
		t.Supported = append(t.Supported, strings.TrimSpace(l.Text))
	}
	resources := map[string][]*Element{}
	for _, res := range loc.All("LocalizedResources") {
		resources[res.Attr["Id"]] = append(resources[res.Attr["Id"]], res)
	}
	for id, cd := range cds {
		for _, ref := range cd.Path("LocalizedResourcesReferences", "LocalizedResourcesReference") {
			lang := strings.ToLower(ref.Attr["Language"])
			for _, res := range resources[ref.Attr["LocalizedResourcesReferenceId"]] {
				for _, s := range res.Path("LocalizedStrings", "LocalizedString") {
					t.add(textKey{id, lang, s.Attr["ElementType"], strings.ToLower(s.Attr["ElementId"]), s.Attr["StringId"]}, strings.TrimSpace(s.Text))
				}
			}
		}
	}
	return t
}

// add keeps the first string of a key in its language and among all languages.
func (t *Texts) add(k textKey, s string) {
	if _, ok := t.strings[k]; !ok {
		t.strings[k] = s
	}
	k.lang = ""
	if _, ok := t.strings[k]; !ok {
		t.strings[k] = s
	}
}

// Texts are the policy's localized strings, nil without a Localization. A policy built in
// code rather than loaded has them read on each call.
func (p *Policy) Texts() *Texts {
	if p.texts != nil || p.Localization == nil {
		return p.texts
	}
	return compileTexts(p.Localization, p.ContentDefinitions)
}

// compile reads what the journey uses of the policy's building blocks at run time —
// its transformations and localized strings — once, when the policy loads (build compiles
// the claim types' patterns).
func (p *Policy) compile() {
	p.transforms = make(map[string]*ClaimsTransformation, len(p.Transformations))
	for id, el := range p.Transformations {
		p.transforms[id] = compileTransformation(el)
	}
	p.texts = compileTexts(p.Localization, p.ContentDefinitions)
	p.dataURIs = make(map[string]string, len(p.ContentDefinitions))
	for id, cd := range p.ContentDefinitions {
		p.dataURIs[id] = strings.TrimSpace(cd.TextOf("DataUri"))
	}
}

// DataURI is content definition id's DataUri (its page layout, e.g.
// urn:com:microsoft:aad:b2c:elements:contract:selfasserted:2.1.7), "" without one.
func (p *Policy) DataURI(id string) string {
	if uri, ok := p.dataURIs[id]; ok || p.dataURIs != nil {
		return uri
	}
	if cd := p.ContentDefinitions[id]; cd != nil {
		return strings.TrimSpace(cd.TextOf("DataUri"))
	}
	return ""
}
