package policy

import (
	"sort"
	"strings"
)

// B2C resolves a reference to a technical profile, claims transformation, user journey, sub
// journey, display control or content definition whatever its case: the community samples
// reference GenerateErrorCode as generateErrorCode, EditMFAPhonenumber as EditMFAPhoneNumber,
// and B2C's upload of such a file reports other problems, never that one
// (azure-ad-b2c/samples#515). Claim types already match case-insensitively.

// declared is the id of m that ref names: ref itself when declared, else the id that matches
// it case-insensitively (the first in order when several do); ref when none does, for the
// reference checks to report.
func declared[V any](m map[string]V, ref string) string {
	if _, ok := m[ref]; ok || ref == "" {
		return ref
	}
	var matches []string
	for id := range m {
		if strings.EqualFold(id, ref) {
			matches = append(matches, id)
		}
	}
	if len(matches) == 0 {
		return ref
	}
	sort.Strings(matches)
	return matches[0]
}

// resolveRefs rewrites every element reference of the policy to the id as declared, so that
// the engine finds each element by its declared id.
func (p *Policy) resolveRefs() {
	tps := make([]*TechnicalProfile, 0, len(p.TechnicalProfiles)+1)
	for _, tp := range p.TechnicalProfiles {
		tps = append(tps, tp)
	}
	if p.RelyingParty != nil {
		tps = append(tps, p.RelyingParty)
	}
	for _, tp := range tps {
		p.resolveProfile(tp)
	}
	for _, d := range p.DisplayControls {
		for action, refs := range d.Actions {
			for i := range refs {
				refs[i].ReferenceID = declared(p.TechnicalProfiles, refs[i].ReferenceID)
			}
			d.Actions[action] = refs
		}
	}
	for _, journeys := range []map[string]*Journey{p.Journeys, p.SubJourneys} {
		for _, j := range journeys {
			for _, s := range j.Steps {
				p.resolveStep(s)
			}
		}
	}
}

func (p *Policy) resolveProfile(tp *TechnicalProfile) {
	for i := range tp.InputTransformations {
		tp.InputTransformations[i] = declared(p.Transformations, tp.InputTransformations[i])
	}
	for i := range tp.OutputTransformations {
		tp.OutputTransformations[i] = declared(p.Transformations, tp.OutputTransformations[i])
	}
	for i := range tp.Validations {
		tp.Validations[i].ReferenceID = declared(p.TechnicalProfiles, tp.Validations[i].ReferenceID)
	}
	tp.Session = declared(p.TechnicalProfiles, tp.Session)
	for i := range tp.DisplayClaims {
		tp.DisplayClaims[i].DisplayControl = declared(p.DisplayControls, tp.DisplayClaims[i].DisplayControl)
	}
	if cd, ok := tp.Metadata["ContentDefinitionReferenceId"]; ok {
		tp.Metadata["ContentDefinitionReferenceId"] = declared(p.ContentDefinitions, cd)
	}
}

func (p *Policy) resolveStep(s *Step) {
	for i := range s.Exchanges {
		s.Exchanges[i].TechnicalProfile = declared(p.TechnicalProfiles, s.Exchanges[i].TechnicalProfile)
	}
	s.Issuer = declared(p.TechnicalProfiles, s.Issuer)
	for i := range s.SubJourneys {
		s.SubJourneys[i] = declared(p.SubJourneys, s.SubJourneys[i])
	}
	s.ContentDefinition = declared(p.ContentDefinitions, s.ContentDefinition)
}
