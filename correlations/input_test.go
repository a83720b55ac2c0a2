package correlations_test

import (
	"math"
	"slices"
	"testing"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/correlations"
	"github.com/empulse/empulse/projections"
)

func TestSeriesOf(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	figs := []projections.Figures{{
		Team:  "t1",
		Weeks: []projections.Week{"2025-W52", "2026-W01"},
		Values: map[projections.Metric][]float64{
			projections.MetricRecvPerMember: {0.5, 1},
			projections.MetricWellbeing:     {nan, 60},
			projections.MetricParticipation: {50, nan},
		},
	}}
	got := correlations.SeriesOf(figs)
	if len(got) != 1 {
		t.Fatalf("%d series, want 1", len(got))
	}
	s := got[0]
	if want := []int{analysis.ISOWeekIndex(2025, 52), analysis.ISOWeekIndex(2026, 1)}; !slices.Equal(s.Week, want) || want[1] != want[0]+1 {
		t.Errorf("weeks=%v, want %v (consecutive)", s.Week, want)
	}
	tests := []struct {
		v    analysis.Variable
		want []float64 // nil: absent
	}{
		{analysis.Recognition, []float64{0.5, 1}},
		{analysis.Wellbeing, []float64{nan, 60}},
		{analysis.Participation, []float64{0.5, nan}}, // a share, not a percentage
		{analysis.Engagement, nil},
	}
	for _, tt := range tests {
		got := s.Values[tt.v]
		if !slices.EqualFunc(got, tt.want, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) || (got == nil) != (tt.want == nil) {
			t.Errorf("%v: got %v, want %v", tt.v, got, tt.want)
		}
	}
	if figs[0].Values[projections.MetricParticipation][0] != 50 {
		t.Error("SeriesOf changed its input")
	}
}

func TestParseLags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"", analysis.DefaultLags, false},
		{"0", []int{0}, false},
		{"0, 1,2,1", []int{0, 1, 2}, false},
		{"-4,4", []int{-4, 4}, false},
		{"5", nil, true},
		{"0,,1", nil, true},
		{"one", nil, true},
	}
	for _, tt := range tests {
		got, err := correlations.ParseLags("lags", tt.in)
		if tt.wantErr {
			if apperr.CodeOf(err) != apperr.Invalid || apperr.FieldOf(err) != "lags" {
				t.Errorf("ParseLags(%q): err=%v, want Invalid naming lags", tt.in, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseLags(%q)=%v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseMinNAndVariable(t *testing.T) {
	t.Parallel()
	if n, err := correlations.ParseMinN("min_n", ""); err != nil || n != analysis.DefaultMinN {
		t.Errorf("ParseMinN(\"\")=%d, %v; want %d", n, err, analysis.DefaultMinN)
	}
	if _, err := correlations.ParseMinN("min_n", "3"); apperr.FieldOf(err) != "min_n" {
		t.Errorf("ParseMinN(3): err=%v, want one naming min_n", err)
	}
	if v, err := correlations.ParseVariable("x", "ENPS", analysis.Recognition); err != nil || v != analysis.ENPS {
		t.Errorf("ParseVariable(ENPS)=%v, %v; want enps", v, err)
	}
	if _, err := correlations.ParseVariable("y", "mood", analysis.Recognition); apperr.FieldOf(err) != "y" {
		t.Errorf("ParseVariable(mood): err=%v, want one naming y", err)
	}
}
