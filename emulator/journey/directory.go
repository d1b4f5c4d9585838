package journey

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// internalError is the user's text for a directory that failed; the diagnostic says why.
func internalError(err error) *engine.Failure {
	return &engine.Failure{Message: "The service has encountered an internal error.", Diagnostic: err.Error()}
}

// lookup is the user a directory profile's input claim finds: its key (the partner claim
// name), its value and the identity it stands for; u is nil when there is none.
type lookup struct {
	key, value string
	identity   engine.Identity
	u          *engine.User
}

// directory runs an AzureActiveDirectoryProvider profile on b2cemu's user store: it finds
// the user by the profile's input claim, applies RaiseErrorIfClaimsPrincipal…, then the
// Operation.
func (x *execution) directory(c *call) (map[string]string, *engine.Failure) {
	tp := c.tp
	l, rerr := x.findUser(tp, c.inputs)
	if rerr != nil {
		return nil, rerr
	}
	if l.u == nil && strings.EqualFold(tp.Metadata["RaiseErrorIfClaimsPrincipalDoesNotExist"], "true") {
		return nil, &engine.Failure{Code: "AADB2C99002", Message: x.text(tp, "ErrorMessage", "UserMessageIfClaimsPrincipalDoesNotExist", "An account could not be found for the provided user ID."),
			Diagnostic: fmt.Sprintf("%s: no user with %s %q", tp.ID, l.key, l.value)}
	}
	if l.u != nil && strings.EqualFold(tp.Metadata["RaiseErrorIfClaimsPrincipalAlreadyExists"], "true") {
		return nil, &engine.Failure{Message: x.alreadyExists(tp), Diagnostic: fmt.Sprintf("%s: a user with %s %q exists", tp.ID, l.key, l.value)}
	}
	switch op := tp.Metadata["Operation"]; {
	case strings.EqualFold(op, "Read"):
		if l.u == nil {
			return map[string]string{}, nil
		}
		return userClaims(x.Tenant, l.u), nil
	case strings.EqualFold(op, "Write") && l.u == nil:
		return x.createUser(tp, l, c.scope)
	case strings.EqualFold(op, "Write"):
		return x.writeUser(tp, l.u, c.scope)
	case strings.EqualFold(op, "DeleteClaimsPrincipal"):
		return x.deleteUser(tp, l.u)
	case strings.EqualFold(op, "DeleteClaims"):
		return x.updateUser(tp, l.u, removed(tp), "")
	default:
		return nil, unsupported(tp, fmt.Sprintf("the directory operation %q", op))
	}
}

// writeUser is a Write of an existing user: its persisted claims become attributes, a
// persisted federated collection (userIdentities) its federated identities.
func (x *execution) writeUser(tp *policy.TechnicalProfile, u *engine.User, scope map[string]string) (map[string]string, *engine.Failure) {
	attrs, password := persisted(tp, scope)
	delete(attrs, "objectId")
	for k := range attrs {
		if signInType(k) != "" && k != "email" {
			delete(attrs, k) // sign-in names are identities, set when the user is created
		}
	}
	ids, linked, rerr := takeFederated(tp, attrs)
	if rerr != nil {
		return nil, rerr
	}
	if linked {
		if rerr := x.setFederated(tp, u, ids); rerr != nil {
			return nil, rerr
		}
	}
	return x.updateUser(tp, u, attrs, password)
}

func (x *execution) alreadyExists(tp *policy.TechnicalProfile) string {
	return x.text(tp, "ErrorMessage", "UserMessageIfClaimsPrincipalAlreadyExists", "A user with the specified ID already exists. Please choose a different one.")
}

// findUser looks the user up by the profile's input claim: objectId, a sign-in name, the
// alternativeSecurityId of a federated identity, or a collection of them (userIdentities).
func (x *execution) findUser(tp *policy.TechnicalProfile, inputs map[string]string) (lookup, *engine.Failure) {
	var l lookup
	for k, v := range inputs {
		l.key, l.value = k, v
	}
	var err error
	switch {
	case l.key == "objectId":
		l.u, err = x.Directory.Get(x.ctx, l.value)
	case l.key == "signInNames":
		l.identity, l.u, err = x.anySignInName(l.value)
	case signInType(l.key) != "":
		l.identity = x.localIdentity(signInType(l.key), l.value)
		l.u, err = x.Directory.FindByIdentity(x.ctx, l.identity)
	case l.key == "alternativeSecurityId":
		var rerr *engine.Failure
		if l.identity, rerr = federatedIdentity(tp, l.value); rerr != nil {
			return l, rerr
		}
		l.u, err = x.Directory.FindByIdentity(x.ctx, l.identity)
	case federatedCollection(l.key):
		var rerr *engine.Failure
		if l.identity, rerr = collectionLookup(tp, l.key, l.value); rerr != nil {
			return l, rerr
		}
		l.u, err = x.Directory.FindByIdentity(x.ctx, l.identity)
	default:
		return l, unsupported(tp, fmt.Sprintf("looking users up by %q", l.key))
	}
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return l, internalError(err)
	}
	return l, nil
}

// signInType is the identity type of a partner claim naming one kind of sign-in name
// (signInNames.emailAddress, signInNames.userName, signInNames.phoneNumber; email is the
// older packs' name for the first), or "".
func signInType(key string) string {
	switch key {
	case "signInNames.emailAddress", "email":
		return "emailAddress"
	case "signInNames.userName":
		return directory.UserNameSignIn
	case "signInNames.phoneNumber":
		return directory.PhoneSignIn
	}
	return ""
}

func (x *execution) localIdentity(signInType, value string) engine.Identity {
	return engine.Identity{SignInType: signInType, Issuer: x.Tenant + ".onmicrosoft.com", IssuerAssignedID: value}
}

// anySignInName is the partner claim signInNames: the user any of whose sign-in names —
// email address, username or phone number — is value. Not found, the identity is the one a
// Write would create: an email address when value is one, else a username.
func (x *execution) anySignInName(value string) (engine.Identity, *engine.User, error) {
	for _, t := range []string{"emailAddress", directory.UserNameSignIn, directory.PhoneSignIn} {
		id := x.localIdentity(t, value)
		u, err := x.Directory.FindByIdentity(x.ctx, id)
		if !errors.Is(err, directory.ErrNotFound) {
			return id, u, err
		}
	}
	if attributes.ValidEmail(value) {
		return x.localIdentity("emailAddress", value), nil, directory.ErrNotFound
	}
	return x.localIdentity(directory.UserNameSignIn, value), nil, directory.ErrNotFound
}

// federatedIdentity reads the JSON CreateAlternativeSecurityId makes.
func federatedIdentity(tp *policy.TechnicalProfile, value string) (engine.Identity, *engine.Failure) {
	var alt struct {
		Issuer       string `json:"issuer"`
		IssuerUserID string `json:"issuerUserId"`
	}
	jerr := json.Unmarshal([]byte(value), &alt)
	key, derr := base64.StdEncoding.DecodeString(alt.IssuerUserID)
	if jerr != nil || derr != nil || alt.Issuer == "" {
		return engine.Identity{}, &engine.Failure{Message: "The service has encountered an internal error.",
			Diagnostic: fmt.Sprintf("%s: alternativeSecurityId %q is not the JSON CreateAlternativeSecurityId makes", tp.ID, value)}
	}
	return engine.Identity{SignInType: "federated", Issuer: alt.Issuer, IssuerAssignedID: string(key)}, nil
}

// createUser is a Write of a user the lookup did not find: the identity and the persisted
// claims.
func (x *execution) createUser(tp *policy.TechnicalProfile, l lookup, scope map[string]string) (map[string]string, *engine.Failure) {
	if l.key == "objectId" {
		return nil, unsupported(tp, "creating a user by objectId")
	}
	u := &engine.User{ObjectID: x.NewID(), Identities: []engine.Identity{l.identity}, Attributes: engine.Claims{}, Created: x.Now()}
	if l.identity.SignInType == "emailAddress" {
		u.Attributes["email"] = l.value
	}
	attrs, password := persisted(tp, scope)
	delete(attrs, "alternativeSecurityId")
	u.Identities = append(u.Identities, x.persistedIdentities(attrs, l.identity)...)
	linked, _, rerr := takeFederated(tp, attrs)
	if rerr != nil {
		return nil, rerr
	}
	u.Identities = append(u.Identities, withoutIdentity(linked, l.identity)...)
	for k, v := range attrs {
		u.Attributes[k] = v
	}
	if err := x.Directory.Create(x.ctx, u, password); err != nil {
		if errors.Is(err, directory.ErrExists) {
			return nil, &engine.Failure{Message: x.alreadyExists(tp)}
		}
		return nil, internalError(err)
	}
	out := userClaims(x.Tenant, u)
	out["newClaimsPrincipalCreated"] = "true"
	return out, nil
}

// persistedIdentities takes the sign-in names a Write persists (signInNames.emailAddress,
// signInNames.userName, signInNames.phoneNumber) out of attrs: each is one of the new user's
// identities, besides the one the lookup made (lookup).
func (x *execution) persistedIdentities(attrs engine.Claims, lookup engine.Identity) []engine.Identity {
	var out []engine.Identity
	for k := range attrs {
		t := signInType(k)
		if t == "" || k == "email" {
			continue
		}
		id := x.localIdentity(t, attrs.String(k))
		delete(attrs, k)
		if id.SignInType != lookup.SignInType || !strings.EqualFold(id.IssuerAssignedID, lookup.IssuerAssignedID) {
			out = append(out, id)
		}
	}
	return out
}

// updateUser changes the user's attributes (nil values remove them) and password; without a
// user (DeleteClaims of no one) nothing changes.
func (x *execution) updateUser(tp *policy.TechnicalProfile, u *engine.User, attrs engine.Claims, password string) (map[string]string, *engine.Failure) {
	up, ok := x.Directory.(updater)
	if !ok {
		return nil, unsupported(tp, "updating a user in this directory")
	}
	if u == nil {
		return map[string]string{}, nil
	}
	updated, err := up.Update(x.ctx, u.ObjectID, attrs, password)
	if err != nil {
		return nil, internalError(err)
	}
	return userClaims(x.Tenant, updated), nil
}

// deleteUser is DeleteClaimsPrincipal: the user, when the lookup found one, is deleted.
func (x *execution) deleteUser(tp *policy.TechnicalProfile, u *engine.User) (map[string]string, *engine.Failure) {
	del, ok := x.Directory.(deleter)
	if !ok {
		return nil, unsupported(tp, "deleting users in this directory")
	}
	if u != nil {
		if _, err := del.Delete(u.ObjectID); err != nil {
			return nil, internalError(err)
		}
	}
	return map[string]string{}, nil
}

// removed are the attributes DeleteClaims removes: the persisted claims name them.
func removed(tp *policy.TechnicalProfile) engine.Claims {
	attrs := engine.Claims{}
	for _, c := range tp.PersistedClaims {
		if name := c.PartnerClaimType; name != "" {
			attrs[name] = nil
		} else if !strings.EqualFold(c.ClaimType, "objectId") {
			attrs[c.ClaimType] = nil
		}
	}
	return attrs
}

// deleter is a directory that can delete a user (b2cemu's store).
type deleter interface {
	Delete(objectID string) (bool, error)
}

// updater is a directory that can change an existing user (b2cemu's store).
type updater interface {
	Update(ctx context.Context, objectID string, attrs engine.Claims, password string) (*engine.User, error)
}

// persisted are a directory profile's PersistedClaims from scope, by directory attribute
// name (PartnerClaimType, else the claim id), with their DefaultValues; the password apart.
func persisted(tp *policy.TechnicalProfile, scope map[string]string) (engine.Claims, string) {
	attrs, password := engine.Claims{}, ""
	for _, c := range tp.PersistedClaims {
		name := c.PartnerClaimType
		if name == "" {
			name = c.ClaimType
		}
		v, ok := scope[strings.ToLower(c.ClaimType)]
		if (!ok || v == "") && c.HasDefault {
			v = c.DefaultValue
		}
		switch {
		case v == "":
		case name == "password":
			password = v
		default:
			attrs[name] = v
		}
	}
	return attrs, password
}

// userClaims are a directory user's attributes under the names directory profiles read. A
// user whose profile persisted no userPrincipalName has Azure AD's <objectId>@<tenant>.
func userClaims(tenant string, u *engine.User) map[string]string {
	out := map[string]string{"objectId": u.ObjectID, "userPrincipalName": u.ObjectID + "@" + tenant + ".onmicrosoft.com", "accountEnabled": "true"}
	for k := range u.Attributes {
		out[k] = u.Attributes.String(k)
	}
	for _, id := range u.Identities {
		if id.SignInType != "federated" {
			out["signInNames."+id.SignInType] = id.IssuerAssignedID
		}
	}
	federatedClaims(u, out)
	if e := u.Email(); e != "" {
		b, _ := json.Marshal([]string{e})
		out["otherMails"] = string(b)
	}
	return out
}

// passwordCheck stands in for login-NonInteractive (a ROPC call to Azure AD): the user store
// checks the password.
func (x *execution) passwordCheck(c *call) (map[string]string, *engine.Failure) {
	tp, inputs := c.tp, c.inputs
	u, err := x.Directory.Authenticate(x.ctx, inputs["username"], inputs["password"])
	switch {
	case errors.Is(err, directory.ErrNotFound):
		return nil, &engine.Failure{Message: x.text(tp, "ErrorMessage", "UserMessageIfClaimsPrincipalDoesNotExist", "We can't seem to find your account.")}
	case errors.Is(err, directory.ErrBadPassword):
		return nil, &engine.Failure{Message: x.text(tp, "ErrorMessage", "UserMessageIfInvalidPassword", "Your password is incorrect.")}
	case err != nil:
		return nil, &engine.Failure{Message: "The service has encountered an internal error.", Diagnostic: err.Error()}
	}
	return map[string]string{"oid": u.ObjectID, "tid": x.TenantID, "name": u.Attributes.String("displayName"),
		"given_name": u.Attributes.String("givenName"), "family_name": u.Attributes.String("surname"),
		"upn": userClaims(x.Tenant, u)["userPrincipalName"]}, nil
}
