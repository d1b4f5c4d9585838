package flows

import "github.com/b2cemu/b2cemu/flows/engine"

// progress is the user-flow machine's own state between requests (Run.State): what its
// pages verified so far.
type progress struct {
	emailCheck *EmailVerification // the local sign-up page's email verification; nil until a code is sent
	mfa        *MFAState          // the second factor while its page is shown
	mfaDone    bool               // the second factor passed (or a single sign-on session resumed): the token step runs
}

func (p *progress) SecondFactor() *MFAState { return p.mfa }

// stateOf is the machine's state of r, made on first use (a run built by hand has none).
func stateOf(r *engine.Run) *progress {
	p, ok := r.State.(*progress)
	if !ok {
		p = &progress{}
		r.State = p
	}
	return p
}

// SecondFactor is the second factor the run's page shows, from its engine's own state (the
// user-flow machine's second factor or phone account page, a custom policy's phone factor);
// nil when there is none. The headless API reads it to answer the page as the user would.
func SecondFactor(r *engine.Run) *MFAState {
	if s, ok := r.State.(interface{ SecondFactor() *MFAState }); ok {
		return s.SecondFactor()
	}
	return nil
}

// PassedSecondFactor reports whether a user-flow run passed its second factor (or resumed a
// session that had), which a single sign-on session then keeps. A custom policy's run keeps
// its own state and answers false.
func PassedSecondFactor(r *engine.Run) bool {
	p, ok := r.State.(*progress)
	return ok && p.mfaDone
}
