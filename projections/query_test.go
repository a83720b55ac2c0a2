package projections_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/projections"
	"github.com/empulse/empulse/survey"
)

// tree builds, in a fresh store, the teams of parents (team -> parent, ""
// for a top-level team, created in sorted order so parents come first
// when named in order) and answers[team] WHO-5 answers in team, to one
// pulse of a survey with k; it returns a runner caught up with them whose
// clock stands after the week (t0End), so that every team shows all its
// answers but a single unreleased one (see TestRelease_Differencing).
func tree(t *testing.T, parents map[string]string, answers map[string]int, k int) *projections.Runner {
	t.Helper()
	store := mustStore(t)
	a := &appender{tb: t, store: store}
	ids := make([]string, 0, len(parents))
	for id := range parents {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		return len(ids[i]) < len(ids[j]) || (len(ids[i]) == len(ids[j]) && ids[i] < ids[j])
	})
	for _, id := range ids {
		a.add(org.Stream("o"), org.TeamCreated{Team: id, Name: id, Parent: parents[id]})
	}
	qs := allQuestions()
	a.add(survey.Stream("s"), survey.Created{Survey: "s", K: k, Items: qs})
	a.add(survey.Stream("s"), survey.PulseOpened{Survey: "s", Pulse: "p", Questions: qs, OpenedAt: t0})
	for team, n := range answers {
		for i := range n {
			resp := fmt.Sprintf("%s-%d", team, i)
			a.add(survey.AnswerStream("p", resp), survey.AnswerSubmitted{Survey: "s", Pulse: "p", Respondent: resp, Team: team,
				Day: t0.Format(time.DateOnly), Values: []survey.Value{{Key: "who5.calm", Value: 3}}})
		}
	}
	r := mustOpenAt(t, store, "", func() time.Time { return t0End })
	if _, err := r.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// hiddenTeams returns the teams whose wellbeing is withheld in the heat
// map, with their reasons, and whether the organisation's is.
func hiddenTeams(t *testing.T, r *projections.Runner) (map[string]string, bool) {
	t.Helper()
	hm, err := r.HeatMap(context.Background(), "", "2026-W48", []projections.Metric{projections.MetricWellbeing})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, row := range hm.Rows {
		s := row.Scores[projections.MetricWellbeing]
		if _, ok := s.Value(); !ok {
			out[row.Team] = s.Reason()
		} else if s.Reason() != "" {
			t.Errorf("%s: shown with a reason %q", row.Team, s.Reason())
		}
	}
	o, err := r.Overview(context.Background(), "2026-W48", "2026-W48", 1)
	if err != nil {
		t.Fatal(err)
	}
	_, orgShown := o.Weeks[0].Scores[projections.MetricWellbeing].Value()
	return out, !orgShown
}

func TestQuery_Suppression(t *testing.T) {
	t.Parallel()
	const small, comp = projections.ReasonFewerThanK, projections.ReasonComplementary
	tests := []struct {
		name    string
		parents map[string]string
		answers map[string]int
		want    map[string]string
		wantOrg bool // the organisation withheld
	}{
		{"SmallChildAndItsOnlySibling",
			map[string]string{"P": "", "PA": "P", "PB": "P"}, map[string]int{"PA": 5, "PB": 2},
			map[string]string{"PB": small, "PA": comp}, false},
		{"SmallestOtherSibling",
			map[string]string{"P": "", "PA": "P", "PB": "P", "PC": "P"}, map[string]int{"PA": 6, "PB": 5, "PC": 2},
			map[string]string{"PC": small, "PB": comp}, false},
		// A single answer is never shown, so it needs no protection.
		{"SingleAnswerHeld",
			map[string]string{"P": "", "PA": "P", "PB": "P", "PC": "P"}, map[string]int{"PA": 6, "PB": 5, "PC": 1},
			map[string]string{"PC": small}, false},
		{"SiblingsTieByID",
			map[string]string{"P": "", "PA": "P", "PB": "P", "PC": "P"}, map[string]int{"PA": 5, "PB": 5, "PC": 2},
			map[string]string{"PC": small, "PA": comp}, false},
		{"SmallOwnAnswers",
			map[string]string{"P": "", "PA": "P", "PB": "P"}, map[string]int{"P": 2, "PA": 5, "PB": 6},
			map[string]string{"PA": comp}, false},
		{"LargeOwnAnswers",
			map[string]string{"P": "", "PA": "P", "PB": "P"}, map[string]int{"P": 4, "PA": 5, "PB": 6},
			map[string]string{}, false},
		{"OwnAnswersAndOneChild",
			map[string]string{"P": "", "PA": "P"}, map[string]int{"P": 2, "PA": 5},
			map[string]string{"PA": comp}, false},
		{"WithheldSiblingSummableFromBelow",
			map[string]string{"R": "", "RX": "R", "RY": "R", "RX1": "RX", "RX2": "RX"}, map[string]int{"RX1": 5, "RX2": 6, "RY": 2},
			map[string]string{"RY": small, "RX": comp, "RX1": comp}, false},
		{"EverythingSmall",
			map[string]string{"P": "", "PA": "P"}, map[string]int{"PA": 2},
			map[string]string{"P": small, "PA": small}, true},
		{"TopLevelTeams",
			map[string]string{"R1": "", "R2": ""}, map[string]int{"R1": 5, "R2": 2},
			map[string]string{"R2": small, "R1": comp}, false},
		{"EmptyTeamsLookSmall",
			map[string]string{"P": "", "PA": "P", "PB": "P"}, map[string]int{"PA": 5},
			map[string]string{"PB": small}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tree(t, tt.parents, tt.answers, 3)
			got, gotOrg := hiddenTeams(t, r)
			for team, reason := range tt.want {
				if got[team] != reason {
					t.Errorf("%s: withheld %q, want %q", team, got[team], reason)
				}
			}
			for team, reason := range got {
				if _, ok := tt.want[team]; !ok {
					t.Errorf("%s: withheld (%q), want shown", team, reason)
				}
			}
			if gotOrg != tt.wantOrg {
				t.Errorf("organisation withheld=%v, want %v", gotOrg, tt.wantOrg)
			}
		})
	}
}

// TestQuery_NoSubtraction tries the subtraction attack on random trees: for
// every shown team, its shown figure minus its shown children's must never
// be exactly one small group's.
func TestQuery_NoSubtraction(t *testing.T) {
	t.Parallel()
	for seed := range 20 {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			h := newHistory(t, mustStore(t), uint64(seed))
			parents := map[string]string{"T0": ""}
			answers := map[string]int{}
			for i := 1; i < 12; i++ {
				parents[fmt.Sprintf("T%d", i)] = fmt.Sprintf("T%d", h.rng.IntN(i))
			}
			for id := range parents {
				if h.rng.IntN(3) > 0 {
					answers[id] = h.rng.IntN(9)
				}
			}
			r := tree(t, parents, answers, 3)
			hm, err := r.HeatMap(context.Background(), "", "2026-W48", []projections.Metric{projections.MetricWellbeing})
			if err != nil {
				t.Fatal(err)
			}
			n := map[string]int64{}
			for _, row := range hm.Rows {
				if c, ok := row.Scores[projections.MetricWellbeing].Respondents(); ok {
					n[row.Team] = c
				}
			}
			for p := range parents {
				if _, shown := n[p]; !shown {
					continue
				}
				// What subtraction leaves of p: its own answers and its
				// withheld children.
				rest := n[p]
				var unknown []string
				if answers[p] > 0 {
					unknown = append(unknown, p+" (own)")
				}
				for c, cp := range parents {
					if cp != p {
						continue
					}
					if x, shown := n[c]; shown {
						rest -= x
					} else if subtreeN(parents, answers, c) > 0 {
						unknown = append(unknown, c)
					}
				}
				if len(unknown) == 1 && rest > 0 && rest < 3 {
					t.Errorf("%s - shown children = %d respondents, all of %v", p, rest, unknown)
				}
			}
		})
	}
}

// subtreeN counts the answers in team's subtree.
func subtreeN(parents map[string]string, answers map[string]int, team string) int {
	n := answers[team]
	for c, p := range parents {
		if p == team {
			n += subtreeN(parents, answers, c)
		}
	}
	return n
}

// TestQuery_Scores checks each metric's exact value on known answers.
func TestQuery_Scores(t *testing.T) {
	t.Parallel()
	store := mustStore(t)
	a := &appender{tb: t, store: store}
	a.add(org.Stream("o"), org.TeamCreated{Team: "T", Name: "Team"})
	for i := range 8 {
		a.add(org.Stream("o"), org.MemberJoined{Member: fmt.Sprint("m", i), Team: "T", Role: org.RoleEmployee})
	}
	qs := allQuestions()
	a.add(survey.Stream("s"), survey.Created{Survey: "s", Team: "T", K: 3, Items: qs})
	a.add(survey.Stream("s"), survey.PulseOpened{Survey: "s", Pulse: "p", Questions: qs, OpenedAt: t0})
	// Six answers, twice the release step of k=3, so that the open week
	// shows them all: WHO-5 raw items, eNPS, eng.a (1-7), eng.b (0-4,
	// reversed), eng.c (driver on 1-5).
	rows := []struct {
		who5          [5]int
		enps, a, b, c int
	}{
		{[5]int{5, 5, 5, 5, 5}, 10, 7, 0, 5}, // WHO-5 100, promoter, eng 100 and 100, driver 100
		{[5]int{2, 2, 2, 2, 2}, 9, 1, 4, 1},  // 40 (low), promoter, 0 and 0, 0
		{[5]int{3, 3, 3, 3, 0}, 7, 4, 2, 3},  // 48 (low), passive, 50 and 50, 50
		{[5]int{3, 3, 3, 3, 1}, 3, 4, 1, 4},  // 52, detractor, 50 and 75, 75
		{[5]int{4, 4, 4, 4, 4}, 9, 5, 3, 2},  // 80, promoter, 66.67 and 25, 25
		{[5]int{1, 1, 1, 1, 1}, 0, 1, 4, 1},  // 20 (low), detractor, 0 and 0, 0
	}
	items := []string{"cheerful", "calm", "active", "rested", "interest"}
	for i, row := range rows {
		vals := []survey.Value{{Key: "enps.recommend", Value: row.enps}, {Key: "eng.a", Value: row.a}, {Key: "eng.b", Value: row.b}, {Key: "eng.c", Value: row.c}}
		for j, it := range items {
			vals = append(vals, survey.Value{Key: "who5." + it, Value: row.who5[j]})
		}
		resp := fmt.Sprint("r", i)
		a.add(survey.AnswerStream("p", resp), survey.AnswerSubmitted{Survey: "s", Pulse: "p", Respondent: resp, Team: "T",
			Day: "2026-11-25", Values: vals})
	}
	r := mustOpen(t, store, "")
	if _, err := r.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, err := r.TeamSeries(context.Background(), "T", "2026-W47", "2026-W48", 2)
	if err != nil {
		t.Fatal(err)
	}
	week := s.Weeks[1]
	tests := []struct {
		metric projections.Metric
		want   float64
		n      int64
	}{
		{projections.MetricWellbeing, (100 + 40 + 48 + 52 + 80 + 20) / 6.0, 6},
		{projections.MetricWellbeingLow, 100 * 3 / 6.0, 6},
		{projections.MetricENPS, (3 - 2) * 100 / 6.0, 6},
		{projections.MetricEngagement, (100 + 100 + 0 + 0 + 50 + 50 + 50 + 75 + 400/6.0 + 25 + 0 + 0) / 12.0, 6},
		{projections.DriverMetric("ownership"), (100 + 0 + 50 + 75 + 25 + 0) / 6.0, 6},
		{projections.MetricParticipation, 100 * 6 / 8.0, 6},
	}
	for _, tt := range tests {
		got := week.Scores[tt.metric]
		v, ok := got.Value()
		n, _ := got.Respondents()
		if !ok || math.Abs(v-math.Round(tt.want*10)/10) > 1e-9 || n != tt.n {
			t.Errorf("%s=%v (n=%d, shown %v), want %.2f (n=%d)", tt.metric, v, n, ok, tt.want, tt.n)
		}
	}
	if _, ok := s.Weeks[0].Scores[projections.MetricWellbeing].Value(); ok {
		t.Errorf("week without answers shows wellbeing")
	}
	if tr := s.Trend[projections.MetricWellbeing]; tr.Points != 1 || tr.Mean == nil || *tr.Mean != 56.7 || tr.Slope != nil { // the shown figure, rounded
		t.Errorf("trend=%+v, want 1 point, mean 56.7, no slope", tr)
	}
	if !slices.Contains(mapsKeys(week.Scores), string(projections.DriverMetric("ownership"))) {
		t.Errorf("scores lack the driver")
	}
}

// mapsKeys returns m's keys as strings.
func mapsKeys(m map[projections.Metric]projections.Score) []string {
	var out []string
	for k := range m {
		out = append(out, string(k))
	}
	return out
}

func TestRunner_TeamWeekScores(t *testing.T) {
	t.Parallel()
	store := mustStore(t)
	h := newHistory(t, store, 7)
	for range 400 {
		h.step()
	}
	r := mustOpen(t, store, "")
	if _, err := r.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, team := range h.teams {
		for _, w := range []projections.Week{"2026-W46", "2026-W47", "2026-W48"} {
			s, err := r.TeamSeries(context.Background(), team, w, w, 1)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.TeamWeekScores(context.Background(), team, w)
			if err != nil {
				t.Fatal(err)
			}
			if want := s.Weeks[0]; !reflect.DeepEqual(got.Scores, want.Scores) || got.K != want.K {
				t.Errorf("%s %s: TeamWeekScores=%v (k %d), want TeamSeries's %v (k %d)", team, w, got.Scores, got.K, want.Scores, want.K)
			}
			if texts, _ := got.Comments.Texts(); len(texts) != 0 {
				t.Errorf("%s %s: TeamWeekScores opened %d comments", team, w, len(texts))
			}
		}
	}
	if _, err := r.TeamWeekScores(context.Background(), "nope", "2026-W48"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("unknown team: err=%v, want NotFound", err)
	}
}
