package connector_test

import (
	"testing"

	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/engine"
)

func BenchmarkBody(b *testing.B) {
	req := apiconnector.Request{Step: apiconnector.PostAttributeCollection, ClientID: "6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10", UILocales: "en-US",
		Identities: []engine.Identity{federated}, Claims: engine.Claims{"email": "john@fabrikam.com", "displayName": "John Smith", "givenName": "John",
			"surname": "Smith", "city": "Lisbon", "LoyaltyNumber": "L-1", "Age": int64(42), "OptIn": true}}
	b.ReportAllocs()
	for b.Loop() {
		wire.Body(schema, req)
	}
}

func BenchmarkInterpret(b *testing.B) {
	body := []byte(`{"version":"1.0.0","action":"Continue","jobTitle":"Engineer","extension_LoyaltyNumber":"L-2","extension_831374b3bd5041bfaa54263ec9e050fc_Age":7}`)
	b.ReportAllocs()
	for b.Loop() {
		wire.Interpret(schema, apiconnector.PostAttributeCollection, 200, "application/json", body)
	}
}
