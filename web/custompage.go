package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/b2cemu/b2cemu/flows/engine"
)

// Custom page content (docs/pages.md#custom-page-content): B2C loads the page a user flow's
// custom page URI or a content definition's LoadUri names, puts its own page into the
// element with id="api" and shows the result. b2cemu does the same on the server, with
// limits: a file, or a URL on loopback, at most maxCustomPage bytes, answered within
// customPageTimeout.
const (
	maxCustomPage     = 1 << 20
	customPageTimeout = 5 * time.Second
	customPageKey     = "b2cemu.customPage"
	customFailedKey   = "b2cemu.customPageFailed"
)

// customPage is the custom page content a page is shown in.
type customPage struct {
	URI       string // an absolute file path or a loopback http(s) URL, {Culture:…} unresolved
	Scripts   bool   // the page's own scripts run
	Lang      string // the page's language
	UILocales string // passed to an http(s) URL as ui_locales; "" = not passed
	// Params are added to an http(s) URL's query: a custom policy's ContentDefinitionParameters.
	Params     []engine.PageParameter
	Definition string // the content definition, for the diagnostic
}

var cultureRe = regexp.MustCompile(`\{Culture:(RFC5646|LanguageName)\}`)
var langRe = regexp.MustCompile(`^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$`)

// location is the page's URI with {Culture:RFC5646} and {Culture:LanguageName} replaced by
// the page's language and, for a URL, the ContentDefinitionParameters and ui_locales added to
// the query it has.
func (cp *customPage) location() string {
	lang := cp.Lang
	if !langRe.MatchString(lang) {
		lang = "en"
	}
	uri := cultureRe.ReplaceAllString(cp.URI, lang)
	if cp.UILocales == "" && len(cp.Params) == 0 || !isURL(uri) {
		return uri
	}
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	q := u.Query()
	for _, p := range cp.Params {
		q.Set(p.Name, p.Value)
	}
	if cp.UILocales != "" {
		q.Set("ui_locales", cp.UILocales)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func isURL(uri string) bool {
	return strings.HasPrefix(uri, "http://") || strings.HasPrefix(uri, "https://")
}

// pageClient fetches custom page content: loopback only (checked on every connection, so a
// redirect or a name cannot lead elsewhere), bounded in time.
func pageClient() *http.Client {
	d := &net.Dialer{Timeout: customPageTimeout, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("%s is not a loopback address; custom page content is loaded only from loopback", host)
		}
		return nil
	}}
	return &http.Client{Timeout: customPageTimeout, Transport: &http.Transport{DialContext: d.DialContext, Proxy: nil, TLSHandshakeTimeout: customPageTimeout}}
}

// load reads the custom page content at loc: its bytes and, for a URL, the URL relative
// references resolve against.
func (s *server) load(ctx context.Context, loc string) ([]byte, *url.URL, error) {
	if !isURL(loc) {
		b, err := readBounded(loc)
		return b, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "text/html")
	resp, err := s.pages.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL, query included
		}
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("it answered %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxCustomPage+1))
	if err == nil && len(b) > maxCustomPage {
		err = fmt.Errorf("it is larger than %d KiB", maxCustomPage>>10)
	}
	return b, resp.Request.URL, err
}

func readBounded(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCustomPage+1))
	if err == nil && len(b) > maxCustomPage {
		err = fmt.Errorf("it is larger than %d KiB", maxCustomPage>>10)
	}
	return b, err
}

// merged is a page put into custom page content, with what its CSP must allow.
type merged struct {
	HTML    []byte
	Scripts []string // CSP hashes of the custom page's inline scripts that were kept
	Origin  string   // the custom page's origin (a URL's), "" for a file
	// scriptsRun: the page's scripts were kept (JavaScript is enabled).
	scriptsRun bool
}

// merge puts b2cemu's page own into custom page content: own's <div id="api"> (and what
// follows it in its panel: b2cemu's diagnostic line) takes the place of the custom page's
// element with id="api"; own's scripts and the stylesheet of the api's behaviour join the
// custom page's head, which keeps its own styles; <html lang> is the page's. The custom
// page's scripts, event handler attributes and javascript: URLs are removed unless scripts
// is set, its frames always (B2C refuses them). Relative references resolve against base (a
// URL page) or against files, the route of a file page's folder.
func merge(custom, own []byte, base *url.URL, files string, scripts bool, lang string) (*merged, error) {
	doc, err := html.Parse(bytes.NewReader(custom))
	if err != nil {
		return nil, fmt.Errorf("it is not HTML: %w", err)
	}
	slot := byID(doc, "api")
	if slot == nil {
		return nil, errors.New(`it has no element with id="api" (B2C puts its page into <div id="api"></div>); add one inside <body>`)
	}
	page, err := html.Parse(bytes.NewReader(own))
	if err != nil {
		return nil, err
	}
	api := byID(page, "api")
	if api == nil {
		return nil, errors.New(`b2cemu's page has no <div id="api">`)
	}
	m := &merged{scriptsRun: scripts}
	if base != nil {
		m.Origin = base.Scheme + "://" + base.Host
	}
	clean(doc, scripts, m)
	resolve(doc, base, files)
	fill(slot, api)
	dressHead(doc, page)
	setLang(doc, lang)
	var out bytes.Buffer
	if err := html.Render(&out, doc); err != nil {
		return nil, err
	}
	m.HTML = out.Bytes()
	return m, nil
}

// fill replaces slot's children with api's and what follows api in its parent, and takes
// api's attributes over slot's (the custom page's class and style stay).
func fill(slot, api *html.Node) {
	for c := slot.FirstChild; c != nil; c = slot.FirstChild {
		slot.RemoveChild(c)
	}
	for _, a := range api.Attr {
		setAttr(slot, a.Key, a.Val)
	}
	for c := api.FirstChild; c != nil; c = api.FirstChild {
		api.RemoveChild(c)
		slot.AppendChild(c)
	}
	after := slot
	for sib := api.NextSibling; sib != nil; sib = api.NextSibling {
		api.Parent.RemoveChild(sib)
		after.Parent.InsertBefore(sib, after.NextSibling)
		after = sib
	}
}

// dressHead adds the api stylesheet at the head's start (the custom page's styles win) and
// b2cemu's page scripts at its end.
func dressHead(doc, page *html.Node) {
	head := byTag(doc, atom.Head)
	link := &html.Node{Type: html.ElementNode, Data: "link", DataAtom: atom.Link,
		Attr: []html.Attribute{{Key: "rel", Val: "stylesheet"}, {Key: "href", Val: "/_static/api.css"}}}
	head.InsertBefore(link, head.FirstChild)
	if ownHead := byTag(page, atom.Head); ownHead != nil {
		for _, s := range all(ownHead, atom.Script) {
			s.Parent.RemoveChild(s)
			head.AppendChild(s)
		}
	}
}

func setLang(doc *html.Node, lang string) {
	if h := byTag(doc, atom.Html); h != nil && lang != "" {
		setAttr(h, "lang", lang)
	}
}

// clean removes frames always, scripts unless they run; it collects the kept inline scripts'
// hashes for the CSP.
func clean(doc *html.Node, scripts bool, m *merged) {
	for _, tag := range []atom.Atom{atom.Iframe, atom.Frame, atom.Frameset} {
		for _, n := range all(doc, tag) {
			n.Parent.RemoveChild(n)
		}
	}
	for _, n := range all(doc, atom.Script) {
		if !scripts {
			n.Parent.RemoveChild(n)
			continue
		}
		if attr(n, "src") == "" && n.FirstChild != nil {
			sum := sha256.Sum256([]byte(n.FirstChild.Data))
			m.Scripts = append(m.Scripts, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		}
	}
	if scripts {
		return
	}
	walk(doc, func(n *html.Node) {
		kept := n.Attr[:0]
		for _, a := range n.Attr {
			js := strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:")
			if !strings.HasPrefix(strings.ToLower(a.Key), "on") && !js {
				kept = append(kept, a)
			}
		}
		n.Attr = kept
	})
}

// urlAttrs are the attributes whose relative references are resolved.
var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "poster": true}

// resolve makes the custom page's relative references absolute against base, or, for a file
// page (base nil), paths under files.
func resolve(doc *html.Node, base *url.URL, files string) {
	walk(doc, func(n *html.Node) {
		for i, a := range n.Attr {
			if !urlAttrs[a.Key] || a.Val == "" || strings.HasPrefix(a.Val, "#") {
				continue
			}
			ref, err := url.Parse(a.Val)
			if err != nil || ref.IsAbs() || ref.Host != "" || strings.HasPrefix(ref.Path, "/") {
				continue
			}
			if base != nil {
				n.Attr[i].Val = base.ResolveReference(ref).String()
			} else if files != "" {
				ref.Path = path.Join(files, ref.Path)
				n.Attr[i].Val = ref.String()
			}
		}
	})
}

func walk(n *html.Node, f func(*html.Node)) {
	if n.Type == html.ElementNode {
		f(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func all(n *html.Node, tag atom.Atom) []*html.Node {
	var out []*html.Node
	walk(n, func(e *html.Node) {
		if e.DataAtom == tag {
			out = append(out, e)
		}
	})
	return out
}

func byTag(n *html.Node, tag atom.Atom) *html.Node {
	if found := all(n, tag); len(found) > 0 {
		return found[0]
	}
	return nil
}

func byID(n *html.Node, id string) *html.Node {
	var found *html.Node
	walk(n, func(e *html.Node) {
		if found == nil && attr(e, "id") == id {
			found = e
		}
	})
	return found
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

// pageFiles serves what a file page refers to from its folder, /_pages/<n>/<path>: files
// with the extensions of a page's assets only, so that a configuration, a key or a
// certificate next to the page is never served.
func (s *server) pageFiles(c echo.Context) error {
	return s.servePageFile(c.Response(), c.Request(), c.Param("n"), c.Param("*"))
}

// pageAssetTypes are the extensions /_pages/ serves.
var pageAssetTypes = map[string]bool{".css": true, ".js": true, ".png": true, ".jpg": true, ".jpeg": true, ".gif": true,
	".svg": true, ".webp": true, ".ico": true, ".woff": true, ".woff2": true, ".ttf": true}

func (s *server) servePageFile(w http.ResponseWriter, r *http.Request, n, name string) error {
	dir, ok := s.pageDirs[n]
	if !ok || !pageAssetTypes[strings.ToLower(filepath.Ext(name))] {
		return echo.ErrNotFound
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return echo.ErrNotFound
	}
	defer root.Close()
	if info, err := root.Stat(name); err != nil || info.IsDir() {
		return echo.ErrNotFound
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, root.FS(), name)
	return nil
}

// pageFolders indexes the folders of the looks' file pages for /_pages/<n>/: each page's
// folder, cut before the first {Culture:…} so that one index serves every language.
func pageFolders(looks map[string]Look) (map[string]string, map[string]string) {
	byN, byDir := map[string]string{}, map[string]string{}
	for _, l := range looks {
		for _, pc := range l.Pages {
			if pc.URI == "" || isURL(pc.URI) {
				continue
			}
			dir := folderOf(pc.URI)
			if _, ok := byDir[dir]; !ok {
				n := fmt.Sprint(len(byDir))
				byDir[dir], byN[n] = n, dir
			}
		}
	}
	return byN, byDir
}

// folderOf is the folder of a file page's URI, cut before its first {Culture:…}.
func folderOf(uri string) string {
	if i := strings.Index(uri, "{Culture:"); i >= 0 {
		return filepath.Dir(uri[:i] + "x")
	}
	return filepath.Dir(uri)
}

// filesRoute is where a file page's relative references are served: /_pages/<n>/ and the
// page's folder under its indexed one.
func (s *server) filesRoute(uri, loc string) string {
	root := folderOf(uri)
	n, ok := s.pageDirIndex[root]
	if !ok {
		return ""
	}
	rel, err := filepath.Rel(root, filepath.Dir(loc))
	if err != nil || strings.HasPrefix(rel, "..") {
		return ""
	}
	return path.Join("/_pages", n, filepath.ToSlash(rel)) + "/"
}

// renderCustom renders comp into the custom page content cp names. A page that cannot be
// loaded or has no <div id="api"> is B2C's error page (drawn with the template) with what
// went wrong and how to fix it, logged too.
func (s *server) renderCustom(c echo.Context, status int, comp templ.Component, cp *customPage) error {
	var own bytes.Buffer
	if err := comp.Render(c.Request().Context(), &own); err != nil {
		return err
	}
	loc := cp.location()
	body, base, err := s.load(c.Request().Context(), loc)
	files := ""
	if err == nil && base == nil {
		files = s.filesRoute(cp.URI, loc)
	}
	var m *merged
	if err == nil {
		m, err = merge(body, own.Bytes(), base, files, cp.Scripts, cp.Lang)
	}
	if err != nil {
		c.Set(customFailedKey, true)
		where := redactQuery(loc)
		s.Log.Warn("custom page content failed", "contentDefinition", cp.Definition, "uri", where, "err", err)
		return errPage(http.StatusInternalServerError, "", "b2cemu could not show the %s page in its custom page content %s: %v. Fix the page or its URI (docs/pages.md#custom-page-content).", cp.Definition, where, err)
	}
	s.writeHeaders(c, m)
	c.Response().WriteHeader(status)
	_, err = c.Response().Write(m.HTML)
	return err
}

// redactQuery is uri without its query and fragment, which may hold a key.
func redactQuery(uri string) string {
	if i := strings.IndexAny(uri, "?#"); i >= 0 {
		return uri[:i]
	}
	return uri
}

// contentPolicy is a page's Content-Security-Policy. b2cemu's own pages allow no inline
// script but the SETTINGS one (by hash) and no <style> element. A page in custom page
// content allows what a tenant's page needs (docs/pages.md#content-security-policy): its
// <style> elements, its own origin's stylesheets, images and fonts, and, when its scripts
// run, its inline scripts by hash and its origin's scripts. ancestors are the origins that may
// frame the page ('none', or a policy's JourneyFraming sources).
func contentPolicy(c echo.Context, m *merged, ancestors string) string {
	script, style, img, font, connect := "'self'", "'self'", "'self' data:", "", ""
	if hash, ok := c.Get(inlineScriptKey).(string); ok { // a flow page's SETTINGS script
		script += " '" + hash + "'"
	}
	if m != nil {
		style += " 'unsafe-inline'"
		font = "; font-src 'self' data:"
		for _, h := range m.Scripts {
			script += " " + h
		}
		if o := m.Origin; o != "" {
			style, img, font = style+" "+o, img+" "+o, font+" "+o
			if len(m.Scripts) > 0 || m.scriptsRun {
				script += " " + o
				connect = "; connect-src 'self' " + o
			}
		}
	}
	return "default-src 'self'; script-src " + script + "; style-src " + style + "; style-src-attr 'unsafe-inline'; img-src " + img + font + connect + "; frame-ancestors " + ancestors + "; form-action *"
}
