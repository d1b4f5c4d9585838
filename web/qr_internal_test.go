package web

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"strings"
	"testing"
)

// TestQRDataURI: the QR code is a 256-pixel PNG in a data: URI; no text, or text too long for
// a QR code, draws nothing.
func TestQRDataURI(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		drawn      bool
	}{
		{"an otpauth URI", "otpauth://totp/Contoso:ana@contoso.com?secret=JBSWY3DPEHPK3PXP&issuer=Contoso", true},
		{"no text", "", false},
		{"too long", strings.Repeat("x", 4000), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := qrDataURI(tc.text)
			if !tc.drawn {
				if got != "" {
					t.Errorf("drew %.40s", got)
				}
				return
			}
			b64, ok := strings.CutPrefix(got, "data:image/png;base64,")
			b, err := base64.StdEncoding.DecodeString(b64)
			if !ok || err != nil {
				t.Fatalf("not a PNG data URI: %.40s (%v)", got, err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil || img.Bounds().Dx() != qrSize || img.Bounds().Dy() != qrSize {
				t.Fatalf("the image: %v, %v", err, img)
			}
		})
	}
}
