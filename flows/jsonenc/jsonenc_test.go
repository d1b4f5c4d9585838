package jsonenc_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/b2cemu/b2cemu/flows/jsonenc"
)

// TestAppendIsJSONMarshal: every value encodes to json.Marshal's bytes, or fails as it does.
func TestAppendIsJSONMarshal(t *testing.T) {
	type identity struct {
		SignInType string `json:"signInType"`
	}
	values := map[string]any{
		"nil": nil, "string": "Ana Lima", "empty string": "", "quote": `say "hi"\`, "html": "<a&b>", "control": "a\tb\n",
		"unicode": "Zürich ☃", "line separator": "a\u2028b", "invalid utf-8": "\xff\xfe", "true": true, "false": false,
		"int": -42, "int64": int64(1796155382), "float": 1.5, "whole float": 3.0, "zero": 0.0, "negative zero": math.Copysign(0, -1),
		"tiny": 1e-7, "huge": 1e21, "just under": 999999999999999999999.0, "smallest plain": 1e-6,
		"strings": []string{"a", "<b>"}, "nil strings": []string(nil), "no strings": []string{},
		"list": []any{1, "two", 3.5, nil, false, []any{}}, "nil list": []any(nil),
		"map": map[string]any{"z": 1, "a": map[string]any{"y": "x"}, "é": "accent", "<": ">"}, "nil map": map[string]any(nil),
		"struct": identity{"emailAddress"}, "structs": []identity{{"federated"}}, "number": json.Number("12.50"), "uint8": uint8(7),
		"int list": []int{1, 2},
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			want, wantErr := json.Marshal(v)
			got, err := jsonenc.Append([]byte("prefix:"), v)
			if (err != nil) != (wantErr != nil) || wantErr == nil && string(got) != "prefix:"+string(want) {
				t.Errorf("Append = %s, %v; json.Marshal = %s, %v", got, err, want, wantErr)
			}
		})
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), []any{math.Inf(-1)}, map[string]any{"c": make(chan int)}} {
		if _, err := jsonenc.Append(nil, bad); err == nil {
			t.Errorf("Append(%v) did not fail as json.Marshal does", bad)
		}
	}
}
