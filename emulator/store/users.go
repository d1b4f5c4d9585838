// Package store keeps users, flow runs, authorization codes and the call log, behind the small
// interfaces the flows and web packages consume: in memory, and users and keys also in an
// embedded database when there is a dataDir.
package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// Users is the directory: in memory, written through to a DB when it has one (a change is
// committed before the call returns). Passwords are kept as hashes (passwords.go).
type Users struct {
	db       *DB // nil: memory only
	mu       sync.RWMutex
	byID     map[string]*engine.User
	byIdent  map[string]string // identity key → object id
	byEmail  map[string]string // a local account's lower-cased email or username → object id
	password map[string][]byte // object id → password hash
	hasher   *Hasher
}

var _ directory.Directory = (*Users)(nil)

// NewUsers returns an empty directory. cost is the password hashing cost: 0 for the
// emulator's fast scheme, else bcrypt's cost (passwords.bcryptCost).
func NewUsers(cost int) *Users {
	return &Users{byID: map[string]*engine.User{}, byIdent: map[string]string{}, byEmail: map[string]string{}, password: map[string][]byte{},
		hasher: NewHasher(cost, 0)}
}

// SetBcryptCost changes how new passwords are hashed (0: the fast scheme); stored hashes keep
// verifying.
func (s *Users) SetBcryptCost(cost int) { s.hasher.SetCost(cost) }

// OpenUsers returns a directory kept in db, loaded with the users it holds.
func OpenUsers(cost int, db *DB) (*Users, error) {
	s := NewUsers(cost)
	users, err := db.loadUsers()
	if err != nil {
		return nil, fmt.Errorf("loading users: %w", err)
	}
	s.index(users)
	s.db = db
	return s, nil
}

// index adds users to the maps; the caller holds the lock or owns s.
func (s *Users) index(users []Exported) {
	for _, e := range users {
		if old, ok := s.byID[e.User.ObjectID]; ok {
			s.unindex(old)
		}
		s.byID[e.User.ObjectID] = clone(e.User)
		for _, id := range e.User.Identities {
			s.byIdent[identKey(id)] = e.User.ObjectID
			if passwordSignIn(id) {
				s.byEmail[strings.ToLower(id.IssuerAssignedID)] = e.User.ObjectID
			}
		}
		if e.PasswordHash != nil {
			s.password[e.User.ObjectID] = e.PasswordHash
		}
	}
}

// unindex removes u's identities from the indexes.
func (s *Users) unindex(u *engine.User) {
	for _, id := range u.Identities {
		delete(s.byIdent, identKey(id))
		if passwordSignIn(id) {
			delete(s.byEmail, strings.ToLower(id.IssuerAssignedID))
		}
	}
}

// passwordSignIn reports whether id is a local account's sign-in name that signs in with a
// password: an email address or a username (Graph's emailAddress and userName types).
func passwordSignIn(id engine.Identity) bool {
	return id.SignInType == "emailAddress" || id.SignInType == directory.UserNameSignIn
}

// identKey matches identities as B2C does: issuer case-insensitively, and local email
// addresses and usernames case-insensitively.
func identKey(id engine.Identity) string {
	sub := id.IssuerAssignedID
	if passwordSignIn(id) {
		sub = strings.ToLower(sub)
	}
	return id.SignInType + "\x00" + strings.ToLower(id.Issuer) + "\x00" + sub
}

func clone(u *engine.User) *engine.User {
	c := *u
	c.Identities = append([]engine.Identity(nil), u.Identities...)
	c.Attributes = u.Attributes.Clone()
	return &c
}

// FindByIdentity implements directory.Directory.
func (s *Users) FindByIdentity(_ context.Context, id engine.Identity) (*engine.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	oid, ok := s.byIdent[identKey(id)]
	if !ok {
		return nil, directory.ErrNotFound
	}
	return clone(s.byID[oid]), nil
}

// Authenticate implements directory.Directory.
func (s *Users) Authenticate(ctx context.Context, email, password string) (*engine.User, error) {
	s.mu.RLock()
	var hash []byte
	var u *engine.User
	if oid, ok := s.byEmail[strings.ToLower(email)]; ok {
		u, hash = clone(s.byID[oid]), s.password[oid]
	}
	s.mu.RUnlock()
	if u == nil {
		return nil, directory.ErrNotFound
	}
	ok, err := s.hasher.Verify(ctx, hash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, directory.ErrBadPassword
	}
	return u, nil
}

// Create implements directory.Directory. It never replaces a user: an object id that is taken is
// directory.ErrObjectIDTaken (Import replaces users, on purpose).
func (s *Users) Create(ctx context.Context, u *engine.User, password string) error {
	var hash []byte
	if password != "" {
		h, err := s.hasher.Hash(ctx, password)
		if err != nil {
			return err
		}
		hash = h
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.byID[u.ObjectID]; taken {
		return fmt.Errorf("user %s: %w", u.ObjectID, directory.ErrObjectIDTaken)
	}
	for _, id := range u.Identities {
		if _, taken := s.byIdent[identKey(id)]; taken {
			return directory.ErrExists
		}
	}
	e := Exported{User: u, PasswordHash: hash} // index stores a copy; the caller's u is only read
	if s.db != nil {
		if err := s.db.putUsers(e); err != nil {
			return fmt.Errorf("storing user %s: %w", u.ObjectID, err)
		}
	}
	s.index([]Exported{e})
	return nil
}

// Get implements directory.Directory.
func (s *Users) Get(_ context.Context, objectID string) (*engine.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.byID[objectID]
	if !ok {
		return nil, directory.ErrNotFound
	}
	return clone(u), nil
}

// Update sets attrs on an existing user (a custom policy's directory Write; a nil value
// removes that attribute) and, when password is not empty, its password. It returns the
// updated user, or ErrNotFound.
func (s *Users) Update(ctx context.Context, objectID string, attrs engine.Claims, password string) (*engine.User, error) {
	var hash []byte
	if password != "" {
		h, err := s.hasher.Hash(ctx, password)
		if err != nil {
			return nil, err
		}
		hash = h
	}
	return s.change(objectID, hash, func(u *engine.User) error {
		if u.Attributes == nil {
			u.Attributes = engine.Claims{}
		}
		for k, v := range attrs {
			if v == nil {
				delete(u.Attributes, k) // a nil value removes the attribute (DeleteClaims)
				continue
			}
			u.Attributes[k] = v
		}
		return nil
	})
}

// SetFederated replaces the user's federated identities (signInType federated) with ids,
// keeping its local ones: a custom policy's directory Write of userIdentities links and
// unlinks providers. It returns the updated user; ErrNotFound when there is no such user, and
// ErrExists when another user holds one of ids (Graph: an issuer and issuerAssignedId pair is
// unique in the tenant).
func (s *Users) SetFederated(_ context.Context, objectID string, ids []engine.Identity) (*engine.User, error) {
	return s.change(objectID, nil, func(u *engine.User) error {
		var kept []engine.Identity
		for _, id := range u.Identities {
			if id.SignInType != "federated" {
				kept = append(kept, id)
			}
		}
		seen := map[string]bool{}
		for _, id := range ids {
			id.SignInType = "federated"
			k := identKey(id)
			if owner, taken := s.byIdent[k]; taken && owner != objectID {
				return fmt.Errorf("user %s: the identity %s/%s belongs to user %s: %w", objectID, id.Issuer, id.IssuerAssignedID, owner, directory.ErrExists)
			}
			if !seen[k] {
				seen[k] = true
				kept = append(kept, id)
			}
		}
		u.Identities = kept
		return nil
	})
}

// change applies edit to a copy of the user, under the lock, and stores the copy with hash as
// its password hash (nil: the password it has). It returns the stored user, ErrNotFound, or
// edit's error (nothing changes then).
func (s *Users) change(objectID string, hash []byte, edit func(u *engine.User) error) (*engine.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.byID[objectID]
	if !ok {
		return nil, directory.ErrNotFound
	}
	u := clone(old)
	if err := edit(u); err != nil {
		return nil, err
	}
	if hash == nil {
		hash = s.password[objectID]
	}
	e := Exported{User: u, PasswordHash: hash}
	if s.db != nil {
		if err := s.db.putUsers(e); err != nil {
			return nil, fmt.Errorf("storing user %s: %w", objectID, err)
		}
	}
	s.index([]Exported{e})
	return clone(u), nil
}

// SignedIn records an interactive sign-in of the user at t (its LastSignIn); ErrNotFound
// when there is no such user.
func (s *Users) SignedIn(objectID string, t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.byID[objectID]
	if !ok {
		return directory.ErrNotFound
	}
	// Stored users are never changed in place (every change stores a new copy, and callers
	// get copies), so this one may share the old one's identities and attributes.
	c := *old
	u := &c
	u.LastSignIn = t
	if s.db != nil {
		if err := s.db.putUsers(Exported{User: u, PasswordHash: s.password[objectID]}); err != nil {
			return fmt.Errorf("storing user %s: %w", objectID, err)
		}
	}
	s.byID[objectID] = u
	return nil
}

// List returns every user.
func (s *Users) List() []*engine.User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*engine.User, 0, len(s.byID))
	for _, u := range s.byID {
		out = append(out, clone(u))
	}
	return out
}

// Delete removes the user with this object id, reporting whether there was one.
func (s *Users) Delete(objectID string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byID[objectID]
	if !ok {
		return false, nil
	}
	if s.db != nil {
		if err := s.db.deleteUser(objectID); err != nil {
			return false, fmt.Errorf("deleting user %s: %w", objectID, err)
		}
	}
	s.unindex(u)
	delete(s.byID, objectID)
	delete(s.password, objectID)
	return true, nil
}

// Reset removes every user.
func (s *Users) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db != nil {
		if err := s.db.clearUsers(); err != nil {
			return fmt.Errorf("removing users: %w", err)
		}
	}
	s.byID, s.byIdent, s.byEmail, s.password = map[string]*engine.User{}, map[string]string{}, map[string]string{}, map[string][]byte{}
	return nil
}

// Exported is a user with its password hash, for export and import.
type Exported struct {
	User         *engine.User
	PasswordHash []byte // bcrypt (any cost) or the fast scheme; nil for federated users
}

// Export returns every user with its password hash.
func (s *Users) Export() []Exported {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Exported, 0, len(s.byID))
	for id, u := range s.byID {
		out = append(out, Exported{User: clone(u), PasswordHash: s.password[id]})
	}
	return out
}

// Import stores users as they were exported, replacing users with the same object id. It
// refuses the whole batch when an identity belongs to another user or a password hash is
// neither bcrypt (any cost) nor the fast scheme.
func (s *Users) Import(users []Exported) error {
	for _, e := range users {
		if e.PasswordHash != nil {
			if err := checkHash(e.PasswordHash); err != nil {
				return fmt.Errorf("user %s: the password hash is %w", e.User.ObjectID, err)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range users {
		for _, id := range e.User.Identities {
			if owner, taken := s.byIdent[identKey(id)]; taken && owner != e.User.ObjectID {
				return fmt.Errorf("user %s: the identity %s/%s belongs to user %s: %w", e.User.ObjectID, id.Issuer, id.IssuerAssignedID, owner, directory.ErrExists)
			}
		}
	}
	if s.db != nil {
		if err := s.db.putUsers(users...); err != nil {
			return fmt.Errorf("storing users: %w", err)
		}
	}
	s.index(users)
	return nil
}
