package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun feeds recorded `go test -json` streams (testdata/*.jsonl, made with Go 1.26) and
// checks what is printed and whether the run fails.
func TestRun(t *testing.T) {
	tests := []struct {
		file    string
		fails   bool
		want    []string // in this order
		notWant []string
	}{
		{"pass-skip.jsonl", false, []string{
			"ok  \texample.test/m/p\t",
			"\n2 passed, 0 failed, 1 skipped (tests and subtests, 1 package)\n",
			"skipped:\n  example.test/m/p: chromium is not installed; browser tests skipped\n      TestSkip\n",
		}, []string{"=== RUN", "--- PASS", "--- SKIP", "PASS\n"}},
		{"fail-build-skip.jsonl", true, []string{
			"b/b_test.go:5:28: undefined: undefined\n",
			"FAIL\texample.test/m/b [build failed]\n",
			"    p_test.go:8: boom\n--- FAIL: TestFail/sub (0.00s)\n--- FAIL: TestFail (0.00s)\n",
			"FAIL\texample.test/m/p\t0.004s\n",
			"1 passed, 2 failed, 2 skipped",
			"  example.test/m/p: chromium is not installed; browser tests skipped\n      TestSkip\n",
			"  example.test/m/p: no node\n      TestFail/subskip\n",
		}, []string{"before", "=== RUN"}},
		{"panic.jsonl", true, []string{
			"panic: kaboom\n",
			"q_test.go:6 +0x25\n",
			"FAIL\texample.test/m/q\t0.005s\n",
			"0 passed, 0 failed, 1 skipped (tests and subtests, 1 package)",
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			var out strings.Builder
			err = run(in, &out)
			if (err != nil) != tt.fails {
				t.Errorf("run() = %v, want failure %v", err, tt.fails)
			}
			got, at := out.String(), 0
			for _, w := range tt.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Errorf("output lacks (after byte %d) %q:\n%s", at, w, got)
					continue
				}
				at += i + len(w)
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("output has %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestRunWithoutResults: input that holds no package result (go test failed before running
// anything, or ran without -json) fails, and lines that are not events are passed on.
func TestRunWithoutResults(t *testing.T) {
	var out strings.Builder
	err := run(strings.NewReader("go: cannot find main module\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "no package results") || !strings.Contains(out.String(), "go: cannot find main module\n") {
		t.Errorf("err = %v, output:\n%s", err, out.String())
	}
}
