package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/empulse/empulse/web/live"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// figure is one pushed metric: its respondents and the sum of their
// answers. A change by one respondent would reveal that answer: the
// difference of the sums.
type figure struct {
	N   int `json:"n"`
	Sum int `json:"sum"`
}

// message is what the fake projection pushes.
type message struct {
	Team    string            `json:"team"`
	Week    string            `json:"week"`
	Figures map[string]figure `json:"figures"`
}

// fakeProjection keeps answers per team-week and shows, per metric, the
// respondents and the sum, withheld below k, like the projections.
type fakeProjection struct {
	mu      sync.Mutex
	k       int
	answers map[[2]string][]map[string]int
}

func newFakeProjection(k int) *fakeProjection {
	return &fakeProjection{k: k, answers: map[[2]string][]map[string]int{}}
}

func (p *fakeProjection) answer(team, week string, values map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := [2]string{team, week}
	p.answers[key] = append(p.answers[key], values)
}

func (p *fakeProjection) Load(_ context.Context, team, week string) (live.Snapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	figs := map[string]figure{}
	for _, a := range p.answers[[2]string{team, week}] {
		for m, v := range a {
			f := figs[m]
			f.N++
			f.Sum += v
			figs[m] = f
		}
	}
	shown := live.Counts{}
	for m, f := range figs {
		if f.N < p.k {
			delete(figs, m) // withheld: no number at all
			continue
		}
		shown[m] = f.N
	}
	b, err := json.Marshal(message{Team: team, Week: week, Figures: figs})
	return live.Snapshot{Payload: b, Shown: shown}, err
}

// push is one published message and whether it was published at a time
// boundary.
type push struct {
	topic    live.Topic
	msg      message
	boundary bool
}

// recorder records what a feed publishes.
type recorder struct {
	mu       sync.Mutex
	boundary bool
	pushes   []push
}

func (r *recorder) Publish(t live.Topic, payload []byte) int {
	var m message
	if err := json.Unmarshal(payload, &m); err != nil {
		panic(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pushes = append(r.pushes, push{topic: t, msg: m, boundary: r.boundary})
	return 1
}

// checkDifferencing returns an error when a push could be differenced
// against an earlier one to read off a single answer: a figure shown with
// fewer than k respondents, or whose respondents differ by exactly one
// from its last shown value on the same topic and week (at most step-1
// outside a boundary).
func checkDifferencing(pushes []push, k, step int) error {
	type key struct {
		topic        live.Topic
		week, metric string
	}
	last := map[key]figure{}
	for i, p := range pushes {
		for m, f := range p.msg.Figures {
			if f.N < k {
				return fmt.Errorf("push %d shows %s of %s with %d < k=%d respondents", i, m, p.topic, f.N, k)
			}
			kk := key{p.topic, p.msg.Week, m}
			prev, ok := last[kk]
			last[kk] = f
			if !ok {
				continue
			}
			d := max(f.N-prev.N, prev.N-f.N)
			if d == 1 {
				return fmt.Errorf("push %d reveals one answer to %s of %s: %d (n %d -> %d)", i, m, p.topic, f.Sum-prev.Sum, prev.N, f.N)
			}
			if d > 0 && d < step && !p.boundary {
				return fmt.Errorf("push %d moves %s of %s by %d < %d answers outside a boundary", i, m, p.topic, d, step)
			}
		}
	}
	return nil
}

// simulate submits answers one at a time to teams over several weeks,
// telling the feed after each, and ticking it as the fake clock passes
// week ends. publish receives the pushes (through a gate or not).
func simulate(t *testing.T, seed uint64, k int, rec *recorder, gated bool) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	clock := &fakeClock{t: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)} // Monday of 2026-W48
	proj := newFakeProjection(k)
	feed := live.NewTeamFeed(live.FeedConfig{Gate: live.Gate{K: k}, Load: proj.Load, Publish: rec.Publish, Now: clock.Now})
	ctx := t.Context()
	teams := []string{"a", "b", "c"}
	for range 400 {
		week := isoWeek(clock.Now())
		team := teams[rng.IntN(len(teams))]
		values := map[string]int{"engagement": rng.IntN(11)}
		if rng.IntN(3) > 0 { // not everyone answers every item
			values["enps"] = rng.IntN(11)
		}
		proj.answer(team, week, values)
		if gated {
			if _, err := feed.Changed(ctx, team, week); err != nil {
				t.Fatalf("Changed: %v", err)
			}
		} else {
			s, _ := proj.Load(ctx, team, week)
			rec.Publish(live.TeamTopic(team), s.Payload)
		}
		// Time passes; sometimes a week ends.
		clock.Advance(time.Duration(rng.IntN(4*60)) * time.Minute)
		if gated && isoWeek(clock.Now()) != week {
			rec.mu.Lock()
			rec.boundary = true
			rec.mu.Unlock()
			if err := feed.Tick(ctx); err != nil {
				t.Fatalf("Tick: %v", err)
			}
			rec.mu.Lock()
			rec.boundary = false
			rec.mu.Unlock()
		}
	}
}

// TestTeamFeed_Differencing submits answers one at a time and asserts
// that no push reveals one of them (issue 7, point 2).
func TestTeamFeed_Differencing(t *testing.T) {
	for _, k := range []int{1, 2, 3, 5, 7, 10} {
		for seed := range uint64(5) {
			t.Run(fmt.Sprintf("k=%d/seed=%d", k, seed), func(t *testing.T) {
				rec := &recorder{}
				simulate(t, seed, k, rec, true)
				if len(rec.pushes) == 0 {
					t.Fatal("no pushes at all")
				}
				if err := checkDifferencing(rec.pushes, k, live.Gate{K: k}.Step()); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	t.Run("UngatedIsCaught", func(t *testing.T) {
		// The check has teeth: pushing after every answer fails it.
		rec := &recorder{}
		simulate(t, 1, 5, rec, false)
		if err := checkDifferencing(rec.pushes, 5, 3); err == nil {
			t.Fatal("checkDifferencing passed ungated pushes")
		}
	})
}

func TestTeamFeed_Boundary(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)} // Wednesday of 2026-W48
	proj := newFakeProjection(5)
	rec := &recorder{}
	feed := live.NewTeamFeed(live.FeedConfig{Gate: live.Gate{K: 5}, Load: proj.Load, Publish: rec.Publish, Now: clock.Now})
	ctx := t.Context()
	const week = "2026-W48"
	answer := func(n int) live.Decision {
		t.Helper()
		var d live.Decision
		for range n {
			proj.answer("a", week, map[string]int{"engagement": 7})
			var err error
			if d, err = feed.Changed(ctx, "a", week); err != nil {
				t.Fatalf("Changed: %v", err)
			}
		}
		return d
	}
	pushedN := func() []int {
		var out []int
		for _, p := range rec.pushes {
			out = append(out, p.msg.Figures["engagement"].N)
		}
		return out
	}
	steps := []struct {
		name    string
		do      func() live.Decision
		want    live.Decision
		wantNow []int
	}{
		{"FourWithheld", func() live.Decision { return answer(4) }, live.Unchanged, nil},
		{"FifthReachesK", func() live.Decision { return answer(1) }, live.Push, []int{5}},
		{"TwoMoreHeld", func() live.Decision { return answer(2) }, live.Hold, []int{5}},
		{"TickBeforeTheEnd", func() live.Decision { must(t, feed.Tick(ctx)); return live.Hold }, live.Hold, []int{5}},
		{"TickAtTheEndReleasesTwo", func() live.Decision {
			clock.Advance(5 * 24 * time.Hour) // Monday of W49
			must(t, feed.Tick(ctx))
			return live.Push
		}, live.Push, []int{5, 7}},
		{"LateSingleAnswerHeld", func() live.Decision { return answer(1) }, live.Hold, []int{5, 7}},
		{"TickHoldsOne", func() live.Decision { must(t, feed.Tick(ctx)); return live.Hold }, live.Hold, []int{5, 7}},
		{"PulseCloseReleasesTwo", func() live.Decision {
			proj.answer("a", week, map[string]int{"engagement": 1})
			d, err := feed.Boundary(ctx, "a", week)
			must(t, err)
			return d
		}, live.Push, []int{5, 7, 9}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if got := s.do(); got != s.want {
				t.Fatalf("decision=%v, want %v", got, s.want)
			}
			if got := pushedN(); fmt.Sprint(got) != fmt.Sprint(s.wantNow) {
				t.Fatalf("pushed respondents=%v, want %v", got, s.wantNow)
			}
		})
	}
}

func TestTeamFeed_Errors(t *testing.T) {
	boom := errors.New("boom")
	rec := &recorder{}
	feed := live.NewTeamFeed(live.FeedConfig{Gate: live.Gate{K: 3}, Publish: rec.Publish,
		Load: func(context.Context, string, string) (live.Snapshot, error) { return live.Snapshot{}, boom }})
	if _, err := feed.Changed(t.Context(), "a", "2025-W53"); err == nil {
		t.Fatal("Changed accepted 2025-W53, which does not exist")
	}
	if _, err := feed.Changed(t.Context(), "a", "2026-W48"); !errors.Is(err, boom) {
		t.Fatalf("Changed: err=%v, want %v", err, boom)
	}
	if len(rec.pushes) != 0 {
		t.Fatalf("pushes=%d, want 0", len(rec.pushes))
	}
}

func TestWeekEnd(t *testing.T) {
	tests := []struct {
		week string
		want string // "" for invalid
	}{
		{"2026-W48", "2026-11-30"},
		{"2026-W01", "2026-01-05"},
		{"2020-W53", "2021-01-04"},
		{"2026-W53", "2027-01-04"}, // 2026 begins on a Thursday
		{"2025-W53", ""},
		{"2026-W00", ""},
		{"2026W48", ""},
		{"20x6-W48", ""},
	}
	for _, tt := range tests {
		end, ok := live.WeekEnd(tt.week)
		got := ""
		if ok {
			got = end.Format(time.DateOnly)
		}
		if got != tt.want {
			t.Errorf("WeekEnd(%q)=%q, want %q", tt.week, got, tt.want)
		}
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// isoWeek returns t's ISO week as "2026-W48".
func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

func TestTeamFeed_Run(t *testing.T) {
	proj := newFakeProjection(1)
	got := make(chan message, 8)
	feed := live.NewTeamFeed(live.FeedConfig{Gate: live.Gate{K: 1}, Load: proj.Load,
		Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) },
		Publish: func(_ live.Topic, payload []byte) int {
			var m message
			must(t, json.Unmarshal(payload, &m))
			got <- m
			return 1
		}})
	// Queued before Run starts, coalesced: one push of all three.
	for range 3 {
		proj.answer("a", "2026-W48", map[string]int{"engagement": 4})
		feed.Notify("a", "2026-W48")
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- feed.Run(ctx, time.Hour) }()
	select {
	case m := <-got:
		if n := m.Figures["engagement"].N; m.Team != "a" || n != 3 {
			t.Errorf("pushed team %q with n=%d, want a with 3", m.Team, n)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run pushed nothing")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: err=%v, want context.Canceled", err)
	}
	select {
	case m := <-got:
		t.Errorf("a second push %+v after one batch of changes", m)
	default:
	}
}
