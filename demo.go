package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/demo"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/projections"
)

// seedGCPercent is the garbage collector's target while the demo seeds:
// seeding decodes survey streams over and over, and collecting less often
// saves about a quarter of its CPU time for a few tens of MB.
const seedGCPercent = 400

// demoConfig is the configuration of the demo command.
type demoConfig struct {
	// Addr is the TCP address to listen on; port 0 picks a free port.
	Addr string
	// Data is the data directory, new or empty; "" means a temporary
	// directory, removed when the demo stops.
	Data string
	// Seed, Weeks and Rate choose the organisation, the weeks of history
	// and the simulator's pace.
	Seed  uint64
	Weeks int
	Rate  float64
	// LogLevel is the least severe level logged.
	LogLevel slog.Level
}

// runDemo is the demo command: it seeds a fresh data directory with a demo
// organisation, serves it, prints links to try it with, and simulates its
// members until ctx is done.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseDemoFlags(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	data, cleanup, err := demoDataDir(cfg.Data)
	if err != nil {
		return err
	}
	defer cleanup()
	// Fail before seeding, not after, when the address is taken.
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("demo: %w (choose another with --addr, such as 127.0.0.1:0)", err)
	}
	ln.Close()

	addrc := make(chan string, 1)
	logger := slog.New(listenWatcher{h: slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}), addr: addrc})
	sc := serveConfig{Addr: cfg.Addr, Data: data, LogLevel: cfg.LogLevel, LogFormat: logText}
	if _, err := adminTokenHash(data, "", rand.Reader, logger); err != nil {
		return err
	}
	saved, err := os.ReadFile(filepath.Join(data, adminTokenFile))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	adminToken := strings.TrimSpace(string(saved))

	started := time.Now()
	org, err := seedDemo(ctx, cfg, sc, adminToken, logger, stderr)
	if ctx.Err() != nil {
		return nil // stopped while seeding
	}
	if err != nil {
		return err
	}
	took := time.Since(started)

	serveCtx, stopServe := context.WithCancel(ctx)
	defer stopServe()
	served := make(chan error, 1)
	go func() { served <- serve(serveCtx, sc, logger) }()
	var base string
	select {
	case addr := <-addrc:
		base = "http://" + addr
	case err := <-served:
		return err
	}
	printDemo(stdout, base, org, adminToken, cfg, data, took)

	sim := demo.Simulator{BaseURL: base, Org: org, Rate: cfg.Rate, Logger: logger}
	simErr := sim.Run(serveCtx)
	stopServe()
	return errors.Join(simErr, <-served)
}

// seedDemo seeds the data directory of sc with the organisation of cfg,
// drawing a progress bar on stderr, folds the projections, and closes the
// store and the vault.
func seedDemo(ctx context.Context, cfg demoConfig, sc serveConfig, adminToken string, logger *slog.Logger, stderr io.Writer) (org *demo.Org, err error) {
	clock := demo.NewClock(time.Now())
	store, err := pebble.Open(filepath.Join(sc.Data, "events"), pebble.Options{Now: clock.Now, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("demo: open event store: %w", err)
	}
	defer func() {
		if cerr := store.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("demo: close event store: %w", cerr))
		}
	}()
	vlt, err := openVault(sc, logger)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := vlt.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("demo: close vault: %w", cerr))
		}
	}()

	defer debug.SetGCPercent(debug.SetGCPercent(seedGCPercent))
	bar := progressBar(stderr, "Seeding the demo organisation")
	org, err = demo.Seed(ctx, demo.Config{Store: store, Vault: vlt, AdminTokenHash: app.HashToken(adminToken), Clock: clock,
		Rand: rand.Reader, Options: demo.Options{Seed: cfg.Seed, Weeks: cfg.Weeks}, Progress: bar})
	fmt.Fprintln(stderr)
	if err != nil {
		return nil, err
	}
	// Folded now, the projections are caught up when serve starts, so that
	// the first dashboard shows the whole history.
	if _, err := projections.Rebuild(ctx, projectionsConfig(sc, store, nil, logger, nil)); err != nil {
		return nil, fmt.Errorf("demo: fold the projections: %w", err)
	}
	return org, nil
}

// demoDataDir returns the data directory to seed: dir, created if it does
// not exist, which must otherwise be empty; or, for "", a new temporary
// directory. cleanup removes the temporary directory (and does nothing for
// dir). A non-empty dir is a usageError.
func demoDataDir(dir string) (data string, cleanup func(), err error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "empulse-demo-")
		if err != nil {
			return "", nil, fmt.Errorf("demo: %w", err)
		}
		return tmp, func() { os.RemoveAll(tmp) }, nil
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", nil, fmt.Errorf("demo: %w", err)
		}
	case err != nil:
		return "", nil, fmt.Errorf("demo: %w", err)
	case len(entries) > 0:
		return "", nil, usageErrorf("demo: --data %s is not empty: the demo seeds a fresh organisation into a new or empty directory", dir)
	}
	return dir, func() {}, nil
}

// progressBar returns a demo.Config.Progress that draws a bar after label
// on w, redrawn only when the percentage changes.
func progressBar(w io.Writer, label string) func(done, total int) {
	const width = 30
	last := -1
	return func(done, total int) {
		pct := 100
		if total > 0 {
			pct = min(100, done*100/total)
		}
		if pct == last {
			return
		}
		last = pct
		n := pct * width / 100
		fmt.Fprintf(w, "\r%s [%s%s] %3d%%", label, strings.Repeat("#", n), strings.Repeat(".", width-n), pct)
	}
}

// printDemo writes what the demo holds and the links to try it with.
func printDemo(w io.Writer, base string, org *demo.Org, adminToken string, cfg demoConfig, data string, took time.Duration) {
	fmt.Fprintf(w, `
Empulse demo: %s/

%s, %d teams on three levels, %d members, %d weeks of weekly pulses
(WHO-5, eNPS, empowerment, engagement) and recognition, seeded in %.1f s (%d commands).
Each link signs you in as one of its members:

  employee     %-34s %s/pulse#token=%s
               (their recognition)                %s/recognition#token=%s
  leader       %-34s %s/dashboard#token=%s
  analyst      %-34s %s/analysis#token=%s

  admin token (API: Authorization: Bearer <token>)  %s

`, base, demo.OrgName, org.Teams, len(org.Members), org.Weeks, took.Seconds(), org.Commands,
		org.Employee.Name+" ("+org.Employee.Team+")", base, org.Employee.Token, base, org.Employee.Token,
		org.Leader.Name+" (head of "+org.Leader.Team+")", base, org.Leader.Token,
		org.Analyst.Name+" ("+org.Analyst.Team+")", base, org.Analyst.Token, adminToken)
	if cfg.Data == "" {
		fmt.Fprintf(w, "Data: %s, removed when the demo stops (--data DIR keeps it).\n", data)
	} else {
		fmt.Fprintf(w, "Data: %s; later, 'empulse serve --data %s' serves it again.\n", data, data)
	}
	fmt.Fprintf(w, "A simulator answers pulses and gives recognition, %g a second. Ctrl-C stops the demo.\n", rateOr(cfg.Rate))
}

// rateOr returns rate, or demo.DefaultRate for 0.
func rateOr(rate float64) float64 {
	if rate == 0 {
		return demo.DefaultRate
	}
	return rate
}

// listenWatcher is a slog.Handler that hands records on to h, and sends
// the address of serve's "listening" record on addr whatever h's level.
type listenWatcher struct {
	h    slog.Handler
	addr chan<- string
}

// Enabled reports whether records of level l are handled: those h handles,
// and info records, one of which may be "listening".
func (w listenWatcher) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || w.h.Enabled(ctx, l)
}

// Handle sends the address of a "listening" record, then hands r to h if
// h handles its level.
func (w listenWatcher) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "listening" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key != "addr" {
				return true
			}
			select {
			case w.addr <- a.Value.String():
			default:
			}
			return false
		})
	}
	if !w.h.Enabled(ctx, r.Level) {
		return nil
	}
	return w.h.Handle(ctx, r)
}

// WithAttrs returns the watcher of h with attrs.
func (w listenWatcher) WithAttrs(attrs []slog.Attr) slog.Handler {
	return listenWatcher{h: w.h.WithAttrs(attrs), addr: w.addr}
}

// WithGroup returns the watcher of h in group name.
func (w listenWatcher) WithGroup(name string) slog.Handler {
	return listenWatcher{h: w.h.WithGroup(name), addr: w.addr}
}

// parseDemoFlags returns the demo configuration given by args. For -h it
// prints the usage to stdout and returns flag.ErrHelp; every other error is
// a one-line usageError.
func parseDemoFlags(args []string, stdout io.Writer) (demoConfig, error) {
	cfg := defaultDemoConfig()
	fs := newDemoFlagSet(&cfg)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp { //nolint:errorlint // flag returns ErrHelp itself
			printDemoUsage(stdout)
			return cfg, err
		}
		return cfg, usageErrorf("demo: %v (run 'empulse help demo' for usage)", err)
	}
	switch {
	case fs.NArg() > 0:
		return cfg, usageErrorf("demo: unexpected argument %q (run 'empulse help demo' for usage)", fs.Arg(0))
	case cfg.Weeks < 1 || cfg.Weeks > maxDemoWeeks:
		return cfg, usageErrorf("demo: --weeks %d: want 1 to %d", cfg.Weeks, maxDemoWeeks)
	case !(cfg.Rate > 0 && cfg.Rate <= demo.MaxRate):
		return cfg, usageErrorf("demo: --rate %g: want more than 0 and at most %g a second", cfg.Rate, demo.MaxRate)
	}
	return cfg, nil
}

// maxDemoWeeks is the longest history the demo seeds: two years.
const maxDemoWeeks = 104

// defaultDemoConfig returns the demo's configuration when no flag says
// otherwise.
func defaultDemoConfig() demoConfig {
	return demoConfig{Addr: "127.0.0.1:8080", Seed: 1, Weeks: demo.DefaultWeeks, Rate: demo.DefaultRate, LogLevel: slog.LevelWarn}
}

// newDemoFlagSet returns the demo's flag set, which parses into cfg and
// takes cfg's current values as defaults. It prints nothing.
func newDemoFlagSet(cfg *demoConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "TCP `address` to listen on, host:port; port 0 picks a free port")
	fs.StringVar(&cfg.Data, "data", cfg.Data, "data `directory`, new or empty, kept after the demo; empty means a temporary one, removed when the demo stops")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "`number` that chooses the organisation and its history")
	fs.IntVar(&cfg.Weeks, "weeks", cfg.Weeks, "`weeks` of history, the current one included")
	fs.Float64Var(&cfg.Rate, "rate", cfg.Rate, "the simulator's `pace`: answers and recognitions per second")
	fs.TextVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "least severe log `level`: debug, info, warn or error")
	return fs
}

// printDemoUsage writes the demo's usage, with its defaults, to w.
func printDemoUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: empulse demo [flags]

Seeds a fresh data directory with a demo organisation (30 teams, about 300
members, half a year of weekly pulses and recognition), serves it on the
embedded event store, prints links that sign you in as an employee, a leader
and an analyst, and simulates the members answering and recognising each other
until SIGINT or SIGTERM.

Flags:
`)
	cfg := defaultDemoConfig()
	fs := newDemoFlagSet(&cfg)
	fs.SetOutput(w)
	fs.PrintDefaults()
}
