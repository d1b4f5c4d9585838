package emulatortest

import (
	"net/http"
	"sort"
	"strings"
	"sync"
)

// browserCookies keeps cookies per host as Chromium does for b2cemu, where net/http's cookiejar
// would not: B2C's x-ms-cpim-sso:{Id} has a colon outside RFC 6265's token characters, and
// Chromium sends Secure cookies to http://localhost and 127.0.0.1 (secure contexts) while the
// cookiejar sends them over https only. Paths and expiry times are not modelled: b2cemu sets
// its cookies on / for the browser's session, and deletes them with Max-Age=0.
type browserCookies struct {
	next http.RoundTripper
	mu   sync.Mutex
	jar  map[string]map[string]string // host → name → value
}

func (b *browserCookies) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if line := b.header(req.URL.Host); line != "" {
		req.Header.Set("Cookie", line)
	}
	resp, err := b.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b.keep(req.URL.Host, resp.Header.Values("Set-Cookie"))
	return resp, nil
}

// header is the Cookie header for host, in a stable order.
func (b *browserCookies) header(host string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var parts []string
	for k, v := range b.jar[host] {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// keep stores the response's Set-Cookie lines for host.
func (b *browserCookies) keep(host string, lines []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, line := range lines {
		pair, attrs, _ := strings.Cut(line, ";")
		name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || name == "" {
			continue
		}
		if b.jar[host] == nil {
			b.jar[host] = map[string]string{}
		}
		if value == "" || strings.Contains(strings.ToLower(attrs), "max-age=0") {
			delete(b.jar[host], name)
			continue
		}
		b.jar[host][name] = value
	}
}
