package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/analysis/report"
	"github.com/empulse/empulse/apperr"
)

var nan = math.NaN()

// sampleRows is a small table: a reported row, a row below the minimum n
// (NaN everywhere, with its reason) and a reported row with a negative r.
func sampleRows() []analysis.Row {
	return []analysis.Row{
		{Method: analysis.MethodPearson, X: analysis.Recognition, Y: analysis.Engagement, Lag: 0,
			N: 120, Teams: 12, DF: 118, R: 0.41237, CILow: 0.25, CIHigh: 0.55, P: 2.5e-06, PAdj: 1.2e-05},
		{Method: analysis.MethodRMCorr, X: analysis.Recognition, Y: analysis.Wellbeing, Lag: -2,
			N: 7, Teams: 3, DF: 3, R: nan, CILow: nan, CIHigh: nan, P: nan, PAdj: nan, Reason: "n=7 below minimum 10"},
		{Method: analysis.MethodBetweenTeams, X: analysis.Recognition, Y: analysis.ENPS, Lag: 0,
			N: 40, Teams: 12, DF: 10, R: -0.25, CILow: -0.7, CIHigh: 0.38, P: 0.43, PAdj: 0.5},
	}
}

// sampleFilters stands for the filters the HTTP layer echoes.
type sampleFilters struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Subtree string `json:"subtree,omitempty"`
	Lags    []int  `json:"lags"`
}

// sampleMeta is the metadata of the golden JSON export.
func sampleMeta() report.Meta {
	return report.Meta{
		GeneratedAt: time.Date(2026, 11, 27, 13, 0, 0, 0, time.FixedZone("CET", 3600)),
		Filters:     sampleFilters{From: "2026-W01", To: "2026-W20", Lags: []int{0, 1}},
		MinN:        0,
		K:           5,
	}
}

// objectKeys returns the keys of the JSON object b, in order.
func objectKeys(tb testing.TB, b []byte) []string {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		tb.Fatalf("not an object: %q (%v)", b, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			tb.Fatalf("decode %q: %v", b, err)
		}
		keys = append(keys, tok.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			tb.Fatalf("decode %q: %v", b, err)
		}
	}
	return keys
}

// wantFieldErr fails unless err is an *apperr.Error with code Invalid and
// the given field.
func wantFieldErr(tb testing.TB, err error, field string) {
	tb.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) {
		tb.Fatalf("err = %v, want an *apperr.Error", err)
	}
	if e.Code != apperr.Invalid || e.Field != field {
		tb.Fatalf("code=%q field=%q, want %q %q", e.Code, e.Field, apperr.Invalid, field)
	}
}
