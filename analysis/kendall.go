package analysis

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// kendallVar is the Fieller, Hartley & Pearson (1957) variance factor of
// atanh(tau) for Kendall's coefficient: Var ≈ 0.437 / (n-4).
const kendallVar = 0.437

// Kendall returns Kendall's tau-b of the paired samples x and y, which
// accounts for ties in either sample, with an approximate 95% interval and a
// two-sided p-value from the normal approximation:
//
//	tau_b = (C - D) / sqrt((n0 - n1) (n0 - n2))
//	z     = (C - D) / sqrt(Var(C - D)),  p = 2 * P(Z > |z|)
//	CI    = tanh(atanh(tau_b) ± z_0.975 * sqrt(0.437 / (n-4)))
//
// where C and D count concordant and discordant pairs of observations,
// n0 = n(n-1)/2, n1 = sum t(t-1)/2 over the groups of t tied x values, n2
// likewise for y, and Var(C - D) is the tie-corrected variance
//
//	(v0 - vt - vu)/18 + v1/(2n(n-1)) + v2/(9n(n-1)(n-2))
//
// with v0 = n(n-1)(2n+5), vt = sum t(t-1)(2t+5), vu likewise for y,
// v1 = sum t(t-1) * sum u(u-1) and v2 = sum t(t-1)(t-2) * sum u(u-1)(u-2).
// Coefficient and p-value match R's cor.test(x, y, method="kendall",
// exact=FALSE) (no continuity correction) and SciPy's
// scipy.stats.kendalltau(x, y, method="asymptotic"). The interval is Fisher's
// z with the variance 0.437/(n-4) of Fieller, Hartley & Pearson (1957); R and
// SciPy report none. The test is a z test, so Result.DF is 0.
//
// Pairs with a NaN are dropped; below minN (0 means DefaultMinN; values below
// 5 are raised to 5, as the interval needs n > 4), or when x or y is
// constant, the Result has only a Reason. When |tau_b| = 1 the interval is
// [tau, tau]; the p-value is then small but not 0, as the z test has no
// special case. It takes O(n log n) time (Knight 1966).
//
// Kendall panics if len(x) != len(y).
func Kendall(x, y []float64, minN int) Result {
	cx, cy := completePairs(nil, nil, x, y)
	minN = max(effectiveMinN(minN), 5)
	n := len(cx)
	if n < minN {
		return withReason(n, 0, 0, "n=%d below minimum %d", n, minN)
	}

	if reason := constantReason(allEqual(cx), allEqual(cy)); reason != "" {
		return withReason(n, 0, 0, "%s", reason)
	}
	// Sort the pairs by x, then y.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmpFloat(cx[a], cx[b]); c != 0 {
			return c
		}
		return cmpFloat(cy[a], cy[b])
	})
	ys := make([]float64, n)
	for i, k := range idx {
		ys[i] = cy[k]
	}
	// Ties in x, and joint ties in (x, y).
	xt := tieSums(n, func(i int) bool { return cx[idx[i]] == cx[idx[i-1]] })
	n3 := tieSums(n, func(i int) bool { return cx[idx[i]] == cx[idx[i-1]] && ys[i] == ys[i-1] }).pairs
	// Discordant pairs are the inversions of y in this order; sorting ys by
	// merge sort counts them.
	dis := mergeCount(ys, make([]float64, n))
	yt := tieSums(n, func(i int) bool { return ys[i] == ys[i-1] })

	fn := float64(n)
	n0 := fn * (fn - 1) / 2
	s := n0 - xt.pairs - yt.pairs + n3 - 2*dis // C - D
	tau := clampR(s / math.Sqrt((n0-xt.pairs)*(n0-yt.pairs)))

	m := fn * (fn - 1)
	v := (m*(2*fn+5)-xt.v25-yt.v25)/18 +
		(2*xt.pairs)*(2*yt.pairs)/(2*m) +
		xt.v3*yt.v3/(9*m*(fn-2))
	p := 2 * distuv.UnitNormal.Survival(math.Abs(s)/math.Sqrt(v))
	lo, hi := fisherCI(tau, math.Sqrt(kendallVar/(fn-4)))
	return Result{N: n, R: tau, CILow: lo, CIHigh: hi, P: p}
}

// ties holds sums over the groups of t tied values: pairs = sum t(t-1)/2,
// v25 = sum t(t-1)(2t+5), v3 = sum t(t-1)(t-2).
type ties struct {
	pairs, v25, v3 float64
}

// tieSums sums over the runs of a sorted sequence of length n; same(i)
// reports whether element i ties with element i-1.
func tieSums(n int, same func(i int) bool) ties {
	var t ties
	run := 1
	flush := func() {
		r := float64(run)
		t.pairs += r * (r - 1) / 2
		t.v25 += r * (r - 1) * (2*r + 5)
		t.v3 += r * (r - 1) * (r - 2)
		run = 1
	}
	for i := 1; i < n; i++ {
		if same(i) {
			run++
			continue
		}
		flush()
	}
	if n > 0 {
		flush()
	}
	return t
}

// mergeCount sorts a ascending with a stable merge sort, using buf (of the
// same length) as scratch, and returns the number of inversions: pairs
// i < j with a[i] > a[j]. Equal values are not inversions.
func mergeCount(a, buf []float64) float64 {
	n := len(a)
	if n < 2 {
		return 0
	}
	mid := n / 2
	inv := mergeCount(a[:mid], buf[:mid]) + mergeCount(a[mid:], buf[mid:])
	i, j, k := 0, mid, 0
	for i < mid && j < n {
		if a[j] < a[i] {
			buf[k] = a[j]
			inv += float64(mid - i)
			j++
		} else {
			buf[k] = a[i]
			i++
		}
		k++
	}
	k += copy(buf[k:], a[i:mid])
	copy(buf[k:], a[j:])
	copy(a, buf[:n])
	return inv
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
