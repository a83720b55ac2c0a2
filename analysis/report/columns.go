package report

import (
	"math"
	"strconv"

	"github.com/empulse/empulse/analysis"
)

// Columns are the fields of every exported row, in order: the CSV header and
// the keys of each JSON and NDJSON row object.
//
//   - method: "pearson", "spearman", "rmcorr" or "between-teams"
//   - x, y: the variables ("recognition", "engagement", "wellbeing", "enps",
//     "participation"); lag: weeks of y after x (positive: x leads)
//   - n: complete team-week pairs; teams: the number of teams they come from
//   - r, ci_low, ci_high: the coefficient and its 95% interval
//   - p, p_adjusted: the two-sided p-value and the Benjamini-Hochberg
//     adjusted p-value across the whole table
//   - reason: why there is no coefficient; empty (CSV) or null (JSON) when
//     there is one
//
// The degrees of freedom are not a column: they follow from method, n and
// teams (n-2; rmcorr n-teams-1; between-teams teams-2).
var Columns = []string{"method", "x", "y", "lag", "n", "teams", "r", "ci_low", "ci_high", "p", "p_adjusted", "reason"}

// numColumns is len(Columns).
const numColumns = 12

// formatFloat formats x in the shortest form that reads back as x, and
// reports false for NaN and infinities, which are written as missing.
func formatFloat(dst []byte, x float64) ([]byte, bool) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return dst, false
	}
	return strconv.AppendFloat(dst, x, 'g', -1, 64), true
}

// floatCell returns x formatted for a CSV cell, "" if it is missing.
func floatCell(x float64) string {
	b, _ := formatFloat(nil, x)
	return string(b)
}

// cells returns the CSV cells of r in the order of Columns, before SafeCell.
func cells(r *analysis.Row) [numColumns]string {
	return [numColumns]string{
		r.Method.String(),
		r.X.String(),
		r.Y.String(),
		strconv.Itoa(r.Lag),
		strconv.Itoa(r.N),
		strconv.Itoa(r.Teams),
		floatCell(r.R),
		floatCell(r.CILow),
		floatCell(r.CIHigh),
		floatCell(r.P),
		floatCell(r.PAdj),
		r.Reason,
	}
}

// textColumn reports which columns hold text rather than numbers: only those
// go through SafeCell.
var textColumn = [numColumns]bool{0: true, 1: true, 2: true, 11: true}
