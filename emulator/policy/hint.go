package policy

import (
	"net/url"
	"sort"
	"strings"
)

// HintSecret is the StorageReferenceId of an id_token_hint profile's client_secret key: the
// shared secret of HS256 hints. "" means the profile reads the issuer's public keys from its
// METADATA discovery document (RS256).
func (tp *TechnicalProfile) HintSecret() string { return tp.Keys["client_secret"] }

// HintProfiles are the technical profiles the GetClaims steps of the policy's journeys name
// (the id_token_hint profiles), each once, by Id.
func (p *Policy) HintProfiles() []*TechnicalProfile {
	seen := map[string]*TechnicalProfile{}
	for _, j := range p.Journeys {
		for _, s := range j.Steps {
			if tp := p.TechnicalProfiles[s.Issuer]; s.Type == "GetClaims" && tp != nil {
				seen[tp.ID] = tp
			}
		}
	}
	out := make([]*TechnicalProfile, 0, len(seen))
	for _, tp := range seen {
		out = append(out, tp)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// checkGetClaims checks a GetClaims step: B2C reads the id_token_hint before anything else, so
// the step is the first of a user journey, and its CpimIssuerTechnicalProfileReferenceId names
// an id_token_hint technical profile (Protocol None) that can verify a hint.
func (p *Policy) checkGetClaims(j *Journey, index int, s *Step, owner string, errs *Error) {
	switch {
	case j.Type != "":
		errs.add(s.El, owner, "a GetClaims step runs only as the first step of a UserJourney, never in a sub journey; move it to the start of the journey that invokes %s", j.ID)
	case index != 0:
		errs.add(s.El, owner, "a GetClaims step must be the journey's first orchestration step (it reads the authorize request's id_token_hint before any other step); give it the lowest Order, e.g. Order=\"1\"")
	}
	if s.Issuer == "" {
		errs.add(s.El, owner, "GetClaims needs CpimIssuerTechnicalProfileReferenceId naming the id_token_hint technical profile (AADB2C90108), e.g. CpimIssuerTechnicalProfileReferenceId=\"IdTokenHint_ExtractClaims\"")
		return
	}
	tp := p.TechnicalProfiles[s.Issuer]
	if tp == nil {
		errs.add(s.El, owner, "references the technical profile %q, which is not declared; declare the id_token_hint technical profile (Protocol Name=\"None\") or fix the CpimIssuerTechnicalProfileReferenceId", s.Issuer)
		return
	}
	checkHintProfile(tp, errs)
}

// checkHintProfile checks what an id_token_hint technical profile needs to verify a hint:
// with a client_secret key (a symmetric key) the issuer and IdTokenAudience metadata, which
// Microsoft marks required; without one, a METADATA URL of the issuer's discovery document.
func checkHintProfile(tp *TechnicalProfile, errs *Error) {
	owner := describe(tp.El)
	if tp.Kind != Engine {
		errs.add(tp.El, owner, "a GetClaims step's technical profile must be an id_token_hint profile, <Protocol Name=\"None\" /> without OutputTokenFormat; this one is a %s profile", tp.Kind)
		return
	}
	if tp.HintSecret() != "" {
		for _, key := range []string{"issuer", "IdTokenAudience"} {
			if tp.Metadata[key] == "" {
				errs.add(tp.El, owner, "an id_token_hint profile with a client_secret key needs the %s metadata item (the hint's %s claim); add <Item Key=%q>…</Item>", key, map[string]string{"issuer": "iss", "IdTokenAudience": "aud"}[key], key)
			}
		}
		return
	}
	u, err := url.Parse(tp.Metadata["METADATA"])
	switch {
	case tp.Metadata["METADATA"] == "":
		errs.add(tp.El, owner, "an id_token_hint profile needs a way to verify the hint: a <Key Id=\"client_secret\" StorageReferenceId=\"B2C_1A_IdTokenHintKey\" /> in CryptographicKeys (HS256), or <Item Key=\"METADATA\">https://…/.well-known/openid-configuration</Item> (RS256)")
	case err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https":
		errs.add(tp.El, owner, "the METADATA item %q is not an http(s) URL; give the issuer's discovery document, e.g. https://your-app.example/.well-known/openid-configuration", strings.TrimSpace(tp.Metadata["METADATA"]))
	}
}
