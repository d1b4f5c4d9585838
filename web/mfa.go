package web

import (
	"net/url"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/web/views"
)

// apiPhoneFactor is the phone-factor page's api name (its SETTINGS.api and data-name).
const apiPhoneFactor = "Phonefactor"

// phoneFactorView is the second-factor page of r.Page.MFA.
func phoneFactorView(page views.Page, form views.Form, r *flows.Run) views.PhoneFactor {
	p := r.Page.MFA
	m := views.PhoneFactor{Page: page, Form: form, DataName: apiName(r), Intro: p.Intro(), Error: p.Error, Enrol: p.Enrol,
		SMS: p.SMS, Call: p.Call, Sent: p.Sent, TOTP: p.Method == flows.MFATOTP, SendLabel: p.Texts["button_send_code"],
		Number: p.Number, Country: p.Country, Local: p.Local, Secret: p.Secret, URI: p.URI, Texts: p.Texts}
	if p.Method == flows.MFAEmail {
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

// mfaInput maps the second-factor page's buttons and fields to flows.VerifyMFA.
func mfaInput(f url.Values) flows.Input {
	return flows.VerifyMFA{Action: f.Get("op"), Country: f.Get("countryCode"), Number: f.Get("number"), Code: f.Get("verificationCode")}
}
