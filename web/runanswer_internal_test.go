package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestRunAnswerIsEchoJSON: the headless answer is byte for byte what c.JSON wrote with
// encoding/json (omitted empty fields, sorted maps, HTML escaping, raw bodies compacted),
// sent with its Content-Length rather than chunked.
func TestRunAnswerIsEchoJSON(t *testing.T) {
	call := TranscriptEntry{Step: "PostFederationSignup", Connector: "api", Request: json.RawMessage(`{"email":"a@b.c","displayName":"Jo <b>"}`),
		Status: 200, Response: json.RawMessage("{\n  \"version\": \"1.0.0\", \"action\": \"Continue\", \"x\": \"a & b\", \"s\": \"\u2028\"\n}"),
		LatencyMs: 0.279, ElapsedMs: 1.5e-7, Attempts: 1, Outcome: "Continue"}
	failed := TranscriptEntry{Step: "PostAttributeCollection", Connector: "api", Request: json.RawMessage(`{}`), LatencyMs: 5000, ElapsedMs: 5000.25,
		Attempts: 2, Outcome: "failure", Warnings: []string{"slow", "odd \"quote\""}, Diagnostic: "timed out <after 5 s>"}
	for name, resp := range map[string]RunResponse{
		"token": {Outcome: "token", RunID: "r1", NewUser: true, ObjectID: "o1", IDToken: "ey.a.b", AccessToken: "ey.c.d", RefreshToken: "rt",
			Claims:   AnswerClaims{"emails": []any{"a@b.c"}, "name": "Jo & Co", "exp": int64(1796171386), "newUser": true, "n": 1.25},
			Attempts: []Attempted{}, Calls: []TranscriptEntry{call, failed}},
		"validation": {Outcome: "validationError", RunID: "r2", UserMessage: "Too short.", Attempts: []Attempted{
			{Values: map[string]string{"displayName": "Jo", "city": "Lisbon"}, UserMessage: "Too short.", FieldErrors: map[string]string{"displayName": "<short>"}, RequiredMissing: true},
			{Values: map[string]string{}}, {}}, Calls: []TranscriptEntry{}},
		"error":   {Outcome: "error", RunID: "r3", Error: "server_error", ErrorDescription: "AADB2C90075: é", Attempts: []Attempted{}, Calls: []TranscriptEntry{{Step: "s"}}},
		"nothing": {},
	} {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(resp); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		c := echo.New().NewContext(httptest.NewRequest(http.MethodPost, "/", nil), rec)
		if err := answerRun(c, &resp); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rec.Body.String() != want.String() {
			t.Errorf("%s:\n got %s\nwant %s", name, rec.Body, want.String())
		}
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Content-Length") != strconv.Itoa(want.Len()) {
			t.Errorf("%s: %d %v", name, rec.Code, rec.Header())
		}
	}
}

// TestRunAnswerInvalidRaw: a raw body that is not JSON fails the answer as encoding/json
// fails it, rather than sending a broken document.
func TestRunAnswerInvalidRaw(t *testing.T) {
	resp := RunResponse{Outcome: "token", Calls: []TranscriptEntry{{Request: json.RawMessage(`{"a":`)}}}
	if _, err := resp.appendJSON(nil); err == nil {
		t.Error("an invalid raw request was encoded")
	}
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodPost, "/", nil), rec)
	if err := answerRun(c, &resp); err == nil {
		t.Errorf("answered %d %s", rec.Code, rec.Body)
	}
}
