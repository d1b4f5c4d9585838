package policy

import (
	"sort"
	"strings"
	"testing"
)

// dump writes el as one line: name, sorted attributes, text (with * when a comment split it)
// and children in brackets.
func dump(el *Element) string {
	if el == nil {
		return "nil"
	}
	var b strings.Builder
	b.WriteString(el.Name)
	keys := make([]string, 0, len(el.Attr))
	for k := range el.Attr {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(" " + k + "=" + el.Attr[k])
	}
	if t := strings.TrimSpace(el.Text); t != "" {
		b.WriteString(" '" + t + "'")
	}
	if el.Comment {
		b.WriteString("*")
	}
	if len(el.Children) > 0 {
		b.WriteString(" [")
		for i, c := range el.Children {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(dump(c))
		}
		b.WriteString("]")
	}
	return b.String()
}

// TestMerge pins how a child policy's element combines with its parent's: every rule of
// merge, one row each.
func TestMerge(t *testing.T) {
	tests := []struct {
		name, parent, child, want string
	}{
		{"no parent", "", `<A x="1"/>`, "A x=1"},
		{"no child", `<A x="1"/>`, "", "A x=1"},
		{"attributes: the child's win, the parent's stay", `<A x="1" y="2"/>`, `<A y="3" z="4"/>`, "A x=1 y=3 z=4"},
		{"empty text keeps the parent's", `<A>parent<!-- c -->text</A>`, `<A> </A>`, "A 'parenttext'*"},
		{"the child's text wins", `<A>parent</A>`, `<A>child</A>`, "A 'child'"},
		{"children only in the parent", `<A><B/><C/></A>`, `<A/>`, "A [B, C]"},
		{"children only in the child", `<A/>`, `<A><B/></A>`, "A [B]"},
		{"the child's names first", `<A><C/><B x="p"/></A>`, `<A><B y="c"/><D/></A>`, "A [B x=p y=c, D, C]"},
		{"keyed: merged in the child's order, then the parent's rest",
			`<A><Item Key="a">1</Item><Item Key="b">2</Item><Item Key="c">3</Item></A>`,
			`<A><Item Key="c">30</Item><Item Key="a"/><Item Key="d">4</Item></A>`,
			"A [Item Key=c '30', Item Key=a '1', Item Key=d '4', Item Key=b '2']"},
		{"keyed, Append: the parent's rest first",
			`<A><Item Key="a">1</Item><Item Key="b">2</Item></A>`,
			`<A MergeBehavior="Append"><Item Key="c">3</Item><Item Key="a">10</Item></A>`,
			"A MergeBehavior=Append [Item Key=b '2', Item Key=c '3', Item Key=a '10']"},
		{"keyed, ReplaceAll: the child's only",
			`<A><Item Key="a">1</Item><Item Key="b">2</Item></A>`,
			`<A MergeBehavior="ReplaceAll"><Item Key="c">3</Item></A>`,
			"A MergeBehavior=ReplaceAll [Item Key=c '3']"},
		{"Restriction replaces its enumerations unless told",
			`<Restriction><Enumeration Value="a"/><Enumeration Value="b"/></Restriction>`,
			`<Restriction><Enumeration Value="c"/></Restriction>`,
			"Restriction [Enumeration Value=c]"},
		{"Restriction with Append",
			`<Restriction><Enumeration Value="a"/></Restriction>`,
			`<Restriction MergeBehavior="Append"><Enumeration Value="c"/></Restriction>`,
			"Restriction MergeBehavior=Append [Enumeration Value=a, Enumeration Value=c]"},
		{"keyed in the parent only: merged as a list",
			`<A><InputClaim ClaimTypeReferenceId="x"/></A>`,
			`<A><InputClaim/></A>`,
			"A [InputClaim, InputClaim ClaimTypeReferenceId=x]"},
		{"one unkeyed element each: merged",
			`<A><Metadata><Item Key="a">1</Item></Metadata></A>`,
			`<A><Metadata><Item Key="b">2</Item></Metadata></A>`,
			"A [Metadata [Item Key=b '2', Item Key=a '1']]"},
		{"several unkeyed elements: the child's replace the parent's",
			`<A><B x="1"/><B x="2"/></A>`,
			`<A><B y="3"/></A>`,
			"A [B y=3]"},
		{"orchestration steps sorted by Order",
			`<OrchestrationSteps><OrchestrationStep Order="1"/><OrchestrationStep Order="3"/></OrchestrationSteps>`,
			`<OrchestrationSteps><OrchestrationStep Order="10"/><OrchestrationStep Order="2"/></OrchestrationSteps>`,
			"OrchestrationSteps [OrchestrationStep Order=1, OrchestrationStep Order=2, OrchestrationStep Order=3, OrchestrationStep Order=10]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			el := func(s string) *Element {
				if s == "" {
					return nil
				}
				e, err := parse("t.xml", []byte(s))
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			if got := dump(merge(el(tt.parent), el(tt.child))); got != tt.want {
				t.Errorf("merge =\n %s\nwant\n %s", got, tt.want)
			}
		})
	}
}
