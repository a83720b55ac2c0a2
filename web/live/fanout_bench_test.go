//go:build unix

package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/empulse/empulse/web/live"
)

var benchDuration = flag.Duration("live.duration", 10*time.Second, "how long BenchmarkFeedFanout changes every team's figures once a second")

// BenchmarkFeedFanout measures what issue 7 asks of live pushes: the time
// from a change of a team's figures to its receipt by every dashboard
// subscribed to the team, at one change per second per team, and the
// server's memory per connection.
//
// The -live.clients dashboards (spread evenly over -live.teams team
// topics) run in a child process, this test binary started again with
// fanoutChildEnv set, so that the memory (HeapInuse+StackInuse after a
// GC) and goroutines measured here are the server's alone; the two
// processes share the machine's cores. A driver plays the projection:
// every 1s/teams it changes the next team's figures (by one gate step)
// and calls TeamFeed.Changed, whose Load reads them and whose Publish is
// Hub.Publish, for -live.duration. A push carries the wall-clock time of
// its change, taken just before Changed; the dashboards subtract it from
// the time of receipt. Each iteration of the loop is one such run (so
// ns/op is its length); lag-max-ms is how late the driver's latest change
// came against its schedule.
//
// Reported: p50, p99 and max latency; pushes received, and lost (queued
// but never received, by dropped clients); clients dropped by the hub;
// server bytes per connection when idle (idle-B/conn) and after the run
// (B/conn); server goroutines per connection; the server process's CPU
// time (user and system, so the kernel's loopback work on the sending
// side too) during the runs per push queued (server-us/msg), which
// other work on the machine disturbs far less than the latencies.
func BenchmarkFeedFanout(b *testing.B) {
	clients, teams := *benchClients, min(*benchTeams, *benchClients)
	h, url := startBenchHub(b)

	var m0, m1, m2 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	g0 := runtime.NumGoroutine()
	child := startFanoutClients(b, fanoutChild{URL: url, Clients: clients, Teams: teams})
	runtime.GC()
	runtime.ReadMemStats(&m1)
	g1 := runtime.NumGoroutine()

	d := newFeedDriver(teams, h.Publish)
	var lag time.Duration
	cpu0 := cpuTime(b)
	for b.Loop() {
		lag = max(lag, d.run(b, *benchDuration))
	}
	cpu := cpuTime(b) - cpu0
	runtime.GC()
	runtime.ReadMemStats(&m2)
	st := h.Stats()
	res := child.stop(b, st.Delivered)
	if res.Malformed > 0 {
		b.Errorf("%d pushes without a change time", res.Malformed)
	}

	inuse := func(m *runtime.MemStats) float64 { return float64(m.HeapInuse + m.StackInuse) }
	b.ReportMetric(ms(res.P50), "p50-ms")
	b.ReportMetric(ms(res.P99), "p99-ms")
	b.ReportMetric(ms(res.Max), "max-ms")
	b.ReportMetric(float64(res.Received), "received")
	b.ReportMetric(float64(int64(st.Delivered)-res.Received), "lost")
	b.ReportMetric(float64(st.Dropped), "dropped")
	b.ReportMetric((inuse(&m1)-inuse(&m0))/float64(clients), "idle-B/conn")
	b.ReportMetric((inuse(&m2)-inuse(&m0))/float64(clients), "B/conn")
	b.ReportMetric(float64(g1-g0)/float64(clients), "goroutines/conn")
	b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(max(st.Delivered, 1)), "server-us/msg")
	b.ReportMetric(ms(lag), "lag-max-ms")
	b.ReportMetric(float64(clients), "clients")
}

// feedDriver plays a projection: it changes teams' figures on a schedule
// and tells a TeamFeed, whose Load reads them back.
type feedDriver struct {
	feed  *live.TeamFeed
	gate  live.Gate
	week  string
	teams []string
	index map[string]int
	// shown and changed are, per team, the respondents behind its figures
	// and the time of their last change (Unix nanoseconds).
	shown   []int
	changed []int64
}

// newFeedDriver returns a driver of teams teams ("0", "1", ...) whose
// feed publishes through publish.
func newFeedDriver(teams int, publish func(live.Topic, []byte) int) *feedDriver {
	d := &feedDriver{gate: live.Gate{K: 5}, week: isoWeek(time.Now()), index: map[string]int{},
		shown: make([]int, teams), changed: make([]int64, teams)}
	for i := range teams {
		t := fmt.Sprint(i)
		d.teams = append(d.teams, t)
		d.index[t] = i
	}
	d.feed = live.NewTeamFeed(live.FeedConfig{Gate: d.gate, Load: d.load, Publish: publish})
	return d
}

// load is the feed's Load: a team's figures as last changed.
func (d *feedDriver) load(_ context.Context, team, week string) (live.Snapshot, error) {
	i, ok := d.index[team]
	if !ok || week != d.week {
		return live.Snapshot{}, fmt.Errorf("no figures for team %q in %s", team, week)
	}
	n := d.shown[i]
	return live.Snapshot{Payload: fanoutPayload(d.changed[i], team, week, n),
		Shown: live.Counts{"engagement": n, "enps": n}}, nil
}

// change records that team i has one gate step of new answers (k at
// first), as a projection does after folding them, and tells the feed,
// which must push.
func (d *feedDriver) change(ctx context.Context, i int) error {
	d.shown[i] = max(d.shown[i]+d.gate.Step(), d.gate.K)
	d.changed[i] = time.Now().UnixNano()
	dec, err := d.feed.Changed(ctx, d.teams[i], d.week)
	if err == nil && dec != live.Push {
		err = fmt.Errorf("team %s: gate decided %v, want %v", d.teams[i], dec, live.Push)
	}
	return err
}

// run changes every team once a second, the teams in turn and evenly
// spread over the second, for dur, and returns how late the latest change
// came against that schedule.
func (d *feedDriver) run(b *testing.B, dur time.Duration) time.Duration {
	b.Helper()
	every := time.Second / time.Duration(len(d.teams))
	start := time.Now()
	var lag time.Duration
	for k := 0; ; k++ {
		at := start.Add(time.Duration(k) * every)
		if at.Sub(start) >= dur {
			return lag
		}
		time.Sleep(time.Until(at))
		lag = max(lag, time.Since(at))
		if err := d.change(b.Context(), k%len(d.teams)); err != nil {
			b.Fatal(err)
		}
	}
}

// fanoutProcess is BenchmarkFeedFanout's client process.
type fanoutProcess struct {
	cmd *exec.Cmd
	in  io.Writer
	out *bufio.Scanner
}

// startFanoutClients starts this test binary as the client process with
// cfg, registers its end, and returns once every dashboard is registered.
func startFanoutClients(b *testing.B, cfg fanoutChild) *fanoutProcess {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), fanoutChildEnv+"="+string(js))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	// Killing and waiting again after stop's Wait fail harmlessly.
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	p := &fanoutProcess{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	if got := p.line(b); got != "ready" {
		b.Fatalf("client process said %q, want ready", got)
	}
	return p
}

// stop tells the client process that the hub queued delivered pushes in
// all, and returns its result once it has exited.
func (p *fanoutProcess) stop(b *testing.B, delivered uint64) fanoutResult {
	b.Helper()
	if _, err := fmt.Fprintf(p.in, "stop %d\n", delivered); err != nil {
		b.Fatal(err)
	}
	var res fanoutResult
	if err := json.Unmarshal([]byte(p.line(b)), &res); err != nil {
		b.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		b.Fatalf("client process: %v", err)
	}
	return res
}

// line reads the client process's next line; it fails the benchmark when
// the process has ended (its stderr says why).
func (p *fanoutProcess) line(b *testing.B) string {
	b.Helper()
	if !p.out.Scan() {
		b.Fatalf("client process ended: %v", p.out.Err())
	}
	return p.out.Text()
}

// cpuTime returns the CPU time, user and system, this process has used.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
