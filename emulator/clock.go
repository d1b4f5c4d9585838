package emulator

import (
	"fmt"
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
