package connector

import (
	"encoding/json"
	"unicode/utf8"
)

// decodeAnswer is the fast path of answerObject's decoding: a body that is one JSON object
// whose strings hold no escape sequence, followed by nothing but whitespace, decoded to
// exactly what encoding/json's Decoder with UseNumber gives (json.Number for numbers, nil
// for null, the last of repeated keys). It gives ok false for anything else (escapes, bad
// syntax, deep nesting, trailing text), which answerObject then hands to encoding/json, so
// that the answers and error texts of those bodies stay encoding/json's. It spares each
// connector call the decoder's reflection and state (about ten allocations).
func decodeAnswer(body []byte) (map[string]any, bool) {
	d := answerDecoder{buf: body}
	d.space()
	if d.pos >= len(d.buf) || d.buf[d.pos] != '{' {
		return nil, false
	}
	obj, ok := d.object(0)
	if !ok {
		return nil, false
	}
	d.space()
	return obj, d.pos == len(d.buf)
}

// maxAnswerDepth bounds the nesting the fast path follows; deeper bodies go to encoding/json.
const maxAnswerDepth = 32

// answerText holds the keys and values answers repeat, so that decoding them allocates
// nothing; strings are immutable, so sharing them is safe.
var answerText = map[string]string{
	"version": "version", "action": "action", "userMessage": "userMessage", "status": "status",
	"1.0.0": "1.0.0", "Continue": "Continue", "ShowBlockPage": "ShowBlockPage",
	"ValidationError": "ValidationError", "400": "400",
}

// answerValue holds the same texts already in an any, as map values are.
var answerValue = func() map[string]any {
	m := make(map[string]any, len(answerText))
	for k, v := range answerText {
		m[k] = v
	}
	return m
}()

type answerDecoder struct {
	buf []byte
	pos int
}

func (d *answerDecoder) space() {
	for d.pos < len(d.buf) {
		switch d.buf[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// object reads an object whose '{' is at pos.
func (d *answerDecoder) object(depth int) (map[string]any, bool) {
	if depth >= maxAnswerDepth {
		return nil, false
	}
	d.pos++ // '{'
	obj := make(map[string]any)
	d.space()
	if d.pos < len(d.buf) && d.buf[d.pos] == '}' {
		d.pos++
		return obj, true
	}
	for {
		d.space()
		key, ok := d.text()
		if !ok {
			return nil, false
		}
		d.space()
		if d.pos >= len(d.buf) || d.buf[d.pos] != ':' {
			return nil, false
		}
		d.pos++
		val, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		obj[key] = val
		if more, ok := d.next('}'); !ok || !more {
			return obj, ok
		}
	}
}

// next reads the ',' between members or elements (more) or the closing end; ok is false
// for anything else.
func (d *answerDecoder) next(end byte) (more, ok bool) {
	d.space()
	if d.pos >= len(d.buf) {
		return false, false
	}
	c := d.buf[d.pos]
	d.pos++
	return c == ',', c == ',' || c == end
}

// array reads an array whose '[' is at pos.
func (d *answerDecoder) array(depth int) ([]any, bool) {
	if depth >= maxAnswerDepth {
		return nil, false
	}
	d.pos++ // '['
	list := []any{}
	d.space()
	if d.pos < len(d.buf) && d.buf[d.pos] == ']' {
		d.pos++
		return list, true
	}
	for {
		val, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		list = append(list, val)
		if more, ok := d.next(']'); !ok || !more {
			return list, ok
		}
	}
}

// value reads any JSON value after optional whitespace.
func (d *answerDecoder) value(depth int) (any, bool) {
	d.space()
	if d.pos >= len(d.buf) {
		return nil, false
	}
	switch c := d.buf[d.pos]; {
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		s, ok := d.text()
		if boxed, known := answerValue[s]; known {
			return boxed, ok // a string put in an any is a copy: share the common ones
		}
		return s, ok
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	for _, lit := range literals {
		if len(d.buf)-d.pos >= len(lit.text) && string(d.buf[d.pos:d.pos+len(lit.text)]) == lit.text {
			d.pos += len(lit.text)
			return lit.value, true
		}
	}
	return nil, false
}

var literals = [...]struct {
	text  string
	value any
}{{"true", true}, {"false", false}, {"null", nil}}

// text reads a string at pos that has no escape and is valid UTF-8.
func (d *answerDecoder) text() (string, bool) {
	if d.pos >= len(d.buf) || d.buf[d.pos] != '"' {
		return "", false
	}
	start, ascii := d.pos+1, true
	for i := start; i < len(d.buf); i++ {
		switch c := d.buf[i]; {
		case c == '"':
			raw := d.buf[start:i]
			if !ascii && !utf8.Valid(raw) {
				return "", false // encoding/json replaces bad bytes with U+FFFD
			}
			d.pos = i + 1
			if s, ok := answerText[string(raw)]; ok {
				return s, true
			}
			return string(raw), true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// number reads a number in JSON's grammar as the json.Number of its text.
func (d *answerDecoder) number() (json.Number, bool) {
	start, i := d.pos, d.pos
	if i < len(d.buf) && d.buf[i] == '-' {
		i++
	}
	switch {
	case i < len(d.buf) && d.buf[i] == '0':
		i++
	case i < len(d.buf) && d.buf[i] >= '1' && d.buf[i] <= '9':
		i = d.digits(i)
	default:
		return "", false
	}
	if i < len(d.buf) && d.buf[i] == '.' {
		if j := d.digits(i + 1); j > i+1 {
			i = j
		} else {
			return "", false
		}
	}
	if i < len(d.buf) && (d.buf[i] == 'e' || d.buf[i] == 'E') {
		i++
		if i < len(d.buf) && (d.buf[i] == '+' || d.buf[i] == '-') {
			i++
		}
		j := d.digits(i)
		if j == i {
			return "", false
		}
		i = j
	}
	d.pos = i
	return json.Number(d.buf[start:i]), true
}

// digits returns the index after the run of decimal digits starting at i.
func (d *answerDecoder) digits(i int) int {
	for i < len(d.buf) && d.buf[i] >= '0' && d.buf[i] <= '9' {
		i++
	}
	return i
}
