package policy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dlclark/regexp2/v2"
)

// Policy is a relying-party policy merged with its ancestors.
type Policy struct {
	ID                 string
	File               string
	TenantID           string                // as written (placeholders such as yourtenant.onmicrosoft.com are fine)
	DeploymentMode     string                // Development, Production or "" (production)
	ClaimTypes         map[string]*ClaimType // by lower-cased Id
	Transformations    map[string]*Element
	ContentDefinitions map[string]*Element
	TechnicalProfiles  map[string]*TechnicalProfile
	DisplayControls    map[string]*DisplayControl
	Journeys           map[string]*Journey
	SubJourneys        map[string]*Journey
	Journey            *Journey // the RelyingParty's DefaultUserJourney
	// Refresh is the journey of the RelyingParty's Endpoint Id="Token" (the starter packs'
	// RedeemRefreshToken), run when a refresh token is redeemed; nil without one.
	Refresh      *Journey
	Warnings     []*Problem // what loads but B2C would refuse or run differently
	RelyingParty *TechnicalProfile
	SubjectClaim string // SubjectNamingInfo ClaimType
	// ScriptExecution is the RelyingParty's UserJourneyBehaviors ScriptExecution: "Allow" runs
	// custom page content's scripts; "" or "Disallow" does not.
	ScriptExecution string
	// KeepAliveInDays is the RelyingParty's UserJourneyBehaviors SingleSignOn KeepAliveInDays:
	// how many days a sign-in with "Keep me signed in" checked stays signed in, 1 to 90; 0 (or
	// none) turns Keep me signed in off.
	KeepAliveInDays int
	// FrameAncestors are the origins the RelyingParty's JourneyFraming (Enabled="true") lets
	// show the policy's pages in a frame, as written in its Sources; nil: no frame may.
	FrameAncestors []string
	// ContentParameters are the RelyingParty's ContentDefinitionParameters, in order.
	ContentParameters []ContentParameter
	Localization      *Element
	// Predicates, PredicateValidations and the legacy InputValidations, by Id, compiled when
	// the policy loads; a ClaimType's validation reference names one (Validation).
	Predicates           map[string]*Predicate
	PredicateValidations map[string]*PredicateValidation
	InputValidations     map[string]*PredicateValidation

	transforms map[string]*ClaimsTransformation // Transformations compiled (see compile)
	texts      *Texts                           // Localization compiled
	dataURIs   map[string]string                // ContentDefinitions' DataUri, by Id
}

// ClaimType is a ClaimsSchema entry.
type ClaimType struct {
	ID, DisplayName, DataType, UserInputType, UserHelpText string
	Pattern, PatternHelpText                               string
	Options                                                []Option          // Restriction Enumeration
	Partner                                                map[string]string // protocol → DefaultPartnerClaimType
	El                                                     *Element
	// Regexp is Pattern compiled when the policy loaded (nil in a policy built in code).
	Regexp *regexp2.Regexp
	// ValidationRef is the Id of the ClaimType's PredicateValidationReference, or of its
	// legacy InputValidationReference (ValidationElement says which), "" without one.
	ValidationRef, ValidationElement string
}

// Option is one value of an enumerated claim.
type Option struct{ Text, Value string }

// ClaimRef is an InputClaim, OutputClaim, PersistedClaim or DisplayClaim.
type ClaimRef struct {
	ClaimType        string // ClaimTypeReferenceId as written
	PartnerClaimType string
	DefaultValue     string
	HasDefault       bool
	AlwaysUseDefault bool
	Required         bool
	DisplayControl   string // a DisplayClaim's DisplayControlReferenceId (then ClaimType is "")
	ControlClaimType string // a display control's claim role, e.g. VerificationCode
	El               *Element
}

// DisplayControl is a BuildingBlocks DisplayControl. b2cemu runs the VerificationControl (its
// claims on the page, and the technical profiles of its SendCode and VerifyCode actions) and
// shows the authenticator-app controls (QrCodeControl, AuthenticatorAppIconControl,
// AuthenticatorInfoControl), which read their claims and take no input.
type DisplayControl struct {
	ID, Type     string // Type is UserInterfaceControlType
	InputClaims  []ClaimRef
	Claims       []ClaimRef
	OutputClaims []ClaimRef
	Actions      map[string][]Validation // action id → its ValidationClaimsExchangeTechnicalProfiles, with their preconditions
	El           *Element
}

// The display controls b2cemu shows, by UserInterfaceControlType.
const (
	VerificationControl         = "VerificationControl"
	QrCodeControl               = "QrCodeControl"
	AuthenticatorAppIconControl = "AuthenticatorAppIconControl"
	AuthenticatorInfoControl    = "AuthenticatorInfoControl"
)

// Shown reports whether the control only shows claims (an authenticator-app control): its
// claims are not inputs of the page.
func (d *DisplayControl) Shown() bool {
	switch d.Type {
	case QrCodeControl, AuthenticatorAppIconControl, AuthenticatorInfoControl:
		return true
	}
	return false
}

// Claim is the control's display claim of ControlClaimType role, else its first claim, or "".
func (d *DisplayControl) Claim(role string) string {
	for _, c := range d.Claims {
		if strings.EqualFold(c.ControlClaimType, role) {
			return c.ClaimType
		}
	}
	if len(d.Claims) > 0 {
		return d.Claims[0].ClaimType
	}
	return ""
}

// CodeClaim is the control's claim with ControlClaimType VerificationCode, or "".
func (d *DisplayControl) CodeClaim() string {
	for _, c := range d.Claims {
		if strings.EqualFold(c.ControlClaimType, "VerificationCode") {
			return c.ClaimType
		}
	}
	return ""
}

// Kind is what a technical profile does.
type Kind string

// The kinds of technical profile.
const (
	SelfAsserted        Kind = "SelfAsserted"
	Directory           Kind = "AzureActiveDirectory"
	Restful             Kind = "Restful"
	Transformation      Kind = "ClaimsTransformation"
	Session             Kind = "Session"
	PasswordCheck       Kind = "PasswordCheck" // an OpenIdConnect ROPC profile such as login-NonInteractive
	IdentityProvider    Kind = "IdentityProvider"
	TokenIssuer         Kind = "TokenIssuer"
	Engine              Kind = "Engine"
	RelyingPartyProfile Kind = "RelyingParty"
	EmailCode           Kind = "AadSspr"            // AadSsprProtocolProvider: SendCode and VerifyCode by email
	OneTimePassword     Kind = "OneTimePassword"    // OneTimePasswordProtocolProvider: GenerateCode, VerifyCode
	PhoneFactor         Kind = "PhoneFactor"        // PhoneFactorProtocolProvider: the phone-factor page
	JourneyContext      Kind = "UserJourneyContext" // UserJourneyContextProvider: the request's context as claims
	ConditionalAccess   Kind = "ConditionalAccess"  // ConditionalAccessProtocolProvider: Evaluation, Remediation
	AzureMFA            Kind = "AzureMfa"           // AzureMfaProtocolProvider: SMS codes and authenticator-app (TOTP) codes
)

// TechnicalProfile is a technical profile with its includes resolved.
type TechnicalProfile struct {
	ID, DisplayName, Protocol, Handler string
	Kind                               Kind
	Metadata                           map[string]string
	InputClaims, OutputClaims          []ClaimRef
	PersistedClaims, DisplayClaims     []ClaimRef
	InputTransformations               []string
	OutputTransformations              []string
	Validations                        []Validation
	Domain                             string            // its ClaimsProvider's Domain (domain_hint)
	Session                            string            // UseTechnicalProfileForSessionManagement
	Keys                               map[string]string // CryptographicKeys Id → StorageReferenceId
	// Enabled is EnabledForUserJourneys: "" (Always), Never, OnClaimsExistence,
	// OnItemExistenceInStringCollectionClaim or OnItemAbsenceInStringCollectionClaim, the
	// last three over the ClaimTypeOnWhichToEnable and ClaimValueOnWhichToEnable metadata.
	Enabled string
	El      *Element
}

// Validation is a ValidationTechnicalProfile reference.
type Validation struct {
	ReferenceID       string
	ContinueOnError   bool
	ContinueOnSuccess bool
	Preconditions     []Precondition
}

// Journey is a UserJourney, or a SubJourney (then Type is Call or Transfer).
type Journey struct {
	ID    string
	Type  string
	Steps []*Step // by Order
	El    *Element
}

// Step is an OrchestrationStep.
type Step struct {
	Order             int
	Type              string
	ContentDefinition string
	Issuer            string // CpimIssuerTechnicalProfileReferenceId
	Preconditions     []Precondition
	Selections        []Selection
	Exchanges         []Exchange
	SubJourneys       []string // InvokeSubJourney: the JourneyList's candidates
	El                *Element
}

// Precondition skips a step (or a validation) when it is satisfied.
type Precondition struct {
	Type             string // ClaimsExist or ClaimEquals
	ExecuteActionsIf bool
	Values           []string
	Action           string
}

// Selection is a ClaimsProviderSelection.
type Selection struct{ Target, Validation string }

// Exchange is a ClaimsExchange.
type Exchange struct{ ID, TechnicalProfile string }

// stepTypes are the orchestration step types b2cemu runs.
var stepTypes = map[string]bool{"GetClaims": true, "CombinedSignInAndSignUp": true, "ClaimsExchange": true, "SendClaims": true, "ClaimsProviderSelection": true, "InvokeSubJourney": true}

// build turns a merged tree into the model and checks every reference.
func build(f *file, merged *Element, errs *Error) *Policy {
	p := &Policy{ID: f.id, File: f.path, TenantID: f.root.Attr["TenantId"], DeploymentMode: f.root.Attr["DeploymentMode"],
		ClaimTypes: map[string]*ClaimType{}, Transformations: map[string]*Element{}, ContentDefinitions: map[string]*Element{},
		TechnicalProfiles: map[string]*TechnicalProfile{}, Journeys: map[string]*Journey{}}
	bb := merged.Child("BuildingBlocks")
	for _, ct := range bb.Path("ClaimsSchema", "ClaimType") {
		c := claimType(ct, errs)
		p.ClaimTypes[strings.ToLower(c.ID)] = c
	}
	for _, t := range bb.Path("ClaimsTransformations", "ClaimsTransformation") {
		p.Transformations[t.Attr["Id"]] = t
	}
	for _, cd := range bb.Path("ContentDefinitions", "ContentDefinition") {
		p.ContentDefinitions[cd.Attr["Id"]] = cd
	}
	p.DisplayControls = map[string]*DisplayControl{}
	for _, dc := range bb.Path("DisplayControls", "DisplayControl") {
		d := displayControl(dc)
		p.DisplayControls[d.ID] = d
	}
	p.Localization = bb.Child("Localization")
	p.compilePredicates(bb, errs)
	p.technicalProfiles(merged, errs)
	p.journeys(merged, errs)
	p.relyingParty(merged.Child("RelyingParty"), errs)
	p.resolveRefs()
	p.check(errs)
	p.warnRememberMe()
	p.warnParagraphRequired()
	return p
}

// warnParagraphRequired warns of a self-asserted profile's Paragraph claim marked
// Required="true": Microsoft's ClaimsSchema says a Paragraph's Required must be false, as the
// user cannot change the text it shows. Whether B2C refuses such a policy is not documented;
// b2cemu loads it and asks nothing of the user for the claim.
func (p *Policy) warnParagraphRequired() {
	ids := make([]string, 0, len(p.TechnicalProfiles))
	for id, tp := range p.TechnicalProfiles {
		if tp.Kind == SelfAsserted {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids) // one order for the warnings on every load
	for _, id := range ids {
		tp := p.TechnicalProfiles[id]
		for _, c := range append(append([]ClaimRef{}, tp.DisplayClaims...), tp.OutputClaims...) {
			ct := p.ClaimTypes[strings.ToLower(c.ClaimType)]
			if !c.Required || ct == nil || ct.UserInputType != "Paragraph" || c.El == nil {
				continue
			}
			p.Warnings = append(p.Warnings, &Problem{File: c.El.File, Line: c.El.Line, Element: describe(c.El),
				Msg: `a Paragraph claim shows text the user cannot change, so its Required must be false (Microsoft's ClaimsSchema); b2cemu ignores it: remove Required="true"`})
		}
	}
}

// warnRememberMe warns of a sign-in page of the relying party's journey that shows "Keep me
// signed in" while the relying party keeps no such session (no KeepAliveInDays, or 0): the box
// would change nothing.
func (p *Policy) warnRememberMe() {
	if p.Journey == nil || p.KeepAliveInDays > 0 {
		return
	}
	for _, s := range p.Journey.Steps {
		for _, ex := range s.Exchanges {
			tp := p.TechnicalProfiles[ex.TechnicalProfile]
			if s.Type != "CombinedSignInAndSignUp" || tp == nil || !strings.EqualFold(tp.Metadata["setting.enableRememberMe"], "true") {
				continue
			}
			p.Warnings = append(p.Warnings, &Problem{File: tp.El.File, Line: tp.El.Line, Element: describe(tp.El),
				Msg: fmt.Sprintf("setting.enableRememberMe shows Keep me signed in, but the relying party of %s keeps no such session; add <SingleSignOn Scope=\"Tenant\" KeepAliveInDays=\"30\" /> to its UserJourneyBehaviors (1 to 90 days)", p.ID)})
			return
		}
	}
}

// claimType reads a ClaimsSchema ClaimType, its pattern compiled.
func claimType(ct *Element, errs *Error) *ClaimType {
	c := &ClaimType{ID: ct.Attr["Id"], DisplayName: ct.TextOf("DisplayName"), DataType: ct.TextOf("DataType"),
		UserInputType: ct.TextOf("UserInputType"), UserHelpText: ct.TextOf("UserHelpText"), Partner: map[string]string{}, El: ct}
	if pat := ct.Child("Restriction").Child("Pattern"); pat != nil {
		c.Pattern, c.PatternHelpText = pat.Attr["RegularExpression"], pat.Attr["HelpText"]
		var err error
		if c.Regexp, err = CompilePattern(c.Pattern); err != nil {
			errs.add(pat, "ClaimType Id=\""+ct.Attr["Id"]+"\"", "the Restriction Pattern is not a valid .NET regular expression: %v", err)
		}
	}
	for _, name := range []string{"PredicateValidationReference", "InputValidationReference"} {
		if ref := ct.Child(name); ref != nil && c.ValidationRef == "" {
			c.ValidationRef, c.ValidationElement = ref.Attr["Id"], name
		}
	}
	for _, en := range ct.Child("Restriction").All("Enumeration") {
		c.Options = append(c.Options, Option{Text: en.Attr["Text"], Value: en.Attr["Value"]})
	}
	for _, pr := range ct.Path("DefaultPartnerClaimTypes", "Protocol") {
		c.Partner[pr.Attr["Name"]] = pr.Attr["PartnerClaimType"]
	}
	if c.DataType == "" {
		errs.add(ct, describe(ct), "has no DataType; add <DataType>string</DataType>")
	}
	return c
}

func displayControl(dc *Element) *DisplayControl {
	d := &DisplayControl{ID: dc.Attr["Id"], Type: dc.Attr["UserInterfaceControlType"], Claims: claimRefs(dc.Path("DisplayClaims", "DisplayClaim")),
		InputClaims:  claimRefs(dc.Path("InputClaims", "InputClaim")),
		OutputClaims: claimRefs(dc.Path("OutputClaims", "OutputClaim")), Actions: map[string][]Validation{}, El: dc}
	for _, a := range dc.Path("Actions", "Action") {
		for _, v := range a.Path("ValidationClaimsExchange", "ValidationClaimsExchangeTechnicalProfile") {
			d.Actions[a.Attr["Id"]] = append(d.Actions[a.Attr["Id"]], Validation{ReferenceID: v.Attr["TechnicalProfileReferenceId"],
				Preconditions: preconditions(v.Path("Preconditions", "Precondition"))})
		}
	}
	return d
}

// technicalProfiles reads every technical profile with its includes resolved, then checks
// the RESTful ones' ServiceUrls, the context profiles and the self-asserted pages' settings.
func (p *Policy) technicalProfiles(merged *Element, errs *Error) {
	raw := map[string]*Element{}
	for _, tp := range merged.Child("TechnicalProfiles").All("TechnicalProfile") {
		raw[tp.Attr["Id"]] = tp
	}
	included := map[string]bool{}
	for id, el := range raw {
		resolved := resolveIncludes(el, raw, errs, map[string]bool{id: true})
		p.TechnicalProfiles[id] = p.technicalProfile(resolved, errs)
		if ref := el.Child("IncludeTechnicalProfile").AttrOf("ReferenceId"); ref != "" {
			included[ref] = true
		}
	}
	p.checkServiceURLs(included, errs)
	p.checkContextProfiles(included, errs)
	p.checkPageSettings(errs)
}

// journeys reads the user journeys and sub journeys.
func (p *Policy) journeys(merged *Element, errs *Error) {
	for _, j := range merged.Path("UserJourneys", "UserJourney") {
		p.Journeys[j.Attr["Id"]] = p.journey(j, errs)
	}
	p.SubJourneys = map[string]*Journey{}
	for _, j := range merged.Path("SubJourneys", "SubJourney") {
		sj := p.journey(j, errs)
		sj.Type = j.Attr["Type"]
		if sj.Type != "Call" && sj.Type != "Transfer" {
			errs.add(j, describe(j), "Type %q is not a sub journey type; use Call (back to the caller after its steps) or Transfer", sj.Type)
		}
		p.SubJourneys[sj.ID] = sj
	}
}

// relyingParty reads the RelyingParty: its default journey, its user journey behaviors
// (script execution, framing, content definition parameters), refresh journey and policy
// profile.
func (p *Policy) relyingParty(rp *Element, errs *Error) {
	ref := rp.Child("DefaultUserJourney")
	if ref == nil || ref.Attr["ReferenceId"] == "" {
		errs.add(rp, "RelyingParty", "has no DefaultUserJourney ReferenceId")
	} else if j, ok := p.Journeys[declared(p.Journeys, ref.Attr["ReferenceId"])]; ok {
		p.Journey = j
	} else {
		errs.add(ref, "DefaultUserJourney", "the user journey %q is not declared in this policy or its bases", ref.Attr["ReferenceId"])
	}
	p.behaviors(rp.Child("UserJourneyBehaviors"), errs)
	p.refreshJourney(rp)
	prof := rp.Child("TechnicalProfile")
	if prof == nil {
		errs.add(rp, "RelyingParty", "has no TechnicalProfile (PolicyProfile) naming the token's claims")
		return
	}
	p.RelyingParty = p.technicalProfile(prof, errs)
	p.RelyingParty.Kind = RelyingPartyProfile
	if pr := p.RelyingParty.Protocol; pr != "" && !strings.EqualFold(pr, "OpenIdConnect") {
		p.Warnings = append(p.Warnings, &Problem{File: prof.File, Line: prof.Line, Element: describe(prof),
			Msg: fmt.Sprintf("the relying party speaks %s; b2cemu serves OpenID Connect only, so this policy's journeys end on the error page", pr)})
	}
	p.SubjectClaim = prof.Child("SubjectNamingInfo").AttrOf("ClaimType")
}

// keepAlive reads SingleSignOn's KeepAliveInDays: a whole number of days, 0 to 90, as
// Microsoft's RelyingParty and session-behavior articles give it (0 turns KMSI off).
func keepAlive(sso *Element, errs *Error) int {
	v := strings.TrimSpace(sso.AttrOf("KeepAliveInDays"))
	if v == "" {
		return 0
	}
	days, err := strconv.Atoi(v)
	switch {
	case err != nil:
		errs.add(sso, "SingleSignOn", "KeepAliveInDays %q is not a whole number of days; use 1 to 90, or 0 to turn Keep me signed in off", v)
	case days < 0 || days > 90:
		errs.add(sso, "SingleSignOn", "KeepAliveInDays %d is out of range; use 1 to 90 days, or 0 to turn Keep me signed in off", days)
	default:
		return days
	}
	return 0
}

// refreshJourney is the journey of the relying party's Endpoint Id="Token". One that is not
// declared is a warning, not an error: revisions of the starter pack pair a relying party
// naming RedeemRefreshToken with a base that lacks it.
func (p *Policy) refreshJourney(rp *Element) {
	for _, ep := range rp.Path("Endpoints", "Endpoint") {
		if ep.Attr["Id"] != "Token" {
			continue
		}
		if j, ok := p.Journeys[declared(p.Journeys, ep.Attr["UserJourneyReferenceId"])]; ok {
			p.Refresh = j
		} else {
			p.Warnings = append(p.Warnings, &Problem{File: ep.File, Line: ep.Line, Element: "Endpoint Id=\"Token\"",
				Msg: fmt.Sprintf("the user journey %q is not declared, in this policy or its bases; b2cemu re-issues the sign-in's claims on refresh", ep.Attr["UserJourneyReferenceId"])})
		}
	}
}

// enabledFor reads EnabledForUserJourneys (nil: Always) in the casing Microsoft's reference
// gives; any other value is a load error.
func enabledFor(e, tp *Element, errs *Error) string {
	if e == nil {
		return ""
	}
	v := strings.TrimSpace(e.Text)
	for _, known := range []string{"Always", "Never", "OnClaimsExistence", "OnItemExistenceInStringCollectionClaim", "OnItemAbsenceInStringCollectionClaim"} {
		if strings.EqualFold(v, known) {
			return known
		}
	}
	errs.add(e, describe(tp), "EnabledForUserJourneys %q is not Always, Never, OnClaimsExistence, OnItemExistenceInStringCollectionClaim or OnItemAbsenceInStringCollectionClaim", v)
	return ""
}

// resolveIncludes merges a technical profile over the one it includes (at any depth).
func resolveIncludes(el *Element, raw map[string]*Element, errs *Error, seen map[string]bool) *Element {
	inc := el.Child("IncludeTechnicalProfile")
	if inc == nil {
		return el
	}
	id := declared(raw, inc.Attr["ReferenceId"])
	base, ok := raw[id]
	switch {
	case !ok:
		errs.add(inc, describe(el), "includes technical profile %q, which is not declared", id)
		return el
	case seen[id]:
		errs.add(inc, describe(el), "IncludeTechnicalProfile %q leads back to itself", id)
		return el
	}
	seen[id] = true
	return merge(resolveIncludes(base, raw, errs, seen), el)
}

func claimRefs(els []*Element) []ClaimRef {
	var out []ClaimRef
	for _, c := range els {
		_, has := c.Attr["DefaultValue"]
		out = append(out, ClaimRef{ClaimType: c.Attr["ClaimTypeReferenceId"], PartnerClaimType: c.Attr["PartnerClaimType"],
			DefaultValue: c.Attr["DefaultValue"], HasDefault: has, AlwaysUseDefault: strings.EqualFold(c.Attr["AlwaysUseDefaultValue"], "true"),
			Required: strings.EqualFold(c.Attr["Required"], "true"), DisplayControl: c.Attr["DisplayControlReferenceId"],
			ControlClaimType: c.Attr["ControlClaimType"], El: c})
	}
	return out
}

func refs(els []*Element) []string {
	var out []string
	for _, e := range els {
		out = append(out, e.Attr["ReferenceId"])
	}
	return out
}

func (p *Policy) technicalProfile(el *Element, errs *Error) *TechnicalProfile {
	tp := &TechnicalProfile{ID: el.Attr["Id"], DisplayName: el.TextOf("DisplayName"), Domain: el.Attr["b2cemu.domain"], Metadata: map[string]string{}, Keys: map[string]string{}, El: el}
	if pr := el.Child("Protocol"); pr != nil {
		tp.Protocol, tp.Handler = pr.Attr["Name"], pr.Attr["Handler"]
	}
	for _, it := range el.Path("Metadata", "Item") {
		tp.Metadata[it.Attr["Key"]] = strings.TrimSpace(it.Text)
		// B2C's documented values, which the sign-in page reads case-insensitively.
		if v := tp.Metadata[it.Attr["Key"]]; it.Attr["Key"] == "setting.enableRememberMe" && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			errs.add(it, describe(el), "the metadata setting.enableRememberMe is %q; use true (show the Keep me signed in checkbox) or false", v)
		}
	}
	tp.InputClaims = claimRefs(el.Path("InputClaims", "InputClaim"))
	tp.OutputClaims = claimRefs(el.Path("OutputClaims", "OutputClaim"))
	tp.PersistedClaims = claimRefs(el.Path("PersistedClaims", "PersistedClaim"))
	tp.DisplayClaims = claimRefs(el.Path("DisplayClaims", "DisplayClaim"))
	tp.InputTransformations = refs(el.Path("InputClaimsTransformations", "InputClaimsTransformation"))
	tp.OutputTransformations = refs(el.Path("OutputClaimsTransformations", "OutputClaimsTransformation"))
	for _, v := range el.Path("ValidationTechnicalProfiles", "ValidationTechnicalProfile") {
		tp.Validations = append(tp.Validations, Validation{ReferenceID: v.Attr["ReferenceId"],
			ContinueOnError: strings.EqualFold(v.Attr["ContinueOnError"], "true"), ContinueOnSuccess: !strings.EqualFold(v.Attr["ContinueOnSuccess"], "false"),
			Preconditions: preconditions(v.Path("Preconditions", "Precondition"))})
	}
	if s := el.Child("UseTechnicalProfileForSessionManagement"); s != nil {
		tp.Session = s.Attr["ReferenceId"]
	}
	for _, k := range el.Path("CryptographicKeys", "Key") {
		tp.Keys[k.Attr["Id"]] = k.Attr["StorageReferenceId"]
	}
	tp.Enabled = enabledFor(el.Child("EnabledForUserJourneys"), el, errs)
	tp.Kind = kindOf(tp)
	if tp.Kind == "" && el.Child("Protocol") != nil {
		errs.add(el.Child("Protocol"), describe(el), "the protocol %q with handler %q is not one b2cemu knows; see docs/custom-policies.md", tp.Protocol, tp.Handler)
	}
	return tp
}

// proprietary are the Proprietary protocol's handlers b2cemu knows, by a part of their
// assembly-qualified name, in the order they are tried.
var proprietary = []struct {
	handler string
	kind    Kind
}{
	{"SelfAssertedAttributeProvider", SelfAsserted},
	{"AzureActiveDirectoryProvider", Directory},
	{"RestfulProvider", Restful},
	{"ClaimsTransformationProtocolProvider", Transformation},
	{"AadSsprProtocolProvider", EmailCode},
	{"OneTimePasswordProtocolProvider", OneTimePassword},
	{"PhoneFactorProtocolProvider", PhoneFactor},
	{"AzureMfaProtocolProvider", AzureMFA},
	{"UserJourneyContextProvider", JourneyContext},
	{"ConditionalAccessProtocolProvider", ConditionalAccess},
	{"SSOSessionProvider", Session},
}

// kindOf classifies a technical profile by its protocol and handler; "" is one b2cemu does
// not know.
func kindOf(tp *TechnicalProfile) Kind {
	if tp.Protocol == "Proprietary" {
		for _, h := range proprietary {
			if strings.Contains(tp.Handler, h.handler) {
				return h.kind
			}
		}
		return ""
	}
	switch {
	case (tp.Protocol == "None" || tp.Protocol == "OpenIdConnect") && tp.El.TextOf("OutputTokenFormat") != "":
		return TokenIssuer // the SocialAndLocalAccounts JwtIssuer says OpenIdConnect
	case tp.Protocol == "OpenIdConnect" && hasClaim(tp.InputClaims, "password"):
		return PasswordCheck
	case tp.Protocol == "OAuth2" || tp.Protocol == "OAuth1" || tp.Protocol == "OpenIdConnect" || tp.Protocol == "SAML2":
		return IdentityProvider
	case tp.Protocol == "None":
		return Engine
	}
	return ""
}

func hasClaim(list []ClaimRef, id string) bool {
	for _, c := range list {
		if strings.EqualFold(c.ClaimType, id) {
			return true
		}
	}
	return false
}

func preconditions(els []*Element) []Precondition {
	var out []Precondition
	for _, pc := range els {
		p := Precondition{Type: pc.Attr["Type"], ExecuteActionsIf: !strings.EqualFold(pc.Attr["ExecuteActionsIf"], "false"), Action: pc.TextOf("Action")}
		for _, v := range pc.All("Value") {
			p.Values = append(p.Values, strings.TrimSpace(v.Text))
		}
		out = append(out, p)
	}
	return out
}

func (p *Policy) journey(el *Element, errs *Error) *Journey {
	j := &Journey{ID: el.Attr["Id"], El: el}
	for _, s := range el.Path("OrchestrationSteps", "OrchestrationStep") {
		order, err := strconv.Atoi(s.Attr["Order"])
		if err != nil {
			errs.add(s, "OrchestrationStep", "Order %q is not a number", s.Attr["Order"])
		}
		st := &Step{Order: order, Type: s.Attr["Type"], ContentDefinition: s.Attr["ContentDefinitionReferenceId"],
			Issuer: s.Attr["CpimIssuerTechnicalProfileReferenceId"], Preconditions: preconditions(s.Path("Preconditions", "Precondition")), El: s}
		for _, sel := range s.Path("ClaimsProviderSelections", "ClaimsProviderSelection") {
			st.Selections = append(st.Selections, Selection{Target: sel.Attr["TargetClaimsExchangeId"], Validation: sel.Attr["ValidationClaimsExchangeId"]})
		}
		for _, ex := range s.Path("ClaimsExchanges", "ClaimsExchange") {
			st.Exchanges = append(st.Exchanges, Exchange{ID: ex.Attr["Id"], TechnicalProfile: ex.Attr["TechnicalProfileReferenceId"]})
		}
		for _, c := range s.Path("JourneyList", "Candidate") {
			st.SubJourneys = append(st.SubJourneys, c.Attr["SubJourneyReferenceId"])
		}
		if !stepTypes[st.Type] {
			errs.add(s, describe(s), "the step type %q is not one b2cemu runs (GetClaims, CombinedSignInAndSignUp, ClaimsProviderSelection, ClaimsExchange, InvokeSubJourney, SendClaims)", st.Type)
		}
		j.Steps = append(j.Steps, st)
	}
	sort.SliceStable(j.Steps, func(a, b int) bool { return j.Steps[a].Order < j.Steps[b].Order })
	return j
}

// claimList checks a list's claim references and gives each the declared casing (the
// starter packs' surName is the ClaimType surname), so pages show the input id B2C renders.
func (p *Policy) claimList(list []ClaimRef, owner string, claim func(*Element, string, string)) {
	for i, c := range list {
		claim(c.El, owner, c.ClaimType)
		if ct := p.ClaimTypes[strings.ToLower(c.ClaimType)]; ct != nil {
			list[i].ClaimType = ct.ID
		}
	}
}
