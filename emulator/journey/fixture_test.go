package journey

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// fixturePolicies loads the named files of one of the emulator's policy fixtures
// (emulator/testdata/<folder>), each file's text first given to edit when it is not nil.
func fixturePolicies(t *testing.T, folder string, names []string, edit func(name, text string) string) map[string]*policy.Policy {
	t.Helper()
	var srcs []policy.Source
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join("..", "testdata", folder, name))
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			b = []byte(edit(name, string(b)))
		}
		srcs = append(srcs, policy.Source{Name: name, Data: b})
	}
	policies, err := policy.LoadSources(srcs)
	if err != nil {
		t.Fatal(err)
	}
	return policies
}
