package emulator

import (
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/web"
	"github.com/b2cemu/b2cemu/web/views"
)

// flowLook is a user flow's page layouts as the pages use them: its template, its custom
// page content by content definition, its JavaScript setting.
func flowLook(cfg *config.Config, f config.UserFlow) web.Look {
	l := web.Look{Template: f.PageLayout.Template, Scripts: f.PageLayout.JavaScript, Pages: map[string]web.PageContent{}}
	for name, uri := range f.PageLayout.CustomPageURI {
		if cd, ok := config.PageDefinition(name); ok {
			if !strings.Contains(uri, "://") {
				uri = absolute(cfg.Resolve(uri))
			}
			l.Pages[cd] = web.PageContent{URI: uri}
		}
	}
	return l
}

// builtIn maps the LoadUri folders of B2C's built-in templates to them (Microsoft's
// "Customize the user interface", custom policy pivot).
var builtIn = []struct{ prefix, template string }{
	{"~/tenant/templates/AzureBlue/", views.OceanBlue},
	{"~/tenant/templates/MSA/", views.SlateGray},
	{"~/tenant/default/", views.Classic},
}

// policyLook is a custom policy's pages: each content definition's LoadUri picks a built-in
// template (~/tenant/templates/AzureBlue/… is Ocean Blue, …/MSA/… Slate Gray,
// ~/tenant/default/… Classic) or names custom page content — a file, relative to the policy
// file, or a loopback URL. A LoadUri elsewhere on the network cannot be loaded: the page is
// drawn with Ocean Blue and the log says so. A file that is missing is a problem of the
// policy's.
func policyLook(p *policy.Policy, log *slog.Logger) (web.Look, []config.Problem) {
	l := web.Look{Scripts: strings.EqualFold(p.ScriptExecution, "Allow"), FrameAncestors: p.FrameAncestors, Pages: map[string]web.PageContent{}}
	var problems []config.Problem
	for id, cd := range p.ContentDefinitions {
		// The LoadUri's own place: a content definition merged from several files takes each
		// child from the file that wrote it, and a relative path starts at that file's folder.
		at := cd.Child("LoadUri")
		if at == nil {
			at = cd
		}
		uri := cd.TextOf("LoadUri")
		pc, err := pageContent(uri, at.File)
		switch {
		case err != nil:
			problems = append(problems, config.Problem{Key: "customPolicies", Msg: fmt.Sprintf("%s:%d: ContentDefinition Id=%q: LoadUri %s", at.File, at.Line, id, err)})
		case pc.URI == "" && pc.Template == "" && uri != "" && !strings.HasPrefix(uri, "~/"):
			log.Warn("custom policy: a ContentDefinition's LoadUri is not on loopback; b2cemu loads nothing from the network, so the page is drawn with Ocean Blue (serve a copy of the page on 127.0.0.1 and point LoadUri at it)",
				"policy", p.ID, "contentDefinition", id, "file", at.File, "line", at.Line, "loadUri", config.RedactQuery(uri))
		}
		l.Pages[id] = pc
	}
	return l, problems
}

// pageContent is what a LoadUri stands for; file is the policy file that holds it.
func pageContent(uri, file string) (web.PageContent, error) {
	for _, b := range builtIn {
		if strings.HasPrefix(strings.ToLower(uri), strings.ToLower(b.prefix)) {
			return web.PageContent{Template: b.template}, nil
		}
	}
	if uri == "" || strings.HasPrefix(uri, "~/") {
		return web.PageContent{}, nil // B2C's other built-in pages: the default template
	}
	if u, err := url.Parse(uri); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		if config.LoopbackHost(u.Hostname()) {
			return web.PageContent{URI: uri}, nil
		}
		return web.PageContent{}, nil
	}
	if strings.Contains(uri, "://") {
		return web.PageContent{}, fmt.Errorf("%q is neither a file nor an http(s) URL", config.RedactQuery(uri))
	}
	path := uri
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(file), uri)
	}
	if !strings.Contains(path, "{Culture:") {
		if info, err := os.Stat(path); err != nil || info.IsDir() {
			return web.PageContent{}, fmt.Errorf("%q is not a readable file (relative paths start at the policy file's folder)", uri)
		}
	}
	return web.PageContent{URI: absolute(path)}, nil
}

// absolute is a file page's absolute path.
func absolute(uri string) string {
	if abs, err := filepath.Abs(uri); err == nil {
		return abs
	}
	return uri
}
