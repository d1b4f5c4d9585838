package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// own is a page as b2cemu renders it: its scripts in the head, its <div id="api"> and the
// diagnostic line after it.
const own = `<!DOCTYPE html><html lang="en"><head><link rel="stylesheet" href="/_static/b2c.css">
<script>var SETTINGS = {};</script><script src="/_static/pages.js" defer></script></head>
<body><div class="panel"><div id="api" data-name="Unified" role="main"><form id="localAccountForm"><button id="next">Sign in</button></form></div>
<p id="emulatorDiagnostic">b2cemu</p></div></body></html>`

func mergeDoc(t *testing.T, custom string, base *url.URL, files string, scripts bool) (*merged, *goquery.Document) {
	t.Helper()
	m, err := merge([]byte(custom), []byte(own), base, files, scripts, "fr")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(m.HTML)))
	if err != nil {
		t.Fatal(err)
	}
	return m, doc
}

// TestMergeFillsTheAPIDiv: b2cemu's page takes the custom page's <div id="api">, keeping the
// custom page's head, body and the div's class; b2cemu's scripts and the api stylesheet join
// the head; <html lang> is the page's; b2cemu's own template stylesheet stays out.
func TestMergeFillsTheAPIDiv(t *testing.T) {
	custom := `<!DOCTYPE html><html><head><title>Woodgrove</title><style>h1 { color: red }</style></head>
<body><header id="brand">Woodgrove</header><div id="api" class="card">placeholder</div><footer>©</footer></body></html>`
	_, doc := mergeDoc(t, custom, nil, "", false)
	checks := []struct {
		name string
		ok   bool
	}{
		{"custom title", doc.Find("head title").Text() == "Woodgrove"},
		{"custom style", strings.Contains(doc.Find("head style").Text(), "color: red")},
		{"custom header", doc.Find("body > header#brand").Length() == 1},
		{"api filled", doc.Find(`#api[data-name=Unified][role=main].card #localAccountForm #next`).Length() == 1},
		{"placeholder gone", !strings.Contains(doc.Find("#api").Text(), "placeholder")},
		{"diagnostic after api", doc.Find("#api + #emulatorDiagnostic").Length() == 1},
		{"footer kept", doc.Find("#emulatorDiagnostic + footer").Length() == 1},
		{"api css first", doc.Find("head link").First().AttrOr("href", "") == "/_static/api.css"},
		{"no template css", doc.Find(`link[href="/_static/b2c.css"]`).Length() == 0},
		{"settings script", strings.Contains(doc.Find("head script").First().Text(), "SETTINGS")},
		{"page script", doc.Find(`head script[src="/_static/pages.js"]`).Length() == 1},
		{"lang", doc.Find("html").AttrOr("lang", "") == "fr"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: not so in\n%s", c.name, goquery.NewDocumentFromNode(doc.Nodes[0]).Text())
		}
	}
}

func TestMergeWithoutAPIDivIsAnError(t *testing.T) {
	_, err := merge([]byte(`<html><body><div id="content"></div></body></html>`), []byte(own), nil, "", false, "en")
	if err == nil || !strings.Contains(err.Error(), `id="api"`) || !strings.Contains(err.Error(), "add one") {
		t.Fatalf("err = %v", err)
	}
}

// TestMergeScripts: with JavaScript off, the custom page's scripts, event handler attributes
// and javascript: URLs go (b2cemu's own scripts stay); on, they stay and the inline ones are
// hashed for the CSP. Frames go either way.
func TestMergeScripts(t *testing.T) {
	custom := `<html><head><script>document.title = "ran";</script><script src="app.js"></script></head>
<body onload="go()"><a id="js" href="javascript:alert(1)">x</a><iframe src="https://example.test/"></iframe><div id="api"></div></body></html>`
	for _, tc := range []struct {
		scripts bool
		count   int // script elements in the merged page: b2cemu's two, and the custom page's
		hashes  int
	}{{false, 2, 0}, {true, 4, 1}} {
		m, doc := mergeDoc(t, custom, nil, "", tc.scripts)
		if n := doc.Find("script").Length(); n != tc.count {
			t.Errorf("scripts=%v: %d script elements, want %d", tc.scripts, n, tc.count)
		}
		if len(m.Scripts) != tc.hashes {
			t.Errorf("scripts=%v: hashes %v", tc.scripts, m.Scripts)
		}
		_, onload := doc.Find("body").Attr("onload")
		if onload != tc.scripts || (doc.Find("a#js").AttrOr("href", "") != "") != tc.scripts {
			t.Errorf("scripts=%v: onload kept %v, href %q", tc.scripts, onload, doc.Find("a#js").AttrOr("href", ""))
		}
		if doc.Find("iframe").Length() != 0 {
			t.Errorf("scripts=%v: the iframe stayed", tc.scripts)
		}
	}
	// The hash is the one a browser computes over the script's text (openssl dgst -sha256 -binary | base64).
	if m, _ := mergeDoc(t, custom, nil, "", true); m.Scripts[0] != "'sha256-58w9DDWtGrrNFdVSuylVEzZjk8122W+5q5VQdUMGXxQ='" {
		t.Errorf("hash %s", m.Scripts[0])
	}
}

// TestMergeRelativeURLs: a URL page's relative references resolve against its URL; a file
// page's go to the route of its folder; absolute ones, root paths and fragments stay.
func TestMergeRelativeURLs(t *testing.T) {
	custom := `<html><head><link rel="stylesheet" href="css/site.css"></head><body><img src="logo.png"><a href="/x">x</a><a href="#top">t</a>
<img src="https://cdn.test/a.png"><div id="api"></div></body></html>`
	base, _ := url.Parse("http://127.0.0.1:8000/pages/unified.html?v=1")
	for _, tc := range []struct {
		name  string
		base  *url.URL
		files string
		css   string
		img   string
	}{
		{"url", base, "", "http://127.0.0.1:8000/pages/css/site.css", "http://127.0.0.1:8000/pages/logo.png"},
		{"file", nil, "/_pages/0/", "/_pages/0/css/site.css", "/_pages/0/logo.png"},
	} {
		_, doc := mergeDoc(t, custom, tc.base, tc.files, false)
		if got := doc.Find("link[href*=site]").AttrOr("href", ""); got != tc.css {
			t.Errorf("%s: stylesheet %q, want %q", tc.name, got, tc.css)
		}
		if got := doc.Find("img").First().AttrOr("src", ""); got != tc.img {
			t.Errorf("%s: image %q, want %q", tc.name, got, tc.img)
		}
		if doc.Find(`a[href="/x"]`).Length() != 1 || doc.Find(`a[href="#top"]`).Length() != 1 || doc.Find(`img[src="https://cdn.test/a.png"]`).Length() != 1 {
			t.Errorf("%s: a reference that was not relative changed", tc.name)
		}
	}
}

func TestCustomPageLocation(t *testing.T) {
	for _, tc := range []struct {
		cp   customPage
		want string
	}{
		{customPage{URI: "http://127.0.0.1:9/{Culture:RFC5646}/unified.html", Lang: "es", UILocales: "es-MX"}, "http://127.0.0.1:9/es/unified.html?ui_locales=es-MX"},
		{customPage{URI: "http://127.0.0.1:9/p.html?v=2", Lang: "en"}, "http://127.0.0.1:9/p.html?v=2"},
		{customPage{URI: "/pages/{Culture:LanguageName}/p.html", Lang: "de", UILocales: "de"}, "/pages/de/p.html"},
		{customPage{URI: "/pages/{Culture:RFC5646}/p.html", Lang: "../../etc"}, "/pages/en/p.html"},
	} {
		if got := tc.cp.location(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.cp, got, tc.want)
		}
	}
}

// TestLoadCustomPage: loopback pages over HTTP, files, and each failure with its reason.
func TestLoadCustomPage(t *testing.T) {
	big := strings.Repeat("x", maxCustomPage+1)
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<div id="api"></div>` + r.URL.Query().Get("ui_locales")))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(big)) })
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://0.0.0.0:"+r.URL.Port()+"/ok", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "p.html")
	os.WriteFile(file, []byte(`<div id="api"></div>file`), 0o644)
	s := &server{pages: pageClient()}
	for _, tc := range []struct {
		loc, body, err string
	}{
		{srv.URL + "/ok?ui_locales=fr", `<div id="api"></div>fr`, ""},
		{file, `<div id="api"></div>file`, ""},
		{srv.URL + "/missing", "", "it answered 404 Not Found"},
		{srv.URL + "/big", "", "larger than 1024 KiB"},
		{srv.URL + "/away", "", "not a loopback address"},
		{filepath.Join(dir, "none.html"), "", "no such file"},
	} {
		b, _, err := s.load(context.Background(), tc.loc)
		switch {
		case tc.err == "" && (err != nil || string(b) != tc.body):
			t.Errorf("%s: %q, %v", tc.loc, b, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: err %v, want %q", tc.loc, err, tc.err)
		}
	}
}

// TestFilesRoute: a file page's relative references are served from its folder's index;
// a page whose folder depends on the language shares one index, under which each language's
// folder is.
func TestFilesRoute(t *testing.T) {
	looks := map[string]Look{
		"b2c_1_a": {Pages: map[string]PageContent{defUnified: {URI: "/srv/pages/unified.html"}, defError: {URI: "http://127.0.0.1:9/e.html"}}},
		"b2c_1_b": {Pages: map[string]PageContent{defUnified: {URI: "/srv/i18n/{Culture:RFC5646}/unified.html"}}},
	}
	s := &server{}
	s.pageDirs, s.pageDirIndex = pageFolders(looks)
	if len(s.pageDirs) != 2 {
		t.Fatalf("folders %v", s.pageDirs)
	}
	for _, tc := range []struct{ uri, loc, want string }{
		{"/srv/pages/unified.html", "/srv/pages/unified.html", "/_pages/" + s.pageDirIndex["/srv/pages"] + "/"},
		{"/srv/i18n/{Culture:RFC5646}/unified.html", "/srv/i18n/es/unified.html", "/_pages/" + s.pageDirIndex["/srv/i18n"] + "/es/"},
		{"/elsewhere/p.html", "/elsewhere/p.html", ""},
	} {
		if got := s.filesRoute(tc.uri, tc.loc); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.loc, got, tc.want)
		}
	}
}
