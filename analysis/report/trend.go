package report

import (
	"fmt"
	"unicode/utf8"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/apperr"
)

// Trend is one line of a trend chart: a score of one team, or one series,
// over weeks.
type Trend struct {
	// Name labels the line in the legend, such as a team's name or
	// "engagement". It is shown as given, cut to 32 characters.
	Name string
	// Week holds strictly increasing week indices (analysis.WeekIndex).
	Week []int
	// Value holds one value per week; NaN (or an infinity) marks a
	// suppressed or missing week. A nil Value means missing in every week.
	Value []float64
}

// Trends is the data of a trend chart.
type Trends struct {
	// Title is the chart's title, YLabel the label of the value axis. The
	// week axis is labelled "ISO week".
	Title, YLabel string
	// Lines are drawn in order, each in its own colour and dash pattern.
	Lines []Trend
}

// MaxTrendLines is the most lines a trend chart draws: more could not be
// told apart.
const MaxTrendLines = 20

// TrendsOf returns one Trend per Series with the values of v, each named
// after its Series.Team. Callers that show names rather than identifiers
// replace the Names.
func TrendsOf(data []analysis.Series, v analysis.Variable) []Trend {
	out := make([]Trend, len(data))
	for i := range data {
		out[i] = Trend{Name: data[i].Team, Week: data[i].Week, Value: data[i].Values[v]}
	}
	return out
}

// NewTrends returns a line chart of t over ISO weeks, with the week axis
// labelled like "2026-W05". A suppressed or missing week (NaN, or a week
// index absent from Week) is a gap in the line, never a zero; every point is
// also marked, so that a week standing alone between gaps stays visible. The
// legend, at the right, names each line; a line without any value is listed
// as "(no data)".
//
// It returns an *apperr.Error (Invalid, Field "series") if t has more than
// MaxTrendLines lines, and panics if a Trend's weeks are not strictly
// increasing or a non-nil Value's length differs from its Week's.
func NewTrends(t Trends) (*Chart, error) {
	if len(t.Lines) > MaxTrendLines {
		return nil, apperr.Field("series", "%d lines; a trend chart draws at most %d", len(t.Lines), MaxTrendLines)
	}
	p := newPlot(t.Title, "ISO week", t.YLabel)
	p.X.Tick.Marker = weekTicks{}
	p.Add(newGrid())
	c := &Chart{Plot: p, Legend: newLegend()}
	for i, tr := range t.Lines {
		checkTrend(&tr)
		line := draw.LineStyle{
			Color:  plotutil.SoftColors[i%len(plotutil.SoftColors)],
			Width:  vg.Points(1.5),
			Dashes: plotutil.Dashes(i / len(plotutil.SoftColors)),
		}
		glyph := draw.GlyphStyle{Color: line.Color, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
		var all plotter.XYs
		for _, run := range runs(tr) {
			all = append(all, run...)
			if len(run) < 2 {
				continue
			}
			l, err := plotter.NewLine(run)
			if err != nil {
				return nil, fmt.Errorf("report: trend %q: %w", tr.Name, err)
			}
			l.LineStyle = line
			p.Add(l)
		}
		name := shorten(tr.Name, maxNameRunes)
		if len(all) == 0 {
			c.Legend.Add(name+" (no data)", thumb{line, glyph})
			continue
		}
		sc, err := plotter.NewScatter(all)
		if err != nil {
			return nil, fmt.Errorf("report: trend %q: %w", tr.Name, err)
		}
		sc.GlyphStyle = glyph
		p.Add(sc)
		c.Legend.Add(name, thumb{line, glyph})
	}
	return c, nil
}

// maxNameRunes is the longest name a legend shows in full.
const maxNameRunes = 32

// shorten returns s cut to at most n runes, ending in "…" if it was cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// checkTrend panics if t breaks the preconditions of Trend.
func checkTrend(t *Trend) {
	for i := 1; i < len(t.Week); i++ {
		if t.Week[i] <= t.Week[i-1] {
			panic(fmt.Sprintf("report: trend %q: weeks not strictly increasing at index %d", t.Name, i))
		}
	}
	if t.Value != nil && len(t.Value) != len(t.Week) {
		panic(fmt.Sprintf("report: trend %q: %d values for %d weeks", t.Name, len(t.Value), len(t.Week)))
	}
}

// runs splits t into its runs of consecutive weeks with finite values: a
// missing week or a NaN ends a run.
func runs(t Trend) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for i, w := range t.Week {
		if t.Value == nil || !finite(t.Value[i]) {
			if len(cur) > 0 {
				out, cur = append(out, cur), nil
			}
			continue
		}
		if len(cur) > 0 && int(cur[len(cur)-1].X) != w-1 {
			out, cur = append(out, cur), nil
		}
		cur = append(cur, plotter.XY{X: float64(w), Y: t.Value[i]})
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// thumb draws a legend entry: a short line with a point on it.
type thumb struct {
	line  draw.LineStyle
	glyph draw.GlyphStyle
}

// Thumbnail implements plot.Thumbnailer.
func (t thumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(t.line, c.Min.X, y, c.Max.X, y)
	c.DrawGlyph(t.glyph, c.Center())
}

var _ plot.Thumbnailer = thumb{}
