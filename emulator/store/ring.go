package store

import "sync"

// Ring keeps the newest values up to a fixed count, so memory stays bounded.
type Ring[V any] struct {
	mu    sync.Mutex
	buf   []V
	next  int
	full  bool
	added uint64
}

// NewRing returns a ring of size values (at least 1).
func NewRing[V any](size int) *Ring[V] {
	return &Ring[V]{buf: make([]V, max(size, 1))}
}

// Add stores v, dropping the oldest value when the ring is full.
func (r *Ring[V]) Add(v V) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf[r.next] = v
	r.next = (r.next + 1) % len(r.buf)
	r.full = r.full || r.next == 0
	r.added++
}

// List returns the values, newest first.
func (r *Ring[V]) List() []V {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.next
	if r.full {
		n = len(r.buf)
	}
	out := make([]V, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, r.buf[(r.next-i+len(r.buf))%len(r.buf)])
	}
	return out
}

// Added counts every value ever added (not reset by Clear), so a reader can tell that
// something changed.
func (r *Ring[V]) Added() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.added
}

// Clear drops every value.
func (r *Ring[V]) Clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.buf)
	r.next, r.full = 0, false
}
