package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/empulse/empulse/analysis/report"
	"github.com/empulse/empulse/events"
)

// seedExport serves data and writes Company > Alpha, Beta with three
// members each, a WHO-5 survey of Company with k=3 whose pulse they all
// answer, and a recognition. It returns the serve's stop function, still
// running, so that a test can try an export beside it.
func seedExport(t *testing.T, data string) (stop func() error) {
	t.Helper()
	const admin = "export-admin-token"
	env := map[string]string{envData: data, envLogFormat: "json", envAdminToken: admin}
	addr, _, stop := startServe(t, []string{"--addr", "127.0.0.1:0"}, env)
	type idOf struct {
		ID string `json:"id"`
	}
	var company idOf
	call(t, addr, admin, "POST", "/api/v1/teams", `{"name":"Company"}`, 201, &company)
	type member struct{ id, token string }
	var members []member
	for _, name := range []string{"Alpha", "Beta"} {
		var team idOf
		call(t, addr, admin, "POST", "/api/v1/teams", `{"name":"`+name+`","parent_id":"`+company.ID+`"}`, 201, &team)
		for i := range 3 {
			var cm struct {
				Member idOf   `json:"member"`
				Token  string `json:"token"`
			}
			email := fmt.Sprintf("%s%d@example.org", strings.ToLower(name), i)
			call(t, addr, admin, "POST", "/api/v1/members", `{"name":"m","email":"`+email+`","team_id":"`+team.ID+`"}`, 201, &cm)
			members = append(members, member{cm.Member.ID, cm.Token})
		}
	}
	var sv, p idOf
	call(t, addr, admin, "POST", "/api/v1/surveys", `{"name":"Pulse","team_id":"`+company.ID+`","instruments":["who5"],"cadence":"weekly","k":3}`, 201, &sv)
	call(t, addr, admin, "POST", "/api/v1/surveys/"+sv.ID+"/pulses", "", 201, &p)
	for i, m := range members {
		v := 1 + i%5
		call(t, addr, m.token, "POST", "/api/v1/surveys/"+sv.ID+"/pulses/"+p.ID+"/answers",
			fmt.Sprintf(`{"values":{"who5.cheerful":%d,"who5.calm":%d,"who5.active":%d,"who5.rested":%d,"who5.interest":%d}}`, v, v, v, v, v), 201, nil)
	}
	call(t, addr, members[0].token, "POST", "/api/v1/recognitions", `{"receiver_id":"`+members[4].id+`","value":"help","message":"thanks"}`, 201, nil)
	return stop
}

func TestRun_ExportCorrelations(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	stop := seedExport(t, data)

	// Beside a running server the data directory is refused.
	err := run(t.Context(), []string{"export", "correlations", "--data", data, "--out", t.TempDir()}, envMap(nil), io.Discard, io.Discard)
	if !errors.Is(err, events.ErrLocked) || !strings.Contains(err.Error(), "is another empulse serving") {
		t.Errorf("export beside serve: err=%v, want the data directory in use", err)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}

	out := filepath.Join(t.TempDir(), "exports")
	var stdout, stderr bytes.Buffer
	// EMPULSE_DATA names the data directory, as for serve.
	err = run(t.Context(), []string{"export", "correlations", "--out", out, "--lags", "0,1", "--min-n", "4"},
		envMap(map[string]string{envData: data}), &stdout, &stderr)
	if err != nil {
		t.Fatalf("export: %v\nstderr: %s", err, stderr.String())
	}
	want := []string{"correlations.csv", "correlations.json", "correlations.ndjson"}
	for _, score := range []string{"engagement", "wellbeing", "enps", "participation"} {
		want = append(want, "scatter-recognition-"+score+"-lag0.png", "scatter-recognition-"+score+"-lag0.svg",
			"trends-"+score+".png", "trends-"+score+".svg")
	}
	slices.Sort(want)
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	if lines := strings.Count(stdout.String(), "\n"); lines != len(want) {
		t.Errorf("stdout lists %d files, want %d:\n%s", lines, len(want), stdout.String())
	}

	read := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const rows = 4 * (3*2 + 1) // four pairs, two lags, one between-teams row each
	var table struct {
		Filters struct {
			Lags []int `json:"lags"`
			MinN int   `json:"min_n"`
		} `json:"filters"`
		K    int              `json:"k"`
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(read("correlations.json"), &table); err != nil {
		t.Fatalf("correlations.json: %v", err)
	}
	if len(table.Rows) != rows || table.K != 3 || table.Filters.MinN != 4 || !slices.Equal(table.Filters.Lags, []int{0, 1}) {
		t.Errorf("correlations.json: %d rows, k=%d, filters %+v; want %d rows, k=3, lags 0,1 and min_n 4", len(table.Rows), table.K, table.Filters, rows)
	}
	recs, err := csv.NewReader(bytes.NewReader(read("correlations.csv"))).ReadAll()
	if err != nil || len(recs) != rows+1 || !slices.Equal(recs[0], report.Columns) {
		t.Errorf("correlations.csv: %d records (err %v), header %v; want %d and %v", len(recs), err, recs[0], rows+1, report.Columns)
	}
	n := 0
	for line := range strings.Lines(string(read("correlations.ndjson"))) {
		var row map[string]any
		if err := json.Unmarshal([]byte(line), &row); err != nil || len(row) != len(report.Columns) {
			t.Fatalf("correlations.ndjson line %q: %v, %d keys", line, err, len(row))
		}
		n++
	}
	if n != rows {
		t.Errorf("correlations.ndjson: %d rows, want %d", n, rows)
	}
	for _, name := range got {
		switch filepath.Ext(name) {
		case ".png":
			img, err := png.Decode(bytes.NewReader(read(name)))
			if err != nil {
				t.Errorf("%s: %v", name, err)
			} else if b := img.Bounds(); b.Dx() != report.DefaultWidth || b.Dy() != report.DefaultHeight {
				t.Errorf("%s: %v, want %dx%d", name, b, report.DefaultWidth, report.DefaultHeight)
			}
		case ".svg":
			if svg := string(read(name)); !strings.Contains(svg, "<svg") || !strings.HasSuffix(strings.TrimSpace(svg), "</svg>") {
				t.Errorf("%s is not a whole SVG: %.100s", name, svg)
			}
		}
	}
	// The trends name the teams by their display names.
	if svg := string(read("trends-wellbeing.svg")); !strings.Contains(svg, ">Whole organisation") || !strings.Contains(svg, ">Company") {
		t.Errorf("trends-wellbeing.svg does not name the organisation and Company")
	}
}

func TestRun_ExportErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"NoSubcommand", []string{"export"}, "export correlations"},
		{"UnknownSubcommand", []string{"export", "plots"}, "export correlations"},
		{"BadLags", []string{"export", "correlations", "--lags", "0,9"}, "--lags"},
		{"BadMinN", []string{"export", "correlations", "--min-n", "3"}, "--min-n"},
		{"BadFrom", []string{"export", "correlations", "--from", "2026-48"}, "--from"},
		{"Extra", []string{"export", "correlations", "now"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(tt.args, "--data", t.TempDir(), "--out", t.TempDir())
			if len(tt.args) < 2 || tt.args[1] != "correlations" {
				args = tt.args
			}
			err := run(t.Context(), args, envMap(nil), io.Discard, io.Discard)
			checkUsageError(t, err, tt.want)
		})
	}
}
