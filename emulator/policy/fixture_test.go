package policy_test

import (
	"os"
	"path/filepath"
	"testing"
)

// fixtureReader reads the files of one of the emulator's policy fixtures
// (emulator/testdata/<folder>), failing the test when one is missing.
func fixtureReader(t *testing.T, folder string) func(name string) string {
	return func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "testdata", folder, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
}
