package journey

import (
	"fmt"
	"slices"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// Signal is what Conditional Access decides for a sign-in, which b2cemu takes from the admin
// API instead of Microsoft Entra ID Protection and the tenant's Conditional Access policies.
// The zero Signal is a sign-in no policy applies to.
type Signal struct {
	// Challenges are what the evaluation asks for: block, mfa, chg_pwd (the reference's
	// values). When nil, SignInRisk decides.
	Challenges []string
	// SignInRisk is none, low, medium or high; without Challenges, medium and high ask for
	// mfa, as Microsoft's "Require MFA for medium+ sign-in risk" template does.
	SignInRisk string
	// IPAddress, when set, is the address the journey sees instead of the browser's (the
	// UserJourneyContextProvider's IP-Address and {Context:IPAddress}): a sign-in "from
	// elsewhere" for a policy that compares addresses.
	IPAddress string
}

// signal is the fake Conditional Access signal of userID (the global one for "").
func (x *execution) signal(userID string) Signal {
	if x.Signals == nil {
		return Signal{}
	}
	return x.Signals(userID)
}

// clientIP is the address the journey reports: the signal's for the user signing in (or the
// global one), else the browser's.
func (x *execution) clientIP() string {
	if ip := x.signal(x.st.bag["objectid"]).IPAddress; ip != "" {
		return ip
	}
	return x.r.ClientIP
}

// journeyContext is a UserJourneyContextProvider profile: the request's context, under the
// names policy.JourneyContextClaims lists.
func (x *execution) journeyContext(*call) (map[string]string, *engine.Failure) {
	ip := x.clientIP()
	mode := x.p.DeploymentMode
	if mode == "" {
		mode = "Production"
	}
	return map[string]string{"IP-Address": ip, "IPAddress": ip, "CorrelationId": x.r.ID, "BuildNumber": "b2cemu",
		"DateTimeInUtc": x.Now().UTC().Format("1/2/2006 3:04:05 PM"), "DeploymentMode": mode}, nil
}

// conditionalAccess is a ConditionalAccessProtocolProvider profile. Evaluation answers the
// signal's challenges for the UserId input claim; Remediation is told which challenges the
// journey satisfied and answers nothing (the signal stays as the admin API set it).
func (x *execution) conditionalAccess(c *call) (map[string]string, *engine.Failure) {
	switch policy.CAOperation(c.tp) {
	case "Evaluation":
		return x.evaluate(c), nil
	case "Remediation":
		x.Log.Info("conditional access remediation", "profile", c.tp.ID, "run", x.r.ID, "challengesSatisfied", stringCollection(c.inputs["ChallengesSatisfied"]))
		return map[string]string{}, nil
	}
	return nil, unsupported(c.tp, fmt.Sprintf("the OperationType %q", c.tp.Metadata["OperationType"]))
}

// evaluate is the Evaluation operation: the challenges of the user's signal, a block instead
// of mfa for a user the IsMfaRegistered input claim says has no method to answer it with (the
// reference: "the Conditional Access policy evaluation returns a block challenge if action is
// required"), and the status. With no challenge, Challenges is left out, so a journey's
// ClaimsExist precondition on it skips the remediation steps.
func (x *execution) evaluate(c *call) map[string]string {
	sig := x.signal(c.inputs["UserId"])
	challenges := challengesOf(sig)
	if len(challenges) > 0 && strings.EqualFold(strings.TrimSpace(c.inputs["IsMfaRegistered"]), "false") && slices.Contains(challenges, "mfa") {
		challenges = []string{"block"}
	}
	status := "notApplied"
	switch {
	case slices.Contains(challenges, "block"):
		challenges, status = []string{"block"}, "failure" // "Block access" overrides all other settings
	case len(challenges) > 0:
		status = "success"
	}
	x.Log.Info("conditional access evaluation", "profile", c.tp.ID, "run", x.r.ID, "userId", c.inputs["UserId"],
		"signInRisk", sig.SignInRisk, "challenges", challenges, "status", status)
	out := map[string]string{"MultiConditionalAccessStatus": jsonText([]string{status})}
	if len(challenges) > 0 {
		out["Challenges"] = jsonText(challenges)
	}
	return out
}

// challengesOf are a signal's challenges, lower-cased, else those its sign-in risk asks for.
func challengesOf(s Signal) []string {
	if s.Challenges == nil {
		if r := strings.ToLower(s.SignInRisk); r == "medium" || r == "high" {
			return []string{"mfa"}
		}
		return nil
	}
	out := make([]string, 0, len(s.Challenges))
	for _, ch := range s.Challenges {
		out = append(out, strings.ToLower(strings.TrimSpace(ch)))
	}
	return out
}
