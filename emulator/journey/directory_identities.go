package journey

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// The partner claims that hold a user's federated identities as one collection of
// {"issuer", "issuerUserId": base64} objects: userIdentities (the account-linking policies)
// and alternativeSecurityIds (Microsoft's social account transformations). A directory
// profile reads them from, looks users up by, and writes them to the user's federated
// identities (Graph's identities of signInType federated).
const (
	userIdentitiesClaim = "userIdentities"
	altSecurityIDsClaim = "alternativeSecurityIds"
)

func federatedCollection(key string) bool {
	return key == userIdentitiesClaim || key == altSecurityIDsClaim
}

// federatedSetter is a directory that can replace a user's federated identities (b2cemu's
// store).
type federatedSetter interface {
	SetFederated(ctx context.Context, objectID string, ids []engine.Identity) (*engine.User, error)
}

// collectionLookup is the identity a lookup by a userIdentities or alternativeSecurityIds
// input claim finds a user by: the collection's last item, the identity the journey added
// last (a sign-in's one new identity, or the one a link appended to the user's own).
func collectionLookup(tp *policy.TechnicalProfile, key, value string) (engine.Identity, *engine.Failure) {
	ids, rerr := collectionIdentities(tp, key, value)
	if rerr != nil {
		return engine.Identity{}, rerr
	}
	if len(ids) == 0 {
		return engine.Identity{}, &engine.Failure{Message: "The service has encountered an internal error.",
			Diagnostic: fmt.Sprintf("%s: the input claim %s is an empty collection, so it names no user to look up", tp.ID, key)}
	}
	return ids[len(ids)-1], nil
}

// collectionIdentities reads a federated collection claim as directory identities.
func collectionIdentities(tp *policy.TechnicalProfile, key, value string) ([]engine.Identity, *engine.Failure) {
	bad := func(err error) *engine.Failure {
		return &engine.Failure{Message: "The service has encountered an internal error.",
			Diagnostic: fmt.Sprintf("%s: the claim %s is not the collection CreateUserIdentity and AddItemToUserIdentityCollection make: %v", tp.ID, key, err)}
	}
	list, err := identityCollection(value)
	if err != nil {
		return nil, bad(err)
	}
	out := make([]engine.Identity, 0, len(list))
	for _, s := range list {
		sub, err := base64.StdEncoding.DecodeString(s.IssuerUserID)
		if err != nil || s.Issuer == "" || len(sub) == 0 {
			return nil, bad(fmt.Errorf("the item %s has no issuer or no base64 issuerUserId", jsonText(s)))
		}
		out = append(out, engine.Identity{SignInType: "federated", Issuer: s.Issuer, IssuerAssignedID: string(sub)})
	}
	return out, nil
}

// takeFederated takes the persisted federated collections out of attrs: the identities they
// hold, and whether the profile persisted any (an empty collection unlinks every provider).
func takeFederated(tp *policy.TechnicalProfile, attrs engine.Claims) ([]engine.Identity, bool, *engine.Failure) {
	var ids []engine.Identity
	found := false
	for _, key := range []string{userIdentitiesClaim, altSecurityIDsClaim} {
		v, ok := attrs[key]
		if !ok {
			continue
		}
		delete(attrs, key)
		text, _ := v.(string) // persisted claims are the bag's text
		more, rerr := collectionIdentities(tp, key, text)
		if rerr != nil {
			return nil, false, rerr
		}
		ids, found = append(ids, more...), true
	}
	return ids, found, nil
}

// setFederated is a Write persisting a federated collection of an existing user: the user's
// federated identities become the collection's, its local ones stay.
func (x *execution) setFederated(tp *policy.TechnicalProfile, u *engine.User, ids []engine.Identity) *engine.Failure {
	set, ok := x.Directory.(federatedSetter)
	if !ok {
		return unsupported(tp, "changing a user's identities in this directory")
	}
	if _, err := set.SetFederated(x.ctx, u.ObjectID, ids); err != nil {
		if errors.Is(err, directory.ErrExists) {
			return &engine.Failure{Message: x.alreadyExists(tp), Diagnostic: fmt.Sprintf("%s: %v", tp.ID, err)}
		}
		return internalError(err)
	}
	return nil
}

// federatedClaims are a user's federated identities as the collections a Read outputs; a user
// without one has neither claim.
func federatedClaims(u *engine.User, out map[string]string) {
	list := []socialIdentity{}
	for _, id := range u.Identities {
		if id.SignInType == "federated" {
			list = append(list, newSocialIdentity(id.Issuer, id.IssuerAssignedID))
		}
	}
	if len(list) > 0 {
		out[userIdentitiesClaim] = jsonText(list)
		out[altSecurityIDsClaim] = out[userIdentitiesClaim]
	}
}

// withoutIdentity is ids without the identity a lookup already gave the new user, each once.
func withoutIdentity(ids []engine.Identity, lookup engine.Identity) []engine.Identity {
	var out []engine.Identity
	for _, id := range ids {
		dup := sameIdentity(id, lookup)
		for _, o := range out {
			dup = dup || sameIdentity(id, o)
		}
		if !dup {
			out = append(out, id)
		}
	}
	return out
}

// sameIdentity matches federated identities as the store does: the issuer in any case, the
// provider's user id exactly.
func sameIdentity(a, b engine.Identity) bool {
	return a.SignInType == b.SignInType && strings.EqualFold(a.Issuer, b.Issuer) && a.IssuerAssignedID == b.IssuerAssignedID
}
