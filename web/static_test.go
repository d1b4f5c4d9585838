package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"
)

// TestStaticServesFilesOnly: a folder under /_static/ is not listed, with or without its
// slash; its files are served.
func TestStaticServesFilesOnly(t *testing.T) {
	e := echo.New()
	e.GET("/_static/*", staticFiles(fstest.MapFS{
		"b2c.css":         {Data: []byte("body{}")},
		"fonts/a.woff2":   {Data: []byte("font")},
		"fonts/deep/b.js": {Data: []byte("js")},
	}))
	for _, tc := range []struct {
		path   string
		status int
		body   string
	}{
		{"/_static/", 404, ""},
		{"/_static/fonts", 404, ""},
		{"/_static/fonts/", 404, ""},
		{"/_static/fonts/deep/", 404, ""},
		{"/_static/./fonts/", 404, ""},
		{"/_static/fonts/../", 404, ""},
		{"/_static/nope.css", 404, ""},
		{"/_static/b2c.css/", 404, ""},
		{"/_static/b2c.css", 200, "body{}"},
		{"/_static/fonts/a.woff2", 200, "font"},
		{"/_static/fonts/deep/b.js", 200, "js"},
	} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.status || tc.body != "" && rec.Body.String() != tc.body {
			t.Errorf("GET %s = %d %q, want %d %q", tc.path, rec.Code, rec.Body.String(), tc.status, tc.body)
		}
		if strings.Contains(rec.Body.String(), "<a href") {
			t.Errorf("GET %s lists a folder:\n%s", tc.path, rec.Body.String())
		}
	}
}
