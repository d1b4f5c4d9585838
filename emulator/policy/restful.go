package policy

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// placeholder is a {claim} (SendClaimsIn Url) or {resolver:name} in a ServiceUrl, filled in
// when the profile runs.
var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// checkServiceURLs checks every RESTful profile's ServiceUrl when the policy loads, so a URL
// that cannot be called is a load error naming its file, line, profile and fix rather than a
// failure on a user's submit. B2C requires the ServiceUrl; a profile that only exists to be
// included (IncludeTechnicalProfile) may leave it to the profiles that include it.
func (p *Policy) checkServiceURLs(included map[string]bool, errs *Error) {
	for _, id := range sortedKeys(p.TechnicalProfiles) {
		tp := p.TechnicalProfiles[id]
		if tp.Kind != Restful {
			continue
		}
		var item *Element // the last ServiceUrl item is the one Metadata holds
		for _, it := range tp.El.Path("Metadata", "Item") {
			if it.Attr["Key"] == "ServiceUrl" {
				item = it
			}
		}
		owner := describe(tp.El)
		switch {
		case item == nil && included[id]:
		case item == nil || strings.TrimSpace(item.Text) == "" && !item.Comment:
			el := tp.El
			if item != nil {
				el = item
			}
			errs.add(el, owner, `a RESTful technical profile needs a ServiceUrl (B2C requires one): add <Item Key="ServiceUrl">https://…</Item> to its Metadata`)
		case item.Comment:
			errs.add(item, owner, "the ServiceUrl holds an XML comment; write the URL alone in the Item and put the comment outside it")
		default:
			if msg := serviceURLProblem(tp.Metadata["ServiceUrl"]); msg != "" {
				errs.add(item, owner, "%s", msg)
			}
		}
	}
}

// serviceURLProblem says what is wrong with a ServiceUrl and how to fix it, or returns "".
func serviceURLProblem(raw string) string {
	const fix = "; write an absolute http or https URL such as https://api.contoso.com/validate"
	u, err := url.Parse(placeholder.ReplaceAllString(raw, "x"))
	switch {
	case err != nil:
		var inner error = err
		if ue, ok := err.(*url.Error); ok {
			inner = ue.Err
		}
		space := ""
		if strings.ContainsAny(raw, " \t\r\n") {
			space = " (it holds white space: a space in a path or query is written %20)"
		}
		return "the ServiceUrl " + quote(raw) + " is not a URL: " + inner.Error() + space + fix
	case u.Scheme != "http" && u.Scheme != "https":
		if u.Scheme == "" {
			return "the ServiceUrl " + quote(raw) + " has no scheme" + fix
		}
		return "the ServiceUrl " + quote(raw) + " has the scheme " + quote(u.Scheme) + "; B2C calls http and https services only" + fix
	case u.Host == "":
		return "the ServiceUrl " + quote(raw) + " has no host" + fix
	}
	_, rest, _ := strings.Cut(raw, "//")
	if host, _, _ := strings.Cut(rest, "/"); placeholder.MatchString(host) {
		return "the ServiceUrl " + quote(raw) + " has a {…} placeholder in its host; SendClaimsIn Url fills the path and the query only, never the host"
	}
	return ""
}

// quote quotes a URL for a message, its secret-looking query values hidden: a policy file's
// ServiceUrl may carry a ?code= key.
func quote(s string) string {
	before, query, found := strings.Cut(s, "?")
	if !found {
		return `"` + s + `"`
	}
	parts := strings.Split(query, "&")
	for i, part := range parts {
		if k, _, ok := strings.Cut(part, "="); ok {
			parts[i] = k + "=…"
		}
	}
	return `"` + before + "?" + strings.Join(parts, "&") + `"`
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
