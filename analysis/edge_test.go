package analysis_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/empulse/empulse/analysis"
)

var nan = math.NaN()

// corrFunc is the signature shared by Pearson and Spearman.
type corrFunc func(x, y []float64, minN int) analysis.Result

var pairwise = []struct {
	name string
	f    corrFunc
}{
	{"Pearson", analysis.Pearson},
	{"Spearman", analysis.Spearman},
}

func seq(n int, f func(i int) float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = f(i)
	}
	return s
}

func TestCorrelation_EdgeCases(t *testing.T) {
	noisy := func(i int) float64 { return float64(i) + float64((i*7)%5) }
	ident := func(i int) float64 { return float64(i) }
	tests := []struct {
		name   string
		x, y   []float64
		minN   int
		n      int
		reason string
	}{
		{"Empty", nil, nil, 0, 0, "n=0 below minimum 10"},
		{"BelowMinimum", seq(9, ident), seq(9, noisy), 0, 9, "n=9 below minimum 10"},
		{"AtMinimum", seq(10, ident), seq(10, noisy), 0, 10, ""},
		{"NaNBringsBelowMinimum", append(seq(10, ident), nan), append([]float64{nan}, seq(10, noisy)...), 0, 9, "n=9 below minimum 10"},
		{"CustomMinimum", seq(12, ident), seq(12, noisy), 15, 12, "n=12 below minimum 15"},
		{"MinimumRaisedTo4", seq(3, ident), seq(3, noisy), 2, 3, "n=3 below minimum 4"},
		{"ConstantX", seq(12, func(int) float64 { return 3 }), seq(12, noisy), 0, 12, "x is constant"},
		{"ConstantY", seq(12, ident), seq(12, func(int) float64 { return 3 }), 0, 12, "y is constant"},
		{"ConstantBoth", seq(12, func(int) float64 { return 1 }), seq(12, func(int) float64 { return 3 }), 0, 12, "x and y are constant"},
		{"ConstantAfterNaN", []float64{1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1}, []float64{1, nan, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0, 10, "x is constant"},
	}
	for _, f := range pairwise {
		for _, tt := range tests {
			t.Run(f.name+"/"+tt.name, func(t *testing.T) {
				got := f.f(tt.x, tt.y, tt.minN)
				if got.N != tt.n {
					t.Errorf("N = %d, want %d", got.N, tt.n)
				}
				if tt.reason != "" {
					checkReason(t, got, tt.reason)
					return
				}
				if !got.OK() || got.DF != tt.n-2 || !(got.CILow <= got.R && got.R <= got.CIHigh) || !(got.P >= 0 && got.P <= 1) {
					t.Errorf("got %+v, want a coefficient with df %d inside its interval and p in [0, 1]", got, tt.n-2)
				}
			})
		}
	}
}

func TestCorrelation_Perfect(t *testing.T) {
	x := seq(12, func(i int) float64 { return float64(i) })
	up := seq(12, func(i int) float64 { return 3*float64(i) + 1 })
	down := seq(12, func(i int) float64 { return math.Exp(-float64(i)) }) // monotone, not linear
	for _, f := range pairwise {
		t.Run(f.name, func(t *testing.T) {
			got := f.f(x, up, 0)
			if got.R != 1 || got.P != 0 || got.CILow != 1 || got.CIHigh != 1 {
				t.Errorf("r, p, CI = %v, %v, [%v, %v], want 1, 0, [1, 1]", got.R, got.P, got.CILow, got.CIHigh)
			}
		})
	}
	got := analysis.Spearman(x, down, 0)
	if got.R != -1 || got.P != 0 || got.CILow != -1 || got.CIHigh != -1 {
		t.Errorf("Spearman of a decreasing curve: r, p, CI = %v, %v, [%v, %v], want -1, 0, [-1, -1]", got.R, got.P, got.CILow, got.CIHigh)
	}
}

// TestCorrelation_NaNDropsPairs checks that a pair with a NaN on either side
// is the same as a pair that is not there.
func TestCorrelation_NaNDropsPairs(t *testing.T) {
	x := []float64{1, 2, nan, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}
	y := []float64{2, 1, 4, 3, 7, nan, 5, 9, 8, 12, 10, 11, 15}
	cx := []float64{1, 2, 4, 5, 7, 8, 9, 10, 11, 12, 13}
	cy := []float64{2, 1, 3, 7, 5, 9, 8, 12, 10, 11, 15}
	for _, f := range pairwise {
		t.Run(f.name, func(t *testing.T) {
			got, want := f.f(x, y, 0), f.f(cx, cy, 0)
			if got != want {
				t.Errorf("with NaN: %+v, want %+v", got, want)
			}
		})
	}
}

func TestCorrelation_PanicsOnLengthMismatch(t *testing.T) {
	for _, f := range pairwise {
		t.Run(f.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic for len(x)=2, len(y)=3")
				}
			}()
			f.f([]float64{1, 2}, []float64{1, 2, 3}, 0)
		})
	}
}

func TestRank(t *testing.T) {
	tests := []struct {
		name string
		x    []float64
		want []float64
	}{
		{"Empty", []float64{}, []float64{}},
		{"Distinct", []float64{3, 1, 2}, []float64{3, 1, 2}},
		// R: rank(c(0, 2, 0, 1, 2, 0), ties.method="average") = 2 5.5 2 4 5.5 2
		{"Ties", []float64{0, 2, 0, 1, 2, 0}, []float64{2, 5.5, 2, 4, 5.5, 2}},
		{"NaN", []float64{5, nan, 1, 5}, []float64{2.5, nan, 1, 2.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analysis.Rank(nil, tt.x)
			if !slices.EqualFunc(got, tt.want, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
				t.Errorf("Rank(%v) = %v, want %v", tt.x, got, tt.want)
			}
		})
	}
}

func TestRMCorr_EdgeCases(t *testing.T) {
	tests := []struct {
		name   string
		x, y   [][]float64
		n, k   int
		reason string
	}{
		{"Empty", nil, nil, 0, 0, "df=N-teams-1=-1 below minimum 8 (N=0, teams=0)"},
		{"OneWeekPerTeam", [][]float64{{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}},
			[][]float64{{2}, {1}, {4}, {3}, {6}, {5}, {8}, {7}, {10}, {9}, {12}, {11}}, 12, 12,
			"df=N-teams-1=-1 below minimum 8 (N=12, teams=12)"},
		// 3 teams x 4 weeks: df = 12-3-1 = 8 is the minimum for minN 10.
		{"AtMinimum", [][]float64{{1, 2, 3, 4}, {5, 6, 7, 9}, {2, 4, 3, 1}},
			[][]float64{{1, 3, 2, 4}, {7, 8, 6, 9}, {1, 2, 3, 3}}, 12, 3, ""},
		{"BelowMinimum", [][]float64{{1, 2, 3, 4}, {5, 6, 7, 9}, {2, 4, 3, nan}},
			[][]float64{{1, 3, 2, 4}, {7, 8, 6, 9}, {1, 2, 3, 3}}, 11, 3,
			"df=N-teams-1=7 below minimum 8 (N=11, teams=3)"},
		{"TeamWithoutPairs", [][]float64{{1, 2, 3, 4}, {5, 6, 7, 9}, {2, 4, 3, 1}, {nan, 1}},
			[][]float64{{1, 3, 2, 4}, {7, 8, 6, 9}, {1, 2, 3, 3}, {1, nan}}, 12, 3, ""},
		{"ConstantWithinTeams", [][]float64{{1, 1, 1, 1}, {5, 5, 5, 5}, {2, 2, 2, 2}},
			[][]float64{{1, 3, 2, 4}, {7, 8, 6, 9}, {1, 2, 3, 3}}, 12, 3, "x is constant within every team"},
		{"ConstantY", [][]float64{{1, 2, 3, 4}, {5, 6, 7, 9}, {2, 4, 3, 1}},
			[][]float64{{1, 1, 1, 1}, {7, 7, 7, 7}, {1, 1, 1, 1}}, 12, 3, "y is constant within every team"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analysis.RMCorr(tt.x, tt.y, 0)
			if got.N != tt.n || got.Groups != tt.k {
				t.Errorf("N, Groups = %d, %d, want %d, %d", got.N, got.Groups, tt.n, tt.k)
			}
			if tt.reason != "" {
				checkReason(t, got, tt.reason)
				return
			}
			if !got.OK() || got.DF != tt.n-tt.k-1 {
				t.Errorf("got %+v, want a coefficient on df %d", got, tt.n-tt.k-1)
			}
		})
	}
}

func TestBetweenTeams_EdgeCases(t *testing.T) {
	x := [][]float64{{1, 2}, {2, nan}, {3}, {4, 4}, {5}, {6}, {7}, {8}, {9}, {nan}}
	y := [][]float64{{1, 1}, {nan, 5}, {2}, {1, 3}, {4}, {3}, {6}, {5}, {8}, {1}}
	checkReason(t, analysis.BetweenTeams(x, y, 0), "teams=8 below minimum 10")
	got := analysis.BetweenTeams(x, y, 4)
	if !got.OK() || got.Groups != 8 || got.N != 10 || got.DF != 6 {
		t.Errorf("got %+v, want a coefficient from 8 teams, 10 pairs, df 6", got)
	}
	flat := [][]float64{{1}, {1}, {1}, {1}}
	checkReason(t, analysis.BetweenTeams(flat, [][]float64{{1}, {2}, {3}, {4}}, 4), "team means: x is constant")
}

func TestRMCorr_PanicsOnLengthMismatch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("no panic for a team with 2 x and 1 y")
		}
	}()
	analysis.RMCorr([][]float64{{1, 2}}, [][]float64{{1}}, 0)
}

func TestLagPairs(t *testing.T) {
	s := analysis.Series{
		Team: "t",
		Week: []int{10, 11, 12, 14, 15},
	}
	s.Values[analysis.Recognition] = []float64{1, 2, 3, 4, nan}
	s.Values[analysis.Engagement] = []float64{50, 51, nan, 54, 55}
	tests := []struct {
		lag    int
		wx, wy []float64
	}{
		// Weeks (x, y): (10,10) (11,11) (14,14); 12 has no y, 15 no x.
		{0, []float64{1, 2, 4}, []float64{50, 51, 54}},
		// (10,11) (14,15); 11->12 has no y, 12->13 and 15->16 are missing weeks.
		{1, []float64{1, 4}, []float64{51, 55}},
		// (12,14); 10->12 no y, 11->13 missing, 14->16 missing.
		{2, []float64{3}, []float64{54}},
		// x in week w, y in week w-1: (11,10) (12,11) (15,14); but x(15) is NaN.
		{-1, []float64{2, 3}, []float64{50, 51}},
		{-4, []float64{4}, []float64{50}},
		{-5, nil, nil}, // x(15) is NaN
		{6, nil, nil},
	}
	for _, tt := range tests {
		gx, gy := analysis.LagPairs(nil, nil, &s, analysis.Recognition, analysis.Engagement, tt.lag)
		if !slices.Equal(gx, tt.wx) || !slices.Equal(gy, tt.wy) {
			t.Errorf("lag %d: pairs %v, %v, want %v, %v", tt.lag, gx, gy, tt.wx, tt.wy)
		}
	}
	gx, _ := analysis.LagPairs(nil, nil, &s, analysis.Recognition, analysis.Wellbeing, 0)
	if len(gx) != 0 {
		t.Errorf("pairs with an absent variable: %v, want none", gx)
	}
}

func TestSeries_ValidatePanics(t *testing.T) {
	tests := []struct {
		name string
		s    analysis.Series
	}{
		{"Unsorted", analysis.Series{Week: []int{2, 1}}},
		{"Duplicate", analysis.Series{Week: []int{1, 1}}},
		{"Length", analysis.Series{Week: []int{1, 2}, Values: [analysis.NumVariables][]float64{{1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Validate did not panic")
				}
			}()
			tt.s.Validate()
		})
	}
}

func TestWeekIndex(t *testing.T) {
	tests := []struct {
		date       string
		year, week int // its ISO week
	}{
		{"1970-01-05", 1970, 2},
		{"2025-12-28", 2025, 52}, // Sunday
		{"2025-12-29", 2026, 1},  // Monday of 2026-W01
		{"2021-01-03", 2020, 53},
		{"2021-01-04", 2021, 1},
		{"1969-12-31", 1970, 1},
	}
	for _, tt := range tests {
		d, err := time.Parse(time.DateOnly, tt.date)
		if err != nil {
			t.Fatal(err)
		}
		if y, w := d.ISOWeek(); y != tt.year || w != tt.week {
			t.Fatalf("%s is in %d-W%02d, test says %d-W%02d", tt.date, y, w, tt.year, tt.week)
		}
		if got, want := analysis.WeekIndex(d), analysis.ISOWeekIndex(tt.year, tt.week); got != want {
			t.Errorf("WeekIndex(%s) = %d, ISOWeekIndex(%d, %d) = %d, want equal", tt.date, got, tt.year, tt.week, want)
		}
	}
	if got := analysis.WeekIndex(time.Date(1970, 1, 5, 23, 0, 0, 0, time.UTC)); got != 0 {
		t.Errorf("WeekIndex(1970-01-05) = %d, want 0", got)
	}
	if got := analysis.WeekIndex(time.Date(1970, 1, 4, 0, 0, 0, 0, time.UTC)); got != -1 {
		t.Errorf("WeekIndex(1970-01-04) = %d, want -1", got)
	}
	if a, b := analysis.ISOWeekIndex(2020, 53), analysis.ISOWeekIndex(2021, 1); b != a+1 {
		t.Errorf("ISOWeekIndex(2021, 1) = %d, want ISOWeekIndex(2020, 53)+1 = %d", b, a+1)
	}
}

func TestAdjustBH_Properties(t *testing.T) {
	p := []float64{0.04, nan, 0.001, 0.04, 0.9, 0.03, nan}
	got := analysis.AdjustBH(nil, p)
	for i := range p {
		if math.IsNaN(p[i]) != math.IsNaN(got[i]) {
			t.Errorf("adj[%d] = %v for p = %v, want NaN exactly where p is NaN", i, got[i], p[i])
		}
		if !math.IsNaN(p[i]) && (got[i] < p[i] || got[i] > 1) {
			t.Errorf("adj[%d] = %v, want in [p=%v, 1]", i, got[i], p[i])
		}
		for j := range p {
			if p[i] < p[j] && got[i] > got[j] {
				t.Errorf("adj not monotone: p %v < %v but adj %v > %v", p[i], p[j], got[i], got[j])
			}
		}
	}
	in := slices.Clone(p)
	analysis.AdjustBH(in, in)
	if !slices.EqualFunc(in, got, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
		t.Errorf("in place: %v, want %v", in, got)
	}
	if got := analysis.AdjustBH(nil, nil); len(got) != 0 {
		t.Errorf("AdjustBH(nil) = %v, want empty", got)
	}
}

func TestICC1_EdgeCases(t *testing.T) {
	tests := []struct {
		name   string
		groups [][]float64
		reason string
	}{
		{"Empty", nil, "groups=0, need at least 2"},
		{"OneGroup", [][]float64{{1, 2, 3}, {nan}}, "groups=1, need at least 2"},
		{"Singletons", [][]float64{{1}, {2}, {3}}, "no group has two values"},
		{"Constant", [][]float64{{2, 2}, {2, 2, 2}}, "all values are equal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analysis.ICC1(tt.groups)
			if got.Reason != tt.reason || !math.IsNaN(got.ICC) {
				t.Errorf("Reason, ICC = %q, %v, want %q, NaN", got.Reason, got.ICC, tt.reason)
			}
		})
	}
	got := analysis.ICC1([][]float64{{1, 1}, {2, 2, 2}, {5}})
	if got.ICC != 1 || got.P != 0 || !math.IsInf(got.F, 1) {
		t.Errorf("no variance within groups: ICC, F, P = %v, %v, %v, want 1, +Inf, 0", got.ICC, got.F, got.P)
	}
}

func TestKendall_EdgeCases(t *testing.T) {
	ident := func(i int) float64 { return float64(i) }
	tests := []struct {
		name   string
		x, y   []float64
		minN   int
		reason string
	}{
		{"Empty", nil, nil, 0, "n=0 below minimum 10"},
		{"BelowMinimum", seq(9, ident), seq(9, ident), 0, "n=9 below minimum 10"},
		{"MinimumRaisedTo5", seq(4, ident), seq(4, ident), 4, "n=4 below minimum 5"},
		{"ConstantX", seq(10, func(int) float64 { return 1 }), seq(10, ident), 0, "x is constant"},
		{"ConstantY", seq(10, ident), seq(10, func(int) float64 { return 1 }), 0, "y is constant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReason(t, analysis.Kendall(tt.x, tt.y, tt.minN), tt.reason)
		})
	}
	t.Run("Perfect", func(t *testing.T) {
		got := analysis.Kendall(seq(10, ident), seq(10, func(i int) float64 { return -math.Exp(float64(i)) }), 0)
		if got.R != -1 || got.CILow != -1 || got.CIHigh != -1 || !(got.P < 1e-3) {
			t.Errorf("tau, CI, p = %v, [%v, %v], %v, want -1, [-1, -1], < 1e-3", got.R, got.CILow, got.CIHigh, got.P)
		}
	})
	t.Run("NaNDropsPairs", func(t *testing.T) {
		x := []float64{1, 2, nan, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}
		y := []float64{2, 1, 4, 3, 7, nan, 5, 9, 8, 12, 10, 11, 15}
		cx := []float64{1, 2, 4, 5, 7, 8, 9, 10, 11, 12, 13}
		cy := []float64{2, 1, 3, 7, 5, 9, 8, 12, 10, 11, 15}
		if got, want := analysis.Kendall(x, y, 0), analysis.Kendall(cx, cy, 0); got != want {
			t.Errorf("with NaN: %+v, want %+v", got, want)
		}
	})
}

func TestTeamICC1(t *testing.T) {
	data := teamWeeks()
	var groups [][]float64
	for _, s := range data {
		groups = append(groups, s.Values[analysis.Engagement])
	}
	got, want := analysis.TeamICC1(data, analysis.Engagement), analysis.ICC1(groups)
	if got != want {
		t.Errorf("TeamICC1 = %+v, want ICC1 of the teams' weeks %+v", got, want)
	}
	if got.Groups != 6 || got.N != 29 {
		t.Errorf("Groups, N = %d, %d, want 6, 29", got.Groups, got.N)
	}
	if got := analysis.TeamICC1(data, analysis.Wellbeing); got.Reason != "groups=0, need at least 2" {
		t.Errorf("absent variable: Reason = %q, want %q", got.Reason, "groups=0, need at least 2")
	}
}

// TestConstant_RoundedMeans feeds series that are constant at 0.1, whose mean
// is not exactly 0.1 in floating point: every statistic must still see a
// constant, not a correlation computed from rounding noise.
func TestConstant_RoundedMeans(t *testing.T) {
	x := seq(12, func(int) float64 { return 0.1 })
	y := seq(12, func(i int) float64 { return float64(i * i % 7) })
	checkReason(t, analysis.Pearson(x, y, 0), "x is constant")
	checkReason(t, analysis.Spearman(x, y, 0), "x is constant")
	checkReason(t, analysis.Kendall(x, y, 0), "x is constant")
	tx := [][]float64{x[:3], x[3:8], x[8:]}
	ty := [][]float64{y[:3], y[3:8], y[8:]}
	checkReason(t, analysis.RMCorr(tx, ty, 4), "x is constant within every team")
	checkReason(t, analysis.RMCorr(ty, tx, 4), "y is constant within every team")
	bx := [][]float64{x[:3], x[3:4], x[4:5], x[5:7], x[7:]}
	by := [][]float64{y[:3], y[3:4], y[4:5], y[5:7], y[7:]}
	checkReason(t, analysis.BetweenTeams(bx, by, 4), "team means: x is constant")
	if got := analysis.ICC1(bx); got.Reason != "all values are equal" || !math.IsNaN(got.ICC) {
		t.Errorf("ICC1 of constant 0.1s: Reason, ICC = %q, %v, want %q, NaN", got.Reason, got.ICC, "all values are equal")
	}
	// Constant within groups but not across: ICC(1) is exactly 1.
	if got := analysis.ICC1([][]float64{{0.1, 0.1, 0.1}, {0.7, 0.7}, {0.3, 0.3, 0.3, 0.3}}); got.ICC != 1 || got.P != 0 {
		t.Errorf("ICC1 of groups constant within: ICC, P = %v, %v, want 1, 0", got.ICC, got.P)
	}
}

// TestKendall_BruteForce compares the O(n log n) count of concordant minus
// discordant pairs with the O(n²) definition on larger samples with many
// ties, through tau_b = (C-D)/sqrt((n0-n1)(n0-n2)).
func TestKendall_BruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{10, 57, 300} {
		x := make([]float64, n)
		y := make([]float64, n)
		for i := range x {
			x[i] = float64(rng.IntN(6))
			y[i] = float64(rng.IntN(9)) + 0.3*x[i]
		}
		var s, n1, n2, n0 float64
		for i := range n {
			for j := i + 1; j < n; j++ {
				n0++
				dx, dy := x[i]-x[j], y[i]-y[j]
				if dx == 0 {
					n1++
				}
				if dy == 0 {
					n2++
				}
				switch {
				case dx*dy > 0:
					s++
				case dx*dy < 0:
					s--
				}
			}
		}
		want := s / math.Sqrt((n0-n1)*(n0-n2))
		got := analysis.Kendall(x, y, 0)
		approx(t, fmt.Sprintf("tau_b(n=%d)", n), got.R, want, 1e-12)
	}
}
