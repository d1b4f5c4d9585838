package journey

import (
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// TestDateComparisons: DateTimeComparison and IsTermsOfUseConsentRequired as Microsoft's date
// claims transformations reference gives them, its own examples among the cases.
func TestDateComparisons(t *testing.T) {
	now := time.Date(2022, 3, 16, 0, 0, 0, 0, time.UTC)
	e := &Engine{Tenant: "contoso", Now: func() time.Time { return now }}
	bag := func() map[string]string {
		return map[string]string{"jan": "2022-01-01T00:00:00.100000Z", "mar": "2022-03-16T00:00:00.100000Z", "consent": "2020-03-09T09:15:00",
			"slash": "3/16/2022 12:00:00 AM", "bad": "soon"}
	}
	m := func(pairs ...string) map[string]string {
		out := map[string]string{}
		for i := 0; i+1 < len(pairs); i += 2 {
			out[pairs[i]] = pairs[i+1]
		}
		return out
	}
	cmp := func(first, second string) map[string]string {
		in := m("firstDateTime", first)
		if second != "" {
			in["secondDateTime"] = second
		}
		return in
	}
	for _, tc := range []struct {
		name          string
		method        string
		inputs, param map[string]string
		want          string // "error" for a failed profile
	}{
		{"the reference's example: Jan 1 plus 90 days is later than Mar 16", "DateTimeComparison", cmp("jan", "mar"), m("operator", "later than", "timeSpanInSeconds", "7776000"), "true"},
		{"without the span Jan 1 is earlier", "DateTimeComparison", cmp("jan", "mar"), m("operator", "earlier than"), "true"},
		{"later than, not", "DateTimeComparison", cmp("jan", "mar"), m("operator", "Later Than"), "false"},
		{"a negative span", "DateTimeComparison", cmp("mar", "jan"), m("operator", "earlier than", "timeSpanInSeconds", "-7000000"), "true"},
		{"same", "DateTimeComparison", cmp("mar", "slash"), m("operator", "same", "timeSpanInSeconds", "-0"), "false"},
		{"no second date is now", "DateTimeComparison", cmp("jan", ""), m("operator", "earlier than", "timeSpanInSeconds", "6000000"), "true"},
		{"no first date fails", "DateTimeComparison", cmp("absent", "mar"), m("operator", "same"), "error"},
		{"an unreadable date fails", "DateTimeComparison", cmp("bad", "mar"), m("operator", "same"), "error"},
		{"an unknown operator fails", "DateTimeComparison", cmp("jan", "mar"), m("operator", "greater"), "error"},
		{"a span that is no number fails", "DateTimeComparison", cmp("jan", "mar"), m("operator", "same", "timeSpanInSeconds", "90d"), "error"},
		{"the reference's example: consent before the update", "IsTermsOfUseConsentRequired", m("termsOfUseConsentDateTime", "consent"), m("termsOfUseTextUpdateDateTime", "2021-11-15"), "true"},
		{"consent after the update", "IsTermsOfUseConsentRequired", m("termsOfUseConsentDateTime", "mar"), m("termsOfUseTextUpdateDateTime", "2021-11-15T00:00:00"), "false"},
		{"no consent yet", "IsTermsOfUseConsentRequired", m("termsOfUseConsentDateTime", "absent"), m("termsOfUseTextUpdateDateTime", "2021-11-15"), "true"},
		{"an unreadable update date fails", "IsTermsOfUseConsentRequired", m("termsOfUseConsentDateTime", "mar"), m("termsOfUseTextUpdateDateTime", "November"), "error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &policy.Policy{Transformations: map[string]*policy.Element{"t": transformation(tc.method, tc.inputs, tc.param, m("result", "out"))}}
			scope := bag()
			err := e.transform(p, &policy.TechnicalProfile{ID: "tp"}, "t", scope)
			switch {
			case tc.want == "error" && err == nil:
				t.Fatalf("no error; out = %q", scope["out"])
			case tc.want == "error":
				if err.Unsupported || err.Diagnostic == "" {
					t.Errorf("error = %+v, want a diagnosed failure", err)
				}
			case err != nil:
				t.Fatalf("%+v", err)
			case scope["out"] != tc.want:
				t.Errorf("result = %q, want %q", scope["out"], tc.want)
			}
		})
	}
}
