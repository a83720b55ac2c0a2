package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/empulse/empulse/analysis"
)

// Meta is what a JSON export says about its table, beside the rows.
type Meta struct {
	// GeneratedAt is when the table was computed; the caller injects it
	// from its clock. It is written in UTC, to the second (RFC 3339).
	GeneratedAt time.Time
	// Filters echoes the request's filters (period, subtree, lags) back to
	// the analyst. It is marshalled with encoding/json, so pass a struct
	// with json tags; nil is written as null.
	Filters any
	// MinN is the minimum n of every test, as passed to
	// analysis.TableOptions; 0 is written as analysis.DefaultMinN.
	MinN int
	// K is the anonymity threshold: groups smaller than K were suppressed
	// before the analysis.
	K int
}

// jsonMeta is the head of a JSON export; Rows is written separately.
type jsonMeta struct {
	GeneratedAt string `json:"generated_at"`
	Filters     any    `json:"filters"`
	MinN        int    `json:"min_n"`
	K           int    `json:"k"`
}

// jsonRow is one row object; its keys are Columns.
type jsonRow struct {
	Method    string  `json:"method"`
	X         string  `json:"x"`
	Y         string  `json:"y"`
	Lag       int     `json:"lag"`
	N         int     `json:"n"`
	Teams     int     `json:"teams"`
	R         number  `json:"r"`
	CILow     number  `json:"ci_low"`
	CIHigh    number  `json:"ci_high"`
	P         number  `json:"p"`
	PAdjusted number  `json:"p_adjusted"`
	Reason    *string `json:"reason"`
}

// number is a float64 that marshals as null when it is NaN or infinite, and
// otherwise in its shortest form, as in CSV.
type number float64

// MarshalJSON implements json.Marshaler.
func (x number) MarshalJSON() ([]byte, error) {
	if b, ok := formatFloat(nil, float64(x)); ok {
		return b, nil
	}
	return []byte("null"), nil
}

func newJSONRow(r *analysis.Row) jsonRow {
	j := jsonRow{
		Method: r.Method.String(), X: r.X.String(), Y: r.Y.String(),
		Lag: r.Lag, N: r.N, Teams: r.Teams,
		R: number(r.R), CILow: number(r.CILow), CIHigh: number(r.CIHigh),
		P: number(r.P), PAdjusted: number(r.PAdj),
	}
	if r.Reason != "" {
		j.Reason = &r.Reason
	}
	return j
}

// WriteJSON writes rows to w as one JSON object, followed by a newline:
//
//	{"generated_at":"2026-11-27T12:00:00Z","filters":{...},"min_n":10,"k":5,"rows":[{...},...]}
//
// Each element of rows is an object whose keys are Columns, in that order;
// missing numbers and an empty reason are null. The error is the first error
// from marshalling m.Filters or writing to w.
func WriteJSON(w io.Writer, m Meta, rows []analysis.Row) error {
	minN := m.MinN
	if minN == 0 {
		minN = analysis.DefaultMinN
	}
	head, err := json.Marshal(jsonMeta{
		GeneratedAt: m.GeneratedAt.UTC().Format(time.RFC3339),
		Filters:     m.Filters,
		MinN:        minN,
		K:           m.K,
	})
	if err != nil {
		return fmt.Errorf("report: marshal filters: %w", err)
	}
	bw := bufio.NewWriter(w)
	bw.Write(head[:len(head)-1]) // without the closing brace
	bw.WriteString(`,"rows":[`)
	for i := range rows {
		if i > 0 {
			bw.WriteByte(',')
		}
		b, err := json.Marshal(newJSONRow(&rows[i]))
		if err != nil {
			return fmt.Errorf("report: marshal row %d: %w", i, err)
		}
		bw.Write(b)
	}
	bw.WriteString("]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: write json: %w", err)
	}
	return nil
}

// WriteNDJSON writes rows to w as newline-delimited JSON: one object per row,
// with the keys and values of WriteJSON's rows, each followed by a newline.
// It writes no metadata. The error is the first error from w.
func WriteNDJSON(w io.Writer, rows []analysis.Row) error {
	bw := bufio.NewWriter(w)
	for i := range rows {
		b, err := json.Marshal(newJSONRow(&rows[i]))
		if err != nil {
			return fmt.Errorf("report: marshal row %d: %w", i, err)
		}
		bw.Write(b)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: write ndjson: %w", err)
	}
	return nil
}
