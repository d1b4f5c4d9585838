package token_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/token"
)

func TestKeyIDIsStableAcrossEncodings(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(priv)
	encodings := map[string][]byte{
		"pkcs1": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)}),
		"pkcs8": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
	}
	want := token.Thumbprint(&priv.PublicKey)
	for name, data := range encodings {
		k, err := token.ParseKey(data, time.Unix(0, 0))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if k.ID != want || len(k.ID) != 43 {
			t.Errorf("%s: kid %q, want %q", name, k.ID, want)
		}
	}
}

func TestParseKeyErrors(t *testing.T) {
	for name, data := range map[string]string{
		"not PEM":   "hello",
		"not a key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
	} {
		if _, err := token.ParseKey([]byte(data), time.Now()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSignVerifyAndJWKS(t *testing.T) {
	old, _ := token.GenerateKey(time.Unix(100, 0))
	cur, _ := token.GenerateKey(time.Unix(200, 0))
	iss, err := token.NewIssuer(old, cur)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := iss.Sign(map[string]any{"sub": "u1", "ver": "1.0"})
	if err != nil {
		t.Fatal(err)
	}
	header, claims, err := iss.Verify(tok)
	if err != nil || header["kid"] != cur.ID || header["typ"] != "JWT" || header["alg"] != "RS256" || claims["sub"] != "u1" {
		t.Errorf("verify: %v %v %v", err, header, claims)
	}
	set := iss.JWKS()
	if len(set.Keys) != 2 || set.Keys[1].Kid != cur.ID || set.Keys[0].Nbf != 100 || set.Keys[1].Use != "sig" || set.Keys[1].E != "AQAB" {
		t.Errorf("jwks = %+v", set)
	}
	// A token signed by another key, or tampered with, does not verify.
	stranger, _ := token.GenerateKey(time.Now())
	other, _ := token.NewIssuer(stranger)
	foreign, _ := other.Sign(map[string]any{"sub": "u1"})
	if _, _, err := iss.Verify(foreign); err == nil {
		t.Error("a foreign token verified")
	}
	parts := strings.Split(tok, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin"}`)) + "." + parts[2]
	if _, _, err := iss.Verify(tampered); err == nil {
		t.Error("a tampered token verified")
	}
	if _, err := token.NewIssuer(); err == nil {
		t.Error("an issuer without keys")
	}
}
