package projections_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/projections"
	"github.com/empulse/empulse/survey"
)

// clock is a test clock that can be moved, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// reading is what one read of the dashboards shows: for each team ("org"
// for the organisation) and figure, the respondents behind it and its
// value; withheld figures are absent. A team's comments are the figure
// "comments", their number as respondents.
type reading map[string]figure

// figure is one shown figure.
type figure struct {
	n int64
	v float64
}

// stolen is an answer the attacker read off two readings: the figure key
// moved by exactly one respondent between readings from and to, and
// value is the single answer's value (n₂v₂ - n₁v₁).
type stolen struct {
	key      string
	from, to int
	value    float64
}

// difference plays the differencing attack on every pair of readings and
// returns the answers it reads off: wherever a figure's respondents differ
// by one, the difference of the sums is that one answer's value.
func difference(readings []reading) []stolen {
	var out []stolen
	for i := range readings {
		for j := i + 1; j < len(readings); j++ {
			for key, b := range readings[j] {
				a, ok := readings[i][key]
				if ok && (b.n-a.n == 1 || a.n-b.n == 1) {
					out = append(out, stolen{key, i, j, float64(b.n)*b.v - float64(a.n)*a.v})
				}
			}
		}
	}
	return out
}

// attackOrg is the organisation the differencing test attacks: P with the
// sub-teams A and B, 20 members each, one survey with k over P and its
// pulse of week 2026-W48. Each answer has the WHO-5 item "calm" (so its
// wellbeing is 20 × its value), eNPS, an engagement item, a driver and a
// comment.
type attackOrg struct {
	t     *testing.T
	a     *appender
	r     *projections.Runner
	clock *clock
	n     int
}

// newAttackOrg builds the organisation and a runner that opens comments as
// their plain text, caught up with it, its clock at t0.
func newAttackOrg(t *testing.T, k int) *attackOrg {
	t.Helper()
	store := mustStore(t)
	o := &attackOrg{t: t, a: &appender{tb: t, store: store}, clock: &clock{t: t0}}
	o.a.add(org.Stream("o"), org.TeamCreated{Team: "P", Name: "P"}, org.TeamCreated{Team: "A", Name: "A", Parent: "P"},
		org.TeamCreated{Team: "B", Name: "B", Parent: "P"})
	for i := range 40 {
		o.a.add(org.Stream("o"), org.MemberJoined{Member: fmt.Sprint("m", i), Team: []string{"A", "B"}[i%2], Role: org.RoleEmployee})
	}
	qs := []survey.Question{question(instrument.WHO5ID, "calm"), question(instrument.ENPSID, "recommend"), customQuestions[0],
		customQuestions[2]}
	o.a.add(survey.Stream("s"), survey.Created{Survey: "s", Team: "P", K: k, Items: qs},
		survey.PulseOpened{Survey: "s", Pulse: "p", Questions: qs, OpenedAt: t0})
	r, err := projections.Open(projections.Config{Store: store, Now: o.clock.Now, Shuffle: func(int, func(int, int)) {},
		OpenComment: func(_ context.Context, _ string, sealed []byte, _ string) (string, error) { return string(sealed), nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop() })
	o.r = r
	o.catchUp()
	return o
}

// answer appends an answer of team on day with the WHO-5 value calm (and
// the others derived from it), folds it, and returns calm's wellbeing.
func (o *attackOrg) answer(team, day string, calm int) float64 {
	o.t.Helper()
	o.n++
	resp := fmt.Sprint("r", o.n)
	o.a.add(survey.AnswerStream("p", resp), survey.AnswerSubmitted{Answer: resp, Survey: "s", Pulse: "p", Respondent: resp,
		Team: team, Day: day, Comment: []byte("comment of " + resp), Values: []survey.Value{{Key: "who5.calm", Value: calm},
			{Key: "enps.recommend", Value: 2 * calm}, {Key: "eng.a", Value: 1 + calm}, {Key: "eng.c", Value: 1 + calm%5}}})
	o.catchUp()
	return float64(20 * calm)
}

// catchUp folds what was appended.
func (o *attackOrg) catchUp() {
	o.t.Helper()
	if _, err := o.r.CatchUp(context.Background()); err != nil {
		o.t.Fatal(err)
	}
}

// read reads week 2026-W48 through every query the dashboards and the
// analysis use, checks that they agree, and returns what they show.
func (o *attackOrg) read() reading {
	t, ctx, w := o.t, context.Background(), projections.Week("2026-W48")
	t.Helper()
	hm, err := o.r.HeatMap(ctx, "", w, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := reading{}
	put := func(team string, scores map[projections.Metric]projections.Score) {
		for m, s := range scores {
			if m == projections.MetricGivenPerMember || m == projections.MetricRecvPerMember {
				continue // named acts: no respondents to hide
			}
			if v, ok := s.Value(); ok {
				n, _ := s.Respondents()
				out[team+" "+string(m)] = figure{n, v}
			}
		}
	}
	for _, row := range hm.Rows {
		put(row.Team, row.Scores)
	}
	series := map[string]projections.TeamWeek{}
	for _, team := range []string{"P", "A", "B"} {
		s, err := o.r.TeamSeries(ctx, team, w, w, 1)
		if err != nil {
			t.Fatal(err)
		}
		series[team] = s.Weeks[0]
	}
	ov, err := o.r.Overview(ctx, w, w, 1)
	if err != nil {
		t.Fatal(err)
	}
	series["org"] = ov.Weeks[0]
	put("org", ov.Weeks[0].Scores)
	for team, tw := range series {
		if texts, ok := tw.Comments.Texts(); ok {
			out[team+" comments"] = figure{n: int64(len(texts))}
		}
		for _, row := range hm.Rows {
			if row.Team != team {
				continue
			}
			for m, s := range row.Scores {
				if got := tw.Scores[m]; got != s {
					t.Errorf("%s %s: series %+v, heat map %+v", team, m, got, s)
				}
			}
		}
	}
	figs, err := o.r.LeafFigures(ctx, "", w, w, hm.Metrics)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figs {
		for m, vals := range f.Values {
			s, shown := out[f.Team+" "+string(m)]
			switch {
			case m == projections.MetricGivenPerMember || m == projections.MetricRecvPerMember:
			case shown && vals[0] != s.v, !shown && !math.IsNaN(vals[0]):
				t.Errorf("%s %s: leaf figure %v, heat map %+v (shown %v)", f.Team, m, vals[0], s, shown)
			}
		}
	}
	return out
}

// TestRelease_Differencing plays the differencing attack: a leader reads
// every dashboard after each colleague's answer and subtracts readings.
// With releases, no two readings differ by one respondent, so no answer
// can be read off; while the week is open figures move by at least
// max(3, ceil(k/2)) answers, roll-ups (P, the organisation) included,
// since they move only when a sub-team's cell released. Once the week has
// ended, two unreleased answers are shown, a single one never, and answers
// that come after the end (to the week's pulse) move its participation two
// at a time. The control reads the live sums, as the queries did before
// releases, and the attack must succeed on it.
func TestRelease_Differencing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		k    int
		live bool // read the live sums: the attack's control
	}{
		{"K3", 3, false},
		{"K5", 5, false},
		{"K10", 10, false},
		{"LiveSumsK3", 3, true},
		{"LiveSumsK10", 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			step := int64(max(3, (tt.k+1)/2))
			o := newAttackOrg(t, tt.k)
			if tt.live {
				projections.ShowLive(o.r)
			}
			// A gets 2 steps and one answer, B 2 steps and two, in a
			// random order: at the week's end A holds one back, B none.
			nA, nB := 2*int(step)+1, 2*int(step)+2
			teams := make([]string, nA+nB)
			for i := range teams {
				teams[i] = "A"
				if i >= nA {
					teams[i] = "B"
				}
			}
			rng := rand.New(rand.NewPCG(uint64(tt.k), 7))
			rng.Shuffle(len(teams), func(i, j int) { teams[i], teams[j] = teams[j], teams[i] })
			readings := []reading{o.read()}
			wellbeing := []float64{math.NaN()}
			for _, team := range teams {
				wellbeing = append(wellbeing, o.answer(team, "2026-11-25", rng.IntN(6)))
				readings = append(readings, o.read())
			}

			got := difference(readings)
			if tt.live {
				// The control: every answer is read off its team's figure.
				read := 0
				for _, s := range got {
					if s.to == s.from+1 && (s.key == "A wellbeing" || s.key == "B wellbeing") {
						if math.Abs(s.value-wellbeing[s.to]) > 2 {
							t.Errorf("%s: read off %.1f, the answer was %.0f", s.key, s.value, wellbeing[s.to])
						}
						read++
					}
				}
				if read < 2 {
					t.Errorf("the attack read %d answers off the live sums, want some: the test has no teeth", read)
				}
				return
			}
			for _, s := range got {
				t.Errorf("%s: readings %d and %d differ by one respondent: its answer was %.1f", s.key, s.from, s.to, s.value)
			}
			moves := 0
			for i := 1; i < len(readings); i++ {
				for key, b := range readings[i] {
					a, ok := readings[i-1][key]
					if ok && a.n == b.n && a.v != b.v {
						t.Errorf("%s: moved from %v to %v after answer %d without new respondents", key, a.v, b.v, i)
					}
					if !ok || a.n == b.n {
						continue
					}
					moves++
					if d := b.n - a.n; d < step {
						t.Errorf("%s: moved from %d to %d respondents after answer %d, want a step of at least %d", key, a.n, b.n, i, step)
					}
				}
			}
			if moves == 0 {
				t.Fatal("no figure moved while the week was open: nothing was tested")
			}

			// The week ends: A holds its single unreleased answer back, B
			// shows its two.
			o.clock.Set(t0End)
			end := o.read()
			wantN := map[string]int64{"A": 2 * step, "B": 2*step + 2, "P": 4*step + 2}
			for team, want := range wantN {
				if got := end[team+" wellbeing"].n; got != want {
					t.Errorf("%s wellbeing after the week: %d respondents, want %d", team, got, want)
				}
			}
			readings = append(readings, end)
			// Late answers (dated after the week) to the week's pulse move
			// its participation two at a time: B's first is held, the
			// second shown, the third held.
			wantB := []int64{2*step + 2, 2*step + 4, 2*step + 4}
			for i, want := range wantB {
				o.answer("B", "2026-12-01", 3)
				rd := o.read()
				if got := rd["B participation"].n; got != want {
					t.Errorf("B participation after %d late answers: %d respondents, want %d", i+1, got, want)
				}
				readings = append(readings, rd)
			}
			for _, s := range difference(readings) {
				t.Errorf("after the week's end, %s: readings %d and %d differ by one respondent: its answer was %.1f",
					s.key, s.from, s.to, s.value)
			}
		})
	}
}
