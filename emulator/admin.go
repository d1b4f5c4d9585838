package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/b2cemu/b2cemu/emulator/calllog"
	"github.com/b2cemu/b2cemu/emulator/ids"
	"github.com/b2cemu/b2cemu/emulator/store"
	"github.com/b2cemu/b2cemu/emulator/token"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/web"
)

// admin is the emulator's state behind the admin API.
type admin struct {
	users    *store.Users
	issuer   *token.Issuer
	clock    *Clock
	ids      *ids.Generator
	sessions *store.Expiring[*web.Session]
	grants   *store.Expiring[*web.Grant]
	refresh  *store.Expiring[*web.Grant]
	sso      *store.Expiring[*web.SSOSession]
	calls    *calllog.Log
	outbox   *store.Ring[web.Email]
	sms      *store.Ring[web.SMS] // the phone outbox
	signals  *signals             // the fake Conditional Access signals
}

var _ web.Admin = (*admin)(nil)

func (a *admin) Users() []*engine.User { return a.users.List() }

func (a *admin) User(ctx context.Context, id string) (*engine.User, error) {
	return a.users.Get(ctx, id)
}

func (a *admin) FindByIdentity(ctx context.Context, id engine.Identity) (*engine.User, error) {
	return a.users.FindByIdentity(ctx, id)
}

func (a *admin) CreateUser(ctx context.Context, u *engine.User, password string) error {
	if u.ObjectID == "" {
		u.ObjectID = a.ids.GUID()
	}
	return a.users.Create(ctx, u, password)
}

func (a *admin) UpdateUser(ctx context.Context, id string, attrs engine.Claims, password string) (*engine.User, error) {
	return a.users.Update(ctx, id, attrs, password)
}

func (a *admin) RecordSignIn(_ context.Context, id string, at time.Time) error {
	return a.users.SignedIn(id, at)
}

func (a *admin) DeleteUser(id string) (bool, error) { return a.users.Delete(id) }

func (a *admin) RevokeSignInSessions(ctx context.Context, id string) (*engine.User, error) {
	return a.users.Update(ctx, id, engine.Claims{web.RefreshTokensValidFrom: a.clock.Now().UTC().Format(time.RFC3339)}, "")
}

// exportedUser is the export format: the admin API's user plus the bcrypt hash, so that an
// imported local account signs in with the same password.
type exportedUser struct {
	ObjectID   string            `json:"objectId"`
	Identities []engine.Identity `json:"identities"`
	Attributes map[string]any    `json:"attributes"`
	Created    json.RawMessage   `json:"createdDateTime,omitempty"`
	// SignInActivity is Graph's: the last sign-in, absent for a user who never signed in.
	SignInActivity *web.SignInActivity `json:"signInActivity,omitempty"`
	PasswordHash   string              `json:"passwordHash,omitempty"`
}

func (a *admin) ExportUsers() ([]byte, error) {
	var out []exportedUser
	for _, e := range a.users.Export() {
		created, _ := json.Marshal(e.User.Created)
		out = append(out, exportedUser{ObjectID: e.User.ObjectID, Identities: e.User.Identities, Attributes: e.User.Attributes,
			Created: created, SignInActivity: web.SignInActivityOf(e.User), PasswordHash: string(e.PasswordHash)})
	}
	if out == nil {
		out = []exportedUser{}
	}
	return json.MarshalIndent(map[string]any{"users": out}, "", "  ")
}

func (a *admin) ImportUsers(data []byte) (int, error) {
	var in struct {
		Users []exportedUser `json:"users"`
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return 0, fmt.Errorf("not an export of users: %w", err)
	}
	var batch []store.Exported
	for i, e := range in.Users {
		if e.ObjectID == "" || len(e.Identities) == 0 {
			return 0, fmt.Errorf("users[%d]: needs objectId and identities", i)
		}
		u := &engine.User{ObjectID: e.ObjectID, Identities: e.Identities, Attributes: engine.Claims{}}
		for k, v := range e.Attributes {
			if n, ok := v.(float64); ok && n == float64(int64(n)) {
				v = int64(n) // JSON numbers are int attributes
			}
			u.Attributes[k] = v
		}
		if len(e.Created) > 0 {
			_ = json.Unmarshal(e.Created, &u.Created)
		}
		if e.SignInActivity != nil {
			u.LastSignIn = e.SignInActivity.LastSignInDateTime
		}
		ex := store.Exported{User: u}
		if e.PasswordHash != "" {
			ex.PasswordHash = []byte(e.PasswordHash)
		}
		batch = append(batch, ex)
	}
	if err := a.users.Import(batch); err != nil {
		return 0, err
	}
	return len(batch), nil
}

func (a *admin) Reset() error {
	if err := a.users.Reset(); err != nil {
		return err
	}
	a.sessions.Clear()
	a.grants.Clear()
	a.refresh.Clear()
	a.sso.Clear()
	a.calls.Clear()
	a.outbox.Clear()
	a.sms.Clear()
	a.signals.Clear("")
	a.clock.Reset()
	a.ids.Reset()
	return nil
}

func (a *admin) KeyIDs() ([]string, string) {
	kids := a.issuer.KeyIDs()
	return kids, kids[len(kids)-1]
}

func (a *admin) Clock() web.ClockState { return a.clock.State() }

func (a *admin) SetClock(ch web.ClockChange) (web.ClockState, error) { return a.clock.Set(ch) }

func (a *admin) Emails() []web.Email { return a.outbox.List() }

func (a *admin) ClearEmails() { a.outbox.Clear() }

func (a *admin) SMS() []web.SMS { return a.sms.List() }

func (a *admin) ClearSMS() { a.sms.Clear() }

func (a *admin) CASignals() web.CASignals { return a.signals.State() }

func (a *admin) SetCASignal(userID string, s web.CASignal) { a.signals.Set(userID, s) }

func (a *admin) ClearCASignal(userID string) bool { return a.signals.Clear(userID) }
