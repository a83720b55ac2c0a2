package projections

import (
	"context"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/pii"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
)

// DefaultWindow is the number of weeks of a trend.
const DefaultWindow = 12

// MaxWeeks bounds the weeks of one series.
const MaxWeeks = 104

// TeamWeek is one team's week: every figure, withheld or not, and the
// comments.
type TeamWeek struct {
	Week Week `json:"week"`
	// K is the group's anonymity threshold this week: the largest k of
	// the surveys its members answered (0 when none did).
	K        int              `json:"k"`
	Scores   map[Metric]Score `json:"scores"`
	Comments Comments         `json:"comments"`
}

// TrendLine is one metric's trend over the weeks where it was shown: the
// number of those weeks, their mean, and the least-squares slope per week
// (nil with fewer than two). It is computed only from figures that are
// shown, so it reveals nothing they do not.
type TrendLine struct {
	Points int      `json:"points"`
	Mean   *float64 `json:"mean"`
	Slope  *float64 `json:"slope_per_week"`
}

// Series is one team's (subtree's) figures per ISO week over a period,
// and the trend of the last Window weeks of it.
type Series struct {
	Team   string               `json:"team_id"`
	From   Week                 `json:"from"`
	To     Week                 `json:"to"`
	Window int                  `json:"window"`
	Weeks  []TeamWeek           `json:"weeks"`
	Trend  map[Metric]TrendLine `json:"trend"`
}

// Period returns the weeks from from to to, defaulting to the DefaultWindow
// weeks ending with the current one. It returns an Invalid *apperr.Error
// naming "from" or "to" for a malformed week, from after to, or more than
// MaxWeeks weeks.
func (r *Runner) Period(from, to string) (Week, Week, error) {
	var toT time.Time
	if to == "" {
		_, toT, _ = ParseWeek(string(WeekOf(r.cfg.Now())))
	} else {
		var ok bool
		if _, toT, ok = ParseWeek(to); !ok {
			return "", "", apperr.Field("to", "must be an ISO week like 2026-W48")
		}
	}
	fromT := toT.AddDate(0, 0, -7*(DefaultWindow-1))
	if from != "" {
		var ok bool
		if _, fromT, ok = ParseWeek(from); !ok {
			return "", "", apperr.Field("from", "must be an ISO week like 2026-W48")
		}
	}
	if fromT.After(toT) {
		return "", "", apperr.Field("from", "must not be after to")
	}
	if n := len(weeksBetween(fromT, toT)); n > MaxWeeks {
		return "", "", apperr.Field("from", "the period may span at most %d weeks", MaxWeeks)
	}
	return WeekOf(fromT), WeekOf(toT), nil
}

// errUnknownTeam is returned for a team the projection does not know.
var errUnknownTeam = &apperr.Error{Code: apperr.NotFound, Field: "team", Message: "no such team"}

// TeamSeries returns team's figures (its subtree rolled up) for each week
// from from to to (as Period returns them), withheld where anonymity
// requires, the comments of each week, and the trend over the last window
// weeks (DefaultWindow if 0). It returns NotFound (field "team") for a
// team it does not know, ctx's error, or OpenComment's.
func (r *Runner) TeamSeries(ctx context.Context, team string, from, to Week, window int) (Series, error) {
	if team == orgNode {
		return Series{}, errUnknownTeam
	}
	return r.series(ctx, team, from, to, window, true)
}

// TeamWeekScores returns team's figures of one week, as TeamSeries does,
// but without its comments (Comments is the zero value): what a live push
// shows, without opening every comment of the week. It returns NotFound
// (field "team") for a team it does not know, or ctx's error.
func (r *Runner) TeamWeekScores(ctx context.Context, team string, week Week) (TeamWeek, error) {
	if team == orgNode {
		return TeamWeek{}, errUnknownTeam
	}
	s, err := r.series(ctx, team, week, week, 1, false)
	if err != nil {
		return TeamWeek{}, err
	}
	return s.Weeks[0], nil
}

// series is TeamSeries for any node, orgNode included, with the comments
// opened only when withComments is set.
func (r *Runner) series(ctx context.Context, team string, from, to Week, window int, withComments bool) (Series, error) {
	if window <= 0 {
		window = DefaultWindow
	}
	_, fromT, ok1 := ParseWeek(string(from))
	_, toT, ok2 := ParseWeek(string(to))
	if !ok1 || !ok2 {
		return Series{}, apperr.Field("from", "must be an ISO week like 2026-W48")
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, ok := r.st.teams[team]; !ok && team != orgNode {
		return Series{}, errUnknownTeam
	}
	out := Series{Team: team, From: from, To: to, Window: window, Trend: map[Metric]TrendLine{}}
	weeks := weeksBetween(fromT, toT)
	metricSet := map[Metric]bool{}
	views := make([]*weekView, len(weeks))
	for i, w := range weeks {
		if err := ctx.Err(); err != nil {
			return Series{}, err
		}
		views[i] = r.view(w)
		for _, m := range views[i].metricsOf() {
			metricSet[m] = true
		}
	}
	metrics := sortedMetrics(metricSet)
	for i, w := range weeks {
		node := views[i].t.index[team]
		tw := TeamWeek{Week: w, K: views[i].roll[node].K, Scores: make(map[Metric]Score, len(metrics))}
		for _, m := range metrics {
			tw.Scores[m] = views[i].score(node, m)
		}
		if withComments {
			var err error
			if tw.Comments, err = r.comments(ctx, views[i], team); err != nil {
				return Series{}, err
			}
		}
		out.Weeks = append(out.Weeks, tw)
	}
	// The trend covers the last window weeks of the period, or fewer.
	first := max(0, len(out.Weeks)-window)
	for _, m := range metrics {
		var xs, ys []float64
		for i := first; i < len(out.Weeks); i++ {
			if y, ok := out.Weeks[i].Scores[m].Value(); ok {
				xs, ys = append(xs, float64(i-first)), append(ys, y)
			}
		}
		out.Trend[m] = trendOf(xs, ys)
	}
	return out, nil
}

// trendOf returns the trend of the points (xs, ys).
func trendOf(xs, ys []float64) TrendLine {
	t := TrendLine{Points: len(xs)}
	if len(xs) == 0 {
		return t
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(len(xs))
	my /= float64(len(xs))
	mean := roundTo(my)
	t.Mean = &mean
	if len(xs) < 2 {
		return t
	}
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	slope := roundTo(sxy / sxx)
	t.Slope = &slope
	return t
}

// roundTo rounds x to two decimals.
func roundTo(x float64) float64 { return float64(int64(x*100+copySign(0.5, x))) / 100 }

func copySign(a, b float64) float64 {
	if b < 0 {
		return -a
	}
	return a
}

// comments returns node's comments of v's week, shuffled, or why they are
// withheld: the comments its cells show, as released with their answers.
// The caller holds r.mu for reading.
func (r *Runner) comments(ctx context.Context, v *weekView, node string) (Comments, error) {
	i := v.t.index[node]
	if reason := v.commentsHidden()[i]; reason != "" {
		return Comments{reason: reason}, nil
	}
	if r.cfg.OpenComment == nil {
		return Comments{texts: []string{}}, nil
	}
	nodes := []int{i} // node's subtree, parents first
	for j := 0; j < len(nodes); j++ {
		nodes = append(nodes, v.t.children[nodes[j]]...)
	}
	texts := []string{}
	for _, n := range nodes {
		for _, cm := range v.direct[n].Comments {
			text, err := r.cfg.OpenComment(ctx, cm.Respondent, cm.Sealed, survey.CommentContext(cm.Pulse, cm.Respondent))
			if apperr.CodeOf(err) == apperr.NotFound {
				continue // the respondent's data was erased
			}
			if err != nil {
				return Comments{}, err
			}
			texts = append(texts, text)
		}
	}
	r.cfg.Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	return Comments{texts: texts}, nil
}

// HeatRow is one team's row of a heat map.
type HeatRow struct {
	Team   string           `json:"team_id"`
	Name   string           `json:"name"`
	Parent string           `json:"parent_id,omitempty"`
	Scores map[Metric]Score `json:"scores"`
}

// HeatMap is teams × metrics for one week.
type HeatMap struct {
	Week    Week      `json:"week"`
	Metrics []Metric  `json:"metrics"`
	Rows    []HeatRow `json:"rows"`
}

// HeatMap returns the figures of metrics (every metric of the week if
// none) for root and every team under it, parents first, in week; root
// "" means the whole organisation. Suppression is decided over the whole
// organisation, so every viewer sees the same figures withheld. It
// returns NotFound (field "team") for an unknown root.
func (r *Runner) HeatMap(ctx context.Context, root string, week Week, metrics []Metric) (HeatMap, error) {
	if err := ctx.Err(); err != nil {
		return HeatMap{}, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	v := r.view(week)
	teams := v.t.ids[1:]
	if root != "" {
		teams = r.st.subtree(root)
	}
	if teams == nil {
		return HeatMap{}, errUnknownTeam
	}
	if len(metrics) == 0 {
		metrics = v.metricsOf()
	}
	out := HeatMap{Week: week, Metrics: metrics, Rows: make([]HeatRow, 0, len(teams))}
	for _, id := range teams {
		i := v.t.index[id]
		row := HeatRow{Team: id, Name: r.st.teams[id].Name, Parent: v.t.ids[v.t.parent[i]], Scores: make(map[Metric]Score, len(metrics))}
		for _, m := range metrics {
			row.Scores[m] = v.score(i, m)
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// Overview is the organisation as a whole: its figures per week over a
// period, with their trend, and the number of teams.
type Overview struct {
	Teams  int                  `json:"teams"`
	From   Week                 `json:"from"`
	To     Week                 `json:"to"`
	Weeks  []TeamWeek           `json:"weeks"`
	Trend  map[Metric]TrendLine `json:"trend"`
	Window int                  `json:"window"`
}

// Overview returns the whole organisation's figures (every team rolled
// up) per week from from to to, withheld where anonymity requires, and
// their trend over the last window weeks.
func (r *Runner) Overview(ctx context.Context, from, to Week, window int) (Overview, error) {
	r.mu.RLock()
	n := len(r.st.teams)
	r.mu.RUnlock()
	s, err := r.series(ctx, orgNode, from, to, window, true)
	if err != nil {
		return Overview{}, err
	}
	return Overview{Teams: n, From: s.From, To: s.To, Weeks: s.Weeks, Trend: s.Trend, Window: s.Window}, nil
}

// sortedMetrics returns the metrics of set: the base metrics in their
// order, then the drivers by name.
func sortedMetrics(set map[Metric]bool) []Metric {
	var out []Metric
	for _, m := range BaseMetrics {
		if set[m] {
			out = append(out, m)
		}
	}
	var drivers []string
	for m := range set {
		if isDriver(m) {
			drivers = append(drivers, string(m))
		}
	}
	for _, d := range sortStrings(drivers) {
		out = append(out, Metric(d))
	}
	return out
}

// Received returns what member received in ISO week week, in the order
// given, messages still sealed with the giver's key
// (recognition.MessageContext).
func (r *Runner) Received(ctx context.Context, member, week string) ([]recognition.Given, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []recognition.Given{}
	for _, x := range r.st.received[member] {
		if x.Week == week {
			out = append(out, recognition.Given{Recognition: x.Recognition, Giver: x.Giver, Receiver: member, Value: x.Value,
				Message: append(pii.Sealed(nil), x.Message...), Week: x.Week, Day: x.Day})
		}
	}
	return out, nil
}
