package ids_test

import (
	"regexp"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/ids"
)

var (
	guid   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	secret = regexp.MustCompile(`^[A-Z2-7]{52}$`)
)

// draw takes three GUIDs and a secret from g.
func draw(g *ids.Generator) [4]string {
	return [4]string{g.GUID(), g.GUID(), g.GUID(), g.Secret()}
}

func TestShapes(t *testing.T) {
	for _, g := range []*ids.Generator{ids.New(0), ids.New(42)} {
		d := draw(g)
		for _, id := range d[:3] {
			if !guid.MatchString(id) {
				t.Errorf("%q is not a version 4 GUID", id)
			}
		}
		if !secret.MatchString(d[3]) {
			t.Errorf("%q is not 52 base32 characters", d[3])
		}
	}
}

// TestSeeded: a seed gives the same sequence to every generator and again after Reset;
// another seed, or none, gives others.
func TestSeeded(t *testing.T) {
	a, b := ids.New(7), ids.New(7)
	first := draw(a)
	if draw(b) != first {
		t.Error("two generators with one seed differ")
	}
	a.Reset()
	if draw(a) != first {
		t.Error("Reset does not start the sequence again")
	}
	if draw(ids.New(8)) == first {
		t.Error("another seed gives the same sequence")
	}
	random := ids.New(0)
	if a, b := draw(random), draw(random); a == b {
		t.Error("unseeded ids repeat")
	}
}
