package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The harness shares the cores with the emulator it measures, so its own HTTP costs only what
// HTTP itself needs. net/http's Transport hands every request from the caller to a writing
// and a reading goroutine and back, and its Server starts a background read per request; on
// two cores those hand-offs took a fifth of the harness's CPU. A wire client is one
// worker's kept-alive connection: the request is written as bytes and the answer read with
// the standard library's parser (http.ReadResponse) on the worker's own goroutine. The
// loopback API does the same on the other side (http.ReadRequest, a pre-built answer).

// wireClient is one worker's connection to the emulator; only that worker uses it.
type wireClient struct {
	addr   string // host:port
	header string // further header lines, each ending in CRLF
	conn   net.Conn
	br     *bufio.Reader
	req    []byte // the request being written, reused
	body   []byte // the request body being built, reused
	answer bytes.Buffer
}

// requestTimeout bounds one request of a worker whose context has no deadline, so that an
// emulator that stops answering ends the run with an error rather than hanging it.
const requestTimeout = time.Minute

// post sends body to path and returns the answer's status and body (valid until the next
// post). A kept-alive connection that the emulator closed while it idled is dialled again
// once, as net/http does: the request never reached a handler.
func (w *wireClient) post(ctx context.Context, path string, body []byte) (int, []byte, error) {
	for attempt := 0; ; attempt++ {
		reused := w.conn != nil
		status, answer, err := w.roundTrip(ctx, path, body)
		if err == nil {
			return status, answer, nil
		}
		w.close()
		if !reused || attempt > 0 || !errors.Is(err, errStale) || ctx.Err() != nil {
			return 0, nil, err
		}
	}
}

// errStale marks a kept-alive connection that ended before any of its answer arrived.
var errStale = errors.New("the kept-alive connection was closed")

func (w *wireClient) roundTrip(ctx context.Context, path string, body []byte) (int, []byte, error) {
	if w.conn == nil {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", w.addr)
		if err != nil {
			return 0, nil, err
		}
		w.conn, w.br = conn, bufio.NewReaderSize(conn, 8<<10)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(requestTimeout)
	}
	if err := w.conn.SetDeadline(deadline); err != nil {
		return 0, nil, err
	}
	w.req = append(w.req[:0], "POST "...)
	w.req = append(w.req, path...)
	w.req = append(w.req, " HTTP/1.1\r\nHost: "...)
	w.req = append(w.req, w.addr...)
	w.req = append(w.req, "\r\n"...)
	w.req = append(w.req, w.header...)
	w.req = append(w.req, "Content-Type: application/json\r\nContent-Length: "...)
	w.req = strconv.AppendInt(w.req, int64(len(body)), 10)
	w.req = append(w.req, "\r\n\r\n"...)
	w.req = append(w.req, body...)
	if _, err := w.conn.Write(w.req); err != nil {
		return 0, nil, fmt.Errorf("%w: %w", errStale, err)
	}
	if _, err := w.br.Peek(1); err != nil {
		return 0, nil, fmt.Errorf("%w: %w", errStale, err)
	}
	resp, err := http.ReadResponse(w.br, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("reading the answer to POST %s: %w", path, err)
	}
	w.answer.Reset()
	_, err = w.answer.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, nil, fmt.Errorf("reading the answer to POST %s: %w", path, err)
	}
	if resp.Close {
		w.close()
	}
	return resp.StatusCode, w.answer.Bytes(), nil
}

func (w *wireClient) close() {
	if w.conn != nil {
		w.conn.Close()
		w.conn, w.br = nil, nil
	}
}

// connector is the loopback API: Continue for the user flows' connectors, a promo code for
// the loyalty policy's RESTful validation, and how long each handler ran (from the request's
// headers read to its answer chosen, the body read in between).
type connector struct {
	mu       sync.Mutex
	handlers []time.Duration
}

// The loopback API's answers, written as they are.
var (
	continueAnswer = answer(`{"version":"1.0.0","action":"Continue"}`)
	promoAnswer    = answer(`{"promoCode":"PROMO-LOAD"}`)
)

func answer(body string) []byte {
	return []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}

// serve answers the connections ln accepts until it is closed.
func (c *connector) serve(ln net.Listener) { serveEach(ln, c.serveConn) }

// serveEach runs serve on its own goroutine for each connection ln accepts, until ln is
// closed, and closes the connection when serve returns.
func serveEach(ln net.Listener, serve func(net.Conn)) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			serve(conn)
		}()
	}
}

// serveConn answers one connection's requests until the emulator closes it or one asks to.
func (c *connector) serveConn(conn net.Conn) {
	br := bufio.NewReaderSize(conn, 8<<10)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		start := time.Now()
		_, err = io.Copy(io.Discard, req.Body)
		out := continueAnswer
		if req.URL.Path == "/loyalty" {
			out = promoAnswer
		}
		c.record(time.Since(start))
		if err != nil {
			return
		}
		if _, err := conn.Write(out); err != nil || req.Close {
			return
		}
	}
}

func (c *connector) record(d time.Duration) {
	c.mu.Lock()
	c.handlers = append(c.handlers, d)
	c.mu.Unlock()
}

// take returns the handler times recorded since the last take.
func (c *connector) take() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.handlers
	c.handlers = nil
	return out
}
