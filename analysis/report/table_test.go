package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/analysis/report"
)

const wantCSV = `method,x,y,lag,n,teams,r,ci_low,ci_high,p,p_adjusted,reason
pearson,recognition,engagement,0,120,12,0.41237,0.25,0.55,2.5e-06,1.2e-05,
rmcorr,recognition,wellbeing,-2,7,3,,,,,,n=7 below minimum 10
between-teams,recognition,enps,0,40,12,-0.25,-0.7,0.38,0.43,0.5,
`

const wantNDJSON = `{"method":"pearson","x":"recognition","y":"engagement","lag":0,"n":120,"teams":12,"r":0.41237,"ci_low":0.25,"ci_high":0.55,"p":2.5e-06,"p_adjusted":1.2e-05,"reason":null}
{"method":"rmcorr","x":"recognition","y":"wellbeing","lag":-2,"n":7,"teams":3,"r":null,"ci_low":null,"ci_high":null,"p":null,"p_adjusted":null,"reason":"n=7 below minimum 10"}
{"method":"between-teams","x":"recognition","y":"enps","lag":0,"n":40,"teams":12,"r":-0.25,"ci_low":-0.7,"ci_high":0.38,"p":0.43,"p_adjusted":0.5,"reason":null}
`

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, sampleRows()); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != wantCSV {
		t.Fatalf("csv:\n%s\nwant:\n%s", got, wantCSV)
	}
	t.Run("Empty", func(t *testing.T) {
		var buf bytes.Buffer
		if err := report.WriteCSV(&buf, nil); err != nil {
			t.Fatal(err)
		}
		if got, want := buf.String(), strings.Join(report.Columns, ",")+"\n"; got != want {
			t.Fatalf("csv=%q, want %q", got, want)
		}
	})
}

func TestWriteNDJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteNDJSON(&buf, sampleRows()); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != wantNDJSON {
		t.Fatalf("ndjson:\n%s\nwant:\n%s", got, wantNDJSON)
	}
	t.Run("Empty", func(t *testing.T) {
		var buf bytes.Buffer
		if err := report.WriteNDJSON(&buf, nil); err != nil || buf.Len() != 0 {
			t.Fatalf("ndjson=%q err=%v, want empty", buf.String(), err)
		}
	})
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, sampleMeta(), sampleRows()); err != nil {
		t.Fatal(err)
	}
	want := `{"generated_at":"2026-11-27T12:00:00Z","filters":{"from":"2026-W01","to":"2026-W20","lags":[0,1]},"min_n":10,"k":5,"rows":[` +
		strings.Join(strings.Split(strings.TrimSuffix(wantNDJSON, "\n"), "\n"), ",") + "]}\n"
	if got := buf.String(); got != want {
		t.Fatalf("json:\n%s\nwant:\n%s", got, want)
	}
	if !json.Valid(buf.Bytes()) {
		t.Fatal("output is not valid JSON")
	}

	t.Run("NilFiltersEmptyRows", func(t *testing.T) {
		var buf bytes.Buffer
		if err := report.WriteJSON(&buf, report.Meta{MinN: 12, K: 7}, nil); err != nil {
			t.Fatal(err)
		}
		want := `{"generated_at":"0001-01-01T00:00:00Z","filters":null,"min_n":12,"k":7,"rows":[]}` + "\n"
		if got := buf.String(); got != want {
			t.Fatalf("json=%s, want %s", got, want)
		}
	})
	t.Run("BadFilters", func(t *testing.T) {
		var buf bytes.Buffer
		err := report.WriteJSON(&buf, report.Meta{Filters: func() {}}, nil)
		if err == nil || buf.Len() != 0 {
			t.Fatalf("err=%v, wrote %q; want an error and nothing written", err, buf.String())
		}
	})
}

func TestWrite_Formats(t *testing.T) {
	for _, tt := range []struct {
		f    report.Format
		want string
	}{
		{report.CSV, wantCSV},
		{report.NDJSON, wantNDJSON},
	} {
		t.Run(string(tt.f), func(t *testing.T) {
			var buf bytes.Buffer
			if err := report.Write(&buf, tt.f, sampleMeta(), sampleRows()); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Fatalf("Write(%s)=\n%s\nwant\n%s", tt.f, buf.String(), tt.want)
			}
		})
	}
	t.Run("Unknown", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic for an unknown format")
			}
		}()
		report.Write(&bytes.Buffer{}, "xml", report.Meta{}, nil)
	})
}

// errWriter fails every write.
type errWriter struct{}

var errWrite = errors.New("disk full")

func (errWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWrite_WriterError(t *testing.T) {
	for _, f := range []report.Format{report.JSON, report.CSV, report.NDJSON} {
		if err := report.Write(errWriter{}, f, sampleMeta(), sampleRows()); !errors.Is(err, errWrite) {
			t.Errorf("%s: err=%v, want %v", f, err, errWrite)
		}
	}
}

// TestExports_OnlyDocumentedColumns computes a real table from series whose
// team identifiers are distinctive, and checks that every format has exactly
// the documented columns and never mentions a team.
func TestExports_OnlyDocumentedColumns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var data []analysis.Series
	var teams []string
	for i := range 6 {
		s := analysis.Series{Team: "team-7f3a9c-" + string(rune('a'+i))}
		teams = append(teams, s.Team)
		for w := range 12 {
			s.Week = append(s.Week, 2900+w)
			for v := range analysis.NumVariables {
				s.Values[v] = append(s.Values[v], rng.NormFloat64()*10+50)
			}
		}
		data = append(data, s)
	}
	rows := analysis.Table(data, analysis.TableOptions{})
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	outputs := map[report.Format][]byte{}
	for _, f := range []report.Format{report.JSON, report.CSV, report.NDJSON} {
		var buf bytes.Buffer
		if err := report.Write(&buf, f, report.Meta{K: 5}, rows); err != nil {
			t.Fatal(err)
		}
		outputs[f] = buf.Bytes()
		for _, team := range append(teams, "7f3a9c") {
			if bytes.Contains(buf.Bytes(), []byte(team)) {
				t.Errorf("%s export mentions %q", f, team)
			}
		}
	}

	t.Run("CSV", func(t *testing.T) {
		recs, err := csv.NewReader(bytes.NewReader(outputs[report.CSV])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(recs[0], report.Columns) {
			t.Fatalf("header=%q, want %q", recs[0], report.Columns)
		}
		if len(recs) != len(rows)+1 {
			t.Fatalf("%d records, want %d", len(recs), len(rows)+1)
		}
	})
	t.Run("NDJSON", func(t *testing.T) {
		lines := strings.Split(strings.TrimSuffix(string(outputs[report.NDJSON]), "\n"), "\n")
		if len(lines) != len(rows) {
			t.Fatalf("%d lines, want %d", len(lines), len(rows))
		}
		for _, l := range lines {
			if keys := objectKeys(t, []byte(l)); !slices.Equal(keys, report.Columns) {
				t.Fatalf("keys=%q, want %q", keys, report.Columns)
			}
		}
	})
	t.Run("JSON", func(t *testing.T) {
		b := outputs[report.JSON]
		if keys, want := objectKeys(t, b), []string{"generated_at", "filters", "min_n", "k", "rows"}; !slices.Equal(keys, want) {
			t.Fatalf("keys=%q, want %q", keys, want)
		}
		var doc struct{ Rows []json.RawMessage }
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Rows) != len(rows) {
			t.Fatalf("%d rows, want %d", len(doc.Rows), len(rows))
		}
		for _, r := range doc.Rows {
			if keys := objectKeys(t, r); !slices.Equal(keys, report.Columns) {
				t.Fatalf("keys=%q, want %q", keys, report.Columns)
			}
		}
	})
}
