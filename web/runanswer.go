package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/b2cemu/b2cemu/flows/jsonenc"
)

// answerRun writes a headless run's answer: the bytes echo's c.JSON writes (json.Encoder's,
// a newline after the document), encoded without reflection into a pooled buffer and sent
// with its Content-Length. Through encoding/json the answer (the token, its claims and each
// call's request and response) was one of the largest non-signature costs of a sign-up, and
// at 2–3 KB it went out chunked.
func answerRun(c echo.Context, resp *RunResponse) error {
	bp := answerBuffers.Get().(*[]byte)
	defer answerBuffers.Put(bp)
	b, err := resp.appendJSON((*bp)[:0])
	if err != nil {
		return c.JSON(http.StatusOK, resp) // encoding/json's own error, as before
	}
	b = append(b, '\n')
	if cap(b) <= 64<<10 { // a rare large answer is not kept
		*bp = b
	}
	h := c.Response().Header()
	h[echo.HeaderContentType] = jsonUTF8
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	c.Response().WriteHeader(http.StatusOK)
	_, err = c.Response().Write(b)
	return err
}

var (
	answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
	jsonUTF8      = []string{echo.MIMEApplicationJSON} // what c.JSON sets
)

// appendJSON appends r as json.Marshal encodes it.
func (r *RunResponse) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"outcome":`...)
	b, _ = jsonenc.AppendString(b, r.Outcome)
	b = append(b, `,"runId":`...)
	b, _ = jsonenc.AppendString(b, r.RunID)
	if r.NewUser {
		b = append(b, `,"newUser":true`...)
	}
	b = field(b, "objectId", r.ObjectID)
	b = field(b, "idToken", r.IDToken)
	b = field(b, "accessToken", r.AccessToken)
	b = field(b, "refreshToken", r.RefreshToken)
	if len(r.Claims) > 0 {
		b = append(b, `,"claims":`...)
		if b, err = jsonenc.Append(b, map[string]any(r.Claims)); err != nil {
			return nil, err
		}
	}
	b = field(b, "userMessage", r.UserMessage)
	b = field(b, "error", r.Error)
	b = field(b, "errorDescription", r.ErrorDescription)
	b = append(b, `,"attempts":`...)
	if r.Attempts == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, a := range r.Attempts {
			if i > 0 {
				b = append(b, ',')
			}
			b = a.appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"calls":`...)
	if r.Calls == nil {
		return append(b, "null}"...), nil
	}
	b = append(b, '[')
	for i := range r.Calls {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = r.Calls[i].appendJSON(b); err != nil {
			return nil, err
		}
	}
	return append(b, "]}"...), nil
}

func (a Attempted) appendJSON(b []byte) []byte {
	b = append(b, `{"values":`...)
	b = appendStrings(b, a.Values)
	b = field(b, "userMessage", a.UserMessage)
	if len(a.FieldErrors) > 0 {
		b = append(b, `,"fieldErrors":`...)
		b = appendStrings(b, a.FieldErrors)
	}
	if a.RequiredMissing {
		b = append(b, `,"requiredMissing":true`...)
	}
	return append(b, '}')
}

func (e *TranscriptEntry) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"step":`...)
	b, _ = jsonenc.AppendString(b, e.Step)
	b = append(b, `,"connector":`...)
	b, _ = jsonenc.AppendString(b, e.Connector)
	b = append(b, `,"request":`...)
	if b, err = appendRaw(b, e.Request); err != nil {
		return nil, err
	}
	if e.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(e.Status), 10)
	}
	if len(e.Response) > 0 {
		b = append(b, `,"response":`...)
		if b, err = appendRaw(b, e.Response); err != nil {
			return nil, err
		}
	}
	b = append(b, `,"latencyMs":`...)
	if b, err = jsonenc.Append(b, e.LatencyMs); err != nil {
		return nil, err
	}
	b = append(b, `,"elapsedMs":`...)
	if b, err = jsonenc.Append(b, e.ElapsedMs); err != nil {
		return nil, err
	}
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(e.Attempts), 10)
	b = append(b, `,"outcome":`...)
	b, _ = jsonenc.AppendString(b, e.Outcome)
	if len(e.Warnings) > 0 {
		b = append(b, `,"warnings":`...)
		b, _ = jsonenc.Append(b, e.Warnings)
	}
	b = field(b, "diagnostic", e.Diagnostic)
	return append(b, '}'), nil
}

// field appends ,"name":value for a non-empty string (omitempty).
func field(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	b, _ = jsonenc.AppendString(b, value) // a string always encodes
	return b
}

// appendStrings appends a map of strings, its keys sorted, as json.Marshal does.
func appendStrings(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
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
		b, _ = jsonenc.AppendString(b, k)
		b = append(b, ':')
		b, _ = jsonenc.AppendString(b, m[k])
	}
	return append(b, '}')
}

// appendRaw appends a json.RawMessage as encoding/json does: null when nil, otherwise
// checked, compacted and with HTML characters escaped.
func appendRaw(b []byte, raw json.RawMessage) ([]byte, error) {
	if raw == nil {
		return append(b, "null"...), nil
	}
	start := len(b)
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, raw); err != nil {
		return nil, err
	}
	b = buf.Bytes()
	if bytes.ContainsAny(b[start:], "<>&\u2028\u2029") {
		var esc bytes.Buffer
		json.HTMLEscape(&esc, b[start:])
		b = append(b[:start], esc.Bytes()...)
	}
	return b, nil
}
