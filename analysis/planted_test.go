package analysis_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/empulse/empulse/analysis"
)

// TestRMCorr_PlantedEffect plants a within-team correlation of 0.3 between
// recognition and engagement in 50 teams x 26 weeks, with a between-team
// effect of the opposite sign (Simpson's paradox). RMCorr must recover 0.3
// within its interval, while the pooled and between-team correlations are
// negative.
func TestRMCorr_PlantedEffect(t *testing.T) {
	const trueR = 0.3
	data := plant{teams: 50, weeks: 26, withinR: trueR, between: -2}.generate(1)

	rm := analysis.Lagged(data, analysis.Recognition, analysis.Engagement, 0, analysis.MethodRMCorr, 0)
	if !rm.OK() {
		t.Fatalf("rmcorr Reason = %q", rm.Reason)
	}
	if rm.N != 50*26 || rm.Groups != 50 || rm.DF != 50*26-50-1 {
		t.Errorf("rmcorr N, Groups, DF = %d, %d, %d, want %d, 50, %d", rm.N, rm.Groups, rm.DF, 50*26, 50*26-51)
	}
	if !(rm.CILow <= trueR && trueR <= rm.CIHigh) {
		t.Errorf("rmcorr r = %.3f, CI [%.3f, %.3f] does not contain the planted %.2f", rm.R, rm.CILow, rm.CIHigh, trueR)
	}
	if rm.P >= 1e-6 {
		t.Errorf("rmcorr p = %g, want < 1e-6 for r = 0.3 on df = %d", rm.P, rm.DF)
	}

	t.Logf("rmcorr r = %.3f [%.3f, %.3f], df %d", rm.R, rm.CILow, rm.CIHigh, rm.DF)
	pooled := analysis.Lagged(data, analysis.Recognition, analysis.Engagement, 0, analysis.MethodPearson, 0)
	if !(pooled.CIHigh < 0) {
		t.Errorf("pooled Pearson r = %.3f, CI [%.3f, %.3f], want a negative interval (Simpson's paradox)", pooled.R, pooled.CILow, pooled.CIHigh)
	}
	between := analysis.Lagged(data, analysis.Recognition, analysis.Engagement, 0, analysis.MethodBetweenTeams, 0)
	if !(between.CIHigh < 0) {
		t.Errorf("between-team r = %.3f, CI [%.3f, %.3f], want a negative interval", between.R, between.CILow, between.CIHigh)
	}
	t.Logf("pooled r = %.3f, between-team r = %.3f", pooled.R, between.R)
	if between.Groups != 50 {
		t.Errorf("between-team Groups = %d, want 50", between.Groups)
	}

	// No effect is planted at other lags: r is about 0 there (standard error
	// about 0.028), far from the planted 0.3.
	for _, lag := range []int{-4, -3, -2, -1, 1, 2, 3, 4} {
		r := analysis.Lagged(data, analysis.Recognition, analysis.Engagement, lag, analysis.MethodRMCorr, 0)
		if math.Abs(r.R) > 0.1 {
			t.Errorf("lag %d: rmcorr r = %.3f [%.3f, %.3f], want |r| <= 0.1 where nothing is planted", lag, r.R, r.CILow, r.CIHigh)
		}
	}
}

// TestRMCorr_Coverage checks the 95% interval of RMCorr over 200 independent
// data sets with a planted within-team r of 0.3 and 10% missing cells: the
// share of intervals that contain 0.3 must be near 0.95 (binomial standard
// error 0.015; the bounds are about 3 standard errors away).
func TestRMCorr_Coverage(t *testing.T) {
	const trueR, reps = 0.3, 200
	covered := 0
	for seed := range uint64(reps) {
		data := plant{teams: 20, weeks: 12, withinR: trueR, between: -2, missing: 0.1}.generate(100 + seed)
		r := analysis.Lagged(data, analysis.Recognition, analysis.Engagement, 0, analysis.MethodRMCorr, 0)
		if r.CILow <= trueR && trueR <= r.CIHigh {
			covered++
		}
	}
	got := float64(covered) / reps
	t.Logf("coverage of the 95%% interval: %.3f (%d of %d)", got, covered, reps)
	if got < 0.905 || got > 0.995 {
		t.Errorf("coverage = %.3f (%d of %d), want 0.95 ± 0.045", got, covered, reps)
	}
}

// TestLagged_PlantedDirection plants an effect of recognition in week t on
// engagement in week t+1 (true within-team r = 0.3 at lag +1, none at other
// lags) and checks that the lag convention finds it at +1, not at -1.
func TestLagged_PlantedDirection(t *testing.T) {
	const trueR, teams, weeks = 0.3, 60, 30
	rng := rand.New(rand.NewPCG(5, 6))
	data := make([]analysis.Series, teams)
	noise := math.Sqrt(1 - trueR*trueR)
	for i := range data {
		s := &data[i]
		s.Week = make([]int, weeks)
		rec := make([]float64, weeks)
		eng := make([]float64, weeks)
		m := rng.NormFloat64()
		prev := rng.NormFloat64() // recognition shock of the week before the first
		for w := range weeks {
			s.Week[w] = 100 + w
			e := rng.NormFloat64()
			rec[w] = m + e
			eng[w] = 60 - m + trueR*prev + noise*rng.NormFloat64()
			prev = e
		}
		s.Values[analysis.Recognition] = rec
		s.Values[analysis.Engagement] = eng
	}
	lead := analysis.Lagged(data, analysis.Recognition, analysis.Engagement, 1, analysis.MethodRMCorr, 0)
	if !(lead.CILow <= trueR && trueR <= lead.CIHigh) {
		t.Errorf("lag +1: rmcorr r = %.3f [%.3f, %.3f], want an interval containing %.1f", lead.R, lead.CILow, lead.CIHigh, trueR)
	}
	// Without an effect r is about 0 (its standard error is about 0.025 here;
	// centring on team means biases it by about -0.3/weeks): far below 0.3.
	for _, lag := range []int{-1, 0} {
		r := analysis.Lagged(data, analysis.Recognition, analysis.Engagement, lag, analysis.MethodRMCorr, 0)
		if math.Abs(r.R) > 0.1 {
			t.Errorf("lag %d: rmcorr r = %.3f [%.3f, %.3f], want |r| <= 0.1 where nothing is planted", lag, r.R, r.CILow, r.CIHigh)
		}
	}
}
