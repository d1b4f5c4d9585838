package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var (
	schema = attributes.New([]attributes.Attribute{
		{Name: "LoyaltyNumber", DataType: attributes.String},
		{Name: "Age", DataType: attributes.Int},
		{Name: "OptIn", DataType: attributes.Boolean},
	})
	wire      = connector.Wire{ExtensionsAppID: "831374b3-bd50-41bf-aa54-263ec9e050fc"}
	federated = engine.Identity{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "0123456789"}
	local     = engine.Identity{SignInType: "emailAddress", Issuer: "contoso.onmicrosoft.com", IssuerAssignedID: "ana@fabrikam.com"}
)

// TestBody compares the request body of every step, for federated and local users, with the
// golden files in testdata/ (go test -run TestBody -update rewrites them).
func TestBody(t *testing.T) {
	const app = "6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10"
	const oid = "c4a5b8d2-1111-4aaa-8bbb-0123456789ab"
	idp := engine.Claims{"email": "johnsmith@fabrikam.com", "displayName": "John Smith", "givenName": "John", "surname": "Smith"}
	with := func(base engine.Claims, extra engine.Claims) engine.Claims {
		out := base.Clone()
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	custom := engine.Claims{"LoyaltyNumber": "L-0042", "Age": int64(42), "OptIn": false}
	tests := []struct {
		name string
		wire connector.Wire
		req  apiconnector.Request
	}{
		{"post-federation-signup", wire, apiconnector.Request{Step: apiconnector.PostFederationSignup, ClientID: app, UILocales: "en-US",
			Identities: []engine.Identity{federated}, Claims: with(idp, engine.Claims{"city": ""})}},
		{"post-attribute-collection-federated", wire, apiconnector.Request{Step: apiconnector.PostAttributeCollection, ClientID: app, UILocales: "pt-PT",
			Identities: []engine.Identity{federated}, Claims: with(with(idp, custom), engine.Claims{"city": "Lisbon", "jobTitle": nil})}},
		{"post-attribute-collection-federated-no-custom", wire, apiconnector.Request{Step: apiconnector.PostAttributeCollection, ClientID: app, UILocales: "en-US",
			Identities: []engine.Identity{federated}, Claims: with(idp, engine.Claims{"displayName": "Johnny", "country": "Portugal"})}},
		{"post-attribute-collection-local", wire, apiconnector.Request{Step: apiconnector.PostAttributeCollection, ClientID: app,
			Identities: []engine.Identity{local}, Claims: with(engine.Claims{"email": "ana@fabrikam.com", "displayName": "Ana Lima"}, engine.Claims{"LoyaltyNumber": "L-7", "Age": int64(0), "OptIn": true})}},
		{"post-attribute-collection-local-no-custom", wire, apiconnector.Request{Step: apiconnector.PostAttributeCollection, ClientID: app, UILocales: "en-GB",
			Identities: []engine.Identity{local}, Claims: engine.Claims{"email": "ana@fabrikam.com", "displayName": "Ana Lima", "givenName": ""}}},
		{"pre-token-federated", wire, apiconnector.Request{Step: apiconnector.PreTokenIssuance, ClientID: app, UILocales: "en-US", ObjectID: oid,
			Identities: []engine.Identity{federated}, Claims: with(idp, custom)}},
		{"pre-token-local-no-custom", wire, apiconnector.Request{Step: apiconnector.PreTokenIssuance, ClientID: app, UILocales: "en-US", ObjectID: oid,
			Identities: []engine.Identity{local}, Claims: engine.Claims{"email": "ana@fabrikam.com", "displayName": "Ana Lima"}}},
		{"pre-token-compat", connector.Wire{ExtensionsAppID: wire.ExtensionsAppID, TokenStep: "PreTokenApplicationClaims", TokenClientIDKey: "clientId"},
			apiconnector.Request{Step: apiconnector.PreTokenIssuance, ClientID: app, UILocales: "en-US", ObjectID: oid,
				Identities: []engine.Identity{local}, Claims: engine.Claims{"email": "ana@fabrikam.com"}}},
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "connectors.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.wire.Body(schema, tt.req)
			if !json.Valid(got) {
				t.Fatalf("not JSON: %s", got)
			}
			var indented bytes.Buffer
			json.Indent(&indented, got, "", "  ")
			indented.WriteByte('\n')
			path := filepath.Join("testdata", tt.name+".json")
			if *update {
				os.WriteFile(path, indented.Bytes(), 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if indented.String() != string(want) {
				t.Errorf("body differs from %s\ngot:\n%s\nwant:\n%s", path, indented.String(), want)
			}
			if !*update && !strings.Contains(string(doc), "```json\n"+string(want)+"```") {
				t.Errorf("docs/connectors.md does not show %s", path)
			}
			if bytes.Contains(got, []byte("null")) || bytes.Contains(got, []byte(`""`)) {
				t.Errorf("an empty claim was sent: %s", got)
			}
		})
	}
}

// TestFailureMatrix sends every response kind of the contract from a real httptest server
// through the client: valid answers give their action, every fault gives B2C's generic text
// for the user and a diagnostic naming it.
func TestFailureMatrix(t *testing.T) {
	var current atomic.Pointer[[3]string] // status, body, Location
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		row := current.Load()
		if row[2] != "" {
			w.Header().Set("Location", row[2])
		}
		if strings.HasPrefix(row[1], "<") {
			w.Header().Set("Content-Type", "text/html")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		status := 200
		fmt.Sscan(row[0], &status)
		w.WriteHeader(status)
		io.WriteString(w, row[1])
	}))
	t.Cleanup(srv.Close)
	pac, pfs, tok := apiconnector.PostAttributeCollection, apiconnector.PostFederationSignup, apiconnector.PreTokenIssuance
	tests := []struct {
		name     string
		step     apiconnector.Step
		status   int
		body     string
		location string
		action   apiconnector.Action
		claims   engine.Claims
		message  string
		fail     string // substring of the diagnostic; "" = not a failure
		warnings int
	}{
		{name: "continue", step: pac, status: 200, body: `{"version":"1.0.0","action":"Continue"}`, action: apiconnector.Continue, claims: engine.Claims{}},
		{name: "continue with claims", step: pac, status: 200, body: `{"version":"1.0.0","action":"Continue","jobTitle":"Eng","extension_LoyaltyNumber":"L1","extension_831374b3bd5041bfaa54263ec9e050fc_Age":7,"extension_OptIn":true}`,
			action: apiconnector.Continue, claims: engine.Claims{"jobTitle": "Eng", "LoyaltyNumber": "L1", "Age": int64(7), "OptIn": true}},
		{name: "continue ignores null, bare, unknown and mistyped claims", step: pac, status: 200,
			body:   `{"version":"1.0.0","action":"Continue","city":null,"LoyaltyNumber":"x","favouriteColour":"red","extension_Nope":"1","extension_Age":"seven","displayName":""}`,
			action: apiconnector.Continue, claims: engine.Claims{}, warnings: 5},
		{name: "version may be any non-null value", step: pac, status: 200, body: `{"version":"0.0.1","action":"Continue"}`, action: apiconnector.Continue, claims: engine.Claims{}},
		{name: "block", step: pfs, status: 200, body: `{"version":"1.0.0","action":"ShowBlockPage","userMessage":"Nope"}`, action: apiconnector.ShowBlockPage, message: "Nope"},
		{name: "validation error, numeric status", step: pac, status: 400, body: `{"version":"1.0.0","action":"ValidationError","status":400,"userMessage":"Fix it"}`, action: apiconnector.ValidationError, message: "Fix it"},
		{name: "validation error, string status", step: pac, status: 400, body: `{"version":"1.0.0","action":"ValidationError","status":"400","userMessage":"Fix it"}`, action: apiconnector.ValidationError, message: "Fix it"},
		{name: "validation error with HTTP 200", step: pac, status: 200, body: `{"version":"1.0.0","action":"ValidationError","status":400,"userMessage":"Fix it"}`, fail: "HTTP 400 for ValidationError"},
		{name: "validation error without status", step: pac, status: 400, body: `{"version":"1.0.0","action":"ValidationError","userMessage":"Fix it"}`, fail: `"status": 400`},
		{name: "validation error with a wrong status", step: pac, status: 400, body: `{"version":"1.0.0","action":"ValidationError","status":409,"userMessage":"Fix it"}`, fail: `"status": 409`},
		{name: "validation error at PostFederationSignup", step: pfs, status: 400, body: `{"version":"1.0.0","action":"ValidationError","status":400,"userMessage":"x"}`, fail: "accepts only Continue (HTTP 200) or ShowBlockPage (HTTP 200)"},
		{name: "block at the token step", step: tok, status: 200, body: `{"version":"1.0.0","action":"ShowBlockPage","userMessage":"x"}`, fail: "accepts only Continue"},
		{name: "block without userMessage", step: pac, status: 200, body: `{"version":"1.0.0","action":"ShowBlockPage"}`, fail: "no \"userMessage\""},
		{name: "block with HTTP 400", step: pac, status: 400, body: `{"version":"1.0.0","action":"ShowBlockPage","userMessage":"x"}`, fail: "HTTP 200 for ShowBlockPage"},
		{name: "missing version", step: pac, status: 200, body: `{"action":"Continue"}`, fail: `no "version"`},
		{name: "null version", step: pac, status: 200, body: `{"version":null,"action":"Continue"}`, fail: `no "version"`},
		{name: "missing action", step: pac, status: 200, body: `{"version":"1.0.0"}`, fail: `no string "action"`},
		{name: "unknown action", step: pac, status: 200, body: `{"version":"1.0.0","action":"continue"}`, fail: "case-sensitive"},
		{name: "legacy Allow", step: pac, status: 200, body: `{"version":"1.0.0","action":"Allow"}`, fail: `"Allow" is a retired name`},
		{name: "HTTP 500", step: pac, status: 500, body: `oops`, fail: "HTTP 500"},
		{name: "HTTP 401", step: pac, status: 401, body: ``, fail: "credentials"},
		{name: "HTTP 404", step: pac, status: 404, body: ``, fail: "?code= key"},
		{name: "empty body", step: pac, status: 200, body: ``, fail: "empty body"},
		{name: "HTML", step: pac, status: 200, body: `<html><body>Login</body></html>`, fail: "is HTML"},
		{name: "not JSON", step: pac, status: 200, body: `action=Continue`, fail: "is not JSON"},
		{name: "JSON array", step: pac, status: 200, body: `[{"version":"1.0.0","action":"Continue"}]`, fail: "is not JSON"},
		{name: "two JSON objects", step: pac, status: 200, body: `{"version":"1","action":"Continue"}{}`, fail: "not a single object"},
		{name: "HTTP 403", step: pac, status: 403, body: `forbidden`, fail: "credentials"},
		{name: "HTTP 405", step: pac, status: 405, body: ``, fail: "B2C always sends POST"},
		{name: "HTTP 502", step: pfs, status: 502, body: `bad gateway`, fail: "HTTP 502"},
		{name: "HTTP 400 with an empty body", step: pac, status: 400, body: ``, fail: "empty body"},
		{name: "HTTP 400 with HTML", step: pac, status: 400, body: `<h1>Bad Request</h1>`, fail: "is HTML"},
		{name: "validation error at the token step", step: tok, status: 400, body: `{"version":"1.0.0","action":"ValidationError","status":400,"userMessage":"x"}`, fail: "accepts only Continue"},
		{name: "continue at the token step", step: tok, status: 200, body: `{"version":"1.0.0","action":"Continue","city":"Porto"}`, action: apiconnector.Continue, claims: engine.Claims{"city": "Porto"}},
		{name: "redirect to another host", step: pac, status: 302, location: "https://evil.example/x?code=K3y", fail: `a redirect to "https://evil.example/x?code=[redacted]" on another host (evil.example)`},
		{name: "redirect to the same host", step: pac, status: 308, location: "/api/v2", fail: `a redirect to "/api/v2"; b2cemu does not follow redirects`},
		{name: "redirect loop", step: pfs, status: 301, location: srv.URL, fail: "the endpoint itself (a redirect loop)"},
		{name: "javascript: Location", step: pac, status: 302, location: "javascript:alert(1)", fail: "not an http or https URL"},
		{name: "redirect without Location", step: tok, status: 303, fail: "a redirect without a Location header"},
		{name: "body over 1 MiB", step: pac, status: 200, body: `{"version":"1.0.0","action":"Continue","jobTitle":"` + strings.Repeat("a", connector.MaxBody) + `"}`, fail: "larger than 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			current.Store(&[3]string{fmt.Sprint(tt.status), tt.body, tt.location})
			requests.Store(0)
			var calls []connector.Call
			res := client(connector.Endpoint{Name: "api", URL: srv.URL, Retries: 1}, &calls).Call(context.Background(),
				apiconnector.Request{Connector: "api", Step: tt.step, Claims: engine.Claims{"email": "a@b.com"}})
			if requests.Load() != 1 {
				t.Errorf("%d requests; an HTTP answer is neither retried nor followed", requests.Load())
			}
			v := struct {
				apiconnector.Result
				Warnings []string
			}{res, calls[0].Warnings}
			if calls[0].Outcome == "failure" && calls[0].Diagnostic != v.Failure.Diagnostic {
				t.Errorf("the call record's diagnostic differs: %q", calls[0].Diagnostic)
			}
			if tt.fail != "" {
				if v.Failure == nil {
					t.Fatalf("not a failure: %+v", v)
				}
				if !strings.Contains(v.Failure.Diagnostic, tt.fail) {
					t.Errorf("diagnostic %q lacks %q", v.Failure.Diagnostic, tt.fail)
				}
				if !strings.HasPrefix(v.Failure.Message, "The claims exchange '") {
					t.Errorf("user message %q is not B2C's generic text", v.Failure.Message)
				}
				return
			}
			if v.Failure != nil {
				t.Fatalf("failure: %s", v.Failure.Diagnostic)
			}
			if v.Action != tt.action || v.UserMessage != tt.message || len(v.Warnings) != tt.warnings {
				t.Errorf("got %s %q warnings %v", v.Action, v.UserMessage, v.Warnings)
			}
			if tt.claims != nil && !equalClaims(v.Claims, tt.claims) {
				t.Errorf("claims = %v, want %v", v.Claims, tt.claims)
			}
		})
	}
}

func equalClaims(a, b engine.Claims) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestFailureTextNamesTheClaimsExchange(t *testing.T) {
	v := wire.Interpret(schema, apiconnector.PostAttributeCollection, 400, "application/json", []byte(`{"version":"1.0.0","action":"ValidationError"}`))
	want := "The claims exchange 'PreUserWriteRestful' specified in step '1' returned HTTP error response with Code 'BadRequest' and Reason 'Bad Request'."
	if v.Failure == nil || v.Failure.Message != want {
		t.Errorf("message = %+v, want %q", v.Failure, want)
	}
}

// recorder is an httptest connector that records requests and answers with handle.
type recorder struct {
	srv      *httptest.Server
	requests atomic.Int32
	last     atomic.Pointer[http.Request]
	body     atomic.Pointer[[]byte]
}

func newRecorder(t *testing.T, handle func(n int32, w http.ResponseWriter, r *http.Request)) *recorder {
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := rec.requests.Add(1)
		b, _ := io.ReadAll(r.Body)
		rec.last.Store(r)
		rec.body.Store(&b)
		handle(n, w, r)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func client(ep connector.Endpoint, calls *[]connector.Call) *connector.Client {
	c := &connector.Client{Schema: schema, Wire: wire, Endpoints: map[string]connector.Endpoint{ep.Name: ep}}
	if calls != nil {
		c.Observe = func(call connector.Call) { *calls = append(*calls, call) }
	}
	return c
}

var pacRequest = apiconnector.Request{Connector: "api", Step: apiconnector.PostAttributeCollection, ClientID: "c", Claims: engine.Claims{"email": "a@b.com"}}

func TestCallSendsB2CRequest(t *testing.T) {
	rec := newRecorder(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"version":"1.0.0","action":"Continue","jobTitle":"Eng"}`)
	})
	url := rec.srv.URL + "/api/validate?code=Ab%2Fc%3D%3D&x=1"
	var calls []connector.Call
	res := client(connector.Endpoint{Name: "api", URL: url, Username: "b2c", Password: "s3cret"}, &calls).Call(context.Background(), pacRequest)
	if res.Failure != nil || res.Claims["jobTitle"] != "Eng" {
		t.Fatalf("result = %+v", res)
	}
	r := rec.last.Load()
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("method %s content type %q", r.Method, r.Header.Get("Content-Type"))
	}
	if got := "http://" + r.Host + r.URL.RequestURI(); got != url {
		t.Errorf("URL = %s, want %s byte for byte", got, url)
	}
	if u, p, ok := r.BasicAuth(); !ok || u != "b2c" || p != "s3cret" {
		t.Errorf("basic auth = %q %q %v", u, p, ok)
	}
	if len(calls) != 1 || calls[0].Outcome != "Continue" || len(calls[0].Attempts) != 1 || calls[0].Attempts[0].Status != 200 {
		t.Errorf("call record = %+v", calls)
	}
}

func TestCallRetriesOnceAfterATimeout(t *testing.T) {
	rec := newRecorder(t, func(n int32, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			return
		}
		io.WriteString(w, `{"version":"1.0.0","action":"Continue"}`)
	})
	var calls []connector.Call
	res := client(connector.Endpoint{Name: "api", URL: rec.srv.URL, Timeout: 200 * time.Millisecond, Retries: 1}, &calls).Call(context.Background(), pacRequest)
	if res.Failure != nil || res.Action != apiconnector.Continue {
		t.Fatalf("result = %+v", res)
	}
	if rec.requests.Load() != 2 || len(calls[0].Attempts) != 2 || calls[0].Attempts[0].Error == "" {
		t.Errorf("requests %d attempts %+v", rec.requests.Load(), calls[0].Attempts)
	}
}

func TestCallTimesOutAfterTheRetry(t *testing.T) {
	rec := newRecorder(t, func(_ int32, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	res := client(connector.Endpoint{Name: "api", URL: rec.srv.URL + "/x?code=secret", Timeout: 100 * time.Millisecond, Retries: 1}, nil).Call(context.Background(), pacRequest)
	if res.Failure == nil || !strings.Contains(res.Failure.Message, "within timeout limit 0.1 seconds") {
		t.Fatalf("result = %+v", res.Failure)
	}
	if strings.Contains(res.Failure.Message, "secret") {
		t.Errorf("the API key reached the user: %s", res.Failure.Message)
	}
	if !strings.Contains(res.Failure.Diagnostic, "2 attempt(s)") || rec.requests.Load() != 2 {
		t.Errorf("diagnostic %q, requests %d", res.Failure.Diagnostic, rec.requests.Load())
	}
}

func TestCallDoesNotRetryAnHTTPError(t *testing.T) {
	rec := newRecorder(t, func(_ int32, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) })
	res := client(connector.Endpoint{Name: "api", URL: rec.srv.URL, Retries: 1}, nil).Call(context.Background(), pacRequest)
	if res.Failure == nil || rec.requests.Load() != 1 {
		t.Errorf("failure %+v requests %d", res.Failure, rec.requests.Load())
	}
}

func TestCallConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var calls []connector.Call
	res := client(connector.Endpoint{Name: "api", URL: "http://" + addr + "/api", Retries: 1}, &calls).Call(context.Background(), pacRequest)
	if res.Failure == nil || !strings.Contains(res.Failure.Diagnostic, "refused") || len(calls[0].Attempts) != 2 {
		t.Errorf("failure %+v attempts %d", res.Failure, len(calls[0].Attempts))
	}
}

func TestCallResetMidResponse(t *testing.T) {
	rec := newRecorder(t, func(_ int32, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		io.WriteString(w, `{"version":`)
		conn, _, _ := http.NewResponseController(w).Hijack()
		conn.Close()
	})
	res := client(connector.Endpoint{Name: "api", URL: rec.srv.URL, Retries: 1}, nil).Call(context.Background(), pacRequest)
	if res.Failure == nil {
		t.Fatalf("a cut-off response was accepted")
	}
	if !strings.Contains(res.Failure.Diagnostic, "reset before a complete response") || rec.requests.Load() != 2 {
		t.Errorf("diagnostic %q after %d requests", res.Failure.Diagnostic, rec.requests.Load())
	}
}

func TestCallUnknownConnector(t *testing.T) {
	res := client(connector.Endpoint{Name: "api", URL: "http://127.0.0.1:1"}, nil).Call(context.Background(), apiconnector.Request{Connector: "other", Step: apiconnector.PostAttributeCollection})
	if res.Failure == nil || !strings.Contains(res.Failure.Diagnostic, `"other"`) {
		t.Errorf("failure = %+v", res.Failure)
	}
}

// TestCallCancelledSaysSo: a call whose caller went away during its first attempt is not
// retried, and the diagnostic says so rather than reporting failed attempts.
func TestCallCancelledSaysSo(t *testing.T) {
	started := make(chan struct{}, 2)
	rec := newRecorder(t, func(_ int32, _ http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	var calls []connector.Call
	res := client(connector.Endpoint{Name: "api", URL: rec.srv.URL, Timeout: 5 * time.Second, Retries: 1}, &calls).Call(ctx, pacRequest)
	if res.Failure == nil || rec.requests.Load() != 1 || len(calls[0].Attempts) != 1 {
		t.Fatalf("failure %+v after %d requests", res.Failure, rec.requests.Load())
	}
	if d := res.Failure.Diagnostic; !strings.Contains(d, "was cancelled during attempt 1") || strings.Contains(d, "retries once") {
		t.Errorf("diagnostic = %s", d)
	}
}
