package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/empulse/empulse/api"
)

// scoreJSON mirrors a Score.
type scoreJSON struct {
	Suppressed  bool     `json:"suppressed"`
	Reason      string   `json:"reason"`
	Value       *float64 `json:"value"`
	Respondents *int64   `json:"respondents"`
}

// teamScoresJSON mirrors the answer of GET /teams/{team}/scores.
type teamScoresJSON struct {
	Weeks []struct {
		Week     string               `json:"week"`
		Scores   map[string]scoreJSON `json:"scores"`
		Comments struct {
			Suppressed bool     `json:"suppressed"`
			Reason     string   `json:"reason"`
			Items      []string `json:"items"`
		} `json:"comments"`
	} `json:"weeks"`
	Trend map[string]struct {
		Points int `json:"points"`
	} `json:"trend"`
}

// heatJSON mirrors a heat map.
type heatJSON struct {
	Rows []struct {
		Team   string               `json:"team_id"`
		Scores map[string]scoreJSON `json:"scores"`
	} `json:"rows"`
}

// scoreOrg is Company > Alpha (big), Beta (2 people), Gamma (big, with a
// child Delta of 4), with members created through the API.
type scoreOrg struct {
	s                        *server
	root, alpha, beta, gamma string
	delta                    string
	leaderA                  string // leader of Alpha
	analyst                  string
	tokens                   map[string][]string // team -> member tokens
	survey, pulse            string
}

// newScoreOrg builds the organisation, a WHO-5 survey of the whole company
// with k=3 and an open pulse.
func newScoreOrg(t *testing.T, sizes map[string]int) *scoreOrg {
	t.Helper()
	s := newServer(t, api.RateLimit{})
	o := &scoreOrg{s: s, tokens: map[string][]string{}}
	team := func(name, parent string) string {
		var id idOf
		body := `{"name":"` + name + `"}`
		if parent != "" {
			body = `{"name":"` + name + `","parent_id":"` + parent + `"}`
		}
		s.ok(t, req{method: "POST", path: "/api/v1/teams", token: adminToken, body: body}, 201, &id)
		return id.ID
	}
	o.root = team("Company", "")
	o.alpha = team("Alpha", o.root)
	o.beta = team("Beta", o.root)
	o.gamma = team("Gamma", o.root)
	o.delta = team("Delta", o.gamma)
	names := map[string]string{"alpha": o.alpha, "beta": o.beta, "gamma": o.gamma, "delta": o.delta}
	member := func(name, team, role string) string {
		var cm struct {
			Token string `json:"token"`
		}
		s.ok(t, req{method: "POST", path: "/api/v1/members", token: adminToken,
			body: `{"name":"` + name + `","email":"` + name + `@example.org","team_id":"` + team + `","role":"` + role + `"}`}, 201, &cm)
		return cm.Token
	}
	for _, n := range []string{"alpha", "beta", "gamma", "delta"} {
		for i := range sizes[n] {
			o.tokens[names[n]] = append(o.tokens[names[n]], member(fmt.Sprintf("%s%d", n, i), names[n], "employee"))
		}
	}
	o.leaderA = member("leadA", o.alpha, "leader")
	o.analyst = member("ana", o.root, "analyst")
	var sv idOf
	s.ok(t, req{method: "POST", path: "/api/v1/surveys", token: adminToken,
		body: `{"name":"Wellbeing","team_id":"` + o.root + `","instruments":["who5"],"cadence":"weekly","k":3}`}, 201, &sv)
	var p idOf
	s.ok(t, req{method: "POST", path: "/api/v1/surveys/" + sv.ID + "/pulses", token: adminToken}, 201, &p)
	o.survey, o.pulse = sv.ID, p.ID
	return o
}

// answer answers the pulse as token with every WHO-5 item at v and
// checks that the answer is already projected when acknowledged.
func (o *scoreOrg) answer(t *testing.T, token string, v int, comment string) {
	t.Helper()
	body := fmt.Sprintf(`{"values":{"who5.cheerful":%d,"who5.calm":%d,"who5.active":%d,"who5.rested":%d,"who5.interest":%d}`, v, v, v, v, v)
	if comment != "" {
		body += `,"comment":"` + comment + `"`
	}
	rec := o.s.ok(t, req{method: "POST", path: "/api/v1/surveys/" + o.survey + "/pulses/" + o.pulse + "/answers", token: token, body: body + "}"}, 201, nil)
	if got := rec.Header().Get("Empulse-Projected"); got != "true" {
		t.Fatalf("Empulse-Projected=%q, want true", got)
	}
}

// scores returns team's scores of the fixture's week.
func (o *scoreOrg) scores(t *testing.T, token, team string) teamScoresJSON {
	t.Helper()
	var ts teamScoresJSON
	o.s.ok(t, req{method: "GET", path: "/api/v1/teams/" + team + "/scores?from=2026-W48&to=2026-W48", token: token}, 200, &ts)
	if len(ts.Weeks) != 1 || ts.Weeks[0].Week != "2026-W48" {
		t.Fatalf("weeks=%+v, want 2026-W48 only", ts.Weeks)
	}
	return ts
}

func TestScores_SuppressionAndSubtraction(t *testing.T) {
	t.Parallel()
	o := newScoreOrg(t, map[string]int{"alpha": 5, "beta": 2, "gamma": 3, "delta": 5})
	// Alpha answers 5 (WHO-5 raw 4 each: 80), Beta 2 (raw 1: 20), Gamma
	// 3 (60), Delta 5 (40).
	for team, v := range map[string]int{o.alpha: 4, o.beta: 1, o.gamma: 3, o.delta: 2} {
		for _, tok := range o.tokens[team] {
			o.answer(t, tok, v, "")
		}
	}
	// Read once the week has ended, when every group shows its answers
	// (none has a single one unreleased): Beta's two count, so the
	// subtraction rule has something to protect.
	o.s.mu.Lock()
	o.s.now = t0.AddDate(0, 0, 7)
	o.s.mu.Unlock()
	wb := func(team string) scoreJSON { return o.scores(t, adminToken, team).Weeks[0].Scores["wellbeing"] }

	// Reading the small group directly shows no number.
	beta := wb(o.beta)
	if !beta.Suppressed || beta.Reason != "fewer than k responses" || beta.Value != nil || beta.Respondents != nil {
		t.Errorf("Beta=%+v, want suppressed, fewer than k, no value and no count", beta)
	}
	// Through the parent: Company is shown, but then Alpha or Gamma
	// would give Beta away by subtraction, so the smaller of them
	// (Gamma's subtree has 8, Alpha 5) is withheld too.
	company, alpha, gamma := wb(o.root), wb(o.alpha), wb(o.gamma)
	if company.Suppressed || company.Respondents == nil || *company.Respondents != 15 {
		t.Fatalf("Company=%+v, want shown with 15 respondents", company)
	}
	if !alpha.Suppressed || alpha.Reason != "withheld to protect a smaller group" {
		t.Errorf("Alpha=%+v, want withheld by complementary suppression", alpha)
	}
	if gamma.Suppressed {
		t.Errorf("Gamma=%+v, want shown", gamma)
	}
	// The subtraction attack: everything shown about Company's children
	// must not determine Beta's figure.
	shownN, shownSum := int64(0), 0.0
	hidden := 0
	for _, c := range []scoreJSON{alpha, beta, gamma} {
		if c.Suppressed {
			hidden++
			continue
		}
		shownN += *c.Respondents
		shownSum += *c.Value * float64(*c.Respondents)
	}
	if hidden < 2 {
		t.Fatalf("%d of Company's children hidden, want at least 2: Beta = Company - the others", hidden)
	}
	if rest := *company.Respondents - shownN; rest == 2 {
		t.Errorf("Company - shown children = %d respondents, Beta's exact count", rest)
	}
	if got := (*company.Value*float64(*company.Respondents) - shownSum) / float64(*company.Respondents-shownN); math.Abs(got-20) < 0.5 {
		t.Errorf("subtraction gives %.1f, Beta's exact score", got)
	}
	// Delta (5 >= k) is shown; Gamma's own 3 are not shown apart, and
	// Gamma - Delta is a group of 3 >= k, so nothing more is withheld.
	if d := wb(o.delta); d.Suppressed || *d.Value != 40 {
		t.Errorf("Delta=%+v, want 40", d)
	}
	// Through the heat map: the same figures are withheld.
	var hm heatJSON
	o.s.ok(t, req{method: "GET", path: "/api/v1/scores/heatmap?week=2026-W48&metrics=wellbeing,enps", token: o.analyst}, 200, &hm)
	if len(hm.Rows) != 5 {
		t.Fatalf("heat map has %d rows, want 5", len(hm.Rows))
	}
	for _, row := range hm.Rows {
		want := row.Team == o.alpha || row.Team == o.beta
		if got := row.Scores["wellbeing"].Suppressed; got != want {
			t.Errorf("heat map %s wellbeing suppressed=%v, want %v", row.Team, got, want)
		}
		if e := row.Scores["enps"]; !e.Suppressed || e.Value != nil {
			t.Errorf("heat map %s enps=%+v, want suppressed (no answers)", row.Team, e)
		}
	}
	// The leader of Alpha sees the same withheld Alpha in their heat map.
	o.s.ok(t, req{method: "GET", path: "/api/v1/scores/heatmap?week=2026-W48", token: o.leaderA}, 200, &hm)
	if len(hm.Rows) != 1 || hm.Rows[0].Team != o.alpha || !hm.Rows[0].Scores["wellbeing"].Suppressed {
		t.Errorf("leader's heat map=%+v, want Alpha only, withheld", hm.Rows)
	}
	// The overview: the organisation as a whole is shown, with its
	// exact WHO-5 (raw x 4) mean and share at or below 50.
	var ov struct {
		Teams int `json:"teams"`
		Weeks []struct {
			Scores map[string]scoreJSON `json:"scores"`
		} `json:"weeks"`
	}
	o.s.ok(t, req{method: "GET", path: "/api/v1/scores/overview?from=2026-W48&to=2026-W48", token: o.analyst}, 200, &ov)
	want := (5*80.0 + 2*20 + 3*60 + 5*40) / 15
	if got := ov.Weeks[0].Scores["wellbeing"]; got.Suppressed || math.Abs(*got.Value-math.Round(want*10)/10) > 1e-9 {
		t.Errorf("overview wellbeing=%+v, want %.1f", got, want)
	}
	if got := ov.Weeks[0].Scores["wellbeing_low_share"]; got.Suppressed || math.Abs(*got.Value-math.Round(7.0/15*1000)/10) > 1e-9 {
		t.Errorf("overview low share=%+v, want %.1f", got, 700.0/15)
	}
	if ov.Teams != 5 {
		t.Errorf("overview teams=%d, want 5", ov.Teams)
	}
}

func TestScores_ReadYourWritesAndComments(t *testing.T) {
	t.Parallel()
	o := newScoreOrg(t, map[string]int{"alpha": 12})
	for i, tok := range o.tokens[o.alpha] {
		o.answer(t, tok, 5, fmt.Sprintf("comment %d", i))
		// Each answer is folded the moment it is acknowledged, and shown
		// with the answers released with it: three at a time for k=3
		// (max(3, ceil(k/2))), so that no read gives one answer away.
		answered := i + 1
		released := answered / 3 * 3
		ts := o.scores(t, adminToken, o.alpha)
		wb := ts.Weeks[0].Scores["wellbeing"]
		switch {
		case released < 3 && !wb.Suppressed:
			t.Fatalf("after %d answers wellbeing=%+v, want suppressed", answered, wb)
		case released >= 3 && (wb.Suppressed || *wb.Respondents != int64(released)):
			t.Fatalf("after %d answers wellbeing=%+v, want %d respondents", answered, wb, released)
		}
		c := ts.Weeks[0].Comments
		if released < 10 && (!c.Suppressed || len(c.Items) != 0) {
			t.Fatalf("after %d answers comments=%+v, want suppressed below max(k,10) released", answered, c)
		}
		if released >= 10 && (c.Suppressed || len(c.Items) != released) {
			t.Fatalf("after %d answers comments=%+v, want %d", answered, c, released)
		}
	}
	// The Company shows 12 too, but its comments (all from Alpha) are the
	// same; participation is 12 of the 12 invited Alpha members plus the
	// leader and the analyst who did not answer.
	ts := o.scores(t, o.analyst, o.root)
	if p := ts.Weeks[0].Scores["participation"]; p.Suppressed || math.Abs(*p.Value-math.Round(1200.0/14)/1) > 1 {
		t.Errorf("participation=%+v, want about %.1f", p, 1200.0/14)
	}
	// Comments are shuffled, not in answer order.
	items := ts.Weeks[0].Comments.Items
	inOrder := true
	for i, c := range items {
		inOrder = inOrder && c == fmt.Sprintf("comment %d", i)
	}
	if len(items) != 12 || inOrder {
		t.Errorf("comments=%v, want all 12 shuffled", items)
	}
	// No exact time leaves: nothing in the answer but weeks and days.
	rec := o.s.ok(t, req{method: "GET", path: "/api/v1/teams/" + o.root + "/scores?from=2026-W48&to=2026-W48", token: adminToken}, 200, nil)
	var raw map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if b := rec.Body.String(); containsTime(b) {
		t.Errorf("scores answer contains a timestamp: %s", b)
	}
}

// containsTime reports whether s holds an RFC 3339 time of day.
func containsTime(s string) bool {
	for i := 0; i+9 < len(s); i++ {
		if s[i] == 'T' && s[i+3] == ':' && s[i+6] == ':' {
			return true
		}
	}
	return false
}

func TestScores_AccessAndBadInput(t *testing.T) {
	t.Parallel()
	o := newScoreOrg(t, map[string]int{"alpha": 1, "beta": 1})
	emp := o.tokens[o.alpha][0]
	tests := []struct {
		name, path, token string
		status            int
		field             string
	}{
		{"EmployeeScores", "/api/v1/teams/" + o.alpha + "/scores", emp, 403, ""},
		{"EmployeeHeatMap", "/api/v1/scores/heatmap", emp, 403, ""},
		{"LeaderOutsideSubtree", "/api/v1/teams/" + o.beta + "/scores", o.leaderA, 403, "team"},
		{"LeaderHeatMapOutside", "/api/v1/scores/heatmap?team=" + o.root, o.leaderA, 403, "team"},
		{"LeaderOverview", "/api/v1/scores/overview", o.leaderA, 403, ""},
		{"UnknownTeam", "/api/v1/teams/nope/scores", adminToken, 404, "team"},
		{"BadFrom", "/api/v1/teams/" + o.alpha + "/scores?from=2026-48", adminToken, 400, "from"},
		{"BadTo", "/api/v1/teams/" + o.alpha + "/scores?to=2025-W53", adminToken, 400, "to"},
		{"FromAfterTo", "/api/v1/teams/" + o.alpha + "/scores?from=2026-W50&to=2026-W48", adminToken, 400, "from"},
		{"TooLong", "/api/v1/teams/" + o.alpha + "/scores?from=2020-W01&to=2026-W48", adminToken, 400, "from"},
		{"BadWindow", "/api/v1/teams/" + o.alpha + "/scores?window=0", adminToken, 400, "window"},
		{"BadWeek", "/api/v1/scores/heatmap?week=W48", adminToken, 400, "week"},
		{"BadMetric", "/api/v1/scores/heatmap?metrics=engagement,happiness", adminToken, 400, "metrics"},
		{"LeaderOwn", "/api/v1/teams/" + o.alpha + "/scores", o.leaderA, 200, ""},
		{"AnalystAny", "/api/v1/teams/" + o.beta + "/scores", o.analyst, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, _ := o.s.do(t, req{method: "GET", path: tt.path, token: tt.token})
			if rec.Code != tt.status {
				t.Fatalf("status=%d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status >= 400 {
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
			}
		})
	}
}

func TestMyRecognitions_Received(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.s
	rec := s.ok(t, req{method: "POST", path: "/api/v1/recognitions", token: f.empB,
		body: `{"receiver_id":"` + f.empAID + `","value":"teamwork","message":"thanks for the help"}`}, 201, nil)
	if got := rec.Header().Get("Empulse-Projected"); got != "true" {
		t.Errorf("Empulse-Projected=%q, want true", got)
	}
	type recv struct {
		Received []struct {
			GiverID string `json:"giver_id"`
			Message string `json:"message"`
			Erased  bool   `json:"message_erased"`
		} `json:"received"`
	}
	var got recv
	s.ok(t, req{method: "GET", path: "/api/v1/me/recognitions", token: f.empA}, 200, &got)
	if len(got.Received) != 1 || got.Received[0].GiverID != f.empBID || got.Received[0].Message != "thanks for the help" || got.Received[0].Erased {
		t.Fatalf("received=%+v, want Bob's message", got.Received)
	}
	// Once the giver's key is erased, the message shows as erased.
	if err := s.vault.Delete(context.Background(), f.empBID); err != nil {
		t.Fatal(err)
	}
	got = recv{}
	s.ok(t, req{method: "GET", path: "/api/v1/me/recognitions", token: f.empA}, 200, &got)
	if len(got.Received) != 1 || got.Received[0].Message != "" || !got.Received[0].Erased {
		t.Fatalf("received=%+v, want the message erased", got.Received)
	}
}

func TestScores_ENPSDriversAndTrend(t *testing.T) {
	t.Parallel()
	o := newScoreOrg(t, map[string]int{"alpha": 6})
	var sv idOf
	o.s.ok(t, req{method: "POST", path: "/api/v1/surveys", token: adminToken,
		body: `{"name":"Empowerment","team_id":"` + o.alpha + `","instruments":["enps","empowerment"],"cadence":"weekly","k":3}`}, 201, &sv)
	var p struct {
		ID        string `json:"id"`
		Questions []struct {
			Key string `json:"key"`
		} `json:"questions"`
	}
	o.s.ok(t, req{method: "POST", path: "/api/v1/surveys/" + sv.ID + "/pulses", token: adminToken}, 201, &p)
	// Six answers, two release steps of k=3, so that all are shown while
	// the week is open. eNPS answers 10, 9, 8, 7, 3, 0: 2 promoters, 2
	// detractors of 6 -> 0. Ownership (1-5) answers 1..5 and 3: rescaled
	// 0, 25, 50, 75, 100, 50 -> 50.
	for i, tok := range o.tokens[o.alpha] {
		vals := map[string]int{}
		for _, q := range p.Questions {
			vals[q.Key] = 3
		}
		vals["enps.recommend"] = []int{10, 9, 8, 7, 3, 0}[i]
		vals["empowerment.ownership"] = []int{1, 2, 3, 4, 5, 3}[i]
		body, _ := json.Marshal(map[string]any{"values": vals})
		o.s.ok(t, req{method: "POST", path: "/api/v1/surveys/" + sv.ID + "/pulses/" + p.ID + "/answers", token: tok, body: string(body)}, 201, nil)
	}
	var hm heatJSON
	o.s.ok(t, req{method: "GET", path: "/api/v1/scores/heatmap?team=" + o.alpha + "&week=2026-W48&metrics=enps,driver:ownership,engagement", token: o.leaderA}, 200, &hm)
	if len(hm.Rows) != 1 {
		t.Fatalf("rows=%+v, want Alpha's", hm.Rows)
	}
	scores := hm.Rows[0].Scores
	if e := scores["enps"]; e.Suppressed || *e.Value != 0 || *e.Respondents != 6 {
		t.Errorf("enps=%+v, want 0 from 6", e)
	}
	if d := scores["driver:ownership"]; d.Suppressed || *d.Value != 50 || *d.Respondents != 6 {
		t.Errorf("driver:ownership=%+v, want 50 from 6", d)
	}
	if e := scores["engagement"]; !e.Suppressed {
		t.Errorf("engagement=%+v, want suppressed: no item feeds it", e)
	}
	// The series lists the driver, and the 12-week trend has one point.
	ts := o.scores(t, o.leaderA, o.alpha)
	if _, ok := ts.Weeks[0].Scores["driver:ownership"]; !ok {
		t.Errorf("series scores %v lack driver:ownership", ts.Weeks[0].Scores)
	}
	var full teamScoresJSON
	o.s.ok(t, req{method: "GET", path: "/api/v1/teams/" + o.alpha + "/scores", token: o.leaderA}, 200, &full)
	if len(full.Weeks) != 12 || full.Weeks[11].Week != "2026-W48" || full.Trend["enps"].Points != 1 {
		t.Errorf("default period: %d weeks ending %q, enps trend %+v; want 12 ending 2026-W48 with 1 point",
			len(full.Weeks), full.Weeks[len(full.Weeks)-1].Week, full.Trend["enps"])
	}
}

func TestScores_EngagementAndRecognition(t *testing.T) {
	t.Parallel()
	o := newScoreOrg(t, map[string]int{"alpha": 3, "beta": 1})
	// A custom engagement instrument on 1-7 with one reverse-scored item.
	o.s.ok(t, req{method: "POST", path: "/api/v1/instruments", token: adminToken,
		body: `{"id":"eng","name":"Engagement","scale":{"min":1,"max":7},"items":[` +
			`{"id":"energy","text":{"en":"I am full of energy at work"},"feeds":{"kind":"engagement"}},` +
			`{"id":"drag","text":{"en":"Time drags at work"},"reverse":true,"feeds":{"kind":"engagement"}}]}`}, 201, nil)
	var sv, p idOf
	o.s.ok(t, req{method: "POST", path: "/api/v1/surveys", token: adminToken,
		body: `{"name":"Engagement","team_id":"` + o.alpha + `","instruments":["eng"],"cadence":"weekly","k":3}`}, 201, &sv)
	o.s.ok(t, req{method: "POST", path: "/api/v1/surveys/" + sv.ID + "/pulses", token: adminToken}, 201, &p)
	// energy 7, 4, 1 -> 100, 50, 0; drag (reversed) 1, 1, 7 -> 100, 100, 0.
	for i, tok := range o.tokens[o.alpha] {
		body := fmt.Sprintf(`{"values":{"eng.energy":%d,"eng.drag":%d}}`, []int{7, 4, 1}[i], []int{1, 1, 7}[i])
		o.s.ok(t, req{method: "POST", path: "/api/v1/surveys/" + sv.ID + "/pulses/" + p.ID + "/answers", token: tok, body: body}, 201, nil)
	}
	// Beta's member recognises two of Alpha's.
	var me struct {
		ID string `json:"id"`
	}
	for _, tok := range o.tokens[o.alpha][:2] {
		o.s.ok(t, req{method: "GET", path: "/api/v1/me", token: tok}, 200, &me)
		o.s.ok(t, req{method: "POST", path: "/api/v1/recognitions", token: o.tokens[o.beta][0],
			body: `{"receiver_id":"` + me.ID + `","value":"help","message":"thanks"}`}, 201, nil)
	}
	var hm heatJSON
	o.s.ok(t, req{method: "GET", path: "/api/v1/scores/heatmap?week=2026-W48&metrics=engagement,recognitions_given_per_member,recognitions_received_per_member",
		token: adminToken}, 200, &hm)
	rows := map[string]map[string]scoreJSON{}
	for _, r := range hm.Rows {
		rows[r.Team] = r.Scores
	}
	want := (100 + 50 + 0 + 100 + 100 + 0) / 6.0
	if e := rows[o.alpha]["engagement"]; e.Suppressed || math.Abs(*e.Value-math.Round(want*10)/10) > 1e-9 || *e.Respondents != 3 {
		t.Errorf("Alpha engagement=%+v, want %.1f from 3", e, want)
	}
	// Alpha has 3 employees and its leader: 2 received / 4 members.
	if r := rows[o.alpha]["recognitions_received_per_member"]; r.Suppressed || *r.Value != 0.5 {
		t.Errorf("Alpha received per member=%+v, want 0.5", r)
	}
	if g := rows[o.beta]["recognitions_given_per_member"]; g.Suppressed || *g.Value != 2 {
		t.Errorf("Beta given per member=%+v, want 2", g)
	}
	if g := rows[o.gamma]["recognitions_given_per_member"]; !g.Suppressed || g.Reason != "no members" {
		t.Errorf("Gamma (no members) given per member=%+v, want withheld", g)
	}
}
