// Package hinttest makes id_token_hint tokens for tests the way the community's invitation and
// magic-link link generators do: HS256 with the UTF-8 bytes of a shared secret, or RS256 with
// a certificate's key whose public half the generator serves at its own
// /.well-known/openid-configuration and /.well-known/keys.
package hinttest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are a hint's registered claims for iss and aud, valid from now for life, with extra
// claims (the invited user's email, name, …).
func Claims(iss, aud string, now time.Time, life time.Duration, extra map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{"iss": iss, "aud": aud, "nbf": now.Unix(), "exp": now.Add(life).Unix()}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

// SignHS256 signs claims with secret as the symmetric-key generators do.
func SignHS256(t testing.TB, secret string, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Issuer is a link generator with its own RSA key, serving its discovery document and keys on
// 127.0.0.1. Its issuer is its root URL with a trailing slash, as the invitation sample's is.
type Issuer struct {
	URL    string // root, no trailing slash
	Issuer string
	Kid    string
	key    *rsa.PrivateKey
}

// NewIssuer starts a generator's metadata server for the test.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(key.PublicKey.N.Bytes())
	is := &Issuer{key: key, Kid: base64.RawURLEncoding.EncodeToString(sum[:])}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": is.Issuer, "jwks_uri": is.URL + "/.well-known/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("GET /.well-known/keys", func(w http.ResponseWriter, r *http.Request) {
		pub := key.PublicKey
		writeJSON(w, map[string]any{"keys": []map[string]string{{"kty": "RSA", "use": "sig", "kid": is.Kid,
			"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	is.URL, is.Issuer = srv.URL, srv.URL+"/"
	return is
}

// Metadata is the discovery URL a policy's METADATA item names.
func (is *Issuer) Metadata() string { return is.URL + "/.well-known/openid-configuration" }

// Sign signs claims with the generator's key (RS256, its kid in the header).
func (is *Issuer) Sign(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = is.Kid
	s, err := tok.SignedString(is.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
