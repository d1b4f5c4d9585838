package engine_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/b2cemu/b2cemu/flows/engine"
)

// onPage is a run on a page with what an earlier input left there.
func onPage(p engine.Phase) *engine.Run {
	return &engine.Run{ID: "run1", Phase: p, Seq: 3, Values: engine.Claims{"email": "ana@fabrikam.com"},
		FieldErrors: map[string]string{"email": "This information is required."}, RequiredMissing: true,
		PasswordMismatch: true, FieldIncorrect: true, PageError: "Your password is incorrect.",
		Page: &engine.Page{Title: "Sign up"}}
}

var allPhases = []engine.Phase{engine.PhaseSignIn, engine.PhaseIdP, engine.PhaseLocalSignUp, engine.PhaseAttributes,
	engine.PhaseMFA, engine.PhaseBlocked, engine.PhaseDone, engine.PhaseFailed, engine.PhaseCancelled}

func TestCheckOpen(t *testing.T) {
	terminal := map[engine.Phase]bool{engine.PhaseBlocked: true, engine.PhaseDone: true, engine.PhaseFailed: true, engine.PhaseCancelled: true}
	for _, what := range []string{"sign-up", "sign-in"} {
		for _, p := range allPhases {
			t.Run(what+"/"+string(p), func(t *testing.T) {
				r := onPage(p)
				before := *r
				err := r.CheckOpen(what)
				if !reflect.DeepEqual(*r, before) {
					t.Errorf("the check changed the run: %+v", r)
				}
				if !terminal[p] {
					if err != nil {
						t.Fatalf("CheckOpen = %v on an open run", err)
					}
					return
				}
				var f *engine.Failure
				if !errors.As(err, &f) || f.Kind != engine.Invalid || f.Message != "this "+what+" has already ended" || engine.KindOf(err) != engine.Invalid {
					t.Errorf("CheckOpen = %#v, want an Invalid failure saying the %s has ended", err, what)
				}
			})
		}
	}
}

func TestCancel(t *testing.T) {
	want := engine.Failure{OAuth: "access_denied", Code: "AADB2C90091", Message: "The user has cancelled entering self-asserted information.", Redirect: true}
	for _, p := range []engine.Phase{engine.PhaseSignIn, engine.PhaseIdP, engine.PhaseLocalSignUp, engine.PhaseAttributes, engine.PhaseMFA} {
		t.Run(string(p), func(t *testing.T) {
			r := onPage(p)
			r.Cancel()
			if r.Phase != engine.PhaseCancelled || r.Failure == nil || *r.Failure != want || r.Seq != 4 {
				t.Errorf("after Cancel: phase %s seq %d failure %+v; want %s 4 %+v", r.Phase, r.Seq, r.Failure, engine.PhaseCancelled, want)
			}
		})
	}
}

func TestResetPage(t *testing.T) {
	for _, p := range []engine.Phase{engine.PhaseSignIn, engine.PhaseLocalSignUp, engine.PhaseAttributes} {
		t.Run(string(p), func(t *testing.T) {
			r := onPage(p)
			r.ResetPage()
			if r.FieldErrors != nil || r.RequiredMissing || r.PasswordMismatch || r.FieldIncorrect || r.PageError != "" {
				t.Errorf("page errors left: %+v", r)
			}
			if r.Phase != p || r.Seq != 3 || r.Values.String("email") != "ana@fabrikam.com" || r.Page == nil {
				t.Errorf("ResetPage changed more than the page's errors: %+v", r)
			}
		})
	}
}

func TestFail(t *testing.T) {
	tests := []struct {
		name string
		in   engine.Failure
		want engine.Failure
	}{
		{"a failed claims exchange is AADB2C90075 server_error",
			engine.Failure{Message: "The claims exchange could not be completed.", Diagnostic: "the connector answered 500"},
			engine.Failure{OAuth: "server_error", Code: "AADB2C90075", Message: "The claims exchange could not be completed.", Diagnostic: "the connector answered 500"}},
		{"sent back to the application",
			engine.Failure{Message: "m", Redirect: true},
			engine.Failure{OAuth: "server_error", Code: "AADB2C90075", Message: "m", Redirect: true}},
		{"a code of its own is kept",
			engine.Failure{Code: "AADB2C99002", Message: "User does not exist. Please sign up before you can sign in.", Redirect: true},
			engine.Failure{OAuth: "server_error", Code: "AADB2C99002", Message: "User does not exist. Please sign up before you can sign in.", Redirect: true}},
		{"an OAuth error of its own is kept",
			engine.Failure{OAuth: "invalid_request", Code: "AADB2C90130", Message: "m"},
			engine.Failure{OAuth: "invalid_request", Code: "AADB2C90130", Message: "m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := onPage(engine.PhaseAttributes)
			f := tt.in
			r.Fail(&f)
			if r.Phase != engine.PhaseFailed || r.Page != nil || r.Failure == nil || *r.Failure != tt.want {
				t.Errorf("after Fail: phase %s page %v failure %+v; want %s, no page, %+v", r.Phase, r.Page, r.Failure, engine.PhaseFailed, tt.want)
			}
		})
	}
}

func TestFailureAsError(t *testing.T) {
	cause := errors.New("disk full")
	tests := []struct {
		name string
		err  error
		text string
		kind engine.Kind
	}{
		{"a refused input", engine.Errorf(engine.Invalid, "%s does not apply", "Cancel"), "Cancel does not apply", engine.Invalid},
		{"with a code", &engine.Failure{Kind: engine.NotFound, Code: "AADB2C99002", Message: "no account"}, "AADB2C99002: no account", engine.NotFound},
		{"with a cause", &engine.Failure{Kind: engine.Conflict, Message: "taken", Err: cause}, "taken: disk full", engine.Conflict},
		{"wrapped", fmt.Errorf("saving: %w", &engine.Failure{Kind: engine.Invalid, Message: "bad"}), "saving: bad", engine.Invalid},
		{"a failure without a kind", &engine.Failure{Message: "m"}, "m", engine.Internal},
		{"another error", cause, "disk full", engine.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Error() != tt.text || engine.KindOf(tt.err) != tt.kind {
				t.Errorf("%q %s; want %q %s", tt.err.Error(), engine.KindOf(tt.err), tt.text, tt.kind)
			}
		})
	}
	if f := (&engine.Failure{Message: "m", Err: cause}); !errors.Is(f, cause) {
		t.Error("a Failure does not unwrap to its cause")
	}
}
