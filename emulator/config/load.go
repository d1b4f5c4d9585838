package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/b2cemu/b2cemu/fixtures"
)

// DemoName is how errors name the embedded demo tenant.
const DemoName = "embedded demo tenant (fixtures/demo.yaml)"

// Problem is one thing wrong with a configuration.
type Problem struct {
	Key  string // key path, e.g. userFlows[0].apiConnectors.postAttributeCollection
	Line int    // line in the file, 0 when unknown (defaults, environment)
	From string // where the value came from when not the file: B2CEMU_SERVER_ADDR, --addr
	Msg  string // what is wrong and how to fix it
}

// Override is a value given outside the file and the environment, such as a command-line
// flag; it wins over both.
type Override struct {
	Key   string // key path, e.g. server.addr
	Value string
	From  string // how problems name its source, e.g. --addr
}

// Error lists every problem found in one configuration.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	n := len(e.Problems)
	fmt.Fprintf(&b, "%s: %d configuration problem", e.File, n)
	if n != 1 {
		b.WriteString("s")
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		if p.Line > 0 {
			fmt.Fprintf(&b, "line %d: ", p.Line)
		}
		if p.Key != "" {
			b.WriteString(p.Key)
			if p.From != "" {
				b.WriteString(" (set by " + p.From + ")")
			}
			b.WriteString(": ")
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

// Load reads the configuration at path (the embedded demo tenant when path is ""), applies
// B2CEMU_* overrides from getenv, then overrides, and the defaults, and validates it. A non-nil
// error is an *Error listing every problem, or an error reading the file.
func Load(path string, getenv func(string) string, overrides ...Override) (*Config, error) {
	data := fixtures.DemoConfig
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading the configuration: %w", err)
		}
		data = b
	}
	return LoadData(path, data, getenv, overrides...)
}

// LoadData is Load of data already read from path ("" for the embedded demo tenant).
func LoadData(path string, data []byte, getenv func(string) string, overrides ...Override) (*Config, error) {
	name := path
	if path == "" {
		name = DemoName
	}
	cfg, unknown, err := parse(name, data, getenv, overrides...)
	if err != nil {
		return nil, err
	}
	cfg.File = path
	// Unknown keys are reported with the value problems, so that one run names them all.
	perr := &Error{File: name, Problems: unknown}
	if verr := cfg.Validate(); verr != nil {
		perr.Problems = append(perr.Problems, verr.Problems...)
	}
	if len(perr.Problems) == 0 {
		return cfg, nil
	}
	byLine(perr.Problems)
	return cfg, perr
}

// byLine orders problems as the file reads, those without a line (defaults, environment,
// flags) last.
func byLine(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		li, lj := ps[i].Line, ps[j].Line
		return li != 0 && (lj == 0 || li < lj)
	})
}

// Empty reports whether data holds no configuration at all: nothing, or only blank lines and
// comments. An editor saving a file often empties it first.
func Empty(data []byte) bool {
	var root yaml.Node
	if err := yaml.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &root); err != nil {
		return false
	}
	return len(root.Content) == 0
}

// Parse decodes data (YAML or JSON) named name, with overrides and defaults, without
// validating the values. Unknown keys and values of the wrong type are problems.
func Parse(name string, data []byte, getenv func(string) string, overrides ...Override) (*Config, error) {
	cfg, unknown, err := parse(name, data, getenv, overrides...)
	if err != nil {
		return nil, err
	}
	if len(unknown) > 0 {
		return nil, &Error{File: name, Problems: unknown}
	}
	return cfg, nil
}

// parse is Parse that decodes a file with unknown keys (they are ignored) and returns them
// apart, for Load to report with the value problems. Values of the wrong shape stop it: they
// cannot be decoded, and the error lists the unknown keys too.
func parse(name string, data []byte, getenv func(string) string, overrides ...Override) (*Config, []Problem, error) {
	perr := &Error{File: name}
	var unknown []Problem
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		perr.Problems = append(perr.Problems, Problem{Msg: "not valid YAML or JSON: " + strings.TrimPrefix(err.Error(), "yaml: ")})
		return nil, nil, perr
	}
	lines := map[string]int{}
	if len(root.Content) > 0 {
		shapes{problems: &perr.Problems, unknown: &unknown, lines: lines}.check(root.Content[0], reflect.TypeOf(Config{}), "")
	}
	v := viper.New()
	v.SetConfigType("yaml")
	for k, d := range defaults {
		v.SetDefault(k, d)
	}
	if len(bytes.TrimSpace(data)) > 0 && len(perr.Problems) == 0 {
		if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
			perr.Problems = append(perr.Problems, Problem{Msg: "cannot read: " + err.Error()})
		}
	}
	from := map[string]string{} // key path → the variable or flag that set it
	for _, key := range EnvKeys() {
		if val := getenv(EnvName(key)); val != "" {
			v.Set(key, val)
			from[key] = EnvName(key)
		}
	}
	for _, o := range overrides {
		v.Set(o.Key, o.Value)
		from[o.Key] = o.From
	}
	// A policy key listed in the file can take its secret from B2CEMU_POLICYKEYS_<ID>, so the
	// file can be committed without it.
	for id := range v.GetStringMapString("policykeys") {
		if val := getenv(EnvName("policykeys." + id)); val != "" {
			v.Set("policykeys."+id, val)
		}
	}
	if len(perr.Problems) > 0 {
		perr.Problems = append(perr.Problems, unknown...)
		byLine(perr.Problems)
		return nil, nil, perr
	}
	var cfg Config
	err := v.Unmarshal(&cfg, func(dc *mapstructure.DecoderConfig) {
		dc.DecodeHook = mapstructure.ComposeDecodeHookFunc(timeToString, mapstructure.StringToTimeDurationHookFunc(), mapstructure.StringToSliceHookFunc(","))
	})
	if err != nil {
		perr.Problems = append(perr.Problems, Problem{Msg: "a value does not fit its key (check the B2CEMU_* variables): " + err.Error()})
		return nil, nil, perr
	}
	for key := range from {
		delete(lines, key) // the file's line would point at a value that is not in force
	}
	cfg.lines, cfg.from = lines, from
	return &cfg, unknown, nil
}

// EnvKeys lists the key paths that B2CEMU_* variables can set: every scalar key of Config
// reached through its structs (list and map items come from the file only), read from the
// type itself so that a new key is overridable without being listed anywhere.
func EnvKeys() []string {
	var keys []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("mapstructure")
			if tag == "" || tag == "-" {
				continue
			}
			switch f.Type.Kind() {
			case reflect.Struct:
				walk(f.Type, prefix+tag+".")
			case reflect.Slice, reflect.Map:
			default:
				keys = append(keys, prefix+tag)
			}
		}
	}
	walk(reflect.TypeOf(Config{}), "")
	sort.Strings(keys)
	return keys
}

// EnvName is the environment variable that overrides key, e.g. B2CEMU_SERVER_ADDR.
func EnvName(key string) string {
	return "B2CEMU_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

var durationType = reflect.TypeOf(time.Duration(0))

// timeToString keeps an unquoted YAML timestamp (2026-01-01T00:00:00Z) usable in a string key.
func timeToString(from, to reflect.Type, v any) (any, error) {
	if t, ok := v.(time.Time); ok && to.Kind() == reflect.String {
		return t.Format(time.RFC3339Nano), nil
	}
	return v, nil
}

// shapes checks a YAML tree against the Go type it should decode into, before viper decodes
// it: values of the wrong shape go to problems, unknown and repeated keys to unknown (they do
// not stop decoding), and every key's line to lines. Keys are matched exactly, as the
// documentation spells them.
type shapes struct {
	problems, unknown *[]Problem
	lines             map[string]int // key path → line
}

// scalarKinds are the scalar kinds whose text is checked: what a value must be, and whether
// its text is one.
var scalarKinds = map[reflect.Kind]struct {
	want string
	ok   func(string) bool
}{
	reflect.Bool:  {"true or false", func(v string) bool { _, err := strconv.ParseBool(v); return err == nil }},
	reflect.Int:   {"a whole number", isInt},
	reflect.Int8:  {"a whole number", isInt},
	reflect.Int16: {"a whole number", isInt},
	reflect.Int32: {"a whole number", isInt},
	reflect.Int64: {"a whole number", isInt},
}

func isInt(v string) bool { _, err := strconv.ParseInt(v, 10, 64); return err == nil }

// check checks n, the value at path, which should decode into t.
func (s shapes) check(n *yaml.Node, t reflect.Type, path string) {
	s.lines[strings.TrimPrefix(path, ".")] = n.Line
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty key keeps its default
	}
	switch {
	case t == durationType:
		if _, err := time.ParseDuration(n.Value); n.Kind != yaml.ScalarNode || err != nil {
			s.bad(n, path, "a duration such as 5s or 500ms")
		}
	case t.Kind() == reflect.Struct:
		s.fields(n, t, path)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			s.bad(n, path, "a list")
			return
		}
		for i, item := range n.Content {
			s.check(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			s.bad(n, path, "a mapping of names to values")
			return
		}
		for i := 1; i < len(n.Content); i += 2 {
			s.check(n.Content[i], t.Elem(), path+"."+n.Content[i-1].Value)
		}
	case n.Kind != yaml.ScalarNode:
		s.bad(n, path, "a single value")
	default:
		if k, ok := scalarKinds[t.Kind()]; ok && !k.ok(n.Value) {
			s.bad(n, path, k.want)
		}
	}
}

// bad reports that n, the value at path, is not what it should be.
func (s shapes) bad(n *yaml.Node, path, want string) {
	*s.problems = append(*s.problems, Problem{Key: strings.TrimPrefix(path, "."), Line: n.Line, Msg: fmt.Sprintf("%s is not %s", describe(n), want)})
}

// fields checks a mapping that should decode into the struct t: each key once, each a field
// of t (or the nearest field name is suggested), each value checked against its field.
func (s shapes) fields(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		s.bad(n, path, "a mapping of keys")
		return
	}
	fields := map[string]reflect.StructField{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag := f.Tag.Get("mapstructure"); tag != "" && tag != "-" {
			fields[tag] = f
			names = append(names, tag)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := strings.TrimPrefix(path+"."+k.Value, ".")
		if first, dup := seen[k.Value]; dup {
			*s.problems = append(*s.problems, Problem{Key: key, Line: k.Line, Msg: fmt.Sprintf("is given twice (first at line %d); keep one", first)})
			continue
		}
		seen[k.Value] = k.Line
		f, ok := fields[k.Value]
		if !ok {
			*s.unknown = append(*s.unknown, Problem{Key: key, Line: k.Line, Msg: unknownKey(k.Value, names)})
			continue
		}
		s.check(val, f.Type, path+"."+k.Value)
	}
}

// unknownKey is the problem of a key that is none of names: the nearest name, or them all.
func unknownKey(key string, names []string) string {
	msg := fmt.Sprintf("unknown key %q", key)
	if s := Suggest(key, names); s != "" {
		return msg + fmt.Sprintf("; did you mean %q?", s)
	}
	return msg + "; known keys here: " + strings.Join(names, ", ")
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

// Suggest returns the name that differs from s only in case, or by one or two edits (the
// nearest), or "": what "did you mean" messages offer.
func Suggest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if strings.EqualFold(n, s) {
			return n
		}
		if d := distance(strings.ToLower(s), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Resolve returns p relative to the configuration file's folder (unchanged when absolute or
// when the configuration is the embedded one).
func (c *Config) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) || c.File == "" {
		return p
	}
	return filepath.Join(filepath.Dir(c.File), p)
}
