// Package apiconnector is the API connector contract as the user-flow machine calls it: the
// steps a connector runs at, the request the machine hands the connector client, the result
// it gets back (Continue, ShowBlockPage, ValidationError or a failed call), the Connector
// interface the client (emulator/connector) implements, and B2C's texts for an answer the
// contract refuses. The call records of custom policies' RESTful profiles name their step
// with the same Step type, so the custom-policy journey and the connector client import this
// room rather than the user-flow engine.
package apiconnector

import (
	"context"

	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// Step is a point in a user flow where an API connector can be called.
type Step string

// The connector steps. PreTokenIssuance is also the token step's wire value by default; the
// connector client can send "PreTokenApplicationClaims" instead (a compatibility setting,
// because one of Microsoft's example bodies has it).
const (
	PostFederationSignup    Step = "PostFederationSignup"
	PostAttributeCollection Step = "PostAttributeCollection"
	PreTokenIssuance        Step = "PreTokenIssuance"
)

// Action is what an API connector asked for.
type Action string

// The actions of the API connector contract.
const (
	Continue        Action = "Continue"
	ShowBlockPage   Action = "ShowBlockPage"
	ValidationError Action = "ValidationError"
)

// Request is one call of an API connector at a step.
type Request struct {
	RunID      string
	Connector  string // configured connector name
	Step       Step
	Claims     engine.Claims     // attribute values; the client sends only defined, non-empty ones
	Identities []engine.Identity // the user's identities
	ObjectID   string            // sent at the token step only
	ClientID   string
	UILocales  string
}

// Result is the connector's answer, already validated against the contract for the
// step: Failure is set for anything B2C treats as a failed call.
type Result struct {
	Action      Action
	Claims      engine.Claims // Continue: returned values, by attribute name
	UserMessage string        // ShowBlockPage and ValidationError
	Failure     *Failure
}

// Failure is a call B2C would treat as failed.
type Failure struct {
	Message    string // B2C's user-facing text, e.g. the AADB2C90075 sentence
	Diagnostic string // what was wrong and what B2C expects
}

// Connector calls API connectors. Call never returns an error: every failure is a result.
type Connector interface {
	Call(ctx context.Context, req Request) Result
}

// exchanges name each step's claims exchange, as B2C's error texts do.
var exchanges = map[Step]string{
	PostFederationSignup:    "PreSelfAssertedRestful",
	PostAttributeCollection: "PreUserWriteRestful",
	PreTokenIssuance:        "PreSendClaimsRestful",
}

// InvalidAnswerMessage is B2C's generic text for an HTTP 200 answer it cannot accept.
func InvalidAnswerMessage(step Step) string {
	return "The claims exchange '" + exchanges[step] + "' specified in step '1' returned HTTP error response with Code 'OK' and Reason 'OK'."
}

// InvalidClaimDiagnostic is the developer's explanation of a Continue answer refused for a
// claim value.
func InvalidClaimDiagnostic(step Step, err *attributes.ClaimError) string {
	return "The API's Continue at " + string(step) + " returns a claim B2C cannot accept: " + err.Error()
}
