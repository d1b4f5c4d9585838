package journey

import (
	"fmt"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// call is one non-interactive technical profile at work: the profile, its input claims by
// partner claim name, the claims it may read and write (the bag, or a page's copy of it for a
// validation profile) and the orchestration step (0 for a validation profile).
type call struct {
	tp     *policy.TechnicalProfile
	inputs map[string]string
	scope  map[string]string
	step   int
}

// handler runs one technical-profile protocol: it returns the profile's result by partner
// claim name, which run maps to the output claims, or why the profile did not succeed.
type handler func(x *execution, c *call) (map[string]string, *engine.Failure)

// handlers are the protocols b2cemu runs, by the kind the loader gave each technical profile
// (policy.Kind, from its Protocol Name and Handler). Interactive profiles — self-asserted
// pages, identity providers b2cemu stands in for — are pages, shown by proceed; their
// entries here are what a profile of that kind does when run without a page. A new kind is
// a new file with its handler and one entry here.
var handlers = map[policy.Kind]handler{
	policy.Directory:         (*execution).directory,
	policy.PasswordCheck:     (*execution).passwordCheck,
	policy.Restful:           (*execution).restful,
	policy.EmailCode:         (*execution).emailCode,
	policy.OneTimePassword:   (*execution).oneTimePassword,
	policy.PhoneFactor:       (*execution).phoneFactor,
	policy.AzureMFA:          (*execution).azureMFA,
	policy.JourneyContext:    (*execution).journeyContext,
	policy.ConditionalAccess: (*execution).conditionalAccess,
	policy.Engine:            (*execution).carriedClaims,
	policy.Transformation:    nothing, // its input and output claims transformations are its work
	policy.Session:           nothing, // session managers: the single sign-on state is the run's
	policy.TokenIssuer:       nothing, // the JWT issuer: SendClaims issues the token
	policy.IdentityProvider:  externalProvider,
}

// protocol runs the handler of c's profile kind.
func (x *execution) protocol(c *call) (map[string]string, *engine.Failure) {
	h, ok := handlers[c.tp.Kind]
	if !ok {
		return nil, unsupported(c.tp, fmt.Sprintf("a %s technical profile", c.tp.Kind))
	}
	return h(x, c)
}

func nothing(*execution, *call) (map[string]string, *engine.Failure) { return map[string]string{}, nil }

// externalProvider is an identity provider profile run as a step of its own, without the
// page b2cemu shows in its place.
func externalProvider(_ *execution, c *call) (map[string]string, *engine.Failure) {
	return nil, unsupported(c.tp, fmt.Sprintf("signing in with an external identity provider (the %s protocol)", c.tp.Protocol))
}

// carriedClaims is the engine's profile of a refresh journey (RefreshTokenReadAndSetup): its
// output claims come back from the refresh token, the sign-in's claims bag.
func (x *execution) carriedClaims(c *call) (map[string]string, *engine.Failure) {
	result := map[string]string{}
	for _, oc := range c.tp.OutputClaims {
		if v, ok := x.st.carried[strings.ToLower(oc.ClaimType)]; ok {
			result[oc.ClaimType] = v
		}
	}
	return result, nil
}
