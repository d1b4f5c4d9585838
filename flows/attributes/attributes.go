// Package attributes is the tenant's user attributes and their checks, which both engines
// and the connector client apply: the built-in and custom attributes (Schema), a value's
// parsing and its checks as B2C words their refusals (ClaimError), and the sign-up page's
// email and strong-password rules. The user-flow machine (flows), the custom-policy journey
// (emulator/journey) and the connector client import it, so none of them imports an engine
// for it.
package attributes

import (
	"errors"
	"fmt"
	"math"
	"net/mail"
	"strconv"
	"strings"
	"unicode"

	"github.com/b2cemu/b2cemu/flows/engine"
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
// The zero value is not usable; build one with New.
type Schema struct {
	ordered []Attribute
	byName  map[string]Attribute
}

// New returns the built-in attributes followed by custom, in the given order.
func New(custom []Attribute) Schema {
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

// Parse converts a form value into the attribute's type. An empty value is "no value" (nil).
// The error is the page's text for the user.
func (a Attribute) Parse(raw string) (any, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	var v any = raw
	switch a.DataType {
	case Int:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fieldText("Please enter a whole number.")
		}
		v = n
	case Boolean:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fieldText("Please choose true or false.")
		}
		v = b
	}
	if err := a.Check(v); err != nil {
		return nil, errors.New(err.User)
	}
	return v, nil
}

// ClaimError is a value its attribute's rules refuse. Error is the developer's sentence,
// naming the claim, the rule and the fix; User is what the attribute page says to a user who
// typed it.
type ClaimError struct {
	Claim string // the claim as a connector names it: "displayName", "extension_Age"
	Rule  string // the rule that was broken, with the offending part of the value
	Fix   string
	User  string
}

func (e *ClaimError) Error() string {
	return fmt.Sprintf("Claim %q %s. %s", e.Claim, e.Rule, e.Fix)
}

// Check applies the rules the attribute page applies to typed input (Graph's lengths, no < or
// > in displayName, 32-bit whole numbers) to a value of the attribute's type from anywhere
// else, such as an API connector's Continue claims. It returns nil when the value is fine.
func (a Attribute) Check(v any) *ClaimError {
	claim := a.Name
	if a.Custom {
		claim = "extension_" + a.Name
	}
	switch v := v.(type) {
	case string:
		if a.DataType != String {
			break
		}
		max := maxLength(a.Name)
		if n := len([]rune(v)); n > max {
			return &ClaimError{Claim: claim, User: fmt.Sprintf("Please enter no more than %d characters.", max),
				Rule: fmt.Sprintf("is %d characters long; Graph allows at most %d for %s, and the attribute page refuses longer input", n, max, a.Name),
				Fix:  fmt.Sprintf("Return at most %d characters (shorten the value in the API), or leave the claim out.", max)}
		}
		if a.Name == "displayName" && strings.ContainsAny(v, "<>") {
			return &ClaimError{Claim: claim, User: "The characters < and > are not allowed.",
				Rule: "contains < or >, which Graph does not allow in displayName and the attribute page refuses",
				Fix:  "Remove the < and > characters from the value the API returns."}
		}
		return nil
	case int64:
		if a.DataType != Int {
			break
		}
		if v < math.MinInt32 || v > math.MaxInt32 {
			return &ClaimError{Claim: claim, User: "Please enter a whole number.",
				Rule: fmt.Sprintf("is %d; an Int attribute holds whole numbers from %d to %d, as the attribute page accepts", v, math.MinInt32, math.MaxInt32),
				Fix:  "Return a number in that range."}
		}
		return nil
	case bool:
		if a.DataType == Boolean {
			return nil
		}
	}
	return &ClaimError{Claim: claim, User: "Please enter a valid value.",
		Rule: fmt.Sprintf("has a %T value, but the attribute %s is of type %s", v, a.Name, a.DataType),
		Fix:  fmt.Sprintf("Return a JSON %s.", jsonType(a.DataType))}
}

func jsonType(t DataType) string {
	switch t {
	case Int:
		return "number"
	case Boolean:
		return "boolean"
	}
	return "string"
}

// maxLength is Graph's limit for a string attribute: the built-ins' own, 256 for custom
// (extension) attributes.
func maxLength(name string) int {
	if max, ok := maxLengths[name]; ok {
		return max
	}
	return 256
}

// CheckClaims checks every value of c whose name is an attribute of s (see Attribute.Check),
// in the schema's order, and returns the first refusal, or nil.
func (s Schema) CheckClaims(c engine.Claims) *ClaimError {
	for _, a := range s.ordered {
		if v, ok := c[a.Name]; ok && v != nil {
			if err := a.Check(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// fieldText is an error whose text is shown to the user next to the field as B2C words it,
// so it keeps its capital letter and full stop.
type fieldText string

func (t fieldText) Error() string { return string(t) }

// ValidEmail reports whether s is an email address the sign-up page accepts.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}

// StrongPassword is B2C's default "strong" policy: 8 to 64 characters, 3 of 4 classes.
func StrongPassword(p string) bool {
	n := len([]rune(p))
	if n < 8 || n > 64 {
		return false
	}
	var lower, upper, digit, symbol int
	for _, c := range p {
		switch {
		case unicode.IsLower(c):
			lower = 1
		case unicode.IsUpper(c):
			upper = 1
		case unicode.IsDigit(c):
			digit = 1
		default:
			symbol = 1
		}
	}
	return lower+upper+digit+symbol >= 3
}
