package engine

// The outcomes both engines reach the same way, written once. Each engine decides when an
// outcome happens; what the run looks like afterwards is decided here.

// CheckOpen is the check every Advance starts with: once the run has ended (done, blocked,
// failed or cancelled) no input applies, and the answer is an Invalid Failure that leaves the
// run as it is. what names the run in the message: "sign-up" on user flows, "sign-in" on
// custom policies.
func (r *Run) CheckOpen(what string) error {
	if r.Phase.Terminal() {
		return &Failure{Kind: Invalid, Message: "this " + what + " has already ended"}
	}
	return nil
}

// Cancel is the page's Cancel button, on every page of both engines: B2C sends the
// application access_denied with AADB2C90091. It is a step (Seq moves on).
func (r *Run) Cancel() {
	r.Phase = PhaseCancelled
	r.Failure = &Failure{OAuth: "access_denied", Code: "AADB2C90091", Message: "The user has cancelled entering self-asserted information.", Redirect: true}
	r.Seq++
}

// ResetPage clears what the last input left on the page — the field errors, the
// #requiredFieldMissing, #passwordEntryMismatch and #fieldIncorrect flags and the page
// error — before the next input is judged. The page's values stay.
func (r *Run) ResetPage() {
	r.FieldErrors, r.RequiredMissing, r.PasswordMismatch, r.FieldIncorrect, r.PageError = nil, false, false, false, ""
}

// Fail ends the run with f: PhaseFailed, no page. A failure without an OAuth error is
// server_error, and one without a B2C code of its own is AADB2C90075, B2C's failed claims
// exchange (a connector or technical profile that did not answer as it must). Redirect sends
// it to the application; otherwise the error page shows it.
func (r *Run) Fail(f *Failure) {
	if f.OAuth == "" {
		f.OAuth = "server_error"
	}
	if f.Code == "" {
		f.Code = "AADB2C90075"
	}
	r.Phase, r.Page, r.Failure = PhaseFailed, nil, f
}
