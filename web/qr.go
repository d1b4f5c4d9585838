package web

import (
	"encoding/base64"

	qrcode "github.com/skip2/go-qrcode"
)

// qrSize is the QR code image's width and height in pixels.
const qrSize = 256

// qrDataURI is the QR code of text (an authenticator app's otpauth:// URI) as a PNG in a
// data: URI, so the page draws it with nothing fetched; "" when there is no text or it does
// not fit a QR code. Medium error correction, as authenticator apps scan it from a screen.
func qrDataURI(text string) string {
	if text == "" {
		return ""
	}
	png, err := qrcode.Encode(text, qrcode.Medium, qrSize)
	if err != nil {
		return ""
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}
