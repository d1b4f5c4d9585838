package journey

import (
	"testing"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// TestIdentityTransformations: the user-identity transformations of the account-linking
// samples and the social account transformations of Microsoft's reference, with their
// claim roles, the reference's examples, and the empty, absent, duplicate and unreadable
// cases.
func TestIdentityTransformations(t *testing.T) {
	const (
		live = `{"issuer":"live.com","issuerUserId":"MTA4MTQ2MDgyOTI3MDUyNTYzMjcw"}`
		fb   = `{"issuer":"facebook.com","issuerUserId":"MTIzNDU="}`
		fbB  = `{"issuer":"Facebook.com","issuerUserId":"OTk="}`
	)
	e := &Engine{Tenant: "contoso"}
	bag := func() map[string]string {
		return map[string]string{"key": "12345", "idp": "facebook.com", "fb": fb, "live": live, "both": "[" + live + "," + fb + "]",
			"two-fb": "[" + fb + "," + live + "," + fbB + "]", "one": "[" + live + "]", "empty": "[]", "bad": "{not json", "baditem": `"facebook.com"`,
			"fbname": "FACEBOOK.COM", "twitter": "twitter.com"}
	}
	m := func(pairs ...string) map[string]string {
		out := map[string]string{}
		for i := 0; i+1 < len(pairs); i += 2 {
			out[pairs[i]] = pairs[i+1]
		}
		return out
	}
	for _, tc := range []struct {
		name, method string
		inputs, outs map[string]string
		want         string // the out claim; "absent" for none, "error" for a failed profile
	}{
		{"CreateUserIdentity: issuer and base64 id", "CreateUserIdentity", m("issuerUserId", "key", "issuer", "idp"), m("userIdentity", "out"), fb},
		{"CreateUserIdentity: no user id", "CreateUserIdentity", m("issuerUserId", "missing", "issuer", "idp"), m("userIdentity", "out"), "absent"},
		{"CreateUserIdentity: no issuer", "CreateUserIdentity", m("issuerUserId", "key", "issuer", "missing"), m("userIdentity", "out"), "absent"},
		{"AddItemToUserIdentityCollection: at the end", "AddItemToUserIdentityCollection", m("item", "fb", "collection", "one"), m("collection", "out"), "[" + live + "," + fb + "]"},
		{"AddItemToUserIdentityCollection: no collection yet", "AddItemToUserIdentityCollection", m("item", "fb", "collection", "missing"), m("collection", "out"), "[" + fb + "]"},
		{"AddItemToUserIdentityCollection: an empty collection", "AddItemToUserIdentityCollection", m("item", "fb", "collection", "empty"), m("collection", "out"), "[" + fb + "]"},
		{"AddItemToUserIdentityCollection: a duplicate is not added", "AddItemToUserIdentityCollection", m("item", "fb", "collection", "both"), m("collection", "out"), "[" + live + "," + fb + "]"},
		{"AddItemToUserIdentityCollection: no item", "AddItemToUserIdentityCollection", m("item", "missing", "collection", "one"), m("collection", "out"), "[" + live + "]"},
		{"AddItemToUserIdentityCollection: neither", "AddItemToUserIdentityCollection", m("item", "missing", "collection", "missing"), m("collection", "out"), "[]"},
		{"AddItemToUserIdentityCollection: an unreadable collection fails", "AddItemToUserIdentityCollection", m("item", "fb", "collection", "bad"), m("collection", "out"), "error"},
		{"AddItemToUserIdentityCollection: an item that is no identity fails", "AddItemToUserIdentityCollection", m("item", "baditem", "collection", "one"), m("collection", "out"), "error"},
		{"AddItemToAlternativeSecurityIdCollection: the reference's example", "AddItemToAlternativeSecurityIdCollection", m("item", "fb", "collection", "one"), m("collection", "out"), "[" + live + "," + fb + "]"},
		{"AddItemToAlternativeSecurityIdCollection: the table's Element role", "AddItemToAlternativeSecurityIdCollection", m("Element", "fb", "collection", "missing"), m("collection", "out"), "[" + fb + "]"},
		{"GetIssuersFromUserIdentityCollectionTransformation", "GetIssuersFromUserIdentityCollectionTransformation", m("userIdentityCollection", "both"), m("issuersCollection", "out"), `["live.com","facebook.com"]`},
		{"GetIssuersFromUserIdentityCollectionTransformation: each issuer once", "GetIssuersFromUserIdentityCollectionTransformation", m("userIdentityCollection", "two-fb"), m("issuersCollection", "out"), `["facebook.com","live.com"]`},
		{"GetIssuersFromUserIdentityCollectionTransformation: empty", "GetIssuersFromUserIdentityCollectionTransformation", m("userIdentityCollection", "empty"), m("issuersCollection", "out"), `[]`},
		{"GetIssuersFromUserIdentityCollectionTransformation: absent", "GetIssuersFromUserIdentityCollectionTransformation", m("userIdentityCollection", "missing"), m("issuersCollection", "out"), `[]`},
		{"GetIssuersFromUserIdentityCollectionTransformation: unreadable fails", "GetIssuersFromUserIdentityCollectionTransformation", m("userIdentityCollection", "bad"), m("issuersCollection", "out"), "error"},
		{"GetIdentityProvidersFromAlternativeSecurityIdCollectionTransformation", "GetIdentityProvidersFromAlternativeSecurityIdCollectionTransformation", m("alternativeSecurityIdCollection", "both"), m("identityProvidersCollection", "out"), `["live.com","facebook.com"]`},
		{"RemoveUserIdentityFromCollectionByIssuer: every identity of the issuer, in any case", "RemoveUserIdentityFromCollectionByIssuer", m("issuer", "fbname", "collection", "two-fb"), m("collection", "out"), "[" + live + "]"},
		{"RemoveUserIdentityFromCollectionByIssuer: an issuer it does not hold", "RemoveUserIdentityFromCollectionByIssuer", m("issuer", "twitter", "collection", "both"), m("collection", "out"), "[" + live + "," + fb + "]"},
		{"RemoveUserIdentityFromCollectionByIssuer: no issuer", "RemoveUserIdentityFromCollectionByIssuer", m("issuer", "missing", "collection", "one"), m("collection", "out"), "[" + live + "]"},
		{"RemoveUserIdentityFromCollectionByIssuer: the last one", "RemoveUserIdentityFromCollectionByIssuer", m("issuer", "idp", "collection", "missing"), m("collection", "out"), "[]"},
		{"RemoveAlternativeSecurityIdByIdentityProvider: the reference's example", "RemoveAlternativeSecurityIdByIdentityProvider", m("identityProvider", "idp", "collection", "both"), m("collection", "out"), "[" + live + "]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &policy.Policy{Transformations: map[string]*policy.Element{"t": transformation(tc.method, tc.inputs, nil, tc.outs)}}
			scope := bag()
			err := e.transform(p, &policy.TechnicalProfile{ID: "tp"}, "t", scope)
			got, ok := scope["out"]
			switch {
			case tc.want == "error" && err == nil:
				t.Fatalf("no error; out = %q", got)
			case tc.want == "error":
				if err.Unsupported || err.Diagnostic == "" {
					t.Errorf("error = %+v, want a diagnosed failure", err)
				}
			case err != nil:
				t.Fatalf("%+v", err)
			case tc.want == "absent" && ok:
				t.Errorf("out = %q, want no claim", got)
			case tc.want != "absent" && got != tc.want:
				t.Errorf("out = %s, want %s", got, tc.want)
			}
		})
	}
}
