// Package token signs B2C-shaped tokens (RS256) and publishes the keys and the discovery
// document that OIDC clients read.
package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2cemu/b2cemu/flows/jsonenc"
)

// Key is an RSA signing key with its key id.
type Key struct {
	Private   *rsa.PrivateKey
	ID        string    // RFC 7638 thumbprint: stable for a given key
	NotBefore time.Time // published as the JWKS "nbf"
}

// NewKey wraps priv, deriving its key id.
func NewKey(priv *rsa.PrivateKey, notBefore time.Time) Key {
	return Key{Private: priv, ID: Thumbprint(&priv.PublicKey), NotBefore: notBefore}
}

// GenerateKey makes a new RSA-2048 key.
func GenerateKey(now time.Time) (Key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Key{}, fmt.Errorf("generating an RSA key: %w", err)
	}
	return NewKey(priv, now), nil
}

// ParseKey reads an RSA private key from PEM, PKCS#1 or PKCS#8.
func ParseKey(data []byte, notBefore time.Time) (Key, error) {
	block, rest := pem.Decode(data)
	for block != nil && block.Type == "EC PARAMETERS" { // openssl ecparam -genkey writes these first
		block, rest = pem.Decode(rest)
	}
	if block == nil {
		return Key{}, errors.New("no PEM block found; expected \"-----BEGIN PRIVATE KEY-----\" or \"-----BEGIN RSA PRIVATE KEY-----\"")
	}
	switch block.Type {
	case "EC PRIVATE KEY":
		return Key{}, notRSA("an EC")
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return Key{}, fmt.Errorf("holds a %s, not a private key; give the RSA private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)", block.Type)
	}
	if priv, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return NewKey(priv, notBefore), nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return Key{}, fmt.Errorf("the %s block is not a PKCS#1 or PKCS#8 private key; give an RSA private key, e.g. from openssl genrsa -out signing.pem 2048", block.Type)
	}
	switch priv := k.(type) {
	case *rsa.PrivateKey:
		return NewKey(priv, notBefore), nil
	case *ecdsa.PrivateKey:
		return Key{}, notRSA("an EC")
	case ed25519.PrivateKey:
		return Key{}, notRSA("an Ed25519")
	default:
		return Key{}, notRSA(fmt.Sprintf("a %T", k))
	}
}

// notRSA explains that tokens need an RSA key: B2C signs them with RS256.
func notRSA(kind string) error {
	return fmt.Errorf("holds %s private key; B2C signs tokens with RS256, which needs an RSA key: make one with openssl genrsa -out signing.pem 2048", kind)
}

// Thumbprint is the RFC 7638 JWK thumbprint of pub.
func Thumbprint(pub *rsa.PublicKey) string {
	j := fmt.Sprintf(`{"e":"%s","kty":"RSA","n":"%s"}`, b64(big.NewInt(int64(pub.E)).Bytes()), b64(pub.N.Bytes()))
	sum := sha256.Sum256([]byte(j))
	return b64(sum[:])
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Issuer signs tokens with the newest of its keys and publishes all of them.
type Issuer struct {
	keys    []Key
	ready   chan struct{} // closed once keys are there
	headers sync.Map      // key id → the base64url header segment of its tokens
}

// payloads are the buffers Sign encodes claims into before base64url-encoding them.
var payloads = sync.Pool{New: func() any { return new([]byte) }}

// header returns the encoded header of k's tokens; the key id is a base64url thumbprint, so
// nothing in it needs escaping.
func (i *Issuer) header(k Key) string {
	if h, ok := i.headers.Load(k.ID); ok {
		return h.(string)
	}
	h := b64([]byte(`{"alg":"RS256","kid":"` + k.ID + `","typ":"JWT"}`))
	i.headers.Store(k.ID, h)
	return h
}

// NewIssuer returns an issuer; the last key signs. It needs at least one key.
func NewIssuer(keys ...Key) (*Issuer, error) {
	if len(keys) == 0 {
		return nil, errors.New("token issuer: no signing key")
	}
	ready := make(chan struct{})
	close(ready)
	return &Issuer{keys: keys, ready: ready}, nil
}

// NewGeneratingIssuer returns an issuer whose key is being generated in the background, so
// that start-up does not wait for RSA key generation; its methods wait for the key.
func NewGeneratingIssuer(now time.Time) *Issuer {
	i := &Issuer{ready: make(chan struct{})}
	go func() {
		k, err := GenerateKey(now)
		if err != nil {
			panic(err) // crypto/rand failing leaves nothing to sign with
		}
		i.keys = []Key{k}
		close(i.ready)
	}()
	return i
}

// KeyIDs returns the key ids, the signing key last.
func (i *Issuer) KeyIDs() []string {
	<-i.ready
	var ids []string
	for _, k := range i.keys {
		ids = append(ids, k.ID)
	}
	return ids
}

// Sign returns a compact RS256 JWT with header typ JWT, alg RS256 and the signing key's kid,
// byte for byte what golang-jwt makes of the same claims (RS256 is deterministic), in one
// buffer.
func (i *Issuer) Sign(claims map[string]any) (string, error) {
	<-i.ready
	k := i.keys[len(i.keys)-1]
	enc := base64.RawURLEncoding
	buf := payloads.Get().(*[]byte)
	defer payloads.Put(buf)
	payload, err := jsonenc.Append((*buf)[:0], claims)
	*buf = payload
	if err != nil {
		return "", fmt.Errorf("encoding the token's claims: %w", err)
	}
	header := i.header(k)
	tok := make([]byte, 0, len(header)+enc.EncodedLen(len(payload))+2+enc.EncodedLen(k.Private.Size()))
	tok = append(tok, header...)
	tok = append(tok, '.')
	tok = enc.AppendEncode(tok, payload)
	digest := sha256.Sum256(tok)
	sig, err := rsa.SignPKCS1v15(nil, k.Private, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("signing the token: %w", err)
	}
	tok = append(tok, '.')
	return string(enc.AppendEncode(tok, sig)), nil
}

// Verify checks tok's signature against the issuer's keys (not its claims) and returns its
// header and claims.
func (i *Issuer) Verify(tok string) (map[string]any, map[string]any, error) {
	<-i.ready
	claims := jwt.MapClaims{}
	parsed, err := jwt.ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		for _, k := range i.keys {
			if k.ID == kid {
				return &k.Private.PublicKey, nil
			}
		}
		return nil, fmt.Errorf("no key with kid %q", kid)
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	if parsed == nil {
		return nil, claims, err
	}
	return parsed.Header, claims, err
}

// JWK is one public key as B2C publishes it.
type JWK struct {
	Kid string `json:"kid"`
	Nbf int64  `json:"nbf"`
	Use string `json:"use"`
	Kty string `json:"kty"`
	E   string `json:"e"`
	N   string `json:"n"`
}

// JWKS is the key set document.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// JWKS returns every key, public parts only.
func (i *Issuer) JWKS() JWKS {
	<-i.ready
	set := JWKS{Keys: []JWK{}}
	for _, k := range i.keys {
		pub := k.Private.PublicKey
		set.Keys = append(set.Keys, JWK{Kid: k.ID, Nbf: k.NotBefore.Unix(), Use: "sig", Kty: "RSA",
			E: b64(big.NewInt(int64(pub.E)).Bytes()), N: b64(pub.N.Bytes())})
	}
	return set
}
