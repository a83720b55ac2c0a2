package analysis

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// ICCResult is the outcome of ICC1. When Reason is not empty the ICC cannot
// be computed and ICC, F and P are NaN.
type ICCResult struct {
	// Groups is the number of groups with at least one value, N the number of
	// values.
	Groups, N int
	// K0 is the adjusted group size used for unequal groups (see ICC1).
	K0 float64
	// ICC is ICC(1); it can be negative when groups differ less than chance.
	ICC float64
	// F = MSB/MSW on DF1 = Groups-1 and DF2 = N-Groups degrees of freedom,
	// and P its upper-tail p-value, test the hypothesis ICC(1) = 0.
	F        float64
	DF1, DF2 int
	P        float64
	// Reason is empty when ICC is reported, and otherwise says why not.
	Reason string
}

// ICC1 returns ICC(1), the intraclass correlation of the one-way random
// effects model: the share of the variance of a value that lies between
// groups. groups[i] holds the values of group i. From the one-way ANOVA with g
// groups of sizes n_i and N values in all:
//
//	MSB = sum_i n_i (mean_i - mean)² / (g-1)
//	MSW = sum_i sum_j (x_ij - mean_i)² / (N-g)
//	k0  = (N - sum_i n_i² / N) / (g-1)
//	ICC(1) = (MSB - MSW) / (MSB + (k0-1) MSW)
//
// k0 is the standard adjusted group size for unequal groups (Snedecor &
// Cochran; Donner 1986): with unequal groups E[MSB] = σ²_within +
// k0 σ²_between, so this is the ANOVA estimator proper. For equal groups k0
// is the group size n, and ICC(1) matches psych::ICC(m, lmer=FALSE)'s "ICC1"
// (groups as rows of m) and multilevel::ICC1(aov(x ~ group)). For unequal
// groups multilevel::ICC1 (2.7) uses the mean group size N/g instead, which
// is never below k0 and so gives a slightly smaller ICC(1) when MSB > MSW.
// F = MSB/MSW is the test that psych::ICC reports.
//
// NaN values are dropped; groups left empty are skipped. With fewer than two
// groups, no group with two values, or no variance at all, the result has
// only a Reason. When MSW = 0 < MSB, ICC(1) = 1, F = +Inf and P = 0.
func ICC1(groups [][]float64) ICCResult {
	var grand, first float64
	n, g := 0, 0
	var sumN2 float64
	vary := false // whether the values are not all equal
	for _, grp := range groups {
		m := 0
		for _, v := range grp {
			if !math.IsNaN(v) {
				if n+m == 0 {
					first = v
				}
				vary = vary || v != first
				grand += v
				m++
			}
		}
		if m > 0 {
			n += m
			g++
			sumN2 += float64(m) * float64(m)
		}
	}
	res := ICCResult{Groups: g, N: n, K0: nan, ICC: nan, F: nan, P: nan, DF1: max(g-1, 0), DF2: n - g}
	if g < 2 {
		res.Reason = fmt.Sprintf("groups=%d, need at least 2", g)
		return res
	}
	if n-g < 1 {
		res.Reason = "no group has two values"
		return res
	}
	grand /= float64(n)
	var ssb, ssw float64
	for _, grp := range groups {
		var s, v0 float64
		m := 0
		constant := true
		for _, v := range grp {
			if !math.IsNaN(v) {
				if m == 0 {
					v0 = v
				}
				constant = constant && v == v0
				s += v
				m++
			}
		}
		if m == 0 {
			continue
		}
		mean := s / float64(m)
		if constant {
			mean = v0 // exact, so that the group adds exactly 0 to SSW
		}
		d := mean - grand
		ssb += float64(m) * d * d
		for _, v := range grp {
			if !math.IsNaN(v) {
				e := v - mean
				ssw += e * e
			}
		}
	}
	msb := ssb / float64(g-1)
	msw := ssw / float64(n-g)
	res.K0 = (float64(n) - sumN2/float64(n)) / float64(g-1)
	if !vary || msb == 0 && msw == 0 {
		res.Reason = "all values are equal"
		return res
	}
	res.ICC = (msb - msw) / (msb + (res.K0-1)*msw)
	if msw == 0 {
		res.F, res.P = math.Inf(1), 0
		return res
	}
	res.F = msb / msw
	res.P = distuv.F{D1: float64(g - 1), D2: float64(n - g)}.Survival(res.F)
	return res
}

// TeamICC1 returns ICC1 of variable v with each Series as one group and its
// weeks as the group's values: the share of the variance of weekly team
// scores that lies between teams (stable team differences) rather than
// between weeks of the same team. It is computed from team-week aggregates,
// so it is not the ICC(1) of individual answers within teams, which analysis
// never sees.
func TeamICC1(data []Series, v Variable) ICCResult {
	groups := make([][]float64, 0, len(data))
	for i := range data {
		data[i].Validate()
		if vals := data[i].Values[v]; vals != nil {
			groups = append(groups, vals)
		}
	}
	return ICC1(groups)
}
