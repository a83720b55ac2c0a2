package analysis

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultMinN is the minimum number of complete pairs below which a
// correlation is not reported. A minN argument of 0 selects it.
const DefaultMinN = 10

// minMinN is the smallest usable minimum: the Fisher-z interval needs n > 3.
const minMinN = 4

var nan = math.NaN()

// z975 is the 0.975 quantile of the standard normal distribution,
// qnorm(0.975) = 1.959963984540054, used for all 95% intervals.
var z975 = distuv.UnitNormal.Quantile(0.975)

// Result is the outcome of one correlation test.
//
// When the coefficient cannot be reported, Reason says why (for example
// "n=7 below minimum 10" or "x is constant") and R, CILow, CIHigh and P are
// NaN; N, Groups and DF are still filled in as far as they are known. When
// Reason is empty, R is in [-1, 1], CILow <= R <= CIHigh and P is in [0, 1].
type Result struct {
	// N is the number of complete pairs (both values not NaN) used.
	N int
	// Groups is the number of teams contributing pairs: for RMCorr, for
	// BetweenTeams (where it is the n of the test), and for the pooled rows of
	// Lagged and Table. It is 0 from Pearson and Spearman called directly.
	Groups int
	// DF is the degrees of freedom of the t test of the coefficient:
	// N-2 for Pearson and Spearman, N-Groups-1 for RMCorr, Groups-2 for
	// BetweenTeams, and 0 for Kendall, whose test is a z test.
	DF int
	// R is the correlation coefficient.
	R float64
	// CILow and CIHigh bound the 95% confidence interval of R.
	CILow, CIHigh float64
	// P is the two-sided p-value of the test of R = 0.
	P float64
	// Reason is empty when R is reported, and otherwise says why not.
	Reason string
}

// OK reports whether the coefficient was computed (Reason is empty).
func (r Result) OK() bool { return r.Reason == "" }

// withReason returns a Result that has no coefficient, only n and the reason.
func withReason(n, groups, df int, format string, args ...any) Result {
	return Result{N: n, Groups: groups, DF: df, R: nan, CILow: nan, CIHigh: nan, P: nan, Reason: fmt.Sprintf(format, args...)}
}

// effectiveMinN returns minN, DefaultMinN for 0, raised to at least minMinN.
func effectiveMinN(minN int) int {
	if minN == 0 {
		minN = DefaultMinN
	}
	return max(minN, minMinN)
}

// clampR clamps a coefficient that rounding pushed just outside [-1, 1].
func clampR(r float64) float64 {
	return math.Max(-1, math.Min(1, r))
}

// fisherCI returns the 95% interval tanh(atanh(r) ± z975*se). For r = ±1 it
// is [r, r].
func fisherCI(r, se float64) (lo, hi float64) {
	z := math.Atanh(r)
	return math.Tanh(z - z975*se), math.Tanh(z + z975*se)
}

// tTestP returns the two-sided p-value of the test of a correlation r = 0
// with t = r*sqrt(df/(1-r²)) on df degrees of freedom. For |r| = 1 it is 0.
func tTestP(r float64, df int) float64 {
	if math.Abs(r) == 1 {
		return 0
	}
	t := math.Abs(r) * math.Sqrt(float64(df)/(1-r*r))
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Survival(t)
}

// corrSums returns Sxx, Syy and Sxy, the sums of squares and products of the
// deviations from the means, computed in two passes for accuracy.
func corrSums(x, y []float64) (sxx, syy, sxy float64) {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	n := float64(len(x))
	mx /= n
	my /= n
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxx += dx * dx
		syy += dy * dy
		sxy += dx * dy
	}
	return sxx, syy, sxy
}

// allEqual reports whether all values of x are equal (true for len(x) < 2).
// Constancy is decided on the values themselves, not on a sum of squares,
// whose mean can be off by an ulp: the mean of three 0.1s is not 0.1.
func allEqual(x []float64) bool {
	for _, v := range x[min(1, len(x)):] {
		if v != x[0] {
			return false
		}
	}
	return true
}

// constantReason returns the reason for an undefined coefficient when x or y
// has no variance, or "" when both vary.
func constantReason(xConst, yConst bool) string {
	switch {
	case xConst && yConst:
		return "x and y are constant"
	case xConst:
		return "x is constant"
	case yConst:
		return "y is constant"
	}
	return ""
}

// completePairs appends to dstX and dstY the pairs of x and y in which neither
// value is NaN. It panics if len(x) != len(y).
func completePairs(dstX, dstY, x, y []float64) ([]float64, []float64) {
	if len(x) != len(y) {
		panic("analysis: slice length mismatch")
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) {
			continue
		}
		dstX = append(dstX, x[i])
		dstY = append(dstY, y[i])
	}
	return dstX, dstY
}

// Method names the statistic of a correlation.
type Method int

// The correlation methods of a Table.
const (
	// MethodPearson is Pearson's r on the pooled team-week pairs.
	MethodPearson Method = iota
	// MethodSpearman is Spearman's rho on the pooled team-week pairs.
	MethodSpearman
	// MethodRMCorr is the repeated-measures (within-team) correlation.
	MethodRMCorr
	// MethodBetweenTeams is the correlation of team means.
	MethodBetweenTeams
)

var methodNames = [...]string{"pearson", "spearman", "rmcorr", "between-teams"}

// String returns the method's name as used in exports: "pearson",
// "spearman", "rmcorr" or "between-teams".
func (m Method) String() string {
	if m < 0 || int(m) >= len(methodNames) {
		return fmt.Sprintf("Method(%d)", int(m))
	}
	return methodNames[m]
}
