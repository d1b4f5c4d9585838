package flows

import (
	"errors"
	"fmt"
)

// Kind classifies errors so the web layer can translate them once.
type Kind string

// Error kinds.
const (
	Invalid  Kind = "invalid"  // the input does not fit the run's phase or the flow
	NotFound Kind = "notFound" // no such user, run or policy
	Conflict Kind = "conflict" // the thing exists already
	Internal Kind = "internal"
)

// Error is a domain error with a kind and, where B2C has one, an AADB2C code.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Code != "" {
		msg = e.Code + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of kind k.
func Errorf(k Kind, format string, args ...any) error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err, Internal when it has none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ErrNotFound is returned by a Directory when no user matches.
var ErrNotFound = &Error{Kind: NotFound, Message: "not found"}

// ErrExists is returned by a Directory when an identity is taken.
var ErrExists = &Error{Kind: Conflict, Message: "a user with this identity already exists"}

// ErrObjectIDTaken is returned by a Directory when another user has the new user's object id.
var ErrObjectIDTaken = &Error{Kind: Conflict, Message: "another user has this object id"}
