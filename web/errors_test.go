package web_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/web"
)

// TestUnknownRoutes: a person's unknown page is B2C's error page;
// a script's wrong path or method under /_emulator/ is JSON 404 or 405 with Allow; metadata
// for a policy or tenant that does not exist is JSON.
func TestUnknownRoutes(t *testing.T) {
	h := newEcho()
	tests := []struct {
		method, path string
		status       int
		json         bool
		allow, body  string
	}{
		{"GET", "/no/such/page", 404, false, "", "trouble signing you in"},
		{"GET", "/favicon.ico/x", 404, false, "", "trouble signing you in"},
		{"GET", "/_emulator/nope", 404, true, "", "no admin API route /_emulator/nope"},
		{"DELETE", "/_emulator/keys", 405, true, "GET", "DELETE /_emulator/keys is not supported"},
		{"PUT", "/_emulator/users", 405, true, "GET, POST", "use GET or POST"},
		{"PUT", "/_emulator/users/u1", 405, true, "GET, PATCH, DELETE", "PUT /_emulator/users/u1"},
		{"GET", "/contoso.onmicrosoft.com/B2C_1_nope/v2.0/.well-known/openid-configuration", 404, true, "", "AADB2C90022: Unable to return metadata for the policy 'B2C_1_nope'"},
		{"GET", "/tfp/contoso.onmicrosoft.com/B2C_1_nope/v2.0/.well-known/openid-configuration", 404, true, "", "AADB2C90022"},
		{"GET", "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration?p=B2C_1_nope", 404, true, "", "'B2C_1_nope'"},
		{"GET", "/fabrikam.onmicrosoft.com/B2C_1_susi/v2.0/.well-known/openid-configuration", 404, true, "", "tenant 'fabrikam.onmicrosoft.com'"},
		{"GET", "/contoso.onmicrosoft.com/B2C_1_nope/discovery/v2.0/keys", 404, true, "", "AADB2C90022"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := serve(h, tt.method, tt.path)
			ct := rec.Header().Get("Content-Type")
			if rec.Code != tt.status || strings.HasPrefix(ct, "application/json") != tt.json || rec.Header().Get("Allow") != tt.allow {
				t.Fatalf("%d %q Allow %q, want %d json=%v Allow %q\n%s", rec.Code, ct, rec.Header().Get("Allow"), tt.status, tt.json, tt.allow, rec.Body)
			}
			body := rec.Body.String()
			if tt.json {
				var v map[string]string
				if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, body)
				}
				body = v["error"] + " " + v["error_description"]
			}
			if !strings.Contains(body, tt.body) {
				t.Errorf("body lacks %q:\n%s", tt.body, body)
			}
		})
	}
}

// TestFavicon: every page links b2cemu's icon, and /favicon.ico serves it.
func TestFavicon(t *testing.T) {
	h := newEcho()
	rec := serve(h, http.MethodGet, "/favicon.ico")
	if rec.Code != 200 || !bytes.HasPrefix(rec.Body.Bytes(), []byte{0, 0, 1, 0}) || !strings.HasPrefix(rec.Header().Get("Content-Type"), "image/") {
		t.Fatalf("GET /favicon.ico = %d %q, % x", rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes()[:min(8, rec.Body.Len())])
	}
	for _, path := range []string{"/", "/jwt", "/no/such/page"} {
		doc, err := goquery.NewDocumentFromReader(serve(h, http.MethodGet, path).Body)
		if err != nil {
			t.Fatal(err)
		}
		if href, _ := doc.Find(`link[rel="icon"]`).Attr("href"); href != "/favicon.ico" {
			t.Errorf("GET %s links the icon %q", path, href)
		}
	}
}

// TestCorrelationIDLeadsToTheDiagnostic: the error page's correlation id is in the log line,
// in the call inspector's records (filterable by it), and the page links the inspector.
func TestCorrelationIDLeadsToTheDiagnostic(t *testing.T) {
	var log bytes.Buffer
	calls := &fakeCalls{}
	d := testDeps(calls, slog.New(slog.NewTextHandler(&log, nil)))
	d.Sessions.Put("tx-1", &web.Session{Run: &engine.Run{ID: "run-7", Policy: "B2C_1_susi"}})
	calls.calls = []web.Call{{ID: "1", RunID: "run-7", CorrelationID: "run-7", Step: "PostAttributeCollection", Outcome: "failure"},
		{ID: "2", RunID: "run-8", CorrelationID: "run-8", Step: "PostAttributeCollection", Outcome: "Continue"}}
	h := web.New(d)
	for _, tt := range []struct{ target, id string }{
		{"/no/such/page?secret=s3cr3t", "corr"}, // a page of no run: a new id (NewID is "corr")
		{"/no/such/page?tx=tx-1", "run-7"},      // a page of a run: the run's id, which its calls carry
	} {
		doc, err := goquery.NewDocumentFromReader(serve(h, http.MethodGet, tt.target).Body)
		if err != nil {
			t.Fatal(err)
		}
		if got := doc.Find("#correlationId").Text(); !strings.HasSuffix(strings.TrimSpace(got), tt.id) {
			t.Errorf("%s: correlation id %q, want %s", tt.target, got, tt.id)
		}
		if href, _ := doc.Find("#emulatorDiagnostic a").Attr("href"); href != "/_emulator/calls?correlationId="+tt.id {
			t.Errorf("%s: the page links %q", tt.target, href)
		}
		if !strings.Contains(doc.Find("#emulatorDiagnostic").Text(), "b2cemu") || doc.Find("#api #emulatorDiagnostic").Length() != 0 {
			t.Errorf("%s: the diagnostic line is not b2cemu's own, outside B2C's #api", tt.target)
		}
		if !strings.Contains(log.String(), "correlationId="+tt.id+" status=404") {
			t.Errorf("%s: no log line with correlationId=%s:\n%s", tt.target, tt.id, log.String())
		}
	}
	if strings.Contains(log.String(), "s3cr3t") {
		t.Errorf("the log shows a query:\n%s", log.String())
	}
	var got struct {
		Calls  []web.Call      `json:"calls"`
		Errors []web.PageError `json:"errors"`
	}
	rec := serve(h, http.MethodGet, "/_emulator/calls?correlationId=run-7")
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, rec.Body)
	}
	if len(got.Calls) != 1 || got.Calls[0].ID != "1" || len(got.Errors) != 1 || got.Errors[0].Path != "/no/such/page" || got.Errors[0].Status != 404 {
		t.Errorf("?correlationId=run-7 = %s", rec.Body)
	}
	if !strings.Contains(rec.Body.String(), `"correlationId":"run-7"`) {
		t.Errorf("the records do not carry the id: %s", rec.Body)
	}
	page := do(h, http.MethodGet, "/_emulator/calls?correlationId=corr", "text/html")
	doc, _ := goquery.NewDocumentFromReader(page.Body)
	if doc.Find(`#errorPages article[data-correlation-id="corr"]`).Length() != 1 || doc.Find("article.call[id]").Length() != 0 {
		t.Errorf("the inspector page for corr:\n%s", page.Body)
	}
}
