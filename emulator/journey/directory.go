package journey

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows"
)

// directory runs an AzureActiveDirectoryProvider profile on b2cemu's user store.
func (x *execution) directory(c *call) (map[string]string, *runError) {
	tp, inputs, scope := c.tp, c.inputs, c.scope
	var key, value string
	for k, v := range inputs {
		key, value = k, v
	}
	var u *flows.User
	var err error
	identity := flows.Identity{SignInType: "emailAddress", Issuer: x.Tenant + ".onmicrosoft.com", IssuerAssignedID: value}
	switch key {
	case "objectId":
		u, err = x.Directory.Get(x.ctx, value)
	case "signInNames.emailAddress", "signInNames.userName", "email":
		u, err = x.Directory.FindByIdentity(x.ctx, identity)
	case "alternativeSecurityId":
		var alt struct {
			Issuer       string `json:"issuer"`
			IssuerUserID string `json:"issuerUserId"`
		}
		jerr := json.Unmarshal([]byte(value), &alt)
		key, derr := base64.StdEncoding.DecodeString(alt.IssuerUserID)
		if jerr != nil || derr != nil || alt.Issuer == "" {
			return nil, &runError{msg: "The service has encountered an internal error.",
				diagnostic: fmt.Sprintf("%s: alternativeSecurityId %q is not the JSON CreateAlternativeSecurityId makes", tp.ID, value)}
		}
		identity = flows.Identity{SignInType: "federated", Issuer: alt.Issuer, IssuerAssignedID: string(key)}
		u, err = x.Directory.FindByIdentity(x.ctx, identity)
	default:
		return nil, unsupported(tp, fmt.Sprintf("looking users up by %q", key))
	}
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return nil, &runError{msg: "The service has encountered an internal error.", diagnostic: err.Error()}
	}
	op := tp.Metadata["Operation"]
	if u == nil && strings.EqualFold(tp.Metadata["RaiseErrorIfClaimsPrincipalDoesNotExist"], "true") {
		return nil, &runError{code: "AADB2C99002", msg: x.text(tp, "ErrorMessage", "UserMessageIfClaimsPrincipalDoesNotExist", "An account could not be found for the provided user ID."),
			diagnostic: fmt.Sprintf("%s: no user with %s %q", tp.ID, key, value)}
	}
	if u != nil && strings.EqualFold(tp.Metadata["RaiseErrorIfClaimsPrincipalAlreadyExists"], "true") {
		return nil, &runError{msg: x.text(tp, "ErrorMessage", "UserMessageIfClaimsPrincipalAlreadyExists", "A user with the specified ID already exists. Please choose a different one."),
			diagnostic: fmt.Sprintf("%s: a user with %s %q exists", tp.ID, key, value)}
	}
	switch {
	case strings.EqualFold(op, "Read"):
		if u == nil {
			return map[string]string{}, nil
		}
		return userClaims(x.Tenant, u), nil
	case strings.EqualFold(op, "Write") && u == nil:
		if key == "objectId" {
			return nil, unsupported(tp, "creating a user by objectId")
		}
		u = &flows.User{ObjectID: x.NewID(), Identities: []flows.Identity{identity}, Attributes: flows.Claims{}, Created: x.Now()}
		if identity.SignInType == "emailAddress" {
			u.Attributes["email"] = value
		}
		attrs, password := persisted(tp, scope)
		delete(attrs, "signInNames.emailAddress")
		delete(attrs, "alternativeSecurityId")
		for k, v := range attrs {
			u.Attributes[k] = v
		}
		if err := x.Directory.Create(x.ctx, u, password); err != nil {
			if errors.Is(err, flows.ErrExists) {
				return nil, &runError{msg: x.text(tp, "ErrorMessage", "UserMessageIfClaimsPrincipalAlreadyExists", "A user with the specified ID already exists. Please choose a different one.")}
			}
			return nil, &runError{msg: "The service has encountered an internal error.", diagnostic: err.Error()}
		}
		out := userClaims(x.Tenant, u)
		out["newClaimsPrincipalCreated"] = "true"
		return out, nil
	case strings.EqualFold(op, "Write"):
		up, ok := x.Directory.(updater)
		if !ok {
			return nil, unsupported(tp, "updating a user in this directory")
		}
		attrs, password := persisted(tp, scope)
		delete(attrs, "objectId")
		delete(attrs, "signInNames.emailAddress")
		updated, err := up.Update(x.ctx, u.ObjectID, attrs, password)
		if err != nil {
			return nil, &runError{msg: "The service has encountered an internal error.", diagnostic: err.Error()}
		}
		return userClaims(x.Tenant, updated), nil
	case strings.EqualFold(op, "DeleteClaimsPrincipal"):
		del, ok := x.Directory.(deleter)
		if !ok {
			return nil, unsupported(tp, "deleting users in this directory")
		}
		if u != nil {
			if _, err := del.Delete(u.ObjectID); err != nil {
				return nil, &runError{msg: "The service has encountered an internal error.", diagnostic: err.Error()}
			}
		}
		return map[string]string{}, nil
	case strings.EqualFold(op, "DeleteClaims"):
		up, ok := x.Directory.(updater)
		if !ok {
			return nil, unsupported(tp, "updating a user in this directory")
		}
		if u == nil {
			return map[string]string{}, nil
		}
		attrs := flows.Claims{} // the persisted claims name the attributes to remove
		for _, c := range tp.PersistedClaims {
			if name := c.PartnerClaimType; name != "" {
				attrs[name] = nil
			} else if !strings.EqualFold(c.ClaimType, "objectId") {
				attrs[c.ClaimType] = nil
			}
		}
		updated, err := up.Update(x.ctx, u.ObjectID, attrs, "")
		if err != nil {
			return nil, &runError{msg: "The service has encountered an internal error.", diagnostic: err.Error()}
		}
		return userClaims(x.Tenant, updated), nil
	default:
		return nil, unsupported(tp, fmt.Sprintf("the directory operation %q", op))
	}
}

// deleter is a directory that can delete a user (b2cemu's store).
type deleter interface {
	Delete(objectID string) (bool, error)
}

// updater is a directory that can change an existing user (b2cemu's store).
type updater interface {
	Update(ctx context.Context, objectID string, attrs flows.Claims, password string) (*flows.User, error)
}

// persisted are a directory profile's PersistedClaims from scope, by directory attribute
// name (PartnerClaimType, else the claim id), with their DefaultValues; the password apart.
func persisted(tp *policy.TechnicalProfile, scope map[string]string) (flows.Claims, string) {
	attrs, password := flows.Claims{}, ""
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
func userClaims(tenant string, u *flows.User) map[string]string {
	out := map[string]string{"objectId": u.ObjectID, "userPrincipalName": u.ObjectID + "@" + tenant + ".onmicrosoft.com", "accountEnabled": "true"}
	for k := range u.Attributes {
		out[k] = u.Attributes.String(k)
	}
	for _, id := range u.Identities {
		if id.SignInType == "emailAddress" {
			out["signInNames.emailAddress"] = id.IssuerAssignedID
		}
	}
	if e := u.Email(); e != "" {
		b, _ := json.Marshal([]string{e})
		out["otherMails"] = string(b)
	}
	return out
}

// passwordCheck stands in for login-NonInteractive (a ROPC call to Azure AD): the user store
// checks the password.
func (x *execution) passwordCheck(c *call) (map[string]string, *runError) {
	tp, inputs := c.tp, c.inputs
	u, err := x.Directory.Authenticate(x.ctx, inputs["username"], inputs["password"])
	switch {
	case errors.Is(err, flows.ErrNotFound):
		return nil, &runError{msg: x.text(tp, "ErrorMessage", "UserMessageIfClaimsPrincipalDoesNotExist", "We can't seem to find your account.")}
	case errors.Is(err, flows.ErrBadPassword):
		return nil, &runError{msg: x.text(tp, "ErrorMessage", "UserMessageIfInvalidPassword", "Your password is incorrect.")}
	case err != nil:
		return nil, &runError{msg: "The service has encountered an internal error.", diagnostic: err.Error()}
	}
	return map[string]string{"oid": u.ObjectID, "tid": x.TenantID, "name": u.Attributes.String("displayName"),
		"given_name": u.Attributes.String("givenName"), "family_name": u.Attributes.String("surname"),
		"upn": userClaims(x.Tenant, u)["userPrincipalName"]}, nil
}
