package connector_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
)

// TestDiagnosticsNameTheSentStepAndItsAnswers sends every kind of bad answer at every step,
// with the token step under both of its names: each diagnostic names the step as the request
// sent it, no other step, and exactly the answers that step accepts.
func TestDiagnosticsNameTheSentStepAndItsAnswers(t *testing.T) {
	type answer struct {
		status         int
		body, location string
	}
	var current atomic.Pointer[answer]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		a := current.Load()
		if a.location != "" {
			w.Header().Set("Location", a.location)
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(srv.Close)
	accepts := map[apiconnector.Step]string{
		apiconnector.PostFederationSignup:    "Continue (HTTP 200) or ShowBlockPage (HTTP 200)",
		apiconnector.PostAttributeCollection: "Continue (HTTP 200), ShowBlockPage (HTTP 200) or ValidationError (HTTP 400)",
		apiconnector.PreTokenIssuance:        "Continue (HTTP 200)",
	}
	bad := map[string]answer{
		"HTTP 500":                          {500, "oops", ""},
		"HTTP 401":                          {401, "", ""},
		"redirect":                          {302, "", "https://elsewhere.example/"},
		"empty body":                        {200, "", ""},
		"HTML":                              {200, "<html></html>", ""},
		"UTF-16":                            {200, "\xff\xfe{", ""},
		"no version":                        {200, `{"action":"Continue"}`, ""},
		"no action":                         {200, `{"version":"1.0.0"}`, ""},
		"unknown action":                    {200, `{"version":"1.0.0","action":"Allow"}`, ""},
		"ShowBlockPage":                     {200, `{"version":"1.0.0","action":"ShowBlockPage","userMessage":"x"}`, ""},
		"ShowBlockPage without userMessage": {200, `{"version":"1.0.0","action":"ShowBlockPage"}`, ""},
		"ValidationError":                   {400, `{"version":"1.0.0","action":"ValidationError","status":400,"userMessage":"x"}`, ""},
		"ValidationError with HTTP 200":     {200, `{"version":"1.0.0","action":"ValidationError","status":400,"userMessage":"x"}`, ""},
		"Continue with HTTP 400":            {400, `{"version":"1.0.0","action":"Continue"}`, ""},
		"body over 1 MiB":                   {200, strings.Repeat(" ", connector.MaxBody+1), ""},
	}
	steps := []string{"PostFederationSignup", "PostAttributeCollection", "PreTokenApplicationClaims", "PreTokenIssuance"}
	actions := []apiconnector.Action{apiconnector.Continue, apiconnector.ShowBlockPage, apiconnector.ValidationError}
	for _, w := range []connector.Wire{wire, {ExtensionsAppID: wire.ExtensionsAppID, TokenStep: "PreTokenApplicationClaims"}} {
		for step, accepted := range accepts {
			sent := w.StepName(step)
			for name, a := range bad {
				t.Run(sent+"/"+name, func(t *testing.T) {
					current.Store(&a)
					c := &connector.Client{Schema: schema, Wire: w, Endpoints: map[string]connector.Endpoint{"api": {Name: "api", URL: srv.URL}}}
					res := c.Call(context.Background(), apiconnector.Request{Connector: "api", Step: step})
					if res.Failure == nil {
						if step == apiconnector.PostAttributeCollection && name == "ValidationError" || step != apiconnector.PreTokenIssuance && name == "ShowBlockPage" {
							return // a valid answer at this step
						}
						t.Fatalf("not a failure: %+v", res)
					}
					d := res.Failure.Diagnostic
					if want := fmt.Sprintf("At %s, B2C accepts only %s.", sent, accepted); !strings.HasSuffix(d, want) {
						t.Errorf("diagnostic %q does not end with %q", d, want)
					}
					for _, other := range steps {
						if other != sent && strings.Contains(d, other) {
							t.Errorf("diagnostic %q names %s; the request sent %s", d, other, sent)
						}
					}
					for _, action := range actions {
						if !strings.Contains(accepted, string(action)) && strings.Count(d, string(action)) > strings.Count(a.body, string(action)) {
							t.Errorf("diagnostic %q suggests %s, which %s does not accept", d, action, sent)
						}
					}
					if !utf8.ValidString(d) {
						t.Errorf("diagnostic %q is not UTF-8", d)
					}
				})
			}
		}
	}
}

// TestInvalidUTF8 answers with bytes that are not UTF-8: a UTF-16 body is a failure that says
// so, and a Continue with such a string value passes with a warning.
func TestInvalidUTF8(t *testing.T) {
	v := wire.Interpret(schema, apiconnector.PostAttributeCollection, 200, "application/json", []byte("\xff\xfe{"))
	if v.Failure == nil || !strings.Contains(v.Failure.Diagnostic, "UTF-16 byte-order mark") || !strings.Contains(v.Failure.Diagnostic, `\xff\xfe{`) {
		t.Errorf("failure = %+v", v.Failure)
	}
	v = wire.Interpret(schema, apiconnector.PostAttributeCollection, 200, "application/json", []byte("{\"version\":\"1.0.0\",\"action\":\"Continue\",\"city\":\"Lisb\xf3a\"}"))
	if v.Failure != nil || v.Claims["city"] != "Lisb\uFFFDa" || len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], "byte 0xf3 at offset 51") {
		t.Errorf("verdict = %+v", v)
	}
	shown, n := connector.ShowBytes("Lisb\xf3a \xff")
	if shown != `Lisb\xf3a \xff` || n != 2 {
		t.Errorf("ShowBytes = %q, %d", shown, n)
	}
}
