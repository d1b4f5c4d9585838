package journey

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/b2cemu/b2cemu/flows/engine"
)

// socialIdentity is one federated identity as claims carry it: a userIdentity, or an
// alternativeSecurityId — the same JSON object, the issuer (the provider's name, such as
// facebook.com) and the provider's user id in base64.
type socialIdentity struct {
	Issuer       string `json:"issuer"`
	IssuerUserID string `json:"issuerUserId"`
}

// same reports whether two identities are one: the issuer in any case, the user id exactly.
func (s socialIdentity) same(o socialIdentity) bool {
	return strings.EqualFold(s.Issuer, o.Issuer) && s.IssuerUserID == o.IssuerUserID
}

// newSocialIdentity is the identity of key at the provider issuer.
func newSocialIdentity(issuer, key string) socialIdentity {
	return socialIdentity{Issuer: issuer, IssuerUserID: base64.StdEncoding.EncodeToString([]byte(key))}
}

// identityCollection reads a userIdentityCollection or alternativeSecurityIdCollection claim's
// JSON; an absent claim is an empty collection.
func identityCollection(v string) ([]socialIdentity, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var list []socialIdentity
	if err := json.Unmarshal([]byte(v), &list); err != nil {
		return nil, fmt.Errorf("%q is not a JSON array of {\"issuer\", \"issuerUserId\"} objects: %w", v, err)
	}
	return list, nil
}

// collectionOf is identityCollection for a transformation's input claim, its failure a
// diagnosed error naming the transformation and the claim's role.
func collectionOf(u *use, role string) ([]socialIdentity, *engine.Failure) {
	list, err := identityCollection(u.in[role])
	if err != nil {
		return nil, badIdentityClaim(u, role, err)
	}
	return list, nil
}

func badIdentityClaim(u *use, role string, err error) *engine.Failure {
	return &engine.Failure{Message: "The service has encountered an internal error.",
		Diagnostic: fmt.Sprintf("%s: %s input claim %q: %v", u.t.ID, u.t.Method, role, err)}
}

// createUserIdentity is CreateUserIdentity: the userIdentity of issuerUserId at issuer. Without
// either there is no identity, and the output claim is not set.
func createUserIdentity(in, _, out map[string]string) {
	if in["issuer"] == "" || in["issuerUserId"] == "" {
		return
	}
	out["userIdentity"] = jsonText(newSocialIdentity(in["issuer"], in["issuerUserId"]))
}

// addIdentity is AddItemToUserIdentityCollection and AddItemToAlternativeSecurityIdCollection:
// the collection (absent: empty) with the item at its end. An item the collection already
// holds, or no item, leaves the collection as it is: a directory user holds an identity once.
func addIdentity(_ *execution, u *use) *engine.Failure {
	list, rerr := collectionOf(u, "collection")
	if rerr != nil {
		return rerr
	}
	role := "item"
	if _, ok := u.in[role]; !ok {
		role = "Element" // the role the social reference's table names; its example says item
	}
	if v := u.in[role]; v != "" {
		var item socialIdentity
		if err := json.Unmarshal([]byte(v), &item); err != nil || item.Issuer == "" {
			return badIdentityClaim(u, role, fmt.Errorf("%q is not a JSON {\"issuer\", \"issuerUserId\"} object", v))
		}
		if !holds(list, item) {
			list = append(list, item)
		}
	}
	u.out["collection"] = jsonText(orEmpty(list))
	return nil
}

func holds(list []socialIdentity, item socialIdentity) bool {
	for _, s := range list {
		if s.same(item) {
			return true
		}
	}
	return false
}

func orEmpty(list []socialIdentity) []socialIdentity {
	if list == nil {
		return []socialIdentity{}
	}
	return list
}

// issuersOf makes GetIssuersFromUserIdentityCollectionTransformation and
// GetIdentityProvidersFromAlternativeSecurityIdCollectionTransformation: the collection's
// issuers as a stringCollection, in the collection's order, each once (compared in any case).
func issuersOf(inRole, outRole string) method {
	return func(_ *execution, u *use) *engine.Failure {
		list, rerr := collectionOf(u, inRole)
		if rerr != nil {
			return rerr
		}
		issuers := []string{}
		seen := map[string]bool{}
		for _, s := range list {
			if k := strings.ToLower(s.Issuer); s.Issuer != "" && !seen[k] {
				seen[k] = true
				issuers = append(issuers, s.Issuer)
			}
		}
		u.out[outRole] = jsonText(issuers)
		return nil
	}
}

// removeIssuer makes RemoveUserIdentityFromCollectionByIssuer and
// RemoveAlternativeSecurityIdByIdentityProvider: the collection without any identity of the
// issuer in the input claim issuerRole (compared in any case). No issuer, or one the
// collection does not hold, leaves the collection as it is.
func removeIssuer(issuerRole string) method {
	return func(_ *execution, u *use) *engine.Failure {
		list, rerr := collectionOf(u, "collection")
		if rerr != nil {
			return rerr
		}
		kept := []socialIdentity{}
		for _, s := range list {
			if u.in[issuerRole] == "" || !strings.EqualFold(s.Issuer, u.in[issuerRole]) {
				kept = append(kept, s)
			}
		}
		u.out["collection"] = jsonText(kept)
		return nil
	}
}
