package web_test

import (
	"path/filepath"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// startFixture serves one of the emulator's own policy fixtures (emulator/testdata/<folder>)
// for the viewer application, whose redirect URI is the emulator's token viewer.
func startFixture(t *testing.T, folder string) *emulatortest.Server {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "emulator", "testdata", folder))
	return emulatortest.Start(t, `
tenant:
  name: contoso
  id: 11111111-2222-4333-8444-555555555555
applications:
  - name: Viewer
    clientId: `+phoneClient+`
    redirectUris: [/jwt]
customPolicies:
  paths: [`+dir+`]
`)
}
