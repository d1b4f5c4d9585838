package journey

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/emulator/store"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// refuse fails every request: fuzzed policies may name any ServiceUrl, and tests call only
// loopback addresses.
type refuse struct{}

func (refuse) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network in the fuzz test")
}

// FuzzPolicy feeds the loader any relying-party and Extensions file over the example base:
// loading never panics, a problem is a *policy.Error, and a policy that loads runs its journey
// through a sign-up and a sign-in without panicking.
func FuzzPolicy(f *testing.F) {
	dir := filepath.Join("..", "..", "docs", "examples", "custom-policies", "policies")
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			f.Fatal(err)
		}
		return string(b)
	}
	base, loc := read("TrustFrameworkBase.xml"), read("TrustFrameworkLocalization.xml")
	f.Add(read("TrustFrameworkExtensions.xml"), read("SignUpOrSignin.xml"))
	f.Add(read("TrustFrameworkExtensions.xml"), read("SignUpOrSigninEmailCode.xml")) // a display control
	f.Add(`<TrustFrameworkPolicy PolicyId="B2C_1A_TrustFrameworkExtensions"><BasePolicy><PolicyId>B2C_1A_TrustFrameworkLocalization</PolicyId></BasePolicy></TrustFrameworkPolicy>`,
		`<TrustFrameworkPolicy PolicyId="B2C_1A_x"><BasePolicy><PolicyId>B2C_1A_TrustFrameworkExtensions</PolicyId></BasePolicy><RelyingParty><DefaultUserJourney ReferenceId="SignUpOrSignIn"/><TechnicalProfile Id="P"><Protocol Name="OpenIdConnect"/></TechnicalProfile></RelyingParty></TrustFrameworkPolicy>`)
	f.Fuzz(func(t *testing.T, ext, rp string) {
		policies, err := policy.LoadSources([]policy.Source{{Name: "base.xml", Data: []byte(base)}, {Name: "loc.xml", Data: []byte(loc)},
			{Name: "ext.xml", Data: []byte(ext)}, {Name: "rp.xml", Data: []byte(rp)}})
		var perr *policy.Error
		if err != nil {
			if !errors.As(err, &perr) {
				t.Fatalf("not a policy error: %v", err)
			}
			return
		}
		e := &Engine{Policies: policies, Directory: store.NewUsers(4), Tenant: "contoso", TenantID: "t",
			PolicyKeys: map[string]string{}, HTTP: &http.Client{Transport: refuse{}}, Now: time.Now, NewID: func() string { return "0123abcd-0000-4000-8000-000000000000" }}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		for _, p := range policies {
			def := p.ID
			r := e.Start(ctx, def, "run", "client", "es")
			inputs := []engine.Input{engine.DomainHint{Domain: "facebook.com"}, engine.StartSignUp{},
				engine.VerifyEmail{Action: "send", Field: "email", Values: map[string]string{"email": "a@b.c"}},
				engine.VerifyEmail{Action: "verify", Field: "email", Code: "123456", Values: map[string]string{"email": "a@b.c", "verificationCode": "1"}},
				engine.SubmitAttributes{Values: map[string]string{"email": "a@b.c", "newPassword": "Passw0rd!x", "reenterPassword": "Passw0rd!x"}},
				engine.SignInLocal{Email: "a@b.c", Password: "Passw0rd!x"}, engine.ForgotPassword{}}
			for _, in := range inputs {
				if r.Phase.Terminal() {
					break
				}
				_ = e.Advance(ctx, def, r, in)
			}
			if r.Phase == engine.PhaseDone {
				e.Refresh(ctx, def, r.User.ObjectID, time.Now(), r.Carry)
			}
		}
	})
}
