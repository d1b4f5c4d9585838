// Package calllog is the call inspector's memory: the newest API connector and RESTful
// technical profile calls, the error pages shown, re-sending a connector call, and the calls
// of a watched run for the headless API.
package calllog

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

// Log keeps the newest connector calls for the inspector, can send one again, and hands the
// calls of a watched run to the headless API. It is safe for concurrent use.
type Log struct {
	ring    *store.Ring[connector.Call]
	errors  *store.Ring[web.PageError] // the error pages shown, for their correlation ids
	mu      sync.Mutex
	client  *connector.Client           // the one in force: re-sends go where the configuration says now
	watched map[string][]connector.Call // run id → its calls so far
}

// New returns a log keeping the newest max calls and max error pages.
func New(max int) *Log {
	return &Log{ring: store.NewRing[connector.Call](max), errors: store.NewRing[web.PageError](max)}
}

// SetClient sets the connector client that re-sends go through: the one in force, so a
// re-sent call goes where the configuration says now.
func (l *Log) SetClient(c *connector.Client) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.client = c
}

// Add records a finished call.
func (l *Log) Add(c connector.Call) {
	l.ring.Add(c)
	l.mu.Lock()
	defer l.mu.Unlock()
	if calls, ok := l.watched[c.RunID]; ok {
		l.watched[c.RunID] = append(calls, c)
	}
}

// Watch starts collecting the calls of a run; the function returned stops and returns them.
func (l *Log) Watch(runID string) func() []web.Call {
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

var _ web.CallLog = (*Log)(nil)

// Calls are the kept calls, newest first, and how many were ever added.
func (l *Log) Calls() ([]web.Call, uint64) {
	calls := l.ring.List()
	out := make([]web.Call, len(calls))
	for i, c := range calls {
		out[i] = webCall(c)
	}
	return out, l.ring.Added()
}

// Clear forgets every call and error page.
func (l *Log) Clear() {
	l.ring.Clear()
	l.errors.Clear()
}

// RecordError keeps an error page shown, for its correlation id.
func (l *Log) RecordError(e web.PageError) { l.errors.Add(e) }

// Errors are the kept error pages.
func (l *Log) Errors() []web.PageError { return l.errors.List() }

// Resend sends the API connector call id again, as a new call; a custom policy's RESTful
// call is answered with a record saying why it cannot be re-sent.
func (l *Log) Resend(ctx context.Context, id string) (web.Call, bool) {
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

// webCall is a call as the views show it.
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
