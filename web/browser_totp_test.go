package web_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/b2cemu/b2cemu/flows/otp"
)

// TestBrowserAuthenticatorApp: in Chromium, the custom policy's enrolment page of the TOTP
// display controls (testdata/azuremfa) draws the QR code from the page itself (a data: URI,
// nothing fetched), and the pixels Chromium shows are the QR code of the otpauth:// URI the
// page links; the secret shown beside it gives the code that finishes the sign-up.
func TestBrowserAuthenticatorApp(t *testing.T) {
	ctx := chromium(t)
	srv := startFixture(t, "azuremfa")
	authorize := srv.URL + "/contoso.onmicrosoft.com/B2C_1A_mfa_app_signup/oauth2/v2.0/authorize?client_id=" + phoneClient +
		"&redirect_uri=" + srv.URL + "/jwt&scope=openid&response_type=id_token&nonce=n&response_mode=form_post"
	err := chromedp.Do(ctx,
		chromedp.Navigate(authorize),
		chromedp.SendKeys(css("#email"), "ines@contoso.example"),
		chromedp.SendKeys(css("#displayName"), "Ines"),
		chromedp.Click(css("button#continue")),
		chromedp.WaitVisible(css("img#appQr_image")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("img#appQr_image").complete`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, shot("custom-authenticator-app")); err != nil {
		t.Fatal(err)
	}
	if got := eval[string](t, ctx, `[document.querySelector("#api").dataset.name, !!document.querySelector("div#appIcon.AuthenticatorAppIconControl"), `+
		`!!document.querySelector("div#appDetails.AuthenticatorInfoControl"), document.querySelector("img#appQr_image").naturalWidth].join("|")`); got != "SelfAsserted|true|true|256" {
		t.Errorf("the enrolment page: %q", got)
	}
	uri := eval[string](t, ctx, `document.querySelector("a#appQr_link").getAttribute("href")`)
	secret := eval[string](t, ctx, `document.querySelector("#appDetails_secret").textContent`)
	if !strings.HasPrefix(uri, "otpauth://totp/") || !strings.Contains(uri, "secret="+secret) {
		t.Fatalf("the deep link %q, secret %q", uri, secret)
	}
	shown := eval[string](t, ctx, `(() => { const img = document.querySelector("img#appQr_image"); const c = document.createElement("canvas");
		c.width = img.naturalWidth; c.height = img.naturalHeight; const g = c.getContext("2d"); g.drawImage(img, 0, 0);
		const d = g.getImageData(0, 0, c.width, c.height).data; let s = "";
		for (let i = 0; i < d.length; i += 4) s += d[i] < 128 ? "1" : "0"; return s; })()`)
	if want := qrPixels(t, uri); shown != want {
		t.Errorf("Chromium shows %d pixels that are not the QR code of %s (%d pixels)", len(shown), uri, len(want))
	}
	key, err := otp.Decode(secret)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(css("button#continue")),
		chromedp.WaitVisible(css("input#appCode")),
		chromedp.SendKeys(css("#appCode"), otp.TOTP(key, time.Now(), 6)),
		chromedp.Click(css("button#continue")),
		chromedp.WaitVisible(css("#claims")),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// qrPixels is the QR code of text as qrDataURI draws it, one "1" (dark) or "0" a pixel.
func qrPixels(t *testing.T, text string) string {
	t.Helper()
	b, err := qrcode.Encode(text, qrcode.Medium, 256)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
				s.WriteByte('1')
			} else {
				s.WriteByte('0')
			}
		}
	}
	return s.String()
}
