// Package config loads and validates b2cemu's configuration file: YAML or JSON in the shape
// of docs/configuration.md, B2CEMU_* environment overrides, a default for every key, and a
// Validate that reports every problem at once with its key, value and fix.
package config

import "time"

// Config is the whole configuration. Field comments give each key's default.
type Config struct {
	Server            Server             `mapstructure:"server"`
	DataDir           string             `mapstructure:"dataDir"` // "" = in memory only
	Tenant            Tenant             `mapstructure:"tenant"`
	SigningKeys       []SigningKey       `mapstructure:"signingKeys"` // none = one generated at start
	CustomAttributes  []CustomAttribute  `mapstructure:"customAttributes"`
	IdentityProviders []IdentityProvider `mapstructure:"identityProviders"`
	APIConnectors     []APIConnector     `mapstructure:"apiConnectors"`
	Applications      []Application      `mapstructure:"applications"`
	CustomPolicies    CustomPolicies     `mapstructure:"customPolicies"`
	PolicyKeys        map[string]string  `mapstructure:"policyKeys"`
	// PolicyCertificates are certificate policy keys (PKCS#12 files, newest valid used), by
	// StorageReferenceId: a RESTful profile's AuthenticationType ClientCertificate.
	PolicyCertificates map[string][]Certificate `mapstructure:"policyCertificates"`
	UserFlows          []UserFlow               `mapstructure:"userFlows"`
	Compat             Compat                   `mapstructure:"compat"`
	Inspector          Inspector                `mapstructure:"inspector"`
	Passwords          Passwords                `mapstructure:"passwords"`
	Admin              Admin                    `mapstructure:"admin"`
	Branding           Branding                 `mapstructure:"branding"`
	Deterministic      Deterministic            `mapstructure:"deterministic"`

	// File is the file the configuration came from ("" for the embedded demo tenant); relative
	// paths in it are resolved against its folder.
	File string `mapstructure:"-"`

	lines map[string]int    // key path → line, for problems found after decoding
	from  map[string]string // key path → the variable or flag that set it
}

// Token setting defaults.
const (
	DefaultTokenLifetime         = time.Hour
	DefaultRefreshTokenLifetime  = 14 * 24 * time.Hour
	DefaultSlidingWindowLifetime = 90 * 24 * time.Hour
)

// Server is the listener.
type Server struct {
	Addr      string `mapstructure:"addr"`      // 127.0.0.1:8080; port 0 picks a free port
	PublicURL string `mapstructure:"publicUrl"` // "" = http(s)://<the address listened on>
	TLS       TLS    `mapstructure:"tls"`
}

// TLS serves HTTPS.
type TLS struct {
	Enabled bool `mapstructure:"enabled"` // false
	// CertFile and KeyFile are a PEM certificate chain and key; both empty = a development CA
	// and certificate generated once and kept in dataDir (in memory without one).
	CertFile string `mapstructure:"certFile"`
	KeyFile  string `mapstructure:"keyFile"`
}

// Tenant is the emulated B2C tenant.
type Tenant struct {
	Name            string `mapstructure:"name"`            // contoso (contoso.onmicrosoft.com)
	ID              string `mapstructure:"id"`              // a GUID
	ExtensionsAppID string `mapstructure:"extensionsAppId"` // b2c-extensions-app id
}

// SigningKey is a token signing key file.
type SigningKey struct {
	File string `mapstructure:"file"` // PEM, PKCS#1 or PKCS#8
}

// CustomAttribute is a tenant's custom user attribute.
type CustomAttribute struct {
	Name        string `mapstructure:"name"`
	DataType    string `mapstructure:"dataType"` // string | int | boolean; default string
	Description string `mapstructure:"description"`
}

// IdentityProvider is a fake social identity provider.
type IdentityProvider struct {
	ID          string    `mapstructure:"id"`          // issuer in identities[].issuer
	DisplayName string    `mapstructure:"displayName"` // default: the id
	Accounts    []Account `mapstructure:"accounts"`
}

// Account is a fixture identity offered on the fake identity provider's page.
type Account struct {
	IssuerAssignedID string `mapstructure:"issuerAssignedId"`
	Email            string `mapstructure:"email"`
	DisplayName      string `mapstructure:"displayName"`
	GivenName        string `mapstructure:"givenName"`
	Surname          string `mapstructure:"surname"`
}

// APIConnector is a REST API called during sign-up.
type APIConnector struct {
	Name           string         `mapstructure:"name"`
	DisplayName    string         `mapstructure:"displayName"`
	EndpointURL    string         `mapstructure:"endpointUrl"` // absolute, or "/path" on b2cemu itself
	Authentication Authentication `mapstructure:"authentication"`
	CAFile         string         `mapstructure:"caFile"`
	Timeout        time.Duration  `mapstructure:"timeout"` // 5s per attempt
	Retries        *int           `mapstructure:"retries"` // 1
}

// Authentication is how b2cemu authenticates to a connector.
type Authentication struct {
	Type         string        `mapstructure:"type"` // basic | certificate | none; default basic
	Username     string        `mapstructure:"username"`
	Password     string        `mapstructure:"password"`
	Certificates []Certificate `mapstructure:"certificates"`
}

// Certificate is a PKCS#12 client certificate.
type Certificate struct {
	File     string `mapstructure:"file"`
	Password string `mapstructure:"password"`
}

// Application is a registered app.
type Application struct {
	Name         string   `mapstructure:"name"`
	ClientID     string   `mapstructure:"clientId"`
	ClientSecret string   `mapstructure:"clientSecret"` // "" = public client
	RedirectURIs []string `mapstructure:"redirectUris"` // absolute, or "/path" on b2cemu itself
	// IdentifierURI is the App ID URI of an app that exposes an API, e.g.
	// https://contoso.onmicrosoft.com/tasks-api; its Scopes are requested as <IdentifierURI>/<scope>.
	IdentifierURI string   `mapstructure:"identifierUri"`
	Scopes        []string `mapstructure:"scopes"`
}

// CustomPolicies lists Identity Experience Framework policy files.
type CustomPolicies struct {
	Paths          []string `mapstructure:"paths"`
	DeploymentMode string   `mapstructure:"deploymentMode"` // Development
	CAFile         string   `mapstructure:"caFile"`         // extra CA (PEM) to trust for https ServiceUrls
}

// UserFlow is a user flow of one of B2C's types.
type UserFlow struct {
	ID                string          `mapstructure:"id"`   // B2C_1_…
	Type              string          `mapstructure:"type"` // signUpOrSignIn | signUp | signIn | passwordReset | profileEdit
	IdentityProviders []string        `mapstructure:"identityProviders"`
	UserAttributes    []UserAttribute `mapstructure:"userAttributes"`
	ApplicationClaims []string        `mapstructure:"applicationClaims"`
	APIConnectors     FlowConnectors  `mapstructure:"apiConnectors"`
	Tokens            Tokens          `mapstructure:"tokens"`
	// SignInInputID is the id of the unified page's sign-in name input: "email" (default, the
	// recommended user flows' pages) or "logonIdentifier" (the standard, legacy ones).
	SignInInputID string `mapstructure:"signInInputId"`
	// EmailVerification is the local sign-up page's "Requires verification" setting: nil or
	// true verifies the email address with a code, as B2C does by default; false does not.
	EmailVerification *bool `mapstructure:"emailVerification"`
	// PageLayout is the flow's Page layouts: its template, custom page content and JavaScript.
	PageLayout PageLayout `mapstructure:"pageLayout"`
	// LocalAccount is the flow's local account type: email (default: email and password) or
	// phone (Phone signup: a phone number and a one-time code, no password).
	LocalAccount string `mapstructure:"localAccount"`
	// MFA is the flow's Multifactor authentication settings (docs/mfa.md).
	MFA MFA `mapstructure:"mfa"`
	// Session is the flow's Properties → Session behavior: Keep me signed in.
	Session Session `mapstructure:"session"`
}

// Session is a user flow's session behavior settings that b2cemu runs: "Enable keep me signed
// in session" and "Keep me signed in session (days)" (docs/configuration.md).
type Session struct {
	// KeepMeSignedIn shows the "Keep me signed in" checkbox on the flow's sign-in page; a
	// sign-in with it checked keeps a persistent SSO session (false, the default: no checkbox).
	KeepMeSignedIn bool `mapstructure:"keepMeSignedIn"`
	// KeepMeSignedInDays is how long that session lasts: 1 to 90 days; 0 means 30.
	KeepMeSignedInDays int `mapstructure:"keepMeSignedInDays"`
}

// DefaultKeepMeSignedInDays is a Keep me signed in session's length when the flow names none:
// the 30 days of Microsoft's session-behavior examples.
const DefaultKeepMeSignedInDays = 30

// KeepMeSignedIn is the flow's Keep me signed in session length in days: 0 when the flow does
// not offer it.
func (f UserFlow) KeepMeSignedIn() int {
	switch {
	case !f.Session.KeepMeSignedIn:
		return 0
	case f.Session.KeepMeSignedInDays == 0:
		return DefaultKeepMeSignedInDays
	}
	return f.Session.KeepMeSignedInDays
}

// MFA is a user flow's Multifactor authentication: "Type of method" and "MFA enforcement".
type MFA struct {
	// Method is emailOtp, sms, phoneCall, smsOrPhoneCall (the default) or
	// totp (Authenticator app - TOTP).
	Method string `mapstructure:"method"`
	// Enforcement is off (the default), always or conditional (b2cemu: to enrol only, at
	// sign-up or when nothing is on record).
	Enforcement string `mapstructure:"enforcement"`
}

// PageLayout is a user flow's page layout settings (docs/pages.md#page-templates).
type PageLayout struct {
	// Template is the built-in template of every page of the flow: oceanBlue (default, as for
	// a new user flow), slateGray or classic.
	Template string `mapstructure:"template"`
	// CustomPageURI is the custom page content of a page (unified, idpSelection,
	// localAccountSignUp, socialAccountSignUp, error): a file, relative to the configuration
	// file, or a loopback http(s) URL; {Culture:RFC5646} and {Culture:LanguageName} in it stand
	// for the page's language. A page without one shows the template.
	CustomPageURI map[string]string `mapstructure:"customPageUri"`
	// JavaScript is "Enable JavaScript enforcing page layout": the custom pages' own scripts
	// run (false, the default: they are removed, as B2C removes them).
	JavaScript bool `mapstructure:"javaScript"`
}

// Tokens are a user flow's token settings (Properties → Token lifetime and compatibility).
type Tokens struct {
	Lifetime             time.Duration `mapstructure:"lifetime"`             // 60m: access and ID tokens, 5m to 24h
	RefreshTokenLifetime time.Duration `mapstructure:"refreshTokenLifetime"` // 336h (14 days): 1 to 90 days
	// SlidingWindow is "bounded" (default: a refresh token chain ends SlidingWindowLifetime
	// after sign-in) or "noExpiry".
	SlidingWindow         string        `mapstructure:"slidingWindow"`
	SlidingWindowLifetime time.Duration `mapstructure:"slidingWindowLifetime"` // 2160h (90 days): 1 to 365 days
	IssuerFormat          string        `mapstructure:"issuerFormat"`          // default ({base}/{tenantId}/v2.0/) or tfp
	PolicyClaim           string        `mapstructure:"policyClaim"`           // tfp (default) or acr
	EmailClaim            bool          `mapstructure:"emailClaim"`            // also emit "email" as a single string
}

// UserAttribute is one field of the attribute collection page.
type UserAttribute struct {
	Name     string `mapstructure:"name"`
	Required bool   `mapstructure:"required"`
}

// FlowConnectors names the connector of each step ("" = none).
type FlowConnectors struct {
	PostFederationSignup    string `mapstructure:"postFederationSignup"`
	PostAttributeCollection string `mapstructure:"postAttributeCollection"`
	PreTokenIssuance        string `mapstructure:"preTokenIssuance"`
}

// Compat settles points where Microsoft's documentation disagrees with itself.
type Compat struct {
	// PreTokenStep is the "step" value before token issuance: PreTokenIssuance (default) or
	// PreTokenApplicationClaims (the value of one example body in Microsoft's docs).
	PreTokenStep string `mapstructure:"preTokenStep"`
	// PreTokenClientIDKey is the client id's key at the token step: client_id (default) or clientId.
	PreTokenClientIDKey string `mapstructure:"preTokenClientIdKey"`
}

// Inspector is the call inspector (/_emulator/calls).
type Inspector struct {
	MaxCalls int `mapstructure:"maxCalls"` // 200: the newest calls kept in memory
}

// Passwords is how local accounts' passwords are hashed.
type Passwords struct {
	// BcryptCost is 0 (default): the emulator's fast salted SHA-256, about a microsecond; or
	// 4–31: bcrypt at that cost, for suites that want a realistic cost (10 ≈ 70 ms of CPU).
	// Stored and imported hashes of either kind, at any cost, keep verifying.
	BcryptCost int `mapstructure:"bcryptCost"`
}

// Branding is the pages' company branding.
type Branding struct {
	CompanyName     string `mapstructure:"companyName"`     // the banner; "" = the tenant name
	Logo            string `mapstructure:"logo"`            // PNG, JPEG, GIF or SVG file, at most 256 KiB
	PrimaryColor    string `mapstructure:"primaryColor"`    // buttons and links, e.g. "#0078d4"
	BackgroundColor string `mapstructure:"backgroundColor"` // the page background, e.g. "#0b4f8a"
	BackgroundImage string `mapstructure:"backgroundImage"` // PNG, JPEG, GIF or SVG file behind the panel, at most 1 MiB
}

// Admin guards the admin API.
type Admin struct {
	Token string `mapstructure:"token"` // "": /_emulator/ is open; else Authorization: Bearer <token>
}

// Deterministic makes runs repeatable: with signingKeys, two identical runs give
// byte-identical tokens.
type Deterministic struct {
	Seed int64  `mapstructure:"seed"` // 0: random ids; else ids, codes and secrets from this seed
	Time string `mapstructure:"time"` // "": the real time; RFC 3339: the clock starts frozen there
	// VerificationCode, when set, is every email verification code, for suites that cannot
	// read the outbox: 4 to 10 digits.
	VerificationCode string `mapstructure:"verificationCode"`
}

// defaults holds every scalar key's default, by key path.
var defaults = map[string]any{
	"server.addr":                    "127.0.0.1:8080",
	"server.publicUrl":               "",
	"server.tls.enabled":             false,
	"server.tls.certFile":            "",
	"server.tls.keyFile":             "",
	"dataDir":                        "",
	"tenant.name":                    "contoso",
	"tenant.id":                      "9d5a3e0c-1f7a-4c52-9a7e-2a0e4c6b7d11",
	"tenant.extensionsAppId":         "831374b3-bd50-41bf-aa54-263ec9e050fc",
	"customPolicies.deploymentMode":  "Development",
	"customPolicies.caFile":          "",
	"compat.preTokenStep":            "PreTokenIssuance",
	"compat.preTokenClientIdKey":     "client_id",
	"inspector.maxCalls":             200,
	"admin.token":                    "",
	"deterministic.seed":             0,
	"deterministic.time":             "",
	"deterministic.verificationCode": "",
	"branding.companyName":           "",
	"branding.logo":                  "",
	"branding.primaryColor":          "",
	"branding.backgroundColor":       "",
	"branding.backgroundImage":       "",
	"passwords.bcryptCost":           0,
}

// DefaultTimeout and DefaultRetries apply to connectors that do not set them.
const (
	DefaultTimeout = 5 * time.Second
	DefaultRetries = 1
)
