package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	only := os.Getenv("B2CEMU_SAMPLES_ONLY") // one folder (a sample's, or a starter pack's), to look at it closely
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
	var packs []string
	for _, p := range env.packs {
		if only == "" || p.name == only {
			packs = append(packs, filepath.Join(starterPack(t), p.name))
		}
	}
	measureFolders(t, "starter-pack folders", starterPack(t), packs, env)
}

// TestStarterPackFolders runs every folder of Microsoft's starter pack (B2CEMU_STARTERPACK)
// unchanged, as the sample measurement runs a folder: each relying party headless to a token,
// as a new local account, an existing one and each provider of its first selection page. Every
// folder must get there.
//
//	B2CEMU_STARTERPACK=~/src/starterpack make starterpack
func TestStarterPackFolders(t *testing.T) {
	root := starterPack(t)
	stub := httptest.NewServer(http.HandlerFunc(echoStub))
	defer stub.Close()
	env := &samplesEnv{packs: starterPacks(t, root), stub: stub.URL, hints: hinttest.NewIssuer(t)}
	for _, p := range env.packs {
		t.Run(p.name, func(t *testing.T) {
			r := measureFolder(t, filepath.Join(root, p.name), env)
			if r.crash != "" || r.class != classToken {
				t.Errorf("%s: %s %s", r.class, r.detail, r.crash)
			}
		})
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
		"Display Controls Starterpack/SocialAndLocalAccountsWithMfa", "Display Controls Starterpack/SocialAccounts"} {
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
// when its PolicyIds are unique, else each folder of relying parties with the bases it builds
// on that the folder's other files declare once.
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
		out = append(out, withBases(byDir[d], all, seen))
	}
	return out
}

// withBases adds to a folder's files the bases they build on, at any depth, that one other
// file of the sample declares: a variant's unit holds its own chain, not its siblings' files.
func withBases(files, all []policy.Source, seen map[string]int) []policy.Source {
	unit := append([]policy.Source(nil), files...)
	own := map[string]bool{}
	for _, s := range unit {
		own[strings.ToLower(policyID(s.Data))] = true
	}
	for i := 0; i < len(unit); i++ {
		m := baseIDRe.FindSubmatch(unit[i].Data)
		if m == nil || own[strings.ToLower(string(m[1]))] {
			continue
		}
		for _, s := range all {
			if id := strings.ToLower(policyID(s.Data)); id == strings.ToLower(string(m[1])) && seen[id] == 1 {
				unit, own[id] = append(unit, s), true
			}
		}
	}
	return unit
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
	return serviceRe.ReplaceAllFunc(b, func(m []byte) []byte {
		parts := serviceRe.FindSubmatch(m)
		path := "/api"
		if tokenURLRe.Match(parts[2]) { // a token request (the samples' Graph token): the stub's token endpoint
			path = "/token"
		}
		return append(append(append([]byte{}, parts[1]...), env.stub+path...), parts[3]...)
	})
}

// tokenURLRe is an OAuth 2.0 token endpoint, such as the Microsoft identity platform's.
var tokenURLRe = regexp.MustCompile(`/oauth2/(v2\.0/)?token\b`)

// echoStub is every REST endpoint: a generic success that answers the JSON object it was sent;
// at /token, an OAuth 2.0 token endpoint's answer to a client-credentials request.
func echoStub(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"token_type":"Bearer","expires_in":3599,"access_token":"sample-access-token"}`)
		return
	}
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
// a reference to an element, or a base policy, that the files do not declare; or an element
// Microsoft's schema reference requires: a RelyingParty's DefaultUserJourney (1:1 in
// relyingparty.md), a VerificationControl's SendCode and VerifyCode actions and its
// verification code claim (display-control-verification.md, "required elements"), a PolicyId
// with the B2C_1A_ prefix (trustframeworkpolicy.md).
func missingReference(msg string) bool {
	for _, s := range []string{"which is not declared", "which the ClaimsSchema does not declare", "is not among the loaded files", "is not declared in this policy or its bases",
		"has no DefaultUserJourney ReferenceId", "a VerificationControl needs", "must start with B2C_1A_"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// withPack adds the pack's files whose PolicyId the unit does not declare itself. A base the
// unit names that neither declares, under a name ending in a file's role (the samples'
// B2C_1A_Demo_TrustFrameworkExtensions, or B2C_1A_LOC for the localization), is the unit's own
// file of that role, else the pack's, uploaded under the name the sample asks for, as its
// readme has a user do.
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
	for i := 0; i < len(out); i++ { // a renamed file's own base is looked at in turn
		m := baseIDRe.FindSubmatch(out[i].Data)
		if m == nil {
			continue
		}
		base := strings.ToLower(string(m[1]))
		if own[base] || p.files[base].Data != nil {
			continue
		}
		if src, ok := roleFile(base, unit, p); ok {
			renamed := policyIDRe.ReplaceAllFunc(src.Data, func(root []byte) []byte {
				return bytes.Replace(root, []byte(policyID(src.Data)), m[1], 1)
			})
			out = append(out, policy.Source{Name: strings.TrimSuffix(src.Name, ".xml") + "-as-" + string(m[1]) + ".xml", Data: renamed})
			own[base] = true
		}
	}
	return out
}

// roleFile is the file a base PolicyId names by its role: the unit's own B2C_1A_<role> file,
// else the pack's.
func roleFile(base string, unit []policy.Source, p pack) (policy.Source, bool) {
	for _, role := range []struct{ name, short string }{{"trustframeworkbase", "_base"}, {"trustframeworklocalization", "_loc"}, {"trustframeworkextensions", "_ext"}} {
		if !strings.HasSuffix(base, role.name) && !strings.HasSuffix(base, role.short) {
			continue
		}
		for _, s := range unit {
			if strings.EqualFold(policyID(s.Data), "b2c_1a_"+role.name) {
				return s, true
			}
		}
		src, ok := p.files["b2c_1a_"+role.name]
		return src, ok
	}
	return policy.Source{}, false
}

// runUnit starts an emulator on the unit's files and runs each relying party headless.
func runUnit(t *testing.T, srcs []policy.Source, policies map[string]*policy.Policy, packName string, env *samplesEnv) folderResult {
	dir := t.TempDir()
	keys := map[string]string{}
	srv := httptest.NewUnstartedServer(nil) // its address is the tenant's own b2clogin.com host
	base := "http://" + srv.Listener.Addr().String()
	for i, s := range srcs {
		name := fmt.Sprintf("%02d-%s", i, filepath.Base(s.Name))
		if err := os.WriteFile(filepath.Join(dir, name), selfMetadata(s.Data, base), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllSubmatch(s.Data, -1) {
			keys[string(m[1])] = "sample-secret-" + strings.ToLower(string(m[1])) + "-0123456789abcdef"
		}
	}
	logs := &emulatortest.LogBuffer{}
	if err := startSample(t, srv, dir, keys, logs); err != nil {
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
			outcome, crash := runRelyingParty(t, unitRun{base: base, keys: keys, policies: policies}, policies[id], env)
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

// startSample serves the policies in dir with the policy keys they name on srv (unstarted, on
// a free port).
func startSample(t *testing.T, srv *httptest.Server, dir string, keys map[string]string, logs io.Writer) error {
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
		srv.Listener.Close()
		return err
	}
	em, err := emulator.New(cfg, emulator.Options{BaseURL: "http://" + srv.Listener.Addr().String(), Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		srv.Listener.Close()
		return err
	}
	srv.Config.Handler = em.Handler()
	srv.Start()
	return nil
}

// runRelyingParty tries a relying party as a user would: sign up with a new local account,
// else sign in with an existing one, else each choice of its first provider-selection page (a
// local account's exchange signs in the existing user, any other a new federated identity).
// It answers "" for a token, else what stopped the first and the last try; crash is a server
// error.
func runRelyingParty(t *testing.T, u unitRun, p *policy.Policy, env *samplesEnv) (outcome, crash string) {
	newUser, existing := sampleUsers(p)
	tries := []struct {
		provider string
		user     sampleUser
	}{{"email", newUser}, {"email", existing}}
	for _, target := range selectionTargets(p) {
		u := newUser
		if target.local {
			u = existing
		}
		tries = append(tries, struct {
			provider string
			user     sampleUser
		}{target.id, u})
	}
	var first, last string
	for i, try := range tries {
		if try.user.existing && !seeded(u.base, try.user, signsInByUserName(p)) {
			return "", p.ID + ": the existing user could not be seeded"
		}
		// The phone is the one a user types when the journey's MFA enrolment asks for one.
		req := map[string]any{"identityProvider": try.provider, "account": map[string]any{"email": try.user.email, "password": samplePassword, "phoneNumber": samplePhone},
			"attributes": attributes(p, try.user)}
		if try.provider != "email" && !try.user.existing {
			req["account"] = map[string]any{"issuerAssignedId": "fed-mia", "email": "mia@contoso.test", "displayName": "Mia Chen", "givenName": "Mia", "surname": "Chen"}
		}
		if hint := sampleHint(t, u, p, env, try.user.email); hint != "" {
			req["idTokenHint"] = hint
		}
		status, ans := laterSelections(u.base, p.ID, req, try.provider)
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
	samplePhone       = "+15555550100"
	samplePassword    = "Kq7#mZ2v!Lp9"
	sampleNewPassword = "Vb4$nR8w!Tz3" // an existing user's new password differs from the old
)

// sampleUser is who types into a relying party's pages: a new user, or the existing one.
type sampleUser struct {
	email, userName string
	existing        bool
}

// sampleUsers are the relying party's new and existing users: its own, so one policy's
// password reset leaves the next one's sign-in alone. Their usernames fit Graph's rule
// (letters and digits) and the usual username patterns.
func sampleUsers(p *policy.Policy) (newUser, existing sampleUser) {
	id := strings.ToLower(p.ID)
	h := fnv.New32a()
	h.Write([]byte(id))
	tag := fmt.Sprintf("%06d", h.Sum32()%1000000)
	local := id
	if len("ana-"+id+"@contoso.test") > 64 { // Graph's limit on a sign-in name
		local = tag
	}
	return sampleUser{email: "new-" + local + "@contoso.test", userName: "new" + tag},
		sampleUser{email: "ana-" + local + "@contoso.test", userName: "ana" + tag, existing: true}
}

// signsInByUserName reports whether a technical profile of the policy finds users by their
// username (signInNames.userName): its existing user is then a username account.
func signsInByUserName(p *policy.Policy) bool {
	for _, tp := range p.TechnicalProfiles {
		for _, c := range tp.InputClaims {
			if strings.EqualFold(c.PartnerClaimType, "signInNames.userName") {
				return true
			}
		}
	}
	return false
}

// seeded makes sure the existing user is in the directory: an email account, which also has
// the username when the policy signs in by username (as Graph creates a user with both).
func seeded(base string, u sampleUser, userName bool) bool {
	user := map[string]any{"email": u.email, "password": samplePassword, "attributes": map[string]any{"displayName": "Ana"}}
	if userName {
		user["identities"] = []map[string]string{{"signInType": "userName", "issuer": "contoso.onmicrosoft.com", "issuerAssignedId": u.userName}}
	}
	seed, _ := json.Marshal(user)
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

// laterSelections runs req; when the journey shows another provider-selection page after the
// first (an account-linking journey's link buttons, after the sign-in) it runs it again as
// the same user choosing, on each later page, the first button it offers.
func laterSelections(base, policyID string, req map[string]any, provider string) (int, map[string]any) {
	status, ans := runHeadless(base, policyID, req)
	msg, _ := ans["error"].(string)
	if status != http.StatusBadRequest || !strings.Contains(msg, "button on this page") {
		return status, ans
	}
	picks := []string{provider}
	delete(req, "identityProvider")
	for range 3 {
		req["identityProviders"] = picks
		status, ans = runHeadless(base, policyID, req)
		msg, _ := ans["error"].(string)
		m := offeredRe.FindStringSubmatch(msg)
		if status != http.StatusBadRequest || m == nil {
			break
		}
		picks = append(picks, m[1])
	}
	return status, ans
}

// offeredRe finds the first button of the selection page a headless run has no provider for.
var offeredRe = regexp.MustCompile(`shows provider-selection page \d+, but identityProviders has \d+ entries: add the provider to choose there, one of \[([^\],\s]+)`)

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
func attributes(p *policy.Policy, u sampleUser) []map[string]string {
	vals := map[string]string{}
	for _, ct := range p.ClaimTypes {
		switch strings.ToLower(ct.UserInputType) {
		case "", "readonly", "paragraph", "button":
			continue
		}
		vals[ct.ID] = sampleValue(ct, u)
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

func sampleValue(ct *policy.ClaimType, u sampleUser) string {
	v := kindValue(ct, u)
	if ct.Pattern == "" || strings.EqualFold(ct.UserInputType, "Password") {
		return v
	}
	// A user types what the field's pattern asks for: the first of a few usual answers that
	// fits it (a .NET pattern Go cannot read keeps the value of the claim's kind).
	re, err := regexp.Compile(ct.Pattern)
	if err != nil || re.MatchString(v) {
		return v
	}
	for _, c := range []string{u.email, u.userName, "mia1234", "Mia", "123456", samplePhone, "1990-01-01"} {
		if re.MatchString(c) {
			return c
		}
	}
	return v
}

// kindValue is a value of the claim's kind.
func kindValue(ct *policy.ClaimType, u sampleUser) string {
	id := strings.ToLower(ct.ID)
	switch {
	case len(ct.Options) > 0:
		return ct.Options[0].Value
	case u.existing && (strings.Contains(id, "newpassword") || strings.Contains(id, "reenterpassword")):
		return sampleNewPassword
	case strings.EqualFold(ct.UserInputType, "Password") || strings.Contains(id, "password"):
		return samplePassword
	case strings.Contains(id, "email") || strings.EqualFold(ct.UserInputType, "EmailBox") ||
		strings.Contains(id, "signinname") || strings.Contains(id, "logonidentifier"):
		return u.email
	case strings.Contains(id, "phone"):
		return samplePhone
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

// unitRun is a unit's emulator: its address, the policy keys it was given and its policies.
type unitRun struct {
	base     string
	keys     map[string]string
	policies map[string]*policy.Policy
}

// selfMetadataRe is a hint profile's METADATA that names the tenant's own policy's discovery
// document on b2clogin.com: the hint is a token the tenant issued itself (the invitation
// samples' link-generator policy signs it).
var selfMetadataRe = regexp.MustCompile(`(<Item\s+Key="METADATA"\s*>)\s*https://[^/<\s]+\.b2clogin\.com/[^/<\s]+/([^/<\s]+)/v2\.0/\.well-known/openid-configuration\s*(</Item>)`)

// selfMetadata points such a METADATA at the emulator, the tenant's b2clogin.com host here.
func selfMetadata(b []byte, base string) []byte {
	return selfMetadataRe.ReplaceAll(b, []byte("${1}"+base+"/contoso.onmicrosoft.com/${2}/v2.0/.well-known/openid-configuration${3}"))
}

// sampleHint signs an id_token_hint, as the sample's link generator would, for a policy whose
// journey reads one: with the test issuer's key when the profile reads its discovery document,
// with the shared-secret key, or — a hint the tenant issues itself — as a token of the unit's
// link-generator policy; "" for any other policy.
func sampleHint(t *testing.T, u unitRun, p *policy.Policy, env *samplesEnv, email string) string {
	extra := map[string]any{"email": email, "name": "Mia Chen"}
	for _, tp := range p.HintProfiles() {
		if tp.Metadata["METADATA"] == env.hints.Metadata() {
			return env.hints.Sign(t, hinttest.Claims(env.hints.Issuer, clientID, time.Now(), time.Hour, extra))
		}
		if selfMetadataRe.MatchString(`<Item Key="METADATA">` + tp.Metadata["METADATA"] + `</Item>`) {
			return selfIssuedHint(t, u, email)
		}
		if secret := u.keys[tp.HintSecret()]; secret != "" {
			return hinttest.SignHS256(t, secret, hinttest.Claims(tp.Metadata["issuer"], tp.Metadata["IdTokenAudience"], time.Now(), time.Hour, extra))
		}
	}
	return ""
}

// selfIssuedHint is the token of the unit's link generator — a relying party whose token
// carries the authorize request's login_hint ({OIDC:LoginHint}) — for the invited address, got
// as the samples' readme has a user get it: an authorize request with login_hint, whose journey
// shows no page and redirects with the token.
func selfIssuedHint(t *testing.T, u unitRun, email string) string {
	for _, gen := range u.policies {
		if !issuesLoginHint(gen) {
			continue
		}
		q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://app.test/callback"}, "scope": {"openid"},
			"response_type": {"id_token"}, "nonce": {"n-1"}, "login_hint": {email}, "displayName": {"Mia Chen"}}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(u.base + "/contoso.onmicrosoft.com/" + gen.ID + "/oauth2/v2.0/authorize?" + q.Encode())
		if err != nil {
			t.Logf("the link generator %s: %v", gen.ID, err)
			return ""
		}
		resp.Body.Close()
		if loc, err := url.Parse(resp.Header.Get("Location")); err == nil {
			frag, _ := url.ParseQuery(loc.Fragment)
			return frag.Get("id_token")
		}
	}
	return ""
}

// issuesLoginHint reports whether the policy's token carries the authorize request's login_hint.
func issuesLoginHint(p *policy.Policy) bool {
	if p.RelyingParty == nil {
		return false
	}
	for _, c := range p.RelyingParty.OutputClaims {
		if strings.Contains(c.DefaultValue, "{OIDC:LoginHint}") {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 240 {
		s = s[:240] + "…"
	}
	return s
}
