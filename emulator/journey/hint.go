package journey

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// hintSkew is the clock skew allowed on a hint's exp and nbf: the default of .NET's token
// validation, which B2C is built on (b2cemu's choice; Microsoft does not publish B2C's).
const hintSkew = 5 * time.Minute

// maxDiscovery bounds what b2cemu reads of an issuer's discovery document and key set.
const maxDiscovery = 1 << 20

// hintError is a refused id_token_hint: B2C's code and message for the application, and
// what the developer should fix.
func hintError(code, msg, diagnostic string) *engine.Failure {
	return &engine.Failure{Code: code, Message: msg + " Please provide another token and try again.", Diagnostic: diagnostic, OAuth: "invalid_request"}
}

// getClaims runs a GetClaims step: the authorize request's id_token_hint, verified by the
// step's technical profile, gives the profile's output claims. Without a hint the step adds
// nothing, and the journey goes on: the community's invitation and magic-link policies show
// their own page to "an unsolicited request (a request without id_token_hint)".
func (x *execution) getClaims(step *policy.Step) *engine.Failure {
	tp := x.p.TechnicalProfiles[step.Issuer]
	hint := strings.TrimSpace(x.r.Request["id_token_hint"])
	if hint == "" {
		if x.Log != nil {
			x.Log.Info("custom policy GetClaims: the authorize request has no id_token_hint; the step adds no claims", "run", x.r.ID, "technicalProfile", tp.ID)
		}
		return nil
	}
	claims, err := x.verifyHint(tp, hint)
	if err != nil {
		return err
	}
	result := map[string]string{}
	flatten(result, "", map[string]any(claims), false)
	return x.outputs(tp, result, x.st.bag)
}

// verifyHint checks a hint as B2C does: its signature (HS256 with the client_secret policy
// key, or RS256 with a key of the METADATA issuer's jwks_uri), then its lifetime, audience and
// issuer, in the order of .NET's token validation.
func (x *execution) verifyHint(tp *policy.TechnicalProfile, hint string) (jwt.MapClaims, *engine.Failure) {
	where := fmt.Sprintf("%s:%d: TechnicalProfile Id=%q", tp.El.File, tp.El.Line, tp.ID)
	issuer, audience := tp.Metadata["issuer"], tp.Metadata["IdTokenAudience"]
	var keys jwt.Keyfunc
	method := "RS256"
	if ref := tp.HintSecret(); ref != "" {
		secret := x.PolicyKeys[strings.ToLower(ref)]
		if secret == "" { // the emulator refuses to start without it; an engine built by hand may lack it
			return nil, &engine.Failure{Code: "AADB2C90130", Message: fmt.Sprintf("The key container in tenant '%s' with storageReferenceId '%s' does not exist.", x.Tenant, ref),
				Diagnostic: fmt.Sprintf("%s: policyKeys has no %s; add the secret the link generator signs with", where, ref)}
		}
		method = "HS256"
		keys = func(*jwt.Token) (any, error) { return []byte(secret), nil } // the generators sign with the secret's UTF-8 bytes
	} else {
		doc, err := x.issuerKeys(x.ctx, tp.Metadata["METADATA"])
		if err != nil {
			return nil, hintError("AADB2C90210", "The provided id_token_hint parameter could not be validated.", fmt.Sprintf("%s: the issuer's keys could not be read: %v", where, err))
		}
		if issuer == "" {
			issuer = doc.issuer
		}
		keys = doc.key
	}
	tok, err := jwt.NewParser(jwt.WithValidMethods([]string{method}), jwt.WithoutClaimsValidation(), jwt.WithJSONNumber()).Parse(hint, keys)
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return nil, hintError("AADB2C90210", "The provided id_token_hint parameter could not be validated.", fmt.Sprintf("%s: the id_token_hint is not a JWT: %v", where, err))
	case err != nil:
		return nil, hintError("AADB2C90233", "The provided id_token_hint parameter failed signature validation.", fmt.Sprintf("%s: the id_token_hint's signature does not verify with %s: %v", where, keyName(tp, method), err))
	}
	claims := tok.Claims.(jwt.MapClaims)
	if rerr := x.hintLifetime(where, claims); rerr != nil {
		return nil, rerr
	}
	if audience == "" {
		audience = x.r.ClientID // b2cemu's choice: the application the link was made for
	}
	if aud, _ := claims.GetAudience(); !slices.Contains(aud, audience) {
		return nil, hintError("AADB2C90209", fmt.Sprintf("The provided id_token_hint parameter does not contain an accepted audience. Valid audience values: '%s'.", audience),
			fmt.Sprintf("%s: the hint's aud %q is not %q", where, []string(aud), audience))
	}
	if iss, _ := claims.GetIssuer(); iss != issuer {
		return nil, hintError("AADB2C90232", fmt.Sprintf("The provided id_token_hint parameter does not contain an accepted issuer. Valid issuers: '%s'.", issuer),
			fmt.Sprintf("%s: the hint's iss %q is not %q", where, iss, issuer))
	}
	return claims, nil
}

// hintLifetime checks exp (required, as Microsoft's token format says) and nbf.
func (e *Engine) hintLifetime(where string, claims jwt.MapClaims) *engine.Failure {
	now := e.Now()
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return hintError("AADB2C90210", "The provided id_token_hint parameter could not be validated.", fmt.Sprintf("%s: the hint has no numeric exp claim; a hint must say when it expires", where))
	}
	if now.After(exp.Add(hintSkew)) {
		return hintError("AADB2C90208", "The provided id_token_hint parameter is expired.", fmt.Sprintf("%s: the hint expired at %s (now %s)", where, exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	}
	nbf, err := claims.GetNotBefore()
	if err != nil {
		return hintError("AADB2C90210", "The provided id_token_hint parameter could not be validated.", fmt.Sprintf("%s: the hint's nbf is not a number", where))
	}
	if nbf != nil && now.Add(hintSkew).Before(nbf.Time) {
		return hintError("AADB2C90234", "The provided id_token_hint parameter has an 'nbf' value that is in the future.", fmt.Sprintf("%s: the hint is valid from %s (now %s)", where, nbf.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	}
	return nil
}

func keyName(tp *policy.TechnicalProfile, method string) string {
	if method == "HS256" {
		return "the policy key " + tp.HintSecret() + " (HS256)"
	}
	return "the keys of " + connector.Redact(tp.Metadata["METADATA"]) + " (RS256)"
}

// issuer is what b2cemu uses of an issuer's discovery document: its issuer and the RSA keys
// of its jwks_uri, by kid.
type issuer struct {
	issuer string
	keys   map[string]*rsa.PublicKey
}

// key picks the verification key: the one the hint's kid names, or each key when it names none.
func (d *issuer) key(t *jwt.Token) (any, error) {
	if kid, _ := t.Header["kid"].(string); kid != "" {
		if k := d.keys[kid]; k != nil {
			return k, nil
		}
		return nil, fmt.Errorf("the issuer publishes no key with kid %q", kid)
	}
	set := jwt.VerificationKeySet{}
	for _, k := range d.keys {
		set.Keys = append(set.Keys, k)
	}
	return set, nil
}

// issuerKeys reads the discovery document at metadata, then its jwks_uri, with the client
// RESTful profiles use (redirects are not followed).
func (e *Engine) issuerKeys(ctx context.Context, metadata string) (*issuer, error) {
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := e.getJSON(ctx, metadata, &doc); err != nil {
		return nil, fmt.Errorf("the discovery document: %w", err)
	}
	if doc.JWKSURI == "" {
		return nil, fmt.Errorf("the discovery document at %s has no jwks_uri", connector.Redact(metadata))
	}
	var set struct {
		Keys []struct {
			Kty, Kid, N, E string
		} `json:"keys"`
	}
	if err := e.getJSON(ctx, doc.JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("the key set: %w", err)
	}
	out := &issuer{issuer: doc.Issuer, keys: map[string]*rsa.PublicKey{}}
	for _, k := range set.Keys {
		if pub, err := rsaKey(k.N, k.E); k.Kty == "RSA" && err == nil {
			out.keys[k.Kid] = pub
		}
	}
	if len(out.keys) == 0 {
		return nil, fmt.Errorf("the key set at %s has no RSA key (kty RSA with n and e)", connector.Redact(doc.JWKSURI))
	}
	return out, nil
}

func rsaKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(n, "="))
	if err != nil {
		return nil, err
	}
	eb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(e, "="))
	if err != nil || len(eb) == 0 || len(eb) > 4 {
		return nil, fmt.Errorf("bad exponent")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(new(big.Int).SetBytes(eb).Int64())}, nil
}

// getJSON GETs a JSON document of at most maxDiscovery bytes within 10 s.
func (e *Engine) getJSON(ctx context.Context, u string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	shown := connector.Redact(u)
	if e.HTTP == nil {
		return fmt.Errorf("GET %s: the engine has no HTTP client", shown)
	}
	resp, err := e.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %s", shown, connector.ErrorText(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s answered %s (redirects are not followed)", shown, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscovery+1))
	switch {
	case err != nil:
		return fmt.Errorf("reading %s: %w", shown, err)
	case len(data) > maxDiscovery:
		return fmt.Errorf("%s is larger than %d bytes", shown, maxDiscovery)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s is not JSON: %w", shown, err)
	}
	return nil
}
