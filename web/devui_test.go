package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// demoApp is the demo tenant's application.
const demoApp = "6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10"

// devClient is a browser without scripts for the developer pages: it asks for HTML, keeps
// cookies and follows redirects.
type devClient struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newDevClient(t *testing.T, srv *emulatortest.Server) *devClient {
	jar, _ := cookiejar.New(nil)
	return &devClient{t: t, base: srv.URL, hc: &http.Client{Jar: jar, Transport: srv.Client.Transport}}
}

// devResponse is a page, or a JSON answer, with where it ended after redirects.
type devResponse struct {
	status int
	path   string // the final URL's path and query
	body   string
	doc    *goquery.Document
	header http.Header
}

func (d *devClient) send(req *http.Request, accept string) devResponse {
	d.t.Helper()
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	doc, _ := goquery.NewDocumentFromReader(bytes.NewReader(b))
	return devResponse{status: resp.StatusCode, path: resp.Request.URL.RequestURI(), body: string(b), doc: doc, header: resp.Header}
}

func (d *devClient) page(path string) devResponse {
	d.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, d.base+path, nil)
	return d.send(req, "text/html,application/xhtml+xml")
}

func (d *devClient) json(method, path string, body any, out any) int {
	d.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, d.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	res := d.send(req, "application/json")
	if out != nil {
		if err := json.Unmarshal([]byte(res.body), out); err != nil {
			d.t.Fatalf("%s %s: %d %s", method, path, res.status, res.body)
		}
	}
	return res.status
}

// submit posts the form whose button is sel on p, as a browser without scripts does, with the
// fields given (a same-origin post: Origin and Sec-Fetch-Site say so).
func (d *devClient) submit(p devResponse, sel string, fields url.Values) devResponse {
	d.t.Helper()
	form := p.doc.Find(sel).First().Closest("form")
	action, ok := form.Attr("action")
	if !ok || !strings.EqualFold(form.AttrOr("method", ""), "post") {
		d.t.Fatalf("no post form around %s on %s:\n%s", sel, p.path, p.body)
	}
	req, _ := http.NewRequest(http.MethodPost, d.base+action, strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", d.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return d.send(req, "text/html")
}

func text(p devResponse, sel string) string { return strings.TrimSpace(p.doc.Find(sel).First().Text()) }

// TestDevIndex: /_emulator lists every page, policy and endpoint, as a page for a browser and
// as JSON for a script; the tenant's own pages link back to it.
func TestDevIndex(t *testing.T) {
	srv := emulatortest.Start(t, "")
	d := newDevClient(t, srv)
	p := d.page("/_emulator")
	if p.status != 200 || text(p, "h1") != "b2cemu developer tools" {
		t.Fatalf("index: %d %s", p.status, p.body)
	}
	for _, href := range []string{"/", "/jwt", "/_emulator/users", "/_emulator/emails", "/_emulator/sms", "/_emulator/calls", "/_emulator/openapi.json"} {
		if p.doc.Find(`#pages a[href="`+href+`"]`).Length() != 1 {
			t.Errorf("the index does not link %s", href)
		}
	}
	if p.doc.Find(`link[href="/_static/dev.css"]`).Length() != 1 || p.doc.Find(`link[href="/_branding.css"], script, style, [onclick]`).Length() != 0 {
		t.Error("the developer pages take b2cemu's stylesheet only, and no script")
	}
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, "style-src 'self';") {
		t.Errorf("CSP = %q", csp)
	}
	if css := d.page("/_static/dev.css"); css.status != 200 || !strings.Contains(css.body, "header.dev") {
		t.Errorf("dev.css: %d", css.status)
	}
	if got := p.doc.Find(`#policies tr[data-policy="B2C_1_susi"] a.discovery`).AttrOr("href", ""); got != srv.URL+"/contoso.onmicrosoft.com/b2c_1_susi/v2.0/.well-known/openid-configuration" {
		t.Errorf("discovery link = %q", got)
	}
	var idx struct {
		Pages     []struct{ Path string }
		Policies  []struct{ ID, Discovery string }
		Endpoints []struct{ Method, Path string }
	}
	if st := d.json(http.MethodGet, "/_emulator", nil, &idx); st != 200 || len(idx.Policies) != 5 || len(idx.Endpoints) < 30 || len(idx.Pages) < 8 {
		t.Fatalf("JSON index: %d %+v", st, idx)
	}
	if n := p.doc.Find("#endpoints tbody tr").Length(); n != len(idx.Endpoints) {
		t.Errorf("the page lists %d endpoints, the JSON %d", n, len(idx.Endpoints))
	}
	for _, path := range []string{"/", "/jwt", "/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/authorize?client_id=nope"} {
		back := d.page(path)
		if back.doc.Find(`#developerTools a[href="/_emulator"]`).Length() != 1 {
			t.Errorf("%s does not link the developer tools:\n%s", path, back.body)
		}
	}
}

// TestDevUsersForms walks every users action through the pages' plain forms and checks each
// through the JSON API: create (local, federated, refused), search, edit, revoke, delete,
// import, export, the outbox and reset.
func TestDevUsersForms(t *testing.T) {
	srv := emulatortest.Start(t, "")
	d := newDevClient(t, srv)
	list := d.page("/_emulator/users")
	if list.status != 200 || list.doc.Find("#noUsers").Length() != 1 {
		t.Fatalf("empty list: %d %s", list.status, list.body)
	}
	form := d.page("/_emulator/users/new")
	refused := d.submit(form, "#create", url.Values{"kind": {"local"}, "email": {"ana@fabrikam.com"}, "password": {"weak"}, "attr.displayName": {"Ana Lima"}})
	if refused.status != 400 || !strings.Contains(text(refused, "#problem"), "default complexity") || refused.doc.Find("#email").AttrOr("value", "") != "ana@fabrikam.com" {
		t.Fatalf("a weak password: %d %q", refused.status, text(refused, "#problem"))
	}
	created := d.submit(form, "#create", url.Values{"kind": {"local"}, "email": {"ana@fabrikam.com"}, "password": {"Passw0rd!x"},
		"attr.displayName": {"Ana Lima"}, "attr.LoyaltyNumber": {"L-7"}, "attr.NewsletterOptIn": {"true"}})
	id := text(created, "#objectId")
	if created.status != 200 || !strings.HasPrefix(created.path, "/_emulator/users/"+id+"?done=created") || text(created, "#notice") != "The user was created." {
		t.Fatalf("create: %d %s %s", created.status, created.path, created.body)
	}
	var u struct {
		Attributes     map[string]any
		Identities     []map[string]string
		SignInActivity *struct{ LastSignInDateTime time.Time }
	}
	if d.json(http.MethodGet, "/_emulator/users/"+id, nil, &u); u.Attributes["displayName"] != "Ana Lima" || u.Attributes["NewsletterOptIn"] != true || u.Identities[0]["issuerAssignedId"] != "ana@fabrikam.com" {
		t.Fatalf("created user = %+v", u)
	}
	fed := d.submit(form, "#create", url.Values{"kind": {"federated"}, "issuer": {"google.com"}, "issuerAssignedId": {"g-1"}, "attr.displayName": {"Gil"}})
	if fed.status != 200 || text(fed, "#identities td") != "federated" {
		t.Fatalf("federated create: %d %s", fed.status, fed.body)
	}

	search := d.page("/_emulator/users?q=FABRIKAM")
	if n := search.doc.Find("#users tbody tr").Length(); n != 1 || text(search, "#users a.user") != "Ana Lima" {
		t.Errorf("search found %d:\n%s", n, search.body)
	}
	if d.page("/_emulator/users?q=nobody").doc.Find("#noMatch").Length() != 1 {
		t.Error("a search without a match says so")
	}

	edited := d.submit(created, "#save", url.Values{"attr.displayName": {"Ana Maria Lima"}, "attr.LoyaltyNumber": {""}, "attr.NewsletterOptIn": {"true"}})
	if edited.status != 200 || text(edited, "#notice") != "The user was saved." || edited.doc.Find("#attr\\.displayName").AttrOr("value", "") != "Ana Maria Lima" {
		t.Fatalf("edit: %d %s", edited.status, edited.body)
	}
	u.Attributes = nil // json.Unmarshal would merge into the map
	d.json(http.MethodGet, "/_emulator/users/"+id, nil, &u)
	if _, kept := u.Attributes["LoyaltyNumber"]; kept || u.Attributes["displayName"] != "Ana Maria Lima" {
		t.Errorf("after the edit: %+v (an emptied field removes the attribute)", u.Attributes)
	}
	bad := d.submit(edited, "#save", url.Values{"attr.displayName": {"<b>"}})
	if bad.status != 400 || !strings.Contains(text(bad, "#problem"), "displayName") || bad.doc.Find("#attr\\.displayName").AttrOr("value", "") != "<b>" {
		t.Errorf("a refused edit: %d %q", bad.status, text(bad, "#problem"))
	}

	revoked := d.submit(edited, "#revoke", nil)
	if revoked.status != 200 || text(revoked, "#revokedAt") == "—" {
		t.Errorf("revoke: %d %s", revoked.status, text(revoked, "#revokedAt"))
	}

	var export map[string]any
	if st := d.json(http.MethodGet, "/_emulator/users/export", nil, &export); st != 200 {
		t.Fatalf("export: %d", st)
	}
	dump, _ := json.Marshal(export)

	gone := d.submit(revoked, "#delete", nil)
	if gone.status != 200 || gone.path != "/_emulator/users?done=deleted" || gone.doc.Find(`tr[data-object-id="`+id+`"]`).Length() != 0 {
		t.Fatalf("delete: %d %s", gone.status, gone.path)
	}
	if st := d.json(http.MethodGet, "/_emulator/users/"+id, nil, nil); st != 404 {
		t.Errorf("the deleted user answers %d", st)
	}
	if p := d.page("/_emulator/users/" + id); p.status != 404 || !strings.Contains(text(p, "#problem"), "There is no user") {
		t.Errorf("the deleted user's page answers %d: %s", p.status, text(p, "#problem"))
	}

	imported := d.upload(gone, dump)
	if imported.status != 200 || text(imported, "#notice") != "The users were imported." || imported.doc.Find("#users tbody tr").Length() != 2 {
		t.Fatalf("import: %d %s", imported.status, imported.body)
	}
	if junk := d.upload(gone, []byte(`{"users": [{"objectId": "x"}]}`)); junk.status != 400 || text(junk, "#problem") == "" {
		t.Errorf("a bad import: %d %q", junk.status, text(junk, "#problem"))
	}

	d.json(http.MethodPost, "/_emulator/flows/B2C_1_susi/run", map[string]any{"identityProvider": "email",
		"account": map[string]any{"email": "new@fabrikam.com", "password": "Passw0rd!x"}, "attributes": []map[string]any{{"displayName": "New Person"}}}, nil)
	outbox := d.page("/_emulator/emails")
	if outbox.doc.Find("#emails td.to").First().Text() != "new@fabrikam.com" || len(text(outbox, "#emails td.code")) != 6 {
		t.Fatalf("outbox:\n%s", outbox.body)
	}
	cleared := d.submit(outbox, "#clearEmails", nil)
	if cleared.doc.Find("#noEmails").Length() != 1 || text(cleared, "#notice") != "The outbox is empty." {
		t.Errorf("clear: %s", cleared.body)
	}

	reset := d.submit(d.page("/_emulator"), "#reset", nil)
	if reset.path != "/_emulator?done=reset" || d.page("/_emulator/users").doc.Find("#noUsers").Length() != 1 {
		t.Errorf("reset: %s", reset.path)
	}
}

// upload posts an export through the users page's import form (multipart, as a browser
// sends a file field).
func (d *devClient) upload(p devResponse, data []byte) devResponse {
	d.t.Helper()
	form := p.doc.Find("#importButton").Closest("form")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "users.json")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, d.base+form.AttrOr("action", ""), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return d.send(req, "text/html")
}

// TestDevFormsRefuseOtherSites: a form post that another site makes a browser send changes
// nothing (the same-origin check is the pages' CSRF protection).
func TestDevFormsRefuseOtherSites(t *testing.T) {
	srv := emulatortest.Start(t, "")
	d := newDevClient(t, srv)
	var made struct{ ObjectID string }
	d.json(http.MethodPost, "/_emulator/users", map[string]any{"email": "ana@fabrikam.com", "password": "Passw0rd!x"}, &made)
	for _, path := range []string{"/_emulator/users", "/_emulator/users/" + made.ObjectID + "/update", "/_emulator/users/" + made.ObjectID + "/delete",
		"/_emulator/users/" + made.ObjectID + "/revokeSignInSessions", "/_emulator/users/import", "/_emulator/reset", "/_emulator/emails/clear", "/_emulator/login"} {
		for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader("email=eve%40evil.example&password=Passw0rd%21x&attr.displayName=Eve"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range h {
				req.Header.Set(k, v)
			}
			if res := d.send(req, "text/html"); res.status != http.StatusForbidden {
				t.Errorf("POST %s with %v: %d", path, h, res.status)
			}
		}
	}
	var users struct {
		Users []struct{ Attributes map[string]any }
	}
	if d.json(http.MethodGet, "/_emulator/users", nil, &users); len(users.Users) != 1 || users.Users[0].Attributes["displayName"] != nil {
		t.Errorf("cross-site posts changed the users: %+v", users)
	}
}

// TestLastSignIn: every sign-in — a headless run, a walk through the pages —
// sets the user's signInActivity.lastSignInDateTime to the emulator's clock, shown in the
// list and on the user's page and kept by export and import; a new user has none.
func TestLastSignIn(t *testing.T) {
	srv := emulatortest.Start(t, "")
	d := newDevClient(t, srv)
	var made struct {
		ObjectID       string
		SignInActivity *struct{ LastSignInDateTime time.Time }
	}
	if st := d.json(http.MethodPost, "/_emulator/users", map[string]any{"email": "ana@fabrikam.com", "password": "Passw0rd!x"}, &made); st != 201 || made.SignInActivity != nil {
		t.Fatalf("create: %d %+v (a new user never signed in)", st, made)
	}
	if p := d.page("/_emulator/users/" + made.ObjectID); text(p, "#lastSignIn") != "—" {
		t.Errorf("never signed in: %q", text(p, "#lastSignIn"))
	}
	lastSignIn := func() time.Time {
		var u struct {
			SignInActivity *struct{ LastSignInDateTime time.Time }
		}
		d.json(http.MethodGet, "/_emulator/users/"+made.ObjectID, nil, &u)
		if u.SignInActivity == nil {
			return time.Time{}
		}
		return u.SignInActivity.LastSignInDateTime
	}
	first := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	d.json(http.MethodPut, "/_emulator/clock", map[string]any{"time": first}, nil)
	var run struct{ Outcome string }
	d.json(http.MethodPost, "/_emulator/flows/B2C_1_signin/run", map[string]any{"identityProvider": "email",
		"account": map[string]any{"email": "ana@fabrikam.com", "password": "Passw0rd!x"}}, &run)
	if got := lastSignIn(); run.Outcome != "token" || !got.Equal(first) {
		t.Fatalf("after a headless sign-in (%s): %v, want %v", run.Outcome, got, first)
	}

	d.json(http.MethodPut, "/_emulator/clock", map[string]any{"advance": "26h"}, nil)
	b := srv.NewBrowser(t)
	page := b.Get("/contoso.onmicrosoft.com/B2C_1_signin/oauth2/v2.0/authorize?" + url.Values{"client_id": {demoApp},
		"redirect_uri": {srv.URL + "/jwt"}, "scope": {"openid"}, "response_type": {"id_token"}}.Encode())
	b.Submit(page, "button#next", map[string]string{"email": "ana@fabrikam.com", "password": "Passw0rd!x"})
	second := first.Add(26 * time.Hour)
	if got := lastSignIn(); !got.Equal(second) {
		t.Fatalf("after a sign-in through the pages: %v, want %v", got, second)
	}
	list := d.page("/_emulator/users")
	if got := text(list, `tr[data-object-id="`+made.ObjectID+`"] .last-sign-in`); got != "2030-01-03 05:04:05Z" {
		t.Errorf("the list shows %q", got)
	}

	var export map[string]any
	d.json(http.MethodGet, "/_emulator/users/export", nil, &export)
	d.json(http.MethodPost, "/_emulator/reset", nil, nil)
	d.json(http.MethodPost, "/_emulator/users/import", export, nil)
	if got := lastSignIn(); !got.Equal(second) {
		t.Errorf("after export and import: %v, want %v", got, second)
	}
}

// TestDeveloperLinkOnBlockPage: the block page links the developer tools below #api, where
// B2C's selectors do not look; the pages of a sign-in's steps have no such link.
func TestDeveloperLinkOnBlockPage(t *testing.T) {
	srv := emulatortest.Start(t, "")
	b := srv.NewBrowser(t)
	page := b.Get("/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/authorize?" + url.Values{"client_id": {demoApp},
		"redirect_uri": {srv.URL + "/jwt"}, "scope": {"openid"}, "response_type": {"id_token"}}.Encode())
	if page.Doc.Find("#developerTools").Length() != 0 {
		t.Error("the sign-in page links the developer tools")
	}
	page = b.Submit(page, "button#GoogleExchange", nil)
	page = b.Submit(page, `button.fixtureAccount[value="118221212000000000002"]`, nil) // eve@contoso.com: the demo connector blocks
	if page.Doc.Find(".intro.blocked").Length() != 1 {
		t.Fatalf("not the block page:\n%s", page.Body)
	}
	link := page.Doc.Find(`#developerTools a[href="/_emulator"]`)
	if link.Length() != 1 || page.Doc.Find("#api #developerTools").Length() != 0 {
		t.Errorf("the block page's link: %d, inside #api: %d", link.Length(), page.Doc.Find("#api #developerTools").Length())
	}
}
