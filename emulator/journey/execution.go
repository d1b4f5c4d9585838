package journey

import (
	"context"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// execution is one step of one run through a policy: the engine's services, the request's
// context, the policy, the run and its journey state (the claims bag, the page language, the
// current page). The journey's work is its methods, so the run's state travels in one value
// instead of in every call's parameters.
type execution struct {
	*Engine
	ctx context.Context
	p   *policy.Policy
	r   *engine.Run
	st  *state
	// page is the self-asserted profile whose validation profiles are running, nil otherwise:
	// B2C shows a validation profile's messages in the page's language and texts.
	page *policy.TechnicalProfile
}

// execute begins an execution of run r through p.
func (e *Engine) execute(ctx context.Context, p *policy.Policy, r *engine.Run, st *state) *execution {
	return &execution{Engine: e, ctx: ctx, p: p, r: r, st: st}
}
