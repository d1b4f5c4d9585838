package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator"
	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// withLayout is the test tenant's user flow with a pageLayout.
func withLayout(t testing.TB, api, layout string) string {
	return configEdit(t, tenantYAML(api), "    type: signUpOrSignIn\n", "    type: signUpOrSignIn\n    pageLayout: "+layout+"\n")
}

// TestPageTemplates: a user flow's pageLayout.template picks the template's stylesheet and
// body class; every template keeps B2C's ids and the shell's containers. Ocean Blue is the
// default.
func TestPageTemplates(t *testing.T) {
	api := startAPI(t, &connectorScript{})
	for _, tc := range []struct {
		layout, template string
		unified          bool // div.container.unified_container
	}{
		{"", "oceanBlue", true},
		{"{template: oceanBlue}", "oceanBlue", true},
		{"{template: slateGray}", "slateGray", true},
		{"{template: classic}", "classic", false},
	} {
		yaml := tenantYAML(api)
		if tc.layout != "" {
			yaml = withLayout(t, api, tc.layout)
		}
		srv := emulatortest.Start(t, yaml)
		page := srv.NewBrowser(t).Get(authorizeURL(nil))
		d := page.Doc
		if d.Find("body.template-"+tc.template).Length() != 1 || d.Find(`link[href="/_static/`+tc.template+`.css"]`).Length() != 1 {
			t.Errorf("%s: not the %s template:\n%s", tc.layout, tc.template, page.Body)
		}
		if (d.Find("div.container.unified_container").Length() == 1) != tc.unified {
			t.Errorf("%s: unified_container = %v", tc.layout, !tc.unified)
		}
		for _, sel := range []string{"#background_branding_container", ".container > .row > .panel #api[data-name=Unified]", "#localAccountForm #email", "#password", "button#next", "#createAccount", "#FacebookExchange.accountButton"} {
			if d.Find(sel).Length() != 1 {
				t.Errorf("%s: no %s", tc.layout, sel)
			}
		}
		resp, err := srv.Client.Get(srv.URL + "/_static/" + tc.template + ".css")
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s: stylesheet %v %v", tc.layout, err, resp)
		}
	}
}

// TestCustomPolicyTemplateByLoadUri: a content definition's LoadUri picks the template, page
// by page: ~/tenant/templates/MSA/… is Slate Gray, ~/tenant/default/… Classic.
func TestCustomPolicyTemplateByLoadUri(t *testing.T) {
	for _, tc := range []struct{ folder, template string }{
		{"~/tenant/templates/AzureBlue/", "oceanBlue"},
		{"~/tenant/templates/MSA/", "slateGray"},
		{"~/tenant/default/", "classic"},
	} {
		t.Run(tc.template, func(t *testing.T) {
			edit := replaceIn(t, baseXML, "<LoadUri>~/tenant/templates/AzureBlue/unified.cshtml", "<LoadUri>"+tc.folder+"unified.cshtml")
			srv, _ := startLoyaltyIn(t, http.NotFoundHandler(), edit, "")
			page := srv.NewBrowser(t).Get(customAuthorize())
			if page.Doc.Find("body.template-"+tc.template+" #api[data-name=Unified] #signInName").Length() != 1 {
				t.Errorf("%s: not %s:\n%s", tc.folder, tc.template, page.Body)
			}
		})
	}
}

const customUnified = `<!DOCTYPE html>
<html><head><title>Fabrikam sign-in</title><link rel="stylesheet" href="site.css"><style>#api h2 { letter-spacing: 2px }</style>
<script>window.ranCustom = true;</script></head>
<body><header class="brand">Fabrikam</header><div id="api" class="card"></div></body></html>`

// TestCustomPageContent: a user flow's customPageUri (a file beside the configuration) holds
// the unified page: the custom page's head and body around b2cemu's <div id="api">, B2C's
// ids inside it; its scripts removed while JavaScript is off; its folder's assets served, and
// nothing else; the CSP allows its <style>.
func TestCustomPageContent(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "unified.html"), []byte(customUnified), 0o644)
	os.WriteFile(filepath.Join(dir, "site.css"), []byte(".brand { color: green }"), 0o644)
	os.WriteFile(filepath.Join(dir, "secrets.yaml"), []byte("key: hush"), 0o644)
	api := startAPI(t, &connectorScript{})
	srv := emulatortest.Start(t, withLayout(t, api, "{customPageUri: {unified: "+filepath.Join(dir, "unified.html")+"}}"))
	b := srv.NewBrowser(t)
	page := b.Get(authorizeURL(nil))
	d := page.Doc
	for _, sel := range []string{"head title", "header.brand", "#api.card[data-name=Unified] #localAccountForm #email", "#api #next", `link[href="/_pages/0/site.css"]`, `script[src="/_static/pages.js"]`} {
		if d.Find(sel).Length() != 1 {
			t.Errorf("no %s in\n%s", sel, page.Body)
		}
	}
	if strings.Contains(page.Body, "ranCustom") || d.Find(".panel").Length() != 0 {
		t.Errorf("the custom page's script stayed, or the template's panel came along:\n%s", page.Body)
	}
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self' 'unsafe-inline'") {
		t.Errorf("CSP %q", csp)
	}
	if got := b.Get("/_pages/0/site.css"); got.Status != 200 || !strings.Contains(got.Body, "green") {
		t.Errorf("site.css: %d %s", got.Status, got.Body)
	}
	for _, p := range []string{"/_pages/0/secrets.yaml", "/_pages/0/../unified.html", "/_pages/1/site.css"} {
		if got := b.Get(p); got.Status != 404 {
			t.Errorf("%s: %d", p, got.Status)
		}
	}
	// The next page, the attribute page after "Sign up now", has no custom page: the template.
	next := b.Follow(page, "#createAccount")
	if next.Doc.Find("body.template-oceanBlue #api[data-name=SelfAsserted]").Length() != 1 {
		t.Errorf("the local sign-up page:\n%s", next.Body)
	}
}

// TestCustomPageOverLoopback: a loopback URL with {Culture:RFC5646} is fetched for the page's
// language with ui_locales passed; with JavaScript on, the page keeps its scripts and the CSP
// allows them by hash; its relative references point at its server.
func TestCustomPageOverLoopback(t *testing.T) {
	var asked []string
	pages := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.String())
		w.Write([]byte(customUnified))
	}))
	defer pages.Close()
	api := startAPI(t, &connectorScript{})
	srv := emulatortest.Start(t, withLayout(t, api, "{javaScript: true, customPageUri: {unified: \""+pages.URL+"/{Culture:RFC5646}/unified.html\"}}"))
	page := srv.NewBrowser(t).Get(authorizeURL(map[string][]string{"ui_locales": {"es"}}))
	if len(asked) != 1 || asked[0] != "/es/unified.html?ui_locales=es" {
		t.Errorf("asked %v", asked)
	}
	if !strings.Contains(page.Body, "window.ranCustom = true;") || page.Doc.Find(`link[href="`+pages.URL+`/es/site.css"]`).Length() != 1 {
		t.Errorf("page:\n%s", page.Body)
	}
	csp := page.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "'sha256-") || !strings.Contains(csp, "style-src 'self' 'unsafe-inline' "+pages.URL) || !strings.Contains(csp, "connect-src 'self' "+pages.URL) {
		t.Errorf("CSP %q", csp)
	}
	if page.Doc.Find("#api[data-name=Unified] #localAccountForm").Length() != 1 || page.Doc.Find("html[lang=es]").Length() != 1 {
		t.Errorf("page:\n%s", page.Body)
	}
}

// TestCustomPageFailures: custom page content that cannot be shown is B2C's error page,
// drawn with the template, saying what is wrong and how to fix it.
func TestCustomPageFailures(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "noapi.html"), []byte(`<html><body><div id="content"></div></body></html>`), 0o644)
	gone := httptest.NewServer(http.NotFoundHandler())
	defer gone.Close()
	for _, tc := range []struct{ uri, want string }{
		{filepath.Join(dir, "noapi.html"), `it has no element with id="api"`},
		{gone.URL + "/unified.html?sig=secret", "it answered 404 Not Found"},
	} {
		api := startAPI(t, &connectorScript{})
		srv := emulatortest.Start(t, withLayout(t, api, "{customPageUri: {unified: \""+tc.uri+"\"}}"))
		page := srv.NewBrowser(t).Get(authorizeURL(nil))
		msg := page.Text("#errorMessage")
		if page.Status != 500 || !strings.Contains(msg, tc.want) || !strings.Contains(msg, "api.signuporsignin") || strings.Contains(page.Body, "secret") ||
			page.Doc.Find("body.template-oceanBlue #api[data-name=GlobalException]").Length() != 1 {
			t.Errorf("%s: %d %q\n%s", tc.uri, page.Status, msg, page.Body)
		}
	}
}

// TestCustomPolicyCustomPage: a content definition's LoadUri that is a file beside the policy
// is custom page content; the relying party's ScriptExecution Allow keeps its scripts. A
// LoadUri file that is missing is a load error with its file and line.
func TestCustomPolicyCustomPage(t *testing.T) {
	for _, allow := range []bool{false, true} {
		t.Run(map[bool]string{false: "scripts removed", true: "ScriptExecution Allow"}[allow], func(t *testing.T) {
			edit := replaceIn(t, baseXML, "<LoadUri>~/tenant/templates/AzureBlue/unified.cshtml", "<LoadUri>unified.html")
			if allow {
				edit[signUpXML] = func(s string) string {
					return policyEdit(t, s, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" />`, `<DefaultUserJourney ReferenceId="SignUpOrSignIn" /><UserJourneyBehaviors><ScriptExecution>Allow</ScriptExecution></UserJourneyBehaviors>`)
				}
			}
			srv, _ := startLoyaltyIn(t, http.NotFoundHandler(), edit, "", map[string]string{"unified.html": customUnified})
			page := srv.NewBrowser(t).Get(customAuthorize())
			if page.Doc.Find("header.brand + #api.card[data-name=Unified] #signInName").Length() != 1 || strings.Contains(page.Body, "ranCustom") != allow {
				t.Errorf("ScriptExecution Allow %v:\n%s", allow, page.Body)
			}
		})
	}
}

func TestCustomPolicyMissingPageFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "docs", "examples", "custom-policies", "policies")
	for _, name := range []string{"TrustFrameworkBase.xml", "TrustFrameworkLocalization.xml", "TrustFrameworkExtensions.xml", "SignUpOrSignin.xml"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if name == baseXML {
			s = policyEdit(t, s, "<LoadUri>~/tenant/templates/AzureBlue/unified.cshtml", "<LoadUri>pages/unified.html")
		}
		os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644)
	}
	path := filepath.Join(dir, "b2cemu.yaml")
	os.WriteFile(path, []byte("tenant: {name: contoso, id: 11111111-2222-4333-8444-555555555555}\ncustomPolicies:\n  paths: ["+dir+"]\n"), 0o644)
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	_, err = emulator.New(cfg, emulator.Options{BaseURL: "http://127.0.0.1:1"})
	if err == nil || !strings.Contains(err.Error(), `ContentDefinition Id="api.signuporsignin": LoadUri "pages/unified.html" is not a readable file`) || !strings.Contains(err.Error(), "TrustFrameworkBase.xml:") {
		t.Fatalf("err = %v", err)
	}
}

// TestCustomErrorPage: the error page's custom page content holds B2C's error page; when it
// cannot be shown, the template's error page says why.
func TestCustomErrorPage(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "error.html"), []byte(`<html><head><title>Oops</title></head><body><div id="api"></div></body></html>`), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.html"), []byte(`<html><body>no api</body></html>`), 0o644)
	bad := authorizeURL(map[string][]string{"redirect_uri": {"https://evil.example/"}})
	for _, tc := range []struct{ file, title, message string }{
		{"error.html", "Oops", "AADB2C90006"},
		{"broken.html", "Error", `b2cemu could not show the api.error page in its custom page content ` + filepath.Join(dir, "broken.html") + `: it has no element with id="api"`},
	} {
		api := startAPI(t, &connectorScript{})
		srv := emulatortest.Start(t, withLayout(t, api, "{customPageUri: {error: "+filepath.Join(dir, tc.file)+"}}"))
		page := srv.NewBrowser(t).Get(bad)
		if page.Text("title") != tc.title || !strings.Contains(page.Text("#api[data-name=GlobalException] #errorMessage"), tc.message) {
			t.Errorf("%s: %q %q\n%s", tc.file, page.Text("title"), page.Text("#errorMessage"), page.Body)
		}
	}
}

// TestBrandingBackgroundImage: company branding's background image is served by b2cemu and
// shown in #background_branding_container; the background colour paints that container.
func TestBrandingBackgroundImage(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "sea.svg")
	os.WriteFile(img, []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`), 0o644)
	api := startAPI(t, &connectorScript{})
	srv := emulatortest.Start(t, tenantYAML(api)+"branding: {backgroundImage: "+img+", backgroundColor: \"#123456\"}\n")
	b := srv.NewBrowser(t)
	page := b.Get(authorizeURL(nil))
	if page.Doc.Find(`#background_branding_container img[data-tenant-branding-background][src="/_branding/background"]`).Length() != 1 {
		t.Errorf("no background image:\n%s", page.Body)
	}
	if css := b.Get("/_branding.css"); !strings.Contains(css.Body, "#background_branding_container { background: #123456; }") {
		t.Errorf("branding CSS: %s", css.Body)
	}
	resp, err := srv.Client.Get(srv.URL + "/_branding/background")
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("background: %v %v", err, resp)
	}
	if got := emulatortest.Start(t, tenantYAML(api)).NewBrowser(t).Get("/_branding/background"); got.Status != 404 {
		t.Errorf("without an image: %d", got.Status)
	}
}
