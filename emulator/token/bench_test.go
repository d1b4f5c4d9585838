package token_test

import (
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/token"
)

func BenchmarkSign(b *testing.B) {
	k, _ := token.GenerateKey(time.Now())
	iss, _ := token.NewIssuer(k)
	claims := map[string]any{"iss": "https://b2c.test/9d5a3e0c-1f7a-4c52-9a7e-2a0e4c6b7d11/v2.0/", "sub": "3b8e", "aud": "6b1c", "ver": "1.0",
		"tfp": "b2c_1_susi", "name": "John Smith", "emails": []string{"john@fabrikam.com"}, "idp": "facebook.com", "iat": 1, "nbf": 1, "exp": 2}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iss.Sign(claims); err != nil {
			b.Fatal(err)
		}
	}
}
