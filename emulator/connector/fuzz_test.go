package connector_test

import (
	"testing"

	"github.com/b2cemu/b2cemu/flows/apiconnector"
)

// FuzzInterpret feeds the response parser any status and body at every step: it never
// panics, and every answer is either a failure with a diagnostic or an action the step
// accepts, with claims that are attributes of the tenant.
func FuzzInterpret(f *testing.F) {
	f.Add(200, `{"version":"1.0.0","action":"Continue","jobTitle":"x","extension_Age":3}`, 1)
	f.Add(400, `{"version":"1.0.0","action":"ValidationError","status":"400","userMessage":"m"}`, 1)
	f.Add(200, `{"version":"1","action":"ShowBlockPage","userMessage":"m"}`, 0)
	f.Add(500, `<html>`, 2)
	f.Add(200, `[1,2]`, 1)
	steps := []apiconnector.Step{apiconnector.PostFederationSignup, apiconnector.PostAttributeCollection, apiconnector.PreTokenIssuance}
	f.Fuzz(func(t *testing.T, status int, body string, step int) {
		st := steps[((step%3)+3)%3]
		v := wire.Interpret(schema, st, status, "application/json", []byte(body))
		if v.Failure != nil {
			if v.Failure.Diagnostic == "" || v.Failure.Message == "" {
				t.Fatalf("a failure without its texts: %+v", v.Failure)
			}
			return
		}
		switch v.Action {
		case apiconnector.Continue:
			for name, val := range v.Claims {
				if _, ok := schema.Lookup(name); !ok || val == nil {
					t.Fatalf("claim %q = %v is not an attribute value", name, val)
				}
			}
		case apiconnector.ShowBlockPage, apiconnector.ValidationError:
			if v.UserMessage == "" {
				t.Fatalf("%s without a message", v.Action)
			}
			if st == apiconnector.PreTokenIssuance || (v.Action == apiconnector.ValidationError && st != apiconnector.PostAttributeCollection) {
				t.Fatalf("%s accepted at %s", v.Action, st)
			}
		default:
			t.Fatalf("no failure and no action: %+v", v)
		}
	})
}
