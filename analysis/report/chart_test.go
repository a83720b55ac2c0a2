package report_test

import (
	"bytes"
	"image/png"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/analysis/report"
)

// sampleScatter is 60 team-weeks with a positive association, two of them
// suppressed.
func sampleScatter() report.Scatter {
	rng := rand.New(rand.NewPCG(3, 4))
	s := report.Scatter{Title: "Recognition and engagement", XLabel: "recognitions per member", YLabel: "engagement"}
	for i := range 60 {
		x := rng.ExpFloat64()
		s.X = append(s.X, x)
		s.Y = append(s.Y, 60+5*x+rng.NormFloat64()*4)
		if i%29 == 5 {
			s.Y[i] = math.NaN()
		}
	}
	return s
}

// sampleTrends is three teams over 20 weeks from 2026-W45, with suppressed
// and missing weeks.
func sampleTrends() report.Trends {
	start := analysis.ISOWeekIndex(2026, 45)
	t := report.Trends{Title: "Engagement", YLabel: "engagement (0-100)"}
	for i, name := range []string{"Platform", "Sales", "Support"} {
		tr := report.Trend{Name: name}
		for w := range 20 {
			if i == 2 && w == 12 {
				continue // a missing week
			}
			tr.Week = append(tr.Week, start+w)
			v := 60 + 8*float64(i) + 5*math.Sin(float64(w)/3+float64(i))
			if i == 1 && (w == 6 || w == 7 || w == 14) {
				v = math.NaN() // suppressed: below k
			}
			tr.Value = append(tr.Value, v)
		}
		t.Lines = append(t.Lines, tr)
	}
	return t
}

// render renders c and fails the test on an error.
func render(tb testing.TB, c *report.Chart, img report.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := c.Render(&buf, img); err != nil {
		tb.Fatalf("Render(%+v): %v", img, err)
	}
	return buf.Bytes()
}

func charts(tb testing.TB) map[string]func() *report.Chart {
	return map[string]func() *report.Chart{
		"Scatter": func() *report.Chart {
			c, err := report.NewScatter(sampleScatter())
			if err != nil {
				tb.Fatal(err)
			}
			return c
		},
		"Trends": func() *report.Chart {
			c, err := report.NewTrends(sampleTrends())
			if err != nil {
				tb.Fatal(err)
			}
			return c
		},
	}
}

func TestChart_RenderSVG(t *testing.T) {
	for name, build := range charts(t) {
		t.Run(name, func(t *testing.T) {
			c := build()
			a := render(t, c, report.Image{Format: report.SVG})
			if !bytes.Equal(a, render(t, c, report.Image{Format: report.SVG})) {
				t.Fatal("rendering a chart twice gives different bytes")
			}
			if !bytes.Equal(a, render(t, build(), report.Image{Format: report.SVG})) {
				t.Fatal("two renderings of the same data differ")
			}
			s := string(a)
			for _, want := range []string{"<svg", `width="600pt" height="375pt"`, "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;", "</svg>"} {
				if !strings.Contains(s, want) {
					t.Errorf("svg lacks %q", want)
				}
			}
			if strings.Contains(s, "font-family:Liberation Sans;") {
				t.Error("svg names Liberation Sans without fallbacks")
			}
		})
	}
}

func TestChart_RenderPNG(t *testing.T) {
	for name, build := range charts(t) {
		t.Run(name, func(t *testing.T) {
			img := report.Image{Format: report.PNG, Width: 640, Height: 400}
			a := render(t, build(), img)
			if !bytes.Equal(a, render(t, build(), img)) {
				t.Fatal("two renderings of the same chart differ")
			}
			m, err := png.Decode(bytes.NewReader(a))
			if err != nil {
				t.Fatal(err)
			}
			if b := m.Bounds(); b.Dx() != 640 || b.Dy() != 400 {
				t.Fatalf("size=%dx%d, want 640x400", b.Dx(), b.Dy())
			}
		})
	}
}

func TestChart_RenderDefaultSize(t *testing.T) {
	c, err := report.NewScatter(sampleScatter())
	if err != nil {
		t.Fatal(err)
	}
	m, err := png.Decode(bytes.NewReader(render(t, c, report.Image{Format: report.PNG})))
	if err != nil {
		t.Fatal(err)
	}
	if b := m.Bounds(); b.Dx() != report.DefaultWidth || b.Dy() != report.DefaultHeight {
		t.Fatalf("size=%dx%d, want %dx%d", b.Dx(), b.Dy(), report.DefaultWidth, report.DefaultHeight)
	}
}

func TestChart_RenderInvalid(t *testing.T) {
	c, err := report.NewTrends(sampleTrends())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		img   report.Image
		field string
	}{
		{report.Image{Format: "gif"}, "format"},
		{report.Image{}, "format"},
		{report.Image{Format: report.PNG, Width: report.MinSize - 1}, "width"},
		{report.Image{Format: report.SVG, Width: report.MaxSize + 1}, "width"},
		{report.Image{Format: report.PNG, Height: -5}, "height"},
		{report.Image{Format: report.PNG, Height: report.MaxSize + 1}, "height"},
	} {
		var buf bytes.Buffer
		wantFieldErr(t, c.Render(&buf, tt.img), tt.field)
		if buf.Len() != 0 {
			t.Errorf("%+v: wrote %d bytes", tt.img, buf.Len())
		}
	}
}

func TestParseImageFormat(t *testing.T) {
	for in, want := range map[string]report.ImageFormat{"svg": report.SVG, "PNG": report.PNG, " png ": report.PNG} {
		got, err := report.ParseImageFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseImageFormat(%q)=%q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "gif", "image/png"} {
		_, err := report.ParseImageFormat(in)
		wantFieldErr(t, err, "format")
	}
	if got := report.PNG.ContentType(); got != "image/png" {
		t.Errorf("PNG.ContentType()=%q", got)
	}
	if got := report.SVG.ContentType(); got != "image/svg+xml" {
		t.Errorf("SVG.ContentType()=%q", got)
	}
}
