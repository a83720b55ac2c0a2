package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// goBench is one `go test -bench` run of a package's benchmarks.
type goBench struct {
	// pkg is the package, relative to the module root ("./events/pebble").
	pkg string
	// pattern is the -bench regular expression.
	pattern string
	// benchtime is the -benchtime; go test's default when empty.
	benchtime string
	// args are the test binary's own flags, given after -args.
	args []string
}

// command returns the go test command line of b run count times.
func (b goBench) command(count int) []string {
	cmd := []string{"go", "test", "-run", "^$", "-bench", b.pattern, "-count", strconv.Itoa(count)}
	if b.benchtime != "" {
		cmd = append(cmd, "-benchtime", b.benchtime)
	}
	cmd = append(cmd, b.pkg)
	if len(b.args) > 0 {
		cmd = append(cmd, "-args")
		cmd = append(cmd, b.args...)
	}
	return cmd
}

// shell quotes a command line for the report, as one would type it.
func shell(cmd []string) string {
	out := make([]string, len(cmd))
	for i, a := range cmd {
		if a == "" || strings.ContainsAny(a, " ^$|()*?[]{}\\'\"&;<>") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

// samples holds every result line of a go test -bench run: for each
// benchmark (named without the GOMAXPROCS suffix), one map per run from
// unit ("ns/op", "events/s", ...) to value.
type samples map[string][]map[string]float64

// values returns the values of unit in every run of benchmark name.
func (s samples) values(name, unit string) []float64 {
	var out []float64
	for _, run := range s[name] {
		if v, ok := run[unit]; ok {
			out = append(out, v)
		}
	}
	return out
}

// summary returns the summary of unit over the runs of name.
func (s samples) summary(name, unit string) summary { return summarize(s.values(name, unit)) }

// procsSuffix is the -GOMAXPROCS suffix go test adds to benchmark names.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// parseBench reads the result lines of go test -bench output: a name
// starting with "Benchmark", the iterations, then value-unit pairs.
func parseBench(out string) samples {
	s := samples{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
			continue
		}
		run := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				run = nil
				break
			}
			run[f[i+1]] = v
		}
		if run != nil {
			name := procsSuffix.ReplaceAllString(f[0], "")
			s[name] = append(s[name], run)
		}
	}
	return s
}

// runGoBench runs b count times in one go test process, in the module
// root, and returns its results. When go test fails it returns the
// results it printed and an error quoting the failure.
func (e *env) runGoBench(ctx context.Context, b goBench, count int) (samples, error) {
	argv := b.command(count)
	e.logf("  %s", shell(argv))
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = e.root
	out, err := cmd.CombinedOutput()
	s := parseBench(string(out))
	if err != nil {
		return s, fmt.Errorf("%s: %w: %s", shell(argv), err, failureOf(string(out)))
	}
	if len(s) == 0 {
		return s, errors.New(shell(argv) + ": no benchmark results")
	}
	return s, nil
}

// failureOf returns the lines of go test output that say why it failed:
// the test log lines ("file_test.go:12: ...") and panics, or the last
// line.
func failureOf(out string) string {
	var why []string
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.Contains(t, "_test.go:") || strings.HasPrefix(t, "panic:") {
			why = append(why, t)
		}
	}
	if len(why) == 0 && len(lines) > 0 {
		why = lines[len(lines)-1:]
	}
	if len(why) > 3 {
		why = why[:3]
	}
	return strings.Join(why, "; ")
}
