package flows

import (
	"fmt"
	"strconv"
	"strings"
)

// DataType is the type of a user attribute. User flows offer string, int and boolean.
type DataType string

// The data types of user-flow attributes.
const (
	String  DataType = "string"
	Int     DataType = "int"
	Boolean DataType = "boolean"
)

// Attribute is a user attribute the tenant defines: a built-in Graph attribute or a custom one.
type Attribute struct {
	Name     string   // Graph name ("givenName") or the bare custom name ("LoyaltyNumber")
	Custom   bool     // custom attributes travel as extension_<appId>_<Name>
	DataType DataType // String for every built-in
	Label    string   // the label on the attribute collection page
}

// builtins are the built-in user attributes of a B2C tenant, in the order B2C sends them.
var builtins = []Attribute{
	{Name: "email", DataType: String, Label: "Email Address"},
	{Name: "displayName", DataType: String, Label: "Display Name"},
	{Name: "givenName", DataType: String, Label: "Given Name"},
	{Name: "surname", DataType: String, Label: "Surname"},
	{Name: "jobTitle", DataType: String, Label: "Job Title"},
	{Name: "streetAddress", DataType: String, Label: "Street Address"},
	{Name: "city", DataType: String, Label: "City"},
	{Name: "postalCode", DataType: String, Label: "Postal Code"},
	{Name: "state", DataType: String, Label: "State/Province"},
	{Name: "country", DataType: String, Label: "Country/Region"},
}

// maxLengths are Graph's limits for built-in attributes.
var maxLengths = map[string]int{
	"email": 256, "displayName": 256, "givenName": 64, "surname": 64, "city": 128, "state": 128,
	"country": 128, "jobTitle": 128, "postalCode": 40, "streetAddress": 1024,
}

// Schema is the set of attributes a tenant defines: the built-ins plus its custom attributes.
// The zero value is not usable; build one with NewSchema.
type Schema struct {
	ordered []Attribute
	byName  map[string]Attribute
}

// NewSchema returns the built-in attributes followed by custom, in the given order.
func NewSchema(custom []Attribute) Schema {
	s := Schema{byName: map[string]Attribute{}}
	for _, a := range builtins {
		s.add(a)
	}
	for _, a := range custom {
		a.Custom = true
		if a.DataType == "" {
			a.DataType = String
		}
		if a.Label == "" {
			a.Label = a.Name
		}
		s.add(a)
	}
	return s
}

func (s *Schema) add(a Attribute) {
	s.ordered = append(s.ordered, a)
	s.byName[a.Name] = a
}

// Lookup returns the attribute with exactly this name (names are case-sensitive, as in Graph).
func (s Schema) Lookup(name string) (Attribute, bool) {
	a, ok := s.byName[name]
	return a, ok
}

// All returns every attribute, built-ins first, in wire order.
func (s Schema) All() []Attribute { return s.ordered }

// IsBuiltin reports whether name is a built-in user attribute.
func IsBuiltin(name string) bool {
	for _, a := range builtins {
		if a.Name == name {
			return true
		}
	}
	return false
}

// Claims are attribute values keyed by attribute name (bare names for custom attributes).
// Values are string, bool or int64; an absent key means "no value".
type Claims map[string]any

// Clone returns a shallow copy of c.
func (c Claims) Clone() Claims {
	out := make(Claims, len(c))
	for k, v := range c {
		out[k] = v
	}
	return out
}

// String returns the value of name formatted for a form field, or "".
func (c Claims) String(name string) string {
	switch v := c[name].(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	default:
		return fmt.Sprint(v)
	}
}

// Parse converts a form value into the attribute's type. An empty value is "no value" (nil).
func (a Attribute) Parse(raw string) (any, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	switch a.DataType {
	case Int:
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("Please enter a whole number.")
		}
		return n, nil
	case Boolean:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fmt.Errorf("Please choose true or false.")
		}
		return b, nil
	default:
		max, ok := maxLengths[a.Name]
		if !ok {
			max = 256 // Graph's limit for extension (custom) string attributes
		}
		if len([]rune(raw)) > max {
			return nil, fmt.Errorf("Please enter no more than %d characters.", max)
		}
		if a.Name == "displayName" && strings.ContainsAny(raw, "<>") {
			return nil, fmt.Errorf("The characters < and > are not allowed.")
		}
		return raw, nil
	}
}
