package token_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

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

// TestSignMatchesGolangJWT: Sign writes the very token golang-jwt writes for the same claims
// (RS256 is deterministic), whatever the claims hold, so deterministic runs keep their tokens.
func TestSignMatchesGolangJWT(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	key := token.NewKey(priv, time.Unix(0, 0))
	iss, err := token.NewIssuer(key)
	if err != nil {
		t.Fatal(err)
	}
	for name, claims := range map[string]map[string]any{
		"typical": {"aud": "1a2b", "emails": []any{"ana@fabrikam.com"}, "exp": int64(1796158982), "iat": int64(1796155382),
			"name": "Ana Lima", "newUser": true, "oid": "6f1c", "tfp": "b2c_1_susi", "ver": "1.0"},
		"escapes":  {"name": `Ana "A&B" <Lima>\`, "city": "Zürich", "tab": "a\tb", "line": "a\u2028b", "bad": "\xff"},
		"numbers":  {"i": 7, "f": 1.5, "big": 1e21, "small": 1e-7, "zero": 0.0, "neg": -3.25, "whole": 3.0},
		"nested":   {"m": map[string]any{"b": []string{"x", "<y>"}, "a": nil}, "l": []any{1, "two", false, nil, []any{}}, "empty": []string{}},
		"other":    {"n": json.Number("12"), "s": []int{1, 2}, "u": uint8(4), "nilList": []string(nil), "nilMap": map[string]any(nil)},
		"no claim": {},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := iss.Sign(claims)
			if err != nil {
				t.Fatal(err)
			}
			jt := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
			jt.Header["kid"] = key.ID
			want, err := jt.SignedString(key.Private)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("token\n%s\nwant\n%s", got, want)
			}
		})
	}
	if _, err := iss.Sign(map[string]any{"nan": math.NaN()}); err == nil {
		t.Error("a NaN claim was signed")
	}
}
