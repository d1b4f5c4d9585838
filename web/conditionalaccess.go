package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows/directory"
	"github.com/b2cemu/b2cemu/web/views"
)

// CASignal is the fake Conditional Access signal of a sign-in, set through
// PUT /_emulator/conditionalAccess (every sign-in) or …/users/{id} (one user's, which wins):
// what ConditionalAccessProtocolProvider profiles evaluate instead of Microsoft Entra ID
// Protection and the tenant's policies (docs/custom-policies.md).
type CASignal struct {
	// Challenges are the evaluation's answer: block, mfa, chg_pwd. null leaves it to the
	// risk level; [] is no challenge whatever the risk.
	Challenges []string `json:"challenges"`
	// SignInRiskLevel is none, low, medium or high; without challenges, medium and high ask
	// for mfa.
	SignInRiskLevel string `json:"signInRiskLevel,omitempty"`
	// IPAddress is the address journeys see instead of the browser's.
	IPAddress string `json:"ipAddress,omitempty"`
}

// CASignals is GET /_emulator/conditionalAccess: the global signal (null: none) and each
// user's, by object id.
type CASignals struct {
	Global *CASignal           `json:"global"`
	Users  map[string]CASignal `json:"users"`
}

// caChallenges and caRiskLevels are the values a signal may hold: the reference's
// challenges and Identity Protection's risk levels.
var (
	caChallenges = []string{"block", "mfa", "chg_pwd"}
	caRiskLevels = []string{"none", "low", "medium", "high"}
)

// caSignals is GET /_emulator/conditionalAccess: JSON, or the page for a browser.
func (s *server) caSignals(c echo.Context) error {
	all := s.Admin.CASignals()
	if !wantsHTML(c) {
		return c.JSON(http.StatusOK, all)
	}
	m := views.DevSignals{DevPage: s.devPage(c, "Conditional Access signals", "conditionalAccess")}
	if all.Global != nil {
		m.Signals = append(m.Signals, devSignal("every sign-in", "", *all.Global))
	}
	ids := make([]string, 0, len(all.Users))
	for id := range all.Users {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		m.Signals = append(m.Signals, devSignal(id, "/_emulator/users/"+url.PathEscape(id), all.Users[id]))
	}
	return s.render(c, http.StatusOK, views.DevSignalsPage(m))
}

// devSignal is a signal's row on the page: what the evaluation will answer.
func devSignal(who, link string, sig CASignal) views.DevSignal {
	challenges := "by the risk level"
	if sig.Challenges != nil {
		challenges = strings.Join(sig.Challenges, ", ")
		if challenges == "" {
			challenges = "none"
		}
	}
	risk := sig.SignInRiskLevel
	if risk == "" {
		risk = "none"
	}
	return views.DevSignal{Who: who, UserURL: link, Challenges: challenges, Risk: risk, IPAddress: sig.IPAddress}
}

// setCASignal is PUT /_emulator/conditionalAccess and …/users/{id}: a user's signal needs
// the user to exist, so a mistyped id is a 404 rather than a signal nothing evaluates.
func (s *server) setCASignal(c echo.Context) error {
	id := c.Param("id")
	if id != "" {
		if _, err := s.Admin.User(c.Request().Context(), id); errors.Is(err, directory.ErrNotFound) {
			return apiError(c, http.StatusNotFound, "no user %q: create the user first, or set the global signal (PUT /_emulator/conditionalAccess)", id)
		} else if err != nil {
			return err
		}
	}
	var sig CASignal
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sig); err != nil && !errors.Is(err, io.EOF) {
		return apiError(c, http.StatusBadRequest, "the request is not a Conditional Access signal: %v", err)
	}
	if msg := sig.problem(); msg != "" {
		return apiError(c, http.StatusBadRequest, "%s", msg)
	}
	s.Admin.SetCASignal(id, sig)
	return c.JSON(http.StatusOK, s.Admin.CASignals())
}

// problem says what is wrong with a signal, or "".
func (sig *CASignal) problem() string {
	for i, ch := range sig.Challenges {
		sig.Challenges[i] = strings.ToLower(strings.TrimSpace(ch))
		if !slices.Contains(caChallenges, sig.Challenges[i]) {
			return fmt.Sprintf("the challenge %q is not one of %s", ch, strings.Join(caChallenges, ", "))
		}
	}
	sig.SignInRiskLevel = strings.ToLower(strings.TrimSpace(sig.SignInRiskLevel))
	if sig.SignInRiskLevel != "" && !slices.Contains(caRiskLevels, sig.SignInRiskLevel) {
		return fmt.Sprintf("the signInRiskLevel %q is not one of %s", sig.SignInRiskLevel, strings.Join(caRiskLevels, ", "))
	}
	if sig.IPAddress != "" && net.ParseIP(sig.IPAddress) == nil {
		return fmt.Sprintf("the ipAddress %q is not an IPv4 or IPv6 address", sig.IPAddress)
	}
	return ""
}

// clearCASignals is DELETE /_emulator/conditionalAccess (every signal) and …/users/{id}.
func (s *server) clearCASignals(c echo.Context) error {
	if !s.Admin.ClearCASignal(c.Param("id")) {
		return apiError(c, http.StatusNotFound, "user %q has no Conditional Access signal", c.Param("id"))
	}
	return c.NoContent(http.StatusNoContent)
}
