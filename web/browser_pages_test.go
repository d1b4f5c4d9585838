package web_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
)

// eval runs a script expression in the page and returns its value, failing the test on an
// error.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// markPage tags the loaded document; stillMarked reports whether the same document is still
// shown, i.e. nothing was posted and no other page was loaded since.
func markPage(t *testing.T, ctx context.Context) {
	t.Helper()
	eval[bool](t, ctx, `window.b2cemuMark = true`)
}

func stillMarked(t *testing.T, ctx context.Context) bool {
	t.Helper()
	return eval[bool](t, ctx, `window.b2cemuMark === true`)
}

// errorBox is the state of one of B2C's error containers: its aria-hidden, style attribute and
// whether it takes space on the page.
type errorBox struct {
	AriaHidden, Style string
	Shown, ShowClass  bool
}

func boxState(t *testing.T, ctx context.Context, sel string) errorBox {
	t.Helper()
	return eval[errorBox](t, ctx, `(() => { const e = document.querySelector(`+jsString(sel)+`);
		return {AriaHidden: e.getAttribute("aria-hidden"), Style: e.getAttribute("style"),
			Shown: getComputedStyle(e).display !== "none", ShowClass: e.classList.contains("show")}; })()`)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var (
	hiddenBox = errorBox{AriaHidden: "true", Style: "display: none;"}
	shownBox  = errorBox{AriaHidden: "false", Style: "display: block;", Shown: true}
)

// unifiedDOM checks the unified page as suites written for a real tenant select it: one
// [type=submit], #next, owned by form#localAccountForm; the social buttons outside that form,
// in div.claims-provider-list-buttons.social, without a type; no #cancel; B2C's title. social
// names one social button, "" on a page without any.
func unifiedDOM(t *testing.T, ctx context.Context, nameID, social string) {
	t.Helper()
	type dom struct {
		Submits, SubmitID, SubmitForm, Title   string
		NameInputs, Cancels                    int
		SocialType, SocialInForm, SocialInList bool
		NextInForm                             bool
	}
	if social == "" { // a page without social buttons: the checks hold for #next alone
		social = "next"
	}
	got := eval[dom](t, ctx, `(() => { const s = document.querySelectorAll("[type=submit]"); const b = document.querySelector(`+jsString("#"+social)+`);
		return {Submits: String(s.length), SubmitID: s.length ? s[0].id : "", SubmitForm: s.length ? s[0].getAttribute("form") : "",
			Title: document.title, NameInputs: document.querySelectorAll(`+jsString("#localAccountForm input#"+nameID)+`).length,
			Cancels: document.querySelectorAll("#cancel").length, SocialType: b.hasAttribute("type"),
			SocialInForm: b.closest("#localAccountForm") !== null, SocialInList: b.closest("div.claims-provider-list-buttons.social") !== null,
			NextInForm: document.querySelector("#localAccountForm #next") !== null}; })()`)
	want := dom{Submits: "1", SubmitID: "next", SubmitForm: "localAccountForm", Title: "Sign up or sign in", NameInputs: 1, SocialInList: true, NextInForm: true}
	if social == "next" {
		want.SocialType, want.SocialInForm, want.SocialInList = true, true, false
	}
	if got != want {
		t.Errorf("unified page DOM = %+v, want %+v", got, want)
	}
}
