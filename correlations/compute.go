package correlations

import (
	"context"
	"fmt"
	"time"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/analysis/report"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/projections"
)

// Source is what this package reads from the projections;
// *projections.Runner implements it.
type Source interface {
	LeafFigures(ctx context.Context, root string, from, to projections.Week, metrics []projections.Metric) ([]projections.Figures, error)
	BranchFigures(ctx context.Context, root string, from, to projections.Week, metrics []projections.Metric) ([]projections.Figures, error)
	MinK() int
}

var _ Source = (*projections.Runner)(nil)

// Series returns the analysis series of the leaf teams of f.Team's subtree
// over f's period (see Runner.LeafFigures), one per team, withheld values
// NaN.
func Series(ctx context.Context, src Source, f Filters) ([]analysis.Series, error) {
	figs, err := src.LeafFigures(ctx, f.Team, f.From, f.To, Metrics())
	if err != nil {
		return nil, err
	}
	return SeriesOf(figs), nil
}

// Table returns the correlation table of f: analysis.Table over the leaf
// teams of f.Team's subtree with the default pairs (recognition against
// each score), f.Lags and f.MinN.
func Table(ctx context.Context, src Source, f Filters) ([]analysis.Row, error) {
	data, err := Series(ctx, src, f)
	if err != nil {
		return nil, err
	}
	return TableOf(data, f), nil
}

// TableOf returns the correlation table of data, the series of f's leaf
// teams, with f.Lags and f.MinN.
func TableOf(data []analysis.Series, f Filters) []analysis.Row {
	return analysis.Table(data, analysis.TableOptions{MinN: f.MinN, Lags: f.Lags})
}

// Meta returns the metadata of a JSON export of f computed at now: the
// filters, the minimum n, and the smallest k of the surveys.
func Meta(src Source, f Filters, now time.Time) report.Meta {
	return report.Meta{GeneratedAt: now, Filters: f, MinN: f.MinN, K: src.MinK()}
}

// Label returns the axis label of v, with its scale.
func Label(v analysis.Variable) string {
	switch v {
	case analysis.Recognition:
		return "recognitions received per member"
	case analysis.Engagement:
		return "engagement (0-100)"
	case analysis.Wellbeing:
		return "wellbeing (0-100)"
	case analysis.ENPS:
		return "eNPS (-100 to 100)"
	case analysis.Participation:
		return "participation (share invited who answered)"
	}
	return v.String()
}

// ScatterOf returns the scatter of x against y at lag (y lag weeks after
// x) over the team-weeks of data, pooled within teams as analysis.LagPairs
// pairs them, with the fit line when n reaches minN. Each point is a
// team-week; nothing names a team.
func ScatterOf(data []analysis.Series, x, y analysis.Variable, lag, minN int) (*report.Chart, error) {
	var xs, ys []float64
	for i := range data {
		xs, ys = analysis.LagPairs(xs, ys, &data[i], x, y, lag)
	}
	title := fmt.Sprintf("%s and %s in the same week, per team-week", x, y)
	yLabel := Label(y)
	switch {
	case lag > 0:
		title = fmt.Sprintf("%s and %s %d week(s) later, per team-week", x, y, lag)
		yLabel += fmt.Sprintf(", %d week(s) later", lag)
	case lag < 0:
		title = fmt.Sprintf("%s and %s %d week(s) earlier, per team-week", x, y, -lag)
		yLabel += fmt.Sprintf(", %d week(s) earlier", -lag)
	}
	return report.NewScatter(report.Scatter{Title: title, XLabel: Label(x), YLabel: yLabel, X: xs, Y: ys, MinN: minN})
}

// Scatter returns the scatter of x against y at lag over f's leaf teams.
func Scatter(ctx context.Context, src Source, f Filters, x, y analysis.Variable, lag int) (*report.Chart, error) {
	data, err := Series(ctx, src, f)
	if err != nil {
		return nil, err
	}
	return ScatterOf(data, x, y, lag, f.MinN)
}

// OrganisationName names the whole organisation's line in a trend chart.
const OrganisationName = "Whole organisation"

// Trends returns the chart of v per ISO week over f's period: one line for
// f.Team's subtree rolled up (the whole organisation for ""), then one per
// direct sub-team, named by the teams' display names. Withheld weeks are
// gaps. It returns an Invalid *apperr.Error naming "team" when the subtree
// has more lines than report.MaxTrendLines.
func Trends(ctx context.Context, src Source, f Filters, v analysis.Variable) (*report.Chart, error) {
	figs, err := src.BranchFigures(ctx, f.Team, f.From, f.To, []projections.Metric{MetricOf(v)})
	if err != nil {
		return nil, err
	}
	if len(figs) > report.MaxTrendLines {
		return nil, apperr.Field("team", "%d sub-teams; a trend chart draws at most %d lines: choose a team lower down", len(figs)-1, report.MaxTrendLines)
	}
	data := SeriesOf(figs)
	lines := report.TrendsOf(data, v)
	for i := range lines {
		lines[i].Name = figs[i].Name
		if figs[i].Team == "" {
			lines[i].Name = OrganisationName
		}
	}
	return report.NewTrends(report.Trends{Title: fmt.Sprintf("%s per ISO week", v), YLabel: Label(v), Lines: lines})
}
