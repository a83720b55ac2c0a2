package analysis_test

import (
	"fmt"
	"math"

	"github.com/empulse/empulse/analysis"
)

func ExamplePearson() {
	// Recognitions received per member and engagement of one team-week each.
	rec := []float64{0, 0, 0, 1, 0, 2, 0, 0, 3, 1, 0, 0, 5, 1}
	eng := []float64{6.1, 5.8, 6.1, 6.5, 5.2, 7.0, 6.1, 5.9, 7.3, 6.0, 4.8, 6.1, 6.9, 6.6}
	r := analysis.Pearson(rec, eng, 0)
	fmt.Printf("n=%d r=%.3f 95%% CI [%.3f, %.3f] p=%.4f\n", r.N, r.R, r.CILow, r.CIHigh, r.P)

	// Below the minimum n there is no coefficient, only the reason.
	r = analysis.Pearson(rec[:7], eng[:7], 0)
	fmt.Println(r.OK(), r.Reason)
	// Output:
	// n=14 r=0.712 95% CI [0.291, 0.902] p=0.0043
	// false n=7 below minimum 10
}

func ExampleSpearman() {
	rec := []float64{0, 0, 0, 1, 0, 2, 0, 0, 3, 1, 0, 0, 5, 1, math.NaN()}
	eng := []float64{6.1, 5.8, 6.1, 6.5, 5.2, 7.0, 6.1, 5.9, 7.3, 6.0, 4.8, 6.1, 6.9, 6.6, 7.1}
	r := analysis.Spearman(rec, eng, 0) // the pair with NaN is dropped
	fmt.Printf("n=%d rho=%.3f 95%% CI [%.3f, %.3f] p=%.4f\n", r.N, r.R, r.CILow, r.CIHigh, r.P)
	// Output:
	// n=14 rho=0.784 95% CI [0.421, 0.931] p=0.0009
}

func ExampleRMCorr() {
	// Four teams: within each, more recognition goes with more engagement;
	// across teams, teams with more recognition score lower (values checked
	// with R: lm(y ~ team + x) and drop1, as rmcorr::rmcorr computes them).
	rec := [][]float64{{1, 3, 2, 4, 5}, {7, 9, 8, 10, 6}, {0, 1, 1, 2}, {4, 5, 6, 5}}
	eng := [][]float64{{60, 63, 61, 64, 66}, {50, 52, 49, 53, 48}, {70, 69, 72, 73}, {58, 59, 61, 60}}
	within := analysis.RMCorr(rec, eng, 0)
	between := analysis.BetweenTeams(rec, eng, 4)
	fmt.Printf("within:  r=%.3f df=%d 95%% CI [%.3f, %.3f]\n", within.R, within.DF, within.CILow, within.CIHigh)
	fmt.Printf("between: r=%.3f over %d teams\n", between.R, between.Groups)
	fmt.Println(analysis.Lagged(nil, analysis.Recognition, analysis.Engagement, 0, analysis.MethodRMCorr, 0).Reason)
	// Output:
	// within:  r=0.908 df=13 95% CI [0.715, 0.973]
	// between: r=-0.991 over 4 teams
	// df=N-teams-1=-1 below minimum 8 (N=0, teams=0)
}

func ExampleAdjustBH() {
	p := []float64{0.01, 0.04, math.NaN(), 0.03, 0.2}
	fmt.Printf("%.4f\n", analysis.AdjustBH(nil, p))
	// Output:
	// [0.0400 0.0533 NaN 0.0533 0.2000]
}

func ExampleICC1() {
	// Weekly engagement of three teams.
	teams := [][]float64{{62, 60, 65, 63}, {55, 57, 54}, {70, 66, 71, 69, 72}}
	icc := analysis.ICC1(teams)
	fmt.Printf("ICC(1)=%.3f k0=%.3f F(%d, %d)=%.1f\n", icc.ICC, icc.K0, icc.DF1, icc.DF2, icc.F)
	// Output:
	// ICC(1)=0.918 k0=3.917 F(2, 9)=45.1
}

func ExampleLagPairs() {
	s := analysis.Series{Team: "t1", Week: []int{10, 11, 12, 14}}
	s.Values[analysis.Recognition] = []float64{1, 2, 3, 4}
	s.Values[analysis.Engagement] = []float64{50, 51, 52, 54}
	// Recognition in week t against engagement in week t+1: week 13 is
	// missing, so week 12 has no partner and week 14's partner is outside.
	x, y := analysis.LagPairs(nil, nil, &s, analysis.Recognition, analysis.Engagement, 1)
	fmt.Println(x, y)
	// Output:
	// [1 2] [51 52]
}

func ExampleTable() {
	// Twelve teams x ten weeks of synthetic aggregates: within a team, weeks
	// with more recognition have higher engagement; teams with more
	// recognition have lower engagement.
	var data []analysis.Series
	for t := range 12 {
		s := analysis.Series{Team: fmt.Sprintf("team-%d", t)}
		var rec, eng []float64
		for w := range 10 {
			bump := float64((w*w + 3*t + w*t) % 5)
			s.Week = append(s.Week, analysis.ISOWeekIndex(2026, 10+w))
			rec = append(rec, float64(t%4)+bump/2)
			eng = append(eng, 70-3*float64(t%4)+0.8*bump+float64((w*5+t)%3))
		}
		s.Values[analysis.Recognition] = rec
		s.Values[analysis.Engagement] = eng
		data = append(data, s)
	}
	rows := analysis.Table(data, analysis.TableOptions{
		Pairs: []analysis.Pair{{X: analysis.Recognition, Y: analysis.Engagement}},
		Lags:  []int{0, 1},
	})
	for _, r := range rows {
		fmt.Printf("%-13s lag %d n=%3d teams=%2d r=%6.3f [%6.3f, %6.3f] p_adj=%.2g\n",
			r.Method, r.Lag, r.N, r.Teams, r.R, r.CILow, r.CIHigh, r.PAdj)
	}
	// Output:
	// pearson       lag 0 n=120 teams=12 r=-0.557 [-0.670, -0.420] p_adj=5.3e-11
	// spearman      lag 0 n=120 teams=12 r=-0.571 [-0.684, -0.433] p_adj=1.6e-11
	// rmcorr        lag 0 n=120 teams=12 r= 0.816 [ 0.741,  0.871] p_adj=2.3e-26
	// pearson       lag 1 n=108 teams=12 r=-0.763 [-0.832, -0.671] p_adj=1.8e-21
	// spearman      lag 1 n=108 teams=12 r=-0.772 [-0.840, -0.680] p_adj=4.7e-22
	// rmcorr        lag 1 n=108 teams=12 r=-0.152 [-0.343,  0.051] p_adj=0.14
	// between-teams lag 0 n=120 teams=12 r=-0.953 [-0.987, -0.835] p_adj=2e-06
}
