package report_test

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/analysis/report"
)

func TestRuns(t *testing.T) {
	nan := math.NaN()
	type pts = [][2]float64
	for _, tt := range []struct {
		name string
		tr   report.Trend
		want []pts
	}{
		{"Empty", report.Trend{}, nil},
		{"NilValues", report.Trend{Week: []int{1, 2}}, nil},
		{"Whole", report.Trend{Week: []int{1, 2, 3}, Value: []float64{5, 6, 7}},
			[]pts{{{1, 5}, {2, 6}, {3, 7}}}},
		{"NaNIsGap", report.Trend{Week: []int{1, 2, 3, 4}, Value: []float64{5, nan, 7, 8}},
			[]pts{{{1, 5}}, {{3, 7}, {4, 8}}}},
		{"MissingWeekIsGap", report.Trend{Week: []int{1, 2, 4, 5}, Value: []float64{5, 6, 7, 8}},
			[]pts{{{1, 5}, {2, 6}}, {{4, 7}, {5, 8}}}},
		{"InfIsGap", report.Trend{Week: []int{1, 2, 3}, Value: []float64{math.Inf(1), 6, 0}},
			[]pts{{{2, 6}, {3, 0}}}},
		{"ZeroIsAValue", report.Trend{Week: []int{-3, -2}, Value: []float64{0, 0}},
			[]pts{{{-3, 0}, {-2, 0}}}},
		{"AllNaN", report.Trend{Week: []int{1, 2}, Value: []float64{nan, nan}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := report.Runs(tt.tr); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("runs=%v, want %v", got, tt.want)
			}
		})
	}
}

func TestWeekLabel(t *testing.T) {
	for _, tt := range []struct{ year, week int }{
		{1970, 2}, {2020, 53}, {2021, 1}, {2026, 1}, {2026, 5}, {2026, 53}, {2027, 1}, {1969, 52},
	} {
		want := fmt.Sprintf("%d-W%02d", tt.year, tt.week)
		if got := report.WeekLabel(analysis.ISOWeekIndex(tt.year, tt.week)); got != want {
			t.Errorf("WeekLabel(ISOWeekIndex(%d, %d))=%q, want %q", tt.year, tt.week, got, want)
		}
	}
}

func TestWeekTicks(t *testing.T) {
	w := float64(analysis.ISOWeekIndex(2026, 1))
	for _, tt := range []struct {
		name      string
		lo, hi    float64
		maxLabels int
		want      []string
		ticks     int
	}{
		{"EveryWeek", w, w + 3, 8, []string{"2026-W01", "2026-W02", "2026-W03", "2026-W04"}, 4},
		{"EverySecond", w, w + 9, 8, []string{"2026-W01", "2026-W03", "2026-W05", "2026-W07", "2026-W09"}, 10},
		{"FewLabels", w, w + 2, 0, []string{"2026-W01", "2026-W03"}, 3},
		{"Fractional", w - 0.5, w + 1.5, 8, []string{"2026-W01", "2026-W02"}, 2},
		{"Year", w, w + 52, 3, []string{"2026-W01", "2026-W27", "2026-W53"}, 3}, // 2026 has 53 ISO weeks
		{"YearEightLabels", w, w + 53, 8, []string{"2026-W01", "2026-W09", "2026-W17", "2026-W25", "2026-W33", "2026-W41", "2026-W49"}, 7},
		{"Empty", w + 0.2, w + 0.8, 8, nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			labels, ticks := report.WeekTickLabels(tt.lo, tt.hi, tt.maxLabels)
			if !reflect.DeepEqual(labels, tt.want) || ticks != tt.ticks {
				t.Fatalf("labels=%q ticks=%d, want %q %d", labels, ticks, tt.want, tt.ticks)
			}
		})
	}
}

func TestNewTrends_Legend(t *testing.T) {
	tr := sampleTrends()
	tr.Lines = append(tr.Lines,
		report.Trend{Name: "Legal", Week: []int{2970, 2971}, Value: []float64{math.NaN(), math.NaN()}},
		report.Trend{Name: "<b>R&D</b>", Week: []int{2970}, Value: []float64{50}},
		report.Trend{Name: "Customer Success and Account Management EMEA North", Week: []int{2970}, Value: []float64{50}},
	)
	c, err := report.NewTrends(tr)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(render(t, c, report.Image{Format: "svg"}))
	for _, want := range []string{"Platform", "Sales", "Support", "Legal (no data)", "2026-W45", "ISO week",
		"&lt;b&gt;R&amp;D&lt;/b&gt;", "Customer Success and Account Ma…"} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
}

func TestNewTrends_LongNameSmallImage(t *testing.T) {
	c, err := report.NewTrends(report.Trends{Lines: []report.Trend{
		{Name: strings.Repeat("W", 200), Week: []int{1, 2}, Value: []float64{3, 4}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	render(t, c, report.Image{Format: report.PNG, Width: report.MinSize, Height: report.MinSize})
}

func TestNewTrends_Empty(t *testing.T) {
	c, err := report.NewTrends(report.Trends{Title: "Nothing yet"})
	if err != nil {
		t.Fatal(err)
	}
	render(t, c, report.Image{Format: report.PNG})
	render(t, c, report.Image{Format: report.SVG})
}

func TestNewTrends_TooManyLines(t *testing.T) {
	lines := make([]report.Trend, report.MaxTrendLines+1)
	_, err := report.NewTrends(report.Trends{Lines: lines})
	wantFieldErr(t, err, "series")
	if _, err := report.NewTrends(report.Trends{Lines: lines[:report.MaxTrendLines]}); err != nil {
		t.Fatalf("%d lines: %v", report.MaxTrendLines, err)
	}
}

func TestNewTrends_Panics(t *testing.T) {
	for name, tr := range map[string]report.Trend{
		"WeeksOutOfOrder": {Week: []int{2, 1}, Value: []float64{1, 2}},
		"LengthMismatch":  {Week: []int{1, 2}, Value: []float64{1}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			report.NewTrends(report.Trends{Lines: []report.Trend{tr}})
		})
	}
}

func TestTrendsOf(t *testing.T) {
	s := analysis.Series{Team: "t1", Week: []int{1, 2}}
	s.Values[analysis.Wellbeing] = []float64{70, 72}
	got := report.TrendsOf([]analysis.Series{s}, analysis.Wellbeing)
	want := []report.Trend{{Name: "t1", Week: []int{1, 2}, Value: []float64{70, 72}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("TrendsOf=%+v, want %+v", got, want)
	}
	if got := report.TrendsOf([]analysis.Series{s}, analysis.ENPS); got[0].Value != nil {
		t.Fatalf("missing variable: Value=%v, want nil", got[0].Value)
	}
}
