package store

import (
	"sync"
	"time"
)

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
