// Package store keeps users, flow runs and authorization codes in memory, behind the small
// interfaces the flows and web packages consume.
package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/b2cemu/b2cemu/flows"
)

// Users is an in-memory directory. Passwords are kept as bcrypt hashes.
type Users struct {
	mu       sync.RWMutex
	byID     map[string]*flows.User
	byIdent  map[string]string // identity key → object id
	password map[string][]byte // object id → bcrypt hash
	cost     int
}

var _ flows.Directory = (*Users)(nil)

// NewUsers returns an empty directory. cost is the bcrypt cost (0 = bcrypt.DefaultCost).
func NewUsers(cost int) *Users {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	return &Users{byID: map[string]*flows.User{}, byIdent: map[string]string{}, password: map[string][]byte{}, cost: cost}
}

// identKey matches identities as B2C does: issuer case-insensitively, and local email
// addresses case-insensitively.
func identKey(id flows.Identity) string {
	sub := id.IssuerAssignedID
	if id.SignInType == "emailAddress" {
		sub = strings.ToLower(sub)
	}
	return id.SignInType + "\x00" + strings.ToLower(id.Issuer) + "\x00" + sub
}

func clone(u *flows.User) *flows.User {
	c := *u
	c.Identities = append([]flows.Identity(nil), u.Identities...)
	c.Attributes = u.Attributes.Clone()
	return &c
}

// FindByIdentity implements flows.Directory.
func (s *Users) FindByIdentity(_ context.Context, id flows.Identity) (*flows.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	oid, ok := s.byIdent[identKey(id)]
	if !ok {
		return nil, flows.ErrNotFound
	}
	return clone(s.byID[oid]), nil
}

// Authenticate implements flows.Directory.
func (s *Users) Authenticate(ctx context.Context, email, password string) (*flows.User, error) {
	s.mu.RLock()
	var hash []byte
	var u *flows.User
	for _, cand := range s.byID {
		for _, id := range cand.Identities {
			if id.SignInType == "emailAddress" && strings.EqualFold(id.IssuerAssignedID, email) {
				u, hash = clone(cand), s.password[cand.ObjectID]
			}
		}
	}
	s.mu.RUnlock()
	if u == nil {
		return nil, flows.ErrNotFound
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		return nil, flows.ErrBadPassword
	}
	return u, nil
}

// Create implements flows.Directory.
func (s *Users) Create(_ context.Context, u *flows.User, password string) error {
	var hash []byte
	if password != "" {
		h, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
		if err != nil {
			return err
		}
		hash = h
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range u.Identities {
		if _, taken := s.byIdent[identKey(id)]; taken {
			return flows.ErrExists
		}
	}
	s.byID[u.ObjectID] = clone(u)
	for _, id := range u.Identities {
		s.byIdent[identKey(id)] = u.ObjectID
	}
	if hash != nil {
		s.password[u.ObjectID] = hash
	}
	return nil
}

// Get implements flows.Directory.
func (s *Users) Get(_ context.Context, objectID string) (*flows.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.byID[objectID]
	if !ok {
		return nil, flows.ErrNotFound
	}
	return clone(u), nil
}

// List returns every user.
func (s *Users) List() []*flows.User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*flows.User, 0, len(s.byID))
	for _, u := range s.byID {
		out = append(out, clone(u))
	}
	return out
}

// Clear removes every entry.
func (e *Expiring[V]) Clear() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.m)
}

// Expiring is a map whose entries vanish after a time to live. Take removes an entry so that
// it can be used once.
type Expiring[V any] struct {
	mu  sync.Mutex
	m   map[string]entry[V]
	ttl time.Duration
	now func() time.Time
}

type entry[V any] struct {
	v       V
	expires time.Time
}

// NewExpiring returns an empty map whose entries live for ttl.
func NewExpiring[V any](ttl time.Duration, now func() time.Time) *Expiring[V] {
	return &Expiring[V]{m: map[string]entry[V]{}, ttl: ttl, now: now}
}

// Put stores v under key for the map's time to live.
func (e *Expiring[V]) Put(key string, v V) { e.PutFor(key, v, e.ttl) }

// PutFor stores v under key for ttl.
func (e *Expiring[V]) PutFor(key string, v V, ttl time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	if len(e.m) > 0 && len(e.m)%1024 == 0 { // sweep now and then so memory stays bounded
		for k, en := range e.m {
			if now.After(en.expires) {
				delete(e.m, k)
			}
		}
	}
	e.m[key] = entry[V]{v: v, expires: now.Add(ttl)}
}

// Get returns the live value under key.
func (e *Expiring[V]) Get(key string) (V, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	en, ok := e.m[key]
	if !ok || e.now().After(en.expires) {
		var zero V
		return zero, false
	}
	return en.v, true
}

// Delete removes key.
func (e *Expiring[V]) Delete(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.m, key)
}

// Take returns the live value under key and removes it.
func (e *Expiring[V]) Take(key string) (V, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	en, ok := e.m[key]
	delete(e.m, key)
	if !ok || e.now().After(en.expires) {
		var zero V
		return zero, false
	}
	return en.v, true
}

// Delete removes the user with this object id, reporting whether there was one.
func (s *Users) Delete(objectID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byID[objectID]
	if !ok {
		return false
	}
	for _, id := range u.Identities {
		delete(s.byIdent, identKey(id))
	}
	delete(s.byID, objectID)
	delete(s.password, objectID)
	return true
}

// Reset removes every user.
func (s *Users) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID, s.byIdent, s.password = map[string]*flows.User{}, map[string]string{}, map[string][]byte{}
}

// Exported is a user with its password hash, for export and import.
type Exported struct {
	User         *flows.User
	PasswordHash []byte // bcrypt; nil for federated users
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
// refuses the whole batch when an identity belongs to another user.
func (s *Users) Import(users []Exported) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range users {
		for _, id := range e.User.Identities {
			if owner, taken := s.byIdent[identKey(id)]; taken && owner != e.User.ObjectID {
				return fmt.Errorf("user %s: the identity %s/%s belongs to user %s: %w", e.User.ObjectID, id.Issuer, id.IssuerAssignedID, owner, flows.ErrExists)
			}
		}
	}
	for _, e := range users {
		if old, ok := s.byID[e.User.ObjectID]; ok {
			for _, id := range old.Identities {
				delete(s.byIdent, identKey(id))
			}
		}
		s.byID[e.User.ObjectID] = clone(e.User)
		for _, id := range e.User.Identities {
			s.byIdent[identKey(id)] = e.User.ObjectID
		}
		if e.PasswordHash != nil {
			s.password[e.User.ObjectID] = e.PasswordHash
		}
	}
	return nil
}
