// Command testsummary reads `go test -json` on stdin and prints what plain `go test` prints
// (each package's result, and the output of every failing test and of failed builds), then a
// closing count of passed, failed and skipped tests and each skipped test with its reason, so
// that tests which skip (no browser, no Node packages) are seen without -v. It exits 1 when a
// test or a build failed, or when it read no package result at all.
//
//	go test -json ./... | go run ./cmd/testsummary
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
}

// event is one line of `go test -json` (cmd/test2json), build events included.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// line is a line of test output and the (sub)test that wrote it.
type line struct{ test, text string }

// skip is a skipped test and why.
type skip struct{ pkg, test, reason string }

type summary struct {
	out                     io.Writer
	lines                   map[string][]line // package and top-level test → its output and its subtests'
	status                  map[string]string // package and (sub)test → pass, fail or skip
	passed, failed, skipped int
	packages, failedPkgs    int
	buildFailed             bool
	skips                   []skip
}

// run copies the result of in to out and returns an error when anything failed.
func run(in io.Reader, out io.Writer) error {
	s := &summary{out: out, lines: map[string][]line{}, status: map[string]string{}}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20) // a test can print long lines
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(out, sc.Text()) // not an event: pass it on as it came
			continue
		}
		s.handle(e)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading go test -json: %w", err)
	}
	s.report()
	switch {
	case s.packages == 0:
		return errors.New("no package results were read; did go test run with -json?")
	case s.failed > 0 || s.failedPkgs > 0 || s.buildFailed:
		return errors.New("tests failed")
	}
	return nil
}

func key(pkg, test string) string { return pkg + "\x00" + test }

func (s *summary) handle(e event) {
	switch {
	case e.Action == "build-output":
		fmt.Fprint(s.out, e.Output)
	case e.Action == "build-fail":
		s.buildFailed = true
	case e.Test == "":
		s.handlePackage(e)
	case e.Action == "output":
		top := key(e.Package, strings.SplitN(e.Test, "/", 2)[0])
		s.lines[top] = append(s.lines[top], line{e.Test, e.Output})
	case e.Action == "pass" || e.Action == "fail" || e.Action == "skip":
		s.finish(e)
	}
}

// handlePackage prints a package's own lines as plain go test does: its result, and anything
// it printed outside a test (a panic, a timeout), but not the -v framing.
func (s *summary) handlePackage(e event) {
	switch e.Action {
	case "output":
		if strings.HasPrefix(e.Output, "FAIL") {
			s.flushPackage(e.Package) // what a crash or timeout cut short, before the verdict
		}
		if !framing(e.Output) && e.Output != "PASS\n" {
			fmt.Fprint(s.out, e.Output)
		}
	case "pass":
		s.packages++
	case "fail":
		s.packages++
		s.failedPkgs++
	}
}

// finish records a (sub)test's result; at the end of a failed top-level test it prints the
// output of the failed tests in it, in the order it was written.
func (s *summary) finish(e event) {
	s.status[key(e.Package, e.Test)] = e.Action
	switch e.Action {
	case "pass":
		s.passed++
	case "fail":
		s.failed++
	case "skip":
		s.skipped++
		s.skips = append(s.skips, skip{e.Package, e.Test, s.reason(e.Package, e.Test)})
	}
	if strings.Contains(e.Test, "/") {
		return
	}
	top := key(e.Package, e.Test)
	if e.Action == "fail" {
		for _, l := range s.lines[top] {
			if s.status[key(e.Package, l.test)] == "fail" && !framing(l.text) {
				fmt.Fprint(s.out, l.text)
			}
		}
	}
	delete(s.lines, top)
}

// flushPackage prints what the unfinished tests of pkg wrote.
func (s *summary) flushPackage(pkg string) {
	var tops []string
	for k := range s.lines {
		if strings.HasPrefix(k, pkg+"\x00") {
			tops = append(tops, k)
		}
	}
	sort.Strings(tops)
	for _, k := range tops {
		for _, l := range s.lines[k] {
			if !framing(l.text) {
				fmt.Fprint(s.out, l.text)
			}
		}
		delete(s.lines, k)
	}
}

var logPrefix = regexp.MustCompile(`^\s*[^\s:]+\.go:\d+: `)

// reason is the last line a skipped test logged, its t.Skip message, without file and line.
func (s *summary) reason(pkg, test string) string {
	lines := s.lines[key(pkg, strings.SplitN(test, "/", 2)[0])]
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		text := strings.TrimSpace(l.text)
		if l.test != test || framing(l.text) || text == "" || strings.HasPrefix(text, "--- ") {
			continue
		}
		return logPrefix.ReplaceAllString(text, "")
	}
	return "no reason given"
}

// framing is a line that -v adds and plain go test does not print.
func framing(s string) bool {
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS", "--- SKIP"} {
		if strings.HasPrefix(strings.TrimSpace(s), p) {
			return true
		}
	}
	return false
}

// report prints the closing count and the skipped tests, grouped by package and reason.
func (s *summary) report() {
	pkgs := "packages"
	if s.packages == 1 {
		pkgs = "package"
	}
	fmt.Fprintf(s.out, "\n%d passed, %d failed, %d skipped (tests and subtests, %d %s)\n", s.passed, s.failed, s.skipped, s.packages, pkgs)
	if len(s.skips) == 0 {
		return
	}
	type group struct {
		pkg, reason string
		tests       []string
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, sk := range s.skips {
		k := key(sk.pkg, sk.reason)
		g := byKey[k]
		if g == nil {
			g = &group{pkg: sk.pkg, reason: sk.reason}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.tests = append(g.tests, sk.test)
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].pkg < groups[j].pkg })
	fmt.Fprintln(s.out, "skipped:")
	for _, g := range groups {
		fmt.Fprintf(s.out, "  %s: %s\n      %s\n", g.pkg, g.reason, strings.Join(g.tests, ", "))
	}
}
