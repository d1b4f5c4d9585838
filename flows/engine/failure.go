package engine

import (
	"errors"
	"fmt"
)

// Failure is the one failure type of the engines and the web layer. It is three things with
// the same parts — what the user sees (Message, and B2C's AADB2C code where B2C has one) and
// what the developer should know (Diagnostic, Err):
//
//   - why a run ended (Run.Failure, PhaseFailed or PhaseCancelled): Redirect sends it to the
//     application as the OAuth error OAuth instead of showing B2C's error page;
//   - a step of a run that did not succeed (a custom policy's technical profile): the engine
//     decides where it shows, on the page (a validation profile's message) or as the run's
//     end; Unsupported marks a part of B2C that b2cemu does not run yet, which ends the run on
//     the error page wherever it happens;
//   - an error returned by Advance or a Directory (it is an error): Kind tells the web layer
//     how to answer (Invalid 400, NotFound 404, Conflict 409, anything else 500).
type Failure struct {
	Kind       Kind
	OAuth      string // the OAuth error the application gets: server_error, access_denied, invalid_request, …
	Code       string // B2C's AADB2C code, "" where B2C has none
	Message    string // what the user sees, without the code
	Diagnostic string // developer-facing explanation (the log, the call inspector, the error page's details)
	Redirect   bool
	// Unsupported marks a feature b2cemu does not run yet; Rejected a service that refused the
	// input with a message for the page (a RESTful profile's 4xx userMessage).
	Unsupported, Rejected bool
	Err                   error // the cause, for errors.Is and errors.As
}

func (f *Failure) Error() string {
	msg := f.Message
	if f.Code != "" {
		msg = f.Code + ": " + msg
	}
	if f.Err != nil {
		return msg + ": " + f.Err.Error()
	}
	return msg
}

func (f *Failure) Unwrap() error { return f.Err }

// Kind classifies a returned Failure so the web layer can translate it once.
type Kind string

// Failure kinds.
const (
	Invalid  Kind = "invalid"  // the input does not fit the run's phase or the flow
	NotFound Kind = "notFound" // no such user, run or policy
	Conflict Kind = "conflict" // the thing exists already
	Internal Kind = "internal"
)

// Errorf returns a *Failure of kind k.
func Errorf(k Kind, format string, args ...any) error {
	return &Failure{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err, Internal when it is no *Failure or has no kind.
func KindOf(err error) Kind {
	var f *Failure
	if errors.As(err, &f) && f.Kind != "" {
		return f.Kind
	}
	return Internal
}

// ForgotPasswordFailure is where the link ends without an embedded password reset: back at
// the application, which starts its password reset policy.
func ForgotPasswordFailure() *Failure {
	return &Failure{OAuth: "access_denied", Code: "AADB2C90118", Message: "The user has forgotten their password.", Redirect: true}
}
