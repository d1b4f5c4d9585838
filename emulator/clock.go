package emulator

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/b2cemu/b2cemu/web"
)

// Clock is the emulator's time: the real time, shifted by an offset, or frozen. Tests move it
// through PUT /_emulator/clock to expire tokens without waiting.
type Clock struct {
	mu     sync.Mutex
	frozen *time.Time
	offset time.Duration
	real   func() time.Time
	start  time.Time // where the clock starts (zero: the real time)
}

// NewClock returns a clock on the real time, or frozen at start when it is not zero.
func NewClock(start time.Time) *Clock {
	c := &Clock{real: time.Now, start: start}
	c.Reset()
	return c
}

// Reset puts the clock back where it started.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen, c.offset = nil, 0
	if !c.start.IsZero() {
		t := c.start
		c.frozen = &t
	}
}

// Now is the emulator's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		return *c.frozen
	}
	return c.real().Add(c.offset)
}

// State reports the clock for the admin API.
func (c *Clock) State() web.ClockState {
	now := c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	return web.ClockState{Now: now, Frozen: c.frozen != nil, Offset: now.Sub(c.real()).Round(time.Second).String()}
}

// Set applies a change: real time; freeze (at a time, or now); run from a time; an offset;
// then an advance.
func (c *Clock) Set(ch web.ClockChange) (web.ClockState, error) {
	var offset, advance time.Duration
	var err error
	if ch.Offset != "" {
		if offset, err = time.ParseDuration(ch.Offset); err != nil {
			return web.ClockState{}, fmt.Errorf("offset %q is not a duration such as 2h or -30m", ch.Offset)
		}
	}
	if ch.Advance != "" {
		if advance, err = time.ParseDuration(ch.Advance); err != nil {
			return web.ClockState{}, fmt.Errorf("advance %q is not a duration such as 61m", ch.Advance)
		}
	}
	now := c.Now()
	c.mu.Lock()
	switch {
	case ch.Real:
		c.frozen, c.offset = nil, 0
	case ch.Time != nil && (ch.Frozen == nil || *ch.Frozen):
		t := *ch.Time
		c.frozen = &t
	case ch.Time != nil:
		c.frozen, c.offset = nil, ch.Time.Sub(c.real())
	case ch.Offset != "":
		c.frozen, c.offset = nil, offset
	case ch.Frozen != nil && *ch.Frozen:
		c.frozen = &now
	case ch.Frozen != nil:
		c.frozen, c.offset = nil, now.Sub(c.real())
	}
	if advance != 0 {
		if c.frozen != nil {
			t := c.frozen.Add(advance)
			c.frozen = &t
		} else {
			c.offset += advance
		}
	}
	c.mu.Unlock()
	return c.State(), nil
}

// ids makes object ids, run ids and secrets: random, or from a generator seeded for
// deterministic runs.
type ids struct {
	mu   sync.Mutex
	seed int64
	rng  *mrand.ChaCha8 // nil = crypto/rand
}

func newIDs(seed int64) *ids {
	g := &ids{seed: seed}
	g.Reset()
	return g
}

// Reset starts the seeded sequence again, so a reset emulator draws the ids a new one would.
func (g *ids) Reset() {
	if g.seed == 0 {
		return
	}
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], uint64(g.seed))
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rng = mrand.NewChaCha8(s)
}

func (g *ids) read(b []byte) {
	if g.rng == nil {
		_, _ = rand.Read(b)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	_, _ = g.rng.Read(b)
}

// GUID returns a version 4 GUID.
func (g *ids) GUID() string {
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
func (g *ids) Secret() string {
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
