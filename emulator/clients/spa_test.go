package clients_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// spa is a single-page app's origin on loopback: its pages and a library's browser build
// (served from node_modules, never a CDN), its settings at /config.json, and a record of the
// pages it served with the Sec-Fetch-Dest the browser sent, which tells a hidden iframe
// ("iframe") from a window ("document").
type spa struct {
	*httptest.Server
	cfg     []byte
	results chan map[string]any // what the page posts to /result
	mu      sync.Mutex
	hits    []string
	files   map[string]string
}

// newSPA serves files (URL path to file) and the pages named from testdata/browser.
func newSPA(t *testing.T, files map[string]string, pages ...string) *spa {
	t.Helper()
	a := &spa{files: files, results: make(chan map[string]any, 1)}
	for _, name := range pages {
		files["/"+name] = filepath.Join("testdata", "browser", name)
	}
	a.Server = httptest.NewServer(a)
	t.Cleanup(a.Close)
	return a
}

func (a *spa) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/config.json" {
		w.Header().Set("Content-Type", "application/json")
		w.Write(a.cfg)
		return
	}
	if r.URL.Path == "/result" && r.Method == http.MethodPost {
		var m map[string]any
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &m)
		select { // the test reads one report; a second must not block the server's Close
		case a.results <- m:
		default:
		}
		return
	}
	name := a.files[r.URL.Path]
	if name == "" {
		http.NotFound(w, r)
		return
	}
	a.mu.Lock()
	a.hits = append(a.hits, r.URL.Path+" "+r.Header.Get("Sec-Fetch-Dest"))
	a.mu.Unlock()
	// Not http.ServeFile: it redirects /index.html to /.
	b, err := os.ReadFile(name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", mime.TypeByExtension(filepath.Ext(name)))
	w.Write(b)
}

// served answers how often path was fetched as dest ("iframe", "document") so far.
func (a *spa) served(path, dest string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, h := range a.hits {
		if h == path+" "+dest {
			n++
		}
	}
	return n
}

// tenantFor is the test tenant with the SPA's redirect URIs on the app's origin.
func tenantFor(origin string, paths ...string) string {
	uris := make([]string, len(paths))
	for i, p := range paths {
		uris[i] = origin + p
	}
	return strings.Replace(tenant, spaClient+"\n    redirectUris: ["+callback+"]",
		spaClient+"\n    redirectUris: ["+strings.Join(uris, ", ")+"]", 1)
}

// call evaluates a step of the page's app (a promise) and decodes its answer into out, failing
// the test when the step does not finish within 30 s or answers an error it did not expect.
func call(t *testing.T, ctx context.Context, expr string, out *map[string]any) {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	got, err := chromedp.Run(step, chromedp.Evaluate[map[string]any](expr, chromedp.EvalAwaitPromise))
	*out = got
	if err != nil {
		loc, _ := currentURL(ctx)
		t.Fatalf("%s at %s: %v", expr, loc, err)
	}
}

// currentURL is the page's address, asked with a short deadline of its own.
func currentURL(ctx context.Context) (string, error) {
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(c, chromedp.Location())
}

// open loads page in ctx's tab and waits for its app's ready step.
func open(t *testing.T, ctx context.Context, page, ready string) {
	t.Helper()
	nav, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(nav, chromedp.Navigate(page)); err != nil {
		t.Fatalf("opening %s: %v", page, err)
	}
	waitFor(t, ctx, page, ready)
}

// waitFor waits up to 30 s until a page at want (its address without the query) has loaded
// its app, then until the app's ready step answers. A page the test is leaving sets
// window.left first, so the old page does not count. Evaluations during a navigation fail, so
// it asks again until the deadline.
func waitFor(t *testing.T, ctx context.Context, want, ready string) {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	check := fmt.Sprintf("!window.left && location.origin + location.pathname === %q && typeof app === 'object'", want)
	for {
		if ok, err := chromedp.Run(step, chromedp.Evaluate[bool](check)); err == nil && ok {
			break
		}
		select {
		case <-step.Done():
			loc, _ := currentURL(ctx)
			body, _ := bodyText(ctx)
			t.Fatalf("waiting for %s (at %s)\n%s", want, loc, body)
		case <-time.After(100 * time.Millisecond):
		}
	}
	var out map[string]any
	call(t, ctx, ready, &out)
	if out["error"] != nil {
		t.Fatalf("%s on %s: %v %v", ready, want, out["error"], out["message"])
	}
}

func bodyText(ctx context.Context) (string, error) {
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(c, chromedp.Text(css("body")))
}

// signInPages walks the emulator's pages in ctx's tab: Facebook, the fixture account, and the
// attribute page a first sign-in shows.
func signInPages(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, sel := range []string{"button#FacebookExchange", `button.fixtureAccount[value="fb-100"]`, "button#continue"} {
		if err := clickLoaded(ctx, sel); err != nil {
			loc, _ := currentURL(ctx)
			body, _ := bodyText(ctx)
			t.Fatalf("signing in at %s: %v\n%s", loc, err, body)
		}
	}
}

// clickLoaded clicks sel within 30 s. A click on a page that is still loading can lose its
// node to the parser (CDP answers "Could not find node with given id"), so such a click is
// tried again; a click that worked moves the page on, so no retry clicks twice.
func clickLoaded(ctx context.Context, sel string) error {
	step, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		err := chromedp.Do(step, chromedp.Click(css(sel)))
		if err == nil || !strings.Contains(err.Error(), "Could not find node") {
			return err
		}
		select {
		case <-step.Done():
			return fmt.Errorf("clicking %s: %w", sel, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// popupOf clicks sel in ctx's tab and answers a context for the window it opens, attached
// once its page has loaded. chromedp v0.23.0 reads the new window's document on the test's
// goroutine while its event loop applies DOM events to the same node map without the lock,
// so attaching while the window still goes from about:blank through redirects to the page
// is a data race inside chromedp (seen under -race); a window that has settled sends none.
func popupOf(t *testing.T, ctx context.Context, sel string) context.Context {
	t.Helper()
	opened := chromedp.WaitNewTarget(ctx, func(i *target.Info) bool { return i.Type == "page" && i.OpenerID != "" })
	step, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(step, chromedp.Click(css(sel))); err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
	select {
	case id := <-opened:
		if err := settled(step, id); err != nil {
			t.Fatalf("waiting for the window's page: %v", err)
		}
		popup, cancelPopup := chromedp.NewContext(ctx, chromedp.WithTargetID(id))
		t.Cleanup(cancelPopup)
		if err := chromedp.Do(popup); err != nil {
			t.Fatalf("attaching to the window: %v", err)
		}
		return popup
	case <-step.Done():
		t.Fatalf("clicking %s opened no window", sel)
		return nil
	}
}

// settled waits until the window id shows a page with a title (b2cemu's pages all have one;
// about:blank and redirects have none) and keeps it for half a second, asking the browser
// rather than the window so nothing attaches to it before then.
func settled(ctx context.Context, id target.ID) error {
	browser := chromedp.FromContext(ctx).Browser
	var last string
	since := time.Now()
	for {
		res, err := cdp.Call(ctx, browser, target.GetTargetInfo, target.GetTargetInfoParams{TargetID: id})
		if err != nil {
			return err
		}
		info := res.TargetInfo
		now := info.URL + "\x00" + info.Title
		if now != last {
			last, since = now, time.Now()
		}
		loaded := info.Title != "" && !strings.HasPrefix(info.URL, "about:") && !strings.Contains(info.URL, info.Title)
		if loaded && time.Since(since) >= 500*time.Millisecond {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last seen %q)", ctx.Err(), strings.ReplaceAll(last, "\x00", " "))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sameUser fails unless every id token names the same subject.
func sameUser(t *testing.T, what string, tokens ...any) {
	t.Helper()
	sub := claimsOf(t, tokens[0].(string))["sub"]
	for _, tok := range tokens[1:] {
		if got := claimsOf(t, tok.(string))["sub"]; got != sub || sub == nil {
			t.Errorf("%s: sub %v, want %v", what, got, sub)
		}
	}
}
