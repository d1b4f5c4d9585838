package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/web"
)

// TestOpenAPIMatchesRoutes: every route under /_emulator is in the OpenAPI document, and every
// documented path and method is a route; each operation answers something and every $ref
// resolves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := web.New(testDeps(&fakeCalls{}, slog.New(slog.NewTextHandler(io.Discard, nil))))
	routed := map[string]bool{}
	param := regexp.MustCompile(`:([A-Za-z]+)`)
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, "/_emulator") || r.Method == "echo_route_not_found" {
			continue
		}
		routed[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	rec := serve(e, http.MethodGet, "/_emulator/openapi.json")
	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != 200 || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("%d %v %.200s", rec.Code, err, rec.Body)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
			var op struct {
				Summary   string                     `json:"summary"`
				Responses map[string]json.RawMessage `json:"responses"`
			}
			if json.Unmarshal(raw, &op); op.Summary == "" || len(op.Responses) == 0 {
				t.Errorf("%s %s: no summary or responses", method, path)
			}
		}
	}
	if missing := difference(routed, documented); len(missing) > 0 {
		t.Errorf("routes missing from the document: %v", missing)
	}
	if extra := difference(documented, routed); len(extra) > 0 {
		t.Errorf("documented but not routed: %v", extra)
	}
	for _, m := range regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(rec.Body.String(), -1) {
		if _, ok := doc.Components.Schemas[m[1]]; !ok {
			t.Errorf("$ref %s does not resolve", m[1])
		}
	}
	if len(routed) < 30 {
		t.Errorf("only %d admin routes found: the route listing is broken", len(routed))
	}
}

func difference(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// TestIndexListsEveryRoute: the index's JSON lists every route of the emulator — the admin
// API's endpoints and every other route — and nothing that is not one.
func TestIndexListsEveryRoute(t *testing.T) {
	e := web.New(testDeps(&fakeCalls{}, slog.New(slog.NewTextHandler(io.Discard, nil))))
	routed := map[string]bool{}
	param := regexp.MustCompile(`:([A-Za-z]+)`)
	for _, r := range e.Routes() {
		if r.Method != "echo_route_not_found" {
			routed[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
		}
	}
	var idx struct {
		Endpoints, Routes []struct{ Method, Path string }
	}
	rec := serve(e, http.MethodGet, "/_emulator")
	if err := json.Unmarshal(rec.Body.Bytes(), &idx); err != nil {
		t.Fatalf("%d %v", rec.Code, err)
	}
	listed := map[string]bool{}
	for _, l := range append(idx.Endpoints, idx.Routes...) {
		listed[l.Method+" "+l.Path] = true
	}
	if missing := difference(routed, listed); len(missing) > 0 {
		t.Errorf("routes the index does not list: %v", missing)
	}
	if extra := difference(listed, routed); len(extra) > 0 {
		t.Errorf("listed but not routed: %v", extra)
	}
}
