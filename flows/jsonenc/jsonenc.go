// Package jsonenc writes JSON exactly as encoding/json does, without its reflection for the
// kinds of values tokens and connector bodies hold.
package jsonenc

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// Append appends v encoded exactly as json.Marshal encodes it (maps with their keys sorted,
// HTML characters escaped), writing strings, booleans, integers, ordinary floats, lists and
// string-keyed maps of them directly and leaving anything else to encoding/json, with its
// errors. encoding/json reaches every map value through reflection, which made the claims of
// a token a sixth of a sign-up's allocations.
func Append(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return AppendString(b, x)
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case float64:
		// encoding/json writes 'e' notation outside [1e-6, 1e21), and refuses NaN and ±Inf.
		if a := math.Abs(x); x == 0 || a >= 1e-6 && a < 1e21 {
			return strconv.AppendFloat(b, x, 'f', -1, 64), nil
		}
	case []string:
		return appendList(b, x, AppendString)
	case []any:
		return appendList(b, x, Append)
	case map[string]any:
		return appendObject(b, x)
	}
	raw, err := json.Marshal(v)
	return append(b, raw...), err
}

// appendList appends a JSON array of list's elements, each written by appendOne; a nil list
// is null, as encoding/json writes it.
func appendList[T any](b []byte, list []T, appendOne func([]byte, T) ([]byte, error)) ([]byte, error) {
	if list == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, e := range list {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendOne(b, e); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

func appendObject(b []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = AppendString(b, k); err != nil {
			return nil, err
		}
		b = append(b, ':')
		if b, err = Append(b, m[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// AppendString appends s as json.Marshal encodes it; a string with anything encoding/json
// escapes (quotes, backslashes, control and HTML characters, non-ASCII) is left to it.
func AppendString(b []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			raw, err := json.Marshal(s)
			return append(b, raw...), err
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), nil
}
