package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/b2cemu/b2cemu/flows"
)

// MaxBody is the largest response body read; a longer one is a failure.
const MaxBody = 1 << 20

// Verdict is an interpreted response: the result for the flow plus what the developer should
// know about it.
type Verdict struct {
	flows.ConnectorResult
	Warnings []string
}

// exchange names the claims exchange of each step in B2C's error text.
var exchange = map[flows.Step]string{
	flows.PostFederationSignup:    "PreSelfAssertedRestful",
	flows.PostAttributeCollection: "PreUserWriteRestful",
	flows.PreTokenIssuance:        "PreSendClaimsRestful",
}

// allowed lists the actions each step accepts.
var allowed = map[flows.Step][]flows.Action{
	flows.PostFederationSignup:    {flows.Continue, flows.ShowBlockPage},
	flows.PostAttributeCollection: {flows.Continue, flows.ShowBlockPage, flows.ValidationError},
	flows.PreTokenIssuance:        {flows.Continue},
}

// httpFailure is B2C's generic text (AADB2C90075 style) for a call that did not give a valid
// answer, with the HTTP status as .NET names it.
func httpFailure(step flows.Step, status int, diagnostic string) *flows.ConnectorFailure {
	reason := http.StatusText(status)
	if reason == "" {
		reason = strconv.Itoa(status)
	}
	code := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\'' {
			return -1
		}
		return r
	}, reason)
	return &flows.ConnectorFailure{
		Message: fmt.Sprintf("The claims exchange '%s' specified in step '1' returned HTTP error response with Code '%s' and Reason '%s'.",
			exchange[step], code, reason),
		Diagnostic: diagnostic,
	}
}

// Interpret applies B2C's response contract to one HTTP response received at step. Every
// failure's diagnostic ends with what the step accepts, naming the step as it was sent.
func (w Wire) Interpret(schema flows.Schema, step flows.Step, status int, contentType string, body []byte) Verdict {
	fail := func(format string, args ...any) Verdict {
		return Verdict{ConnectorResult: flows.ConnectorResult{Failure: httpFailure(step, status, fmt.Sprintf(format, args...)+" "+w.accepts(step))}}
	}
	if status != http.StatusOK && status != http.StatusBadRequest {
		hint := ""
		switch status {
		case http.StatusUnauthorized, http.StatusForbidden:
			hint = " The API rejected the credentials: check the connector's authentication (username and password or client certificate)."
		case http.StatusNotFound:
			hint = " Check the endpoint URL, including its path and ?code= key."
		case http.StatusMethodNotAllowed:
			hint = " B2C always sends POST."
		}
		return fail("The API answered HTTP %d; B2C treats any status but 200 and 400 as a failure.%s%s", status, hint, excerpt(body))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fail("The API answered HTTP %d with an empty body; B2C expects a JSON object with \"version\" and \"action\".", status)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
		kind := "is not JSON"
		switch {
		case bytes.HasPrefix(body, []byte("\xff\xfe")) || bytes.HasPrefix(body, []byte("\xfe\xff")):
			kind = "starts with a UTF-16 byte-order mark: it is UTF-16, not UTF-8 JSON"
		case strings.HasPrefix(strings.TrimSpace(string(body)), "<"):
			kind = "is HTML, not JSON"
		case err == nil:
			kind = "is JSON but not a single object"
		}
		return fail("The API's HTTP %d body %s (Content-Type %q); B2C expects a JSON object with \"version\" and \"action\".%s", status, kind, contentType, excerpt(body))
	}
	if v, ok := obj["version"]; !ok || v == nil {
		return fail("The API's response has no \"version\"; B2C expects a non-null version such as \"1.0.0\".")
	}
	actionRaw, ok := obj["action"].(string)
	if !ok {
		return fail("The API's response has no string \"action\".")
	}
	action := flows.Action(actionRaw)
	switch action {
	case flows.Continue, flows.ShowBlockPage, flows.ValidationError:
	default:
		return fail("The API's action %q is not one B2C knows (action names are case-sensitive; \"Allow\" is a retired name of Continue).", actionRaw)
	}
	if !actionAllowed(step, action) {
		return fail("The API answered %s, which this step does not accept.", action)
	}
	msg, _ := obj["userMessage"].(string)
	switch action {
	case flows.ValidationError:
		if status != http.StatusBadRequest {
			return fail("The API answered ValidationError with HTTP %d; B2C expects HTTP 400 for ValidationError.", status)
		}
		if !statusIs400(obj["status"]) {
			return fail("The API's ValidationError has \"status\": %s; B2C expects \"status\": 400 or \"400\" in the body as well as HTTP 400.", jsonText(obj["status"]))
		}
		if msg == "" {
			return fail("The API's ValidationError has no \"userMessage\"; B2C expects the text to show the user.")
		}
		return Verdict{ConnectorResult: flows.ConnectorResult{Action: action, UserMessage: msg}}
	case flows.ShowBlockPage:
		if status != http.StatusOK {
			return fail("The API answered ShowBlockPage with HTTP %d; B2C expects HTTP 200 for ShowBlockPage.", status)
		}
		if msg == "" {
			return fail("The API's ShowBlockPage has no \"userMessage\"; B2C expects the text to show on the block page.")
		}
		return Verdict{ConnectorResult: flows.ConnectorResult{Action: action, UserMessage: msg}}
	}
	if status != http.StatusOK {
		return fail("The API answered Continue with HTTP %d; B2C expects HTTP 200 for Continue.", status)
	}
	v := Verdict{ConnectorResult: flows.ConnectorResult{Action: flows.Continue, Claims: flows.Claims{}}}
	if !utf8.Valid(body) {
		v.Warnings = append(v.Warnings, invalidUTF8(body))
	}
	for key, val := range obj {
		if key == "version" || key == "action" {
			continue
		}
		name, warn := w.claimName(schema, key)
		if warn != "" {
			v.Warnings = append(v.Warnings, warn)
			continue
		}
		if val == nil {
			v.Warnings = append(v.Warnings, fmt.Sprintf("Claim %q is null and was ignored; B2C ignores null values (leave the key out instead).", key))
			continue
		}
		a, _ := schema.Lookup(name)
		typed, ok := typedValue(a, val)
		if !ok {
			v.Warnings = append(v.Warnings, fmt.Sprintf("Claim %q has the JSON value %s, but the attribute %s is of type %s; it was ignored.", key, jsonText(val), a.Name, a.DataType))
			continue
		}
		if typed == "" {
			continue // an empty string means "no value"
		}
		v.Claims[name] = typed
	}
	if err := schema.CheckClaims(v.Claims); err != nil {
		return fail("%s", flows.InvalidClaimDiagnostic(step, err)) // the page's rules hold for connector values too
	}
	return v
}

// claimName maps a response key to an attribute name, or explains why it is ignored.
func (w Wire) claimName(schema flows.Schema, key string) (string, string) {
	if a, ok := schema.Lookup(key); ok {
		if !a.Custom {
			return key, ""
		}
		return "", fmt.Sprintf("Claim %q is a custom attribute's bare name and was ignored; B2C expects \"extension_%s\" (or \"%s\").", key, key, w.WireName(a))
	}
	if rest, ok := strings.CutPrefix(key, "extension_"); ok {
		if withApp, ok := strings.CutPrefix(rest, w.appID()+"_"); ok {
			rest = withApp
		}
		if a, ok := schema.Lookup(rest); ok && a.Custom {
			return a.Name, ""
		}
		return "", fmt.Sprintf("Claim %q names no custom attribute of the tenant and was ignored.", key)
	}
	return "", fmt.Sprintf("Claim %q is not a user attribute of the tenant and was ignored; B2C accepts only built-in attributes and extension_<Name> custom attributes.", key)
}

func typedValue(a flows.Attribute, v any) (any, bool) {
	switch a.DataType {
	case flows.Int:
		n, ok := v.(json.Number)
		if !ok {
			return nil, false
		}
		i, err := n.Int64()
		return i, err == nil
	case flows.Boolean:
		b, ok := v.(bool)
		return b, ok
	default:
		s, ok := v.(string)
		return s, ok
	}
}

func statusIs400(v any) bool {
	switch v := v.(type) {
	case json.Number:
		return v.String() == "400"
	case string:
		return v == "400"
	}
	return false
}

func actionAllowed(step flows.Step, a flows.Action) bool {
	for _, x := range allowed[step] {
		if x == a {
			return true
		}
	}
	return false
}

// accepts is the sentence that closes every response diagnostic: the answers step accepts,
// with the step named as the request sent it.
func (w Wire) accepts(step flows.Step) string {
	var s []string
	for _, a := range allowed[step] {
		status := http.StatusOK
		if a == flows.ValidationError {
			status = http.StatusBadRequest
		}
		s = append(s, fmt.Sprintf("%s (HTTP %d)", a, status))
	}
	list := strings.Join(s, " or ")
	if n := len(s); n > 2 {
		list = strings.Join(s[:n-1], ", ") + " or " + s[n-1]
	}
	return fmt.Sprintf("At %s, B2C accepts only %s.", w.StepName(step), list)
}

// invalidUTF8 explains a Continue body that is not valid UTF-8.
func invalidUTF8(body []byte) string {
	at := 0
	for at < len(body) {
		r, size := utf8.DecodeRune(body[at:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		at += size
	}
	return fmt.Sprintf("The response body is not valid UTF-8 (byte 0x%02x at offset %d); B2C expects UTF-8 JSON. b2cemu read each invalid byte as U+FFFD.", body[at], at)
}

// redirectFailure explains a 3xx answer. Redirects are not followed: B2C's contract names only
// HTTP 200 and 400, and following one could send the request, and its credentials, elsewhere.
func (w Wire) redirectFailure(step flows.Step, status int, endpoint, location string) *flows.ConnectorFailure {
	where := "without a Location header"
	if location != "" {
		where = redirectTarget(endpoint, location)
	}
	return httpFailure(step, status, fmt.Sprintf(
		"The API answered HTTP %d, a redirect %s; b2cemu does not follow redirects (B2C treats any status but 200 and 400 as a failure): set the connector's endpointUrl to the address that answers. %s",
		status, where, w.accepts(step)))
}

// redirectTarget describes where a Location points, redacted and relative to the endpoint.
func redirectTarget(endpoint, location string) string {
	shown := Redact(location)
	if r := []rune(shown); len(r) > 200 {
		shown = string(r[:200]) + "…"
	}
	loc, err := url.Parse(location)
	base, berr := url.Parse(endpoint)
	if err != nil || berr != nil {
		return fmt.Sprintf("to %q, which is not a valid URL", shown)
	}
	target := base.ResolveReference(loc)
	switch {
	case target.Scheme != "http" && target.Scheme != "https":
		return fmt.Sprintf("to %q, which is not an http or https URL", shown)
	case target.String() == base.String():
		return fmt.Sprintf("to %q, the endpoint itself (a redirect loop)", shown)
	case !strings.EqualFold(target.Host, base.Host):
		return fmt.Sprintf("to %q on another host (%s); no request or credentials were sent there", shown, target.Host)
	}
	return fmt.Sprintf("to %q", shown)
}

func jsonText(v any) string {
	if v == nil {
		return "missing or null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// excerpt quotes the start of a body for a diagnostic.
func excerpt(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" {
		return ""
	}
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	return fmt.Sprintf(" Body: %q", s)
}
