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

	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// MaxBody is the largest response body read; a longer one is a failure.
const MaxBody = 1 << 20

// Verdict is an interpreted response: the result for the flow plus what the developer should
// know about it.
type Verdict struct {
	apiconnector.Result
	Warnings []string
}

// exchange names the claims exchange of each step in B2C's error text.
var exchange = map[apiconnector.Step]string{
	apiconnector.PostFederationSignup:    "PreSelfAssertedRestful",
	apiconnector.PostAttributeCollection: "PreUserWriteRestful",
	apiconnector.PreTokenIssuance:        "PreSendClaimsRestful",
}

// allowed lists the actions each step accepts.
var allowed = map[apiconnector.Step][]apiconnector.Action{
	apiconnector.PostFederationSignup:    {apiconnector.Continue, apiconnector.ShowBlockPage},
	apiconnector.PostAttributeCollection: {apiconnector.Continue, apiconnector.ShowBlockPage, apiconnector.ValidationError},
	apiconnector.PreTokenIssuance:        {apiconnector.Continue},
}

// httpFailure is B2C's generic text (AADB2C90075 style) for a call that did not give a valid
// answer, with the HTTP status as .NET names it.
func httpFailure(step apiconnector.Step, status int, diagnostic string) *apiconnector.Failure {
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
	return &apiconnector.Failure{
		Message: fmt.Sprintf("The claims exchange '%s' specified in step '1' returned HTTP error response with Code '%s' and Reason '%s'.",
			exchange[step], code, reason),
		Diagnostic: diagnostic,
	}
}

// actionRule is what B2C asks of a response with one action.
type actionRule struct {
	status    int    // the HTTP status that must carry the action
	noMessage string // the diagnostic when "userMessage" is missing; "" when none is needed
}

// actionRules holds the actions B2C knows (names are case-sensitive) and what each needs.
var actionRules = map[apiconnector.Action]actionRule{
	apiconnector.Continue:      {status: http.StatusOK},
	apiconnector.ShowBlockPage: {status: http.StatusOK, noMessage: "The API's ShowBlockPage has no \"userMessage\"; B2C expects the text to show on the block page."},
	apiconnector.ValidationError: {status: http.StatusBadRequest,
		noMessage: "The API's ValidationError has no \"userMessage\"; B2C expects the text to show the user."},
}

// statusHints say what usually causes a failing HTTP status.
var statusHints = map[int]string{
	http.StatusUnauthorized:     " The API rejected the credentials: check the connector's authentication (username and password or client certificate).",
	http.StatusForbidden:        " The API rejected the credentials: check the connector's authentication (username and password or client certificate).",
	http.StatusNotFound:         " Check the endpoint URL, including its path and ?code= key.",
	http.StatusMethodNotAllowed: " B2C always sends POST.",
}

// Interpret applies B2C's response contract to one HTTP response received at step. Every
// failure's diagnostic ends with what the step accepts, naming the step as it was sent.
func (w Wire) Interpret(schema attributes.Schema, step apiconnector.Step, status int, contentType string, body []byte) Verdict {
	obj, problem := answerObject(status, contentType, body)
	var action apiconnector.Action
	var msg string
	if problem == "" {
		action, msg, problem = checkAction(step, status, obj)
	}
	if problem != "" {
		return w.failed(step, status, problem)
	}
	if action != apiconnector.Continue {
		return Verdict{Result: apiconnector.Result{Action: action, UserMessage: msg}}
	}
	v := w.continueVerdict(schema, obj, body)
	if err := schema.CheckClaims(v.Claims); err != nil {
		return w.failed(step, status, apiconnector.InvalidClaimDiagnostic(step, err)) // the page's rules hold for connector values too
	}
	return v
}

// failed is the verdict of a response B2C refuses, its diagnostic closed by what step accepts.
func (w Wire) failed(step apiconnector.Step, status int, problem string) Verdict {
	return Verdict{Result: apiconnector.Result{Failure: httpFailure(step, status, problem+" "+w.accepts(step))}}
}

// answerObject decodes the body as one JSON object with a version, or says why it is not
// an answer B2C reads.
func answerObject(status int, contentType string, body []byte) (map[string]any, string) {
	if status != http.StatusOK && status != http.StatusBadRequest {
		return nil, fmt.Sprintf("The API answered HTTP %d; B2C treats any status but 200 and 400 as a failure.%s%s", status, statusHints[status], excerpt(body))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Sprintf("The API answered HTTP %d with an empty body; B2C expects a JSON object with \"version\" and \"action\".", status)
	}
	obj, ok := decodeAnswer(body)
	if !ok {
		var problem string
		if obj, problem = decodeAnswerSlowly(body); problem != "" {
			return nil, fmt.Sprintf("The API's HTTP %d body %s (Content-Type %q); B2C expects a JSON object with \"version\" and \"action\".%s", status, problem, contentType, excerpt(body))
		}
	}
	if v, ok := obj["version"]; !ok || v == nil {
		return nil, "The API's response has no \"version\"; B2C expects a non-null version such as \"1.0.0\"."
	}
	return obj, ""
}

// decodeAnswerSlowly decodes with encoding/json a body decodeAnswer did not take, or says
// why it is not one JSON object.
func decodeAnswerSlowly(body []byte) (map[string]any, string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // integers stay exact for Int attributes
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
		return nil, notAnObject(body, err)
	}
	return obj, ""
}

// notAnObject describes a body that did not decode as a single JSON object; err is the
// decoder's error, nil when the JSON was valid but of another shape.
func notAnObject(body []byte, err error) string {
	switch {
	case bytes.HasPrefix(body, []byte("\xff\xfe")) || bytes.HasPrefix(body, []byte("\xfe\xff")):
		return "starts with a UTF-16 byte-order mark: it is UTF-16, not UTF-8 JSON"
	case strings.HasPrefix(strings.TrimSpace(string(body)), "<"):
		return "is HTML, not JSON"
	case err == nil:
		return "is JSON but not a single object"
	}
	return "is not JSON"
}

// checkAction reads the answer's action and user message, or says why B2C refuses them: an
// unknown action, one step does not accept, the wrong HTTP status for it, or a missing text.
func checkAction(step apiconnector.Step, status int, obj map[string]any) (apiconnector.Action, string, string) {
	raw, ok := obj["action"].(string)
	if !ok {
		return "", "", "The API's response has no string \"action\"."
	}
	action := apiconnector.Action(raw)
	rule, known := actionRules[action]
	switch {
	case !known:
		return "", "", fmt.Sprintf("The API's action %q is not one B2C knows (action names are case-sensitive; \"Allow\" is a retired name of Continue).", raw)
	case !actionAllowed(step, action):
		return "", "", fmt.Sprintf("The API answered %s, which this step does not accept.", action)
	case status != rule.status:
		return "", "", fmt.Sprintf("The API answered %s with HTTP %d; B2C expects HTTP %d for %s.", action, status, rule.status, action)
	case action == apiconnector.ValidationError && !statusIs400(obj["status"]):
		return "", "", fmt.Sprintf("The API's ValidationError has \"status\": %s; B2C expects \"status\": 400 or \"400\" in the body as well as HTTP 400.", jsonText(obj["status"]))
	}
	msg, _ := obj["userMessage"].(string)
	if rule.noMessage != "" && msg == "" {
		return "", "", rule.noMessage
	}
	return action, msg, ""
}

// continueVerdict takes a Continue answer's claims, warning about each key it ignores.
func (w Wire) continueVerdict(schema attributes.Schema, obj map[string]any, body []byte) Verdict {
	v := Verdict{Result: apiconnector.Result{Action: apiconnector.Continue, Claims: engine.Claims{}}}
	if !utf8.Valid(body) {
		v.Warnings = append(v.Warnings, invalidUTF8(body))
	}
	for key, val := range obj {
		if key == "version" || key == "action" {
			continue
		}
		name, typed, warn := w.claimValue(schema, key, val)
		if warn != "" {
			v.Warnings = append(v.Warnings, warn)
			continue
		}
		if typed == "" {
			continue // an empty string means "no value"
		}
		v.Claims[name] = typed
	}
	return v
}

// claimValue maps one response key and value to an attribute and its typed value, or explains
// why B2C ignores it.
func (w Wire) claimValue(schema attributes.Schema, key string, val any) (string, any, string) {
	name, warn := w.claimName(schema, key)
	if warn != "" {
		return "", nil, warn
	}
	if val == nil {
		return "", nil, fmt.Sprintf("Claim %q is null and was ignored; B2C ignores null values (leave the key out instead).", key)
	}
	a, _ := schema.Lookup(name)
	typed, ok := typedValue(a, val)
	if !ok {
		return "", nil, fmt.Sprintf("Claim %q has the JSON value %s, but the attribute %s is of type %s; it was ignored.", key, jsonText(val), a.Name, a.DataType)
	}
	return name, typed, ""
}

// claimName maps a response key to an attribute name, or explains why it is ignored.
func (w Wire) claimName(schema attributes.Schema, key string) (string, string) {
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

func typedValue(a attributes.Attribute, v any) (any, bool) {
	switch a.DataType {
	case attributes.Int:
		n, ok := v.(json.Number)
		if !ok {
			return nil, false
		}
		i, err := n.Int64()
		return i, err == nil
	case attributes.Boolean:
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

func actionAllowed(step apiconnector.Step, a apiconnector.Action) bool {
	for _, x := range allowed[step] {
		if x == a {
			return true
		}
	}
	return false
}

// accepts is the sentence that closes every response diagnostic: the answers step accepts,
// with the step named as the request sent it.
func (w Wire) accepts(step apiconnector.Step) string {
	var s []string
	for _, a := range allowed[step] {
		s = append(s, fmt.Sprintf("%s (HTTP %d)", a, actionRules[a].status))
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
func (w Wire) redirectFailure(step apiconnector.Step, status int, endpoint, location string) *apiconnector.Failure {
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
