package connector

import (
	"reflect"
	"strings"
	"testing"
)

// TestDecodeAnswer: the fast path takes the bodies connectors send and gives what
// encoding/json gives; it declines, for encoding/json to judge, anything it does not read
// the same way.
func TestDecodeAnswer(t *testing.T) {
	cases := []struct {
		name string
		body string
		fast bool
	}{
		{"continue", `{"version":"1.0.0","action":"Continue"}`, true},
		{"claims of every type", `{"version":"1.0.0","action":"Continue","jobTitle":"x","extension_Age":3,"extension_ok":true,"n":null,"f":false,"list":["a",1,-2.5e+3],"o":{"p":{}}}`, true},
		{"whitespace everywhere", " \t\r\n{ \"version\" : \"1\" , \"action\" :\"Continue\" } \n", true},
		{"numbers", `{"a":0,"b":-0,"c":12.50,"d":1E9,"e":1e-2,"f":123456789012345678901234567890}`, true},
		{"repeated key, last wins", `{"version":"1","version":"2","a":{"b":1,"b":null}}`, true},
		{"utf-8 text", `{"givenName":"Zoë 日本"}`, true},
		{"empty object", `{}`, true},
		{"empty array", `{"a":[]}`, true},
		{"escaped text", `{"userMessage":"a\"b\u00e9"}`, false},
		{"invalid utf-8", "{\"a\":\"\xff\"}", false},
		{"control character", "{\"a\":\"\x01\"}", false},
		{"trailing bracket", `{"version":"1"}]`, false},
		{"two objects", `{"version":"1"} {"a":2}`, false},
		{"not an object", `[1,2]`, false},
		{"null", `null`, false},
		{"trailing comma", `{"a":1,}`, false},
		{"leading zero", `{"a":01}`, false},
		{"bare minus", `{"a":-}`, false},
		{"bad fraction", `{"a":1.}`, false},
		{"bad exponent", `{"a":1e}`, false},
		{"bad literal", `{"a":tru}`, false},
		{"literal run on", `{"a":truex}`, false},
		{"unclosed", `{"a":1`, false},
		{"unclosed text", `{"a":"x`, false},
		{"key not text", `{a:1}`, false},
		{"missing colon", `{"a" 1}`, false},
		{"too deep", `{"a":` + strings.Repeat("[", maxAnswerDepth) + strings.Repeat("]", maxAnswerDepth) + `}`, false},
		{"html", `<html>`, false},
		{"empty", ``, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := decodeAnswer([]byte(tc.body))
			if ok != tc.fast {
				t.Fatalf("decodeAnswer(%q) ok = %v, want %v", tc.body, ok, tc.fast)
			}
			if ok {
				sameAsEncodingJSON(t, []byte(tc.body), got)
			}
		})
	}
}

// FuzzDecodeAnswer compares the fast path with encoding/json on any body: whatever it
// takes, encoding/json takes too and decodes to the same values.
func FuzzDecodeAnswer(f *testing.F) {
	for _, seed := range []string{
		`{"version":"1.0.0","action":"Continue"}`,
		`{"version":"1.0.0","action":"ValidationError","status":"400","userMessage":"m"}`,
		`{"version":"1","action":"Continue","extension_Age":3,"list":[1,"a",null,true],"o":{"x":-1.5e3}}`,
		`{"a":"Zoë"} `, `{"a":01}`, `{"a":1}]`, `[1]`, `null`, `{"a":"\u0041"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, ok := decodeAnswer(body); ok {
			sameAsEncodingJSON(t, body, got)
		}
	})
}

// TestDecodeAnswerAllocations: a Continue answer costs the map and nothing else.
func TestDecodeAnswerAllocations(t *testing.T) {
	body := []byte(`{"version":"1.0.0","action":"Continue"}`)
	if n := testing.AllocsPerRun(100, func() { decodeAnswer(body) }); n > 2 {
		t.Fatalf("decodeAnswer made %v allocations, want at most 2", n)
	}
}

func sameAsEncodingJSON(t *testing.T, body []byte, got map[string]any) {
	t.Helper()
	want, problem := decodeAnswerSlowly(body)
	if problem != "" {
		t.Fatalf("decodeAnswer took %q, which encoding/json refuses: %s", body, problem)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeAnswer(%q) = %#v, encoding/json gives %#v", body, got, want)
	}
}
