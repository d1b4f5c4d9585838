package policy

import (
	"fmt"
	"net/url"
	"strings"
)

// ContentParameter is one Parameter of the relying party's ContentDefinitionParameters: a
// query parameter B2C appends to the URL it loads custom page content from. Value is as
// written; its claim resolvers ({OAUTH-KV:campaignId}, {Culture:LanguageName}, {Claim:x}) are
// resolved when a page is shown.
type ContentParameter struct{ Name, Value string }

// behaviors reads the relying party's UserJourneyBehaviors that b2cemu acts on:
// ScriptExecution, SingleSignOn KeepAliveInDays, JourneyFraming and ContentDefinitionParameters.
func (p *Policy) behaviors(b *Element, errs *Error) {
	p.ScriptExecution = strings.TrimSpace(b.TextOf("ScriptExecution"))
	p.KeepAliveInDays = keepAlive(b.Child("SingleSignOn"), errs)
	if f := b.Child("JourneyFraming"); f != nil {
		p.FrameAncestors = journeyFraming(f, errs)
	}
	seen := map[string]bool{}
	for _, el := range b.Path("ContentDefinitionParameters", "Parameter") {
		name, ok := el.Attr["Name"]
		name = strings.TrimSpace(name)
		switch {
		case !ok || name == "":
			errs.add(el, "ContentDefinitionParameters Parameter", `has no Name (B2C requires one); write the query parameter's name, such as <Parameter Name="campaignId">`)
		case seen[name]:
			errs.add(el, "ContentDefinitionParameters Parameter", "the Name %q is written twice; keep one", name)
		default:
			seen[name] = true
			p.ContentParameters = append(p.ContentParameters, ContentParameter{Name: name, Value: strings.TrimSpace(el.Text)})
		}
	}
}

// journeyFraming is the origins a JourneyFraming element lets frame the policy's pages, nil
// when Enabled is false. Both attributes are required and Enabled is an xs:boolean (the
// schema's JourneyFraming type); each source is an https URI in full, without wildcards,
// separated by spaces (Microsoft's "Embedded sign-up or sign-in experience").
func journeyFraming(f *Element, errs *Error) []string {
	enabled, hasEnabled := f.Attr["Enabled"]
	sources, hasSources := f.Attr["Sources"]
	on := false
	switch v := strings.TrimSpace(enabled); {
	case !hasEnabled:
		errs.add(f, "JourneyFraming", `has no Enabled attribute (B2C requires it); write Enabled="true"`)
	case v == "true" || v == "1":
		on = true
	case v != "false" && v != "0":
		errs.add(f, "JourneyFraming", `Enabled %q is not a boolean; write Enabled="true" to let the listed Sources frame this policy's pages, or "false"`, enabled)
	}
	if !hasSources {
		errs.add(f, "JourneyFraming", `has no Sources attribute (B2C requires it); list the origins that may frame the pages, separated by spaces, such as Sources="https://app.contoso.com"`)
		return nil
	}
	if !on {
		return nil
	}
	list := strings.Fields(sources)
	if len(list) == 0 {
		errs.add(f, "JourneyFraming", "Sources lists no origin; list the origins that may frame the pages, separated by spaces, such as Sources=\"https://app.contoso.com\"")
	}
	for _, s := range list {
		if msg := frameSourceProblem(s); msg != "" {
			errs.add(f, "JourneyFraming", "Sources: %q %s", s, msg)
			return nil
		}
	}
	return list
}

// frameSourceProblem says what is wrong with one JourneyFraming source, "" if nothing. A
// source becomes a CSP frame-ancestors source as written, so nothing that would change the
// header's meaning (a query, a semicolon, a comma) gets through.
func frameSourceProblem(s string) string {
	const origin = "write the framing application's origin, such as https://app.contoso.com"
	if strings.Contains(s, ",") {
		return "holds a comma; separate the URIs with spaces"
	}
	if strings.Contains(s, "*") {
		return "holds a wildcard, which B2C does not support; list each origin in full, such as https://app.contoso.com"
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return "is not an absolute https URI; " + origin
	case u.Scheme != "https":
		return fmt.Sprintf("uses the scheme %s; each source must be an https URI (serve the framing page over https, such as https://%s)", u.Scheme, u.Host)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(s, "#;'\""):
		return "has a query or fragment; " + origin
	}
	return ""
}
