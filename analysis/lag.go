package analysis

import (
	"fmt"
	"math"
)

// LagPairs appends to dstX and dstY the lagged pairs of one team and returns
// the extended slices: for every week w of s, the value of x in week w paired
// with the value of y in week w+lag, when s has both weeks and neither value
// is NaN.
//
// So with x = Recognition, a positive lag k pairs recognition in week t with
// the score in week t+k (recognition leading), a negative lag -k pairs the
// score in week t with recognition in week t+k (recognition following, the
// check on reverse causation), and lag 0 pairs the same week. Weeks are
// matched by their index, not by position, so a missing week never shifts a
// pair; pairs never cross teams. Pooling several teams means appending each
// team's pairs in turn.
//
// LagPairs panics if s does not satisfy Series' preconditions (see
// Series.Validate) or x or y is not a Variable.
func LagPairs(dstX, dstY []float64, s *Series, x, y Variable, lag int) ([]float64, []float64) {
	s.Validate()
	checkVariable(x)
	checkVariable(y)
	xs, ys := s.Values[x], s.Values[y]
	if xs == nil || ys == nil {
		return dstX, dstY
	}
	j := 0
	for i, w := range s.Week {
		target := w + lag
		for j < len(s.Week) && s.Week[j] < target {
			j++
		}
		if j == len(s.Week) {
			break
		}
		if s.Week[j] != target || math.IsNaN(xs[i]) || math.IsNaN(ys[j]) {
			continue
		}
		dstX = append(dstX, xs[i])
		dstY = append(dstY, ys[j])
	}
	return dstX, dstY
}

// Lagged returns the correlation of x and y at the given lag across all teams
// in data, with method m and minimum minN (0 means DefaultMinN). The pairs
// are formed within each team by LagPairs. MethodPearson and MethodSpearman
// pool the pairs of all teams into one sample, and set Result.Groups to the
// number of teams the pairs come from; MethodRMCorr keeps them by
// team (see RMCorr); MethodBetweenTeams correlates the teams' means of the
// lagged pairs (see BetweenTeams).
//
// Lagged panics if a Series breaks its preconditions, or x, y or m is
// invalid.
func Lagged(data []Series, x, y Variable, lag int, m Method, minN int) Result {
	xs := make([][]float64, len(data))
	ys := make([][]float64, len(data))
	var px, py []float64
	for i := range data {
		start := len(px)
		px, py = LagPairs(px, py, &data[i], x, y, lag)
		xs[i], ys[i] = px[start:len(px):len(px)], py[start:len(py):len(py)]
	}
	teams := 0
	for i := range xs {
		if len(xs[i]) > 0 {
			teams++
		}
	}
	switch m {
	case MethodPearson:
		r := Pearson(px, py, minN)
		r.Groups = teams
		return r
	case MethodSpearman:
		r := Spearman(px, py, minN)
		r.Groups = teams
		return r
	case MethodRMCorr:
		return RMCorr(xs, ys, minN)
	case MethodBetweenTeams:
		return BetweenTeams(xs, ys, minN)
	}
	panic(fmt.Sprintf("analysis: unknown method %d", int(m)))
}

func checkVariable(v Variable) {
	if v < 0 || v >= NumVariables {
		panic(fmt.Sprintf("analysis: unknown variable %d", int(v)))
	}
}
