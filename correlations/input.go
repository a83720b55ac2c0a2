package correlations

import (
	"strconv"
	"strings"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/projections"
)

// metricOf maps each analysis variable to the projections' metric that
// feeds it.
var metricOf = [analysis.NumVariables]projections.Metric{
	analysis.Recognition:   projections.MetricRecvPerMember,
	analysis.Engagement:    projections.MetricEngagement,
	analysis.Wellbeing:     projections.MetricWellbeing,
	analysis.ENPS:          projections.MetricENPS,
	analysis.Participation: projections.MetricParticipation,
}

// Metrics returns the projections' metrics of the analysis variables, in
// the order of the variables.
func Metrics() []projections.Metric {
	return append([]projections.Metric(nil), metricOf[:]...)
}

// MetricOf returns the projections' metric behind v.
func MetricOf(v analysis.Variable) projections.Metric { return metricOf[v] }

// SeriesOf converts figures to the series of package analysis, one per
// group, in the same order: week indices from the ISO weeks, and each
// variable's values from its metric (nil when the metric is absent).
// Participation, a percentage in the projections, becomes a share in
// [0, 1], as analysis.Participation documents; a withheld value stays NaN.
// Series.Team is the group's id, which no table shows.
func SeriesOf(figs []projections.Figures) []analysis.Series {
	out := make([]analysis.Series, len(figs))
	for i, f := range figs {
		s := analysis.Series{Team: f.Team, Week: make([]int, len(f.Weeks))}
		for j, w := range f.Weeks {
			s.Week[j] = WeekIndex(w)
		}
		for v, m := range metricOf {
			vals, ok := f.Values[m]
			if !ok {
				continue
			}
			vals = append([]float64(nil), vals...)
			if analysis.Variable(v) == analysis.Participation {
				for j := range vals {
					vals[j] /= 100
				}
			}
			s.Values[v] = vals
		}
		out[i] = s
	}
	return out
}

// WeekIndex returns the analysis.WeekIndex of an ISO week such as
// "2026-W48". It panics if w is malformed, which Runner.Period rules out.
func WeekIndex(w projections.Week) int {
	y, wk, ok := strings.Cut(string(w), "-W")
	year, err1 := strconv.Atoi(y)
	week, err2 := strconv.Atoi(wk)
	if !ok || err1 != nil || err2 != nil {
		panic("correlations: malformed week " + strconv.Quote(string(w)))
	}
	return analysis.ISOWeekIndex(year, week)
}
