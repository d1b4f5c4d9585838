package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

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

// Interpret applies B2C's response contract to one HTTP response received at step.
func (w Wire) Interpret(schema flows.Schema, step flows.Step, status int, contentType string, body []byte) Verdict {
	fail := func(format string, args ...any) Verdict {
		return Verdict{ConnectorResult: flows.ConnectorResult{Failure: httpFailure(step, status, fmt.Sprintf(format, args...))}}
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
		return fail("The API answered HTTP %d at %s; B2C expects 200 (Continue or ShowBlockPage) or 400 (ValidationError).%s%s", status, step, hint, excerpt(body))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fail("The API answered HTTP %d with an empty body at %s; B2C expects a JSON object with \"version\" and \"action\".", status, step)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
		kind := "is not JSON"
		if strings.HasPrefix(strings.TrimSpace(string(body)), "<") {
			kind = "is HTML, not JSON"
		} else if err == nil {
			kind = "is JSON but not a single object"
		}
		return fail("The API's HTTP %d body %s (Content-Type %q) at %s; B2C expects a JSON object with \"version\" and \"action\".%s", status, kind, contentType, step, excerpt(body))
	}
	if v, ok := obj["version"]; !ok || v == nil {
		return fail("The API's response has no \"version\" at %s; B2C expects a non-null version such as \"1.0.0\".", step)
	}
	actionRaw, ok := obj["action"].(string)
	if !ok {
		return fail("The API's response has no string \"action\" at %s; B2C expects Continue, ShowBlockPage or ValidationError.", step)
	}
	action := flows.Action(actionRaw)
	switch action {
	case flows.Continue, flows.ShowBlockPage, flows.ValidationError:
	default:
		return fail("The API's action %q is not one B2C knows; B2C expects Continue, ShowBlockPage or ValidationError (action names are case-sensitive; \"Allow\" is a retired name of Continue).", actionRaw)
	}
	if !actionAllowed(step, action) {
		return fail("The API answered %s at %s, where B2C accepts only %s.", action, step, allowedList(step))
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

func allowedList(step flows.Step) string {
	var s []string
	for _, a := range allowed[step] {
		s = append(s, string(a))
	}
	return strings.Join(s, " or ")
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
