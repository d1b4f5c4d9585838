package engine

import (
	"fmt"
	"strconv"
	"time"
)

// The directory's types travel in the run (the identity that signed in, the user found or
// created, the page's values), so they are defined here, where both engines, the directory
// and the web layer read them.

// Identity is one way a user signs in, as in Graph's identities collection.
type Identity struct {
	SignInType       string `json:"signInType"` // "federated", "emailAddress", "userName" or "phoneNumber"
	Issuer           string `json:"issuer"`
	IssuerAssignedID string `json:"issuerAssignedId"`
}

// User is a directory user.
type User struct {
	ObjectID   string
	Identities []Identity
	Attributes Claims // stored attribute values
	Created    time.Time
	// LastSignIn is the last interactive sign-in (a run that issued a token), Graph's
	// signInActivity.lastSignInDateTime; zero when the user never signed in.
	LastSignIn time.Time
}

// Email returns the user's email attribute, or "".
func (u *User) Email() string { return u.Attributes.String("email") }

// Claims are attribute values keyed by attribute name (bare names for custom attributes).
// Values are string, bool or int64; an absent key means "no value".
type Claims map[string]any

// Clone returns a shallow copy of c.
func (c Claims) Clone() Claims {
	out := make(Claims, len(c))
	for k, v := range c {
		out[k] = v
	}
	return out
}

// String returns the value of name formatted for a form field, or "".
func (c Claims) String(name string) string {
	switch v := c[name].(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	default:
		return fmt.Sprint(v)
	}
}
