package connector

import (
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// secretExact are query parameter names that are secrets only as a whole word: Azure
// Functions' code, a SAS's sig and sv, and short names for a password or credentials.
var secretExact = map[string]bool{"code": true, "sig": true, "sv": true, "pwd": true, "pass": true, "auth": true, "sas": true, "jwt": true}

// secretParts are name fragments that mark a secret wherever they appear: api-key,
// subscription-key, x-functions-key, access_token, client_secret, password, signature, ….
var secretParts = []string{"key", "secret", "token", "passw", "pwd", "signature", "credential", "auth", "sig", "bearer", "assertion"}

// SecretParam reports whether a query parameter named name carries a secret. Names are
// compared without case, dashes, underscores or dots, so x-functions-key, Ocp-Apim-Subscription-Key,
// api_key and apiKey all match.
func SecretParam(name string) bool {
	n := strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.', ' ':
			return -1
		}
		return r
	}, strings.ToLower(name))
	if secretExact[n] {
		return true
	}
	for _, p := range secretParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

const redacted = "[redacted]"

// Redact hides the values of secret-looking query and fragment parameters (SecretParam) and
// any user information in the URL u. Text that is not a URL is redacted as RedactText does.
func Redact(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return RedactText(u)
	}
	if parsed.User != nil {
		parsed.User = url.User("redacted")
	}
	parsed.RawQuery = redactParams(parsed.RawQuery)
	frag := parsed.EscapedFragment()
	parsed.Fragment, parsed.RawFragment = "", ""
	out := parsed.String()
	if frag != "" {
		out += "#" + redactParams(frag)
	}
	return out
}

// redactParams redacts the secret values of an &-separated list of name=value pairs.
func redactParams(q string) string {
	if q == "" {
		return q
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, _, found := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if found && SecretParam(name) {
			parts[i] = k + "=" + redacted
		}
	}
	return strings.Join(parts, "&")
}

var (
	// userInfoInText is the user:password@ of a URL written in free text.
	userInfoInText = regexp.MustCompile(`(//)[^/?#@\s"'<>]*@`)
	// paramInText is a name=value pair after ? & or # in free text.
	paramInText = regexp.MustCompile(`([?&#;])([^=&?#;\s"'<>]+)=([^&#;\s"'<>]*)`)
)

// RedactText redacts every URL in free text such as an error message: user information and
// the values of secret-looking parameters, wherever they appear.
func RedactText(s string) string {
	if !strings.ContainsAny(s, "@=") { // neither user information nor a parameter: most header values
		return s
	}
	s = userInfoInText.ReplaceAllString(s, "${1}redacted@")
	return paramInText.ReplaceAllStringFunc(s, func(m string) string {
		sub := paramInText.FindStringSubmatch(m)
		name, err := url.QueryUnescape(sub[2])
		if err != nil {
			name = sub[2]
		}
		if !SecretParam(name) {
			return m
		}
		return sub[1] + sub[2] + "=" + redacted
	})
}

// ShownURL is an endpoint URL as the user may see it in B2C's error text: without its query,
// fragment and user information, so an API key never reaches a page.
func ShownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		cut, _, _ := strings.Cut(raw, "?")
		cut, _, _ = strings.Cut(cut, "#")
		return userInfoInText.ReplaceAllString(cut, "$1")
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment, u.User = "", false, "", "", nil
	return u.String()
}

// ErrorText is err's message with no URL secret in it. Go's *url.Error repeats the whole
// request URL, ?code= key included, so its text never leaves: the inner error's does, and
// any URL left in that is redacted too.
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	for {
		ue, ok := err.(*url.Error)
		if !ok || ue.Err == nil {
			break
		}
		err = ue.Err
	}
	return RedactText(err.Error())
}

// secretValues are a request's secrets as they could appear in text: the values of its URL's
// secret query parameters (as written and decoded), its URL password, and extra (passwords,
// keys, tokens, Authorization values). Values shorter than 4 characters are left out:
// scrubbing them would mangle unrelated text.
func secretValues(rawURL string, extra ...string) []string {
	var out []string
	add := func(v string) {
		if len(v) >= 4 {
			out = append(out, v)
		}
	}
	if u, err := url.Parse(rawURL); err == nil {
		for _, p := range strings.Split(u.RawQuery, "&") {
			k, v, _ := strings.Cut(p, "=")
			if name, err := url.QueryUnescape(k); err == nil && SecretParam(name) {
				add(v)
				if dec, err := url.QueryUnescape(v); err == nil && dec != v {
					add(dec)
				}
			}
		}
		if pw, ok := u.User.Password(); ok {
			add(pw)
		}
	}
	for _, v := range extra {
		add(v)
	}
	return out
}

// scrubber replaces secret values with [redacted] in text the call record keeps: an API that
// echoes its request (an error page quoting the URL, a debug body) cannot put its key in the
// inspector either.
func scrubber(vals []string) func(string) string {
	if len(vals) == 0 {
		return func(s string) string { return s }
	}
	// The replacer is built at the first string that holds a secret: most calls record none,
	// and building it (sorting, pairs, strings.NewReplacer) was a third of a call's
	// allocations.
	r := &lazyReplacer{vals: vals}
	return func(s string) string {
		for _, v := range vals { // Replace copies every string; most hold no secret
			if strings.Contains(s, v) {
				return r.replace(s)
			}
		}
		return s
	}
}

// lazyReplacer replaces vals, the longest match first, with [redacted].
type lazyReplacer struct {
	once sync.Once
	vals []string
	r    *strings.Replacer
}

func (l *lazyReplacer) replace(s string) string {
	l.once.Do(func() {
		vals := slices.Clone(l.vals)
		sort.SliceStable(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) }) // the longest match wins
		pairs := make([]string, 0, 2*len(vals))
		for _, v := range vals {
			pairs = append(pairs, v, redacted)
		}
		l.r = strings.NewReplacer(pairs...)
	})
	return l.r.Replace(s)
}
