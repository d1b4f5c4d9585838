package journey

import (
	"encoding/json"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// unifiedPage shows a CombinedSignInAndSignUp step: the local sign-in form of the profile
// behind ValidationClaimsExchangeId, and the sign-up link of its SignUpTarget.
func (x *execution) unifiedPage(step *policy.Step) {
	x.r.Phase = engine.PhaseSignIn
	x.st.pageCD = step.ContentDefinition
	page := &engine.Page{Title: "Sign up or sign in", Unified: true, SignInName: "signInName", ContentDefinition: step.ContentDefinition}
	x.st.refused = 0
	for _, sel := range step.Selections {
		if sel.Validation == "" {
			continue
		}
		if ex, ok := exchangeOf(&policy.Step{Exchanges: step.Exchanges}, sel.Validation); ok {
			x.st.tp = x.p.TechnicalProfiles[ex.TechnicalProfile]
			md := x.st.tp.Metadata
			page.LocalSignIn = true
			page.SignUpLink = md["SignUpTarget"] != "" && !strings.EqualFold(md["setting.showSignupLink"], "false")
			page.RememberMe = strings.EqualFold(md["setting.enableRememberMe"], "true")
			switch loc := md["setting.forgotPasswordLinkLocation"]; {
			case strings.EqualFold(loc, "None"):
			case strings.EqualFold(loc, "AfterInput"), strings.EqualFold(loc, "AfterButtons"):
				page.ForgotPassword = loc
			default:
				page.ForgotPassword = "AfterLabel"
			}
		}
	}
	for _, sel := range step.Selections {
		// The exchange behind setting.forgotPasswordLinkOverride is the link's, not a button.
		if sel.Target != "" && (x.st.tp == nil || sel.Target != x.st.tp.Metadata["setting.forgotPasswordLinkOverride"]) && x.offered(sel.Target) {
			page.Providers = append(page.Providers, engine.PageOption{Value: sel.Target, Label: x.providerLabel(step, sel.Target)})
		}
	}
	x.r.Page = page
}

// shown are the claims a self-asserted profile asks for: its output claims with an input
// type, but those a validation profile outputs (the profile's result, not the user's).
func shown(p *policy.Policy, tp *policy.TechnicalProfile) []policy.ClaimRef {
	fromValidation := map[string]bool{}
	for _, v := range tp.Validations {
		if vtp := p.TechnicalProfiles[v.ReferenceID]; vtp != nil {
			for _, c := range vtp.OutputClaims {
				fromValidation[strings.ToLower(c.ClaimType)] = true
			}
		}
	}
	list := tp.OutputClaims
	if len(tp.DisplayClaims) > 0 {
		list = nil
		for _, c := range tp.DisplayClaims {
			d := p.DisplayControls[c.DisplayControl]
			if d == nil {
				list = append(list, c)
				continue
			}
			if d.Shown() {
				continue // an authenticator-app control shows its claims; they are not inputs
			}
			// A display control's claims join the page, marked with the control; its
			// verification code is the control's own input.
			for _, dc := range d.Claims {
				if !strings.EqualFold(dc.ClaimType, d.CodeClaim()) {
					dc.DisplayControl = d.ID
					list = append(list, dc)
				}
			}
		}
	}
	var out []policy.ClaimRef
	for _, c := range list {
		ct := p.ClaimTypes[strings.ToLower(c.ClaimType)]
		if ct == nil || ct.UserInputType == "" || fromValidation[strings.ToLower(c.ClaimType)] {
			continue
		}
		out = append(out, c)
	}
	return out
}

// selfAssertedPage shows a self-asserted profile's page, pre-filled from the bag; it reports
// false when the profile has nothing to ask (B2C skips it), true when the page shows or its
// input claims transformations ended the run.
func (x *execution) selfAssertedPage(tp *policy.TechnicalProfile) bool {
	fields := shown(x.p, tp)
	if len(fields) == 0 && len(widgets(x.p, tp)) == 0 {
		return false
	}
	// The input claims transformations run before the page is shown, so they can fill it: the
	// invitation samples copy the hint's email into a read-only claim, or write the message of
	// their "no invitation" page.
	for _, t := range tp.InputTransformations {
		if err := x.transform(tp, t, x.st.bag); err != nil {
			x.failWith(err)
			return true
		}
	}
	x.st.tp = tp
	x.st.pageCD = tp.Metadata["ContentDefinitionReferenceId"]
	x.r.Phase = engine.PhaseAttributes
	page := &engine.Page{Title: "User details", ContentDefinition: x.st.pageCD, Intro: x.text(tp, "UxElement", "initial_intro", "Please provide the following details."),
		ContinueLabel: x.text(tp, "UxElement", "button_continue", "Continue"),
		HideContinue:  tp.Hides(policy.ShowContinueButton), HideCancel: tp.Hides(policy.ShowCancelButton)}
	x.st.refused = 0 // setting.retryLimit counts from the page's showing
	x.r.Values = engine.Claims{}
	x.prefill(tp)
	for _, c := range fields {
		ct := x.p.ClaimTypes[strings.ToLower(c.ClaimType)]
		f := engine.PageField{ID: c.ClaimType, Label: x.claimText(tp, c.ClaimType, "DisplayName", ct.DisplayName),
			InputType: ct.UserInputType, Required: required(c, ct), HelpText: ct.UserHelpText}
		if strings.EqualFold(c.PartnerClaimType, "Verified.Email") || strings.EqualFold(c.ClaimType, "email") {
			f.InputType = "EmailBox"
		}
		if ct.Pattern != "" { // B2C's page checks the restriction before sending, with its help text
			f.Pattern, f.PatternHelp = ct.Pattern, x.claimText(tp, c.ClaimType, "PatternHelpText", ct.PatternHelpText)
		}
		for _, o := range ct.Options {
			f.Options = append(f.Options, engine.PageOption{Value: o.Value, Label: o.Text})
		}
		if mustVerify(tp, c) || c.DisplayControl != "" {
			f.Verify = &engine.Verification{Control: c.DisplayControl}
		}
		f.App = x.appCode(tp, c)
		page.Fields = append(page.Fields, f)
	}
	page.Fields = x.inDisplayOrder(tp, page.Fields)
	x.r.Page = page
	x.refreshVerification()
	return true
}

// prefill fills the page from tp's input claims: the bag's value, else the claim's
// DefaultValue (always, with AlwaysUseDefaultValue), as a block page's message is given.
func (x *execution) prefill(tp *policy.TechnicalProfile) {
	for _, c := range tp.InputClaims {
		v, ok := x.st.bag[strings.ToLower(c.ClaimType)]
		if c.HasDefault && (c.AlwaysUseDefault || !ok || v == "") {
			v, ok = x.resolveDefault(tp, x.st.bag, c), true
		}
		if ok {
			x.r.Values[c.ClaimType] = v
		}
	}
}

func copyBag(b map[string]string) map[string]string {
	out := make(map[string]string, len(b))
	for k, v := range b {
		out[k] = v
	}
	return out
}

// validation is the execution in which a page's validation profile (or display control
// action) vtp runs: the page's language, vtp as the page shows its messages.
func (x *execution) validation(vtp, page *policy.TechnicalProfile) (*execution, *policy.TechnicalProfile) {
	v := *x
	v.page = page
	return &v, onPage(vtp, page, x.st.pageCD)
}

// onPage is a validation profile as it runs for a page: its messages come from the page's
// localized strings (B2C localizes a validation error by the page it is shown on), and the
// page profile's UserMessageIf… metadata stands in for the ones it lacks (B2C documents
// that metadata on the self-asserted profile).
func onPage(vtp, page *policy.TechnicalProfile, cd string) *policy.TechnicalProfile {
	if vtp == nil {
		return nil
	}
	cp := *vtp
	cp.Metadata = make(map[string]string, len(vtp.Metadata)+1)
	for k, v := range vtp.Metadata {
		cp.Metadata[k] = v
	}
	if page != nil {
		for k, v := range page.Metadata {
			if _, set := cp.Metadata[k]; !set && (strings.HasPrefix(k, "UserMessageIf") || k == "DateTimeGreaterThan") {
				cp.Metadata[k] = v
			}
		}
	}
	if cd != "" && cp.Metadata["ContentDefinitionReferenceId"] == "" {
		cp.Metadata["ContentDefinitionReferenceId"] = cd
	}
	return &cp
}

// providerLabel is an identity provider button's text: the page's localized ClaimsProvider
// string for the exchange, else the display name of the technical profile behind it.
func (x *execution) providerLabel(step *policy.Step, exchange string) string {
	if s := x.localizedIn(step.ContentDefinition, x.st.lang, "ClaimsProvider", "", exchange); s != "" {
		return s
	}
	for _, s := range x.p.Journey.Steps {
		for _, ex := range s.Exchanges {
			if ex.ID == exchange {
				if tp := x.p.TechnicalProfiles[ex.TechnicalProfile]; tp != nil && tp.DisplayName != "" {
					return tp.DisplayName
				}
			}
		}
	}
	return exchange
}

// supportedIdP reports whether b2cemu stands in for an identity provider profile: OAuth 1.0,
// OAuth 2.0, OpenID Connect and SAML 2.0 providers all become its fake identity provider page
// (b2cemu speaks none of their protocols; the page answers in each one's claim names).
func supportedIdP(tp *policy.TechnicalProfile) bool {
	switch strings.ToLower(tp.Protocol) {
	case "oauth1", "oauth2", "openidconnect", "saml2":
		return true
	}
	return false
}

// idpPage shows the fake identity provider page for an OAuth 2.0 or OpenID Connect profile.
// The provider is named by the profile's identityProvider output claim default (the starter
// packs' "facebook.com"), else its ProviderName metadata; the configuration's
// identityProviders of that id give the fixture accounts.
func (x *execution) idpPage(tp *policy.TechnicalProfile) {
	provider := tp.Metadata["ProviderName"]
	for _, c := range tp.OutputClaims {
		if strings.EqualFold(c.ClaimType, "identityProvider") && c.HasDefault && c.DefaultValue != "" {
			provider = c.DefaultValue
		}
	}
	if provider == "" {
		provider = tp.ID
	}
	x.st.tp = tp
	x.r.Phase, x.r.Page, x.r.Provider = engine.PhaseIdP, nil, provider
}

// federatedResult is what the fake identity provider answers, under the claim names OAuth 2.0
// and OpenID Connect providers use (Facebook's id/first_name/last_name, OIDC's
// sub/given_name/family_name), for the profile's output claims to pick from.
func federatedResult(in engine.SignInFederated) map[string]string {
	c := in.Claims
	const ws, ms = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/", "http://schemas.microsoft.com/identity/claims/"
	id, email, name := in.IssuerAssignedID, c.String("email"), c.String("displayName")
	upn := email
	if upn == "" {
		upn = id
	}
	out := map[string]string{
		// OAuth 2.0 and OpenID Connect providers (Facebook's id, first_name, last_name).
		"id": id, "sub": id, "oid": id, "user_id": id, "userId": id,
		"email": email, "name": name, "given_name": c.String("givenName"), "first_name": c.String("givenName"),
		"family_name": c.String("surname"), "last_name": c.String("surname"),
		// OAuth 1.0 (Twitter) and AD FS-style names.
		"screen_name": name, "unique_name": name, "upn": upn, "userPrincipalName": upn,
		// SAML 2.0: the assertion's subject and the usual attribute URIs.
		"assertionSubjectName": id, ws + "nameidentifier": id, ms + "objectidentifier": id, ws + "upn": upn,
		ws + "emailaddress": email, ws + "name": name, ws + "givenname": c.String("givenName"), ws + "surname": c.String("surname")}
	for k, v := range in.Sent {
		out[k] = sentText(v)
	}
	for k, v := range out {
		if v == "" {
			delete(out, k)
		}
	}
	return out
}

// sentText is a claim the provider sent as an output claim reads it: a string as it is, any
// other JSON value as its JSON text, and null as no claim.
func sentText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// contentParameters resolves the relying party's ContentDefinitionParameters for the page the
// run shows, with the claims bag as it is now ({Claim:x}), for the page's custom page content
// URL (Microsoft's "Customize the user interface with HTML templates", dynamic custom page
// content).
func (x *execution) contentParameters() {
	if x.r.Page == nil || len(x.p.ContentParameters) == 0 {
		return
	}
	ps := make([]engine.PageParameter, 0, len(x.p.ContentParameters))
	for _, cp := range x.p.ContentParameters {
		ps = append(ps, engine.PageParameter{Name: cp.Name, Value: x.resolve(x.st.bag, cp.Value)})
	}
	x.r.Page.ContentParameters = ps
}

// required reports whether the page asks the user for c. A Paragraph never: it shows text the
// user cannot change, and Microsoft's ClaimsSchema says its Required must be false (no
// evidence was found that B2C refuses the policy otherwise, so the attribute is ignored).
func required(c policy.ClaimRef, ct *policy.ClaimType) bool {
	return c.Required && ct.UserInputType != "Paragraph"
}
