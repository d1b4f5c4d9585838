package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	"golang.org/x/crypto/bcrypt"
)

// fastTag starts a hash of the emulator's fast scheme: "$b2cemu-sha256$" salt "$" digest,
// both unpadded base64 (RawStdEncoding), the digest SHA-256(salt ‖ password). It is a real
// salted hash but deliberately not a slow one: an emulator's users are test fixtures, and a
// sign-in should cost about what the token it ends with costs (docs/performance.md).
const fastTag = "$b2cemu-sha256$"

const saltLen = 16

// ErrUnknownHash is returned for a stored or imported password hash that is neither bcrypt
// nor the emulator's fast scheme.
var ErrUnknownHash = errors.New("not a bcrypt ($2a$, $2b$, $2y$) or b2cemu ($b2cemu-sha256$) password hash")

// Hasher hashes and verifies passwords: bcrypt at Cost, or the fast scheme when Cost is 0.
// At most as many hashes run at once as there are processors, and a hash waits for a slot
// only as long as its request lives: abandoned sign-ups do not keep the CPU busy.
type Hasher struct {
	cost  atomic.Int32  // 0: the fast scheme; else bcrypt's cost
	slots chan struct{} // one token per hash running
}

// NewHasher returns a hasher; cost is 0 (the fast scheme) or a bcrypt cost (4–31, checked by
// the configuration), and at most limit hashes run at once (0: GOMAXPROCS).
func NewHasher(cost, limit int) *Hasher {
	if limit < 1 {
		limit = runtime.GOMAXPROCS(0)
	}
	h := &Hasher{slots: make(chan struct{}, limit)}
	h.SetCost(cost)
	return h
}

// SetCost changes the cost of new hashes (a configuration reload); existing hashes keep
// verifying.
func (h *Hasher) SetCost(cost int) { h.cost.Store(int32(cost)) }

// Hash returns a new hash of password, or ctx's error when the request ended first.
func (h *Hasher) Hash(ctx context.Context, password string) ([]byte, error) {
	var out []byte
	err := h.run(ctx, func() error {
		var err error
		out, err = hash(password, int(h.cost.Load()))
		return err
	})
	return out, err
}

// Verify reports whether password matches hash, whatever scheme and cost made it; it returns
// ctx's error when the request ended first.
func (h *Hasher) Verify(ctx context.Context, hash []byte, password string) (bool, error) {
	var ok bool
	err := h.run(ctx, func() error {
		ok = verify(hash, password)
		return nil
	})
	return ok, err
}

// run calls fn holding a slot. A context already done skips fn; waiting for a slot ends with
// the context.
func (h *Hasher) run(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-h.slots }()
	return fn()
}

func hash(password string, cost int) ([]byte, error) {
	if cost != 0 {
		h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
		if err != nil {
			return nil, fmt.Errorf("hashing a password with bcrypt: %w", err)
		}
		return h, nil
	}
	salt := make([]byte, saltLen)
	rand.Read(salt) // never fails (crypto/rand)
	return fastHash(salt, password), nil
}

func fastHash(salt []byte, password string) []byte {
	d := sha256.New()
	d.Write(salt)
	d.Write([]byte(password))
	enc := base64.RawStdEncoding
	out := make([]byte, 0, len(fastTag)+enc.EncodedLen(len(salt))+1+enc.EncodedLen(sha256.Size))
	out = append(out, fastTag...)
	out = enc.AppendEncode(out, salt)
	out = append(out, '$')
	return enc.AppendEncode(out, d.Sum(nil))
}

func verify(hash []byte, password string) bool {
	if rest, ok := bytes.CutPrefix(hash, []byte(fastTag)); ok {
		salt, _, ok := bytes.Cut(rest, []byte("$"))
		raw, err := base64.RawStdEncoding.DecodeString(string(salt))
		return ok && err == nil && subtle.ConstantTimeCompare(fastHash(raw, password), hash) == 1
	}
	return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
}

// checkHash reports whether hash is one verify understands: bcrypt at any cost, or the fast
// scheme.
func checkHash(hash []byte) error {
	if rest, ok := bytes.CutPrefix(hash, []byte(fastTag)); ok {
		salt, digest, ok := bytes.Cut(rest, []byte("$"))
		s, err1 := base64.RawStdEncoding.DecodeString(string(salt))
		d, err2 := base64.RawStdEncoding.DecodeString(string(digest))
		if ok && err1 == nil && err2 == nil && len(s) > 0 && len(d) == sha256.Size {
			return nil
		}
		return ErrUnknownHash
	}
	if _, err := bcrypt.Cost(hash); err != nil {
		return ErrUnknownHash
	}
	return nil
}
