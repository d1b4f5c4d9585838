package calllog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/calllog"
	"github.com/b2cemu/b2cemu/emulator/connector"
)

// TestKeepsTheNewest: the log keeps its last max calls, newest first, and counts every one
// added.
func TestKeepsTheNewest(t *testing.T) {
	l := calllog.New(2)
	for _, id := range []string{"1", "2", "3"} {
		l.Add(connector.Call{ID: id, RunID: "r", Request: `{}`})
	}
	calls, added := l.Calls()
	if len(calls) != 2 || calls[0].ID != "3" || calls[1].ID != "2" || added != 3 {
		t.Errorf("calls %+v, added %d", calls, added)
	}
	l.Clear()
	if calls, _ := l.Calls(); len(calls) != 0 {
		t.Errorf("after Clear: %+v", calls)
	}
}

// TestWatch: a watched run gets its own calls, those made while it was watched.
func TestWatch(t *testing.T) {
	l := calllog.New(10)
	l.Add(connector.Call{ID: "before", RunID: "a"})
	done := l.Watch("a")
	l.Add(connector.Call{ID: "mine", RunID: "a"})
	l.Add(connector.Call{ID: "other", RunID: "b"})
	got := done()
	if len(got) != 1 || got[0].ID != "mine" {
		t.Errorf("watched calls = %+v", got)
	}
	l.Add(connector.Call{ID: "after", RunID: "a"})
	if again := done(); len(again) != 0 {
		t.Errorf("the watch went on: %+v", again)
	}
}

// TestShownAsValidUTF8: bytes that are not UTF-8 are shown as \xNN with a note.
func TestShownAsValidUTF8(t *testing.T) {
	l := calllog.New(1)
	l.Add(connector.Call{ID: "1", Request: "not json \xff", Attempts: []connector.Attempt{{Status: 200, Body: "Lisb\xf3a", Headers: map[string]string{"X": "\xfe"}}}})
	calls, _ := l.Calls()
	a := calls[0].Attempts[0]
	if a.Body != `Lisb\xf3a` || a.BodyNote == "" || a.Headers["X"] != `\xfe` || !strings.Contains(string(calls[0].Request), `\\xff`) {
		t.Errorf("attempt %+v, request %s", a, calls[0].Request)
	}
}

// TestResend: a connector call is sent again through the client in force, as a new call; a
// custom policy's RESTful call is not, and the record says why; an unknown id is not found.
func TestResend(t *testing.T) {
	l := calllog.New(10)
	l.SetClient(&connector.Client{})
	l.Add(connector.Call{ID: "7", Connector: "gone", Step: "PostAttributeCollection", Request: `{}`})
	l.Add(connector.Call{ID: "tp-1", Connector: "REST-Check", Request: `{}`})
	again, ok := l.Resend(context.Background(), "7")
	if !ok || again.ResentFrom != "7" || again.ID == "7" || !strings.Contains(again.Diagnostic, `"gone"`) {
		t.Errorf("re-sent connector call = %+v", again)
	}
	rest, ok := l.Resend(context.Background(), "tp-1")
	if !ok || rest.Outcome != "failure" || !strings.Contains(rest.Diagnostic, "not supported") {
		t.Errorf("re-sent RESTful call = %+v", rest)
	}
	if _, ok := l.Resend(context.Background(), "nope"); ok {
		t.Error("an unknown call was found")
	}
}
