package report

import (
	"bytes"
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// dpi is the resolution at which pixels become lengths.
const dpi = 96

// Chart is a plot ready to render: a gonum plot, and a legend drawn to the
// right of it, outside the data area, so that it never hides data. Build one
// with NewScatter or NewTrends; callers may adjust Plot before rendering.
type Chart struct {
	// Plot is the plot itself.
	Plot *plot.Plot
	// Legend, if it has entries, is drawn in a column at the right. (The
	// Plot's own legend, drawn inside the data area, is left empty.)
	Legend plot.Legend
}

// Render draws c into w in the format and size of img. Rendering is
// deterministic: the same Chart and Image give the same bytes.
//
// It returns an *apperr.Error (Invalid) if img has an unknown format or a
// size outside MinSize..MaxSize, and otherwise the first error from w.
func (c *Chart) Render(w io.Writer, img Image) error {
	img, err := img.check()
	if err != nil {
		return err
	}
	width := vg.Length(img.Width) * vg.Inch / dpi
	height := vg.Length(img.Height) * vg.Inch / dpi
	switch img.Format {
	case SVG:
		cv := vgsvg.NewWith(vgsvg.UseWH(width, height))
		c.draw(draw.New(cv))
		var buf bytes.Buffer
		if _, err := cv.WriteTo(&buf); err != nil {
			return fmt.Errorf("report: render svg: %w", err)
		}
		// Name fallbacks for viewers without Liberation Sans.
		out := bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFontFamily))
		if _, err := w.Write(out); err != nil {
			return fmt.Errorf("report: write svg: %w", err)
		}
	case PNG:
		cv := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))
		c.draw(draw.New(cv))
		if _, err := (vgimg.PngCanvas{Canvas: cv}).WriteTo(w); err != nil {
			return fmt.Errorf("report: write png: %w", err)
		}
	}
	return nil
}

// svgFontFamily replaces the font family that vgsvg writes.
const svgFontFamily = "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"

// legendGap is the space between the plot and the legend column.
const legendGap = 2 * vg.Millimeter

// draw draws the plot, and the legend in a column at the right.
func (c *Chart) draw(dc draw.Canvas) {
	var lw vg.Length
	if r := c.Legend.Rectangle(dc); r.Size().Y > 0 { // it has entries
		lw = min(r.Size().X+2*legendGap, dc.Size().X/2)
	}
	if wt, ok := c.Plot.X.Tick.Marker.(weekTicks); ok {
		wt.maxLabels = int((dc.Size().X - lw).Points() / weekLabelWidth)
		c.Plot.X.Tick.Marker = wt
	}
	if lw == 0 {
		c.Plot.Draw(dc)
		return
	}
	c.Plot.Draw(draw.Crop(dc, 0, -lw, 0, 0))
	// Background under the legend column, then the legend, its top level
	// with the data area's.
	col := dc
	col.Min.X = dc.Max.X - lw
	if bg := c.Plot.BackgroundColor; bg != nil {
		col.SetColor(bg)
		col.Fill(col.Rectangle.Path())
	}
	col.Min.X += legendGap
	l := c.Legend
	if t := c.Plot.Title; t.Text != "" {
		l.YOffs -= t.TextStyle.Rectangle(t.Text).Size().Y + t.Padding
	}
	l.Draw(col)
}

// Text sizes and colours of every chart.
var (
	sansSerif = font.Font{Typeface: "Liberation", Variant: "Sans"}
	gridColor = color.Gray{Y: 225}
)

// newPlot returns a plot with the house style: sans-serif text, a light
// grid, and the given title and axis labels.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansSerif, 13)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansSerif, 11)
		a.Tick.Label.Font = font.From(sansSerif, 9)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.TextStyle.Font = font.From(sansSerif, 9)
	return p
}

// newLegend returns an empty legend in the house style, for the column at
// the right of a Chart.
func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = font.From(sansSerif, 9)
	l.Top, l.Left = true, true
	l.Padding = vg.Points(2)
	return l
}
