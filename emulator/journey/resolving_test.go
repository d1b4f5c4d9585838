package journey

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// TestResolvingNeedsTheMetadataItem: the profiles Microsoft lists with
// IncludeClaimResolvingInClaimsHandling resolve claim resolvers only with it set to true and
// otherwise keep the text as written, with a warning naming the fix; the others resolve.
func TestResolvingNeedsTheMetadataItem(t *testing.T) {
	c := policy.ClaimRef{ClaimType: "userLanguage", DefaultValue: "{Culture:LCID}", HasDefault: true}
	for _, tc := range []struct {
		kind    policy.Kind
		setting string // "" for no metadata item
		want    string
		warned  bool
	}{
		{policy.Restful, "", "{Culture:LCID}", true},
		{policy.Restful, "true", "1033", false},
		{policy.Restful, "True", "1033", false},
		{policy.Restful, "false", "{Culture:LCID}", true},
		{policy.SelfAsserted, "", "{Culture:LCID}", true},
		{policy.SelfAsserted, "true", "1033", false},
		{policy.Directory, "", "{Culture:LCID}", true},
		{policy.Transformation, "", "{Culture:LCID}", true},
		{policy.PasswordCheck, "", "{Culture:LCID}", true},
		{policy.IdentityProvider, "", "{Culture:LCID}", true},
		{policy.IdentityProvider, "true", "1033", false},
		{policy.TokenIssuer, "", "1033", false},
		{policy.Session, "", "1033", false},
		{policy.OneTimePassword, "", "1033", false},
	} {
		var log bytes.Buffer
		e := &Engine{Log: slog.New(slog.NewTextHandler(&log, nil))}
		tp := &policy.TechnicalProfile{ID: "TP-1", Kind: tc.kind, Metadata: map[string]string{}}
		if tc.setting != "" {
			tp.Metadata[resolvingKey] = tc.setting
		}
		got := e.resolveDefault(&policy.Policy{ID: "B2C_1A_x"}, &engine.Run{ID: "run-1"}, tp, map[string]string{}, c)
		if got != tc.want {
			t.Errorf("%s %q: value = %q, want %q", tc.kind, tc.setting, got, tc.want)
		}
		out := log.String()
		if warned := strings.Contains(out, "unresolved"); warned != tc.warned {
			t.Errorf("%s %q: warned = %v, want %v: %s", tc.kind, tc.setting, warned, tc.warned, out)
		}
		if tc.warned {
			for _, part := range []string{"TP-1", "userLanguage", `<Item Key=\"IncludeClaimResolvingInClaimsHandling\">true</Item>`} {
				if !strings.Contains(out, part) {
					t.Errorf("%s: the warning does not name %s: %s", tc.kind, part, out)
				}
			}
		}
	}
}

// TestResolvingPlainDefaults: a default with no claim resolver is used as written and never
// warned about.
func TestResolvingPlainDefaults(t *testing.T) {
	var log bytes.Buffer
	e := &Engine{Log: slog.New(slog.NewTextHandler(&log, nil))}
	tp := &policy.TechnicalProfile{ID: "REST", Kind: policy.Restful, Metadata: map[string]string{}}
	c := policy.ClaimRef{ClaimType: "client_id", DefaultValue: "ProxyIdentityExperienceFrameworkAppId", HasDefault: true}
	if got := e.resolveDefault(&policy.Policy{}, &engine.Run{}, tp, map[string]string{}, c); got != c.DefaultValue || log.Len() != 0 {
		t.Errorf("value = %q, log = %q", got, log.String())
	}
	if w := resolverWarnings(tp); len(w) != 0 {
		t.Errorf("warnings = %q", w)
	}
}
