package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// The groups that run a package's go test benchmarks. Each runs them once
// with -count set to -runs, so that a benchmark's setup (a log of a
// million events, say) is built once, and renders their medians.

// pick returns full, or quick with -quick.
func (e *env) pick(full, quick string) string {
	if e.cfg.quick {
		return quick
	}
	return full
}

// commandNote is the line under a section's table naming the command that
// produced it.
func commandNote(b goBench, count int) string {
	return fmt.Sprintf("\nMeasured by `%s`.\n", shell(b.command(count)))
}

// target formats a target and whether the median meets it.
func target(text string, met bool, s summary) string {
	switch {
	case !s.ok():
		return text
	case met:
		return text + " (met)"
	default:
		return text + " (**not met**)"
	}
}

// vsBaseline returns the ratio of two medians, or "n/a".
func vsBaseline(got, base summary) string {
	if !got.ok() || !base.ok() || base.median == 0 {
		return "n/a"
	}
	return ratio(got.median / base.median)
}

// appendGroup measures the embedded store's durable appends beside raw
// pebble's synced writes.
func appendGroup(ctx context.Context, e *env) section {
	const name, title = "append", "Embedded event store: durable append (`events/pebble`), issue 2"
	b := goBench{pkg: "./events/pebble", pattern: "^Benchmark(Append|Baseline)$/^(writers|set-sync)",
		benchtime: e.pick("", "200x")}
	s, err := e.runGoBench(ctx, b, e.cfg.runs)
	e.embedded.append = s
	t := table{head: []string{"What", "Target", fmt.Sprintf("Median of %d", e.cfg.runs), "Same-run baseline: raw pebble `Set` + `Sync`", "Ratio"}}
	for _, w := range []int{64, 1} {
		got := s.summary(fmt.Sprintf("BenchmarkAppend/writers=%d", w), "events/s")
		base := s.summary(fmt.Sprintf("BenchmarkBaseline/set-sync/writers=%d", w), "events/s")
		tgt := "reported"
		if w == 64 {
			tgt = target(">= 200k events/s, p99 reported", got.median >= 200e3, got)
		}
		lat := fmt.Sprintf("p50 %s, p99 %s",
			s.summary(fmt.Sprintf("BenchmarkAppend/writers=%d", w), "p50-µs").times(1e-3).ms(false),
			s.summary(fmt.Sprintf("BenchmarkAppend/writers=%d", w), "p99-µs").times(1e-3).ms(false))
		t.add(fmt.Sprintf("Durable append, %d writer%s, 1 event per append, each to a new stream", w, plural(w)), tgt,
			got.rate(" events/s", true)+"; "+lat, fmt.Sprintf("%d writer%s: %s", w, plural(w), base.rate("/s", false)),
			vsBaseline(got, base))
	}
	body := t.String() + commandNote(b, e.cfg.runs) + `
The store writes three keys per event (the log record, the stream index, the event-ID index),
checks each expected revision in one committer goroutine, and group-commits every waiting append
in one batch and one WAL sync. With one writer it pays one sync per append, like pebble; with 64
writers the gap to raw pebble writing one key per event is the committer's serial work between
syncs. Both follow the disk's sync rate (above).
`
	if err != nil {
		return failed(name, title, body, err)
	}
	return section{name: name, title: title, body: body}
}

// plural returns "s" unless n is 1.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// replayGroup measures a subscription replaying a compacted log beside a
// raw pebble scan of the same keys.
func replayGroup(ctx context.Context, e *env) section {
	const name, title = "replay", "Embedded event store: replay (`events/pebble`), issue 2"
	b := goBench{pkg: "./events/pebble", pattern: "^Benchmark(Replay|Baseline)$/^(noop|typed|scan)$",
		benchtime: e.pick("", "1x")}
	events := 1_000_000
	if e.cfg.quick {
		events = 20_000
		b.args = []string{"-pebble.replay-events=" + strconv.Itoa(events)}
	}
	s, err := e.runGoBench(ctx, b, e.cfg.runs)
	e.embedded.replay = s
	noop := s.summary("BenchmarkReplay/noop", "events/s")
	typed := s.summary("BenchmarkReplay/typed", "events/s")
	scan := s.summary("BenchmarkBaseline/scan", "events/s")
	t := table{head: []string{"What", "Target", fmt.Sprintf("Median of %d", e.cfg.runs), "Same-run baseline: raw pebble scan of the log keys", "Ratio"}}
	t.add(fmt.Sprintf("Replay of %s events to a no-op consumer (subscription from Start until caught up)", count(float64(events))),
		target(">= 1M events/s", noop.median >= 1e6, noop), noop.rate(" events/s", true), scan.rate("/s", false), vsBaseline(noop, scan))
	t.add("Replay decoded into typed Go values (`events.Registry`, goccy/go-json)",
		target(">= 500k events/s", typed.median >= 500e3, typed), typed.rate(" events/s", true), "", "")
	body := t.String() + commandNote(b, e.cfg.runs) + `
The log (its size set by ` + "`-pebble.replay-events`" + `) is compacted first, as after a restore.
Records are copied into shared 64 KiB slabs and handed over in chunks of 256 messages; a
subscriber's decoding runs on the other core.
`
	if err != nil {
		return failed(name, title, body, err)
	}
	return section{name: name, title: title, body: body}
}

// rebuildGroup measures the projections' rebuild beside the bare
// subscription it reads.
func rebuildGroup(ctx context.Context, e *env) section {
	const name, title = "rebuild", "Projections: rebuild (`projections`), issue 5"
	b := goBench{pkg: "./projections", pattern: "^Benchmark(Rebuild|ReplayBaseline)$", benchtime: e.pick("", "1x")}
	answers, teams := 1_000_000, 1000
	if e.cfg.quick {
		answers, teams = 20_000, 20
		b.args = []string{"-projections.answers=" + strconv.Itoa(answers), "-projections.teams=" + strconv.Itoa(teams)}
	}
	s, err := e.runGoBench(ctx, b, e.cfg.runs)
	got := s.summary("BenchmarkRebuild", "events/s")
	base := s.summary("BenchmarkReplayBaseline", "events/s")
	t := table{head: []string{"What", "Target", fmt.Sprintf("Median of %d", e.cfg.runs), "Same-run baseline: the same subscription to a no-op consumer", "Ratio"}}
	t.add(fmt.Sprintf("Rebuild from %s answer events (plus %s teams' org events), store compacted first", count(float64(answers)), count(float64(teams))),
		target(">= 500k events/s", got.median >= 500e3, got), got.rate(" events/s", true), base.rate("/s", false), vsBaseline(got, base))
	body := t.String() + commandNote(b, e.cfg.runs) + `
Answers, nearly every event of a rebuild, are read by a small scanner for the exact shape the write
side produces (anything else falls back to goccy/go-json); the fold saves its state every 65,536
events while catching up, as ` + "`serve`" + ` does.
`
	if err != nil {
		return failed(name, title, body, err)
	}
	return section{name: name, title: title, body: body}
}

// queriesGroup measures the score queries, rebuilt and cached.
func queriesGroup(ctx context.Context, e *env) section {
	const name, title = "queries", "Projections: score queries (`projections`), issue 5"
	b := goBench{pkg: "./projections", pattern: "^BenchmarkQuery$", benchtime: e.pick("", "20x")}
	teams := 1000
	if e.cfg.quick {
		teams = 20
		b.args = []string{"-projections.teams=" + strconv.Itoa(teams)}
	}
	s, err := e.runGoBench(ctx, b, e.cfg.runs)
	q := func(sub, unit string) summary { return s.summary("BenchmarkQuery/"+sub, unit) }
	t := table{head: []string{"What", "Target", fmt.Sprintf("Median of %d", e.cfg.runs), "Same-run baseline: the view cached"}}
	hmCold := q("HeatMap1000Teams/cold", "p99-ms")
	t.add(fmt.Sprintf("Heat map of %s teams x all metrics, the week's view rebuilt (as after a write)", count(float64(teams))),
		target("p99 < 5 ms", hmCold.median < 5, hmCold),
		"p50 "+q("HeatMap1000Teams/cold", "p50-ms").ms(false)+", p99 "+hmCold.ms(true),
		"p99 "+q("HeatMap1000Teams/warm", "p99-ms").ms(false))
	t.add("One team's 12-week series, only the latest week rebuilt (as in live use)", "",
		"p50 "+q("TeamSeries12Weeks/latest-week-cold", "p50-ms").ms(false)+", p99 "+q("TeamSeries12Weeks/latest-week-cold", "p99-ms").ms(true),
		"p99 "+q("TeamSeries12Weeks/warm", "p99-ms").ms(false))
	t.add("One team's 12-week series, all 12 weeks rebuilt (first query after a restart)", "",
		"p50 "+q("TeamSeries12Weeks/cold", "p50-ms").ms(false)+", p99 "+q("TeamSeries12Weeks/cold", "p99-ms").ms(true), "")
	body := t.String() + commandNote(b, e.cfg.runs) + `
The organisation has 20 answers per team and week over 12 weeks. Past weeks' views stay cached
until written to, so only the first query after a restart pays for rebuilding all twelve.
`
	if err != nil {
		return failed(name, title, body, err)
	}
	return section{name: name, title: title, body: body}
}

// analysisGroup measures the whole correlation table.
func analysisGroup(ctx context.Context, e *env) section {
	const name, title = "analysis", "Correlation table (`analysis`), issue 6"
	b := goBench{pkg: "./analysis", pattern: "^BenchmarkTable$", benchtime: e.pick("", "1x")}
	s, err := e.runGoBench(ctx, b, e.cfg.runs)
	got := s.summary("BenchmarkTable", "ns/op")
	t := table{head: []string{"What", "Target", fmt.Sprintf("Median of %d", e.cfg.runs), "Allocations per table"}}
	t.add("Full table, 1,000 teams x 52 weeks", target("< 200 ms", got.median < 200e6, got), got.show(func(v float64) string { return sig3(v / 1e6) }, " ms", true),
		s.summary("BenchmarkTable", "allocs/op").show(count, "", false)+" allocations, "+
			s.summary("BenchmarkTable", "B/op").show(func(v float64) string { return sig3(v / (1 << 20)) }, " MiB", false))
	body := t.String() + commandNote(b, e.cfg.runs) + `
The table analysts export: 1,000 teams x 52 weeks (5% of cells missing, zero-heavy recognition
counts), every recognition-versus-score pair, lags -4 to +4, pooled Pearson and Spearman, rmcorr,
the between-team correlation, and Benjamini-Hochberg across all 112 rows. It has no baseline: it is
pure computation, and its target is absolute.
`
	if err != nil {
		return failed(name, title, body, err)
	}
	return section{name: name, title: title, body: body}
}

// fanoutGroup measures the live hub's fan-out for each client count of
// -fanout, from a change to its receipt, with the dashboards in a child
// process (BenchmarkFeedFanout).
func fanoutGroup(ctx context.Context, e *env) section {
	const name, title = "fanout", "Live pushes: fan-out (`web/live`), issue 7"
	t := table{head: []string{"Dashboards", "Change to receipt", "Server memory per connection", "Server CPU per message", "Lost / dropped"}}
	var cmds []string
	var errs []string
	for _, n := range e.cfg.fanout {
		teams := min(100, n)
		if e.cfg.quick {
			teams = min(4, n)
		}
		b := goBench{pkg: "./web/live", pattern: "^BenchmarkFeedFanout$", benchtime: "1x",
			args: []string{"-live.clients=" + strconv.Itoa(n), "-live.teams=" + strconv.Itoa(teams), "-live.duration=" + e.pick("10s", "2s")}}
		cmds = append(cmds, "`"+shell(b.command(e.cfg.runs))+"`")
		s, err := e.runGoBench(ctx, b, e.cfg.runs)
		if err != nil {
			errs = append(errs, err.Error())
			t.add(count(float64(n)), "failed: "+oneLine(err.Error()), "", "", "")
			continue
		}
		const bn = "BenchmarkFeedFanout"
		t.add(count(float64(n))+fmt.Sprintf(" on %d team topics", teams),
			"p50 "+s.summary(bn, "p50-ms").ms(false)+", p99 "+s.summary(bn, "p99-ms").ms(true)+", max "+s.summary(bn, "max-ms").ms(false),
			s.summary(bn, "B/conn").show(func(v float64) string { return sig3(v / 1024) }, " KiB", false)+", "+
				s.summary(bn, "goroutines/conn").show(sig3, " goroutines", false),
			s.summary(bn, "server-us/msg").show(sig3, " µs", false),
			s.summary(bn, "lost").show(count, "", false)+" / "+s.summary(bn, "dropped").show(count, "", false))
	}
	body := t.String() + "\nMeasured by " + strings.Join(cmds, " and ") + `.

Target: p99 < 100 ms from projection change to client receipt at one update per second per team.
The hub runs in the benchmark's process; the dashboards run in a child process (the test binary
started again), so the memory and goroutines per connection are the server's alone. A driver
stands in for the projections: every 1 s / teams it changes the next team's counts by one gate
step and calls ` + "`TeamFeed.Changed`" + `, so the path measured is change, load, gate, publish, receipt;
each 512-byte message carries the time of its change. Dashboards and server share the machine's
two cores, so the latency moves with the machine's load.
`
	if len(errs) > 0 {
		return section{name: name, title: title, body: body, err: fmt.Errorf("%s", strings.Join(errs, "; "))}
	}
	return section{name: name, title: title, body: body}
}

// esdbGroup measures the EventStoreDB backend against its protocol test
// server, beside the embedded store's figures of the same run.
func esdbGroup(ctx context.Context, e *env) section {
	const name, title = "esdb", "EventStoreDB backend against the protocol test server (`events/esdb`), issue 3"
	b := goBench{pkg: "./events/esdb", pattern: "^Benchmark(Append|Subscribe)$", benchtime: e.pick("", "100x")}
	s, err := e.runGoBench(ctx, b, e.cfg.runs)
	t := table{head: []string{"What", fmt.Sprintf("Median of %d", e.cfg.runs), "Embedded store, same run", "Ratio"}}
	for _, w := range []int{1, 64} {
		got := s.summary(fmt.Sprintf("BenchmarkAppend/Writers=%d", w), "events/s")
		emb := e.embedded.append.summary(fmt.Sprintf("BenchmarkAppend/writers=%d", w), "events/s")
		t.add(fmt.Sprintf("Append, %d writer%s, 1 event per append", w, plural(w)), got.rate(" events/s", true),
			embeddedCell(emb, "events/s"), vsBaseline(got, emb))
	}
	all := s.summary("BenchmarkSubscribe/All", "events/s")
	noop := e.embedded.replay.summary("BenchmarkReplay/noop", "events/s")
	t.add("Subscribe to `$all` from Start until caught up, every event delivered", all.rate(" events/s", true),
		embeddedCell(noop, "events/s (replay, no-op)"), vsBaseline(all, noop))
	t.add("Same, a server-side filter selecting a tenth (events scanned)", s.summary("BenchmarkSubscribe/Tenth", "events/s").rate(" events/s", true), "", "")
	body := t.String() + commandNote(b, e.cfg.runs) + `
The test server (` + "`events/esdb/esdbtest`" + `) speaks EventStoreDB's gRPC protocol over loopback and
keeps its events in the embedded store, so these rows measure the official client, the protocol and
the embedded store together, not a real EventStoreDB cluster. The embedded store's column is filled
when the append and replay groups ran too. Published figures for a real single-node
EventStoreDB/KurrentDB are about 15-33k writes/s on better hardware.
`
	if err != nil {
		return failed(name, title, body, err)
	}
	return section{name: name, title: title, body: body}
}

// embeddedCell formats an embedded-store figure for the esdb table, or
// "not run".
func embeddedCell(s summary, unit string) string {
	if !s.ok() {
		return "not run"
	}
	return rate(s.median) + " " + unit
}
