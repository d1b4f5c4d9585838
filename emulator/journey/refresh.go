package journey

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/flows/engine"
)

// refreshTimeFormat is how refreshTokenIssuedOnDateTime enters the claims bag.
const refreshTimeFormat = time.RFC3339

// Refresh runs the relying party's refresh journey (its Endpoint Id="Token", the starter
// packs' RedeemRefreshToken) when a refresh token is redeemed: the bag starts with the user's
// objectId and refreshTokenIssuedOnDateTime, the engine's profile (RefreshTokenReadAndSetup)
// reads its output claims back from carried (the sign-in's bag), and SendClaims names the new
// token's claims — so a claim neither stored in the directory nor kept by that profile, such
// as a REST API's promoCode, is not in the refreshed token. ok is false when the policy has no
// refresh journey; the run ends PhaseDone, or PhaseFailed with the reason.
func (e *Engine) Refresh(ctx context.Context, policyID string, objectID string, issued time.Time, carried map[string]string) (*engine.Run, bool) {
	p := e.policyOf(policyID)
	if p == nil || p.Refresh == nil {
		return nil, false
	}
	r := &engine.Run{ID: e.NewID(), Policy: policyID, Phase: engine.PhaseSignIn, Values: engine.Claims{}}
	st := &state{journey: p.Refresh, carried: map[string]string{}, bag: map[string]string{
		"objectid": objectID, "refreshtokenissuedondatetime": issued.UTC().Format(refreshTimeFormat)}}
	for k, v := range carried {
		st.carried[k] = v
	}
	for k, v := range st.bag {
		st.carried[k] = v // the token's own facts win over the sign-in's bag
	}
	r.State = st
	x := e.execute(ctx, p, r, st)
	x.proceed()
	if r.Phase != engine.PhaseDone && r.Phase != engine.PhaseFailed {
		step := p.Refresh.Steps[min(st.step, len(p.Refresh.Steps)-1)]
		x.fail(false, "", "The refresh journey cannot show a page.",
			fmt.Sprintf("%s: journey %s step %d would show a page; a refresh token is redeemed without a browser", p.File, p.Refresh.ID, step.Order))
	}
	if f := r.Failure; f != nil && f.Code == "AADB2C90075" && f.Redirect {
		// A profile's refusal (the starter packs' date assertion after a revocation) is B2C's
		// revoked grant; an unsupported feature keeps its own code.
		f.Code, f.Message = "AADB2C90129", "The provided grant has been revoked. Please reauthenticate and try again."
	}
	return r, true
}

// parseDateTime reads the date-times claims carry: ISO 8601 (B2C's dateTime claims and
// refreshTokenIssuedOnDateTime) or the {Context:DateTimeInUtc} form.
func parseDateTime(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "1/2/2006 3:04:05 PM", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
