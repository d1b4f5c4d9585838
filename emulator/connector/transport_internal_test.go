package connector

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAtMost reads what io.ReadAll of an io.LimitReader does, for bodies around the
// limit and readers that return little at a time, and keeps a read error.
func TestReadAtMost(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 10000} {
		for _, limit := range []int{1, 100, 512, 5000, 10001} {
			body := strings.Repeat("x", n)
			want, _ := io.ReadAll(io.LimitReader(strings.NewReader(body), int64(limit)))
			for name, r := range map[string]io.Reader{"whole": strings.NewReader(body), "one byte": iotest.OneByteReader(strings.NewReader(body)),
				"data with EOF": iotest.DataErrReader(strings.NewReader(body))} {
				got, err := readAtMost(r, limit)
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s, %d bytes, limit %d: %d bytes, %v; want %d", name, n, limit, len(got), err, len(want))
				}
			}
		}
	}
	broken := errors.New("reset")
	if got, err := readAtMost(io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(broken)), 10); !errors.Is(err, broken) || string(got) != "ab" {
		t.Errorf("a broken read: %q %v", got, err)
	}
}
