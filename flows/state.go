package flows

import (
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// progress is the user-flow machine's own state between requests (Run.State): what its
// pages verified so far.
type progress struct {
	emailCheck *codes.EmailVerification // the local sign-up page's email verification; nil until a code is sent
	mfa        *codes.MFAState          // the second factor while its page is shown
	mfaDone    bool                     // the second factor passed (or a single sign-on session resumed): the token step runs
}

func (p *progress) SecondFactor() *codes.MFAState { return p.mfa }

// stateOf is the machine's state of r, made on first use (a run built by hand has none).
func stateOf(r *engine.Run) *progress {
	p, ok := r.State.(*progress)
	if !ok {
		p = &progress{}
		r.State = p
	}
	return p
}

// PassedSecondFactor reports whether a user-flow run passed its second factor (or resumed a
// session that had), which a single sign-on session then keeps. A custom policy's run keeps
// its own state and answers false.
func PassedSecondFactor(r *engine.Run) bool {
	p, ok := r.State.(*progress)
	return ok && p.mfaDone
}
