package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
)

// Templates are the built-in page templates a user flow's pageLayout.template names, as the
// portal's Page layouts list them: Ocean Blue (the default of a new user flow), Slate Gray and
// Classic.
var Templates = []string{"oceanBlue", "slateGray", "classic"}

// PageDefinitions maps a pageLayout.customPageUri page to the content definition B2C shows it
// with (the portal's Page layouts rows): the unified sign-up or sign-in page, the identity
// provider selection of a sign-up flow, the local and the social account sign-up pages, and
// the error page.
var PageDefinitions = map[string]string{
	"unified":             "api.signuporsignin",
	"idpSelection":        "api.idpselections.signup",
	"localAccountSignUp":  "api.localaccountsignup",
	"socialAccountSignUp": "api.selfasserted",
	"error":               "api.error",
}

// PageDefinition is the content definition of a customPageUri page name, in any case (viper
// gives map keys in lower case).
func PageDefinition(name string) (string, bool) {
	for k, cd := range PageDefinitions {
		if strings.EqualFold(k, name) {
			return cd, true
		}
	}
	return "", false
}

func pageNames() string {
	names := make([]string, 0, len(PageDefinitions))
	for k := range PageDefinitions {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// validatePageLayout checks a user flow's pageLayout: a known template, known pages, and
// custom page content that b2cemu can load — a file that exists, or an http(s) URL on
// loopback (b2cemu loads nothing from the network).
func (c *Config) validatePageLayout(v *validator, key string, pl PageLayout) {
	if t := pl.Template; t != "" && !knownTemplate(t) {
		v.add(key+".template", fmt.Sprintf("%q is not a page template; use oceanBlue (the default), slateGray or classic", t))
	}
	for name, uri := range pl.CustomPageURI {
		k := key + ".customPageUri." + name
		if _, ok := PageDefinition(name); !ok {
			v.add(k, fmt.Sprintf("%q is not a page of a user flow's page layouts; use one of: %s", name, pageNames()))
			continue
		}
		if msg := c.checkPageURI(uri); msg != "" {
			v.add(k, msg)
		}
	}
}

func knownTemplate(t string) bool {
	for _, known := range Templates {
		if t == known {
			return true
		}
	}
	return false
}

// checkPageURI is what is wrong with a custom page URI, "" when nothing is.
func (c *Config) checkPageURI(uri string) string {
	if uri == "" {
		return "is empty; give a file (relative to the configuration file) or a loopback URL such as http://127.0.0.1:8000/unified.html, or remove the page"
	}
	if u, err := url.Parse(uri); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		if !LoopbackHost(u.Hostname()) {
			return fmt.Sprintf("%q is not on loopback; b2cemu loads custom page content only from a file or from localhost, 127.0.0.1 or [::1] — serve a copy of the page locally", RedactQuery(uri))
		}
		return ""
	}
	if strings.Contains(uri, "://") {
		return fmt.Sprintf("%q is neither a file nor an http(s) URL", RedactQuery(uri))
	}
	if strings.Contains(uri, "{Culture:") {
		return "" // the file depends on the page's language; it is read when a page is shown
	}
	if info, err := os.Stat(c.Resolve(uri)); err != nil || info.IsDir() {
		return fmt.Sprintf("%q cannot be read as a file (%v); give an HTML file relative to the configuration file", uri, errOrDir(err))
	}
	return ""
}

func errOrDir(err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("it is a folder")
}

// LoopbackHost reports whether host is localhost or a loopback address.
func LoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RedactQuery is uri without its query, which may hold a key.
func RedactQuery(uri string) string {
	if i := strings.IndexAny(uri, "?#"); i >= 0 {
		return uri[:i]
	}
	return uri
}
