package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/web"
)

// modelEngine is an engine whose first page is page, with errors set, and which records the
// inputs it gets: the web layer has nothing but the page model to go on.
type modelEngine struct {
	page   *engine.Page
	phase  engine.Phase
	values engine.Claims // the run's values; nil gives pet=Rex1
	inputs []engine.Input
}

func (e *modelEngine) Start(_ context.Context, def *flows.Definition, id, clientID, uiLocales string) *engine.Run {
	values := e.values
	if values == nil {
		values = engine.Claims{"pet": "Rex1"}
	}
	return &engine.Run{ID: id, Policy: def.ID, ClientID: clientID, Phase: e.phase, Page: e.page,
		Values: values, FieldErrors: map[string]string{"pet": "Lower case only."}, FieldIncorrect: true}
}

func (e *modelEngine) Advance(_ context.Context, _ *flows.Definition, r *engine.Run, in engine.Input) error {
	e.inputs = append(e.inputs, in)
	r.Seq++
	return nil
}

// TestPagesFromTheModel: the pages are rendered from Run.Page alone, whichever engine filled
// it — its title, fields (id, claim, label, pattern and its help), errors and buttons — and a
// submission's fields reach the engine by the claims the model gave them.
func TestPagesFromTheModel(t *testing.T) {
	get := func(t *testing.T, e *modelEngine) (*goquery.Document, *http.Cookie) {
		d := testDeps(&fakeCalls{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		d.Machine = e
		h := web.New(d)
		q := url.Values{"client_id": {"c1"}, "redirect_uri": {"http://app.test/cb"}, "scope": {"openid"}, "response_type": {"id_token"}, "nonce": {"n"}}
		rec := serve(h, http.MethodGet, "/contoso.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/authorize?"+q.Encode())
		doc, err := goquery.NewDocumentFromReader(rec.Body)
		if rec.Code != 200 || err != nil {
			t.Fatalf("%d %v", rec.Code, err)
		}
		var csrf *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == "x-ms-cpim-csrf" {
				csrf = c
			}
		}
		form := url.Values{"csrf": {csrf.Value}, "seq": {"0"}, "extension_pet": {"rex"}, "other": {"x"}}
		req := httptest.NewRequest(http.MethodPost, doc.Find("form#attributeVerification, form#localAccountForm").AttrOr("action", ""), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(csrf)
		h.ServeHTTP(httptest.NewRecorder(), req)
		return doc, csrf
	}
	t.Run("a self-asserted page", func(t *testing.T) {
		e := &modelEngine{phase: engine.PhaseAttributes, page: &engine.Page{Title: "Pets", Intro: "Tell us.", ContinueLabel: "Go", Fields: []engine.PageField{
			{ID: "extension_pet", Claim: "pet", Label: "Pet", InputType: "TextBox", Required: true, Pattern: "[a-z]+", PatternHelp: "Lower case only."}}}}
		doc, _ := get(t, e)
		in := doc.Find("input#extension_pet")
		if doc.Find("title").Text() != "Pets" || doc.Find("#api .intro").Text() != "Tell us." || doc.Find("button#continue").Text() != "Go" ||
			in.AttrOr("pattern", "") != "[a-z]+" || in.AttrOr("data-invalid", "") != "Lower case only." || in.AttrOr("value", "") != "Rex1" ||
			strings.TrimSpace(doc.Find("#extension_pet_error").Text()) != "Lower case only." || doc.Find("li.extension_pet_li label").First().Text() == "" {
			h, _ := doc.Html()
			t.Fatalf("page:\n%s", h)
		}
		if doc.Find("#fieldIncorrect").AttrOr("aria-hidden", "") != "false" || doc.Find("#requiredFieldMissing").AttrOr("aria-hidden", "") != "true" {
			t.Errorf("#fieldIncorrect %s, #requiredFieldMissing %s", doc.Find("#fieldIncorrect").AttrOr("aria-hidden", ""), doc.Find("#requiredFieldMissing").AttrOr("aria-hidden", ""))
		}
		sub, ok := e.inputs[0].(engine.SubmitAttributes)
		if len(e.inputs) != 1 || !ok || sub.Values["pet"] != "rex" || sub.Values["other"] != "x" || sub.Values["extension_pet"] != "" {
			t.Errorf("inputs %+v", e.inputs)
		}
	})
	t.Run("a Paragraph", func(t *testing.T) {
		const msg = `Call <b>us</b> & "ask"`
		e := &modelEngine{phase: engine.PhaseAttributes, values: engine.Claims{"note": msg, "pet": "Rex"}, page: &engine.Page{Title: "Note", ContinueLabel: "Go",
			Fields: []engine.PageField{{ID: "note", Label: "Please note", InputType: "Paragraph", Required: true}, {ID: "pet", Label: "Pet", InputType: "TextBox"}}}}
		doc, _ := get(t, e)
		entry := doc.Find("li.Paragraph.note_li > div.attrEntry")
		p := entry.Find("p.textInParagraph#note")
		if p.Length() != 1 || p.Text() != msg || p.Find("b").Length() != 0 || p.AttrOr("aria-label", "") != msg || p.AttrOr("tabindex", "") != "0" {
			h, _ := doc.Html()
			t.Fatalf("the Paragraph is not text with its value:\n%s", h)
		}
		if label := entry.Find("label#note_label[for=note]"); label.Text() != "Please note" || label.Find(".required").Length() != 0 {
			t.Errorf("label %q, required marks %d", label.Text(), label.Find(".required").Length())
		}
		if entry.Find("input, textarea, select, [name=note]").Length() != 0 || entry.Find("div.error.itemLevel#note_error").Length() != 1 {
			h, _ := entry.Html()
			t.Errorf("the Paragraph's entry holds an input, or no item error:\n%s", h)
		}
	})
	t.Run("a sign-in page", func(t *testing.T) {
		e := &modelEngine{phase: engine.PhaseSignIn, page: &engine.Page{Title: "Welcome", Unified: true, LocalSignIn: true, SignInName: "logonIdentifier",
			ForgotPassword: "AfterButtons", Providers: []engine.PageOption{{Value: "PetsExchange", Label: "Pets Inc."}}}}
		doc, _ := get(t, e)
		if doc.Find("title").Text() != "Welcome" || doc.Find("input#logonIdentifier").Length() != 1 || doc.Find("button#PetsExchange").Text() != "Pets Inc." ||
			doc.Find(".buttons + .forgot-password a#forgotPassword").Length() != 1 || doc.Find("a#createAccount").Length() != 0 || doc.Find("#api[data-name=Unified]").Length() != 1 {
			h, _ := doc.Html()
			t.Fatalf("page:\n%s", h)
		}
	})
}
