package journey

import (
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// next is what an input did to the journey.
type next int

const (
	stay    next = iota // the page (or the ended run) stays, with what the input changed
	ignored             // nothing changed: a domain hint no provider of the page has
	onward              // the step is done: the journey goes on to the next one
)

// apply applies one input on the current step's page.
func (x *execution) apply(step *policy.Step, in engine.Input) (next, error) {
	switch in := in.(type) {
	case engine.SignInLocal:
		return x.signInLocal(step, in)
	case engine.DomainHint:
		return x.domainHint(step, in), nil
	case engine.ForgotPassword:
		return x.forgotPassword(step)
	case engine.StartSignUp:
		return x.startSignUp(step)
	case engine.SubmitAttributes:
		return x.submitAttributes(in)
	case engine.VerifyEmail:
		return stay, x.verifyInput(in)
	case engine.VerifyMFA:
		return x.pressPhone(step, in)
	case engine.ResumeSession:
		return x.resumeSession(step, in)
	case engine.SignInFederated:
		return x.signInFederated(in)
	case engine.ChooseProvider:
		target, err := providerTarget(x.p, x.st, step, in.Provider)
		if err != nil {
			return stay, err
		}
		x.st.chosen = target
		return onward, nil
	}
	return stay, engine.Errorf(engine.Invalid, "%T does not apply to a custom policy's page", in)
}

func (x *execution) signInLocal(step *policy.Step, in engine.SignInLocal) (next, error) {
	if step.Type != "CombinedSignInAndSignUp" || x.st.tp == nil {
		return stay, engine.Errorf(engine.Invalid, "there is no sign-in form on this page")
	}
	if !x.submit(x.st.tp, map[string]string{"signinname": strings.TrimSpace(in.Email), "password": in.Password}) {
		x.r.Values = engine.Claims{"email": strings.TrimSpace(in.Email)}
		return stay, nil
	}
	return onward, nil
}

// domainHint chooses the claims provider whose Domain the hint names, without the page; a
// hint no provider of the page has changes nothing.
func (x *execution) domainHint(step *policy.Step, in engine.DomainHint) next {
	target := domainTarget(x.p, x.st, step, in.Domain)
	if target == "" || x.r.Page == nil || !x.r.Page.Unified {
		return ignored
	}
	x.st.chosen = target
	return onward
}

// forgotPassword follows setting.forgotPasswordLinkOverride, the claims exchange of an
// embedded password reset; without one B2C sends the user back to the application with
// AADB2C90118.
func (x *execution) forgotPassword(step *policy.Step) (next, error) {
	if step.Type != "CombinedSignInAndSignUp" || x.st.tp == nil || x.r.Page == nil || x.r.Page.ForgotPassword == "" {
		return stay, engine.Errorf(engine.Invalid, "there is no forgotten-password link on this page")
	}
	override := x.st.tp.Metadata["setting.forgotPasswordLinkOverride"]
	if override == "" || !offers(step, override) {
		x.r.Phase, x.r.Page, x.r.Failure = engine.PhaseCancelled, nil, engine.ForgotPasswordFailure()
		return stay, nil
	}
	x.st.chosen = override
	return onward, nil
}

func (x *execution) startSignUp(step *policy.Step) (next, error) {
	if step.Type != "CombinedSignInAndSignUp" || x.st.tp == nil || x.st.tp.Metadata["SignUpTarget"] == "" {
		return stay, engine.Errorf(engine.Invalid, "there is no sign-up link on this page")
	}
	x.st.chosen = x.st.tp.Metadata["SignUpTarget"]
	return onward, nil
}

func (x *execution) submitAttributes(in engine.SubmitAttributes) (next, error) {
	if x.r.Phase != engine.PhaseAttributes || x.st.tp == nil {
		return stay, engine.Errorf(engine.Invalid, "there is no form to submit on this page")
	}
	values := map[string]string{}
	for k, v := range shownText(x.r, in.Values) {
		values[strings.ToLower(k)] = v
	}
	if !x.submit(x.st.tp, values) {
		return stay, nil
	}
	return onward, nil
}

// verifyInput is a verification button: a display control's, or the page's own email
// verification.
func (x *execution) verifyInput(in engine.VerifyEmail) error {
	if x.r.Phase != engine.PhaseAttributes || x.st.tp == nil {
		return engine.Errorf(engine.Invalid, "there is nothing to verify on this page")
	}
	in.Values = shownText(x.r, in.Values)
	if d := control(x.p, x.st.tp, in.Field); d != nil {
		if err := x.controlAction(d, in); err != nil || x.r.Phase.Terminal() {
			return err
		}
	} else if err := x.verifyEmail(in); err != nil {
		return err
	}
	x.refreshVerification()
	return nil
}

// resumeSession is B2C's DefaultSSOSessionProvider: the session brings back the user's
// objectId and the profiles that took part in the session are skipped.
func (x *execution) resumeSession(step *policy.Step, in engine.ResumeSession) (next, error) {
	if !x.inSession(x.st.tp) || step.Type != "CombinedSignInAndSignUp" && x.r.Phase != engine.PhaseAttributes {
		return stay, engine.Errorf(engine.Invalid, "no single sign-on on this page")
	}
	if _, err := x.Directory.Get(x.ctx, in.ObjectID); err != nil {
		return stay, engine.Errorf(engine.Invalid, "the session's user is gone: %v", err)
	}
	x.st.sso = true
	x.st.bag["objectid"], x.st.bag["objectidfromsession"] = in.ObjectID, "true"
	if in.Identity.SignInType == "emailAddress" {
		x.st.bag["authenticationsource"] = "localAccountAuthentication"
	}
	return onward, nil
}

func (x *execution) signInFederated(in engine.SignInFederated) (next, error) {
	if x.r.Phase != engine.PhaseIdP || x.st.tp == nil {
		return stay, engine.Errorf(engine.Invalid, "there is no identity provider sign-in on this page")
	}
	if err := x.outputs(x.st.tp, federatedResult(in), x.st.bag); err != nil {
		x.failWith(err)
		return stay, nil
	}
	return onward, nil
}

// shownText is a post's values with each Paragraph field of the page set to the value the
// page showed. A Paragraph is text on the page, not an input (Microsoft's ClaimsSchema: it
// "shows text only"), so the user cannot change it: a value a post sends for it, under any
// case of its name, changes nothing, and a page shown again keeps its text.
func shownText(r *engine.Run, values map[string]string) map[string]string {
	out := make(map[string]string, len(values))
	for k, v := range values {
		out[k] = v
	}
	if r.Page == nil {
		return out
	}
	for _, f := range r.Page.Fields {
		if f.InputType != "Paragraph" {
			continue
		}
		for k := range out {
			if strings.EqualFold(k, f.ID) {
				delete(out, k)
			}
		}
		if v := r.Values.String(f.ClaimID()); v != "" {
			out[f.ID] = v
		}
	}
	return out
}
