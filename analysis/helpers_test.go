package analysis_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/empulse/empulse/analysis"
)

// approx fails the test if got and want differ by more than tol relative to
// want (or by more than 1e-15 absolutely, for a want of 0). Relative, so that
// p-values of 1e-8 are checked to as many digits as coefficients. NaN equals
// NaN.
func approx(tb testing.TB, name string, got, want, tol float64) {
	tb.Helper()
	if math.IsNaN(want) && math.IsNaN(got) {
		return
	}
	if math.IsInf(want, 0) && got == want {
		return
	}
	if d := math.Abs(got - want); !(d <= tol*math.Abs(want) || d <= 1e-15) {
		tb.Errorf("%s = %.12g, want %.12g (tolerance %g)", name, got, want, tol)
	}
}

// ref is a reference result computed by R or SciPy.
type ref struct {
	r, lo, hi, p float64
	df           int
}

// checkResult compares a Result with its reference values.
func checkResult(tb testing.TB, got analysis.Result, want ref, tol float64) {
	tb.Helper()
	if !got.OK() {
		tb.Fatalf("Reason = %q, want a coefficient", got.Reason)
	}
	if got.DF != want.df {
		tb.Errorf("DF = %d, want %d", got.DF, want.df)
	}
	approx(tb, "R", got.R, want.r, tol)
	approx(tb, "CILow", got.CILow, want.lo, tol)
	approx(tb, "CIHigh", got.CIHigh, want.hi, tol)
	approx(tb, "P", got.P, want.p, tol)
}

// checkReason asserts that got has no coefficient, for the reason want.
func checkReason(tb testing.TB, got analysis.Result, want string) {
	tb.Helper()
	if got.Reason != want {
		tb.Errorf("Reason = %q, want %q", got.Reason, want)
	}
	if !math.IsNaN(got.R) || !math.IsNaN(got.P) || !math.IsNaN(got.CILow) || !math.IsNaN(got.CIHigh) {
		tb.Errorf("R, P, CI = %v, %v, [%v, %v], want NaN without a coefficient", got.R, got.P, got.CILow, got.CIHigh)
	}
}

// plant describes synthetic team-week data with a known within-team effect.
type plant struct {
	teams, weeks int
	withinR      float64 // true within-team correlation of recognition and engagement
	between      float64 // slope of team engagement level on team recognition level
	missing      float64 // share of NaN cells
}

// generate returns deterministic synthetic data: team i has recognition level
// m_i ~ N(2, 1); week values are x = m_i + e and
// y = 50 + between*m_i + withinR*e + sqrt(1-withinR²)*u, with e, u ~ N(0, 1),
// so the within-team correlation of x and y is withinR and the team means
// correlate with the sign of between. The other scores are noise plus the
// engagement signal.
func (p plant) generate(seed uint64) []analysis.Series {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	data := make([]analysis.Series, p.teams)
	noise := math.Sqrt(1 - p.withinR*p.withinR)
	maybe := func(v float64) float64 {
		if p.missing > 0 && rng.Float64() < p.missing {
			return math.NaN()
		}
		return v
	}
	for i := range data {
		s := &data[i]
		s.Team = "team"
		s.Week = make([]int, p.weeks)
		for v := range s.Values {
			s.Values[v] = make([]float64, p.weeks)
		}
		m := 2 + rng.NormFloat64()
		for w := 0; w < p.weeks; w++ {
			s.Week[w] = 2900 + w
			e := rng.NormFloat64()
			y := 50 + p.between*m + p.withinR*e + noise*rng.NormFloat64()
			s.Values[analysis.Recognition][w] = maybe(m + e)
			s.Values[analysis.Engagement][w] = maybe(y)
			s.Values[analysis.Wellbeing][w] = maybe(60 + 0.5*y + rng.NormFloat64())
			s.Values[analysis.ENPS][w] = maybe(math.Round(10 * (y - 50 + rng.NormFloat64())))
			s.Values[analysis.Participation][w] = maybe(math.Min(1, 0.7+0.05*rng.NormFloat64()))
		}
	}
	return data
}
