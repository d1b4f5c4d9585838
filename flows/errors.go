package flows

import "github.com/b2cemu/b2cemu/flows/engine"

// ErrNotFound is returned by a Directory when no user matches.
var ErrNotFound = &engine.Failure{Kind: engine.NotFound, Message: "not found"}

// ErrExists is returned by a Directory when an identity is taken.
var ErrExists = &engine.Failure{Kind: engine.Conflict, Message: "a user with this identity already exists"}

// ErrObjectIDTaken is returned by a Directory when another user has the new user's object id.
var ErrObjectIDTaken = &engine.Failure{Kind: engine.Conflict, Message: "another user has this object id"}
