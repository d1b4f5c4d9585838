package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// maxDepth is how many levels a BasePolicy chain may have, as in B2C.
const maxDepth = 10

// file is one parsed policy file.
type file struct {
	path     string
	root     *Element
	id, base string
}

// Load reads the policy files and folders (every *.xml in a folder), and returns each
// relying-party policy merged with its ancestors, by PolicyId. A non-nil error is an *Error
// listing every problem found.
func Load(paths []string) (map[string]*Policy, error) {
	errs := &Error{}
	var srcs []Source
	for _, p := range expand(paths, errs) {
		data, err := os.ReadFile(p)
		if err != nil {
			errs.Problems = append(errs.Problems, &Problem{File: p, Msg: err.Error()})
			continue
		}
		srcs = append(srcs, Source{Name: p, Data: data})
	}
	return load(srcs, errs)
}

// Source is a policy file's name (used in messages) and content.
type Source struct {
	Name string
	Data []byte
}

// LoadSources is Load over files already read.
func LoadSources(srcs []Source) (map[string]*Policy, error) {
	return load(srcs, &Error{})
}

func load(srcs []Source, errs *Error) (map[string]*Policy, error) {
	var files []*file
	byID := map[string]*file{}
	for _, src := range srcs {
		if f := readFile(src, byID, errs); f != nil {
			byID[strings.ToLower(f.id)] = f
			files = append(files, f)
		}
	}
	cyclic := reportCycles(files, byID, errs)
	policies := map[string]*Policy{}
	for _, f := range files {
		if p := assemble(f, byID, cyclic, errs); p != nil {
			policies[strings.ToLower(p.ID)] = p
		}
	}
	errs.Problems = dedupe(errs.Problems, files)
	if len(files) > 0 && len(policies) == 0 && len(errs.Problems) == 0 {
		errs.Problems = append(errs.Problems, &Problem{File: files[0].path, Msg: "no relying-party policy (a file with a RelyingParty element) among the files; add one, e.g. SignUpOrSignin.xml"})
	}
	if len(errs.Problems) > 0 {
		sort.SliceStable(errs.Problems, func(i, j int) bool { return errs.Problems[i].File < errs.Problems[j].File })
		return policies, errs
	}
	return policies, nil
}

// readFile parses one policy file and checks its PolicyId; nil when it cannot join the set.
func readFile(src Source, byID map[string]*file, errs *Error) *file {
	root, err := parse(src.Name, src.Data)
	if err != nil {
		errs.Problems = append(errs.Problems, err.(*Problem))
		return nil
	}
	if root.Name != "TrustFrameworkPolicy" {
		errs.add(root, root.Name, "the root element must be TrustFrameworkPolicy")
		return nil
	}
	f := &file{path: src.Name, root: root, id: root.Attr["PolicyId"], base: strings.TrimSpace(root.Child("BasePolicy").TextOf("PolicyId"))}
	switch {
	case f.id == "":
		errs.add(root, "TrustFrameworkPolicy", "has no PolicyId; add PolicyId=\"B2C_1A_…\"")
		return nil
	case !strings.HasPrefix(strings.ToUpper(f.id), "B2C_1A_"):
		errs.add(root, "TrustFrameworkPolicy", "PolicyId %q must start with B2C_1A_", f.id)
	}
	if other, dup := byID[strings.ToLower(f.id)]; dup {
		errs.add(root, "TrustFrameworkPolicy", "PolicyId %s is also declared in %s; give each file its own PolicyId", f.id, other.path)
		return nil
	}
	return f
}

// assemble merges a relying-party file with its BasePolicy chain, builds the policy and
// compiles it; nil for a file that is not a relying party or whose chain is broken. Problems
// found in an ancestor name the file through which they were reached.
func assemble(f *file, byID map[string]*file, cyclic map[*file]bool, errs *Error) *Policy {
	if f.root.Child("RelyingParty") == nil {
		return nil
	}
	chain, ok := chainOf(f, byID, cyclic, errs)
	if !ok {
		return nil
	}
	merged := normalize(chain[0])
	for _, anc := range chain[1:] {
		merged = merge(merged, normalize(anc))
	}
	before := len(errs.Problems)
	p := build(f, merged, errs)
	if p != nil {
		p.compile()
	}
	for _, pr := range errs.Problems[before:] {
		if pr.File != f.path {
			pr.Via = append(pr.Via, f.id)
		}
	}
	return p
}

// expand turns folders into the XML files they hold.
func expand(paths []string, errs *Error) []string {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			errs.Problems = append(errs.Problems, &Problem{File: p, Msg: "cannot be read: " + err.Error()})
			continue
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		matches, _ := filepath.Glob(filepath.Join(p, "*.xml"))
		if len(matches) == 0 {
			errs.Problems = append(errs.Problems, &Problem{File: p, Msg: "holds no .xml policy files"})
		}
		out = append(out, matches...)
	}
	return out
}

// chainOf returns the files from the base of f's chain to f itself. A chain that reaches a
// cycle has no base; reportCycles has already reported the cycle.
func chainOf(f *file, byID map[string]*file, cyclic map[*file]bool, errs *Error) ([]*file, bool) {
	chain := []*file{f}
	for cur := f; cur.base != ""; {
		if cyclic[cur] {
			return nil, false
		}
		if len(chain) > maxDepth {
			errs.add(f.root, "BasePolicy", "the chain from %s has more than %d levels; B2C allows %d", f.id, maxDepth, maxDepth)
			return nil, false
		}
		next, ok := byID[strings.ToLower(cur.base)]
		if !ok {
			errs.add(cur.root.Child("BasePolicy"), "BasePolicy", "PolicyId %s is not among the loaded files; add the file that declares it (B2C needs parents uploaded first)", cur.base)
			return nil, false
		}
		chain = append(chain, next)
		cur = next
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	return chain, true
}

// reportCycles reports every BasePolicy cycle among the files, whether or not a relying party
// leads into it (B2C refuses to upload any of them), and returns the files in a cycle. Each
// file names at most one base, so following the bases from every file finds each cycle once.
func reportCycles(files []*file, byID map[string]*file, errs *Error) map[*file]bool {
	cyclic := map[*file]bool{}
	done := map[*file]bool{}
	for _, f := range files {
		onPath := map[*file]int{}
		var path []*file
		for cur := f; cur != nil && !done[cur]; cur = byID[strings.ToLower(cur.base)] {
			if i, seen := onPath[cur]; seen {
				reportCycle(path[i:], errs)
				for _, c := range path[i:] {
					cyclic[c] = true
				}
				break
			}
			onPath[cur] = len(path)
			path = append(path, cur)
			if cur.base == "" {
				break
			}
		}
		for _, c := range path {
			done[c] = true
		}
	}
	return cyclic
}

// reportCycle reports one cycle at the BasePolicy of its first file by name, listing every
// policy in it with the file and line of its BasePolicy, in the order the chain follows them.
func reportCycle(cycle []*file, errs *Error) {
	first := 0
	for i, f := range cycle {
		if f.path < cycle[first].path {
			first = i
		}
	}
	cycle = append(cycle[first:len(cycle):len(cycle)], cycle[:first]...)
	var steps []string
	for _, f := range cycle {
		steps = append(steps, fmt.Sprintf("%s (%s:%d)", f.id, f.path, f.root.Child("BasePolicy").Line))
	}
	errs.add(cycle[0].root.Child("BasePolicy"), "BasePolicy", "the BasePolicy chain is a cycle: %s → %s; a chain must end at a policy without BasePolicy (such as TrustFrameworkBase): remove the BasePolicy of one of them or point it at a policy outside the cycle",
		strings.Join(steps, " → "), cycle[0].id)
}

// normalize reshapes a file for merging: technical profiles leave their ClaimsProvider groups
// (they merge by Id wherever they are declared).
func normalize(f *file) *Element {
	out := &Element{Name: "Policy", Attr: map[string]string{}, File: f.path, Line: f.root.Line}
	tps := &Element{Name: "TechnicalProfiles", Attr: map[string]string{}, File: f.path}
	for _, c := range f.root.Children {
		switch c.Name {
		case "ClaimsProviders":
			for _, cp := range c.All("ClaimsProvider") {
				for _, tp := range cp.Path("TechnicalProfiles", "TechnicalProfile") {
					if dn := cp.TextOf("DisplayName"); dn != "" && tp.Attr["b2cemu.provider"] == "" {
						tp.Attr["b2cemu.provider"] = dn
					}
					if d := cp.TextOf("Domain"); d != "" { // domain_hint names the provider by it
						tp.Attr["b2cemu.domain"] = d
					}
					tps.Children = append(tps.Children, tp)
				}
			}
		case "BasePolicy":
		default:
			out.Children = append(out.Children, c)
		}
	}
	out.Children = append(out.Children, tps)
	return out
}

// describe names an element for messages.
func describe(el *Element) string {
	for _, k := range []string{"Id", "ReferenceId", "ClaimTypeReferenceId", "Order", "Key"} {
		if v, ok := el.Attr[k]; ok {
			return fmt.Sprintf("%s %s=%q", el.Name, k, v)
		}
	}
	return el.Name
}

// dedupe merges the copies of a problem in a base file, which every relying party built on it
// finds again, into one naming those relying parties, and names the policy of each problem's
// file.
func dedupe(problems []*Problem, files []*file) []*Problem {
	idOf := map[string]string{}
	for _, f := range files {
		idOf[f.path] = f.id
	}
	type key struct {
		file, element, msg string
		line               int
	}
	seen := map[key]*Problem{}
	var out []*Problem
	for _, p := range problems {
		k := key{p.File, p.Element, p.Msg, p.Line}
		if first, dup := seen[k]; dup {
			first.Via = append(first.Via, p.Via...)
			continue
		}
		seen[k] = p
		p.PolicyID = idOf[p.File]
		out = append(out, p)
	}
	return out
}
