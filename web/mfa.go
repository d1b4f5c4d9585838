package web

import (
	"fmt"
	"net/url"
	"time"

	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/flows/otp"
	"github.com/b2cemu/b2cemu/web/views"
)

// apiPhoneFactor is the phone-factor page's api name (its SETTINGS.api and data-name).
const apiPhoneFactor = "Phonefactor"

// phoneFactorView is the second-factor page of r.Page.MFA.
func phoneFactorView(page views.Page, form views.Form, r *engine.Run) views.PhoneFactor {
	p := r.Page.MFA
	m := views.PhoneFactor{Page: page, Form: form, DataName: apiName(r), Intro: p.Intro(), Error: p.Error, Enrol: p.Enrol,
		SMS: p.SMS, Call: p.Call, Sent: p.Sent, TOTP: p.Method == engine.MFATOTP, SendLabel: p.Texts["button_send_code"],
		Number: p.Number, Country: p.Country, Local: p.Local, Secret: p.Secret, URI: p.URI, QR: qrDataURI(p.URI), Texts: p.Texts}
	if p.Method == engine.MFAEmail {
		m.SendLabel = "Send verification code"
		if p.Sent {
			m.SendLabel = ""
			m.SMS = false // the code is out: #retryCode sends another
		}
	}
	for _, c := range p.Countries {
		m.Countries = append(m.Countries, views.Option{Value: c.Value, Label: c.Label})
	}
	return m
}

// mfaInput maps the second-factor page's buttons and fields to engine.VerifyMFA.
func mfaInput(f url.Values) engine.Input {
	return engine.VerifyMFA{Action: f.Get("op"), Country: f.Get("countryCode"), Number: f.Get("number"), Code: f.Get("verificationCode")}
}

// headlessMFA is the headless API's next input on the second-factor page, as a user with the
// account's phone (account.phoneNumber, E.164, at enrolment) or authenticator app would give
// it: send a code and type it from the run, or type the app's code at now.
func headlessMFA(r *engine.Run, phone string, now time.Time) (engine.Input, error) {
	st, p := codes.SecondFactor(r), r.Page.MFA
	switch {
	case st == nil || p == nil:
		return nil, fmt.Errorf("the run is on the second-factor page without its state")
	case p.Error != "":
		return nil, fmt.Errorf("the second factor was refused: %s", p.Error)
	case p.Method == engine.MFATOTP:
		return engine.VerifyMFA{Action: "verifyCode", Code: otp.TOTP(st.Key, now, otp.Digits)}, nil
	case st.Code.LiveAt(now):
		return engine.VerifyMFA{Action: "verifyCode", Code: st.Code.Value()}, nil
	case p.Enrol && p.Method != engine.MFAEmail && phone == "":
		return nil, fmt.Errorf("the user flow asks for a phone at MFA enrolment: give account.phoneNumber, e.g. \"+15555550100\"")
	case !p.SMS:
		return engine.VerifyMFA{Action: "sendCall", Number: phone}, nil
	}
	return engine.VerifyMFA{Action: "sendCode", Number: phone}, nil
}
