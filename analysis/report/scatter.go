package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/empulse/empulse/analysis"
)

// Scatter is the data of a scatter plot of paired team-week values, such as
// recognition received per member (X) against engagement (Y) in the same
// week, or lagged pairs from analysis.LagPairs. Each point is one team-week
// aggregate, never a person.
type Scatter struct {
	// Title is the first line of the title; the second gives r and n.
	Title string
	// XLabel and YLabel label the axes.
	XLabel, YLabel string
	// X and Y are the pairs; they must have the same length. A pair in which
	// either value is NaN or infinite (suppressed, missing) is left out.
	X, Y []float64
	// MinN is the minimum n below which no coefficient and no line are
	// shown, as in analysis.Pearson; 0 means analysis.DefaultMinN.
	MinN int
}

// Colours of the scatter.
var (
	pointColor = color.NRGBA{R: 31, G: 119, B: 180, A: 150}
	fitColor   = color.NRGBA{R: 214, G: 39, B: 40, A: 255}
)

// NewScatter returns a scatter plot of s's complete pairs with the pooled
// Pearson correlation of analysis.Pearson(s.X, s.Y, s.MinN) and its
// least-squares line y = a + b·x (gonum stat.LinearRegression), drawn over
// the range of the data. The title's second line gives r, its 95% interval
// and n; the legend repeats n and r. When Pearson reports no coefficient
// (n below the minimum, a constant variable), the points are drawn without a
// line and the title gives the reason instead.
//
// NewScatter panics if len(s.X) != len(s.Y).
func NewScatter(s Scatter) (*Chart, error) {
	if len(s.X) != len(s.Y) {
		panic("report: scatter: slice length mismatch")
	}
	pts := make(plotter.XYs, 0, len(s.X))
	for i, x := range s.X {
		if y := s.Y[i]; finite(x) && finite(y) {
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
	}
	xs := make([]float64, len(pts))
	ys := make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p.X, p.Y
	}
	r := analysis.Pearson(xs, ys, s.MinN)

	var sub string
	if r.OK() {
		sub = fmt.Sprintf("Pearson r = %.2f (95%% CI %.2f to %.2f), n = %d", r.R, r.CILow, r.CIHigh, r.N)
	} else {
		sub = fmt.Sprintf("no coefficient: %s", r.Reason)
	}
	title := sub
	if s.Title != "" {
		title = s.Title + "\n" + sub
	}
	p := newPlot(title, s.XLabel, s.YLabel)
	p.Add(newGrid())

	c := &Chart{Plot: p, Legend: newLegend()}
	if len(pts) > 0 {
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, fmt.Errorf("report: scatter: %w", err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: pointColor, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		c.Legend.Add(fmt.Sprintf("team-weeks (n = %d)", len(pts)), sc)
	}
	if r.OK() {
		a, b := stat.LinearRegression(xs, ys, nil, false)
		lo, hi := minMax(xs)
		fit, err := plotter.NewLine(plotter.XYs{{X: lo, Y: a + b*lo}, {X: hi, Y: a + b*hi}})
		if err != nil {
			return nil, fmt.Errorf("report: scatter fit: %w", err)
		}
		fit.LineStyle = draw.LineStyle{Color: fitColor, Width: vg.Points(1.5)}
		p.Add(fit)
		c.Legend.Add(fmt.Sprintf("least squares (r = %.2f)", r.R), fit)
	}
	return c, nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// minMax returns the smallest and largest values of a non-empty x.
func minMax(x []float64) (lo, hi float64) {
	lo, hi = x[0], x[0]
	for _, v := range x[1:] {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi
}

// newGrid returns a light grid behind the data.
func newGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = gridColor
	g.Horizontal.Color = gridColor
	return g
}
