package flows

import (
	"time"

	"github.com/b2cemu/b2cemu/flows/apiconnector"
)

// Type is the kind of user flow, as in the Azure portal.
type Type string

// The user-flow types b2cemu runs: the portal's sign up and sign in, sign up, sign in,
// password reset and profile editing flows.
const (
	SignUp         Type = "signUp"
	SignUpOrSignIn Type = "signUpOrSignIn"
	SignIn         Type = "signIn"
	PasswordReset  Type = "passwordReset"
	ProfileEdit    Type = "profileEdit"
)

// SignsIn reports whether the flow's first page signs existing users in: every type but
// sign-up and password reset.
func (d *Definition) SignsIn() bool { return d.Type != SignUp && d.Type != PasswordReset }

// SignsUp reports whether the flow creates local accounts ("Sign up now") and runs the
// sign-up connectors.
func (d *Definition) SignsUp() bool { return d.Type == SignUp || d.Type == SignUpOrSignIn }

// LocalProvider is the identity provider id of local (email and password) accounts.
const LocalProvider = "email"

// UserAttribute is one field of the attribute collection page.
type UserAttribute struct {
	Name     string
	Required bool
}

// Definition is a configured user flow.
type Definition struct {
	ID                string // policy name, e.g. B2C_1_susi
	Type              Type
	IdentityProviders []string // LocalProvider and social provider ids, in picker order
	UserAttributes    []UserAttribute
	ApplicationClaims []string                     // portal names: displayName, emails, identityProvider, …
	Connectors        map[apiconnector.Step]string // connector name per step; absent or "" = none
	Tokens            TokenSettings
	// SignInInput is the id and form name of the unified page's sign-in name input: "" or
	// "email" (the recommended user flows' pages), or "logonIdentifier".
	SignInInput string
	// LocalAccount is the flow's local account type: "" or "email" (email and password), or
	// "phone" (a phone number and a one-time code, no password).
	LocalAccount string
	// MFA is the flow's multifactor authentication (off by default).
	MFA MFASettings
	// KeepMeSignedInDays is how long a sign-in with "Keep me signed in" checked stays signed
	// in: a user flow's "Keep me signed in session (days)", a custom policy's relying-party
	// KeepAliveInDays. 0: the policy keeps no such session (the box, if shown, changes nothing).
	KeepMeSignedInDays int
	// NoEmailVerification turns off the local sign-up page's email verification (the portal's
	// page-layout setting "Requires verification", on by default).
	NoEmailVerification bool
}

// VerifiesEmail reports whether the local sign-up page verifies the email address.
func (d *Definition) VerifiesEmail() bool { return !d.NoEmailVerification }

// TokenSettings are a flow's token properties. Zero values mean B2C's defaults.
type TokenSettings struct {
	Lifetime              time.Duration // access and ID tokens; 0 = 1 h
	RefreshLifetime       time.Duration // 0 = 14 days
	SlidingWindowLifetime time.Duration // 0 = 90 days
	NoSlidingExpiry       bool          // refresh token chains never end
	IssuerTFP             bool          // iss {base}/tfp/{tenantId}/{policy}/v2.0/
	PolicyClaimACR        bool          // the policy in "acr" instead of "tfp"
	EmailClaim            bool          // also "email" as a single string
}

// Offers reports whether the flow offers the identity provider id.
func (d *Definition) Offers(id string) bool {
	for _, p := range d.IdentityProviders {
		if p == id {
			return true
		}
	}
	return false
}

// SocialProviders returns the flow's identity providers other than local accounts.
func (d *Definition) SocialProviders() []string {
	var out []string
	for _, p := range d.IdentityProviders {
		if p != LocalProvider {
			out = append(out, p)
		}
	}
	return out
}
