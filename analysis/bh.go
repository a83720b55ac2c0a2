package analysis

import (
	"math"
	"slices"
)

// AdjustBH stores in dst the Benjamini-Hochberg (1995) adjusted p-values of p,
// which control the false discovery rate across the whole family, and returns
// dst. With the m non-NaN p-values sorted ascending, p_(1) <= ... <= p_(m):
//
//	adj_(i) = min(1, min_{j >= i} m * p_(j) / j)
//
// so the adjusted values are monotone in p and capped at 1. NaN p-values
// (tests that reported no coefficient) stay NaN and are not counted in m.
// This matches R's p.adjust(p, method="BH"), which also leaves NA out of m.
//
// If dst is nil a new slice is allocated; otherwise AdjustBH panics if
// len(dst) != len(p). dst may be p itself. AdjustBH panics if a p-value is
// outside [0, 1].
func AdjustBH(dst, p []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(p))
	} else if len(dst) != len(p) {
		panic("analysis: slice length mismatch")
	}
	idx := make([]int, 0, len(p))
	for i, v := range p {
		if math.IsNaN(v) {
			continue
		}
		if v < 0 || v > 1 {
			panic("analysis: p-value outside [0, 1]")
		}
		idx = append(idx, i)
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case p[a] < p[b]:
			return -1
		case p[a] > p[b]:
			return 1
		}
		return 0
	})
	m := float64(len(idx))
	adj := make([]float64, len(idx))
	running := 1.0
	for i := len(idx) - 1; i >= 0; i-- {
		running = math.Min(running, m*p[idx[i]]/float64(i+1))
		adj[i] = running
	}
	for i := range p {
		if math.IsNaN(p[i]) {
			dst[i] = nan
		}
	}
	for i, j := range idx {
		dst[j] = adj[i]
	}
	return dst
}
