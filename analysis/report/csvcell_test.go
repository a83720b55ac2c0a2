package report_test

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/analysis/report"
)

func TestSafeCell(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"pearson", "pearson"},
		{"n=7 below minimum 10", "n=7 below minimum 10"},
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"'=1", "'=1"}, // already text
		{"a=1", "a=1"},
		{" =1", " =1"}, // quoted by WriteCSV; a leading space makes it text
	} {
		if got := report.SafeCell(tt.in); got != tt.want {
			t.Errorf("SafeCell(%q)=%q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestWriteCSV_Injection writes hostile reasons and checks the raw line.
func TestWriteCSV_Injection(t *testing.T) {
	for _, tt := range []struct{ reason, want string }{
		{"=1+1", "'=1+1"},
		{"-2+3", "'-2+3"},
		{"@x", "'@x"},
		{"a,=1", `"a,=1"`},
		{"a;=1", `"a;=1"`},
		{`say "hi"`, `"say ""hi"""`},
		{"=a\nb", "\"'=a\nb\""},
		{"\t=1", "'\t=1"},
		{"\r=1", "\"'\r=1\""},
		{" x", `" x"`},
	} {
		t.Run(strconv.Quote(tt.reason), func(t *testing.T) {
			var buf bytes.Buffer
			row := analysis.Row{Method: analysis.MethodPearson, R: -0.5, CILow: -0.8, CIHigh: -0.1, P: 0.01, PAdj: 0.02, Reason: tt.reason}
			if err := report.WriteCSV(&buf, []analysis.Row{row}); err != nil {
				t.Fatal(err)
			}
			_, line, _ := strings.Cut(buf.String(), "\n")
			want := "pearson,recognition,recognition,0,0,0,-0.5,-0.8,-0.1,0.01,0.02," + tt.want + "\n"
			if line != want {
				t.Fatalf("line=%q, want %q", line, want)
			}
		})
	}
}

// dangerous reports whether a cell begins with a character that a
// spreadsheet may take as the start of a formula.
func dangerous(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// FuzzCSVCell checks that no text reaches a CSV cell in a form a spreadsheet
// would evaluate, that the neutralisation is reversible, and that the cell
// reads back as one field.
func FuzzCSVCell(f *testing.F) {
	// The seed corpus is also committed under testdata/fuzz/FuzzCSVCell.
	for _, s := range []string{"", "x", "=1+1", "-1", "a,b", "a;=b", `"`, "\r\n=1", "\ufeff=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := report.SafeCell(s)
		if dangerous(c) {
			t.Fatalf("SafeCell(%q)=%q begins with a formula character", s, c)
		}
		if c != s && c != "'"+s {
			t.Fatalf("SafeCell(%q)=%q, want the input or the input after a quote", s, c)
		}
		if !dangerous(s) && c != s {
			t.Fatalf("SafeCell(%q)=%q changed a harmless cell", s, c)
		}

		row := analysis.Row{Method: analysis.MethodSpearman, X: analysis.Recognition, Y: analysis.Wellbeing,
			Lag: -1, N: 30, Teams: 4, R: -0.3, CILow: -0.6, CIHigh: 0.07, P: 0.1, PAdj: 0.2, Reason: s}
		var buf bytes.Buffer
		if err := report.WriteCSV(&buf, []analysis.Row{row}); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(&buf)
		r.FieldsPerRecord = len(report.Columns)
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("read back %q: %v", buf.String(), err)
		}
		if len(recs) != 2 {
			t.Fatalf("%d records, want 2", len(recs))
		}
		// encoding/csv drops a CR before a LF, also inside quotes.
		if got, want := recs[1][11], strings.ReplaceAll(c, "\r\n", "\n"); got != want {
			t.Fatalf("reason read back as %q, want %q", got, want)
		}
		for i, cell := range recs[1] {
			if _, err := strconv.ParseFloat(cell, 64); err == nil {
				continue // a number, written by strconv
			}
			if dangerous(cell) {
				t.Fatalf("column %s=%q begins with a formula character", report.Columns[i], cell)
			}
		}
	})
}
