package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// txPrefix starts B2C's transaction parameter: tx=StateProperties=<base64url>.
const txPrefix = "StateProperties="

// txState is what the tx token holds: the run id under B2C's key, TID. The run id is random,
// so the token names a run without being guessable; it carries no secret of its own.
type txState struct {
	TID string `json:"TID"`
}

// txFor is the tx value of a run.
func txFor(runID string) string {
	b, _ := json.Marshal(txState{TID: runID})
	return txPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// runOf reads the run id from a tx value; padded base64 is accepted too.
func runOf(tx string) (string, bool) {
	raw, ok := strings.CutPrefix(tx, txPrefix)
	if !ok {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(raw, "="))
	if err != nil {
		return "", false
	}
	var st txState
	if json.Unmarshal(b, &st) != nil || st.TID == "" {
		return "", false
	}
	return st.TID, true
}

// pageURLs builds the URLs of a run's pages, B2C's: the background submit
// /{tenant}/{policy}/SelfAsserted?tx=…&p=… and the navigations /{tenant}/{policy}/api/<page>/<action>?…&csrf_token=…&tx=…&p=….
type pageURLs struct {
	prefix, tx, policy, csrf string
}

func (s *server) urls(sess *Session) pageURLs {
	u := pageURLs{prefix: sess.Prefix, tx: txFor(sess.Run.ID), policy: sess.Policy, csrf: sess.CSRF}
	if u.policy == "" {
		u.policy = sess.Run.Policy
	}
	if u.prefix == "" {
		u.prefix = "/" + s.Tenant.Name + ".onmicrosoft.com/" + u.policy
	}
	return u
}

// submit is where a page posts: in the background from its script, or as a plain form.
func (u pageURLs) submit() string {
	return u.prefix + "/SelfAsserted?tx=" + u.tx + "&p=" + url.QueryEscape(u.policy)
}

// api is a navigation of a page: confirmed, unified or forgotPassword under api/<page>, with
// extra query parameters first, as B2C orders them.
func (u pageURLs) api(page, action string, extra ...string) string {
	q := ""
	for i := 0; i+1 < len(extra); i += 2 {
		q += url.QueryEscape(extra[i]) + "=" + url.QueryEscape(extra[i+1]) + "&"
	}
	return u.prefix + "/api/" + page + "/" + action + "?" + q + "csrf_token=" + url.QueryEscape(u.csrf) + "&tx=" + u.tx + "&p=" + url.QueryEscape(u.policy)
}

// confirmed is where a page's script goes once the server took its submission. The unified
// page's carries rememberMe, the "Keep me signed in" checkbox's state, as B2C's script sends it.
func (u pageURLs) confirmed(page string, remember bool) string {
	if page == apiUnified {
		return u.api(page, "confirmed", "rememberMe", strconv.FormatBool(remember))
	}
	return u.api(page, "confirmed")
}

// The api names of B2C's pages, in its URLs and SETTINGS.api.
const (
	apiUnified      = "CombinedSigninAndSignup"
	apiIdPSelection = "IdpSelections"
	apiSelfAsserted = "SelfAsserted"
)

// apiName is the api of the page the run shows now.
func apiName(r *engine.Run) string {
	if r.Page != nil && r.Page.ContentDefinition == "api.phonefactor" {
		return apiPhoneFactor
	}
	if r.Phase != engine.PhaseSignIn {
		return apiSelfAsserted
	}
	if r.Page != nil && r.Page.Selection {
		return apiIdPSelection
	}
	return apiUnified
}

// settings is B2C's SETTINGS object of a page: what its script needs to submit in the
// background and to navigate on (csrf, transId, api, hosts.tenant and hosts.policy).
type settings struct {
	CSRF    string `json:"csrf"`
	TransID string `json:"transId"`
	API     string `json:"api"`
	Hosts   struct {
		Tenant string `json:"tenant"`
		Policy string `json:"policy"`
	} `json:"hosts"`
	Locale struct {
		Lang string `json:"lang"`
	} `json:"locale"`
}

// inlineScriptKey is where a handler leaves the CSP hash of the page's one inline script.
const inlineScriptKey = "b2cemu.inlineScript"

// settingsScript is the page's SETTINGS script, B2C's "var SETTINGS = {…};". Its hash goes in
// the page's Content-Security-Policy, which allows no other inline script.
func (s *server) settingsScript(c echo.Context, sess *Session, def *flows.Definition, lang string) string {
	u := s.urls(sess)
	st := settings{CSRF: sess.CSRF, TransID: u.tx, API: apiName(sess.Run)}
	st.Hosts.Tenant, st.Hosts.Policy, st.Locale.Lang = u.prefix, u.policy, lang
	b, _ := json.Marshal(st) // escapes <, > and &: nothing ends the script early
	js := "var SETTINGS = " + string(b) + ";"
	sum := sha256.Sum256([]byte(js))
	c.Set(inlineScriptKey, "sha256-"+base64.StdEncoding.EncodeToString(sum[:]))
	return js
}
