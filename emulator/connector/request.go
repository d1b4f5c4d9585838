// Package connector is the HTTP client for API connectors: it serializes the request body B2C
// sends at each step, calls the endpoint with its authentication, timeout and retry, and
// interprets the response exactly as B2C does, explaining every failure.
package connector

import (
	"strings"

	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/jsonenc"
)

// Wire holds the settings that shape the request body.
type Wire struct {
	ExtensionsAppID string // the b2c-extensions-app id; dashes are removed on the wire
	// TokenStep is the step value sent before token issuance: "PreTokenIssuance" (the
	// default, as the token-enrichment article, the user-flow article's list of steps and
	// connector code have it) or "PreTokenApplicationClaims" (one example body's value).
	TokenStep string
	// TokenClientIDKey is the client id's key at the token step: "client_id" (default) or
	// "clientId" (as in Microsoft's token-step example).
	TokenClientIDKey string
}

func (w Wire) appID() string { return strings.ReplaceAll(w.ExtensionsAppID, "-", "") }

// WireName returns the request key of attribute a: its Graph name, or
// extension_<appIdWithoutDashes>_<Name> for a custom attribute.
func (w Wire) WireName(a attributes.Attribute) string {
	if a.Custom {
		return "extension_" + w.appID() + "_" + a.Name
	}
	return a.Name
}

// StepName returns the value of "step" for s.
func (w Wire) StepName(s apiconnector.Step) string {
	if s == apiconnector.PreTokenIssuance {
		if w.TokenStep != "" {
			return w.TokenStep
		}
		return string(apiconnector.PreTokenIssuance)
	}
	return string(s)
}

// Body returns the JSON body B2C sends for req: a flat object with the defined attributes that
// have a value (in Graph order, custom attributes last), identities, objectId at the token step
// only, then step, client_id and ui_locales. A claim with no value is omitted, never null.
func (w Wire) Body(schema attributes.Schema, req apiconnector.Request) []byte {
	b := make([]byte, 1, 512)
	b[0] = '{'
	key := func(k string) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b, _ = jsonenc.AppendString(b, k)
		b = append(b, ':')
	}
	field := func(k string, v any) {
		key(k)
		b, _ = jsonenc.Append(b, v) // json.Marshal's bytes, without its reflection for plain values
	}
	text := func(k, v string) { // as field, without boxing v
		key(k)
		b, _ = jsonenc.AppendString(b, v)
	}
	for _, a := range schema.All() {
		if v, ok := req.Claims[a.Name]; ok && v != nil && v != "" {
			field(w.WireName(a), v)
		}
		if a.Name == "email" && len(req.Identities) > 0 {
			field("identities", req.Identities) // B2C's example body has it right after email
		}
	}
	if req.Step == apiconnector.PreTokenIssuance && req.ObjectID != "" {
		text("objectId", req.ObjectID)
	}
	text("step", w.StepName(req.Step))
	clientKey := "client_id"
	if req.Step == apiconnector.PreTokenIssuance && w.TokenClientIDKey != "" {
		clientKey = w.TokenClientIDKey
	}
	if req.ClientID != "" {
		text(clientKey, req.ClientID)
	}
	locales := req.UILocales
	if locales == "" {
		locales = "en-US"
	}
	text("ui_locales", locales)
	return append(b, '}')
}
