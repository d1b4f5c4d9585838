package journey

import (
	"context"
	"net/http"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// The package's tests call single pieces of a journey on a policy and a run of their own;
// these run each piece in an execution of that run, as a journey step does.

func (e *Engine) testExecution(ctx context.Context, p *policy.Policy, r *engine.Run) *execution {
	if r == nil {
		r = &engine.Run{}
	}
	return e.execute(ctx, p, r, &state{bag: map[string]string{}})
}

func (e *Engine) resolve(p *policy.Policy, r *engine.Run, bag map[string]string, v string) string {
	return e.testExecution(context.Background(), p, r).resolve(bag, v)
}

func (e *Engine) text(p *policy.Policy, tp *policy.TechnicalProfile, elementType, stringID, fallback string, arg ...string) string {
	return e.testExecution(context.Background(), p, nil).text(tp, elementType, stringID, fallback, arg...)
}

func (e *Engine) transform(p *policy.Policy, tp *policy.TechnicalProfile, id string, scope map[string]string) *engine.Failure {
	return e.testExecution(context.Background(), p, nil).transform(tp, id, scope)
}

func (e *Engine) restful(ctx context.Context, p *policy.Policy, r *engine.Run, tp *policy.TechnicalProfile, inputs map[string]string, step int) (map[string]string, *engine.Failure) {
	return e.testExecution(ctx, p, r).restful(&call{tp: tp, inputs: inputs, step: step})
}

func (e *Engine) requestFailed(p *policy.Policy, tp *policy.TechnicalProfile, err error) string {
	return e.testExecution(context.Background(), p, nil).requestFailed(tp, err)
}

func (e *Engine) restAnswer(p *policy.Policy, tp *policy.TechnicalProfile, status int, header http.Header, data []byte, step int) (map[string]string, *engine.Failure) {
	return e.testExecution(context.Background(), p, nil).restAnswer(tp, status, header, data, step)
}

func (e *Engine) resolveDefault(p *policy.Policy, r *engine.Run, tp *policy.TechnicalProfile, scope map[string]string, c policy.ClaimRef) string {
	return e.testExecution(context.Background(), p, r).resolveDefault(tp, scope, c)
}

func (e *Engine) run(p *policy.Policy, tp *policy.TechnicalProfile, scope map[string]string) (map[string]string, *engine.Failure) {
	return e.testExecution(context.Background(), p, nil).run(tp, scope, 1)
}
