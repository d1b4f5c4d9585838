package policy

import (
	"sort"
	"strconv"
	"strings"
)

// checker reports a policy's references to claim types, transformations, technical profiles,
// display controls, sub journeys and content definitions that do not exist.
type checker struct {
	p    *Policy
	errs *Error
}

// check reports every reference that does not resolve, each at its element.
func (p *Policy) check(errs *Error) {
	c := &checker{p: p, errs: errs}
	for _, tp := range p.sortedProfiles() {
		c.profile(tp)
	}
	dcs := make([]string, 0, len(p.DisplayControls))
	for id := range p.DisplayControls {
		dcs = append(dcs, id)
	}
	sort.Strings(dcs)
	for _, id := range dcs {
		c.displayControl(p.DisplayControls[id])
	}
	for _, t := range p.Transformations {
		for _, cl := range append(t.Path("InputClaims", "InputClaim"), t.Path("OutputClaims", "OutputClaim")...) {
			c.claim(cl, describe(t), cl.Attr["ClaimTypeReferenceId"])
		}
	}
	c.checkPredicates()
	for _, j := range p.Journeys {
		c.journey(j)
	}
	for _, j := range p.SubJourneys {
		c.journey(j)
	}
}

// sortedProfiles are the technical profiles by id, then the relying party's.
func (p *Policy) sortedProfiles() []*TechnicalProfile {
	ids := make([]string, 0, len(p.TechnicalProfiles))
	for id := range p.TechnicalProfiles {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	all := make([]*TechnicalProfile, 0, len(ids)+1)
	for _, id := range ids {
		all = append(all, p.TechnicalProfiles[id])
	}
	if p.RelyingParty != nil {
		all = append(all, p.RelyingParty)
	}
	return all
}

func (c *checker) claim(el *Element, owner, id string) {
	if id == "" {
		return
	}
	if _, ok := c.p.ClaimTypes[strings.ToLower(id)]; !ok {
		c.errs.add(el, owner, "references the claim type %q, which the ClaimsSchema does not declare", id)
	}
}

func (c *checker) tpRef(el *Element, owner, id string) {
	if _, ok := c.p.TechnicalProfiles[id]; !ok {
		c.errs.add(el, owner, "references the technical profile %q, which is not declared", id)
	}
}

// profile checks a technical profile's claims, display controls, transformations,
// validation profiles, session manager and content definition.
func (c *checker) profile(tp *TechnicalProfile) {
	owner := describe(tp.El)
	for _, list := range [][]ClaimRef{tp.InputClaims, tp.OutputClaims, tp.PersistedClaims, tp.DisplayClaims} {
		c.p.claimList(list, owner, c.claim)
	}
	for _, dc := range tp.DisplayClaims {
		if dc.DisplayControl == "" {
			continue
		}
		switch d := c.p.DisplayControls[dc.DisplayControl]; {
		case d == nil:
			c.errs.add(dc.El, owner, "references the display control %q, which is not declared", dc.DisplayControl)
		case d.Type != VerificationControl && !d.Shown():
			c.errs.add(dc.El, owner, "uses the display control %q of type %q; b2cemu runs VerificationControl, QrCodeControl, AuthenticatorAppIconControl and AuthenticatorInfoControl (see docs/custom-policies.md)", d.ID, d.Type)
		}
	}
	for _, t := range append(append([]string{}, tp.InputTransformations...), tp.OutputTransformations...) {
		if _, ok := c.p.Transformations[t]; !ok {
			c.errs.add(tp.El, owner, "references the claims transformation %q, which is not declared", t)
		}
	}
	for _, v := range tp.Validations {
		c.tpRef(tp.El, owner, v.ReferenceID)
	}
	if tp.Session != "" {
		c.tpRef(tp.El, owner, tp.Session)
	}
	if cd := tp.Metadata["ContentDefinitionReferenceId"]; cd != "" {
		if _, ok := c.p.ContentDefinitions[cd]; !ok {
			c.errs.add(tp.El, owner, "references the content definition %q, which is not declared", cd)
		}
	}
}

// displayControl checks a display control's claims and, for a VerificationControl, its
// actions and code claim.
func (c *checker) displayControl(d *DisplayControl) {
	owner := describe(d.El)
	c.p.claimList(d.InputClaims, owner, c.claim)
	c.p.claimList(d.Claims, owner, c.claim)
	c.p.claimList(d.OutputClaims, owner, c.claim)
	for _, action := range []string{"SendCode", "VerifyCode"} {
		if d.Type == VerificationControl && len(d.Actions[action]) == 0 {
			c.errs.add(d.El, owner, "a VerificationControl needs an Action Id=%q with a ValidationClaimsExchangeTechnicalProfile", action)
		}
	}
	if d.Type == VerificationControl && d.CodeClaim() == "" {
		c.errs.add(d.El, owner, `a VerificationControl needs a DisplayClaim with ControlClaimType="VerificationCode"`)
	}
	for _, tps := range d.Actions {
		for _, ref := range tps {
			c.tpRef(d.El, owner, ref.ReferenceID)
		}
	}
}

func (c *checker) journey(j *Journey) {
	for i, s := range j.Steps {
		owner := "UserJourney " + j.ID + " step " + strconv.Itoa(s.Order)
		if j.Type != "" {
			owner = "SubJourney " + j.ID + " step " + strconv.Itoa(s.Order)
		}
		c.step(j, i, s, owner)
	}
}

// step checks an orchestration step's sub journeys, exchanges, issuer and preconditions.
func (c *checker) step(j *Journey, i int, s *Step, owner string) {
	switch s.Type {
	case "GetClaims":
		c.p.checkGetClaims(j, i, s, owner, c.errs)
	case "InvokeSubJourney":
		if len(s.SubJourneys) == 0 {
			c.errs.add(s.El, owner, "InvokeSubJourney needs a JourneyList with a Candidate SubJourneyReferenceId")
		}
		for _, id := range s.SubJourneys {
			if c.p.SubJourneys[id] == nil {
				c.errs.add(s.El, owner, "references the sub journey %q, which is not declared", id)
			}
		}
	}
	for _, ex := range s.Exchanges {
		c.tpRef(s.El, owner, ex.TechnicalProfile)
	}
	if s.Type == "SendClaims" {
		if s.Issuer == "" {
			c.errs.add(s.El, owner, "SendClaims needs CpimIssuerTechnicalProfileReferenceId (e.g. JwtIssuer)")
		} else {
			c.tpRef(s.El, owner, s.Issuer)
		}
	}
	for _, pc := range s.Preconditions {
		known := pc.Type == "ClaimsExist" || pc.Type == "ClaimEquals"
		if known && len(pc.Values) > 0 {
			c.claim(s.El, owner, pc.Values[0])
		} else if !known {
			c.errs.add(s.El, owner, "the precondition type %q is not one b2cemu knows (ClaimsExist, ClaimEquals)", pc.Type)
		}
	}
}
