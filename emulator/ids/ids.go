// Package ids makes the emulator's identifiers and secrets: GUIDs for users and runs, base32
// secrets for codes and tokens, random or, for deterministic runs, from a seed.
package ids

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	mrand "math/rand/v2"
	"sync"
)

// Generator makes object ids, run ids and secrets: random, or from a generator seeded for
// deterministic runs. It is safe for concurrent use.
type Generator struct {
	mu   sync.Mutex
	seed int64
	rng  *mrand.ChaCha8 // nil = crypto/rand
}

// New returns a generator: seeded with seed, or on crypto/rand when seed is 0.
func New(seed int64) *Generator {
	g := &Generator{seed: seed}
	g.Reset()
	return g
}

// Reset starts the seeded sequence again, so a reset emulator draws the ids a new one would.
func (g *Generator) Reset() {
	if g.seed == 0 {
		return
	}
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], uint64(g.seed))
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rng = mrand.NewChaCha8(s)
}

func (g *Generator) read(b []byte) {
	if g.rng == nil {
		_, _ = rand.Read(b)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	_, _ = g.rng.Read(b)
}

// GUID returns a version 4 GUID.
func (g *Generator) GUID() string {
	var b [16]byte
	g.read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte // 8-4-4-4-12 hex digits: what %x of the five groups wrote, in one allocation
	hex.Encode(out[0:8], b[0:4])
	hex.Encode(out[9:13], b[4:6])
	hex.Encode(out[14:18], b[6:8])
	hex.Encode(out[19:23], b[8:10])
	hex.Encode(out[24:36], b[10:16])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
}

// Secret returns 32 random bytes as base32 text: codes, refresh tokens, CSRF tokens.
func (g *Generator) Secret() string {
	var b [32]byte
	g.read(b[:])
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	out := make([]byte, 0, 52)
	for i := 0; i < 32; i += 5 {
		var chunk [8]byte
		copy(chunk[3:], b[i:min(i+5, 32)])
		v := binary.BigEndian.Uint64(chunk[:])
		for j := 7; j >= 0; j-- {
			if len(out) < 52 {
				out = append(out, alphabet[(v>>(uint(j)*5))&31])
			}
		}
	}
	return string(out)
}
