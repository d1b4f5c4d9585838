package emulator

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/emulator/store"
	"github.com/b2cemu/b2cemu/web"
)

// callLog keeps the newest connector calls for the inspector, can send one again, and hands
// the calls of a watched run to the headless API.
type callLog struct {
	ring    *store.Ring[connector.Call]
	errors  *store.Ring[web.PageError] // the error pages shown, for their correlation ids
	mu      sync.Mutex
	client  *connector.Client           // the one in force: re-sends go where the configuration says now
	watched map[string][]connector.Call // run id → its calls so far
}

func (l *callLog) setClient(c *connector.Client) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.client = c
}

// add records a finished call.
func (l *callLog) add(c connector.Call) {
	l.ring.Add(c)
	l.mu.Lock()
	defer l.mu.Unlock()
	if calls, ok := l.watched[c.RunID]; ok {
		l.watched[c.RunID] = append(calls, c)
	}
}

func (l *callLog) Watch(runID string) func() []web.Call {
	l.mu.Lock()
	if l.watched == nil {
		l.watched = map[string][]connector.Call{}
	}
	l.watched[runID] = []connector.Call{}
	l.mu.Unlock()
	return func() []web.Call {
		l.mu.Lock()
		calls := l.watched[runID]
		delete(l.watched, runID)
		l.mu.Unlock()
		out := make([]web.Call, len(calls))
		for i, c := range calls {
			out[i] = webCall(c)
		}
		return out
	}
}

var _ web.CallLog = (*callLog)(nil)

func (l *callLog) Calls() ([]web.Call, uint64) {
	calls := l.ring.List()
	out := make([]web.Call, len(calls))
	for i, c := range calls {
		out[i] = webCall(c)
	}
	return out, l.ring.Added()
}

func (l *callLog) Clear() {
	l.ring.Clear()
	l.errors.Clear()
}

func (l *callLog) RecordError(e web.PageError) { l.errors.Add(e) }

func (l *callLog) Errors() []web.PageError { return l.errors.List() }

func (l *callLog) Resend(ctx context.Context, id string) (web.Call, bool) {
	for _, c := range l.ring.List() {
		if c.ID == id && strings.HasPrefix(c.ID, "tp-") {
			// A custom policy's RESTful call is part of its journey (claims, keys, retries);
			// re-sending it alone would not be what B2C sends.
			return webCall(connector.Call{ID: c.ID, Time: c.Time, RunID: c.RunID, Connector: c.Connector, Step: c.Step, URL: c.URL,
				Request: c.Request, Outcome: "failure", ResentFrom: c.ID,
				Diagnostic: "Re-sending a custom policy's RESTful technical profile call is not supported; run the journey again."}), true
		}
		if c.ID == id {
			l.mu.Lock()
			client := l.client
			l.mu.Unlock()
			return webCall(client.Resend(ctx, c)), true
		}
	}
	return web.Call{}, false
}

func webCall(c connector.Call) web.Call {
	w := web.Call{ID: c.ID, Time: c.Time, RunID: c.RunID, CorrelationID: c.RunID, Connector: c.Connector, Step: string(c.Step), URL: c.URL,
		RequestHeaders: c.RequestHeaders, Request: json.RawMessage(c.Request), Outcome: c.Outcome, UserMessage: c.UserMessage,
		Claims: c.Claims, Warnings: c.Warnings, Diagnostic: c.Diagnostic, ResentFrom: c.ResentFrom, ElapsedMs: c.ElapsedMs}
	if !json.Valid(w.Request) || !utf8.Valid(w.Request) {
		shown, _ := connector.ShowBytes(c.Request)
		w.Request, _ = json.Marshal(shown)
	}
	for _, a := range c.Attempts {
		w.Attempts = append(w.Attempts, webAttempt(a))
	}
	return w
}

// webAttempt is an attempt as the views show it: bytes that are not UTF-8 escaped as \xNN
// (every JSON answer of the emulator is valid UTF-8), with a note saying so.
func webAttempt(a connector.Attempt) web.Attempt {
	body, n := connector.ShowBytes(a.Body)
	w := web.Attempt{Status: a.Status, Body: body, BodyNote: connector.BytesNote(n), Truncated: a.Truncated, Error: a.Error, LatencyMs: a.LatencyMs}
	if a.Headers != nil {
		w.Headers = make(map[string]string, len(a.Headers))
		for k, v := range a.Headers {
			w.Headers[k], _ = connector.ShowBytes(v)
		}
	}
	return w
}
