package analysis_test

import (
	"math"
	"testing"

	"github.com/empulse/empulse/analysis"
)

// TestTable_MatchesLagged checks every row of Table, which ranks with
// presorted orders and runs in two goroutines, against Lagged, which forms the
// pairs with LagPairs and calls Pearson, Spearman, RMCorr and BetweenTeams
// directly, on data with missing cells, missing weeks and ties.
func TestTable_MatchesLagged(t *testing.T) {
	data := plant{teams: 40, weeks: 20, withinR: 0.3, between: 1, missing: 0.15}.generate(7)
	for i := range data {
		s := &data[i]
		// Drop every 7th week of every 3rd team, so weeks have gaps.
		if i%3 == 0 {
			keep := 0
			for w := range s.Week {
				if w%7 == 3 {
					continue
				}
				s.Week[keep] = s.Week[w]
				for v := range s.Values {
					s.Values[v][keep] = s.Values[v][w]
				}
				keep++
			}
			s.Week = s.Week[:keep]
			for v := range s.Values {
				s.Values[v] = s.Values[v][:keep]
			}
		}
		// Round recognition to make ties, as counts per member have.
		for w, x := range s.Values[analysis.Recognition] {
			s.Values[analysis.Recognition][w] = math.Round(x)
		}
	}
	// One team without participation at all.
	data[5].Values[analysis.Participation] = nil

	rows := analysis.Table(data, analysis.TableOptions{})
	if want := len(analysis.DefaultPairs) * (3*len(analysis.DefaultLags) + 1); len(rows) != want {
		t.Fatalf("len(rows) = %d, want %d", len(rows), want)
	}
	var between int
	for _, row := range rows {
		want := analysis.Lagged(data, row.X, row.Y, row.Lag, row.Method, 0)
		if row.Method == analysis.MethodBetweenTeams {
			between++
		}
		name := row.Method.String() + " " + row.X.String() + "~" + row.Y.String()
		if row.N != want.N || row.Teams != want.Groups || row.DF != want.DF || row.Reason != want.Reason {
			t.Errorf("%s lag %d: N, Teams, DF, Reason = %d, %d, %d, %q, want %d, %d, %d, %q",
				name, row.Lag, row.N, row.Teams, row.DF, row.Reason, want.N, want.Groups, want.DF, want.Reason)
		}
		approx(t, name+" R", row.R, want.R, 1e-12)
		approx(t, name+" CILow", row.CILow, want.CILow, 1e-12)
		approx(t, name+" CIHigh", row.CIHigh, want.CIHigh, 1e-12)
		approx(t, name+" P", row.P, want.P, 1e-12)
		if !(row.PAdj >= row.P && row.PAdj <= 1) {
			t.Errorf("%s lag %d: PAdj = %v, want in [P=%v, 1]", name, row.Lag, row.PAdj, row.P)
		}
	}
	if between != len(analysis.DefaultPairs) {
		t.Errorf("%d between-team rows, want %d", between, len(analysis.DefaultPairs))
	}
}

func TestTable_Empty(t *testing.T) {
	rows := analysis.Table(nil, analysis.TableOptions{Lags: []int{0, 1}})
	if want := len(analysis.DefaultPairs) * 7; len(rows) != want {
		t.Fatalf("len(rows) = %d, want %d", len(rows), want)
	}
	for _, row := range rows {
		if row.Reason == "" || !math.IsNaN(row.R) || !math.IsNaN(row.PAdj) || row.N != 0 {
			t.Errorf("%v lag %d: Reason, R, PAdj, N = %q, %v, %v, %d, want a reason, NaN, NaN, 0",
				row.Method, row.Lag, row.Reason, row.R, row.PAdj, row.N)
		}
	}
}

func TestTable_Options(t *testing.T) {
	data := plant{teams: 12, weeks: 8, withinR: 0.3, between: 1}.generate(3)
	rows := analysis.Table(data, analysis.TableOptions{
		MinN:  30,
		Pairs: []analysis.Pair{{X: analysis.Wellbeing, Y: analysis.Engagement}},
		Lags:  []int{2},
	})
	want := []struct {
		method analysis.Method
		lag    int
		n      int
		reason string
	}{
		{analysis.MethodPearson, 2, 72, ""},
		{analysis.MethodSpearman, 2, 72, ""},
		{analysis.MethodRMCorr, 2, 72, ""},
		{analysis.MethodBetweenTeams, 0, 96, "teams=12 below minimum 30"},
	}
	if len(rows) != len(want) {
		t.Fatalf("len(rows) = %d, want %d", len(rows), len(want))
	}
	for i, w := range want {
		got := rows[i]
		if got.Method != w.method || got.Lag != w.lag || got.N != w.n || got.Reason != w.reason ||
			got.X != analysis.Wellbeing || got.Y != analysis.Engagement {
			t.Errorf("row %d = %v %v~%v lag %d n=%d %q, want %v wellbeing~engagement lag %d n=%d %q",
				i, got.Method, got.X, got.Y, got.Lag, got.N, got.Reason, w.method, w.lag, w.n, w.reason)
		}
	}
}

// BenchmarkTable is the benchmark: the full table for 1,000 teams x
// 52 weeks, all default pairs, lags -4..4, Pearson, Spearman, rmcorr,
// between-team and Benjamini-Hochberg.
func BenchmarkTable(b *testing.B) {
	data := plant{teams: 1000, weeks: 52, withinR: 0.3, between: -1, missing: 0.05}.generate(42)
	for i := range data {
		for w, x := range data[i].Values[analysis.Recognition] {
			data[i].Values[analysis.Recognition][w] = math.Max(0, math.Round(x)) // zero-heavy counts with ties
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		rows := analysis.Table(data, analysis.TableOptions{})
		if len(rows) != 4*(3*9+1) {
			b.Fatalf("len(rows) = %d", len(rows))
		}
	}
}
