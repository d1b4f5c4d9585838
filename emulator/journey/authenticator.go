package journey

import (
	"cmp"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// The authenticator-app display controls ("TOTP display controls") show claims and take no
// input. Each becomes one page field whose InputType is the control's type and whose ID is the
// control's id; the web layer draws it:
//
//   - QrCodeControl: Label the title, HelpText the info line, Options[0] the otpauth:// URI
//     (Value) with the deep link's text (Label); the page draws the QR code of the URI.
//   - AuthenticatorInfoControl: Label the title, HelpText the collapse line, Options the
//     account name and the secret (Value) with their captions (Label).
//   - AuthenticatorAppIconControl: Label the title, HelpText the instruction, Options the
//     app's store links.
//
// Their texts are the control's localized strings (ElementType DisplayControl, ElementId the
// control); the defaults are b2cemu's own, since B2C's reference lists none.

// widgetTexts are each control type's string ids with b2cemu's defaults.
var widgetTexts = map[string][][2]string{
	policy.QrCodeControl:               {{"title_text", "Scan the QR code"}, {"info_msg", "Scan the code with your authenticator app."}, {"link_text", "Can't scan? Open this link on your phone"}},
	policy.AuthenticatorInfoControl:    {{"title_text", "Enter the account details manually"}, {"collapse_text", ""}, {"account_name", "Account name:"}, {"display_prefix", "Secret"}},
	policy.AuthenticatorAppIconControl: {{"title_text", "Get an authenticator app, such as Microsoft Authenticator, on your phone."}, {"instruction_text", ""}},
}

// authenticatorStores are the Microsoft Authenticator app's store pages, the links of the
// AuthenticatorAppIconControl.
var authenticatorStores = []engine.PageOption{
	{Value: "https://apps.apple.com/app/microsoft-authenticator/id983156458", Label: "App Store"},
	{Value: "https://play.google.com/store/apps/details?id=com.azure.authenticator", Label: "Google Play"},
}

// widgets are the authenticator-app controls among tp's display claims, in order.
func widgets(p *policy.Policy, tp *policy.TechnicalProfile) []*policy.DisplayControl {
	var out []*policy.DisplayControl
	for _, c := range tp.DisplayClaims {
		if d := p.DisplayControls[c.DisplayControl]; d != nil && d.Shown() {
			out = append(out, d)
		}
	}
	return out
}

// widgetText is a control's localized string, else the default.
func (x *execution) widgetText(tp *policy.TechnicalProfile, d *policy.DisplayControl, i int) string {
	t := widgetTexts[d.Type][i]
	if s := x.localized(tp, "DisplayControl", d.ID, t[0]); s != "" {
		return s
	}
	return t[1]
}

// widgetField is the page field of an authenticator-app control, its claims read from the bag.
func (x *execution) widgetField(tp *policy.TechnicalProfile, d *policy.DisplayControl) engine.PageField {
	f := engine.PageField{ID: d.ID, InputType: d.Type, Label: x.widgetText(tp, d, 0), HelpText: x.widgetText(tp, d, 1)}
	value := func(i int) string {
		if i < len(d.Claims) {
			return x.st.bag[strings.ToLower(d.Claims[i].ClaimType)]
		}
		return ""
	}
	switch d.Type {
	case policy.QrCodeControl:
		uri := x.st.bag[strings.ToLower(d.Claim("QrCodeContent"))]
		f.Options = []engine.PageOption{{Value: uri, Label: x.widgetText(tp, d, 2)}}
	case policy.AuthenticatorInfoControl: // the account (totpIdentifier), then the secret (secretKey)
		f.Options = []engine.PageOption{{Value: value(0), Label: x.widgetText(tp, d, 2)}, {Value: value(1), Label: x.widgetText(tp, d, 3)}}
	case policy.AuthenticatorAppIconControl:
		f.Options = authenticatorStores
	}
	return f
}

// inDisplayOrder places the page's fields and its authenticator-app controls in the order of
// tp's display claims (a field stands where its claim, or its verification control, is).
func (x *execution) inDisplayOrder(tp *policy.TechnicalProfile, fields []engine.PageField) []engine.PageField {
	if len(widgets(x.p, tp)) == 0 {
		return fields
	}
	placed := make([]bool, len(fields))
	var out []engine.PageField
	for _, dc := range tp.DisplayClaims {
		if d := x.p.DisplayControls[dc.DisplayControl]; d != nil && d.Shown() {
			out = append(out, x.widgetField(tp, d))
			continue
		}
		for i, f := range fields {
			control := f.Verify != nil && dc.DisplayControl != "" && f.Verify.Control == dc.DisplayControl
			if !placed[i] && (control || dc.DisplayControl == "" && strings.EqualFold(f.ID, dc.ClaimType)) {
				out, placed[i] = append(out, f), true
			}
		}
	}
	for i, f := range fields {
		if !placed[i] {
			out = append(out, f)
		}
	}
	return out
}

// appCode marks a page field whose code is an authenticator app's: a field the page's
// VerifyOTP validation profile reads as otpCode, or a field of a verification control whose
// VerifyCode action runs VerifyOTP. It is nil for every other field.
func (x *execution) appCode(tp *policy.TechnicalProfile, c policy.ClaimRef) *engine.AppCode {
	app := &engine.AppCode{User: x.st.bag["objectid"]}
	if d := x.p.DisplayControls[c.DisplayControl]; d != nil {
		for _, a := range d.Actions["VerifyCode"] {
			if verifiesOTP(x.p.TechnicalProfiles[a.ReferenceID]) {
				return app
			}
		}
		return nil
	}
	for _, v := range tp.Validations {
		vtp := x.p.TechnicalProfiles[v.ReferenceID]
		if !verifiesOTP(vtp) {
			continue
		}
		for _, in := range vtp.InputClaims {
			if strings.EqualFold(in.ClaimType, c.ClaimType) && strings.EqualFold(cmp.Or(in.PartnerClaimType, in.ClaimType), "otpCode") {
				return app
			}
		}
	}
	return nil
}

// verifiesOTP reports whether tp is an Azure AD MFA profile checking an app's code.
func verifiesOTP(tp *policy.TechnicalProfile) bool {
	return tp != nil && tp.Kind == policy.AzureMFA && tp.Metadata["Operation"] == "VerifyOTP"
}
