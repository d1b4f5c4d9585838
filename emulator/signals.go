package emulator

import (
	"sync"

	"github.com/b2cemu/b2cemu/emulator/journey"
	"github.com/b2cemu/b2cemu/web"
)

// signals are the fake Conditional Access signals the admin API sets: a global one and one
// per user (by object id), which wins over it. None set is a sign-in no policy applies to.
type signals struct {
	mu     sync.Mutex
	global *web.CASignal
	users  map[string]web.CASignal
}

func newSignals() *signals { return &signals{users: map[string]web.CASignal{}} }

// For is the signal a journey evaluates for userID: the user's, else the global one.
func (s *signals) For(userID string) journey.Signal {
	s.mu.Lock()
	defer s.mu.Unlock()
	sig, ok := s.users[userID]
	if !ok || userID == "" {
		if s.global == nil {
			return journey.Signal{}
		}
		sig = *s.global
	}
	return journey.Signal{Challenges: sig.Challenges, SignInRisk: sig.SignInRiskLevel, IPAddress: sig.IPAddress}
}

func (s *signals) State() web.CASignals {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := web.CASignals{Users: make(map[string]web.CASignal, len(s.users))}
	if s.global != nil {
		g := *s.global
		out.Global = &g
	}
	for id, sig := range s.users {
		out.Users[id] = sig
	}
	return out
}

// Set sets userID's signal, or the global one for "".
func (s *signals) Set(userID string, sig web.CASignal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if userID == "" {
		s.global = &sig
		return
	}
	s.users[userID] = sig
}

// Clear removes userID's signal (reporting whether there was one), or every signal for "".
func (s *signals) Clear(userID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if userID == "" {
		s.global, s.users = nil, map[string]web.CASignal{}
		return true
	}
	_, ok := s.users[userID]
	delete(s.users, userID)
	return ok
}
