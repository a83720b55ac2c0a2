package analysis

import "math"

// Pearson returns the Pearson product-moment correlation of the paired
// samples x and y, with its 95% confidence interval and two-sided p-value:
//
//	r  = Sxy / sqrt(Sxx * Syy)
//	CI = tanh(atanh(r) ± z_0.975 / sqrt(n-3))        (Fisher z)
//	t  = r * sqrt((n-2) / (1-r²)),  p = 2 * P(T_{n-2} > |t|)
//
// where Sxx, Syy and Sxy are the sums of squares and products of deviations
// from the means and z_0.975 = qnorm(0.975). This matches R's
// cor.test(x, y, method="pearson").
//
// Pairs in which either value is NaN are dropped first; n counts the pairs
// that remain. If n is below minN (0 means DefaultMinN; values below 4 are
// raised to 4, as the interval needs n > 3), or if x or y is constant over the
// remaining pairs, the Result has no coefficient, only the Reason. When
// |r| = 1 the p-value is 0 and the interval is degenerate, [r, r].
//
// The test assumes independent pairs; pairs pooled from repeated weeks of the
// same teams are not independent, so treat its p-value and interval as
// optimistic there and prefer RMCorr for the within-team association.
//
// Pearson panics if len(x) != len(y).
func Pearson(x, y []float64, minN int) Result {
	cx, cy := completePairs(nil, nil, x, y)
	return pearsonComplete(cx, cy, effectiveMinN(minN))
}

// pearsonComplete is Pearson on pairs known to be complete.
func pearsonComplete(x, y []float64, minN int) Result {
	n := len(x)
	if n < minN {
		return withReason(n, 0, max(n-2, 0), "n=%d below minimum %d", n, minN)
	}
	if reason := constantReason(allEqual(x), allEqual(y)); reason != "" {
		return withReason(n, 0, n-2, "%s", reason)
	}
	sxx, syy, sxy := corrSums(x, y)
	return correlationResult(n, 0, sxx, syy, sxy, 1/math.Sqrt(float64(n-3)))
}

// correlationResult finishes a Pearson-type coefficient from its sums, with
// the Fisher-z standard error se and the t test on n-2 degrees of freedom.
// Callers have checked that the samples are not constant; zero sums that
// remain (differences that underflow) are reported as constant all the same.
func correlationResult(n, groups int, sxx, syy, sxy, se float64) Result {
	df := n - 2
	if reason := constantReason(sxx == 0, syy == 0); reason != "" {
		return withReason(n, groups, df, "%s", reason)
	}
	r := clampR(sxy / math.Sqrt(sxx*syy))
	lo, hi := fisherCI(r, se)
	return Result{N: n, Groups: groups, DF: df, R: r, CILow: lo, CIHigh: hi, P: tTestP(r, df)}
}
