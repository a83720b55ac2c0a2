package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/analysis/report"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/correlations"
	"github.com/empulse/empulse/projections"
)

// exportConfig is the configuration of "export correlations".
type exportConfig struct {
	// Data and Store locate the events, as for serve.
	Data, Store string
	// Out is the directory the files are written to.
	Out string
	// From, To, Team, Lags and MinN are the filters, as the API's
	// from, to, team, lags and min_n parameters.
	From, To, Team, Lags string
	MinN                 int
}

// scoreVariables are the scores that recognition is plotted against and
// whose trends are drawn.
var scoreVariables = []analysis.Variable{analysis.Engagement, analysis.Wellbeing, analysis.ENPS, analysis.Participation}

// runExport is the export command; its only subcommand is correlations.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "correlations" {
		printExportUsage(stderr)
		return usageErrorf("export: want 'empulse export correlations [flags]'")
	}
	cfg, err := parseExportFlags(args[1:], getenv, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	return exportCorrelations(ctx, cfg, stdout, stderr)
}

// parseExportFlags returns the configuration given by args and the
// environment (EMPULSE_DATA, EMPULSE_STORE), flags winning. For -h it
// prints the usage to stdout and returns flag.ErrHelp.
func parseExportFlags(args []string, getenv func(string) string, stdout io.Writer) (exportConfig, error) {
	cfg := exportConfig{Data: defaultServeConfig().Data, Out: ".", MinN: analysis.DefaultMinN}
	if v := getenv(envData); v != "" {
		cfg.Data = v
	}
	cfg.Store = getenv(envStore)
	fs := newExportFlagSet(&cfg)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp { //nolint:errorlint // flag returns ErrHelp itself
			printExportUsage(stdout)
			return cfg, err
		}
		return cfg, usageErrorf("export correlations: %v (run 'empulse help export' for usage)", err)
	}
	if fs.NArg() > 0 {
		return cfg, usageErrorf("export correlations: unexpected argument %q (run 'empulse help export' for usage)", fs.Arg(0))
	}
	if cfg.Data == "" {
		return cfg, usageErrorf("export correlations: the data directory (--data, %s) must not be empty", envData)
	}
	if cfg.Store != "" && !isESDB(cfg.Store) {
		return cfg, usageErrorf("export correlations: --store (%s) %q: want an esdb:// or esdb+discover:// connection string, or empty for the embedded store", envStore, cfg.Store)
	}
	return cfg, nil
}

// newExportFlagSet returns the export flag set, parsing into cfg.
func newExportFlagSet(cfg *exportConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("export correlations", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&cfg.Data, "data", cfg.Data, "data `directory`, as for serve ("+envData+")")
	fs.StringVar(&cfg.Store, "store", cfg.Store, "EventStoreDB/KurrentDB connection `string`; empty uses the embedded store ("+envStore+")")
	fs.StringVar(&cfg.Out, "out", cfg.Out, "`directory` the files are written to; created if missing")
	fs.StringVar(&cfg.From, "from", "", "first ISO `week`, like 2026-W40; default 11 weeks before --to")
	fs.StringVar(&cfg.To, "to", "", "last ISO `week`; default this week")
	fs.StringVar(&cfg.Team, "team", "", "`id` of the team whose subtree is analysed; default the whole organisation")
	fs.StringVar(&cfg.Lags, "lags", "", "comma-separated `lags` in weeks, each -4 to 4; default -4 to 4")
	fs.IntVar(&cfg.MinN, "min-n", cfg.MinN, "minimum `n` of every test, at least 4")
	return fs
}

// printExportUsage writes the export command's usage to w.
func printExportUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: empulse export correlations [flags]

Writes the correlation analysis that GET /api/v1/analysis/correlations serves
into --out: correlations.json, correlations.csv and correlations.ndjson; a
scatter of recognition against each score at lag 0 (scatter-recognition-<score>-lag0.png
and .svg); and each score's trends for the subtree and its direct sub-teams
(trends-<score>.png and .svg). Only the figures the dashboard shows are used:
groups below k, or withheld to protect a smaller group, contribute nothing.

It opens the data directory itself, catching the projections up with the
event log first, so the server must be stopped (like rebuild).

Flags:
`)
	var cfg exportConfig
	fs := newExportFlagSet(&cfg)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// exportCorrelations opens the store and the projections of cfg, catches
// the projections up, and writes the files into cfg.Out, listing them on
// stdout.
func exportCorrelations(ctx context.Context, cfg exportConfig, stdout, stderr io.Writer) (err error) {
	logger := newLogger(stderr, slog.LevelWarn, logText)
	sc := serveConfig{Data: cfg.Data, Store: cfg.Store}
	store, err := openStore(ctx, sc, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	runner, err := openProjections(sc, store, nil, logger, nil)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := runner.Stop(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("stop projections: %w", cerr))
		}
	}()
	f, err := exportFilters(runner, cfg)
	if err != nil {
		return err
	}
	if _, err := runner.CatchUp(ctx); err != nil {
		return fmt.Errorf("catch the projections up: %w", err)
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return fmt.Errorf("export correlations: %w", err)
	}
	w := &fileWriter{dir: cfg.Out, stdout: stdout}
	return writeExports(ctx, w, runner, f, time.Now(), stderr)
}

// exportFilters returns cfg's filters, checked as the API checks them; a
// bad value is a usageError naming its flag.
func exportFilters(r *projections.Runner, cfg exportConfig) (correlations.Filters, error) {
	flagErr := func(err error) error {
		msg := err.Error()
		var e *apperr.Error
		if errors.As(err, &e) {
			msg = e.Message
		}
		return usageErrorf("export correlations: --%s: %s", apperr.FieldOf(err), msg)
	}
	var f correlations.Filters
	var err error
	if f.From, f.To, err = r.Period(cfg.From, cfg.To); err != nil {
		return f, flagErr(err)
	}
	if f.Lags, err = correlations.ParseLags("lags", cfg.Lags); err != nil {
		return f, flagErr(err)
	}
	if cfg.MinN < correlations.MinMinN {
		return f, usageErrorf("export correlations: --min-n: %d; want at least %d", cfg.MinN, correlations.MinMinN)
	}
	f.MinN, f.Team = cfg.MinN, cfg.Team
	return f, nil
}

// writeExports writes the table in its three formats, the scatters of
// recognition against each score at lag 0 and the scores' trends, each
// plot as PNG and SVG. A subtree with too many sub-teams for a trend chart
// gets no trends: that is reported on stderr, not an error.
func writeExports(ctx context.Context, w *fileWriter, src correlations.Source, f correlations.Filters, now time.Time, stderr io.Writer) error {
	data, err := correlations.Series(ctx, src, f)
	if err != nil {
		return fmt.Errorf("export correlations: %w", err)
	}
	rows := correlations.TableOf(data, f)
	meta := correlations.Meta(src, f, now)
	for _, format := range []report.Format{report.JSON, report.CSV, report.NDJSON} {
		if err := w.write("correlations."+string(format), func(out io.Writer) error { return report.Write(out, format, meta, rows) }); err != nil {
			return err
		}
	}
	for _, y := range scoreVariables {
		chart, err := correlations.ScatterOf(data, analysis.Recognition, y, 0, f.MinN)
		if err != nil {
			return fmt.Errorf("export correlations: scatter %s: %w", y, err)
		}
		if err := w.chart(fmt.Sprintf("scatter-%s-%s-lag0", analysis.Recognition, y), chart); err != nil {
			return err
		}
	}
	for _, v := range scoreVariables {
		chart, err := correlations.Trends(ctx, src, f, v)
		if apperr.CodeOf(err) == apperr.Invalid {
			fmt.Fprintf(stderr, "empulse: no trends written: %v\n", err)
			return nil
		}
		if err != nil {
			return fmt.Errorf("export correlations: trends of %s: %w", v, err)
		}
		if err := w.chart("trends-"+v.String(), chart); err != nil {
			return err
		}
	}
	return nil
}

// fileWriter writes export files into dir, each whole or not at all, and
// lists their paths on stdout.
type fileWriter struct {
	dir    string
	stdout io.Writer
}

// chart writes chart as name.png and name.svg at the default size.
func (w *fileWriter) chart(name string, chart *report.Chart) error {
	for _, format := range []report.ImageFormat{report.PNG, report.SVG} {
		if err := w.write(name+"."+string(format), func(out io.Writer) error {
			return chart.Render(out, report.Image{Format: format})
		}); err != nil {
			return err
		}
	}
	return nil
}

// write writes the file name with fill, through a temporary file renamed
// into place.
func (w *fileWriter) write(name string, fill func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := fill(&buf); err != nil {
		return fmt.Errorf("export correlations: %s: %w", name, err)
	}
	path := filepath.Join(w.dir, name)
	tmp, err := os.CreateTemp(w.dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("export correlations: %w", err)
	}
	_, err = tmp.Write(buf.Bytes())
	err = errors.Join(err, tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("export correlations: write %s: %w", path, err)
	}
	fmt.Fprintln(w.stdout, path)
	return nil
}
