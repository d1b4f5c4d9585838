package emulator

import (
	"strings"

	"github.com/b2cemu/b2cemu/flows"
)

// NamedURL is an address of the emulator with what it is.
type NamedURL struct {
	Name, URL string
}

// URLs are the addresses a developer opens first, as the start-up log prints them: the
// tenant's home page, the developer tools (index, inspector, users, emails, text messages) and each policy's
// OpenID configuration. None carries the admin token.
func (e *Emulator) URLs() []NamedURL {
	if p := e.pages.Load(); p != nil {
		return *p
	}
	return nil
}

func mainURLs(base, tenant string, defs []*flows.Definition) *[]NamedURL {
	out := []NamedURL{
		{"home page", base + "/"},
		{"developer tools", base + "/_emulator"},
		{"call inspector", base + "/_emulator/calls"},
		{"users", base + "/_emulator/users"},
		{"emails", base + "/_emulator/emails"},
		{"text messages", base + "/_emulator/sms"},
	}
	for _, d := range defs {
		out = append(out, NamedURL{"discovery " + d.ID, base + "/" + tenant + ".onmicrosoft.com/" + strings.ToLower(d.ID) + "/v2.0/.well-known/openid-configuration"})
	}
	return &out
}
