package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// apiOp is one operation of the admin API, as the OpenAPI document and the index show it. A
// test checks that adminOps and the routes under /_emulator are the same set.
type apiOp struct {
	method, path, summary string
	tag                   string
	body                  string // the request body's schema ("" none; "form:…" a form post)
	status                int    // the success status
	answer                string // its schema: a component name, "html", "redirect" or "" (no body)
	errs                  []int  // other statuses it answers
}

// adminOps are the admin API's operations, in the index's order.
var adminOps = []apiOp{
	{method: "GET", path: "/_emulator", summary: "Index of every page and endpoint (HTML for a browser, JSON otherwise)", tag: "index", status: 200, answer: "Index"},
	{method: "GET", path: "/_emulator/", summary: "The index, as /_emulator", tag: "index", status: 200, answer: "Index"},
	{method: "GET", path: "/_emulator/openapi.json", summary: "This OpenAPI document", tag: "index", status: 200, answer: "object"},
	{method: "GET", path: "/_emulator/login", summary: "The sign-in form for the admin token (browsers)", tag: "sign-in", status: 200, answer: "html"},
	{method: "POST", path: "/_emulator/login", summary: "Sign in with the admin token: sets the cookie and goes to next", tag: "sign-in", body: "form:Login", status: 303, answer: "redirect", errs: []int{401, 403}},
	{method: "POST", path: "/_emulator/logout", summary: "Sign out: the browser forgets the admin token", tag: "sign-in", status: 303, answer: "redirect"},
	{method: "POST", path: "/_emulator/flows/{policy}/run", summary: "Headless run of a user flow or custom policy", tag: "flows", body: "RunRequest", status: 200, answer: "RunResponse", errs: []int{400, 404}},
	{method: "GET", path: "/_emulator/users", summary: "List users, oldest first; ?q= searches ids, identities and attribute values (HTML for a browser)", tag: "users", status: 200, answer: "Users"},
	{method: "POST", path: "/_emulator/users", summary: "Create (seed) a user, checked as Graph's POST /users; a form post from the page redirects to the user", tag: "users", body: "NewUser", status: 201, answer: "User", errs: []int{400, 409, 413}},
	{method: "GET", path: "/_emulator/users/new", summary: "The form that creates a user (browsers)", tag: "users", status: 200, answer: "html"},
	{method: "GET", path: "/_emulator/users/export", summary: "Every user with its password hash", tag: "users", status: 200, answer: "Export"},
	{method: "POST", path: "/_emulator/users/import", summary: "Import an export (the page posts the file as multipart/form-data)", tag: "users", body: "Export", status: 200, answer: "Imported", errs: []int{400, 409, 413}},
	{method: "GET", path: "/_emulator/users/{id}", summary: "One user (HTML for a browser)", tag: "users", status: 200, answer: "User", errs: []int{404}},
	{method: "PATCH", path: "/_emulator/users/{id}", summary: "Graph's partial update: attributes (null removes), password", tag: "users", body: "UserPatch", status: 204, errs: []int{400, 404}},
	{method: "DELETE", path: "/_emulator/users/{id}", summary: "Delete a user", tag: "users", status: 204, errs: []int{404}},
	{method: "POST", path: "/_emulator/users/{id}/update", summary: "The user page's edit form: PATCH for a browser (attr.<name>, password, weakPassword)", tag: "users", body: "form:UserForm", status: 303, answer: "redirect", errs: []int{400, 404, 415}},
	{method: "POST", path: "/_emulator/users/{id}/delete", summary: "The user page's delete button: DELETE for a browser", tag: "users", status: 204, errs: []int{404}},
	{method: "POST", path: "/_emulator/users/{id}/revokeSignInSessions", summary: "Graph's revokeSignInSessions: refresh tokens issued before now are refused", tag: "users", status: 200, answer: "Revoked", errs: []int{404}},
	{method: "GET", path: "/_emulator/emails", summary: "The email outbox, newest first; ?to= filters (HTML for a browser)", tag: "emails", status: 200, answer: "Emails"},
	{method: "DELETE", path: "/_emulator/emails", summary: "Empty the outbox", tag: "emails", status: 204},
	{method: "POST", path: "/_emulator/emails/clear", summary: "Empty the outbox (the page's button)", tag: "emails", status: 303, answer: "redirect"},
	{method: "GET", path: "/_emulator/sms", summary: "The text message outbox (phone codes by SMS and call), newest first; ?to= filters (HTML for a browser)", tag: "sms", status: 200, answer: "SMSList"},
	{method: "DELETE", path: "/_emulator/sms", summary: "Empty the text message outbox", tag: "sms", status: 204},
	{method: "POST", path: "/_emulator/sms/clear", summary: "Empty the text message outbox (the page's button)", tag: "sms", status: 303, answer: "redirect"},
	{method: "GET", path: "/_emulator/calls", summary: "The call inspector: connector calls and error pages; ?step=, ?outcome=, ?run=, ?correlationId= (HTML for a browser)", tag: "calls", status: 200, answer: "Calls"},
	{method: "DELETE", path: "/_emulator/calls", summary: "Clear the call log", tag: "calls", status: 204},
	{method: "POST", path: "/_emulator/calls/clear", summary: "Clear the call log (the page's button)", tag: "calls", status: 303, answer: "redirect"},
	{method: "GET", path: "/_emulator/calls/total", summary: "How many calls were ever recorded", tag: "calls", status: 200, answer: "Total"},
	{method: "POST", path: "/_emulator/calls/{id}/resend", summary: "Send a recorded call again", tag: "calls", status: 200, answer: "Call", errs: []int{404}},
	{method: "POST", path: "/_emulator/reset", summary: "Back to the start state: no users, runs, codes, sessions, calls, emails, text messages or Conditional Access signals", tag: "state", status: 204},
	{method: "GET", path: "/_emulator/keys", summary: "The signing keys' kids, the active one last", tag: "state", status: 200, answer: "Keys"},
	{method: "GET", path: "/_emulator/clock", summary: "The emulator's clock", tag: "state", status: 200, answer: "Clock"},
	{method: "PUT", path: "/_emulator/clock", summary: "Freeze, set, shift or advance the clock", tag: "state", body: "ClockChange", status: 200, answer: "Clock", errs: []int{400}},
	{method: "GET", path: "/_emulator/conditionalAccess", summary: "The fake Conditional Access signals: the global one and each user's (HTML for a browser)", tag: "conditional access", status: 200, answer: "CASignals"},
	{method: "PUT", path: "/_emulator/conditionalAccess", summary: "Set the signal every sign-in gets (challenges, sign-in risk, IP address)", tag: "conditional access", body: "CASignal", status: 200, answer: "CASignals", errs: []int{400}},
	{method: "DELETE", path: "/_emulator/conditionalAccess", summary: "Remove every signal: sign-ins get no challenge", tag: "conditional access", status: 204},
	{method: "PUT", path: "/_emulator/conditionalAccess/users/{id}", summary: "Set one user's signal, which wins over the global one", tag: "conditional access", body: "CASignal", status: 200, answer: "CASignals", errs: []int{400, 404}},
	{method: "DELETE", path: "/_emulator/conditionalAccess/users/{id}", summary: "Remove one user's signal", tag: "conditional access", status: 204, errs: []int{404}},
}

// openAPI is GET /_emulator/openapi.json.
func (s *server) openAPI(c echo.Context) error { return c.JSON(http.StatusOK, openAPIDocument()) }

type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func arrayOf(items obj) obj { return obj{"type": "array", "items": items} }

func object(props obj, required ...string) obj {
	o := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

var (
	str     = obj{"type": "string"}
	integer = obj{"type": "integer"}
	boolean = obj{"type": "boolean"}
	when    = obj{"type": "string", "format": "date-time"}
	anyObj  = obj{"type": "object", "additionalProperties": true}
)

// openAPIDocument is the admin API as an OpenAPI 3.0 document, built from adminOps.
func openAPIDocument() obj {
	paths := obj{}
	for _, op := range adminOps {
		item, _ := paths[op.path].(obj)
		if item == nil {
			item = obj{}
			paths[op.path] = item
		}
		item[strings.ToLower(op.method)] = op.operation()
	}
	return obj{
		"openapi": "3.0.3",
		"info": obj{"title": "b2cemu admin API", "version": "1",
			"description": "Everything under /_emulator: the developer pages, the headless runs and the emulator's state (docs/admin-api.md, docs/developer-ui.md). " +
				"When admin.token is set every operation but the sign-in form needs Authorization: Bearer <token>, or the cookie the sign-in form sets."},
		"paths":    paths,
		"security": []any{obj{"bearer": []any{}}, obj{"cookie": []any{}}},
		"components": obj{
			"securitySchemes": obj{
				"bearer": obj{"type": "http", "scheme": "bearer", "description": "admin.token"},
				"cookie": obj{"type": "apiKey", "in": "cookie", "name": adminCookie, "description": "set by POST /_emulator/login"},
			},
			"schemas": schemas(),
		},
	}
}

func (op apiOp) operation() obj {
	o := obj{"summary": op.summary, "tags": []string{op.tag}, "operationId": operationID(op)}
	var params []any
	for _, part := range strings.Split(op.path, "/") {
		if strings.HasPrefix(part, "{") {
			params = append(params, obj{"name": strings.Trim(part, "{}"), "in": "path", "required": true, "schema": str})
		}
	}
	if params != nil {
		o["parameters"] = params
	}
	if op.path == "/_emulator/login" { // the sign-in form needs no token
		o["security"] = []any{}
	}
	switch {
	case strings.HasPrefix(op.body, "form:"):
		o["requestBody"] = obj{"required": true, "content": obj{"application/x-www-form-urlencoded": obj{"schema": ref(strings.TrimPrefix(op.body, "form:"))}}}
	case op.body != "":
		o["requestBody"] = obj{"required": true, "content": obj{"application/json": obj{"schema": ref(op.body)}}}
	}
	responses := obj{}
	responses[strconv.Itoa(op.status)] = response(op.status, op.answer)
	for _, st := range append(op.errs, 401) {
		responses[strconv.Itoa(st)] = obj{"description": http.StatusText(st), "content": obj{"application/json": obj{"schema": ref("Error")}}}
	}
	o["responses"] = responses
	return o
}

func response(status int, answer string) obj {
	r := obj{"description": http.StatusText(status)}
	switch answer {
	case "":
	case "html":
		r["content"] = obj{"text/html": obj{"schema": str}}
	case "redirect":
		r["headers"] = obj{"Location": obj{"schema": str}}
	case "object":
		r["content"] = obj{"application/json": obj{"schema": anyObj}}
	default:
		r["content"] = obj{"application/json": obj{"schema": ref(answer)}}
	}
	return r
}

// operationID names an operation from its method and path: getUsersId, postUsersIdUpdate.
func operationID(op apiOp) string {
	id := strings.ToLower(op.method)
	for _, part := range strings.Split(strings.TrimPrefix(op.path, "/_emulator"), "/") {
		part = strings.Trim(part, "{}")
		part = strings.TrimSuffix(part, ".json")
		if part != "" {
			id += strings.ToUpper(part[:1]) + part[1:]
		}
	}
	if op.path == "/_emulator/" {
		id += "Slash"
	}
	return id
}

func schemas() obj {
	identity := object(obj{"signInType": obj{"type": "string", "enum": []string{"emailAddress", "userName", "phoneNumber", "federated"}}, "issuer": str, "issuerAssignedId": str},
		"signInType", "issuer", "issuerAssignedId")
	user := object(obj{"objectId": str, "identities": arrayOf(ref("Identity")), "attributes": anyObj, "createdDateTime": when,
		"signInActivity": object(obj{"lastSignInDateTime": when})}, "objectId", "identities", "attributes", "createdDateTime")
	link := object(obj{"method": str, "path": str, "summary": str})
	return obj{
		"Identity": identity,
		"User":     user,
		"Users":    object(obj{"users": arrayOf(ref("User"))}, "users"),
		"NewUser": object(obj{"objectId": str, "email": str, "password": str, "passwordPolicies": str,
			"identities": arrayOf(ref("Identity")), "attributes": anyObj}),
		"UserPatch": object(obj{"password": str, "passwordPolicies": str, "attributes": anyObj}),
		"UserForm":  object(obj{"password": str, "weakPassword": str}),
		"Login":     object(obj{"token": str, "next": str}, "token"),
		"Export": object(obj{"users": arrayOf(object(obj{"objectId": str, "identities": arrayOf(ref("Identity")), "attributes": anyObj,
			"createdDateTime": when, "signInActivity": object(obj{"lastSignInDateTime": when}), "passwordHash": str}))}, "users"),
		"Imported": object(obj{"imported": integer}, "imported"),
		"Revoked":  object(obj{"value": boolean}, "value"),
		"Email":    object(obj{"time": when, "runId": str, "policy": str, "technicalProfile": str, "to": str, "subject": str, "code": str}),
		"Emails":   object(obj{"emails": arrayOf(ref("Email"))}, "emails"),
		"SMS": object(obj{"time": when, "runId": str, "policy": str, "to": str, "channel": obj{"type": "string", "enum": []string{"sms", "call"}},
			"message": str, "code": str}),
		"SMSList": object(obj{"sms": arrayOf(ref("SMS"))}, "sms"),
		"Call":    anyObj,
		"Calls":   object(obj{"total": integer, "calls": arrayOf(ref("Call")), "errors": arrayOf(anyObj)}, "total", "calls", "errors"),
		"Total":   object(obj{"total": integer}, "total"),
		"RunRequest": object(obj{"clientId": str, "redirectUri": str, "nonce": str, "scope": str, "uiLocales": str, "identityProvider": str,
			"identityProviders": arrayOf(str), "accounts": arrayOf(anyObj),
			"account": anyObj, "attributes": arrayOf(anyObj), "sso": boolean, "idTokenHint": str}),
		"RunResponse": object(obj{"outcome": obj{"type": "string", "enum": []string{"token", "blocked", "validationError", "error"}}, "runId": str,
			"newUser": boolean, "objectId": str, "idToken": str, "accessToken": str, "refreshToken": str, "claims": anyObj,
			"userMessage": str, "error": str, "errorDescription": str, "attempts": arrayOf(anyObj), "calls": arrayOf(anyObj)}, "outcome"),
		"Keys":        object(obj{"kids": arrayOf(str), "active": str}, "kids", "active"),
		"Clock":       object(obj{"now": when, "frozen": boolean, "offset": str}, "now", "frozen", "offset"),
		"ClockChange": object(obj{"time": when, "frozen": boolean, "offset": str, "advance": str, "real": boolean}),
		"CASignal": object(obj{"challenges": obj{"type": "array", "nullable": true, "items": obj{"type": "string", "enum": caChallenges}},
			"signInRiskLevel": obj{"type": "string", "enum": caRiskLevels}, "ipAddress": str}),
		"CASignals": object(obj{"global": obj{"allOf": []any{ref("CASignal")}, "nullable": true}, "users": obj{"type": "object", "additionalProperties": ref("CASignal")}}, "global", "users"),
		"Index": object(obj{"pages": arrayOf(link), "policies": arrayOf(object(obj{"id": str, "type": str, "discovery": str, "run": str})),
			"endpoints": arrayOf(link), "routes": arrayOf(link), "openapi": str}),
		"Error": object(obj{"error": obj{"description": "a sentence (most answers), or Graph's {code, message, details} for the users API's refusals"}}, "error"),
	}
}
