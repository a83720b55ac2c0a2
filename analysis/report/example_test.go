package report_test

import (
	"fmt"
	"io"
	"math"
	"os"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/analysis/report"
)

func ExampleWriteCSV() {
	rows := []analysis.Row{
		{Method: analysis.MethodRMCorr, X: analysis.Recognition, Y: analysis.Engagement, Lag: 1,
			N: 480, Teams: 40, R: 0.18, CILow: 0.09, CIHigh: 0.27, P: 0.0001, PAdj: 0.0009},
		{Method: analysis.MethodBetweenTeams, X: analysis.Recognition, Y: analysis.Engagement,
			N: 9, Teams: 3, R: math.NaN(), CILow: math.NaN(), CIHigh: math.NaN(), P: math.NaN(), PAdj: math.NaN(),
			Reason: "n=3 below minimum 10"},
	}
	if err := report.WriteCSV(os.Stdout, rows); err != nil {
		fmt.Println(err)
	}
	// Output:
	// method,x,y,lag,n,teams,r,ci_low,ci_high,p,p_adjusted,reason
	// rmcorr,recognition,engagement,1,480,40,0.18,0.09,0.27,0.0001,0.0009,
	// between-teams,recognition,engagement,0,9,3,,,,,,n=3 below minimum 10
}

func ExampleNegotiate() {
	f, _ := report.Negotiate("text/csv, application/json;q=0.5", "")
	fmt.Println(f, f.ContentType())
	f, _ = report.Negotiate("text/csv", "ndjson") // ?format= wins
	fmt.Println(f, f.ContentType())
	_, err := report.Negotiate("", "xlsx")
	fmt.Println(err)
	// Output:
	// csv text/csv; charset=utf-8; header=present
	// ndjson application/x-ndjson
	// format: unknown format "xlsx"; want json, csv or ndjson
}

func ExampleNewTrends() {
	w := analysis.ISOWeekIndex(2026, 10)
	chart, err := report.NewTrends(report.Trends{
		Title:  "Wellbeing",
		YLabel: "WHO-5 (0-100)",
		Lines: []report.Trend{
			// Week 2026-W12 was suppressed (below k): the line has a gap.
			{Name: "Platform", Week: []int{w, w + 1, w + 2, w + 3}, Value: []float64{61, 64, math.NaN(), 66}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = chart.Render(io.Discard, report.Image{Format: report.PNG, Width: 640, Height: 400})
	fmt.Println(err, report.WeekLabel(w))
	// Output:
	// <nil> 2026-W10
}
