package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// The ingest group re-executes this binary as its bare server.
	if os.Getenv(bareEnv) != "" {
		os.Exit(exitCode(serveBare(os.Stdout), os.Stderr))
	}
	os.Exit(m.Run())
}

func TestParseBench(t *testing.T) {
	out := `goos: linux
pkg: github.com/empulse/empulse/events/pebble
BenchmarkAppend/writers=64-2   	   12345	     81234 ns/op	   28700 events/s	  2150 p50-µs
BenchmarkAppend/writers=64-2   	   12000	     80000 ns/op	   30100 events/s	  2000 p50-µs
BenchmarkTable-2   	  20	  55012345 ns/op	 12500000 B/op	  88 allocs/op
--- FAIL: BenchmarkOther
    bench_test.go:63: dial 9995: too many open files
PASS
`
	s := parseBench(out)
	tests := []struct {
		name, unit string
		want       []float64
	}{
		{"BenchmarkAppend/writers=64", "events/s", []float64{28700, 30100}},
		{"BenchmarkAppend/writers=64", "p50-µs", []float64{2150, 2000}},
		{"BenchmarkTable", "ns/op", []float64{55012345}},
		{"BenchmarkTable", "allocs/op", []float64{88}},
		{"BenchmarkOther", "ns/op", nil},
	}
	for _, tt := range tests {
		got := s.values(tt.name, tt.unit)
		if len(got) != len(tt.want) {
			t.Errorf("values(%q, %q) = %v, want %v", tt.name, tt.unit, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("values(%q, %q) = %v, want %v", tt.name, tt.unit, got, tt.want)
			}
		}
	}
	if why := failureOf(out); !strings.Contains(why, "too many open files") {
		t.Errorf("failureOf = %q, want the test's log line", why)
	}
}

func TestSummaryShow(t *testing.T) {
	tests := []struct {
		vs   []float64
		want string
	}{
		{[]float64{3, 1, 2}, "**2.00 ms** (1.00-3.00)"},
		{[]float64{4, 1, 2, 3}, "**2.50 ms** (1.00-4.00)"},
		{[]float64{0.5}, "**500 µs**"},
		{nil, "n/a"},
	}
	for _, tt := range tests {
		if got := summarize(tt.vs).ms(true); got != tt.want {
			t.Errorf("summarize(%v).ms(true) = %q, want %q", tt.vs, got, tt.want)
		}
	}
	if got, want := summarize([]float64{28700, 26200, 30100}).rate(" events/s", false), "28.7k events/s (26.2k-30.1k)"; got != want {
		t.Errorf("rate = %q, want %q", got, want)
	}
}

// TestQuick runs the generator on tiny sizes: the ingest group end to end
// (build, seed, both servers, the dashboard, the load) and one go test
// group, and checks every row of their tables has figures.
func TestQuick(t *testing.T) {
	checkQuick(t, "ingest,analysis", []string{"## HTTP answer ingest", "## Correlation table"})
}

// TestQuickAll runs every group on tiny sizes. It takes about a minute,
// so it runs only when EMPULSE_BENCH_ALL is set: do so after changing a
// benchmark's name or metrics.
func TestQuickAll(t *testing.T) {
	if os.Getenv("EMPULSE_BENCH_ALL") == "" {
		t.Skip("set EMPULSE_BENCH_ALL=1 to run every group")
	}
	checkQuick(t, strings.Join(groupNames, ","), nil)
}

// checkQuick runs bench -quick -runs 1 -only only into a file and checks
// the report: every section in want is there, none failed, and no table
// cell lacks its figure.
func checkQuick(t *testing.T, only string, want []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := run(ctx, []string{"-quick", "-runs", "1", "-only", only, "-out", out}, io.Discard, testWriter{t}); err != nil {
		t.Fatalf("run: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, w := range want {
		if !strings.Contains(md, w) {
			t.Errorf("the report has no %q section", w)
		}
	}
	if strings.Contains(md, "Not measured") {
		t.Errorf("a group failed:\n%s", md)
	}
	rows := 0
	for line := range strings.SplitSeq(md, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| ---") || strings.HasPrefix(line, "| What") || strings.HasPrefix(line, "| Dashboards") {
			continue
		}
		rows++
		if strings.Contains(line, "n/a") {
			t.Errorf("row without its figure: %s", line)
		}
	}
	if rows == 0 {
		t.Errorf("the report has no table rows:\n%s", md)
	}
	// The headline figures are numbers.
	for _, re := range []string{`Answers/s, 8 keep-alive clients \| \*\*[0-9.]+k?/s\*\* \| [0-9.]+k?/s \| \*\*[0-9.]+\*\*`,
		`Full table, [0-9,]+ teams x 52 weeks \| < 200 ms \((met|\*\*not met\*\*)\) \| \*\*[0-9.]+ ms\*\*`} {
		if !regexp.MustCompile(re).MatchString(md) {
			t.Errorf("the report has no row matching %s:\n%s", re, md)
		}
	}
}

// testWriter writes the generator's progress to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
