package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// cost10 is a bcrypt hash of "Passw0rd!" at cost 10, bcrypt's default and what b2cemu stored
// before the fast scheme: users exported then still sign in.
const cost10 = "$2a$10$wU0UrUAghT1u6HeVDK1TNeG55Ws2yXhMq.aO4ySrm/GLyaNulSY5m"

func TestPasswordSchemes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		cost   int
		prefix string
	}{
		{"fast by default", 0, "$b2cemu-sha256$"},
		{"bcrypt when configured", 4, "$2a$04$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHasher(tt.cost, 0)
			a, err := h.Hash(ctx, "Passw0rd!")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := h.Hash(ctx, "Passw0rd!")
			if !strings.HasPrefix(string(a), tt.prefix) || string(a) == string(b) {
				t.Errorf("hashes %s and %s: want %s…, salted", a, b, tt.prefix)
			}
			if err := checkHash(a); err != nil {
				t.Errorf("checkHash(%s): %v", a, err)
			}
			for pw, want := range map[string]bool{"Passw0rd!": true, "passw0rd!": false, "": false, "Passw0rd!x": false} {
				if ok, err := h.Verify(ctx, a, pw); ok != want || err != nil {
					t.Errorf("Verify(%q) = %v, %v; want %v", pw, ok, err, want)
				}
			}
		})
	}
}

func TestStoredHashesOfAnyCostSignIn(t *testing.T) {
	ctx := context.Background()
	local := engine.Identity{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "old@fabrikam.com"}
	s := NewUsers(0)
	if err := s.Import([]Exported{{User: &engine.User{ObjectID: "old", Identities: []engine.Identity{local}}, PasswordHash: []byte(cost10)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "old@fabrikam.com", "Passw0rd!"); err != nil {
		t.Errorf("a cost-10 hash: %v", err)
	}
	if _, err := s.Authenticate(ctx, "old@fabrikam.com", "nope"); !errors.Is(err, directory.ErrBadPassword) {
		t.Errorf("a wrong password against a cost-10 hash: %v", err)
	}
	// A new password on the same user takes the configured scheme; the old one stops working.
	if _, err := s.Update(ctx, "old", nil, "N3w-passw0rd"); err != nil {
		t.Fatal(err)
	}
	if got := string(s.Export()[0].PasswordHash); !strings.HasPrefix(got, fastTag) {
		t.Errorf("new hash %s", got)
	}
	if _, err := s.Authenticate(ctx, "old@fabrikam.com", "N3w-passw0rd"); err != nil {
		t.Errorf("after the change: %v", err)
	}
}

func TestImportRefusesUnknownHashes(t *testing.T) {
	for _, bad := range []string{"plaintext", "$2a$99$wU0UrUAghT1u6HeVDK1TNeG55Ws2yXhMq.aO4ySrm/GLyaNulSY5m", "$b2cemu-sha256$c2FsdA$short", "$b2cemu-sha256$nodigest"} {
		s := NewUsers(0)
		err := s.Import([]Exported{{User: &engine.User{ObjectID: "u1", Identities: []engine.Identity{{SignInType: "emailAddress", Issuer: "c", IssuerAssignedID: "a@b.c"}}}, PasswordHash: []byte(bad)}})
		if !errors.Is(err, ErrUnknownHash) || !strings.Contains(err.Error(), "user u1") {
			t.Errorf("import of %q: %v", bad, err)
		}
		if len(s.List()) != 0 {
			t.Errorf("import of %q stored a user", bad)
		}
	}
}

// TestHashingIsBounded runs many more hashes than slots and counts how many run at once.
func TestHashingIsBounded(t *testing.T) {
	const limit = 2
	h := NewHasher(0, limit)
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.run(context.Background(), func() error {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(time.Millisecond) // hold the slot so that the others queue
				running.Add(-1)
				return nil
			})
		}()
	}
	wg.Wait()
	if got := most.Load(); got != limit {
		t.Errorf("at most %d hashes ran at once, want exactly the bound %d", got, limit)
	}
}

// TestCancelledHashes: a request that has ended neither hashes nor waits for a slot.
func TestCancelledHashes(t *testing.T) {
	h := NewHasher(4, 1)
	release := make(chan struct{})
	held := make(chan struct{})
	go h.run(context.Background(), func() error { close(held); <-release; return nil })
	<-held // the only slot is taken
	defer close(release)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := h.run(ctx, func() error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
		t.Errorf("a cancelled context: err %v, ran %v", err, ran)
	}
	if _, err := h.Hash(ctx, "Passw0rd!"); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash: %v", err)
	}
	if _, err := h.Verify(ctx, []byte(cost10), "Passw0rd!"); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify: %v", err)
	}
	// Waiting for the slot ends with the request.
	waiting, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := h.Hash(waiting, "Passw0rd!"); done <- err }()
	stop()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("waiting Hash: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a hash waiting for a slot did not end with its context")
	}
	// Through the directory: a sign-up whose request ended stores nothing.
	s := NewUsers(0)
	s.hasher = h
	u := &engine.User{ObjectID: "u1", Identities: []engine.Identity{{SignInType: "emailAddress", Issuer: "c", IssuerAssignedID: "a@b.c"}}}
	if err := s.Create(ctx, u, "Passw0rd!"); !errors.Is(err, context.Canceled) || len(s.List()) != 0 {
		t.Errorf("Create: %v, %d users", err, len(s.List()))
	}
}
