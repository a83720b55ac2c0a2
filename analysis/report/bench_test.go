package report_test

import (
	"io"
	"math/rand/v2"
	"testing"

	"github.com/empulse/empulse/analysis/report"
)

// BenchmarkScatter renders the scatter of 1,000 teams x 52 weeks.
func BenchmarkScatter(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	s := report.Scatter{XLabel: "recognitions per member", YLabel: "engagement"}
	for range 52000 {
		x := rng.ExpFloat64()
		s.X = append(s.X, x)
		s.Y = append(s.Y, 60+2*x+rng.NormFloat64()*8)
	}
	for _, f := range []report.ImageFormat{report.PNG, report.SVG} {
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				c, err := report.NewScatter(s)
				if err != nil {
					b.Fatal(err)
				}
				w := &countWriter{}
				if err := c.Render(w, report.Image{Format: f}); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(w.n), "bytes/op-out")
			}
		})
	}
}

type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
