package emulator

import (
	"net/http"
	"time"
)

// Timeouts bound how long a client can hold a connection without doing its part. None bounds
// the time a handler takes before it answers: that is the connector calls the configuration
// sets (timeout × attempts, several per request), which must not be cut short.
type Timeouts struct {
	// ReadHeader is the time to send a request's line and headers: 10 s.
	ReadHeader time.Duration
	// Read is the time to send the whole request, body included, from its first byte: 30 s.
	// Once the body is read the deadline is lifted, so a handler waiting on a connector is not
	// affected (net/http's background read clears it).
	Read time.Duration
	// Write is the time to take a response, from its first byte: 30 s. A client that stops
	// reading a large answer (a user export) is cut off instead of holding the handler.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next request: 60 s.
	Idle time.Duration
}

// DefaultTimeouts are the server's timeouts; Options.Timeouts overrides them field by field.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 30 * time.Second, Idle: 60 * time.Second}

// orDefault fills t's zero fields from DefaultTimeouts.
func (t Timeouts) orDefault() Timeouts {
	pick := func(v, d time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return d
	}
	d := DefaultTimeouts
	return Timeouts{ReadHeader: pick(t.ReadHeader, d.ReadHeader), Read: pick(t.Read, d.Read), Write: pick(t.Write, d.Write), Idle: pick(t.Idle, d.Idle)}
}

// server is an HTTP server for h with these timeouts. WriteTimeout stays unset: it would count
// from the end of the request's headers and so cut off a response that waited on a slow
// connector; writeDeadline counts from the response's first byte instead.
func (t Timeouts) server(h http.Handler) *http.Server {
	return &http.Server{Handler: writeDeadline(h, t.Write), ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, IdleTimeout: t.Idle}
}

// writeDeadline gives each response d to be written once it starts. net/http clears the
// connection's write deadline after each request, so it never carries over.
func writeDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), d: d}, r)
	})
}

// deadlineWriter sets the write deadline on the first WriteHeader or Write.
type deadlineWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	d     time.Duration
	armed bool
}

func (w *deadlineWriter) arm() {
	if !w.armed {
		w.armed = true
		_ = w.rc.SetWriteDeadline(time.Now().Add(w.d)) // unsupported (a test recorder): no deadline
	}
}

func (w *deadlineWriter) WriteHeader(code int) {
	w.arm()
	w.ResponseWriter.WriteHeader(code)
}

func (w *deadlineWriter) Write(b []byte) (int, error) {
	w.arm()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController (Flush, Hijack, deadlines) reach the connection.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
