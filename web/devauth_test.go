package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

const devToken = "s3cret-admin-7f1c"

// TestDevAdminToken: with admin.token set, every page and action under /_emulator is refused
// without it — a script gets 401 JSON, a browser the sign-in form — and the token never
// appears in a page, a cookie or the log.
func TestDevAdminToken(t *testing.T) {
	srv := emulatortest.Start(t, "admin: {token: "+devToken+"}\n")
	d := newDevClient(t, srv)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/_emulator/openapi.json", nil)
	req.Header.Set("Authorization", "Bearer "+devToken)
	if res := d.send(req, ""); res.status != 200 || json.Unmarshal([]byte(res.body), &doc) != nil {
		t.Fatalf("the document with the token: %d", res.status)
	}
	n := 0
	for path, ops := range doc.Paths {
		target := strings.NewReplacer("{id}", "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "{policy}", "B2C_1_susi").Replace(path)
		for method := range ops {
			method = strings.ToUpper(method)
			if path == "/_emulator/login" && method == http.MethodGet {
				continue // the sign-in form itself
			}
			for _, how := range []string{"script", "browser", "form"} {
				if how == "form" && method == http.MethodGet {
					continue
				}
				res := d.send(unauthenticated(method, srv.URL+target, how), map[string]string{"script": "application/json", "browser": "text/html", "form": "text/html"}[how])
				n++
				if res.status != http.StatusUnauthorized {
					t.Errorf("%s %s as a %s without the token: %d", method, target, how, res.status)
				}
				if how != "script" && res.doc.Find("form#login input#token[type=password]").Length() != 1 {
					t.Errorf("%s %s as a %s: no sign-in form", method, target, how)
				}
				if strings.Contains(res.body, devToken) {
					t.Errorf("%s %s shows the token", method, target)
				}
			}
		}
	}
	if n < 60 {
		t.Fatalf("only %d requests: the document lost its paths", n)
	}

	login := d.page("/_emulator/users?q=ana")
	if login.status != 401 || login.doc.Find(`form#login input[name=next]`).AttrOr("value", "") != "/_emulator/users?q=ana" {
		t.Fatalf("the sign-in form: %d %s", login.status, login.body)
	}
	if wrong := d.submit(login, "#signIn", url.Values{"token": {"guess"}, "next": {"/_emulator/users?q=ana"}}); wrong.status != 401 || wrong.doc.Find("#badToken").Length() != 1 {
		t.Errorf("a wrong token: %d", wrong.status)
	}
	in := d.submit(login, "#signIn", url.Values{"token": {devToken}, "next": {"/_emulator/users?q=ana"}})
	if in.status != 200 || in.path != "/_emulator/users?q=ana" || in.doc.Find("#signOut").Length() != 1 {
		t.Fatalf("signed in: %d %s", in.status, in.path)
	}
	u, _ := url.Parse(srv.URL + "/_emulator")
	for _, ck := range d.hc.Jar.Cookies(u) {
		if strings.Contains(ck.Value, devToken) {
			t.Errorf("the cookie %s holds the token", ck.Name)
		}
	}
	for _, path := range []string{"/_emulator", "/_emulator/users", "/_emulator/users/new", "/_emulator/emails", "/_emulator/calls"} {
		if p := d.page(path); p.status != 200 || strings.Contains(p.body, devToken) {
			t.Errorf("%s signed in: %d (or it shows the token)", path, p.status)
		}
	}
	if offsite := d.submit(login, "#signIn", url.Values{"token": {devToken}, "next": {"//evil.example/"}}); offsite.path != "/_emulator" {
		t.Errorf("next led to %s", offsite.path)
	}
	out := d.submit(in, "#signOut", nil)
	if out.path != "/_emulator/login" || d.page("/_emulator/users").status != 401 {
		t.Errorf("signed out: %s", out.path)
	}

	// ?token= once: the cookie is set and the address loses the token.
	link := d.page("/_emulator/emails?token=" + devToken + "&to=a%40b.c")
	if link.status != 200 || link.path != "/_emulator/emails?to=a%40b.c" || strings.Contains(link.body, devToken) {
		t.Errorf("?token=: %d %s", link.status, link.path)
	}
	if strings.Contains(srv.Log.String(), devToken) {
		t.Error("the log holds the admin token")
	}
}

// unauthenticated is a request without the token, as a script, a browser's navigation or a
// browser's form post sends it.
func unauthenticated(method, target, how string) *http.Request {
	var req *http.Request
	if how == "form" {
		req, _ = http.NewRequest(method, target, strings.NewReader("token=&attr.displayName=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	} else {
		req, _ = http.NewRequest(method, target, nil)
	}
	return req
}
