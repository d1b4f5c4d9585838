package web_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// netEvent is one request the page made, with its answer.
type netEvent struct {
	ID       network.RequestID
	Method   string
	URL      string
	Status   int
	Body     string
	finished bool
}

// netLog records the page's requests from the moment it is made, as a suite's
// page.waitForResponse does.
type netLog struct {
	ctx    context.Context
	mu     sync.Mutex
	events []*netEvent
}

func watchNetwork(t *testing.T, ctx context.Context) *netLog {
	t.Helper()
	l := &netLog{ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) { // chromedp enables the network domain on every tab
		l.mu.Lock()
		defer l.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if e.RedirectResponse != nil { // the same request id goes on to the redirect's target
				if last := l.last(e.RequestID); last != nil {
					last.Status, last.finished = int(e.RedirectResponse.Status), true
				}
			}
			l.events = append(l.events, &netEvent{ID: e.RequestID, Method: e.Request.Method, URL: e.Request.URL})
		case *network.EventResponseReceived:
			if last := l.last(e.RequestID); last != nil {
				last.Status = int(e.Response.Status)
			}
		case *network.EventLoadingFinished:
			if last := l.last(e.RequestID); last != nil {
				last.finished = true
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *netLog) last(id network.RequestID) *netEvent {
	for i := len(l.events) - 1; i >= 0; i-- {
		if l.events[i].ID == id {
			return l.events[i]
		}
	}
	return nil
}

// waitFor returns the first finished request whose URL holds part, with the body of a POST's
// answer; it fails the test after 15 seconds.
func (l *netLog) waitFor(t *testing.T, part string) netEvent {
	t.Helper()
	for end := time.Now().Add(15 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		l.mu.Lock()
		var found *netEvent
		for _, e := range l.events {
			if e.finished && strings.Contains(e.URL, part) {
				found = e
				break
			}
		}
		var got netEvent
		if found != nil {
			got = *found
		}
		l.mu.Unlock()
		if found == nil {
			continue
		}
		if got.Method == "POST" {
			res, err := chromedp.Call(l.ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: got.ID})
			got.Body = string(res.Body)
			if err != nil {
				t.Fatalf("the answer to %s: %v", got.URL, err)
			}
		}
		return got
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var seen []string
	for _, e := range l.events {
		seen = append(seen, e.Method+" "+e.URL)
	}
	t.Fatalf("no request to %s; seen %q", part, seen)
	return netEvent{}
}

// TestBrowserBackgroundSubmit signs up a local account on a user flow in Chromium: the page
// submits in the background to SelfAsserted, the connector's ValidationError is shown with
// every value kept, the passwords too, and the fixed submit goes on through
// api/SelfAsserted/confirmed; the unified page signs in the same way through
// api/CombinedSigninAndSignup/confirmed.
func TestBrowserBackgroundSubmit(t *testing.T) {
	ctx := chromium(t)
	srv, api := startWoodgrove(t)
	q := woodgroveQuery(srv)
	q.Set("response_mode", "form_post")
	q.Set("prompt", "login") // the sign-in below, after the sign-up's SSO session
	authorize := srv.URL + "/woodgrove.onmicrosoft.com/B2C_1_woodgrove/oauth2/v2.0/authorize?" + q.Encode()
	const email = "ines@woodgrove.example"

	// The verification buttons work in the background too: the passwords typed first stay.
	err := chromedp.Do(ctx,
		chromedp.Navigate(authorize),
		chromedp.Click(css("a#createAccount")),
		chromedp.WaitVisible(css("#email_ver_but_send")),
		chromedp.SendKeys(css("#newPassword"), "Str0ng!pass"),
		chromedp.SendKeys(css("#reenterPassword"), "Str0ng!pass"),
		chromedp.SendKeys(css("#email"), email),
	)
	if err != nil {
		t.Fatal(err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "/B2C_1_woodgrove/api/CombinedSigninAndSignup/unified?local=signup&csrf_token=") {
		t.Errorf("the sign-up page is at %s", loc)
	}
	markPage(t, ctx)
	net := watchNetwork(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Click(css("#email_ver_but_send")), chromedp.WaitVisible(css("#email_ver_input"))); err != nil {
		t.Fatal(err)
	}
	if r := net.waitFor(t, "/B2C_1_woodgrove/SelfAsserted?tx="); r.Method != "POST" || !strings.Contains(r.Body, `"status":"200"`) {
		t.Errorf("send code = %+v", r)
	}
	b := srv.NewBrowser(t)
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#email_ver_input"), b.OutboxCode(email)),
		chromedp.Click(css("#email_ver_but_verify")),
		chromedp.WaitVisible(css("#email_ver_control[data-state=verified]")),
		chromedp.SendKeys(css("#displayName"), "Ines"), // five characters or fewer: the connector's ValidationError
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := eval[string](t, ctx, `document.querySelector("#newPassword").value + "|" + document.querySelector("#continue").disabled`); !stillMarked(t, ctx) || got != "Str0ng!pass|false" {
		t.Errorf("after verifying: same page %v, #newPassword|#continue.disabled = %q", stillMarked(t, ctx), got)
	}
	api.take()
	net = watchNetwork(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Click(css("button#continue")), chromedp.WaitVisible(css("#claimVerificationServerError"))); err != nil {
		t.Fatal(err)
	}
	r := net.waitFor(t, "/B2C_1_woodgrove/SelfAsserted?tx=StateProperties=")
	if r.Method != "POST" || r.Status != 200 || strings.TrimSpace(r.Body) != `{"status":"400","message":"Please use a display name longer than five characters.","seq":`+seqOf(r.Body)+`}` {
		t.Errorf("background submit = %+v", r)
	}
	if got := read(t, ctx, chromedp.Text(css("#claimVerificationServerError"))); got != "Please use a display name longer than five characters." {
		t.Errorf("#claimVerificationServerError = %q", got)
	}
	values := eval[[]string](t, ctx, `["#email", "#newPassword", "#reenterPassword", "#displayName"].map(s => document.querySelector(s).value)`)
	if !stillMarked(t, ctx) || strings.Join(values, "|") != email+"|Str0ng!pass|Str0ng!pass|Ines" {
		t.Errorf("after the ValidationError: same page %v, values %q", stillMarked(t, ctx), values)
	}
	if steps := api.take(); len(steps) != 1 || steps[0] != "PostAttributeCollection" {
		t.Errorf("connector steps = %v", steps)
	}
	// Fix the one field and submit again: the run goes on through confirmed to the token.
	if err := chromedp.Do(ctx, chromedp.SendKeys(css("#displayName"), " Duarte"), chromedp.Click(css("button#continue")), chromedp.WaitVisible(css("#token"))); err != nil {
		t.Fatal(err)
	}
	if r := net.waitFor(t, "/B2C_1_woodgrove/api/SelfAsserted/confirmed?csrf_token="); r.Method != "GET" || r.Status != 200 {
		t.Errorf("navigation = %+v", r)
	}

	// Sign in on the unified page: a wrong password is the page's error, the page stays.
	err = chromedp.Do(ctx,
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#password"), "wrong-password"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.Contains(loc, "/oauth2/v2.0/authorize?") {
		t.Errorf("the unified page is at %s, want the authorize URL", loc)
	}
	markPage(t, ctx)
	net = watchNetwork(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Click(css("#next")), chromedp.WaitVisible(css("#localAccountForm .error.pageLevel"))); err != nil {
		t.Fatal(err)
	}
	if r := net.waitFor(t, "/SelfAsserted?"); !strings.Contains(r.Body, `"status":"400"`) || !stillMarked(t, ctx) {
		t.Errorf("wrong password: %+v, same page %v", r, stillMarked(t, ctx))
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(css("#password"), "Str0ng!pass"), chromedp.Click(css("#next")), chromedp.WaitVisible(css("#token"))); err != nil {
		t.Fatal(err)
	}
	r = net.waitFor(t, "/api/CombinedSigninAndSignup/confirmed?")
	if u, _ := url.Parse(r.URL); r.Method != "GET" || u.Query().Get("rememberMe") != "false" || u.Query().Get("p") != "B2C_1_woodgrove" {
		t.Errorf("navigation = %+v", r)
	}
}

// seqOf is the seq field of a background submit's answer.
func seqOf(body string) string {
	_, after, _ := strings.Cut(strings.TrimSpace(body), `"seq":`)
	return strings.TrimSuffix(after, "}")
}
