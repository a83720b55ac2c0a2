package report_test

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/analysis/report"
)

func TestNewScatter_Title(t *testing.T) {
	s := sampleScatter()
	var xs, ys []float64
	for i := range s.X {
		if !math.IsNaN(s.Y[i]) {
			xs, ys = append(xs, s.X[i]), append(ys, s.Y[i])
		}
	}
	r := analysis.Pearson(xs, ys, 0)
	if !r.OK() || r.N != 58 {
		t.Fatalf("sample: n=%d reason=%q, want 58 complete pairs", r.N, r.Reason)
	}
	c, err := report.NewScatter(s)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Recognition and engagement\nPearson r = %.2f (95%% CI %.2f to %.2f), n = 58", r.R, r.CILow, r.CIHigh)
	if got := c.Plot.Title.Text; got != want {
		t.Fatalf("title=%q, want %q", got, want)
	}
	svg := string(render(t, c, report.Image{Format: report.SVG}))
	for _, want := range []string{"team-weeks (n = 58)", fmt.Sprintf("least squares (r = %.2f)", r.R)} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks legend entry %q", want)
		}
	}
}

func TestNewScatter_NoCoefficient(t *testing.T) {
	for _, tt := range []struct {
		name   string
		x, y   []float64
		reason string
	}{
		{"BelowMinN", []float64{1, 2, 3, 4, 5, 6, 7}, []float64{2, 1, 4, 3, 6, 5, 8}, "n=7 below minimum 10"},
		{"Constant", []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, "x is constant"},
		{"Empty", nil, nil, "n=0 below minimum 10"},
		{"AllSuppressed", []float64{1, 2}, []float64{math.NaN(), math.Inf(1)}, "n=0 below minimum 10"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := report.NewScatter(report.Scatter{X: tt.x, Y: tt.y})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := c.Plot.Title.Text, "no coefficient: "+tt.reason; got != want {
				t.Fatalf("title=%q, want %q", got, want)
			}
			svg := render(t, c, report.Image{Format: report.SVG})
			if bytes.Contains(svg, []byte("least squares")) {
				t.Fatal("a fit line is drawn without a coefficient")
			}
			render(t, c, report.Image{Format: report.PNG})
		})
	}
}

func TestNewScatter_MinN(t *testing.T) {
	s := report.Scatter{X: []float64{1, 2, 3, 4, 5, 6, 7}, Y: []float64{2, 1, 4, 3, 6, 5, 8}, MinN: 5}
	c, err := report.NewScatter(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Plot.Title.Text; !strings.HasPrefix(got, "Pearson r = ") || !strings.HasSuffix(got, "n = 7") {
		t.Fatalf("title=%q, want r and n = 7", got)
	}
}

func TestNewScatter_LengthMismatch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for slices of different lengths")
		}
	}()
	report.NewScatter(report.Scatter{X: []float64{1}, Y: nil})
}
