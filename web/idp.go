package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/web/views"
)

// claimsMapping is B2C's claims mapping of an OpenID Connect identity provider (Microsoft
// Graph's claimsMapping: userId, displayName, givenName, surname, email) with the claim names
// the portal proposes for it: the claims of a provider's token a user flow reads. The user id
// (sub) is the identity's issuerAssignedId.
var claimsMapping = map[string]string{"email": "email", "name": "displayName", "given_name": "givenName", "family_name": "surname"}

// claimsExample is the claims box's placeholder and the example of its messages.
const claimsExample = `{"email": "ana@fabrikam.com", "given_name": "Ana"}`

// withClaims lays box, the provider's further claims as its token would carry them (the
// page's claims box, the headless account's "claims"; src names it in messages), over the
// identity in: the claims of the mapping replace the account's values (null: the provider
// sends none), "sub" replaces a typed identity's subject, and every other member is kept as
// Sent for a custom policy's output claims. A fixture account keeps its subject: a box naming
// another one is refused, for that is another account.
func withClaims(in engine.SignInFederated, box map[string]any, src string, fixture bool) (engine.SignInFederated, error) {
	if box == nil {
		return in, nil
	}
	in.Claims, in.Sent = in.Claims.Clone(), engine.Claims{}
	if in.Claims == nil {
		in.Claims = engine.Claims{}
	}
	for k, v := range box {
		name, mapped := claimsMapping[k]
		if !mapped && k != "sub" {
			in.Sent[k] = v
			continue
		}
		s, ok := v.(string)
		if v != nil && !ok {
			return in, fmt.Errorf("%s gives %q %s; the provider's %s claim is a string (or null for none).", src, k, kindOf(v), k)
		}
		switch {
		case k != "sub" && v == nil:
			delete(in.Claims, name)
		case k != "sub":
			in.Claims[name] = s
		case fixture && s != in.IssuerAssignedID:
			return in, fmt.Errorf("%s gives \"sub\" %q, but the fixture account is the identity %q: to sign in as another subject, use another identity.", src, s, in.IssuerAssignedID)
		default:
			in.IssuerAssignedID = strings.TrimSpace(s)
		}
	}
	return in, nil
}

// parseClaims reads the claims box: nothing, or one JSON object.
func parseClaims(text string) (map[string]any, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber() // numbers reach a custom policy as they were written
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("The claims box is not valid JSON (%v). Write one object, such as %s.", err, claimsExample)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("The claims box holds more than one JSON value. Write one object, such as %s.", claimsExample)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("The claims box holds %s; it must be a JSON object, such as %s.", kindOf(v), claimsExample)
	}
	return obj, nil
}

// kindOf names a JSON value's kind for a message.
func kindOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number (" + v.String() + ")"
	case float64: // a headless request's numbers
		return "a number (" + strconv.FormatFloat(v, 'g', -1, 64) + ")"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	}
	return "an object"
}

// idpStay is a submission of the fake identity provider's page that keeps the run there: the
// page comes back with what was typed and why (a claims box it refused, a user it deleted).
type idpStay struct {
	Typed   url.Values
	Problem string
	Notice  string
}

func (e *idpStay) Error() string { return e.Problem + e.Notice }

// idpPage is the fake identity provider page's name in its URLs (api/<page>/identity).
const idpPage = "FakeIdentityProvider"

// deleteUserOp is the op of the page's "Delete this user" buttons: deleteUser:<objectId>.
const deleteUserOp = "deleteUser:"

// idpInput maps a submission of the fake identity provider's page to the provider's answer,
// or to an *idpStay.
func (s *server) idpInput(ctx context.Context, r *engine.Run, f url.Values) (engine.Input, error) {
	op := f.Get("op")
	if id, ok := strings.CutPrefix(op, deleteUserOp); ok {
		return nil, s.deleteFederated(ctx, r.Provider, id, f)
	}
	in, fixture, err := s.idpIdentity(r, f)
	var box map[string]any
	if err == nil {
		box, err = parseClaims(f.Get("claims"))
	}
	if err == nil {
		in, err = withClaims(in, box, "The claims box", fixture)
	}
	if err == nil && !fixture {
		in = emailSubject(in)
	}
	if err == nil && in.IssuerAssignedID == "" {
		err = errors.New("Give the identity an email or a subject (issuerAssignedId).")
	}
	if err != nil {
		return nil, &idpStay{Typed: f, Problem: err.Error()}
	}
	return in, nil
}

// idpIdentity is the identity the page names before the claims box: the fixture account of
// the button pressed, or the typed one.
func (s *server) idpIdentity(r *engine.Run, f url.Values) (engine.SignInFederated, bool, error) {
	if id := f.Get("account"); id != "" {
		if p := s.idpByID[r.Provider]; p != nil {
			for _, a := range p.Accounts {
				if a.IssuerAssignedID == id {
					return engine.SignInFederated{IssuerAssignedID: id, Claims: a.Claims.Clone()}, true, nil
				}
			}
		}
		return engine.SignInFederated{}, true, fmt.Errorf("The identity provider has no fixture account %q.", id)
	}
	if f.Get("op") != "identity" {
		return engine.SignInFederated{}, false, errors.New("This action does not apply to the current page.")
	}
	claims := engine.Claims{}
	for _, k := range []string{"email", "displayName", "givenName", "surname"} {
		if v := strings.TrimSpace(f.Get("idp_" + k)); v != "" {
			claims[k] = v
		}
	}
	return engine.SignInFederated{IssuerAssignedID: strings.TrimSpace(f.Get("idp_issuerAssignedId")), Claims: claims}, false, nil
}

// deleteFederated deletes the user that holds an identity of provider, through the admin
// API's own call, so that choosing the account signs up again. The page deletes only while
// the admin API is open to anyone (no admin.token): with a token, it says which call to make.
func (s *server) deleteFederated(ctx context.Context, provider, objectID string, f url.Values) error {
	stay := &idpStay{Typed: f}
	if s.AdminToken != "" { // checked first, so that a refused delete tells nothing of the directory
		stay.Problem = fmt.Sprintf("The admin API needs its token here, so this page deletes no users: call DELETE /_emulator/users/%s with it.", objectID)
		return stay
	}
	u, err := s.Admin.User(ctx, objectID)
	switch {
	case err != nil || federatedSubject(u, provider) == "":
		stay.Problem = fmt.Sprintf("There is no user %q with an identity of %s to delete.", objectID, provider)
	default:
		if _, err := s.Admin.DeleteUser(objectID); err != nil {
			return fmt.Errorf("deleting user %s: %w", objectID, err)
		}
		stay.Notice = fmt.Sprintf("Deleted the user %s (%s): choosing this identity now signs up and runs the sign-up API connectors.", objectID, federatedSubject(u, provider))
	}
	return stay
}

// emailSubject gives an identity without a subject its email, lowercased, as one, so that the
// same email signs in as the same user.
func emailSubject(in engine.SignInFederated) engine.SignInFederated {
	if in.IssuerAssignedID == "" {
		in.IssuerAssignedID = strings.ToLower(in.Claims.String("email"))
	}
	return in
}

// federatedSubject is u's subject at provider, or "".
func federatedSubject(u *engine.User, provider string) string {
	for _, id := range u.Identities {
		if id.SignInType == "federated" && id.Issuer == provider {
			return id.IssuerAssignedID
		}
	}
	return ""
}

// existingUser is the object id of the user that already holds the provider's identity, or "".
func (s *server) existingUser(ctx context.Context, provider, subject string) string {
	if s.Admin == nil || subject == "" {
		return ""
	}
	u, err := s.Admin.FindByIdentity(ctx, engine.Identity{SignInType: "federated", Issuer: provider, IssuerAssignedID: subject})
	if err != nil {
		return ""
	}
	return u.ObjectID
}

// idpView is the fake identity provider's page for the run: its fixture accounts, each with
// the user that already holds it (choosing it then signs in and runs no sign-up connector),
// and what the last submission kept.
func (s *server) idpView(ctx context.Context, sess *Session, def *flows.Definition, m views.IdP) views.IdP {
	r := sess.Run
	p := s.idpByID[r.Provider]
	if p == nil { // a custom policy's provider the configuration has no fixture accounts for
		p = &Provider{ID: r.Provider, DisplayName: r.Provider}
	}
	m.ProviderID, m.ProviderName, m.Page.Title = p.ID, p.DisplayName, p.DisplayName
	m.SignsUp, m.CanDelete, m.ClaimsExample = def.SignsUp(), s.AdminToken == "", claimsExample
	m.CheckURL = s.urls(sess).api(idpPage, "identity")
	for _, a := range p.Accounts {
		va := views.Account{IssuerAssignedID: a.IssuerAssignedID, DisplayName: a.Claims.String("displayName"), Email: a.Claims.String("email")}
		if def.SignsUp() {
			va.ExistingUser = s.existingUser(ctx, p.ID, a.IssuerAssignedID)
		}
		m.Accounts = append(m.Accounts, va)
	}
	if stay := sess.idpStay; stay != nil {
		sess.idpStay = nil // shown once: a reload shows the page afresh
		m.Problem, m.Notice = stay.Problem, stay.Notice
		m.Typed = map[string]string{}
		for _, k := range []string{"idp_email", "idp_displayName", "idp_givenName", "idp_surname", "idp_issuerAssignedId", "claims"} {
			m.Typed[k] = stay.Typed.Get(k)
		}
		m.TypedOpen = stay.Typed.Get("op") == "identity"
		typed := typedOnly(stay.Typed)
		if _, err := parseClaims(typed.Get("claims")); err != nil {
			typed.Del("claims") // the identity as typed, without the box that was refused
		}
		if in, err := s.idpInput(ctx, r, typed); err == nil && def.SignsUp() {
			m.TypedExisting = s.existingUser(ctx, p.ID, in.(engine.SignInFederated).IssuerAssignedID)
		}
	}
	return m
}

// typedOnly is a submission of the page as the "Sign in as another identity" button sends it.
func typedOnly(f url.Values) url.Values {
	q := url.Values{"op": {"identity"}}
	for _, k := range []string{"idp_email", "idp_displayName", "idp_givenName", "idp_surname", "idp_issuerAssignedId", "claims"} {
		q.Set(k, f.Get(k))
	}
	return q
}

// idpCheck answers the page's script, which asks while an identity is typed whether it
// already has a user: {"subject", "objectId"} (objectId empty for none), or {"problem"} when
// the fields would be refused.
func (s *server) idpCheck(c echo.Context, sess *Session, def *flows.Definition) error {
	if err := checkCSRF(c, sess, c.QueryParam("csrf_token")); err != nil {
		return err
	}
	if sess.Run.Phase != engine.PhaseIdP {
		return errPage(http.StatusBadRequest, "", "This action does not apply to the current page.")
	}
	var ans struct {
		Subject  string `json:"subject,omitempty"`
		ObjectID string `json:"objectId,omitempty"`
		Problem  string `json:"problem,omitempty"`
	}
	in, err := s.idpInput(c.Request().Context(), sess.Run, typedOnly(c.QueryParams()))
	if err != nil {
		ans.Problem = err.Error()
		return c.JSON(http.StatusOK, ans)
	}
	ans.Subject = in.(engine.SignInFederated).IssuerAssignedID
	if def.SignsUp() {
		ans.ObjectID = s.existingUser(c.Request().Context(), sess.Run.Provider, ans.Subject)
	}
	return c.JSON(http.StatusOK, ans)
}
