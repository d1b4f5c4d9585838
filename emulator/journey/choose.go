package journey

import (
	"fmt"
	"slices"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// exchangeProfile is the technical profile the journey's claims exchange runs, or nil.
func exchangeProfile(p *policy.Policy, st *state, exchange string) *policy.TechnicalProfile {
	if exchange == "" {
		return nil
	}
	for _, s := range st.journey.Steps {
		for _, ex := range s.Exchanges {
			if ex.ID == exchange {
				return p.TechnicalProfiles[ex.TechnicalProfile]
			}
		}
	}
	return nil
}

// providerTarget maps a provider choice on a selection page to the claims exchange it stands
// for. The page's buttons send the TargetClaimsExchangeId itself; the headless API may also
// name the technical profile the exchange runs or its ClaimsProvider's Domain (all without
// regard to case). A name the page does not offer is refused with the names it does.
func providerTarget(p *policy.Policy, st *state, step *policy.Step, name string) (string, error) {
	if step.Type != "CombinedSignInAndSignUp" && step.Type != "ClaimsProviderSelection" {
		return "", engine.Errorf(engine.Invalid, "there is no identity provider choice on this page (step %d is a %s)", step.Order, step.Type)
	}
	var offered []string
	for _, sel := range step.Selections {
		if sel.Target == "" || !enabled(exchangeProfile(p, st, sel.Target), st.bag) {
			continue
		}
		names := []string{sel.Target}
		if tp := exchangeProfile(p, st, sel.Target); tp != nil {
			names = append(names, tp.ID)
			if tp.Domain != "" {
				names = append(names, tp.Domain)
			}
		}
		for _, n := range names {
			if strings.EqualFold(n, name) {
				return sel.Target, nil
			}
		}
		offered = append(offered, strings.Join(names, " / "))
	}
	return "", engine.Errorf(engine.Invalid, "there is no %q button on this page: step %d of the journey %s offers %s — name one by its ClaimsExchange id, technical profile id or ClaimsProvider Domain",
		name, step.Order, st.journey.ID, offeredText(offered))
}

func offeredText(offered []string) string {
	if len(offered) == 0 {
		return "no identity provider"
	}
	return fmt.Sprintf("[%s]", strings.Join(offered, "; "))
}

// enabled applies a technical profile's EnabledForUserJourneys to the claims in bag: a
// profile that is not enabled has no button on a provider-selection page, and a step or a
// page's validation that would run it skips it (Microsoft's TechnicalProfiles reference).
// The collection item is compared exactly. A nil profile is enabled.
func enabled(tp *policy.TechnicalProfile, bag map[string]string) bool {
	if tp == nil {
		return true
	}
	v, exists := bag[strings.ToLower(tp.Metadata["ClaimTypeOnWhichToEnable"])]
	item := tp.Metadata["ClaimValueOnWhichToEnable"]
	switch tp.Enabled {
	case "Never":
		return false
	case "OnClaimsExistence":
		return exists
	case "OnItemExistenceInStringCollectionClaim":
		return slices.Contains(stringCollection(v), item)
	case "OnItemAbsenceInStringCollectionClaim":
		return !slices.Contains(stringCollection(v), item)
	}
	return true
}

// offered reports whether the selection page shows the claims exchange's button.
func (x *execution) offered(exchange string) bool {
	return enabled(exchangeProfile(x.p, x.st, exchange), x.st.bag)
}
