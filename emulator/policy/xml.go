// Package policy loads Identity Experience Framework policy files (custom policies): it parses
// TrustFrameworkPolicy XML, follows BasePolicy chains, merges each relying-party policy with
// its ancestors as B2C does, resolves IncludeTechnicalProfile, and checks every reference,
// reporting problems with file, line and element.
package policy

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Element is one XML element with where it was written.
type Element struct {
	Name     string // local name, namespace dropped
	Attr     map[string]string
	Children []*Element
	Text     string
	File     string
	Line     int
	// Comment marks an element with an XML comment among its content: its Text is the text
	// around the comment, joined, which is rarely what the author meant for a value.
	Comment bool
}

// AttrOf returns an attribute of e, or "" when e is nil (an absent optional element).
func (e *Element) AttrOf(key string) string {
	if e == nil {
		return ""
	}
	return e.Attr[key]
}

// Child returns the first child named name, or nil.
func (e *Element) Child(name string) *Element {
	if e == nil {
		return nil
	}
	for _, c := range e.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// All returns the children named name.
func (e *Element) All(name string) []*Element {
	if e == nil {
		return nil
	}
	var out []*Element
	for _, c := range e.Children {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// Path returns the descendants reached by the names, in order (Child(a).All(b) generalised).
func (e *Element) Path(names ...string) []*Element {
	cur := []*Element{e}
	for i, n := range names {
		var next []*Element
		for _, c := range cur {
			if i == len(names)-1 {
				next = append(next, c.All(n)...)
			} else if ch := c.Child(n); ch != nil {
				next = append(next, ch)
			}
		}
		cur = next
	}
	return cur
}

// TextOf returns the trimmed text of the child named name, or "".
func (e *Element) TextOf(name string) string {
	if c := e.Child(name); c != nil {
		return strings.TrimSpace(c.Text)
	}
	return ""
}

// parse reads one XML document into an element tree, tolerating a UTF-8 byte order mark.
func parse(file string, data []byte) (*Element, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = func(charset string, in io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "utf8") {
			return in, nil
		}
		return nil, fmt.Errorf("encoding %q: save the file as UTF-8", charset)
	}
	var stack []*Element
	var root *Element
	for {
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, &Problem{File: file, Line: se.Line, Msg: "not well-formed XML: " + se.Msg}
			}
			return nil, &Problem{File: file, Msg: "not readable as XML: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			el := &Element{Name: t.Name.Local, Attr: map[string]string{}, File: file, Line: line}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				el.Attr[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.Children = append(parent.Children, el)
			} else if root == nil {
				root = el
			}
			stack = append(stack, el)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			}
		case xml.Comment:
			if len(stack) > 0 {
				stack[len(stack)-1].Comment = true
			}
		}
	}
	if root == nil {
		return nil, &Problem{File: file, Msg: "no XML element found"}
	}
	return root, nil
}

// Problem is one thing wrong with the policy files.
type Problem struct {
	File     string
	Line     int
	PolicyID string // the PolicyId of File, when it declares one
	Element  string // e.g. TechnicalProfile Id="REST-ValidateProfile"
	Msg      string
	// Via lists the relying-party policies that found the problem in one of their bases, once
	// each; empty for a problem in a relying party's own file.
	Via []string
}

func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Element != "" {
		b.WriteString(p.Element + ": ")
	}
	b.WriteString(p.Msg)
	if len(p.Via) > 0 {
		in := "a base policy"
		if p.PolicyID != "" {
			in = p.PolicyID
		}
		fmt.Fprintf(&b, " (in %s, which %s build on)", in, strings.Join(p.Via, ", "))
	}
	return b.String()
}

// Error lists every problem found.
type Error struct{ Problems []*Problem }

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d custom policy problem", len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.Error())
	}
	return b.String()
}

func (e *Error) add(el *Element, what, format string, args ...any) {
	p := &Problem{Element: what, Msg: fmt.Sprintf(format, args...)}
	if el != nil {
		p.File, p.Line = el.File, el.Line
	}
	e.Problems = append(e.Problems, p)
}
