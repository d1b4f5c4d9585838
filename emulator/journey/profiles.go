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
	"github.com/b2cemu/b2cemu/flows"
)

// runError is a technical profile that did not succeed: msg is what the user sees (on the
// page for a validation profile), diagnostic what the developer should know; unsupported
// marks a feature b2cemu does not run yet.
type runError struct {
	code, msg, diagnostic string
	unsupported           bool
	rejected              bool   // the service answered 4xx with a userMessage: the page shows it
	oauth                 string // the error the application gets, when not server_error
}

func unsupported(tp *policy.TechnicalProfile, what string) *runError {
	return &runError{code: "AADB2C90075", unsupported: true, msg: "This part of the policy is not supported by the emulator yet.",
		diagnostic: fmt.Sprintf("%s:%d: TechnicalProfile Id=%q: %s is not supported by b2cemu yet (docs/custom-policies.md)", tp.El.File, tp.El.Line, tp.ID, what)}
}

// run executes a non-interactive technical profile over scope: its input claims
// transformations, input claims, the protocol, its output claims and output claims
// transformations. Outputs are written to scope. step is the orchestration step (0 for a
// validation profile).
func (e *Engine) run(ctx context.Context, p *policy.Policy, r *flows.Run, st *state, tp *policy.TechnicalProfile, scope map[string]string, step int) (map[string]string, *runError) {
	for _, t := range tp.InputTransformations {
		if err := e.transform(p, tp, t, scope); err != nil {
			return nil, err
		}
	}
	inputs := map[string]string{} // partner name → value
	for _, c := range tp.InputClaims {
		v, ok := scope[strings.ToLower(c.ClaimType)]
		if c.HasDefault && (c.AlwaysUseDefault || !ok || v == "") {
			v, ok = e.resolveDefault(p, r, tp, scope, c), true
		}
		if !ok || v == "" {
			if c.Required {
				return nil, &runError{msg: e.text(p, tp, "ErrorMessage", "UserMessageIfMissingRequiredElement", "Missing required element: {0}", c.ClaimType),
					diagnostic: fmt.Sprintf("%s: the input claim %s has no value", tp.ID, c.ClaimType)}
			}
			continue
		}
		name := c.PartnerClaimType
		if name == "" {
			name = c.ClaimType
		}
		inputs[name] = v
	}
	var result map[string]string
	var err *runError
	switch tp.Kind {
	case policy.Directory:
		result, err = e.directory(ctx, p, tp, inputs, scope)
	case policy.PasswordCheck:
		result, err = e.passwordCheck(ctx, p, tp, inputs)
	case policy.Restful:
		result, err = e.restful(ctx, p, r, tp, inputs, step)
	case policy.EmailCode:
		result, err = e.emailCode(p, r, st, tp, inputs)
	case policy.OneTimePassword:
		result, err = e.oneTimePassword(p, r, st, tp, inputs)
	case policy.Engine:
		// In a refresh journey the engine's profile (RefreshTokenReadAndSetup) reads its
		// output claims back from the refresh token: the sign-in's claims bag.
		result = map[string]string{}
		for _, c := range tp.OutputClaims {
			if v, ok := st.carried[strings.ToLower(c.ClaimType)]; ok {
				result[c.ClaimType] = v
			}
		}
	case policy.Transformation, policy.Session, policy.TokenIssuer:
		result = map[string]string{}
	case policy.IdentityProvider:
		return nil, unsupported(tp, fmt.Sprintf("signing in with an external identity provider (the %s protocol)", tp.Protocol))
	default:
		return nil, unsupported(tp, fmt.Sprintf("a %s technical profile", tp.Kind))
	}
	if err != nil {
		return nil, err
	}
	if err := e.outputs(p, r, tp, result, scope); err != nil {
		return nil, err
	}
	return result, nil
}

// outputs maps a profile's result (by partner claim name) to its output claims in scope, with
// their defaults, then runs its output claims transformations.
func (e *Engine) outputs(p *policy.Policy, r *flows.Run, tp *policy.TechnicalProfile, result, scope map[string]string) *runError {
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
			v, ok = e.resolveDefault(p, r, tp, scope, c), true
		}
		if ok && v != "" {
			scope[strings.ToLower(c.ClaimType)] = v
		}
	}
	for _, t := range tp.OutputTransformations {
		if err := e.transform(p, tp, t, scope); err != nil {
			return err
		}
	}
	return nil
}

// directory runs an AzureActiveDirectoryProvider profile on b2cemu's user store.
func (e *Engine) directory(ctx context.Context, p *policy.Policy, tp *policy.TechnicalProfile, inputs map[string]string, scope map[string]string) (map[string]string, *runError) {
	var key, value string
	for k, v := range inputs {
		key, value = k, v
	}
	var u *flows.User
	var err error
	identity := flows.Identity{SignInType: "emailAddress", Issuer: e.Tenant + ".onmicrosoft.com", IssuerAssignedID: value}
	switch key {
	case "objectId":
		u, err = e.Directory.Get(ctx, value)
	case "signInNames.emailAddress", "signInNames.userName", "email":
		u, err = e.Directory.FindByIdentity(ctx, identity)
	case "alternativeSecurityId":
		var alt struct {
			Issuer       string `json:"issuer"`
			IssuerUserID string `json:"issuerUserId"`
		}
		jerr := json.Unmarshal([]byte(value), &alt)
		key, derr := base64.StdEncoding.DecodeString(alt.IssuerUserID)
		if jerr != nil || derr != nil || alt.Issuer == "" {
			return nil, &runError{msg: "The service has encountered an internal error.",
				diagnostic: fmt.Sprintf("%s: alternativeSecurityId %q is not the JSON CreateAlternativeSecurityId makes", tp.ID, value)}
		}
		identity = flows.Identity{SignInType: "federated", Issuer: alt.Issuer, IssuerAssignedID: string(key)}
		u, err = e.Directory.FindByIdentity(ctx, identity)
	default:
		return nil, unsupported(tp, fmt.Sprintf("looking users up by %q", key))
	}
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return nil, &runError{msg: "The service has encountered an internal error.", diagnostic: err.Error()}
	}
	op := tp.Metadata["Operation"]
	if u == nil && strings.EqualFold(tp.Metadata["RaiseErrorIfClaimsPrincipalDoesNotExist"], "true") {
		return nil, &runError{code: "AADB2C99002", msg: e.text(p, tp, "ErrorMessage", "UserMessageIfClaimsPrincipalDoesNotExist", "An account could not be found for the provided user ID."),
			diagnostic: fmt.Sprintf("%s: no user with %s %q", tp.ID, key, value)}
	}
	if u != nil && strings.EqualFold(tp.Metadata["RaiseErrorIfClaimsPrincipalAlreadyExists"], "true") {
		return nil, &runError{msg: e.text(p, tp, "ErrorMessage", "UserMessageIfClaimsPrincipalAlreadyExists", "A user with the specified ID already exists. Please choose a different one."),
			diagnostic: fmt.Sprintf("%s: a user with %s %q exists", tp.ID, key, value)}
	}
	switch {
	case strings.EqualFold(op, "Read"):
		if u == nil {
			return map[string]string{}, nil
		}
		return userClaims(e.Tenant, u), nil
	case strings.EqualFold(op, "Write") && u == nil:
		if key == "objectId" {
			return nil, unsupported(tp, "creating a user by objectId")
		}
		u = &flows.User{ObjectID: e.NewID(), Identities: []flows.Identity{identity}, Attributes: flows.Claims{}, Created: e.Now()}
		if identity.SignInType == "emailAddress" {
			u.Attributes["email"] = value
		}
		attrs, password := persisted(tp, scope)
		delete(attrs, "signInNames.emailAddress")
		delete(attrs, "alternativeSecurityId")
		for k, v := range attrs {
			u.Attributes[k] = v
		}
		if err := e.Directory.Create(ctx, u, password); err != nil {
			if errors.Is(err, flows.ErrExists) {
				return nil, &runError{msg: e.text(p, tp, "ErrorMessage", "UserMessageIfClaimsPrincipalAlreadyExists", "A user with the specified ID already exists. Please choose a different one.")}
			}
			return nil, &runError{msg: "The service has encountered an internal error.", diagnostic: err.Error()}
		}
		out := userClaims(e.Tenant, u)
		out["newClaimsPrincipalCreated"] = "true"
		return out, nil
	case strings.EqualFold(op, "Write"):
		up, ok := e.Directory.(updater)
		if !ok {
			return nil, unsupported(tp, "updating a user in this directory")
		}
		attrs, password := persisted(tp, scope)
		delete(attrs, "objectId")
		delete(attrs, "signInNames.emailAddress")
		updated, err := up.Update(ctx, u.ObjectID, attrs, password)
		if err != nil {
			return nil, &runError{msg: "The service has encountered an internal error.", diagnostic: err.Error()}
		}
		return userClaims(e.Tenant, updated), nil
	case strings.EqualFold(op, "DeleteClaimsPrincipal"):
		del, ok := e.Directory.(deleter)
		if !ok {
			return nil, unsupported(tp, "deleting users in this directory")
		}
		if u != nil {
			if _, err := del.Delete(u.ObjectID); err != nil {
				return nil, &runError{msg: "The service has encountered an internal error.", diagnostic: err.Error()}
			}
		}
		return map[string]string{}, nil
	case strings.EqualFold(op, "DeleteClaims"):
		up, ok := e.Directory.(updater)
		if !ok {
			return nil, unsupported(tp, "updating a user in this directory")
		}
		if u == nil {
			return map[string]string{}, nil
		}
		attrs := flows.Claims{} // the persisted claims name the attributes to remove
		for _, c := range tp.PersistedClaims {
			if name := c.PartnerClaimType; name != "" {
				attrs[name] = nil
			} else if !strings.EqualFold(c.ClaimType, "objectId") {
				attrs[c.ClaimType] = nil
			}
		}
		updated, err := up.Update(ctx, u.ObjectID, attrs, "")
		if err != nil {
			return nil, &runError{msg: "The service has encountered an internal error.", diagnostic: err.Error()}
		}
		return userClaims(e.Tenant, updated), nil
	default:
		return nil, unsupported(tp, fmt.Sprintf("the directory operation %q", op))
	}
}

// deleter is a directory that can delete a user (b2cemu's store).
type deleter interface {
	Delete(objectID string) (bool, error)
}

// updater is a directory that can change an existing user (b2cemu's store).
type updater interface {
	Update(ctx context.Context, objectID string, attrs flows.Claims, password string) (*flows.User, error)
}

// persisted are a directory profile's PersistedClaims from scope, by directory attribute
// name (PartnerClaimType, else the claim id), with their DefaultValues; the password apart.
func persisted(tp *policy.TechnicalProfile, scope map[string]string) (flows.Claims, string) {
	attrs, password := flows.Claims{}, ""
	for _, c := range tp.PersistedClaims {
		name := c.PartnerClaimType
		if name == "" {
			name = c.ClaimType
		}
		v, ok := scope[strings.ToLower(c.ClaimType)]
		if (!ok || v == "") && c.HasDefault {
			v = c.DefaultValue
		}
		switch {
		case v == "":
		case name == "password":
			password = v
		default:
			attrs[name] = v
		}
	}
	return attrs, password
}

// userClaims are a directory user's attributes under the names directory profiles read. A
// user whose profile persisted no userPrincipalName has Azure AD's <objectId>@<tenant>.
func userClaims(tenant string, u *flows.User) map[string]string {
	out := map[string]string{"objectId": u.ObjectID, "userPrincipalName": u.ObjectID + "@" + tenant + ".onmicrosoft.com", "accountEnabled": "true"}
	for k := range u.Attributes {
		out[k] = u.Attributes.String(k)
	}
	for _, id := range u.Identities {
		if id.SignInType == "emailAddress" {
			out["signInNames.emailAddress"] = id.IssuerAssignedID
		}
	}
	if e := u.Email(); e != "" {
		b, _ := json.Marshal([]string{e})
		out["otherMails"] = string(b)
	}
	return out
}

// passwordCheck stands in for login-NonInteractive (a ROPC call to Azure AD): the user store
// checks the password.
func (e *Engine) passwordCheck(ctx context.Context, p *policy.Policy, tp *policy.TechnicalProfile, inputs map[string]string) (map[string]string, *runError) {
	u, err := e.Directory.Authenticate(ctx, inputs["username"], inputs["password"])
	switch {
	case errors.Is(err, flows.ErrNotFound):
		return nil, &runError{msg: e.text(p, tp, "ErrorMessage", "UserMessageIfClaimsPrincipalDoesNotExist", "We can't seem to find your account.")}
	case errors.Is(err, flows.ErrBadPassword):
		return nil, &runError{msg: e.text(p, tp, "ErrorMessage", "UserMessageIfInvalidPassword", "Your password is incorrect.")}
	case err != nil:
		return nil, &runError{msg: "The service has encountered an internal error.", diagnostic: err.Error()}
	}
	return map[string]string{"oid": u.ObjectID, "tid": e.TenantID, "name": u.Attributes.String("displayName"),
		"given_name": u.Attributes.String("givenName"), "family_name": u.Attributes.String("surname"),
		"upn": userClaims(e.Tenant, u)["userPrincipalName"]}, nil
}

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
func (e *Engine) restful(ctx context.Context, p *policy.Policy, r *flows.Run, tp *policy.TechnicalProfile, inputs map[string]string, step int) (map[string]string, *runError) {
	if rerr := insecure(p, tp); rerr != nil {
		return nil, rerr
	}
	call := connector.Call{ID: e.callID(), Time: e.Now(), RunID: r.ID, Connector: tp.ID, Step: stepName(step), Warnings: resolverWarnings(tp)}
	began := time.Now()
	req, rerr := e.restRequest(tp, inputs, &call)
	if rerr != nil {
		if !rerr.unsupported {
			e.record(call, began, nil, rerr)
		}
		return nil, rerr
	}
	ans := connector.Send(ctx, req)
	call.Attempts = ans.Attempts
	out, rerr := e.restResult(p, tp, ans, step)
	e.record(call, began, out, rerr)
	return out, rerr
}

// insecure refuses AuthenticationType None in production unless the profile allows it, as
// B2C does.
func insecure(p *policy.Policy, tp *policy.TechnicalProfile) *runError {
	md := tp.Metadata
	if md["AuthenticationType"] != "None" || strings.EqualFold(p.DeploymentMode, "Development") || strings.EqualFold(md["AllowInsecureAuthInProduction"], "true") {
		return nil
	}
	return &runError{msg: "The claims exchange could not be completed.", code: "AADB2C90075",
		diagnostic: fmt.Sprintf("%s: AuthenticationType None in production needs AllowInsecureAuthInProduction=true (or DeploymentMode=Development)", tp.ID)}
}

// restRequest builds a RESTful profile's request from its inputs (by partner claim name) and
// fills in what the call's record shows of it: the redacted URL, the headers with their
// credentials redacted, the body.
func (e *Engine) restRequest(tp *policy.TechnicalProfile, inputs map[string]string, call *connector.Call) (connector.Request, *runError) {
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
func restPayload(tp *policy.TechnicalProfile, inputs map[string]string) (connector.Request, *runError) {
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
func (e *Engine) restAuth(tp *policy.TechnicalProfile, bearer string, req *connector.Request, shown map[string]string) *runError {
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
			return &runError{code: "AADB2C90194", msg: "The claim to use as a bearer token has no value.",
				diagnostic: fmt.Sprintf("%s: AuthenticationType Bearer without a token: set the BearerAuthenticationToken key in policyKeys, or give the UseClaimAsBearerToken claim (%q) a value as an input claim", tp.ID, tp.Metadata["UseClaimAsBearerToken"])}
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
func (e *Engine) restResult(p *policy.Policy, tp *policy.TechnicalProfile, ans connector.Answer, step int) (map[string]string, *runError) {
	var out map[string]string
	var rerr *runError
	switch {
	case ans.Err != nil:
		rerr = &runError{msg: e.requestFailed(p, tp, ans.Err), diagnostic: tp.ID + ": " + ans.NoAnswer(tp.Metadata["ServiceUrl"],
			fmt.Sprintf("B2C waits %s per attempt and retries once after a timeout or a failed connection", e.restTimeout()))}
	case ans.TooBig:
		rerr = httpError(tp, ans.Status, step)
		rerr.diagnostic = fmt.Sprintf("%s answered HTTP %d with a body larger than %d bytes; B2C reads at most 1 MiB and treats a larger body as a failure: answer with a smaller JSON object", tp.ID, ans.Status, connector.MaxBody)
	default:
		out, rerr = e.restAnswer(p, tp, ans.Status, ans.Header, ans.Body, step)
	}
	if rerr != nil {
		rerr.diagnostic = ans.Clean(rerr.diagnostic)
	}
	return out, rerr
}

// requestFailed is the user's message for a call that got no answer: the profile's
// UserMessageIfRequestTimeout, UserMessageIfDnsResolutionFailed or
// DefaultUserMessageIfRequestFailed (metadata, then localized strings, then B2C's texts; the
// specific ones fall back to the default one). The URL is shown without its query, as for
// user flows' connectors, so an API key never reaches the page.
func (e *Engine) requestFailed(p *policy.Policy, tp *policy.TechnicalProfile, err error) string {
	serviceURL := connector.ShownURL(tp.Metadata["ServiceUrl"])
	custom := func(key string) string {
		if v := tp.Metadata[key]; v != "" {
			return v
		}
		return e.localized(p, tp, "ErrorMessage", "", key)
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
func stepName(step int) flows.Step {
	if step == 0 {
		return "ValidationTechnicalProfile"
	}
	return flows.Step(fmt.Sprintf("OrchestrationStep %d", step))
}

func (e *Engine) callID() string {
	return "tp-" + strconv.FormatInt(e.seq.Add(1), 10)
}

// record finishes a RESTful call's record and hands it to the log and the call inspector.
func (e *Engine) record(call connector.Call, began time.Time, out map[string]string, rerr *runError) {
	call.ElapsedMs = float64(time.Since(began).Microseconds()) / 1000
	switch {
	case rerr == nil:
		call.Outcome, call.Claims = "Continue", flows.Claims{}
		for k, v := range out {
			call.Claims[k] = v
		}
	case rerr.rejected:
		call.Outcome, call.UserMessage, call.Diagnostic = "ValidationError", rerr.msg, rerr.diagnostic
	default:
		call.Outcome, call.UserMessage, call.Diagnostic = "failure", rerr.msg, rerr.diagnostic
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
func httpError(tp *policy.TechnicalProfile, status, step int) *runError {
	return &runError{msg: fmt.Sprintf("The claims exchange '%s' specified in step '%d' returned HTTP error response with Code '%s' and Reason '%s'.",
		tp.ID, step, strings.ReplaceAll(http.StatusText(status), " ", ""), http.StatusText(status))}
}

// restAnswer reads a RESTful profile's answer: a flat JSON object of output claims, or a 4xx
// whose userMessage the page shows.
func (e *Engine) restAnswer(p *policy.Policy, tp *policy.TechnicalProfile, status int, header http.Header, data []byte, step int) (map[string]string, *runError) {
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	parsed := dec.Decode(&obj) == nil && obj != nil
	generic := httpError(tp, status, step)
	switch {
	case status >= 400 && status < 500 && parsed:
		if msg, ok := obj["userMessage"].(string); ok && msg != "" {
			return nil, &runError{msg: msg, rejected: true}
		}
		generic.diagnostic = fmt.Sprintf("%s answered HTTP %d without a userMessage", tp.ID, status)
		return nil, generic
	case status/100 == 3:
		generic.diagnostic = fmt.Sprintf("%s answered HTTP %d, a redirect to %q; b2cemu does not follow redirects, so nothing was sent there: set ServiceUrl to the address that answers",
			tp.ID, status, connector.Redact(header.Get("Location")))
		return nil, generic
	case status/100 != 2:
		generic.diagnostic = fmt.Sprintf("%s answered HTTP %d", tp.ID, status)
		return nil, generic
	case !parsed:
		generic.diagnostic = fmt.Sprintf("%s answered HTTP %d with a body that is not a JSON object", tp.ID, status)
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
