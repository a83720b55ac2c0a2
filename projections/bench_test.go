package projections_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/projections"
	"github.com/empulse/empulse/survey"
)

// benchAnswers is the number of answer events of the rebuild benchmark,
// and benchTeams the teams of the rebuild and query benchmarks; the flags
// let `go run ./bench -quick` run them on a small organisation.
var (
	benchAnswers = 1_000_000
	benchTeams   = 1000
)

func init() {
	flag.IntVar(&benchAnswers, "projections.answers", benchAnswers, "answer events of BenchmarkRebuild and BenchmarkReplayBaseline")
	flag.IntVar(&benchTeams, "projections.teams", benchTeams, "teams of BenchmarkRebuild and BenchmarkQuery (at least 2)")
}

// benchOrg builds, in store, an organisation of nTeams teams (ten under
// each, three levels), one member per team, a survey of the whole
// organisation with k=5, one pulse a week for weeks weeks, and nAnswers
// answers spread over teams and weeks, appended 1,000 to a call.
func benchOrg(tb testing.TB, store events.Store, nTeams, weeks, nAnswers int) {
	tb.Helper()
	ctx := context.Background()
	batch := make([]events.Proposed, 0, 1000)
	stream := ""
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := store.Append(ctx, stream, events.Any(), batch...); err != nil {
			tb.Fatal(err)
		}
		batch = batch[:0]
	}
	add := func(s string, ev eventer) {
		if s != stream {
			flush()
			stream = s
		}
		data, err := events.Marshal(ev)
		if err != nil {
			tb.Fatal(err)
		}
		batch = append(batch, events.Proposed{ID: uuid.New(), Type: ev.EventType(), Data: data})
		if len(batch) == cap(batch) {
			flush()
		}
	}
	teams := make([]string, nTeams)
	for i := range teams {
		teams[i] = uuid.NewString()
		parent := ""
		if i > 0 {
			parent = teams[(i-1)/10]
		}
		add(org.Stream("o"), org.TeamCreated{Team: teams[i], Name: fmt.Sprint("team ", i), Parent: parent})
		add(org.Stream("o"), org.MemberJoined{Member: uuid.NewString(), Team: teams[i], Role: org.RoleEmployee})
	}
	qs := allQuestions()
	sv := uuid.NewString()
	add(survey.Stream(sv), survey.Created{Survey: sv, Team: teams[0], K: 5, Items: qs})
	pulses := make([]string, weeks)
	for w := range pulses {
		pulses[w] = uuid.NewString()
		add(survey.Stream(sv), survey.PulseOpened{Survey: sv, Pulse: pulses[w], Questions: qs[:5], OpenedAt: t0.AddDate(0, 0, -7*w)})
	}
	for i := range nAnswers {
		w := i % weeks
		resp := uuid.NewString()
		add(fmt.Sprintf("answer-bench-%d", i/1000), survey.AnswerSubmitted{Answer: uuid.NewString(), Survey: sv, Pulse: pulses[w],
			Respondent: resp, Team: teams[(i/weeks)%nTeams], Day: t0.AddDate(0, 0, -7*w).Format(time.DateOnly),
			Values: []survey.Value{{Key: qs[0].Key, Value: i % 6}, {Key: qs[1].Key, Value: (i / 3) % 6}, {Key: qs[2].Key, Value: 3},
				{Key: qs[3].Key, Value: 4}, {Key: qs[4].Key, Value: (i / 7) % 6}}})
	}
	flush()
}

// rebuildStore is the store of the rebuild benchmark, built once per
// process (in a directory TestMain removes) and compacted.
var (
	rebuildOnce sync.Once
	rebuildS    *pebble.Store
)

// rebuildStoreFor returns the rebuild benchmark's store, building it
// first if needed.
func rebuildStoreFor(b *testing.B) *pebble.Store {
	b.Helper()
	rebuildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "empulse-bench-rebuild-")
		if err != nil {
			b.Fatal(err)
		}
		benchDirs = append(benchDirs, dir)
		s, err := pebble.Open(dir, pebble.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		benchOrg(b, s, benchTeams, 12, benchAnswers)
		// Replays should read a settled store rather than compete with the
		// compactions that follow a bulk write.
		if err := s.Compact(context.Background()); err != nil {
			b.Fatal(err)
		}
		rebuildS = s
	})
	if rebuildS == nil {
		b.Fatal("the rebuild store could not be built")
	}
	return rebuildS
}

// benchDirs are removed after the tests.
var benchDirs []string

func TestMain(m *testing.M) {
	code := m.Run()
	if rebuildS != nil {
		rebuildS.Close()
	}
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// BenchmarkRebuild folds 1M answer events (and an organisation of 1,000
// teams; both set by flags) from position 0 into a fresh in-memory projection, saving state
// and checkpoint every 65,536 events as serve does; it reports events
// folded per second. BenchmarkReplayBaseline is its same-run baseline.
func BenchmarkRebuild(b *testing.B) {
	store := rebuildStoreFor(b)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		r, err := projections.Open(projections.Config{Store: store})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.CatchUp(context.Background()); err != nil {
			b.Fatal(err)
		}
		r.Stop()
	}
	b.ReportMetric(float64(benchAnswers)*float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkQuery measures the score queries on an organisation of 1,000
// teams (-projections.teams) with 20 answers per team and week over 12 weeks: the heat map of
// every team and metric for one week, and one team's 12-week series. Cold
// runs rebuild the week views first (as after a write to each week);
// warm runs read them from the cache; latest-week-cold rebuilds only the
// latest week's, as after a write to the current week. It reports p50 and
// p99 latencies.
func BenchmarkQuery(b *testing.B) {
	store := mustStore(b)
	benchOrg(b, store, benchTeams, 12, benchTeams*12*20)
	r := mustOpen(b, store, "")
	if _, err := r.CatchUp(context.Background()); err != nil {
		b.Fatal(err)
	}
	// Queries read only the projection: closing the store stops its
	// compactions from competing with them for the two cores.
	if err := store.Close(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	from, to, err := r.Period("2026-W37", "2026-W48")
	if err != nil {
		b.Fatal(err)
	}
	hm, err := r.HeatMap(ctx, "", "2026-W48", nil)
	if err != nil || len(hm.Rows) != benchTeams {
		b.Fatalf("heat map of %d rows, %v", len(hm.Rows), err)
	}
	team := hm.Rows[1].Team
	for _, bc := range []struct {
		name string
		cold bool
		run  func() error
	}{
		{"TeamSeries12Weeks/latest-week-cold", false, func() error {
			projections.DropWeek(r, "2026-W48")
			_, err := r.TeamSeries(ctx, team, from, to, 0)
			return err
		}},
		{"HeatMap1000Teams/cold", true, func() error { _, err := r.HeatMap(ctx, "", "2026-W48", nil); return err }},
		{"HeatMap1000Teams/warm", false, func() error { _, err := r.HeatMap(ctx, "", "2026-W48", nil); return err }},
		{"TeamSeries12Weeks/cold", true, func() error { _, err := r.TeamSeries(ctx, team, from, to, 0); return err }},
		{"TeamSeries12Weeks/warm", false, func() error { _, err := r.TeamSeries(ctx, team, from, to, 0); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for range b.N {
				if bc.cold {
					projections.DropCache(r)
				}
				t := time.Now()
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkReplayBaseline is the same-run baseline of BenchmarkRebuild:
// the same subscription from position 0 until caught up, with the
// projection's filter, delivering every event to a consumer that does
// nothing with it.
func BenchmarkReplayBaseline(b *testing.B) {
	store := rebuildStoreFor(b)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		ctx, cancel := context.WithCancel(context.Background())
		sub, err := store.Subscribe(ctx, events.Start, projections.Filter)
		if err != nil {
			b.Fatal(err)
		}
		for {
			m, err := sub.Recv(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if m.Kind == events.CaughtUpMessage {
				break
			}
		}
		sub.Close()
		cancel()
	}
	b.ReportMetric(float64(benchAnswers)*float64(b.N)/time.Since(start).Seconds(), "events/s")
}
