package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/b2cemu/b2cemu/web"
)

// fakeCalls is an in-memory CallLog.
type fakeCalls struct {
	calls   []web.Call
	total   uint64
	resends []string
	errors  []web.PageError
}

func (f *fakeCalls) Calls() ([]web.Call, uint64)    { return f.calls, f.total }
func (f *fakeCalls) Clear()                         { f.calls, f.errors = nil, nil }
func (f *fakeCalls) RecordError(e web.PageError)    { f.errors = append([]web.PageError{e}, f.errors...) }
func (f *fakeCalls) Errors() []web.PageError        { return f.errors }
func (f *fakeCalls) Watch(string) func() []web.Call { return func() []web.Call { return nil } }
func (f *fakeCalls) Resend(_ context.Context, id string) (web.Call, bool) {
	for _, c := range f.calls {
		if c.ID == id {
			f.resends = append(f.resends, id)
			c.ID, c.ResentFrom = "99", id
			return c, true
		}
	}
	return web.Call{}, false
}

func sampleCalls() *fakeCalls {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	return &fakeCalls{total: 3, calls: []web.Call{
		{ID: "3", Time: at, RunID: "run-b", Connector: "api", Step: "PostAttributeCollection", URL: "https://api.test/x?code=[redacted]",
			RequestHeaders: map[string]string{"Authorization": `Basic [redacted: user "b2c"]`, "Content-Type": "application/json"},
			Request:        json.RawMessage(`{"email":"o'neil@x.com","step":"PostAttributeCollection"}`), Outcome: "failure",
			Attempts:   []web.Attempt{{Status: 500, Body: "<html>boom</html>", LatencyMs: 3.2}},
			Diagnostic: "The API answered HTTP 500 at PostAttributeCollection; B2C expects 200 or 400."},
		{ID: "2", Time: at, RunID: "run-a", Connector: "api", Step: "PostAttributeCollection", Request: json.RawMessage(`{}`), Outcome: "ValidationError",
			UserMessage: "Too short", Attempts: []web.Attempt{{Status: 400, LatencyMs: 1}}},
		{ID: "1", Time: at, RunID: "run-a", Connector: "api", Step: "PostFederationSignup", Request: json.RawMessage(`{}`), Outcome: "Continue",
			Warnings: []string{`Claim "x" is not a user attribute`}, Attempts: []web.Attempt{{Status: 200, LatencyMs: 1}}},
	}}
}

func do(h http.Handler, method, target, accept string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestInspectorJSON(t *testing.T) {
	calls := sampleCalls()
	h := newEchoWith(calls)
	rec := do(h, http.MethodGet, "/_emulator/calls?step=PostAttributeCollection", "application/json")
	var body struct {
		Total uint64     `json:"total"`
		Calls []web.Call `json:"calls"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 200 {
		t.Fatalf("%d %v %s", rec.Code, err, rec.Body)
	}
	if body.Total != 3 || len(body.Calls) != 2 || body.Calls[0].ID != "3" || body.Calls[0].Diagnostic == "" {
		t.Errorf("calls = %+v", body)
	}
	rec = do(h, http.MethodGet, "/_emulator/calls?outcome=Continue", "")
	json.Unmarshal(rec.Body.Bytes(), &body)
	if len(body.Calls) != 1 || body.Calls[0].ID != "1" {
		t.Errorf("outcome filter: %+v", body.Calls)
	}
	rec = do(h, http.MethodPost, "/_emulator/calls/3/resend", "application/json")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"resentFrom":"3"`) {
		t.Errorf("resend: %d %s", rec.Code, rec.Body)
	}
	if rec := do(h, http.MethodPost, "/_emulator/calls/42/resend", "application/json"); rec.Code != 404 {
		t.Errorf("resend of an unknown call: %d", rec.Code)
	}
	if rec := do(h, http.MethodGet, "/_emulator/calls/total", ""); rec.Body.String() != "{\"total\":3}\n" {
		t.Errorf("total: %s", rec.Body)
	}
	if rec := do(h, http.MethodDelete, "/_emulator/calls", ""); rec.Code != 204 || len(calls.calls) != 0 {
		t.Errorf("delete: %d, %d left", rec.Code, len(calls.calls))
	}
	rec = do(h, http.MethodGet, "/_emulator/calls", "application/json")
	if !strings.Contains(rec.Body.String(), `"calls":[]`) {
		t.Errorf("empty list: %s", rec.Body)
	}
}

func TestInspectorPage(t *testing.T) {
	calls := sampleCalls()
	h := newEchoWith(calls)
	rec := do(h, http.MethodGet, "/_emulator/calls", "text/html,application/xhtml+xml")
	doc, err := goquery.NewDocumentFromReader(rec.Body)
	if err != nil || rec.Code != 200 {
		t.Fatalf("%d %v", rec.Code, err)
	}
	runs := doc.Find("section.run")
	if runs.Length() != 2 || runs.First().AttrOr("data-run", "") != "run-b" || runs.Eq(1).Find("article.call").Length() != 2 {
		t.Errorf("grouping: %d runs", runs.Length())
	}
	failed := doc.Find("article#call-3")
	if !strings.Contains(failed.Find(".diagnostic").Text(), "HTTP 500") || !failed.HasClass("outcome-failure") {
		t.Error("the failed call's diagnostic is missing")
	}
	curl := failed.Find("pre.curl").Text()
	if !strings.Contains(curl, `curl -i -X POST 'https://api.test/x?code=[redacted]'`) || !strings.Contains(curl, `o'\''neil`) || strings.Contains(curl, "s3cret") {
		t.Errorf("curl = %s", curl)
	}
	if doc.Find(`#call-1 .warning`).Length() != 1 || doc.Find(`#call-3 form[action="/_emulator/calls/3/resend"] button.resend`).Length() != 1 {
		t.Error("warnings or the re-send button are missing")
	}
	rec = do(h, http.MethodGet, "/_emulator/calls?step=PostFederationSignup", "text/html")
	doc, _ = goquery.NewDocumentFromReader(rec.Body)
	if doc.Find("article.call").Length() != 1 || doc.Find(`#step option[selected]`).AttrOr("value", "") != "PostFederationSignup" {
		t.Error("the step filter does not apply to the page")
	}
	rec = do(h, http.MethodPost, "/_emulator/calls/3/resend", "text/html")
	if rec.Code != 303 || calls.resends[0] != "3" {
		t.Errorf("re-send from the page: %d", rec.Code)
	}
	rec = do(h, http.MethodPost, "/_emulator/calls/clear", "text/html")
	if rec.Code != 303 || len(calls.calls) != 0 {
		t.Errorf("clear from the page: %d", rec.Code)
	}
}
