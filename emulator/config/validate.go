package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

var (
	guidRe      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	tenantRe    = regexp.MustCompile(`^[a-z0-9]{1,256}$`)
	attrNameRe  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
	colorRe     = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$`)
	codeRe      = regexp.MustCompile(`^[0-9]{4,10}$`)
	flowIDRe    = regexp.MustCompile(`^(?i)B2C_1_[A-Za-z0-9_\-]+$`)
	knownClaims = []string{"displayName", "givenName", "surname", "emails", "identityProvider", "newUser", "objectId",
		"jobTitle", "streetAddress", "city", "postalCode", "state", "country"}
)

// Validate checks every value and reports every problem, or returns nil. The problems come
// in the order of the checks, which LoadData then sorts by line.
func (c *Config) Validate() *Error {
	v := &validator{lines: c.lines, from: c.from}
	c.validateServer(v)
	c.validateTenant(v)
	c.checkDataDir(v)
	for i, k := range c.SigningKeys {
		c.checkSigningKey(v, fmt.Sprintf("signingKeys[%d].file", i), k.File)
	}
	attrs := c.validateAttributes(v)
	idps := c.validateIdentityProviders(v)
	connectors := c.validateConnectors(v)
	c.validateApplications(v)
	c.validateLimits(v)
	c.validateBranding(v)
	c.validateDeterministic(v)
	c.validateCustomPolicies(v)
	c.validateChoices(v)
	c.validateFlows(v, attrs, idps, connectors)
	if len(v.problems) == 0 {
		return nil
	}
	return &Error{Problems: v.problems}
}

func (c *Config) validateLimits(v *validator) {
	if c.Inspector.MaxCalls < 1 || c.Inspector.MaxCalls > 100000 {
		v.add("inspector.maxCalls", fmt.Sprintf("%d is out of range; keep between 1 and 100000 calls", c.Inspector.MaxCalls))
	}
	if n := c.Passwords.BcryptCost; n != 0 && (n < 4 || n > 31) {
		v.add("passwords.bcryptCost", fmt.Sprintf("%d is out of range; use 0 (the default: a fast salted hash) or a bcrypt cost between 4 and 31 (10 is bcrypt's usual cost)", n))
	}
}

func (c *Config) validateBranding(v *validator) {
	for _, kc := range [][2]string{{"branding.primaryColor", c.Branding.PrimaryColor}, {"branding.backgroundColor", c.Branding.BackgroundColor}} {
		if kc[1] != "" && !colorRe.MatchString(kc[1]) {
			v.add(kc[0], fmt.Sprintf("%q is not a hex colour; use e.g. \"#0078d4\" (quoted in YAML)", kc[1]))
		}
	}
	c.validateImage(v, "branding.logo", c.Branding.Logo, 256<<10, "256 KiB")
	c.validateImage(v, "branding.backgroundImage", c.Branding.BackgroundImage, 1<<20, "1 MiB")
}

func (c *Config) validateDeterministic(v *validator) {
	if c.Deterministic.Time != "" {
		if _, err := time.Parse(time.RFC3339, c.Deterministic.Time); err != nil {
			v.add("deterministic.time", fmt.Sprintf("%q is not an RFC 3339 time; use e.g. 2026-01-01T00:00:00Z", c.Deterministic.Time))
		}
	}
	if code := c.Deterministic.VerificationCode; code != "" && !codeRe.MatchString(code) {
		v.add("deterministic.verificationCode", fmt.Sprintf("%q is not a verification code; use 4 to 10 digits, e.g. \"000000\" (quoted in YAML)", code))
	}
}

// validateCustomPolicies checks the policy files and the certificate policy keys, by id.
func (c *Config) validateCustomPolicies(v *validator) {
	for i, path := range c.CustomPolicies.Paths {
		if _, err := os.Stat(c.Resolve(path)); err != nil {
			v.add(fmt.Sprintf("customPolicies.paths[%d]", i), fmt.Sprintf("%q cannot be read (%v); give policy files or folders, relative to the configuration file", path, err))
		}
	}
	c.checkCAFile(v, "customPolicies.caFile", c.CustomPolicies.CAFile, "https ServiceUrls")
	ids := make([]string, 0, len(c.PolicyCertificates))
	for id := range c.PolicyCertificates {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if len(c.PolicyCertificates[id]) == 0 {
			v.add("policyCertificates."+id, "has no certificate; give a list of {file, password} PKCS#12 (.pfx) files")
		}
		for j, cert := range c.PolicyCertificates[id] {
			c.checkCertificate(v, fmt.Sprintf("policyCertificates.%s[%d]", id, j), cert)
		}
	}
}

// validateChoices checks the keys whose value is one of a few words.
func (c *Config) validateChoices(v *validator) {
	for _, ch := range []struct {
		key, value string
		words      []string
		problem    string // a format for the value
	}{
		{"customPolicies.deploymentMode", c.CustomPolicies.DeploymentMode, []string{"Development", "Production"},
			"%q is not a deployment mode; use Development or Production"},
		{"compat.preTokenStep", c.Compat.PreTokenStep, []string{"PreTokenApplicationClaims", "PreTokenIssuance"},
			"%q is not a token-step name; use PreTokenIssuance (the default) or PreTokenApplicationClaims"},
		{"compat.preTokenClientIdKey", c.Compat.PreTokenClientIDKey, []string{"client_id", "clientId"},
			"%q is not a client id key; use client_id or clientId"},
	} {
		if !slices.Contains(ch.words, ch.value) {
			v.add(ch.key, fmt.Sprintf(ch.problem, ch.value))
		}
	}
}

type validator struct {
	problems []Problem
	lines    map[string]int    // key path → line in the file
	from     map[string]string // key path → the variable or flag that set it
}

func (v *validator) add(key, msg string) {
	v.problems = append(v.problems, problem(v.lines, v.from, key, msg))
}

// problem is msg about key, placed at the key's line in the file (or its nearest parent's),
// or naming the variable or flag that set it.
func problem(lines map[string]int, from map[string]string, key, msg string) Problem {
	if src := from[key]; src != "" {
		return Problem{Key: key, From: src, Msg: msg}
	}
	line, ok := lines[key]
	if !ok {
		// Map keys (policyCertificates, policyKeys) reach the struct lower-cased: find the
		// file's spelling.
		for k, l := range lines {
			if strings.EqualFold(k, key) {
				key, line = k, l
				break
			}
		}
	}
	for k := key; line == 0 && strings.ContainsAny(k, ".["); {
		k = k[:strings.LastIndexAny(k, ".[")]
		line = lines[k]
	}
	return Problem{Key: key, Line: line, Msg: msg}
}

// Problem is msg about key, with the key's line, for problems found while building from a
// configuration that validated (a file that changed since).
func (c *Config) Problem(key, msg string) Problem {
	return problem(c.lines, c.from, key, msg)
}

func (c *Config) validateServer(v *validator) {
	host, _, err := net.SplitHostPort(c.Server.Addr)
	switch {
	case err != nil:
		v.add("server.addr", fmt.Sprintf("%q is not host:port; use e.g. 127.0.0.1:8080, or port 0 for a free port", c.Server.Addr))
	case !Loopback(host) && c.Admin.Token == "":
		// The admin API exports password hashes, resets the tenant and re-sends connector calls
		// with their credentials: beyond this machine it must not answer everyone.
		v.add("server.addr", fmt.Sprintf("%q listens on %s and admin.token is empty, so anyone who can reach it could use the admin API "+
			"(export users with their password hashes, reset, re-send connector calls); set admin.token (or B2CEMU_ADMIN_TOKEN), "+
			"or listen on a loopback address such as 127.0.0.1:8080", c.Server.Addr, reach(host)))
	}
	if c.Server.PublicURL != "" {
		if u, err := url.Parse(c.Server.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add("server.publicUrl", fmt.Sprintf("%q is not an absolute http(s) URL; use e.g. https://localhost:8443, or leave it empty", c.Server.PublicURL))
		}
	}
	t := c.Server.TLS
	if t.Enabled && (t.CertFile == "") != (t.KeyFile == "") {
		v.add("server.tls", "give both certFile and keyFile, or neither for a generated development certificate")
	}
	if t.Enabled && t.CertFile != "" && t.KeyFile != "" {
		c.checkServerCertificate(v)
	}
}

// Loopback reports whether a listen host reaches this machine only: localhost, 127.0.0.0/8 or
// ::1. An empty host, 0.0.0.0 and [::] listen on every interface.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// reach says which interfaces a non-loopback listen host serves.
func reach(host string) string {
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		return "every network interface"
	}
	return "an address other machines can reach"
}

func (c *Config) validateTenant(v *validator) {
	if !tenantRe.MatchString(c.Tenant.Name) {
		v.add("tenant.name", fmt.Sprintf("%q is not a tenant name; use lower-case letters and digits only, e.g. contoso (for contoso.onmicrosoft.com)", c.Tenant.Name))
	}
	if !guidRe.MatchString(c.Tenant.ID) {
		v.add("tenant.id", fmt.Sprintf("%q is not a GUID; use the tenant id, e.g. 9d5a3e0c-1f7a-4c52-9a7e-2a0e4c6b7d11", c.Tenant.ID))
	}
	if !guidRe.MatchString(c.Tenant.ExtensionsAppID) {
		v.add("tenant.extensionsAppId", fmt.Sprintf("%q is not a GUID; use the b2c-extensions-app's application (client) id", c.Tenant.ExtensionsAppID))
	}
}

// validateAttributes returns the attribute names flows may use (built-in and custom).
func (c *Config) validateAttributes(v *validator) map[string]bool {
	names := map[string]bool{}
	for _, a := range attributes.New(nil).All() {
		names[a.Name] = true
	}
	for i, a := range c.CustomAttributes {
		key := fmt.Sprintf("customAttributes[%d]", i)
		switch {
		case !attrNameRe.MatchString(a.Name):
			v.add(key+".name", fmt.Sprintf("%q is not a custom attribute name; use letters and digits, starting with a letter (e.g. LoyaltyNumber)", a.Name))
		case attributes.IsBuiltin(a.Name):
			v.add(key+".name", fmt.Sprintf("%q is a built-in attribute; built-in attributes need no declaration", a.Name))
		case names[a.Name]:
			v.add(key+".name", fmt.Sprintf("%q is declared twice; give each custom attribute once", a.Name))
		default:
			names[a.Name] = true
		}
		switch a.DataType {
		case "", "string", "int", "boolean":
		default:
			v.add(key+".dataType", fmt.Sprintf("%q is not a user-flow data type; use string, int or boolean", a.DataType))
		}
	}
	return names
}

func (c *Config) validateIdentityProviders(v *validator) map[string]bool {
	ids := map[string]bool{}
	for i, p := range c.IdentityProviders {
		key := fmt.Sprintf("identityProviders[%d]", i)
		switch {
		case p.ID == "":
			v.add(key+".id", "is empty; give the provider's domain, e.g. facebook.com (it is sent as identities[].issuer)")
		case p.ID == flows.LocalProvider:
			v.add(key+".id", `"email" is the built-in local account provider; give social providers another id`)
		case ids[p.ID]:
			v.add(key+".id", fmt.Sprintf("%q is declared twice", p.ID))
		default:
			ids[p.ID] = true
		}
		seen := map[string]bool{}
		for j, a := range p.Accounts {
			akey := fmt.Sprintf("%s.accounts[%d].issuerAssignedId", key, j)
			if a.IssuerAssignedID == "" {
				v.add(akey, "is empty; give the subject the provider assigns, e.g. \"0123456789\"")
			} else if seen[a.IssuerAssignedID] {
				v.add(akey, fmt.Sprintf("%q is used by two accounts of this provider", a.IssuerAssignedID))
			}
			seen[a.IssuerAssignedID] = true
		}
	}
	return ids
}

func (c *Config) validateConnectors(v *validator) map[string]bool {
	names := map[string]bool{}
	for i, a := range c.APIConnectors {
		key := fmt.Sprintf("apiConnectors[%d]", i)
		switch {
		case a.Name == "":
			v.add(key+".name", "is empty; give the connector a name that user flows refer to")
		case names[a.Name]:
			v.add(key+".name", fmt.Sprintf("%q is declared twice", a.Name))
		default:
			names[a.Name] = true
		}
		checkURL(v, key+".endpointUrl", a.EndpointURL, "the API's URL, e.g. https://contoso.azurewebsites.net/api/validate?code=…")
		auth := a.Authentication
		switch auth.Type {
		case "", "basic":
			if auth.Username == "" || auth.Password == "" {
				v.add(key+".authentication", "type basic needs username and password (B2C requires both; use dummy values if the API ignores them), or set type: none for development")
			}
		case "none":
		case "certificate":
			if len(auth.Certificates) == 0 {
				v.add(key+".authentication.certificates", "type certificate needs at least one certificate: a PKCS#12 (.pfx) file and its password")
			}
			for j, cert := range auth.Certificates {
				c.checkCertificate(v, fmt.Sprintf("%s.authentication.certificates[%d]", key, j), cert)
			}
		default:
			v.add(key+".authentication.type", fmt.Sprintf("%q is not an authentication type; use basic, certificate or none", auth.Type))
		}
		c.checkCAFile(v, key+".caFile", a.CAFile, "this endpoint")
		if a.Timeout < 0 || (a.Timeout > 0 && a.Timeout.Milliseconds() < 1) {
			v.add(key+".timeout", fmt.Sprintf("%s is not a usable timeout; use e.g. 5s", a.Timeout))
		}
		if a.Retries != nil && (*a.Retries < 0 || *a.Retries > 5) {
			v.add(key+".retries", fmt.Sprintf("%d is out of range; use 0 to 5 (B2C retries once)", *a.Retries))
		}
	}
	return names
}

func checkURL(v *validator, key, raw, what string) {
	if strings.HasPrefix(raw, "/") {
		return // a path on b2cemu itself
	}
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.add(key, fmt.Sprintf("%q is not an absolute http(s) URL; give %s, or a path starting with / on b2cemu itself", raw, what))
	}
}

func (c *Config) validateApplications(v *validator) {
	ids := map[string]bool{}
	for i, a := range c.Applications {
		key := fmt.Sprintf("applications[%d]", i)
		switch {
		case a.ClientID == "":
			v.add(key+".clientId", "is empty; give the application (client) id, a GUID")
		case !guidRe.MatchString(a.ClientID):
			v.add(key+".clientId", fmt.Sprintf("%q is not a GUID; B2C application (client) ids are GUIDs: use the app registration's id, e.g. 6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10", a.ClientID))
		case ids[strings.ToLower(a.ClientID)]:
			v.add(key+".clientId", fmt.Sprintf("%q is used by two applications", a.ClientID))
		}
		ids[strings.ToLower(a.ClientID)] = true
		if len(a.RedirectURIs) == 0 {
			v.add(key+".redirectUris", "is empty; register at least one redirect URI, e.g. /jwt for the built-in token viewer")
		}
		for j, r := range a.RedirectURIs {
			checkURL(v, fmt.Sprintf("%s.redirectUris[%d]", key, j), r, "the app's reply URL")
		}
		if a.IdentifierURI != "" {
			if u, err := url.Parse(a.IdentifierURI); err != nil || u.Scheme != "https" || u.Host == "" {
				v.add(key+".identifierUri", fmt.Sprintf("%q is not an App ID URI; use e.g. https://%s.onmicrosoft.com/tasks-api", a.IdentifierURI, c.Tenant.Name))
			}
		}
		if len(a.Scopes) > 0 && a.IdentifierURI == "" {
			v.add(key+".scopes", "need identifierUri: scopes are requested as <identifierUri>/<scope>")
		}
		for j, sc := range a.Scopes {
			if sc == "" || strings.ContainsAny(sc, " /") {
				v.add(fmt.Sprintf("%s.scopes[%d]", key, j), fmt.Sprintf("%q is not a scope name; use a word such as tasks.read", sc))
			}
		}
	}
}

// validateFlows checks each user flow: its name, its type and what the type allows, and the
// attributes, identity providers, claims and API connectors it names.
func (c *Config) validateFlows(v *validator, attrs, idps, connectors map[string]bool) {
	ids := map[string]bool{}
	claims := applicationClaims(attrs)
	for i, f := range c.UserFlows {
		key := fmt.Sprintf("userFlows[%d]", i)
		switch {
		case !flowIDRe.MatchString(f.ID):
			v.add(key+".id", fmt.Sprintf("%q is not a user flow name; user flows are named B2C_1_<name>, e.g. B2C_1_signup", f.ID))
		case ids[strings.ToLower(f.ID)]:
			v.add(key+".id", fmt.Sprintf("%q is declared twice (names are case-insensitive)", f.ID))
		}
		ids[strings.ToLower(f.ID)] = true
		c.validateFlowKind(v, key, f)
		validateFlowNames(v, key, f, attrs, idps, claims)
		c.validateTokens(v, key+".tokens", f.Tokens)
		steps := [][2]string{{"postFederationSignup", f.APIConnectors.PostFederationSignup},
			{"postAttributeCollection", f.APIConnectors.PostAttributeCollection}, {"preTokenIssuance", f.APIConnectors.PreTokenIssuance}}
		for _, sn := range steps {
			if sn[1] != "" && !connectors[sn[1]] {
				v.add(key+".apiConnectors."+sn[0], fmt.Sprintf("%q is not a configured API connector; use one of: %s", sn[1], list(connectors)))
			}
		}
	}
}

// applicationClaims are the claims a user flow can return: the built-in ones and every
// attribute but email (returned as emails).
func applicationClaims(attrs map[string]bool) map[string]bool {
	claims := map[string]bool{}
	for _, n := range knownClaims {
		claims[n] = true
	}
	for n := range attrs {
		if n != "email" {
			claims[n] = true
		}
	}
	return claims
}

// validateFlowKind checks the flow's type, its pages and its local account settings.
func (c *Config) validateFlowKind(v *validator, key string, f UserFlow) {
	switch flows.Type(f.Type) {
	case flows.SignUp, flows.SignUpOrSignIn, flows.SignIn, flows.PasswordReset, flows.ProfileEdit:
		c.validateFlowType(v, key, f)
	default:
		v.add(key+".type", fmt.Sprintf("%q is not a user flow type; use signUpOrSignIn, signUp, signIn, passwordReset or profileEdit", f.Type))
	}
	if len(f.IdentityProviders) == 0 {
		v.add(key+".identityProviders", "is empty; list email (local accounts) and/or identity provider ids")
	}
	c.validatePageLayout(v, key+".pageLayout", f.PageLayout)
	validateMFA(v, key+".mfa", f)
	validateSession(v, key+".session", f)
	switch f.LocalAccount {
	case "", "email":
	case "phone":
		if t := flows.Type(f.Type); t != flows.SignUpOrSignIn && t != flows.SignUp && t != flows.SignIn {
			v.add(key+".localAccount", fmt.Sprintf("b2cemu runs phone accounts in sign-up and sign-in flows only; remove localAccount from this %s flow", f.Type))
		}
	default:
		v.add(key+".localAccount", fmt.Sprintf("%q is not a local account type; use email (the default) or phone", f.LocalAccount))
	}
	if id := f.SignInInputID; id != "" && id != "email" && id != "logonIdentifier" {
		v.add(key+".signInInputId", fmt.Sprintf("%q is not a sign-in input id; use email (recommended user flows) or logonIdentifier (standard user flows)", id))
	}
}

// validateFlowNames checks the identity providers, attributes and claims the flow lists.
func validateFlowNames(v *validator, key string, f UserFlow, attrs, idps, claims map[string]bool) {
	for j, p := range f.IdentityProviders {
		if p != flows.LocalProvider && !idps[p] {
			v.add(fmt.Sprintf("%s.identityProviders[%d]", key, j), fmt.Sprintf("%q is not a configured identity provider; use email or one of: %s", p, list(idps)))
		}
	}
	seen := map[string]bool{}
	for j, a := range f.UserAttributes {
		akey := fmt.Sprintf("%s.userAttributes[%d].name", key, j)
		switch {
		case !attrs[a.Name]:
			v.add(akey, fmt.Sprintf("%q is not a built-in or custom attribute; use one of: %s", a.Name, list(attrs)))
		case seen[a.Name]:
			v.add(akey, fmt.Sprintf("%q is listed twice", a.Name))
		}
		seen[a.Name] = true
	}
	for j, n := range f.ApplicationClaims {
		if !claims[n] {
			v.add(fmt.Sprintf("%s.applicationClaims[%d]", key, j), fmt.Sprintf("%q is not an application claim; use one of: %s", n, list(claims)))
		}
	}
}

// validateFlowType refuses what the flow's type does not have: a sign-in flow creates no
// users (so no sign-up connector runs and no attribute is collected), a password reset flow
// is for local accounts and always verifies the email, and neither it nor a profile editing
// flow calls API connectors.
func (c *Config) validateFlowType(v *validator, key string, f UserFlow) {
	t := flows.Type(f.Type)
	signUpSteps := [][2]string{{"postFederationSignup", f.APIConnectors.PostFederationSignup}, {"postAttributeCollection", f.APIConnectors.PostAttributeCollection}}
	switch t {
	case flows.SignIn:
		for _, sn := range signUpSteps {
			if sn[1] != "" {
				v.add(key+".apiConnectors."+sn[0], fmt.Sprintf("a signIn user flow creates no users, so %s never runs; remove it, or make the flow type signUpOrSignIn to sign users up as well", sn[0]))
			}
		}
		if len(f.UserAttributes) > 0 {
			v.add(key+".userAttributes", "a signIn user flow collects no attributes; remove userAttributes, or make the flow type signUpOrSignIn")
		}
	case flows.PasswordReset, flows.ProfileEdit:
		for _, sn := range append(signUpSteps, [2]string{"preTokenIssuance", f.APIConnectors.PreTokenIssuance}) {
			if sn[1] != "" {
				v.add(key+".apiConnectors."+sn[0], fmt.Sprintf("API connectors run in sign-up and sign-in user flows only, not in a %s flow; remove it, or attach the connector to a signUpOrSignIn, signUp or signIn flow", t))
			}
		}
	}
	if t != flows.PasswordReset {
		return
	}
	for j, p := range f.IdentityProviders {
		if p != flows.LocalProvider {
			v.add(fmt.Sprintf("%s.identityProviders[%d]", key, j), fmt.Sprintf("%q: a passwordReset user flow resets local account passwords only; list just email", p))
		}
	}
	if len(f.UserAttributes) > 0 {
		v.add(key+".userAttributes", "a passwordReset user flow collects no attributes; remove userAttributes")
	}
	if f.EmailVerification != nil && !*f.EmailVerification {
		v.add(key+".emailVerification", "a passwordReset user flow always verifies the email (it proves who the user is); remove emailVerification: false")
	}
}

func (c *Config) validateTokens(v *validator, key string, t Tokens) {
	between := func(k string, d, lo, hi time.Duration, what string) {
		if d != 0 && (d < lo || d > hi) {
			v.add(key+"."+k, fmt.Sprintf("%s is out of range; B2C allows %s", d, what))
		}
	}
	between("lifetime", t.Lifetime, 5*time.Minute, 24*time.Hour, "5m to 24h (1440 minutes)")
	between("refreshTokenLifetime", t.RefreshTokenLifetime, 24*time.Hour, 90*24*time.Hour, "24h to 2160h (1 to 90 days)")
	between("slidingWindowLifetime", t.SlidingWindowLifetime, 24*time.Hour, 365*24*time.Hour, "24h to 8760h (1 to 365 days)")
	switch t.SlidingWindow {
	case "", "bounded", "noExpiry":
	default:
		v.add(key+".slidingWindow", fmt.Sprintf("%q is not a sliding window type; use bounded or noExpiry", t.SlidingWindow))
	}
	switch t.IssuerFormat {
	case "", "default", "tfp":
	default:
		v.add(key+".issuerFormat", fmt.Sprintf("%q is not an issuer format; use default or tfp", t.IssuerFormat))
	}
	switch t.PolicyClaim {
	case "", "tfp", "acr":
	default:
		v.add(key+".policyClaim", fmt.Sprintf("%q is not a policy claim; use tfp or acr", t.PolicyClaim))
	}
}

// validateImage checks a branding image: a file that exists, under max bytes, an image.
func (c *Config) validateImage(v *validator, key, file string, max int64, maxText string) {
	if file == "" {
		return
	}
	info, err := os.Stat(c.Resolve(file))
	switch {
	case err != nil:
		v.add(key, fmt.Sprintf("%q cannot be read (%v)", file, err))
	case info.Size() > max:
		v.add(key, fmt.Sprintf("%q is %d bytes; keep the image under %s", file, info.Size(), maxText))
	case LogoType(file) == "":
		v.add(key, fmt.Sprintf("%q is not a .png, .jpg, .gif or .svg file", file))
	}
}

// LogoType is the Content-Type of a logo file, by its extension; "" when it is no image.
func LogoType(file string) string {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".gif":
		return "image/gif"
	case ".svg":
		return "image/svg+xml"
	}
	return ""
}

func list(set map[string]bool) string {
	var s []string
	for k := range set {
		s = append(s, k)
	}
	if len(s) == 0 {
		return "(none configured)"
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// validateSession checks a user flow's Keep me signed in settings. B2C offers the checkbox to
// local accounts on the recommended sign-up and sign-in, sign-in and profile editing flows
// only (Microsoft's session-behavior article), and takes 1 to 90 days.
func validateSession(v *validator, key string, f UserFlow) {
	s := f.Session
	if d := s.KeepMeSignedInDays; d != 0 && (d < 1 || d > 90) {
		v.add(key+".keepMeSignedInDays", fmt.Sprintf("%d is out of range; use 1 to 90 days (the portal's Keep me signed in session (days))", d))
	} else if d != 0 && !s.KeepMeSignedIn {
		v.add(key+".keepMeSignedInDays", "is set while keepMeSignedIn is off; set keepMeSignedIn: true, or remove keepMeSignedInDays")
	}
	if !s.KeepMeSignedIn {
		return
	}
	switch t := flows.Type(f.Type); {
	case t == flows.SignUp || t == flows.PasswordReset:
		v.add(key+".keepMeSignedIn", fmt.Sprintf("B2C offers Keep me signed in on signUpOrSignIn, signIn and profileEdit flows only; remove it from this %s flow", f.Type))
	case !slices.Contains(f.IdentityProviders, flows.LocalProvider):
		v.add(key+".keepMeSignedIn", "is for local accounts, and the flow offers none; add email to identityProviders, or remove keepMeSignedIn")
	case f.SignInInputID == "logonIdentifier":
		v.add(key+".keepMeSignedIn", "is a setting of the recommended user flows, and signInInputId logonIdentifier draws a standard (legacy) flow's page; use signInInputId email, or remove keepMeSignedIn")
	}
}

// validateMFA checks a user flow's mfa settings: known values, and a method the flow can take.
// Every flow type takes MFA; a phone sign-up flow's number is its first factor, so B2C offers
// only the email code and the authenticator app as the second (docs/mfa.md).
func validateMFA(v *validator, key string, f UserFlow) {
	switch e := flows.MFAEnforcement(f.MFA.Enforcement); e {
	case "", flows.MFAOff, flows.MFAAlways, flows.MFAConditional: // every flow type takes each
	default:
		v.add(key+".enforcement", fmt.Sprintf("%q is not an MFA enforcement; use off, always or conditional", e))
	}
	phone := f.LocalAccount == "phone"
	switch m := engine.MFAMethod(f.MFA.Method); m {
	case "":
		if phone && f.MFA.Enforcement != "" && f.MFA.Enforcement != string(flows.MFAOff) {
			v.add(key+".method", "is not given, and its default smsOrPhoneCall is not offered with phone accounts (localAccount: phone); give method: totp")
		}
	case engine.MFASMS, engine.MFACall, engine.MFASMSOrCall:
		if phone {
			v.add(key+".method", fmt.Sprintf("%s is not offered with phone accounts (localAccount: phone), whose number is the first factor; use emailOtp or totp", m))
		}
	case engine.MFAEmail:
		if phone {
			v.add(key+".method", "b2cemu does not yet enrol an address for the email code of phone accounts (localAccount: phone); use totp")
		}
	case engine.MFATOTP:
	default:
		v.add(key+".method", fmt.Sprintf("%q is not an MFA method; use emailOtp, sms, phoneCall, smsOrPhoneCall or totp", m))
	}
}
