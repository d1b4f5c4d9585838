package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator"
	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/emulatortest"
	"github.com/b2cemu/b2cemu/emulator/journey/hinttest"
	"github.com/b2cemu/b2cemu/emulator/policy"
)

// TestCommunitySampleFolders measures every folder under policies/ of the community samples
// (B2CEMU_SAMPLES) on the starter pack it extends (B2CEMU_STARTERPACK): each folder's policy
// files with the placeholder edits a user makes (tenant, app ids, policy keys, REST endpoints on
// a local stub), loaded, and each relying party run headless to a token. It prints one line a
// folder and the counts, and fails only on what must never happen: a server error or a panic.
//
//	B2CEMU_SAMPLES=~/src/samples B2CEMU_STARTERPACK=~/src/starterpack make samples
func TestCommunitySampleFolders(t *testing.T) {
	samples := os.Getenv("B2CEMU_SAMPLES")
	if samples == "" {
		t.Skip("B2CEMU_SAMPLES is not set; see docs/custom-policies.md")
	}
	stub := httptest.NewServer(http.HandlerFunc(echoStub))
	defer stub.Close()
	only := os.Getenv("B2CEMU_SAMPLES_ONLY") // one folder, to look at it closely
	env := &samplesEnv{packs: starterPacks(t, starterPack(t)), stub: stub.URL, hints: hinttest.NewIssuer(t), verbose: only != ""}
	dirs, err := os.ReadDir(filepath.Join(samples, "policies"))
	if err != nil {
		t.Fatalf("B2CEMU_SAMPLES has no policies folder: %v", err)
	}
	var folders []string
	for _, d := range dirs {
		if d.IsDir() && (only == "" || d.Name() == only) {
			folders = append(folders, filepath.Join(samples, "policies", d.Name()))
		}
	}
	measureFolders(t, "sample folders", filepath.Join(samples, "policies"), folders, env)
	if only == "" {
		var packs []string
		for _, p := range env.packs {
			packs = append(packs, filepath.Join(starterPack(t), p.name))
		}
		measureFolders(t, "starter-pack folders", starterPack(t), packs, env)
	}
}

// measureFolders prints one line a folder and the counts.
func measureFolders(t *testing.T, what, root string, folders []string, env *samplesEnv) {
	counts := map[string]int{}
	var lines []string
	for _, dir := range folders {
		name, _ := filepath.Rel(root, dir)
		r := measureFolder(t, dir, env)
		counts[r.class]++
		lines = append(lines, fmt.Sprintf("%-55s %-9s %-30s %s", name, r.class, r.pack, r.detail))
		if r.crash != "" {
			t.Errorf("%s: %s", name, r.crash)
		}
	}
	fmt.Println(strings.Join(lines, "\n"))
	fmt.Printf("%s %d: refused %d (B2C refuses them too), no-policy %d, load-error %d, loads %d of which token %d and stops %d\n",
		what, len(lines), counts[classRefused], counts[classNoPolicy], counts[classLoad], counts[classToken]+counts[classStops], counts[classToken], counts[classStops])
}

const (
	classRefused  = "refused"
	classNoPolicy = "no-policy"
	classLoad     = "load"
	classToken    = "token"
	classStops    = "stops"
)

// samplesEnv is what the samples run against: the starter packs, the REST stub, and the link
// generator whose discovery document the samples' id_token_hint profiles are pointed at.
type samplesEnv struct {
	packs   []pack
	stub    string
	hints   *hinttest.Issuer
	verbose bool // B2CEMU_SAMPLES_ONLY: each run's log and headless answers
}

// folderResult is one folder's measurement.
type folderResult struct {
	class, pack, detail string
	crash               string // a server error or panic: a failure of b2cemu, not of the sample
}

// pack is one starter pack's files, by PolicyId (lower case).
type pack struct {
	name  string
	files map[string]policy.Source
}

// starterPacks reads the starter pack folders a sample can extend, most common first.
func starterPacks(t *testing.T, root string) []pack {
	var out []pack
	for _, name := range []string{"SocialAndLocalAccounts", "LocalAccounts", "SocialAndLocalAccountsWithMfa", "SocialAccounts",
		"Display Controls Starterpack/LocalAccounts", "Display Controls Starterpack/SocialAndLocalAccounts",
		"Display Controls Starterpack/SocialAndLocalAccountsWithMfa"} {
		files := map[string]policy.Source{}
		for _, base := range []string{"TrustFrameworkBase.xml", "TrustFrameworkLocalization.xml", "TrustFrameworkExtensions.xml"} {
			b, err := os.ReadFile(filepath.Join(root, name, base))
			if err != nil {
				continue // older packs have no Localization layer
			}
			files[strings.ToLower(policyID(b))] = policy.Source{Name: name + "/" + base, Data: b}
		}
		if len(files) == 0 {
			t.Fatalf("the starter pack checkout lacks %s", name)
		}
		out = append(out, pack{name: name, files: files})
	}
	return out
}

var (
	policyIDRe = regexp.MustCompile(`(?s)<TrustFrameworkPolicy\b[^>]*?\bPolicyId\s*=\s*"([^"]*)"`)
	baseIDRe   = regexp.MustCompile(`(?s)<BasePolicy>.*?<PolicyId>\s*([^<\s]*)\s*</PolicyId>`)
)

// policyID is a policy file's PolicyId, "" for an XML file that is no policy.
func policyID(b []byte) string {
	if m := policyIDRe.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

// units splits a sample folder's policy files into sets that load together: the whole folder
// when its PolicyIds are unique, else each folder of relying parties with the folder's files
// whose PolicyId nothing else declares.
func units(root string) [][]policy.Source {
	var all []policy.Source
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".xml") {
			if b, err := os.ReadFile(p); err == nil && policyID(b) != "" {
				rel, _ := filepath.Rel(root, p)
				all = append(all, policy.Source{Name: rel, Data: b})
			}
		}
		return nil
	})
	seen := map[string]int{}
	for _, s := range all {
		seen[strings.ToLower(policyID(s.Data))]++
	}
	dup := false
	for _, n := range seen {
		dup = dup || n > 1
	}
	if !dup {
		if len(all) == 0 {
			return nil
		}
		return [][]policy.Source{all}
	}
	byDir := map[string][]policy.Source{}
	var order []string
	for _, s := range all {
		d := filepath.Dir(s.Name)
		if _, ok := byDir[d]; !ok {
			order = append(order, d)
		}
		byDir[d] = append(byDir[d], s)
	}
	var out [][]policy.Source
	for _, d := range order {
		if !hasRelyingParty(byDir[d]) {
			continue
		}
		unit := append([]policy.Source(nil), byDir[d]...)
		own := map[string]bool{}
		for _, s := range unit {
			own[strings.ToLower(policyID(s.Data))] = true
		}
		for _, s := range all {
			if id := strings.ToLower(policyID(s.Data)); !own[id] && seen[id] == 1 {
				unit = append(unit, s)
			}
		}
		out = append(out, unit)
	}
	return out
}

func hasRelyingParty(srcs []policy.Source) bool {
	for _, s := range srcs {
		if bytes.Contains(s.Data, []byte("<RelyingParty")) {
			return true
		}
	}
	return false
}

// The edits a user makes before uploading a sample: their tenant, their app ids, their REST
// endpoints (here a local stub that answers every call with the claims it was sent) and their
// link generator's discovery document (the samples' placeholder is an azurewebsites.net app).
var (
	tenantRe  = regexp.MustCompile(`(?i)[a-z0-9-]+\.onmicrosoft\.com`)
	appIDRe   = regexp.MustCompile(`(?i)\b(Proxy)?IdentityExperienceFrameworkAppId\b`)
	serviceRe = regexp.MustCompile(`(?is)(<Item\s+Key="ServiceUrl"\s*>)(.*?)(</Item>)`) // the whole Item, a placeholder comment in it too
	keyRe     = regexp.MustCompile(`StorageReferenceId="([^"]+)"`)
	hintAppRe = regexp.MustCompile(`(<Item\s+Key="METADATA"\s*>)\s*https://[^<]*\.azurewebsites\.net/\.well-known/openid-configuration\s*(</Item>)`)
)

func substitute(b []byte, env *samplesEnv) []byte {
	b = tenantRe.ReplaceAll(b, []byte("contoso.onmicrosoft.com"))
	b = appIDRe.ReplaceAllFunc(b, func(m []byte) []byte {
		if bytes.HasPrefix(bytes.ToLower(m), []byte("proxy")) {
			return []byte("22222222-0000-4000-8000-000000000001")
		}
		return []byte("22222222-0000-4000-8000-000000000002")
	})
	b = hintAppRe.ReplaceAll(b, []byte("${1}"+env.hints.Metadata()+"${2}"))
	return serviceRe.ReplaceAll(b, []byte("${1}"+env.stub+"/api${3}"))
}

// echoStub is every REST endpoint: a generic success that answers the JSON object it was sent.
func echoStub(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in map[string]any
	if json.Unmarshal(body, &in) != nil {
		in = map[string]any{}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(in)
}

// measureFolder classifies one sample folder: its best unit on its best pack.
func measureFolder(t *testing.T, dir string, env *samplesEnv) folderResult {
	us := units(dir)
	if len(us) == 0 {
		return folderResult{class: classNoPolicy, detail: "no TrustFrameworkPolicy file"}
	}
	best := folderResult{class: classLoad}
	for _, u := range us {
		for i := range u {
			u[i].Data = substitute(u[i].Data, env)
		}
		r := measureUnit(t, u, env)
		if rank(r.class) > rank(best.class) || best.detail == "" {
			best = r
		}
		if r.crash != "" {
			return r
		}
	}
	return best
}

func rank(class string) int {
	return map[string]int{classRefused: 0, classLoad: 1, classStops: 2, classToken: 3}[class]
}

// measureUnit loads a unit on the first pack it loads on (the one with fewest problems when it
// loads on none) and runs its relying parties.
func measureUnit(t *testing.T, unit []policy.Source, env *samplesEnv) folderResult {
	var bestErr, resolvedErr *policy.Error
	var bestPack, resolvedPack string
	for _, p := range env.packs {
		srcs := withPack(unit, p)
		policies, err := policy.LoadSources(srcs)
		name := p.name
		if len(srcs) == len(unit) {
			name = "(its own files)"
		}
		if err == nil {
			return runUnit(t, srcs, policies, name, env)
		}
		perr, ok := err.(*policy.Error)
		if !ok {
			return folderResult{class: classLoad, pack: name, detail: err.Error()}
		}
		if bestErr == nil || len(perr.Problems) < len(bestErr.Problems) {
			bestErr, bestPack = perr, name
		}
		if resolvedErr == nil && !missingReferences(perr) {
			resolvedErr, resolvedPack = perr, name
		}
	}
	if resolvedErr != nil { // every reference resolves on this pack: what is left is b2cemu's
		return folderResult{class: classLoad, pack: resolvedPack, detail: oneLine(resolvedErr.Problems[0].Error())}
	}
	return folderResult{class: classRefused, pack: bestPack, detail: oneLine(firstMissing(bestErr).Error())}
}

func missingReferences(err *policy.Error) bool { return firstMissing(err) != nil }

func firstMissing(err *policy.Error) *policy.Problem {
	for _, pr := range err.Problems {
		if missingReference(pr.Msg) {
			return pr
		}
	}
	return nil
}

// missingReference reports whether a load problem is one B2C refuses the upload for as well:
// a reference to an element, or a base policy, that the files do not declare.
func missingReference(msg string) bool {
	for _, s := range []string{"which is not declared", "which the ClaimsSchema does not declare", "is not among the loaded files", "is not declared in this policy or its bases"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// withPack adds the pack's files whose PolicyId the unit does not declare itself. A base the
// unit names that neither declares, under a name ending in a pack file's role (the samples'
// B2C_1A_Demo_TrustFrameworkExtensions), is that pack file uploaded under the name the sample
// asks for, as its readme has a user do.
func withPack(unit []policy.Source, p pack) []policy.Source {
	own := map[string]bool{}
	for _, s := range unit {
		own[strings.ToLower(policyID(s.Data))] = true
	}
	out := append([]policy.Source(nil), unit...)
	for id, s := range p.files {
		if !own[id] {
			out = append(out, s)
		}
	}
	for _, s := range unit {
		m := baseIDRe.FindSubmatch(s.Data)
		if m == nil {
			continue
		}
		base := strings.ToLower(string(m[1]))
		if own[base] || p.files[base].Data != nil {
			continue
		}
		for _, role := range []string{"trustframeworkbase", "trustframeworklocalization", "trustframeworkextensions"} {
			if src, ok := p.files["b2c_1a_"+role]; ok && strings.HasSuffix(base, role) {
				renamed := policyIDRe.ReplaceAllFunc(src.Data, func(root []byte) []byte {
					return bytes.Replace(root, []byte(policyID(src.Data)), m[1], 1)
				})
				out = append(out, policy.Source{Name: strings.TrimSuffix(src.Name, ".xml") + "-as-" + string(m[1]) + ".xml", Data: renamed})
				own[base] = true
				break
			}
		}
	}
	return out
}

// runUnit starts an emulator on the unit's files and runs each relying party headless.
func runUnit(t *testing.T, srcs []policy.Source, policies map[string]*policy.Policy, packName string, env *samplesEnv) folderResult {
	dir := t.TempDir()
	keys := map[string]string{}
	for i, s := range srcs {
		name := fmt.Sprintf("%02d-%s", i, filepath.Base(s.Name))
		if err := os.WriteFile(filepath.Join(dir, name), s.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllSubmatch(s.Data, -1) {
			keys[string(m[1])] = "sample-secret-" + strings.ToLower(string(m[1])) + "-0123456789abcdef"
		}
	}
	logs := &emulatortest.LogBuffer{}
	srv, base, err := startSample(t, dir, keys, logs)
	if err != nil {
		return folderResult{class: classLoad, pack: packName, detail: oneLine(strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""))}
	}
	defer srv.Close()
	ids := make([]string, 0, len(policies))
	for id := range policies {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	r := folderResult{class: classToken, pack: packName}
	tokens := 0
	// A relying party that stops is tried again after the others, as a user who has signed up
	// by then would (a profile edit before any sign-up finds no account, on B2C too).
	outcomes := map[string]string{}
	for round := 0; round < 2; round++ {
		for _, id := range ids {
			if done, tried := outcomes[id]; tried && done == "" {
				continue
			}
			before := len(logs.String())
			outcome, crash := runRelyingParty(t, base, policies[id], keys, env)
			if crash != "" {
				return folderResult{class: classStops, pack: packName, detail: crash, crash: crash}
			}
			if m := diagnosticRe.FindAllStringSubmatch(logs.String()[before:], -1); outcome != "" && m != nil {
				outcome += " [" + strings.ReplaceAll(m[len(m)-1][1], dir+string(filepath.Separator), "") + "]"
			}
			if env.verbose {
				t.Logf("%s: %s\n%s", id, outcome, logs.String()[before:])
			}
			outcomes[id] = outcome
		}
	}
	for _, id := range ids {
		if outcomes[id] == "" {
			tokens++
		} else if r.detail == "" {
			r.class, r.detail = classStops, policies[id].ID+": "+outcomes[id]
		}
	}
	if r.class == classToken {
		r.detail = fmt.Sprintf("%d relying parties", tokens)
	} else {
		r.detail = fmt.Sprintf("%d/%d to a token; %s", tokens, len(ids), r.detail)
	}
	return r
}

// startSample serves the policies in dir with the policy keys they name, on a free port.
func startSample(t *testing.T, dir string, keys map[string]string, logs io.Writer) (*httptest.Server, string, error) {
	var y strings.Builder
	fmt.Fprintf(&y, "tenant:\n  name: contoso\n  id: 11111111-2222-4333-8444-555555555555\napplications:\n  - name: Web app\n    clientId: %s\n    redirectUris: [\"http://app.test/callback\"]\ncustomPolicies:\n  paths: [%q]\n", clientID, dir)
	if len(keys) > 0 {
		y.WriteString("policyKeys:\n")
		for k, v := range keys {
			fmt.Fprintf(&y, "  %s: %s\n", k, v)
		}
	}
	path := filepath.Join(t.TempDir(), "b2cemu.yaml")
	if err := os.WriteFile(path, []byte(y.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		return nil, "", err
	}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	em, err := emulator.New(cfg, emulator.Options{BaseURL: base, Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		srv.Listener.Close()
		return nil, "", err
	}
	srv.Config.Handler = em.Handler()
	srv.Start()
	return srv, base, nil
}

// runRelyingParty tries a relying party as a user would: sign up with a new local account,
// else sign in with an existing one, else each choice of its first provider-selection page (a
// local account's exchange signs in the existing user, any other a new federated identity).
// It answers "" for a token, else what stopped the first and the last try; crash is a server
// error.
func runRelyingParty(t *testing.T, base string, p *policy.Policy, keys map[string]string, env *samplesEnv) (outcome, crash string) {
	newEmail := "new-" + strings.ToLower(p.ID) + "@contoso.test"
	existing := "ana-" + strings.ToLower(p.ID) + "@contoso.test" // its own, so one policy's password reset leaves the next one's sign-in alone
	tries := []struct{ provider, email string }{{"email", newEmail}, {"email", existing}}
	for _, target := range selectionTargets(p) {
		email := newEmail
		if target.local {
			email = existing
		}
		tries = append(tries, struct{ provider, email string }{target.id, email})
	}
	var first, last string
	for i, try := range tries {
		if try.email == existing && !seeded(base, existing) {
			return "", p.ID + ": the existing user could not be seeded"
		}
		req := map[string]any{"identityProvider": try.provider, "account": map[string]any{"email": try.email, "password": samplePassword},
			"attributes": attributes(p, try.email, try.email == existing)}
		if try.provider != "email" && try.email == newEmail {
			req["account"] = map[string]any{"issuerAssignedId": "fed-mia", "email": "mia@contoso.test", "displayName": "Mia Chen", "givenName": "Mia", "surname": "Chen"}
		}
		if hint := sampleHint(t, p, keys, env, try.email); hint != "" {
			req["idTokenHint"] = hint
		}
		status, ans := runHeadless(base, p.ID, req)
		if env.verbose {
			t.Logf("%s via %s: %d %v", p.ID, try.provider, status, ans)
		}
		if status >= 500 {
			return "", fmt.Sprintf("%s: HTTP %d %v", p.ID, status, ans)
		}
		if ans["outcome"] == "token" {
			return "", ""
		}
		if last = describeOutcome(status, ans); i == 0 {
			first = last
		}
	}
	if first == last {
		return first, ""
	}
	return first + " | " + last, ""
}

const (
	samplePassword    = "Kq7#mZ2v!Lp9"
	sampleNewPassword = "Vb4$nR8w!Tz3" // an existing user's new password differs from the old
)

// seeded makes sure the existing user is in the directory.
func seeded(base, email string) bool {
	seed, _ := json.Marshal(map[string]any{"email": email, "password": samplePassword, "attributes": map[string]any{"displayName": "Ana"}})
	resp, err := http.Post(base+"/_emulator/users", "application/json", bytes.NewReader(seed))
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusConflict
}

type selectionTarget struct {
	id    string
	local bool // the exchange runs a self-asserted (local account) profile
}

// selectionTargets are the claims exchanges the journey's first provider-selection page offers.
func selectionTargets(p *policy.Policy) []selectionTarget {
	kind := map[string]policy.Kind{}
	for _, s := range p.Journey.Steps {
		for _, ex := range s.Exchanges {
			if tp := p.TechnicalProfiles[ex.TechnicalProfile]; tp != nil {
				kind[ex.ID] = tp.Kind
			}
		}
	}
	for _, s := range p.Journey.Steps {
		if len(s.Selections) == 0 {
			continue
		}
		var out []selectionTarget
		for _, sel := range s.Selections {
			if sel.Target != "" {
				out = append(out, selectionTarget{id: sel.Target, local: kind[sel.Target] == policy.SelfAsserted})
			}
		}
		return out
	}
	return nil
}

var diagnosticRe = regexp.MustCompile(`msg="custom policy journey failed: ((?:[^"\\]|\\.)*)"`)

func runHeadless(base, policyID string, req map[string]any) (int, map[string]any) {
	b, _ := json.Marshal(req)
	resp, err := http.Post(base+"/_emulator/flows/"+policyID+"/run", "application/json", bytes.NewReader(b))
	if err != nil {
		return 599, map[string]any{"error": err.Error()}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	ans := map[string]any{}
	if json.Unmarshal(raw, &ans) != nil {
		ans["error"] = string(raw)
	}
	return resp.StatusCode, ans
}

func describeOutcome(status int, ans map[string]any) string {
	var parts []string
	for _, k := range []string{"outcome", "error", "errorDescription", "userMessage"} {
		if v, ok := ans[k].(string); ok && v != "" {
			parts = append(parts, v)
		}
	}
	if status != 200 {
		parts = append([]string{fmt.Sprint(status)}, parts...)
	}
	return oneLine(strings.Join(parts, ": "))
}

// attributes are the page submissions of a user who fills every field: each claim type of the
// policy that a page can ask for (it has an input type a user types or picks in) given a value
// of its kind, the same for every page. Read-only and hidden claims keep what the page holds;
// the code of an authenticator app (a VerifyOTP profile's input) is left to the driver.
func attributes(p *policy.Policy, email string, existing bool) []map[string]string {
	vals := map[string]string{}
	for _, ct := range p.ClaimTypes {
		switch strings.ToLower(ct.UserInputType) {
		case "", "readonly", "paragraph", "button":
			continue
		}
		vals[ct.ID] = sampleValue(ct, email, existing)
	}
	for _, tp := range p.TechnicalProfiles { // an authenticator app's code: the headless driver types it
		if tp.Kind == policy.AzureMFA && tp.Metadata["Operation"] == "VerifyOTP" {
			for _, c := range tp.InputClaims {
				delete(vals, c.ClaimType)
			}
		}
	}
	out := make([]map[string]string, 6)
	for i := range out {
		out[i] = vals
	}
	return out
}

func sampleValue(ct *policy.ClaimType, email string, existing bool) string {
	v := kindValue(ct, email, existing)
	if ct.Pattern == "" || strings.EqualFold(ct.UserInputType, "Password") {
		return v
	}
	// A user types what the field's pattern asks for: the first of a few usual answers that
	// fits it (a .NET pattern Go cannot read keeps the value of the claim's kind).
	re, err := regexp.Compile(ct.Pattern)
	if err != nil || re.MatchString(v) {
		return v
	}
	for _, c := range []string{email, "mia1234", "Mia", "123456", "+15555550100", "1990-01-01"} {
		if re.MatchString(c) {
			return c
		}
	}
	return v
}

// kindValue is a value of the claim's kind.
func kindValue(ct *policy.ClaimType, email string, existing bool) string {
	id := strings.ToLower(ct.ID)
	switch {
	case len(ct.Options) > 0:
		return ct.Options[0].Value
	case existing && (strings.Contains(id, "newpassword") || strings.Contains(id, "reenterpassword")):
		return sampleNewPassword
	case strings.EqualFold(ct.UserInputType, "Password") || strings.Contains(id, "password"):
		return samplePassword
	case strings.Contains(id, "email") || strings.EqualFold(ct.UserInputType, "EmailBox") ||
		strings.Contains(id, "signinname") || strings.Contains(id, "logonidentifier"):
		return email
	case strings.Contains(id, "phone"):
		return "+15555550100"
	}
	switch strings.ToLower(ct.DataType) {
	case "boolean":
		return "true"
	case "int", "long":
		return "1"
	case "date":
		return "1990-01-01"
	case "datetime":
		return "1990-01-01T00:00:00Z"
	}
	return "Sample value"
}

// sampleHint signs an id_token_hint, as the sample's link generator would, for a policy whose
// journey reads one: with the test issuer's key when the profile reads its discovery document,
// else with the shared-secret key; "" for any other policy.
func sampleHint(t *testing.T, p *policy.Policy, keys map[string]string, env *samplesEnv, email string) string {
	extra := map[string]any{"email": email, "name": "Mia Chen"}
	for _, tp := range p.HintProfiles() {
		if tp.Metadata["METADATA"] == env.hints.Metadata() {
			return env.hints.Sign(t, hinttest.Claims(env.hints.Issuer, clientID, time.Now(), time.Hour, extra))
		}
		if secret := keys[tp.HintSecret()]; secret != "" {
			return hinttest.SignHS256(t, secret, hinttest.Claims(tp.Metadata["issuer"], tp.Metadata["IdTokenAudience"], time.Now(), time.Hour, extra))
		}
	}
	return ""
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 240 {
		s = s[:240] + "…"
	}
	return s
}
