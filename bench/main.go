// Command bench measures Empulse end to end and writes BENCHMARKS.md:
//
//	go run ./bench                     print the report to stdout
//	go run ./bench -out BENCHMARKS.md  write it to a file
//	go run ./bench -only ingest,append -runs 3
//	go run ./bench -quick              small sizes, a smoke test
//
// The ingest group builds the empulse binary, seeds an organisation in a
// temporary data directory, runs `empulse serve` as a child process and
// posts answers to it from concurrent keep-alive clients, alternating run by
// run with a bare gin server (this program, re-executed) that only decodes
// the same requests. Every other group runs the packages' own `go test
// -bench` benchmarks as child processes and parses their output. The report
// gives the medians of -runs runs with their ranges, each figure beside its
// same-run baseline, with the machine, the command and the date.
//
// Progress goes to stderr. The exit status is 1 when a group failed; the
// report is written all the same, with the failure in place of the figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	// The bare baseline server is this program, re-executed.
	if os.Getenv(bareEnv) != "" {
		os.Exit(exitCode(serveBare(os.Stdout), os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and returns the exit status: 0 for nil,
// 2 for a bad command line, 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
}

// usageError is a bad command line.
type usageError struct{ msg string }

// Error returns the message.
func (e usageError) Error() string { return e.msg }

// groupNames are the groups of the report, in its order.
var groupNames = []string{"ingest", "append", "replay", "rebuild", "queries", "analysis", "fanout", "esdb"}

// config is the command line.
type config struct {
	// out is the file to write; "" prints to stdout.
	out string
	// runs is how many times each figure is measured.
	runs int
	// quick selects small sizes and short durations: a smoke test.
	quick bool
	// only holds the groups to run.
	only map[string]bool
	// duration and warmup are each ingest measurement's length and the
	// unmeasured time before it.
	duration, warmup time.Duration
	// clients is the number of concurrent ingest clients.
	clients int
	// fanout lists the dashboard client counts of the fan-out group.
	fanout []int
	// args is the command line as given, for the report.
	args []string
}

// parseFlags returns the configuration args give. It writes usage to
// stderr for -h.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := config{args: args}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.out, "out", "", "write the report to this `file` (BENCHMARKS.md); stdout if empty")
	fs.IntVar(&cfg.runs, "runs", 5, "measure every figure this many times and report medians")
	fs.BoolVar(&cfg.quick, "quick", false, "small sizes and 1 s ingest runs: a smoke test, not figures to publish")
	only := fs.String("only", strings.Join(groupNames, ","), "comma-separated `groups` to run: "+strings.Join(groupNames, ", "))
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "length of each measured ingest run (1s with -quick)")
	fs.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured load before each ingest run (250ms with -quick)")
	fs.IntVar(&cfg.clients, "clients", 64, "concurrent keep-alive ingest clients (8 with -quick)")
	fanout := fs.String("fanout", "1000,10000", "dashboard client `counts` of the fan-out group (20 with -quick)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return cfg, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if cfg.runs < 1 {
		return cfg, usageError{"-runs must be at least 1"}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if cfg.quick {
		if !set["duration"] {
			cfg.duration = time.Second
		}
		if !set["warmup"] {
			cfg.warmup = 250 * time.Millisecond
		}
		if !set["clients"] {
			cfg.clients = 8
		}
		if !set["fanout"] {
			*fanout = "20"
		}
	}
	if cfg.duration <= 0 || cfg.warmup < 0 || cfg.clients < 1 {
		return cfg, usageError{"-duration must be positive, -warmup not negative, -clients at least 1"}
	}
	cfg.only = map[string]bool{}
	for g := range strings.SplitSeq(*only, ",") {
		g = strings.TrimSpace(g)
		if !slices.Contains(groupNames, g) {
			return cfg, usageError{fmt.Sprintf("-only: unknown group %q; the groups are %s", g, strings.Join(groupNames, ", "))}
		}
		cfg.only[g] = true
	}
	for s := range strings.SplitSeq(*fanout, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return cfg, usageError{fmt.Sprintf("-fanout: %q is not a client count", s)}
		}
		cfg.fanout = append(cfg.fanout, n)
	}
	return cfg, nil
}

// run is the whole command apart from the process: it measures the groups
// args select and writes the report.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "empulse-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", a...) }

	r := report{cfg: cfg, start: time.Now().UTC(), loadBefore: loadAverage()}
	r.machine = describeMachine(ctx)
	logf("disk: timing write + fdatasync for a second")
	r.disk, r.diskErr = probeSync(tmp, time.Second)

	env := &env{cfg: cfg, root: root, tmp: tmp, machine: r.machine, logf: logf}
	for _, name := range groupNames {
		if !cfg.only[name] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		logf("%s: running", name)
		start := time.Now()
		s := groups[name](ctx, env)
		if s.err != nil {
			logf("%s: failed: %v", name, s.err)
		}
		logf("%s: done in %s", name, time.Since(start).Round(time.Second))
		r.sections = append(r.sections, s)
	}
	r.end, r.loadAfter = time.Now().UTC(), loadAverage()

	text := r.markdown()
	if cfg.out == "" {
		_, err = io.WriteString(stdout, text)
	} else {
		err = os.WriteFile(cfg.out, []byte(text), 0o644)
	}
	if err != nil {
		return err
	}
	var failed []string
	for _, s := range r.sections {
		if s.err != nil {
			failed = append(failed, s.name)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("failed: %s (the report says why)", strings.Join(failed, ", "))
	}
	return nil
}

// env is what every group gets: the configuration, the module's root
// directory, a temporary directory removed at the end, the machine, and a
// progress logger.
type env struct {
	cfg     config
	root    string
	tmp     string
	machine machine
	logf    func(format string, a ...any)
	// embedded holds the embedded store's results of this run, which the
	// esdb group compares with.
	embedded struct{ append, replay samples }
}

// groups measure one part each and return its section of the report.
var groups = map[string]func(context.Context, *env) section{
	"ingest":   ingestGroup,
	"append":   appendGroup,
	"replay":   replayGroup,
	"rebuild":  rebuildGroup,
	"queries":  queriesGroup,
	"analysis": analysisGroup,
	"fanout":   fanoutGroup,
	"esdb":     esdbGroup,
}
