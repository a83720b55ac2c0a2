package analysis

import (
	"fmt"
	"math"
)

// RMCorr returns the repeated-measures correlation of Bakdash & Marusich
// (2017): the association of x and y within teams, common to all teams, with
// each team's own level removed. x[i] and y[i] hold the paired observations of
// team i (for example its weeks).
//
// It is the ANCOVA y ~ team + x, fitted with a common slope and one intercept
// per team. With Sxx, Syy and Sxy the sums of squares and products of
// deviations from each team's own means, summed over teams:
//
//	slope      = Sxy / Sxx
//	SS_effect  = Sxy² / Sxx,  SS_error = Syy - SS_effect
//	r_rm       = sign(slope) * sqrt(SS_effect / (SS_effect + SS_error))
//	           = Sxy / sqrt(Sxx * Syy)
//	df         = N - k - 1
//	t          = r_rm * sqrt(df / (1-r_rm²)),  p = 2 * P(T_df > |t|)
//	CI         = tanh(atanh(r_rm) ± z_0.975 / sqrt(df-3))
//
// where N is the number of complete pairs and k the number of teams with at
// least one. The p-value equals that of the F test of x in the ANCOVA
// (F = t², on 1 and df degrees of freedom). This matches R's
// rmcorr::rmcorr(team, x, y, data) (CRAN versions 0.4.6 to 0.6.0), whose
// analytic interval is psych::r.con(r_rm, df): Fisher's z with df in place
// of n, so SE = 1/sqrt(df-3) = 1/sqrt(N-k-4).
//
// Pairs in which either value is NaN are dropped; teams left without pairs are
// not counted in k; a team with one pair adds one to N and to k and nothing
// else. The minimum applies to the degrees of freedom as for Pearson, whose df
// is n-2: the Result has no coefficient when df < minN-2 (minN 0 means
// DefaultMinN), or df < 4, which the interval needs, or when x or y does not
// vary within any team. When |r_rm| = 1, p is 0 and the interval is [r, r].
//
// Observations within a team are treated as independent given the team
// intercept; autocorrelation over weeks makes the p-value optimistic.
//
// RMCorr panics if len(x) != len(y) or len(x[i]) != len(y[i]) for some i.
func RMCorr(x, y [][]float64, minN int) Result {
	if len(x) != len(y) {
		panic("analysis: slice length mismatch")
	}
	var acc rmAcc
	for i := range x {
		if len(x[i]) != len(y[i]) {
			panic(fmt.Sprintf("analysis: team %d: slice length mismatch", i))
		}
		acc.addTeam(x[i], y[i])
	}
	return acc.result(effectiveMinN(minN))
}

// rmAcc accumulates the within-team sums of RMCorr team by team.
type rmAcc struct {
	n, k          int
	sxx, syy, sxy float64
	xVary, yVary  bool // x (y) varies within some team
	bufX, bufY    []float64
}

// addTeam adds one team's pairs, skipping those with a NaN.
func (a *rmAcc) addTeam(x, y []float64) {
	a.bufX, a.bufY = completePairs(a.bufX[:0], a.bufY[:0], x, y)
	a.addComplete(a.bufX, a.bufY)
}

// addComplete adds one team's pairs, all known to be complete. A team whose
// x (or y) is constant contributes exactly 0 to Sxx and Sxy (Syy and Sxy),
// whatever the rounding of its mean.
func (a *rmAcc) addComplete(x, y []float64) {
	if len(x) == 0 {
		return
	}
	a.n += len(x)
	a.k++
	xc, yc := allEqual(x), allEqual(y)
	a.xVary = a.xVary || !xc
	a.yVary = a.yVary || !yc
	if xc || yc {
		// Sxy is 0 too; only the varying side adds its sum of squares.
		if !xc {
			a.sxx += sumSq(x)
		}
		if !yc {
			a.syy += sumSq(y)
		}
		return
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(x))
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		a.sxx += dx * dx
		a.syy += dy * dy
		a.sxy += dx * dy
	}
}

// sumSq returns the sum of squared deviations of x from its mean.
func sumSq(x []float64) float64 {
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	var s float64
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return s
}

// result finishes RMCorr.
func (a *rmAcc) result(minN int) Result {
	df := a.n - a.k - 1
	if need := max(minN-2, 4); df < need {
		return withReason(a.n, a.k, max(df, 0), "df=N-teams-1=%d below minimum %d (N=%d, teams=%d)", df, need, a.n, a.k)
	}
	switch {
	case (!a.xVary || a.sxx == 0) && (!a.yVary || a.syy == 0):
		return withReason(a.n, a.k, df, "x and y are constant within every team")
	case !a.xVary || a.sxx == 0:
		return withReason(a.n, a.k, df, "x is constant within every team")
	case !a.yVary || a.syy == 0:
		return withReason(a.n, a.k, df, "y is constant within every team")
	}
	r := clampR(a.sxy / math.Sqrt(a.sxx*a.syy))
	lo, hi := fisherCI(r, 1/math.Sqrt(float64(df-3)))
	return Result{N: a.n, Groups: a.k, DF: df, R: r, CILow: lo, CIHigh: hi, P: tTestP(r, df)}
}

// BetweenTeams returns the between-team correlation: the Pearson correlation,
// across teams, of each team's mean of x and mean of y. x[i] and y[i] hold the
// paired observations of team i. Pairs with a NaN are dropped before the means
// are taken, so both means of a team come from the same observations; teams
// left without pairs are skipped. Every team counts once, whatever its number
// of pairs.
//
// The test is Pearson's on the k team means (see Pearson): df = k-2, the
// interval uses 1/sqrt(k-3), and the minimum minN applies to k. It matches
// R's cor.test(mx, my) on the vectors of team means. Result.N is the number of
// pairs behind the means, Result.Groups is k.
//
// It panics if len(x) != len(y) or len(x[i]) != len(y[i]) for some i.
func BetweenTeams(x, y [][]float64, minN int) Result {
	if len(x) != len(y) {
		panic("analysis: slice length mismatch")
	}
	mx := make([]float64, 0, len(x))
	my := make([]float64, 0, len(x))
	n := 0
	var x0, y0 float64           // the first complete pair
	xVary, yVary := false, false // whether any later pair differs from it
	for i := range x {
		if len(x[i]) != len(y[i]) {
			panic(fmt.Sprintf("analysis: team %d: slice length mismatch", i))
		}
		var sx, sy float64
		m := 0
		for j := range x[i] {
			if math.IsNaN(x[i][j]) || math.IsNaN(y[i][j]) {
				continue
			}
			if n+m == 0 {
				x0, y0 = x[i][j], y[i][j]
			}
			xVary = xVary || x[i][j] != x0
			yVary = yVary || y[i][j] != y0
			sx += x[i][j]
			sy += y[i][j]
			m++
		}
		if m > 0 {
			mx = append(mx, sx/float64(m))
			my = append(my, sy/float64(m))
			n += m
		}
	}
	return betweenResult(mx, my, n, !xVary, !yVary, effectiveMinN(minN))
}

// betweenResult is the Pearson test on team means; xConst and yConst tell
// whether all the values behind the means are equal.
func betweenResult(mx, my []float64, pairs int, xConst, yConst bool, minN int) Result {
	k := len(mx)
	if k < minN {
		return withReason(pairs, k, max(k-2, 0), "teams=%d below minimum %d", k, minN)
	}
	if reason := constantReason(xConst || allEqual(mx), yConst || allEqual(my)); reason != "" {
		return withReason(pairs, k, k-2, "team means: %s", reason)
	}
	sxx, syy, sxy := corrSums(mx, my)
	res := correlationResult(k, k, sxx, syy, sxy, 1/math.Sqrt(float64(k-3)))
	res.N = pairs
	if !res.OK() {
		res.Reason = "team means: " + res.Reason
	}
	return res
}
