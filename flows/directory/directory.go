// Package directory is the contract between the engines and the user store: the Directory
// interface both engines find, check, create and update users through, the errors it
// returns (engine.Failure values, so the web layer translates them as any refusal), and the
// sign-in types of the identities it keeps. The store (emulator/store) implements it; the
// user-flow machine (flows) and the custom-policy journey (emulator/journey) both import it,
// so neither imports the other for it. The user and identity types are the run's
// (flows/engine).
package directory

import (
	"context"

	"github.com/b2cemu/b2cemu/flows/engine"
)

// ErrNotFound is returned by a Directory when no user matches.
var ErrNotFound = &engine.Failure{Kind: engine.NotFound, Message: "not found"}

// ErrExists is returned by a Directory when an identity is taken.
var ErrExists = &engine.Failure{Kind: engine.Conflict, Message: "a user with this identity already exists"}

// ErrObjectIDTaken is returned by a Directory when another user has the new user's object id.
var ErrObjectIDTaken = &engine.Failure{Kind: engine.Conflict, Message: "another user has this object id"}

// ErrBadPassword is returned by Directory.Authenticate for a wrong password.
var ErrBadPassword = &engine.Failure{Kind: engine.Invalid, Message: "wrong password"}

// Directory stores users.
type Directory interface {
	// FindByIdentity returns the user with this identity, or ErrNotFound.
	FindByIdentity(ctx context.Context, id engine.Identity) (*engine.User, error)
	// Authenticate returns the local user with this email and password, ErrNotFound when
	// there is none, ErrBadPassword when the password is wrong.
	Authenticate(ctx context.Context, email, password string) (*engine.User, error)
	// Create stores u (with password, for a local account), or returns ErrExists when one of
	// its identities is taken.
	Create(ctx context.Context, u *engine.User, password string) error
	// Get returns the user with this object id, or ErrNotFound.
	Get(ctx context.Context, objectID string) (*engine.User, error)
	// Update sets attrs on the user (a nil value removes the attribute) and, when password
	// is not empty, its password. It returns the updated user, or ErrNotFound.
	Update(ctx context.Context, objectID string, attrs engine.Claims, password string) (*engine.User, error)
}

// UserNameSignIn is the sign-in type of a local account that signs in with a username
// (Graph's userName identities; custom policies persist them as signInNames.userName).
const UserNameSignIn = "userName"

// PhoneSignIn is the sign-in type of a phone account's identity.
const PhoneSignIn = "phoneNumber"
