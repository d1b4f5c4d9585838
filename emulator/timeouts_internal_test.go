package emulator

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// deadlineRecorder is a response writer that records the write deadlines set on it.
type deadlineRecorder struct {
	*httptest.ResponseRecorder
	deadlines []time.Time
}

func (r *deadlineRecorder) SetWriteDeadline(t time.Time) error {
	r.deadlines = append(r.deadlines, t)
	return nil
}

// TestWriteDeadlineStartsWithTheResponse: no deadline while the handler works (a slow
// connector), then one write timeout from the response's first byte, set once.
func TestWriteDeadlineStartsWithTheResponse(t *testing.T) {
	const d = 30 * time.Second
	rec := &deadlineRecorder{ResponseRecorder: httptest.NewRecorder()}
	var before, after time.Time
	h := writeDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(rec.deadlines) != 0 {
			t.Errorf("a deadline before the response began: %v", rec.deadlines)
		}
		before = time.Now()
		w.WriteHeader(http.StatusOK)
		after = time.Now()
		w.Write([]byte("one"))
		http.NewResponseController(w).Flush() // reaches the recorder through Unwrap
		w.Write([]byte("two"))
	}), d)
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if len(rec.deadlines) != 1 {
		t.Fatalf("deadlines %v, want one", rec.deadlines)
	}
	if dl := rec.deadlines[0]; dl.Before(before.Add(d)) || dl.After(after.Add(d)) {
		t.Errorf("deadline %v, want %v after the first byte (%v–%v)", dl, d, before, after)
	}
	if rec.Body.String() != "onetwo" || !rec.Flushed {
		t.Errorf("body %q, flushed %v", rec.Body.String(), rec.Flushed)
	}
}
