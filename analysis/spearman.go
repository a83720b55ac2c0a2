package analysis

import (
	"math"
	"slices"
)

// spearmanVar is the Fieller, Hartley & Pearson (1957) variance factor of
// atanh(rho) for Spearman's coefficient: Var ≈ 1.06 / (n-3).
const spearmanVar = 1.06

// Spearman returns Spearman's rank correlation of the paired samples x and y,
// the Pearson correlation of their ranks, with ties given the average of the
// ranks they span (R's rank(ties.method="average")):
//
//	rho = Pearson(rank(x), rank(y))
//	CI  = tanh(atanh(rho) ± z_0.975 * sqrt(1.06 / (n-3)))
//	t   = rho * sqrt((n-2) / (1-rho²)),  p = 2 * P(T_{n-2} > |t|)
//
// The coefficient and p-value match R's
// cor.test(x, y, method="spearman", exact=FALSE) and SciPy's
// scipy.stats.spearmanr, including with ties. The interval is an
// approximation: Fisher's z transform with the variance 1.06/(n-3) of
// Fieller, Hartley & Pearson (1957), who found it adequate for |rho| up to
// about 0.8 and n from 10 to 50; R's cor.test reports no interval for
// Spearman.
//
// NaN handling, the minimum n, constant series (all ranks tied), |rho| = 1
// and the independence caveat are as for Pearson. Spearman panics if
// len(x) != len(y).
func Spearman(x, y []float64, minN int) Result {
	cx, cy := completePairs(nil, nil, x, y)
	minN = effectiveMinN(minN)
	n := len(cx)
	if n < minN {
		return withReason(n, 0, max(n-2, 0), "n=%d below minimum %d", n, minN)
	}
	if reason := constantReason(allEqual(cx), allEqual(cy)); reason != "" {
		return withReason(n, 0, n-2, "%s", reason)
	}
	rx := Rank(nil, cx)
	ry := Rank(nil, cy)
	sxx, syy, sxy := corrSums(rx, ry)
	return correlationResult(n, 0, sxx, syy, sxy, math.Sqrt(spearmanVar/float64(n-3)))
}

// Rank stores in dst the ranks of x, from 1 for the smallest value, and
// returns dst. Tied values get the average of the ranks they span, as R's
// rank(x, ties.method="average"). NaN values are not ranked: their rank is
// NaN, and the other values are ranked among themselves. If dst is nil a new
// slice is allocated; otherwise Rank panics if len(dst) != len(x).
func Rank(dst, x []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(x))
	} else if len(dst) != len(x) {
		panic("analysis: slice length mismatch")
	}
	idx := make([]int32, 0, len(x))
	for i, v := range x {
		if math.IsNaN(v) {
			dst[i] = nan
			continue
		}
		idx = append(idx, int32(i))
	}
	slices.SortFunc(idx, func(a, b int32) int {
		switch va, vb := x[a], x[b]; {
		case va < vb:
			return -1
		case va > vb:
			return 1
		}
		return 0
	})
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		// Positions i..j-1 hold ranks i+1..j; their average is (i+1+j)/2.
		r := float64(i+1+j) / 2
		for _, k := range idx[i:j] {
			dst[k] = r
		}
		i = j
	}
	return dst
}
