package journey

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// restTimeout and restRetries are B2C's limits for a custom policy's RESTful call: 10 seconds
// per attempt and one retry (docs/custom-policies.md). API connectors differ: their timeout
// and retries are configurable.
const (
	restTimeout = 10 * time.Second
	restRetries = 1
)

func (e *Engine) restTimeout() time.Duration {
	if e.RESTTimeout > 0 {
		return e.RESTTimeout
	}
	return restTimeout
}

// restful calls a RESTful technical profile: the journey builds the request from the
// profile's metadata and keys, connector.Send sends it as it sends API connectors' calls (the
// limits, retry, redirects, size limit, records and redaction), and the answer becomes output
// claims or the page's error.
func (x *execution) restful(c *call) (map[string]string, *engine.Failure) {
	tp, inputs, step := c.tp, c.inputs, c.step
	if rerr := insecure(x.p, tp); rerr != nil {
		return nil, rerr
	}
	call := connector.Call{ID: x.callID(), Time: x.Now(), RunID: x.r.ID, Connector: tp.ID, Step: stepName(step), Warnings: resolverWarnings(tp)}
	began := time.Now()
	req, rerr := x.restRequest(tp, inputs, &call)
	if rerr != nil {
		if !rerr.Unsupported {
			x.record(call, began, nil, rerr)
		}
		return nil, rerr
	}
	ans := connector.Send(x.ctx, req)
	call.Attempts = ans.Attempts
	out, rerr := x.restResult(tp, ans, step)
	x.record(call, began, out, rerr)
	return out, rerr
}

// insecure refuses AuthenticationType None in production unless the profile allows it, as
// B2C does.
func insecure(p *policy.Policy, tp *policy.TechnicalProfile) *engine.Failure {
	md := tp.Metadata
	if md["AuthenticationType"] != "None" || strings.EqualFold(p.DeploymentMode, "Development") || strings.EqualFold(md["AllowInsecureAuthInProduction"], "true") {
		return nil
	}
	return &engine.Failure{Message: "The claims exchange could not be completed.", Code: "AADB2C90075",
		Diagnostic: fmt.Sprintf("%s: AuthenticationType None in production needs AllowInsecureAuthInProduction=true (or DeploymentMode=Development)", tp.ID)}
}

// restRequest builds a RESTful profile's request from its inputs (by partner claim name) and
// fills in what the call's record shows of it: the redacted URL, the headers with their
// credentials redacted, the body.
func (e *Engine) restRequest(tp *policy.TechnicalProfile, inputs map[string]string, call *connector.Call) (connector.Request, *engine.Failure) {
	bearer := bearerClaim(tp, inputs)
	req, rerr := restPayload(tp, inputs)
	if rerr != nil {
		return req, rerr
	}
	req.Timeout, req.Retries, req.HTTP = e.restTimeout(), restRetries, e.HTTP
	call.URL, call.Request, call.RequestHeaders = connector.Redact(req.URL), string(req.Body), map[string]string{}
	if ctype := req.Header.Get("Content-Type"); ctype != "" {
		call.RequestHeaders["Content-Type"] = ctype
	}
	if tp.Metadata["SendClaimsIn"] == "Header" {
		for k, v := range inputs {
			call.RequestHeaders[k] = v // as the policy names them
		}
	}
	rerr = e.restAuth(tp, bearer, &req, call.RequestHeaders) // before req is returned: it adds to req
	return req, rerr
}

// bearerClaim takes the UseClaimAsBearerToken claim out of inputs: with AuthenticationType
// Bearer the token travels in the Authorization header only (b2cemu's choice).
func bearerClaim(tp *policy.TechnicalProfile, inputs map[string]string) string {
	claim := tp.Metadata["UseClaimAsBearerToken"]
	if claim == "" || tp.Metadata["AuthenticationType"] != "Bearer" {
		return ""
	}
	bearer := ""
	for _, c := range tp.InputClaims {
		if strings.EqualFold(c.ClaimType, claim) {
			name := c.PartnerClaimType
			if name == "" {
				name = c.ClaimType
			}
			bearer = inputs[name]
			delete(inputs, name)
		}
	}
	return bearer
}

// restPayload places the inputs where SendClaimsIn says: a JSON body (or the
// ClaimUsedForRequestPayload claim as the whole body), a form, headers, the query string or
// the ServiceUrl's {claim} placeholders.
func restPayload(tp *policy.TechnicalProfile, inputs map[string]string) (connector.Request, *engine.Failure) {
	md := tp.Metadata
	req := connector.Request{Method: http.MethodPost, URL: md["ServiceUrl"], Header: http.Header{}}
	switch in := md["SendClaimsIn"]; in {
	case "", "Body":
		req.Header.Set("Content-Type", "application/json")
		req.Body, _ = json.Marshal(inputs)
		if claim := md["ClaimUsedForRequestPayload"]; claim != "" {
			req.Body = []byte(inputs[claim]) // a string claim sent as the whole body, usually built by GenerateJson
		}
	case "Form":
		form := url.Values{}
		for k, v := range inputs {
			form.Set(k, v)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Body = []byte(form.Encode())
	case "Header":
		req.Method = http.MethodGet
		for k, v := range inputs {
			req.Header.Set(k, v)
		}
	case "QueryString":
		req.Method = http.MethodGet
		u, err := url.Parse(req.URL) // checked when the policy loaded
		if err != nil {
			return req, unsupported(tp, fmt.Sprintf("the ServiceUrl %q (%v)", connector.Redact(req.URL), connector.ErrorText(err)))
		}
		q := u.Query()
		for k, v := range inputs {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
		req.URL = u.String()
	case "Url":
		req.Method = http.MethodGet
		for k, v := range inputs {
			req.URL = strings.ReplaceAll(req.URL, "{"+k+"}", url.PathEscape(v))
		}
	default:
		return req, unsupported(tp, fmt.Sprintf("SendClaimsIn %q", in))
	}
	return req, nil
}

// restAuth adds the profile's credentials to req, the secrets to the ones the record
// scrubs, and what the record may show of them to shown.
func (e *Engine) restAuth(tp *policy.TechnicalProfile, bearer string, req *connector.Request, shown map[string]string) *engine.Failure {
	key := func(id string) string { return e.PolicyKeys[strings.ToLower(tp.Keys[id])] }
	switch auth := tp.Metadata["AuthenticationType"]; auth {
	case "None":
	case "Basic":
		user, password := key("BasicAuthenticationUsername"), key("BasicAuthenticationPassword")
		value := base64.StdEncoding.EncodeToString([]byte(user + ":" + password)) // as SetBasicAuth writes it
		req.Header.Set("Authorization", "Basic "+value)
		req.Secrets = append(req.Secrets, password, value)
		shown["Authorization"] = "Basic [redacted: user " + strconv.Quote(user) + "]"
	case "Bearer":
		token := key("BearerAuthenticationToken")
		if tp.Metadata["UseClaimAsBearerToken"] != "" {
			token = bearer
		}
		if token == "" {
			return &engine.Failure{Code: "AADB2C90194", Message: "The claim to use as a bearer token has no value.",
				Diagnostic: fmt.Sprintf("%s: AuthenticationType Bearer without a token: set the BearerAuthenticationToken key in policyKeys, or give the UseClaimAsBearerToken claim (%q) a value as an input claim", tp.ID, tp.Metadata["UseClaimAsBearerToken"])}
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Secrets = append(req.Secrets, token)
		shown["Authorization"] = "Bearer [redacted]"
	case "ClientCertificate":
		// The key's client presents its newest valid certificate (checked at load).
		if hc := e.Certificates[strings.ToLower(tp.Keys["ClientCertificate"])]; hc != nil {
			req.HTTP = hc
		}
	case "ApiKeyHeader":
		for id := range tp.Keys {
			req.Header.Set(id, key(id))
			req.Secrets = append(req.Secrets, key(id))
			shown[id] = "[redacted]"
		}
	default:
		return unsupported(tp, fmt.Sprintf("AuthenticationType %q", auth))
	}
	return nil
}

// restResult reads what a RESTful call got: no answer (B2C's texts for the user, the
// transport's explanation for the developer), a body over the size limit, or an HTTP answer.
func (x *execution) restResult(tp *policy.TechnicalProfile, ans connector.Answer, step int) (map[string]string, *engine.Failure) {
	var out map[string]string
	var rerr *engine.Failure
	switch {
	case ans.Err != nil:
		rerr = &engine.Failure{Message: x.requestFailed(tp, ans.Err), Diagnostic: tp.ID + ": " + ans.NoAnswer(tp.Metadata["ServiceUrl"],
			fmt.Sprintf("B2C waits %s per attempt and retries once after a timeout or a failed connection", x.restTimeout()))}
	case ans.TooBig:
		rerr = httpError(tp, ans.Status, step)
		rerr.Diagnostic = fmt.Sprintf("%s answered HTTP %d with a body larger than %d bytes; B2C reads at most 1 MiB and treats a larger body as a failure: answer with a smaller JSON object", tp.ID, ans.Status, connector.MaxBody)
	default:
		out, rerr = x.restAnswer(tp, ans.Status, ans.Header, ans.Body, step)
	}
	if rerr != nil {
		rerr.Diagnostic = ans.Clean(rerr.Diagnostic)
	}
	return out, rerr
}

// requestFailed is the user's message for a call that got no answer: the profile's
// UserMessageIfRequestTimeout, UserMessageIfDnsResolutionFailed or
// DefaultUserMessageIfRequestFailed (metadata, then localized strings, then B2C's texts; the
// specific ones fall back to the default one). The URL is shown without its query, as for
// user flows' connectors, so an API key never reaches the page.
func (x *execution) requestFailed(tp *policy.TechnicalProfile, err error) string {
	serviceURL := connector.ShownURL(tp.Metadata["ServiceUrl"])
	custom := func(key string) string {
		if v := tp.Metadata[key]; v != "" {
			return v
		}
		return x.localized(tp, "ErrorMessage", "", key)
	}
	customDef := custom("DefaultUserMessageIfRequestFailed")
	specific := func(key, fallback string) string {
		if v := custom(key); v != "" {
			return v
		}
		if customDef != "" {
			return customDef
		}
		return fallback
	}
	def := customDef
	if def == "" {
		def = "Failed to establish connection to restful service end point. Restful service URL: {0}"
	}
	var dns *net.DNSError
	var nerr net.Error
	switch {
	case errors.As(err, &dns):
		return strings.ReplaceAll(specific("UserMessageIfDnsResolutionFailed", "Failed to resolve the hostname of the restful service endpoint. Restful service URL: {0}"), "{0}", serviceURL)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &nerr) && nerr.Timeout():
		msg := specific("UserMessageIfRequestTimeout", "Failed to establish connection to restful service end point within timeout limit {0} seconds. Restful service URL: {1}")
		if strings.Contains(msg, "{1}") {
			return strings.NewReplacer("{0}", "10", "{1}", serviceURL).Replace(msg)
		}
		return strings.ReplaceAll(msg, "{0}", serviceURL)
	}
	return strings.ReplaceAll(def, "{0}", serviceURL)
}

// stepName names where a RESTful profile ran, for the call inspector.
func stepName(step int) apiconnector.Step {
	if step == 0 {
		return "ValidationTechnicalProfile"
	}
	return apiconnector.Step(fmt.Sprintf("OrchestrationStep %d", step))
}

func (e *Engine) callID() string {
	return "tp-" + strconv.FormatInt(e.seq.Add(1), 10)
}

// record finishes a RESTful call's record and hands it to the log and the call inspector.
func (e *Engine) record(call connector.Call, began time.Time, out map[string]string, rerr *engine.Failure) {
	call.ElapsedMs = float64(time.Since(began).Microseconds()) / 1000
	switch {
	case rerr == nil:
		call.Outcome, call.Claims = "Continue", engine.Claims{}
		for k, v := range out {
			call.Claims[k] = v
		}
	case rerr.Rejected:
		call.Outcome, call.UserMessage, call.Diagnostic = "ValidationError", rerr.Message, rerr.Diagnostic
	default:
		call.Outcome, call.UserMessage, call.Diagnostic = "failure", rerr.Message, rerr.Diagnostic
	}
	if e.Log != nil {
		attrs := []any{"run", call.RunID, "technicalProfile", call.Connector, "step", call.Step, "outcome", call.Outcome, "attempts", len(call.Attempts), "call", call.ID}
		if call.Outcome == "failure" {
			e.Log.Warn("RESTful technical profile failed: "+call.Diagnostic, attrs...)
		} else {
			e.Log.Info("RESTful technical profile called", attrs...)
		}
	}
	if e.Record != nil {
		e.Record(call)
	}
}

// httpError is B2C's text for a RESTful call whose HTTP answer is not a success.
func httpError(tp *policy.TechnicalProfile, status, step int) *engine.Failure {
	return &engine.Failure{Message: fmt.Sprintf("The claims exchange '%s' specified in step '%d' returned HTTP error response with Code '%s' and Reason '%s'.",
		tp.ID, step, strings.ReplaceAll(http.StatusText(status), " ", ""), http.StatusText(status))}
}

// restAnswer reads a RESTful profile's answer: a flat JSON object of output claims, or a 4xx
// whose userMessage the page shows.
func (x *execution) restAnswer(tp *policy.TechnicalProfile, status int, header http.Header, data []byte, step int) (map[string]string, *engine.Failure) {
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	parsed := dec.Decode(&obj) == nil && obj != nil
	generic := httpError(tp, status, step)
	switch {
	case status >= 400 && status < 500 && parsed:
		if msg, ok := obj["userMessage"].(string); ok && msg != "" {
			return nil, &engine.Failure{Message: msg, Rejected: true}
		}
		generic.Diagnostic = fmt.Sprintf("%s answered HTTP %d without a userMessage", tp.ID, status)
		return nil, generic
	case status/100 == 3:
		generic.Diagnostic = fmt.Sprintf("%s answered HTTP %d, a redirect to %q; b2cemu does not follow redirects, so nothing was sent there: set ServiceUrl to the address that answers",
			tp.ID, status, connector.Redact(header.Get("Location")))
		return nil, generic
	case status/100 != 2:
		generic.Diagnostic = fmt.Sprintf("%s answered HTTP %d", tp.ID, status)
		return nil, generic
	case !parsed:
		generic.Diagnostic = fmt.Sprintf("%s answered HTTP %d with a body that is not a JSON object", tp.ID, status)
		return nil, generic
	}
	out := map[string]string{}
	flatten(out, "", obj, strings.EqualFold(tp.Metadata["ResolveJsonPathsInJsonTokens"], "true"))
	return out, nil
}

// flatten turns a JSON answer into output claim values by partner claim name: strings as they
// are, numbers and booleans as text, objects and arrays as JSON. With paths (the profile's
// ResolveJsonPathsInJsonTokens), nested values are reachable too, by JSON path: "a.b",
// "items[0].id".
func flatten(out map[string]string, prefix string, v any, paths bool) {
	switch v := v.(type) {
	case string:
		out[prefix] = v
	case json.Number, bool:
		out[prefix] = fmt.Sprint(v)
	case nil:
	case map[string]any:
		if prefix != "" {
			b, _ := json.Marshal(v)
			out[prefix] = string(b)
			if !paths {
				return
			}
		}
		for k, child := range v {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			flatten(out, name, child, paths)
		}
	case []any:
		b, _ := json.Marshal(v)
		out[prefix] = string(b)
		if paths {
			for i, child := range v {
				flatten(out, fmt.Sprintf("%s[%d]", prefix, i), child, paths)
			}
		}
	}
}
