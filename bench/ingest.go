package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ingestSizes are the organisations of a full and a quick run. A full
// run of 5 x 6 s at up to ~15k answers/s needs under 500k answers.
var ingestSizes = map[bool]orgSize{
	false: {teams: 16, members: 2048, surveys: 256},
	true:  {teams: 4, members: 128, surveys: 64},
}

// ingestRun is one run's pair of measurements.
type ingestRun struct {
	empulse, bare       loadResult
	empulseCPU, bareCPU time.Duration // the servers' CPU time over the run
	server              serverTimes   // empulse's own times over the run
}

// ingestGroup measures answers posted over HTTP to `empulse serve`,
// durable, with the projections and the live pushes on, beside a bare gin
// server that only decodes the same requests, run by run.
func ingestGroup(ctx context.Context, e *env) section {
	const name, title = "ingest", "HTTP answer ingest, end to end, issue 8"
	runs, d, err := e.measureIngest(ctx)
	body := renderIngest(e.cfg, runs, d)
	if err != nil {
		return failed(name, title, body, err)
	}
	return section{name: name, title: title, body: body}
}

// ingestSetup is what the ingest runs had besides their measurements.
type ingestSetup struct {
	size    orgSize
	seeded  time.Duration
	scores  int64 // team-score pushes the dashboard received
	tables  int64 // correlation tables the dashboard received
	answers int   // answers stored by the runs, warm-ups included
}

// measureIngest seeds, starts both servers and the dashboard, and runs
// the alternating measurements. It returns what it measured so far with
// its error.
func (e *env) measureIngest(ctx context.Context) (runs []ingestRun, setup ingestSetup, err error) {
	dir := filepath.Join(e.tmp, "ingest")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, setup, err
	}
	e.logf("  building empulse")
	bin, err := e.buildEmpulse(ctx)
	if err != nil {
		return nil, setup, err
	}
	setup.size = ingestSizes[e.cfg.quick]
	e.logf("  seeding %d members, %d surveys", setup.size.members, setup.size.surveys)
	start := time.Now()
	o, err := seed(ctx, filepath.Join(dir, "data"), setup.size)
	if err != nil {
		return nil, setup, err
	}
	setup.seeded = time.Since(start)

	srv, err := startEmpulse(ctx, bin, filepath.Join(dir, "data"), o.admin, filepath.Join(dir, "empulse.log"))
	if err != nil {
		return nil, setup, err
	}
	defer srv.stop()
	bare, err := startBare(ctx, filepath.Join(dir, "bare.log"))
	if err != nil {
		return nil, setup, err
	}
	defer bare.stop()
	topics := []string{"correlations", "team:" + o.root}
	for _, t := range o.teams {
		topics = append(topics, "team:"+t)
	}
	dash, err := openDashboard(ctx, srv.addr, o.admin, topics)
	if err != nil {
		return nil, setup, err
	}
	defer func() {
		dash.close()
		setup.scores, setup.tables = dash.scores.Load(), dash.tables.Load()
	}()

	empulseClient, bareClient := newLoadClient(e.cfg.clients), newLoadClient(e.cfg.clients)
	next := 0
	for r := range e.cfg.runs {
		var run ingestRun
		from := next
		mk := func(c *child, client *http.Client) load {
			return load{client: client, base: "http://" + c.addr, request: o.answerRequest, from: from, limit: o.pairs(),
				clients: e.cfg.clients, warmup: e.cfg.warmup, duration: e.cfg.duration}
		}
		measureEmpulse := func() error {
			before, err := scrapeTimes(ctx, srv.addr)
			if err != nil {
				return err
			}
			cpu0, _ := srv.cpu()
			run.empulse = mk(srv, empulseClient).run(ctx)
			cpu1, _ := srv.cpu()
			after, err := scrapeTimes(ctx, srv.addr)
			if err != nil {
				return err
			}
			run.empulseCPU, run.server = cpu1-cpu0, after.sub(before)
			next = run.empulse.next
			setup.answers += run.empulse.statuses[201]
			if run.empulse.exhausted {
				e.logf("  run %d: every member has answered every pulse; the window was cut to %s", r+1, run.empulse.window.Round(time.Millisecond))
			}
			return nil
		}
		measureBare := func() error {
			cpu0, _ := bare.cpu()
			run.bare = mk(bare, bareClient).run(ctx)
			cpu1, _ := bare.cpu()
			run.bareCPU = cpu1 - cpu0
			return nil
		}
		// Alternate the order, so that a drift in the machine's load does
		// not always favour the same side.
		order := []func() error{measureEmpulse, measureBare}
		if r%2 == 1 {
			slices.Reverse(order)
		}
		for _, m := range order {
			if err := m(); err != nil {
				return runs, setup, err
			}
		}
		if err := ctx.Err(); err != nil {
			return runs, setup, err
		}
		runs = append(runs, run)
		e.logf("  run %d: empulse %.0f answers/s, bare %.0f/s", r+1, run.empulse.perSecond(), run.bare.perSecond())
		if bad := unexpected(run.empulse.statuses); bad != "" {
			return runs, setup, fmt.Errorf("empulse answered %s (see its log)", bad)
		}
		if bad := unexpected(run.bare.statuses); bad != "" {
			return runs, setup, errors.New("the bare server answered " + bad)
		}
	}
	return runs, setup, nil
}

// unexpected describes the statuses other than 201, or returns "".
func unexpected(statuses map[int]int) string {
	var out []string
	for _, s := range slices.Sorted(maps.Keys(statuses)) {
		if s != 201 {
			what := fmt.Sprintf("HTTP %d", s)
			if s == 0 {
				what = "transport errors"
			}
			out = append(out, fmt.Sprintf("%d x %s", statuses[s], what))
		}
	}
	return strings.Join(out, ", ")
}

// renderIngest renders the ingest section.
func renderIngest(cfg config, runs []ingestRun, setup ingestSetup) string {
	col := func(f func(ingestRun) float64) summary {
		vs := make([]float64, len(runs))
		for i, r := range runs {
			vs[i] = f(r)
		}
		return summarize(vs)
	}
	pct := func(r loadResult, p float64) float64 { return ms(percentile(r.latencies, p)) }
	perAnswer := func(cpu time.Duration, r loadResult) float64 {
		if r.sent == 0 {
			return 0
		}
		return ms(cpu) / float64(r.sent)
	}
	eRate, bRate := col(func(r ingestRun) float64 { return r.empulse.perSecond() }), col(func(r ingestRun) float64 { return r.bare.perSecond() })
	ratios := col(func(r ingestRun) float64 {
		if b := r.bare.perSecond(); b > 0 {
			return r.empulse.perSecond() / b
		}
		return 0
	})

	var b strings.Builder
	t := table{head: []string{"What", fmt.Sprintf("`empulse serve` (median of %d)", len(runs)), "Same-run baseline: bare gin, decode only", "Ratio (per run)"}}
	t.add(fmt.Sprintf("Answers/s, %d keep-alive clients", cfg.clients), eRate.rate("/s", true), bRate.rate("/s", false),
		ratios.show(ratio, "", true))
	t.add("Latency p50", col(func(r ingestRun) float64 { return pct(r.empulse, 0.50) }).ms(false),
		col(func(r ingestRun) float64 { return pct(r.bare, 0.50) }).ms(false), "")
	t.add("Latency p99", col(func(r ingestRun) float64 { return pct(r.empulse, 0.99) }).ms(true),
		col(func(r ingestRun) float64 { return pct(r.bare, 0.99) }).ms(false), "")
	t.add("Server CPU time per answer (both cores count)",
		col(func(r ingestRun) float64 { return perAnswer(r.empulseCPU, r.empulse) }).ms(false),
		col(func(r ingestRun) float64 { return perAnswer(r.bareCPU, r.bare) }).ms(false), "")
	inOrder := func(f func(ingestRun) loadResult) string {
		out := make([]string, len(runs))
		for i, r := range runs {
			out[i] = rate(f(r).perSecond())
		}
		return strings.Join(out, ", ")
	}
	t.add("Answers/s run by run, in order", inOrder(func(r ingestRun) loadResult { return r.empulse }),
		inOrder(func(r ingestRun) loadResult { return r.bare }), "")
	t.add("Target", "", "", target("ratio >= 0.7", ratios.median >= 0.7, ratios))
	b.WriteString(t.String())

	srvMean := col(func(r ingestRun) float64 {
		if r.server.requestCount == 0 {
			return 0
		}
		return 1000 * r.server.requestSum / r.server.requestCount
	})
	appMean := col(func(r ingestRun) float64 {
		if r.server.appendCount == 0 {
			return 0
		}
		return 1000 * r.server.appendSum / r.server.appendCount
	})
	rest := col(func(r ingestRun) float64 {
		if r.server.requestCount == 0 || r.server.appendCount == 0 {
			return 0
		}
		return 1000 * (r.server.requestSum/r.server.requestCount - r.server.appendSum/r.server.appendCount)
	})
	fmt.Fprintf(&b, `
Inside the server (its own `+"`/metrics`"+`, over each run): an answer request took %s on average from
the router to the response. The durable append (group commit and WAL sync) took %s of it on
average; the other %s went to authentication, the app's reads, sealing the comment, and waiting
until the projections had folded the answer (read-your-writes). The live dashboard received %s
team-score pushes and %s correlation tables during the runs, which stored %s answers.
`, srvMean.ms(false), appMean.ms(false), rest.ms(false), count(float64(setup.scores)), count(float64(setup.tables)), count(float64(setup.answers)))

	fmt.Fprintf(&b, `
How it is measured. `+"`go run ./bench`"+` builds the `+"`empulse`"+` command and seeds a fresh data directory
through the `+"`app`"+` package, as the API would (%s): a root team with %d teams under it, %s employees,
and %d weekly WHO-5 surveys of the whole organisation, each with its first pulse open, so that
%s distinct answers can be posted (each member answers each pulse once). It then runs `+"`empulse serve`"+`
on that directory as a child process, as deployed: the embedded store (every answer synced before
it is acknowledged), the projections (an answer is acknowledged once they have folded it), the live
hub with a dashboard client subscribed to every team's scores and the correlation table, and
request logs at info level (to a file). The baseline is this program re-executed as a bare gin
server with no middleware, whose one route decodes the same body the same way (`+"`strictjson`"+`
into the API's request shape, then each value) and answers 201 with a receipt of the same shape.

Both servers get the same requests from the same %d keep-alive clients in this process (each sends
its next request when the last is answered): request i is member i mod %s answering pulse i div
%s, five values and one comment in four. Each run measures one server for %s after %s of unmeasured
warm-up, then the other on the same requests, alternating which goes first; the ratio is taken run by
run. Every answer falls in the current ISO week, so each run starts with the previous runs' answers
in the week's figures, which the run-by-run row shows. Server and load generator are separate processes, so they do not share a Go runtime or its
garbage collector, but they share the machine's cores, as in the project's notes on wrk.
`, setup.seeded.Round(100*time.Millisecond), setup.size.teams, count(float64(setup.size.members)), setup.size.surveys,
		count(float64(setup.size.members*setup.size.surveys)), cfg.clients, count(float64(setup.size.members)),
		count(float64(setup.size.members)), cfg.duration, cfg.warmup)
	return b.String()
}
