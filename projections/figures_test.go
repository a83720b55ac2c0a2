package projections_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/empulse/empulse/projections"
)

// figureTree is R > RX (> RX1, RX2), RY, and a top-level S; RY is below k
// and RX withheld to protect it (see TestQuery_Suppression), RX1 withheld
// so that RX cannot be summed back.
func figureTree(t *testing.T) *projections.Runner {
	t.Helper()
	return tree(t, map[string]string{"R": "", "RX": "R", "RY": "R", "RX1": "RX", "RX2": "RX", "S": ""},
		map[string]int{"RX1": 5, "RX2": 6, "RY": 2, "S": 4}, 3)
}

func TestFigures_Teams(t *testing.T) {
	t.Parallel()
	r := figureTree(t)
	wb := []projections.Metric{projections.MetricWellbeing}
	tests := []struct {
		name   string
		branch bool
		root   string
		want   []string
	}{
		{"LeavesOfOrganisation", false, "", []string{"RY", "RX1", "RX2", "S"}},
		{"LeavesOfSubtree", false, "RX", []string{"RX1", "RX2"}},
		{"LeafItself", false, "RY", []string{"RY"}},
		{"BranchOfOrganisation", true, "", []string{"", "R", "S"}},
		{"BranchOfTeam", true, "R", []string{"R", "RX", "RY"}},
		{"BranchOfLeaf", true, "S", []string{"S"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			get := r.LeafFigures
			if tt.branch {
				get = r.BranchFigures
			}
			figs, err := get(context.Background(), tt.root, "2026-W47", "2026-W48", wb)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range figs {
				got = append(got, f.Team)
				if f.Team != "" && f.Name != f.Team { // tree names teams by their ids
					t.Errorf("%s: name %q", f.Team, f.Name)
				}
				if !slices.Equal(f.Weeks, []projections.Week{"2026-W47", "2026-W48"}) || len(f.Values[projections.MetricWellbeing]) != 2 {
					t.Errorf("%s: weeks %v values %v, want two weeks", f.Team, f.Weeks, f.Values)
				}
			}
			slices.Sort(got)
			slices.Sort(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Errorf("teams=%v, want %v", got, tt.want)
			}
		})
	}
	if _, err := r.LeafFigures(context.Background(), "nope", "2026-W48", "2026-W48", wb); err == nil {
		t.Error("unknown root: no error")
	}
}

// TestFigures_MatchTheQueries checks that every figure is the one the heat
// map shows, and NaN exactly where the heat map withholds it.
func TestFigures_MatchTheQueries(t *testing.T) {
	t.Parallel()
	r := figureTree(t)
	ms := []projections.Metric{projections.MetricWellbeing, projections.MetricENPS, projections.MetricRecvPerMember}
	hm, err := r.HeatMap(context.Background(), "", "2026-W48", ms)
	if err != nil {
		t.Fatal(err)
	}
	figs, err := r.LeafFigures(context.Background(), "", "2026-W48", "2026-W48", ms)
	if err != nil {
		t.Fatal(err)
	}
	byTeam := map[string]projections.Figures{}
	for _, f := range figs {
		byTeam[f.Team] = f
	}
	shown := 0
	for _, row := range hm.Rows {
		f, ok := byTeam[row.Team]
		if !ok {
			continue
		}
		for _, m := range ms {
			got := f.Values[m][0]
			want, isShown := row.Scores[m].Value()
			switch {
			case !isShown && !math.IsNaN(got):
				t.Errorf("%s %s: got %v, want NaN (withheld: %s)", row.Team, m, got, row.Scores[m].Reason())
			case isShown && got != want:
				t.Errorf("%s %s: got %v, want %v", row.Team, m, got, want)
			case isShown && m == projections.MetricWellbeing:
				shown++
			}
		}
	}
	// RX2 and S are shown; RY (below k) and RX1 (complementary) are not.
	if shown != 2 || !math.IsNaN(byTeam["RY"].Values[projections.MetricWellbeing][0]) || !math.IsNaN(byTeam["RX1"].Values[projections.MetricWellbeing][0]) {
		t.Errorf("shown wellbeing figures=%d, RY=%v, RX1=%v; want 2, NaN, NaN", shown,
			byTeam["RY"].Values[projections.MetricWellbeing], byTeam["RX1"].Values[projections.MetricWellbeing])
	}
	if k := r.MinK(); k != 3 {
		t.Errorf("MinK=%d, want 3", k)
	}
}
