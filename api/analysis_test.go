package api_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/analysis/report"
	"github.com/empulse/empulse/api"
)

// kin-openapi has decoders for JSON and CSV bodies (CSV is parsed, then
// checked as a string) and reads image/png and image/svg+xml bodies
// described as binary strings unchecked. NDJSON has no decoder: this one
// parses every line as JSON and hands the lines to the validator as an
// array, which the document describes, so that each row is checked
// against CorrelationRow.
func init() {
	openapi3filter.RegisterBodyDecoder("application/x-ndjson",
		func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			var out []any
			sc := bufio.NewScanner(body)
			for sc.Scan() {
				var v any
				if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			return out, sc.Err()
		})
}

// analysisWeeks are the weeks of analysisOrg's answers, 2026-W45..W48.
const analysisWeeks = 4

// analysisOrg is Company > Alpha (3 members), Beta (4), Gamma (5), Delta
// (6), Small (2), Lead (its leader only), with a WHO-5 and eNPS survey of
// Company (k=3) answered by everyone but the leader for four weeks, and
// recognitions received per member that vary by team and week, read a
// week later.
//
// Small is below k every week, and Alpha, the smallest of its siblings, is
// withheld to protect it: only Beta, Gamma and Delta are shown.
type analysisOrg struct {
	s       *server
	company string
	teams   map[string]string // name -> id
	sizes   map[string]int
	leader  string   // token of Lead's leader
	emp     string   // token of an employee
	analyst string   // token of an analyst in Company
	shown   []string // the teams whose scores are shown
}

// analysisTeams are the leaf teams with answers, in creation order.
var analysisTeams = []string{"Alpha", "Beta", "Gamma", "Delta", "Small"}

// level is the planted recognitions received per member of team i in
// week w, 0..3; who5 is the team's WHO-5 answer (every item) that week,
// 1..5, which goes with it.
func level(i, w int) int { return (i + w) % 4 }
func who5(i, w int) int  { return 1 + level(i, w) + i%2 }

// newAnalysisOrg builds and answers the organisation through the API.
func newAnalysisOrg(t *testing.T) *analysisOrg {
	t.Helper()
	s := newServer(t, api.RateLimit{})
	s.mu.Lock()
	s.now = t0.AddDate(0, 0, -7*(analysisWeeks-1))
	s.mu.Unlock()
	o := &analysisOrg{s: s, teams: map[string]string{}, sizes: map[string]int{"Alpha": 3, "Beta": 4, "Gamma": 5, "Delta": 6, "Small": 2},
		shown: []string{"Beta", "Gamma", "Delta"}}
	team := func(name, parent string) string {
		var id idOf
		body := `{"name":"` + name + `"}`
		if parent != "" {
			body = `{"name":"` + name + `","parent_id":"` + parent + `"}`
		}
		s.ok(t, req{method: "POST", path: "/api/v1/teams", token: adminToken, body: body}, 201, &id)
		return id.ID
	}
	type member struct{ id, token string }
	newMember := func(name, team, role string) member {
		var cm struct {
			Member idOf   `json:"member"`
			Token  string `json:"token"`
		}
		s.ok(t, req{method: "POST", path: "/api/v1/members", token: adminToken,
			body: `{"name":"` + name + `","email":"` + name + `@example.org","team_id":"` + team + `","role":"` + role + `"}`}, 201, &cm)
		return member{cm.Member.ID, cm.Token}
	}
	o.company = team("Company", "")
	members := map[string][]member{}
	for _, n := range analysisTeams {
		o.teams[n] = team(n, o.company)
		for i := range o.sizes[n] {
			members[n] = append(members[n], newMember(fmt.Sprintf("%s%d", strings.ToLower(n), i), o.teams[n], "employee"))
		}
	}
	o.teams["Lead"] = team("Lead", o.company)
	o.leader = newMember("lea", o.teams["Lead"], "leader").token
	o.analyst = newMember("ana", o.company, "analyst").token
	o.emp = members["Beta"][0].token

	var sv idOf
	s.ok(t, req{method: "POST", path: "/api/v1/surveys", token: adminToken,
		body: `{"name":"Pulse","team_id":"` + o.company + `","instruments":["who5","enps"],"cadence":"weekly","k":3}`}, 201, &sv)
	for w := range analysisWeeks {
		var p struct {
			ID        string `json:"id"`
			Questions []struct {
				Key string `json:"key"`
			} `json:"questions"`
		}
		s.ok(t, req{method: "POST", path: "/api/v1/surveys/" + sv.ID + "/pulses", token: adminToken}, 201, &p)
		for i, n := range analysisTeams {
			for _, m := range members[n] {
				vals := map[string]int{}
				for _, q := range p.Questions {
					vals[q.Key] = who5(i, w)
					if strings.HasPrefix(q.Key, "enps.") {
						vals[q.Key] = 2 * who5(i, w)
					}
				}
				body, _ := json.Marshal(map[string]any{"values": vals})
				s.ok(t, req{method: "POST", path: "/api/v1/surveys/" + sv.ID + "/pulses/" + p.ID + "/answers", token: m.token, body: string(body)}, 201, nil)
			}
			// level(i, w) recognitions for every member, given by the
			// members of the next team (at most 10 each a week).
			givers := members[analysisTeams[(i+1)%len(analysisTeams)]]
			g := 0
			for _, m := range members[n] {
				for range level(i, w) {
					s.ok(t, req{method: "POST", path: "/api/v1/recognitions", token: givers[g%len(givers)].token,
						body: `{"receiver_id":"` + m.id + `","value":"help","message":"thanks"}`}, 201, nil)
					g++
				}
			}
		}
		s.ok(t, req{method: "POST", path: "/api/v1/surveys/" + sv.ID + "/pulses/" + p.ID + "/close", token: adminToken}, 200, nil)
		s.mu.Lock()
		s.now = s.now.AddDate(0, 0, 7)
		s.mu.Unlock()
	}
	// The clock now stands in the week after the last (2026-W49), so every
	// week has ended and shows its figures but for a single unreleased
	// answer (Beta's fourth): Small's two answers count, and Alpha is
	// withheld to protect them, in every week alike.
	return o
}

// expected returns the planted recognition and wellbeing pairs of the
// shown teams in the weeks first..last (0-based).
func (o *analysisOrg) expected(first, last int) (x, y []float64) {
	for i, n := range analysisTeams {
		if !slices.Contains(o.shown, n) {
			continue
		}
		for w := first; w <= last; w++ {
			x = append(x, float64(level(i, w)))
			y = append(y, float64(who5(i, w))*20) // WHO-5 raw x 4, on 0-100
		}
	}
	return x, y
}

// rowJSON mirrors a CorrelationRow.
type rowJSON struct {
	Method    string   `json:"method"`
	X         string   `json:"x"`
	Y         string   `json:"y"`
	Lag       int      `json:"lag"`
	N         int      `json:"n"`
	Teams     int      `json:"teams"`
	R         *float64 `json:"r"`
	CILow     *float64 `json:"ci_low"`
	CIHigh    *float64 `json:"ci_high"`
	P         *float64 `json:"p"`
	PAdjusted *float64 `json:"p_adjusted"`
	Reason    *string  `json:"reason"`
}

// tableJSON mirrors a CorrelationTable.
type tableJSON struct {
	GeneratedAt string         `json:"generated_at"`
	Filters     map[string]any `json:"filters"`
	MinN        int            `json:"min_n"`
	K           int            `json:"k"`
	Rows        []rowJSON      `json:"rows"`
}

// find returns the row of method, y and lag (x is recognition).
func (tb tableJSON) find(t *testing.T, method, y string, lag int) rowJSON {
	t.Helper()
	for _, r := range tb.Rows {
		if r.Method == method && r.X == "recognition" && r.Y == y && r.Lag == lag {
			return r
		}
	}
	t.Fatalf("no %s row for recognition-%s at lag %d in %+v", method, y, lag, tb.Rows)
	return rowJSON{}
}

const correlationsPath = "/api/v1/analysis/correlations"

func TestCorrelations_SuppressedTeamsNeverContribute(t *testing.T) {
	t.Parallel()
	o := newAnalysisOrg(t)
	var tb tableJSON
	rec := o.s.ok(t, req{method: "GET", path: correlationsPath + "?from=2026-W45&to=2026-W48&lags=0,1", token: o.analyst}, 200, &tb)

	// Four pairs (recognition against each score), three rows per lag
	// and one between-teams row per pair.
	if got, want := len(tb.Rows), 4*(3*2+1); got != want {
		t.Fatalf("rows=%d, want %d", got, want)
	}
	x, y := o.expected(0, analysisWeeks-1)
	want := analysis.Pearson(x, y, 0)
	got := tb.find(t, "pearson", "wellbeing", 0)
	if got.N != want.N || got.Teams != len(o.shown) || got.R == nil || math.Abs(*got.R-want.R) > 1e-12 {
		t.Errorf("pearson wellbeing lag 0: n=%d teams=%d r=%v; want n=%d teams=%d r=%v (the shown teams only)",
			got.N, got.Teams, got.R, want.N, len(o.shown), want.R)
	}
	if got.Reason != nil || got.CILow == nil || *got.CILow > *got.R || *got.CIHigh < *got.R || *got.PAdjusted < *got.P {
		t.Errorf("pearson wellbeing lag 0=%+v, want a coefficient inside its interval and p_adjusted >= p", got)
	}
	// No engagement item was asked: no coefficient, only the reason.
	if e := tb.find(t, "pearson", "engagement", 0); e.R != nil || e.Reason == nil || *e.Reason != "n=0 below minimum 10" {
		t.Errorf("pearson engagement=%+v, want no coefficient and the reason", e)
	}
	if tb.K != 3 || tb.MinN != 10 || tb.Filters["from"] != "2026-W45" || tb.Filters["team"] != nil {
		t.Errorf("meta: k=%d min_n=%d filters=%v; want 3, 10, the period and no team", tb.K, tb.MinN, tb.Filters)
	}
	body := rec.Body.String()
	for name, id := range o.teams {
		if strings.Contains(body, id) || strings.Contains(body, name) {
			t.Errorf("the table names team %s (%s): %s", name, id, body)
		}
	}
}

func TestCorrelations_Formats(t *testing.T) {
	t.Parallel()
	o := newAnalysisOrg(t)
	const q = correlationsPath + "?from=2026-W45&to=2026-W48&lags=0"
	tests := []struct {
		name, query, accept, wantType, wantFile string
	}{
		{"DefaultJSON", q, "", "application/json", "correlations.json"},
		{"AcceptCSV", q, "text/csv", "text/csv; charset=utf-8; header=present", "correlations.csv"},
		{"AcceptNDJSON", q, "application/x-ndjson", "application/x-ndjson", "correlations.ndjson"},
		{"FormatWinsOverAccept", q + "&format=csv", "application/json", "text/csv; charset=utf-8; header=present", "correlations.csv"},
		{"FormatNDJSON", q + "&format=ndjson", "", "application/x-ndjson", "correlations.ndjson"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := req{method: "GET", path: tt.query, token: o.analyst}
			if tt.accept != "" {
				r.header = map[string]string{"Accept": tt.accept}
			}
			rec := o.s.ok(t, r, 200, nil)
			h := rec.Header()
			if got := h.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type=%q, want %q", got, tt.wantType)
			}
			if got := h.Get("Vary"); got != "Accept" {
				t.Errorf("Vary=%q, want Accept", got)
			}
			if got, want := h.Get("Content-Disposition"), `attachment; filename="`+tt.wantFile+`"`; got != want {
				t.Errorf("Content-Disposition=%q, want %q", got, want)
			}
			rows := parseTable(t, tt.wantFile, rec.Body.Bytes())
			if len(rows) != 4*4 {
				t.Fatalf("%d rows, want 16", len(rows))
			}
			for _, row := range rows {
				if keys := slices.Sorted(maps.Keys(row)); !slices.Equal(keys, slices.Sorted(slices.Values(report.Columns))) {
					t.Fatalf("row keys %v, want %v", keys, report.Columns)
				}
			}
		})
	}
}

// parseTable parses an export by the extension of its file name and
// returns its rows as column -> text.
func parseTable(t *testing.T, file string, body []byte) []map[string]string {
	t.Helper()
	var out []map[string]string
	add := func(m map[string]any) {
		row := map[string]string{}
		for k, v := range m {
			row[k] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	switch {
	case strings.HasSuffix(file, ".json"):
		var tb struct {
			Rows []map[string]any `json:"rows"`
		}
		if err := json.Unmarshal(body, &tb); err != nil {
			t.Fatal(err)
		}
		for _, r := range tb.Rows {
			add(r)
		}
	case strings.HasSuffix(file, ".ndjson"):
		for line := range strings.Lines(string(body)) {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			add(m)
		}
	case strings.HasSuffix(file, ".csv"):
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 || !slices.Equal(recs[0], report.Columns) {
			t.Fatalf("CSV header %v, want %v", recs, report.Columns)
		}
		for _, r := range recs[1:] {
			row := map[string]string{}
			for i, c := range recs[0] {
				row[c] = r[i]
			}
			out = append(out, row)
		}
	default:
		t.Fatalf("unknown file %s", file)
	}
	return out
}

func TestCorrelations_FiltersAndAccess(t *testing.T) {
	t.Parallel()
	o := newAnalysisOrg(t)
	pearsonN := func(t *testing.T, path, token string) rowJSON {
		t.Helper()
		var tb tableJSON
		o.s.ok(t, req{method: "GET", path: path, token: token}, 200, &tb)
		return tb.find(t, "pearson", "wellbeing", 0)
	}
	x, y := o.expected(2, 3)
	twoWeeks := analysis.Pearson(x, y, 4)
	tests := []struct {
		name, path, token string
		wantN, wantTeams  int
		wantR             *float64
		wantReason        string
	}{
		{"TwoWeeksBelowMinN", correlationsPath + "?from=2026-W47&to=2026-W48&lags=0", o.analyst, 6, 3, nil, "n=6 below minimum 10"},
		{"TwoWeeksMinN4", correlationsPath + "?from=2026-W47&to=2026-W48&lags=0&min_n=4", adminToken, 6, 3, &twoWeeks.R, ""},
		{"SubtreeBeta", correlationsPath + "?from=2026-W45&to=2026-W48&lags=0&min_n=4&team=" + o.teams["Beta"], o.analyst, 4, 1, nil, ""},
		{"SubtreeSmall", correlationsPath + "?from=2026-W45&to=2026-W48&lags=0&team=" + o.teams["Small"], adminToken, 0, 0, nil, "n=0 below minimum 10"},
		{"LeaderOwnSubtree", correlationsPath + "?from=2026-W45&to=2026-W48&lags=0", o.leader, 0, 0, nil, "n=0 below minimum 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pearsonN(t, tt.path, tt.token)
			if got.N != tt.wantN || got.Teams != tt.wantTeams {
				t.Errorf("n=%d teams=%d, want %d and %d", got.N, got.Teams, tt.wantN, tt.wantTeams)
			}
			if tt.wantR != nil && (got.R == nil || math.Abs(*got.R-*tt.wantR) > 1e-12) {
				t.Errorf("r=%v, want %v", got.R, *tt.wantR)
			}
			if tt.wantReason != "" && (got.Reason == nil || *got.Reason != tt.wantReason || got.R != nil) {
				t.Errorf("r=%v reason=%v, want no coefficient: %q", got.R, got.Reason, tt.wantReason)
			}
		})
	}
}

func TestAnalysis_BadInputAndAccess(t *testing.T) {
	t.Parallel()
	o := newAnalysisOrg(t)
	const scatter, trends = "/api/v1/analysis/plots/scatter", "/api/v1/analysis/plots/trends"
	tests := []struct {
		name, path, token string
		status            int
		field             string
	}{
		{"Employee", correlationsPath, o.emp, 403, ""},
		{"EmployeeScatter", scatter, o.emp, 403, ""},
		{"EmployeeTrends", trends, o.emp, 403, ""},
		{"LeaderOutside", correlationsPath + "?team=" + o.teams["Beta"], o.leader, 403, "team"},
		{"LeaderTrendsOutside", trends + "?team=" + o.company, o.leader, 403, "team"},
		{"UnknownTeam", correlationsPath + "?team=nope", o.analyst, 404, "team"},
		{"NoToken", correlationsPath, "", 401, "Authorization"},
		{"BadFormat", correlationsPath + "?format=xml", o.analyst, 400, "format"},
		{"BadFrom", correlationsPath + "?from=2026-45", o.analyst, 400, "from"},
		{"BadTo", correlationsPath + "?to=2025-W53", o.analyst, 400, "to"},
		{"FromAfterTo", correlationsPath + "?from=2026-W48&to=2026-W45", o.analyst, 400, "from"},
		{"LagTooLarge", correlationsPath + "?lags=0,5", o.analyst, 400, "lags"},
		{"LagNotNumber", correlationsPath + "?lags=a", o.analyst, 400, "lags"},
		{"MinNTooSmall", correlationsPath + "?min_n=3", o.analyst, 400, "min_n"},
		{"MinNNotNumber", correlationsPath + "?min_n=ten", o.analyst, 400, "min_n"},
		{"ScatterBadX", scatter + "?x=happiness", o.analyst, 400, "x"},
		{"ScatterSameXY", scatter + "?x=wellbeing&y=wellbeing", o.analyst, 400, "y"},
		{"ScatterBadLag", scatter + "?lag=-5", o.analyst, 400, "lag"},
		{"ScatterBadFormat", scatter + "?format=gif", o.analyst, 400, "format"},
		{"ScatterTooNarrow", scatter + "?width=10", o.analyst, 400, "width"},
		{"TrendsTooTall", trends + "?height=5000", o.analyst, 400, "height"},
		{"TrendsBadMetric", trends + "?metric=mood", o.analyst, 400, "metric"},
		{"TrendsBadPeriod", trends + "?from=2020-W01&to=2026-W48", o.analyst, 400, "from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, _ := o.s.do(t, req{method: "GET", path: tt.path, token: tt.token})
			if rec.Code != tt.status {
				t.Fatalf("status=%d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			var e errorJSON
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			got := ""
			if e.Error.Field != nil {
				got = *e.Error.Field
			}
			if got != tt.field {
				t.Errorf("field=%q, want %q (%s)", got, tt.field, e.Error.Message)
			}
		})
	}
}

func TestAnalysis_Plots(t *testing.T) {
	t.Parallel()
	o := newAnalysisOrg(t)
	const period = "from=2026-W45&to=2026-W48"
	tests := []struct {
		name, path, token, accept string
		wantType, wantFile        string
		wantNames, notNames       []string // display names that must (not) appear in an SVG
	}{
		{"ScatterPNG", "/api/v1/analysis/plots/scatter?x=recognition&y=wellbeing&lag=0&width=640&height=400&" + period, o.analyst, "",
			"image/png", "scatter-recognition-wellbeing-lag0.png", nil, nil},
		{"ScatterSVGByAccept", "/api/v1/analysis/plots/scatter?y=enps&lag=1&" + period, adminToken, "image/svg+xml",
			"image/svg+xml", "scatter-recognition-enps-lag1.svg", nil, analysisTeams},
		{"TrendsSVG", "/api/v1/analysis/plots/trends?metric=wellbeing&format=svg&team=" + "COMPANY&" + period, o.analyst, "",
			"image/svg+xml", "trends-wellbeing.svg", []string{"Company", "Alpha", "Beta", "Small", "Lead"}, nil},
		{"TrendsOrganisation", "/api/v1/analysis/plots/trends?format=svg&" + period, o.analyst, "",
			"image/svg+xml", "trends-engagement.svg", []string{"Whole organisation", "Company"}, []string{"Alpha"}},
		{"TrendsLeader", "/api/v1/analysis/plots/trends?metric=recognition&format=svg&" + period, o.leader, "",
			"image/svg+xml", "trends-recognition.svg", []string{"Lead"}, []string{"Company", "Alpha", "Beta"}},
		{"TrendsPNG", "/api/v1/analysis/plots/trends?metric=enps&" + period, o.analyst, "image/*",
			"image/png", "trends-enps.png", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := req{method: "GET", path: strings.Replace(tt.path, "COMPANY", o.company, 1), token: tt.token}
			if tt.accept != "" {
				r.header = map[string]string{"Accept": tt.accept}
			}
			rec := o.s.ok(t, r, 200, nil)
			h := rec.Header()
			if got := h.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type=%q, want %q", got, tt.wantType)
			}
			if got, want := h.Get("Content-Disposition"), `inline; filename="`+tt.wantFile+`"`; got != want {
				t.Errorf("Content-Disposition=%q, want %q", got, want)
			}
			if got := h.Get("Vary"); got != "Accept" {
				t.Errorf("Vary=%q, want Accept", got)
			}
			body := rec.Body.Bytes()
			if tt.wantType == "image/png" {
				img, err := png.Decode(bytes.NewReader(body))
				if err != nil {
					t.Fatalf("PNG does not decode: %v", err)
				}
				if tt.name == "ScatterPNG" && (img.Bounds().Dx() != 640 || img.Bounds().Dy() != 400) {
					t.Errorf("PNG is %v, want 640x400", img.Bounds())
				}
				return
			}
			svg := string(body)
			if !strings.Contains(svg, "<svg") {
				t.Fatalf("not an SVG: %.200s", svg)
			}
			for _, n := range tt.wantNames {
				if !strings.Contains(svg, ">"+n) {
					t.Errorf("SVG lacks the name %q", n)
				}
			}
			for _, n := range tt.notNames {
				if strings.Contains(svg, ">"+n) {
					t.Errorf("SVG shows %q", n)
				}
			}
			for name, id := range o.teams {
				if strings.Contains(svg, id) {
					t.Errorf("SVG contains the id of %s", name)
				}
			}
		})
	}
}
