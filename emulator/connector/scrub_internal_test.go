package connector

import (
	"sync"
	"testing"
)

// TestScrubber: the longest secret wins where one contains another, text without a secret is
// returned as it is, and the scrubber may be used from several goroutines.
func TestScrubber(t *testing.T) {
	clean := scrubber([]string{"abcd", "abcdef", "zz99"})
	for _, c := range []struct{ in, want string }{
		{"xabcdefy", "x[redacted]y"},
		{"abcd and zz99", "[redacted] and [redacted]"},
		{"nothing here", "nothing here"},
		{"", ""},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := clean(c.in); got != c.want {
				t.Errorf("clean(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if got := clean("key=abcdef"); got != "key=[redacted]" {
				t.Errorf("concurrent clean = %q", got)
			}
		})
	}
	wg.Wait()
	if got := scrubber(nil)("abcd"); got != "abcd" {
		t.Errorf("no secrets: %q", got)
	}
}
