package web

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/flows/otp"
)

// AppCodeMarker, as the value of an authenticator-app code field in a headless run's
// attributes entry, has the driver type the code the user's app shows now, as leaving the
// field out does.
const AppCodeMarker = "@authenticator"

// noteSecret keeps the authenticator-app secret the current page shows (its
// AuthenticatorInfoControl, else the secret of its QrCodeControl's otpauth:// URI), as a
// user's app keeps what it scanned.
func (d *driver) noteSecret() {
	if d.run.Page == nil {
		return
	}
	for _, f := range d.run.Page.Fields {
		switch {
		case f.InputType == "AuthenticatorInfoControl" && len(f.Options) > 1 && f.Options[1].Value != "":
			d.secret = f.Options[1].Value
			return
		case f.InputType == "QrCodeControl" && len(f.Options) > 0:
			if u, err := url.Parse(f.Options[0].Value); err == nil && u.Query().Get("secret") != "" {
				d.secret = u.Query().Get("secret")
			}
		}
	}
}

// withoutSecret are the submitted values the answer shows: those holding the app's secret
// (the enrolment page's pre-filled claims behind its QR code) are left out, as secrets never
// reach an answer.
func (d *driver) withoutSecret(values map[string]string) map[string]string {
	if d.secret == "" {
		return values
	}
	out := make(map[string]string, len(values))
	for k, v := range values {
		if !strings.Contains(strings.ToLower(v), strings.ToLower(d.secret)) {
			out[k] = v
		}
	}
	return out
}

// appOnly reports whether the current page asks only for the authenticator app's code or
// only shows the app's enrolment, and its last submission was not refused.
func (d *driver) appOnly() bool {
	r := d.run
	if r.Phase != engine.PhaseAttributes || r.Page == nil || len(r.Page.Fields) == 0 || r.PageError != "" || len(r.FieldErrors) > 0 {
		return false
	}
	for _, f := range r.Page.Fields {
		switch f.InputType {
		case "QrCodeControl", "AuthenticatorInfoControl", "AuthenticatorAppIconControl":
			continue
		}
		if f.App == nil || f.Verify != nil && f.Verify.Error != "" {
			return false
		}
	}
	return true
}

// typeAppCodes fills the page's authenticator-app code fields that the submission's values
// leave out (or give as AppCodeMarker) with the app's code.
func (d *driver) typeAppCodes(values, merged map[string]string) error {
	if d.run.Page == nil {
		return nil
	}
	for _, f := range d.run.Page.Fields {
		if f.App == nil || f.Verify != nil {
			continue
		}
		if v, ok := values[f.ID]; ok && v != AppCodeMarker {
			continue
		}
		code, err := d.appCode(f.App)
		if err != nil {
			return err
		}
		merged[f.ID] = code
	}
	return nil
}

// appCode is the code the user's authenticator app shows at the emulator's clock: of the
// secret a page of the run showed (an enrolment), else of the key enrolled on the page's
// user.
func (d *driver) appCode(app *engine.AppCode) (string, error) {
	key, err := otp.Decode(d.secret)
	if d.secret == "" || err != nil || len(key) == 0 {
		key = nil
		if u, err := d.s.Admin.User(d.c.Request().Context(), app.User); app.User != "" && err == nil {
			key, _ = otp.Decode(u.Attributes.String(codes.TOTPAttribute))
		}
	}
	if len(key) == 0 {
		return "", fmt.Errorf("the page asks for an authenticator app's code, but no page of the run showed a secret and the user %q has no app enrolled: give the code in the page's attributes entry", app.User)
	}
	return otp.TOTP(key, d.s.Now(), otp.Digits), nil
}
