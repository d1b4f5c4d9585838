package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/web/views"
)

// Attempt is one try of a connector call.
type Attempt struct {
	Status    int               `json:"status,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      string            `json:"body,omitempty"`
	BodyNote  string            `json:"bodyNote,omitempty"` // e.g. bytes that are not UTF-8, escaped as \xNN
	Truncated bool              `json:"truncated,omitempty"`
	Error     string            `json:"error,omitempty"`
	LatencyMs float64           `json:"latencyMs"`
}

// Call is a recorded connector call, secrets already redacted.
type Call struct {
	ID             string            `json:"id"`
	Time           time.Time         `json:"time"`
	RunID          string            `json:"runId"`
	CorrelationID  string            `json:"correlationId"` // the run's: what its error page shows
	Connector      string            `json:"connector"`
	Step           string            `json:"step"`
	URL            string            `json:"url"`
	RequestHeaders map[string]string `json:"requestHeaders"`
	Request        json.RawMessage   `json:"request"`
	Attempts       []Attempt         `json:"attempts"`
	Outcome        string            `json:"outcome"`
	UserMessage    string            `json:"userMessage,omitempty"`
	Claims         map[string]any    `json:"claims,omitempty"`
	Warnings       []string          `json:"warnings,omitempty"`
	Diagnostic     string            `json:"diagnostic,omitempty"`
	ResentFrom     string            `json:"resentFrom,omitempty"`
	ElapsedMs      float64           `json:"elapsedMs"`
}

// PageError is an error page b2cemu showed, kept so that its correlation id leads somewhere.
type PageError struct {
	CorrelationID string    `json:"correlationId"`
	Time          time.Time `json:"time"`
	Method        string    `json:"method"`
	Path          string    `json:"path"` // without the query, which can hold codes and tokens
	Status        int       `json:"status"`
	Code          string    `json:"code,omitempty"`
	Message       string    `json:"message"`
}

// CallLog is the call inspector's store.
type CallLog interface {
	// RecordError keeps an error page shown; Errors returns those kept, newest first. Clear
	// removes them with the calls.
	RecordError(PageError)
	Errors() []PageError
	// Calls returns the recorded calls, newest first, and how many were ever recorded.
	Calls() ([]Call, uint64)
	Clear()
	// Resend sends call id's request again and records the new call; false when id is unknown.
	Resend(ctx context.Context, id string) (Call, bool)
	// Watch collects the calls of one run until the returned func is called; it returns them.
	Watch(runID string) func() []Call
}

// wantsHTML tells a browser from an API client.
func wantsHTML(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get("Accept"), "text/html")
}

// calls serves the inspector: the page for browsers, JSON otherwise. ?step=, ?outcome=, ?run=
// and ?correlationId= filter both; the error pages shown are listed with the calls (only
// ?correlationId= filters them).
func (s *server) calls(c echo.Context) error {
	all, total := s.CallLog.Calls()
	step, outcome, run, corr := c.QueryParam("step"), c.QueryParam("outcome"), c.QueryParam("run"), c.QueryParam("correlationId")
	calls := []Call{}
	for _, call := range all {
		if (step == "" || call.Step == step) && (outcome == "" || call.Outcome == outcome) && (run == "" || call.RunID == run) &&
			(corr == "" || call.CorrelationID == corr) {
			calls = append(calls, call)
		}
	}
	errs := []PageError{}
	for _, pe := range s.CallLog.Errors() {
		if corr == "" || pe.CorrelationID == corr {
			errs = append(errs, pe)
		}
	}
	if !wantsHTML(c) {
		return c.JSON(http.StatusOK, map[string]any{"total": total, "calls": calls, "errors": errs})
	}
	m := views.Calls{DevPage: s.devPage(c, "API connector calls", "calls"), Step: step, Outcome: outcome, CorrelationID: corr, Total: total,
		Steps: []string{"PostFederationSignup", "PostAttributeCollection", "PreTokenIssuance"}, Outcomes: []string{"Continue", "ShowBlockPage", "ValidationError", "failure"}}
	for _, pe := range errs {
		m.Errors = append(m.Errors, views.ErrorItem{CorrelationID: pe.CorrelationID, Time: pe.Time.UTC().Format("15:04:05.000"),
			Request: pe.Method + " " + pe.Path, Status: pe.Status, Code: pe.Code, Message: pe.Message})
	}
	byRun := map[string]int{}
	for _, call := range calls {
		i, ok := byRun[call.RunID]
		if !ok {
			i = len(m.Groups)
			byRun[call.RunID] = i
			m.Groups = append(m.Groups, views.CallGroup{RunID: call.RunID})
		}
		m.Groups[i].Calls = append(m.Groups[i].Calls, callView(call))
	}
	return s.render(c, http.StatusOK, views.CallsPage(m))
}

func callView(call Call) views.CallItem {
	item := views.CallItem{ID: call.ID, Time: call.Time.UTC().Format("15:04:05.000"), Step: call.Step, Connector: call.Connector,
		URL: call.URL, Outcome: call.Outcome, UserMessage: call.UserMessage, Diagnostic: call.Diagnostic, Warnings: call.Warnings,
		Request: prettyJSON(call.Request), Curl: curl(call), ResentFrom: call.ResentFrom}
	if len(call.Claims) > 0 {
		b, _ := json.Marshal(call.Claims)
		item.Claims = string(b)
	}
	item.RequestHeaders = pairs(call.RequestHeaders)
	for _, a := range call.Attempts {
		item.Attempts = append(item.Attempts, views.AttemptItem{Status: a.Status, LatencyMs: a.LatencyMs, Error: a.Error,
			Body: a.Body, BodyNote: a.BodyNote, Truncated: a.Truncated, Headers: pairs(a.Headers)})
	}
	return item
}

func pairs(m map[string]string) []views.Hidden {
	var out []views.Hidden
	for k, v := range m {
		out = append(out, views.Hidden{Name: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func prettyJSON(raw []byte) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	return pretty(v)
}

// curl is the call as a shell command; redacted secrets must be filled in by hand.
func curl(call Call) string {
	var b strings.Builder
	b.WriteString("curl -i -X POST " + shellQuote(call.URL))
	for _, h := range pairs(call.RequestHeaders) {
		b.WriteString(" \\\n  -H " + shellQuote(h.Name+": "+h.Value))
	}
	b.WriteString(" \\\n  --data-raw " + shellQuote(string(call.Request)))
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (s *server) clearCalls(c echo.Context) error {
	s.CallLog.Clear()
	if c.Request().Method == http.MethodPost {
		return c.Redirect(http.StatusSeeOther, "/_emulator/calls")
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *server) callsTotal(c echo.Context) error {
	_, total := s.CallLog.Calls()
	return c.JSON(http.StatusOK, map[string]uint64{"total": total})
}

func (s *server) resendCall(c echo.Context) error {
	call, ok := s.CallLog.Resend(c.Request().Context(), c.Param("id"))
	if !ok {
		if wantsHTML(c) {
			return errPage(http.StatusNotFound, "", "The call %s is no longer recorded.", c.Param("id"))
		}
		return c.JSON(http.StatusNotFound, map[string]string{"error": "no recorded call " + c.Param("id")})
	}
	if wantsHTML(c) {
		return c.Redirect(http.StatusSeeOther, "/_emulator/calls")
	}
	return c.JSON(http.StatusOK, call)
}
