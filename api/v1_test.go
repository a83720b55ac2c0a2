package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/api"
)

func TestOpenAPI_Served(t *testing.T) {
	t.Parallel()
	s := newServer(t, api.RateLimit{})
	rec := s.ok(t, req{method: "GET", path: "/api/v1/openapi.json"}, 200, nil)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("load served document: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("served document invalid: %v", err)
	}
	for _, path := range []string{"/teams", "/members", "/surveys", "/surveys/{survey}/pulses", "/surveys/{survey}/pulses/{pulse}/close",
		"/surveys/{survey}/pulses/{pulse}/answers", "/me/pulses", "/recognitions", "/instruments",
		"/teams/{team}/scores", "/scores/heatmap", "/scores/overview", "/me/recognitions"} {
		if doc.Paths.Find(path) == nil {
			t.Errorf("document lacks %s", path)
		}
	}
}

func TestAPI_Flow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.s

	// Teams and members as each role sees them.
	var teams struct {
		Teams []idOf `json:"teams"`
	}
	s.ok(t, req{method: "GET", path: "/api/v1/teams", token: f.leaderA}, 200, &teams)
	if len(teams.Teams) != 1 || teams.Teams[0].ID != f.alpha {
		t.Errorf("leader of Alpha sees teams %v, want only Alpha", teams.Teams)
	}
	s.ok(t, req{method: "GET", path: "/api/v1/teams", token: f.analyst}, 200, &teams)
	if len(teams.Teams) != 3 {
		t.Errorf("analyst sees %d teams, want 3", len(teams.Teams))
	}
	s.ok(t, req{method: "GET", path: "/api/v1/teams/" + f.alpha, token: f.empA}, 200, nil)
	var me struct {
		Name, Email string
		TeamID      string `json:"team_id"`
	}
	s.ok(t, req{method: "GET", path: "/api/v1/me", token: f.empA}, 200, &me)
	if me.Name != "alice" || me.Email != "alice@example.org" || me.TeamID != f.alpha {
		t.Errorf("me=%+v", me)
	}
	s.ok(t, req{method: "GET", path: "/api/v1/members/" + f.empAID, token: f.leaderA}, 200, nil)
	var members struct {
		Members []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"members"`
	}
	s.ok(t, req{method: "GET", path: "/api/v1/members", token: adminToken}, 200, &members)
	if len(members.Members) != 4 || members.Members[0].Name != "lea" {
		t.Errorf("admin lists members %+v, want the 4, lea first", members.Members)
	}
	s.ok(t, req{method: "GET", path: "/api/v1/members", token: f.leaderA}, 200, &members)
	if len(members.Members) != 2 {
		t.Errorf("leader of Alpha lists %d members, want 2 (Alpha's)", len(members.Members))
	}

	// A leader adds an employee to their team and gets the token once.
	var cm struct {
		Member struct {
			ID   string `json:"id"`
			Role string `json:"role"`
		} `json:"member"`
		Token string `json:"token"`
		Link  string `json:"link"`
	}
	rec := s.ok(t, req{method: "POST", path: "/api/v1/members", token: f.leaderA,
		body: `{"name":"Carl","email":"carl@example.org","team_id":"` + f.alpha + `"}`}, 201, &cm)
	if cm.Member.Role != "employee" || !strings.HasPrefix(cm.Token, "emp_") || cm.Link != "http://empulse.test/pulse#token="+cm.Token {
		t.Errorf("created member=%+v", cm)
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control=%q, want no-store on the token response", got)
	}

	// Instruments: bundled and custom.
	s.ok(t, req{method: "POST", path: "/api/v1/instruments", token: adminToken,
		body: `{"id":"focus","name":"Focus","scale":{"min":1,"max":7},"items":[{"id":"deep","text":{"en":"I can work without interruptions","nl":"Ik kan ongestoord werken"},"reverse":false,"feeds":{"kind":"driver","driver":"focus"}}]}`}, 201, nil)
	var insts struct {
		Instruments []idOf `json:"instruments"`
	}
	s.ok(t, req{method: "GET", path: "/api/v1/instruments", token: f.empA}, 200, &insts)
	if len(insts.Instruments) != 5 || insts.Instruments[4].ID != "focus" {
		t.Errorf("instruments=%v, want who5, enps, empowerment, engagement, focus", insts.Instruments)
	}
	s.ok(t, req{method: "GET", path: "/api/v1/instruments/who5", token: f.empA}, 200, nil)

	// Surveys: k can change until the first pulse.
	var sv struct {
		ID      string `json:"id"`
		K       int    `json:"k"`
		KLocked bool   `json:"k_locked"`
	}
	s.ok(t, req{method: "POST", path: "/api/v1/surveys", token: f.leaderA,
		body: `{"name":"Focus","team_id":"` + f.alpha + `","instruments":["focus","empowerment"],"cadence":"monthly","k":4,"questions_per_pulse":3,"starts_at":"2026-12-01T09:00:00Z"}`}, 201, &sv)
	s.ok(t, req{method: "PATCH", path: "/api/v1/surveys/" + sv.ID, token: f.leaderA, body: `{"k":6}`}, 200, &sv)
	if sv.K != 6 || sv.KLocked {
		t.Errorf("after PATCH k: %+v, want k 6 unlocked", sv)
	}
	var list struct {
		Surveys []idOf `json:"surveys"`
	}
	s.ok(t, req{method: "GET", path: "/api/v1/surveys", token: f.leaderA}, 200, &list)
	if len(list.Surveys) != 3 {
		t.Errorf("leader of Alpha sees %d surveys, want 3 (Alpha's)", len(list.Surveys))
	}
	s.ok(t, req{method: "GET", path: "/api/v1/surveys", token: f.analyst}, 200, &list)
	if len(list.Surveys) != 4 {
		t.Errorf("analyst sees %d surveys, want 4", len(list.Surveys))
	}
	s.ok(t, req{method: "GET", path: "/api/v1/surveys/" + f.surveyA, token: f.analyst}, 200, nil)

	// The employee's pulses and answer, with an idempotent retry.
	var mine struct {
		Pulses []struct {
			PulseID  string `json:"pulse_id"`
			Answered bool   `json:"answered"`
		} `json:"pulses"`
	}
	s.ok(t, req{method: "GET", path: "/api/v1/me/pulses", token: f.empA}, 200, &mine)
	if len(mine.Pulses) != 1 || mine.Pulses[0].PulseID != f.pulseA || mine.Pulses[0].Answered {
		t.Fatalf("my pulses=%+v, want pulse A unanswered", mine)
	}
	answer := req{method: "POST", path: "/api/v1/surveys/" + f.surveyA + "/pulses/" + f.pulseA + "/answers", token: f.empA,
		body: `{"values":{"` + f.questionA + `":4},"comment":"All good"}`, header: map[string]string{"Idempotency-Key": "try-1"}}
	first := s.ok(t, answer, 201, nil).Body.String()
	head := s.head(t)
	answer.body = `{"values":{"` + f.questionA + `":1}}`
	if again := s.ok(t, answer, 201, nil).Body.String(); again != first {
		t.Errorf("retry with the same Idempotency-Key answered %s, want the first response %s", again, first)
	}
	delete(answer.header, "Idempotency-Key")
	s.ok(t, answer, 409, nil)
	if got := s.head(t); got != head {
		t.Errorf("retry and second answer moved the head from %v to %v", head, got)
	}
	s.ok(t, req{method: "GET", path: "/api/v1/me/pulses", token: f.empA}, 200, &mine)
	if !mine.Pulses[0].Answered {
		t.Errorf("pulse not marked answered")
	}

	// Closing, recognition.
	s.ok(t, req{method: "POST", path: "/api/v1/surveys/" + f.surveyA + "/pulses/" + f.pulseA + "/close", token: f.leaderA}, 200, nil)
	s.ok(t, req{method: "POST", path: "/api/v1/recognitions", token: f.empA,
		body: `{"receiver_id":"` + f.empBID + `","value":"helpfulness","message":"Thanks for the review"}`}, 201, nil)
	var given struct {
		Remaining int `json:"remaining"`
		Given     []struct {
			Message string `json:"message"`
		} `json:"given"`
	}
	s.ok(t, req{method: "GET", path: "/api/v1/me/recognitions", token: f.empA}, 200, &given)
	if given.Remaining != 9 || len(given.Given) != 1 || given.Given[0].Message != "Thanks for the review" {
		t.Errorf("my recognitions=%+v", given)
	}
	s.ok(t, req{method: "GET", path: "/api/v1/me/recognitions?week=2026-W01", token: f.empA}, 200, &given)
	if len(given.Given) != 0 {
		t.Errorf("week 1 holds %d recognitions, want 0", len(given.Given))
	}

	// Moving a member, then changing a role.
	s.ok(t, req{method: "PATCH", path: "/api/v1/members/" + f.empAID, token: adminToken, body: `{"team_id":"` + f.beta + `"}`}, 200, nil)
	s.ok(t, req{method: "PATCH", path: "/api/v1/members/" + f.empAID, token: adminToken, body: `{"role":"leader"}`}, 200, nil)
}

func TestAPI_RateLimit(t *testing.T) {
	t.Parallel()
	s := newServer(t, api.RateLimit{PerSecond: 1, Burst: 2})
	r := req{method: "GET", path: "/api/v1/teams", token: adminToken}
	s.ok(t, r, 200, nil)
	s.ok(t, r, 200, nil)
	rec := s.ok(t, r, 429, nil)
	if rec.Header().Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	s.ok(t, req{method: "GET", path: "/api/v1/teams", token: "another-token"}, 401, nil)
	s.mu.Lock()
	s.now = s.now.Add(time.Second)
	s.mu.Unlock()
	s.ok(t, r, 200, nil)
}

// errorBody is the error response.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"error"`
}

func TestAPI_BadInputChangesNothing(t *testing.T) {
	f := newFixture(t)
	s := f.s
	ansPath := "/api/v1/surveys/" + f.surveyA + "/pulses/" + f.pulseA + "/answers"
	ansBPath := "/api/v1/surveys/" + f.surveyB + "/pulses/" + f.pulseB + "/answers"
	big := `{"name":"` + strings.Repeat("x", 600<<10) + `"}` // over every limit
	q := f.questionA

	// Every endpoint that takes a body, with a valid body and a token that
	// may use it.
	writes := []struct {
		name, method, path, token, body string
	}{
		{"CreateTeam", "POST", "/api/v1/teams", adminToken, `{"name":"Gamma"}`},
		{"CreateMember", "POST", "/api/v1/members", adminToken, `{"name":"Dan","email":"dan@example.org","team_id":"` + f.alpha + `"}`},
		{"PatchMember", "PATCH", "/api/v1/members/" + f.empAID, adminToken, `{"role":"leader"}`},
		{"DefineInstrument", "POST", "/api/v1/instruments", adminToken, `{"id":"x","name":"X","scale":{"min":0,"max":4},"items":[{"id":"a","text":{"en":"A"},"feeds":{"kind":"engagement"}}]}`},
		{"CreateSurvey", "POST", "/api/v1/surveys", adminToken, `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5"],"cadence":"weekly"}`},
		{"PatchSurvey", "PATCH", "/api/v1/surveys/" + f.surveyC, adminToken, `{"k":7}`},
		{"OpenPulse", "POST", "/api/v1/surveys/" + f.surveyC + "/pulses", adminToken, `{}`},
		{"Answer", "POST", ansPath, f.empA, `{"values":{"` + q + `":3}}`},
		{"ClosePulse", "POST", "/api/v1/surveys/" + f.surveyA + "/pulses/" + f.pulseA + "/close", adminToken, `{}`},
		{"Recognize", "POST", "/api/v1/recognitions", f.empA, `{"receiver_id":"` + f.empBID + `","value":"care","message":"Thanks"}`},
	}
	type tcase struct {
		name       string
		r          req
		wantStatus int
		wantField  string
		// specRefuses is set where the OpenAPI document must refuse the
		// request too, so that it is as strict as the server.
		specRefuses bool
	}
	var cases []tcase
	for _, w := range writes {
		r := req{method: w.method, path: w.path, token: w.token, body: w.body}
		withBody := func(b string) req { x := r; x.body = b; return x }
		withToken := func(tok string) req { x := r; x.token = tok; return x }
		unknown := strings.Replace(w.body, "{", `{"colour":"red",`, 1)
		if w.body == "{}" {
			unknown = `{"colour":"red"}`
		}
		cases = append(cases,
			tcase{w.name + "/MissingToken", withToken(""), 401, "Authorization", false},
			tcase{w.name + "/WrongToken", withToken("emp_wrong"), 401, "", false},
			tcase{w.name + "/MalformedJSON", withBody(`{"name":`), 400, "body", true},
			tcase{w.name + "/NotAnObject", withBody(`[1,2]`), 400, "body", true},
			tcase{w.name + "/TwoObjects", withBody(w.body + w.body), 400, "body", false},
			tcase{w.name + "/UnknownField", withBody(unknown), 400, "colour", true},
			tcase{w.name + "/Oversized", withBody(big), 413, "body", false},
		)
	}
	for _, path := range []string{"/api/v1/teams", "/api/v1/teams/" + f.alpha, "/api/v1/members", "/api/v1/members/" + f.empAID,
		"/api/v1/instruments", "/api/v1/instruments/who5", "/api/v1/surveys", "/api/v1/surveys/" + f.surveyA,
		"/api/v1/me", "/api/v1/me/pulses", "/api/v1/me/recognitions"} {
		cases = append(cases,
			tcase{"GET " + path + "/MissingToken", req{method: "GET", path: path}, 401, "Authorization", false},
			tcase{"GET " + path + "/WrongToken", req{method: "GET", path: path, token: "emp_wrong"}, 401, "", false},
			tcase{"GET " + path + "/BasicAuth", req{method: "GET", path: path, header: map[string]string{"Authorization": "Basic YTpi"}}, 401, "Authorization", false},
		)
	}
	cases = append(cases, []tcase{
		// Wrong types.
		{"CreateTeam/NameNumber", req{method: "POST", path: "/api/v1/teams", token: adminToken, body: `{"name":42}`}, 400, "name", true},
		{"CreateMember/EmailArray", req{method: "POST", path: "/api/v1/members", token: adminToken, body: `{"name":"D","email":["d@x.org"],"team_id":"` + f.alpha + `"}`}, 400, "email", true},
		{"CreateSurvey/KString", req{method: "POST", path: "/api/v1/surveys", token: adminToken, body: `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5"],"cadence":"weekly","k":"five"}`}, 400, "k", true},
		{"CreateSurvey/StartsAtNotTime", req{method: "POST", path: "/api/v1/surveys", token: adminToken, body: `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5"],"cadence":"weekly","starts_at":"tomorrow"}`}, 400, "starts_at", false},
		{"PatchSurvey/KFloat", req{method: "PATCH", path: "/api/v1/surveys/" + f.surveyB, token: adminToken, body: `{"k":4.5}`}, 400, "k", true},
		{"Answer/ValueString", req{method: "POST", path: ansPath, token: f.empA, body: `{"values":{"` + q + `":"4"}}`}, 400, "values." + q, true},
		{"Answer/ValueHuge", req{method: "POST", path: ansPath, token: f.empA, body: `{"values":{"` + q + `":1e30}}`}, 400, "values." + q, false},
		{"Answer/CommentNumber", req{method: "POST", path: ansPath, token: f.empA, body: `{"values":{"` + q + `":3},"comment":7}`}, 400, "comment", true},
		{"Recognize/ReceiverNumber", req{method: "POST", path: "/api/v1/recognitions", token: f.empA, body: `{"receiver_id":1,"value":"care","message":"x"}`}, 400, "receiver_id", true},
		{"DefineInstrument/ScaleString", req{method: "POST", path: "/api/v1/instruments", token: adminToken, body: `{"id":"x","name":"X","scale":{"min":"0","max":4},"items":[]}`}, 400, "scale.min", true},
		// Out of range.
		{"CreateTeam/EmptyName", req{method: "POST", path: "/api/v1/teams", token: adminToken, body: `{"name":""}`}, 400, "name", true},
		{"CreateTeam/LongName", req{method: "POST", path: "/api/v1/teams", token: adminToken, body: `{"name":"` + strings.Repeat("x", 101) + `"}`}, 400, "name", true},
		{"CreateMember/BadEmail", req{method: "POST", path: "/api/v1/members", token: adminToken, body: `{"name":"D","email":"nope","team_id":"` + f.alpha + `"}`}, 400, "email", false},
		{"CreateMember/BadRole", req{method: "POST", path: "/api/v1/members", token: adminToken, body: `{"name":"D","email":"d@x.org","team_id":"` + f.alpha + `","role":"king"}`}, 400, "role", true},
		{"PatchMember/Both", req{method: "PATCH", path: "/api/v1/members/" + f.empAID, token: adminToken, body: `{"role":"leader","team_id":"` + f.beta + `"}`}, 400, "body", true},
		{"PatchMember/Neither", req{method: "PATCH", path: "/api/v1/members/" + f.empAID, token: adminToken, body: `{}`}, 400, "body", true},
		{"CreateSurvey/KTwo", req{method: "POST", path: "/api/v1/surveys", token: adminToken, body: `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5"],"cadence":"weekly","k":2}`}, 400, "k", true},
		{"CreateSurvey/KZero", req{method: "POST", path: "/api/v1/surveys", token: adminToken, body: `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5"],"cadence":"weekly","k":0}`}, 400, "k", true},
		{"CreateSurvey/YearZero", req{method: "POST", path: "/api/v1/surveys", token: adminToken, body: `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5"],"cadence":"weekly","starts_at":"0000-01-01T00:00:00Z"}`}, 400, "starts_at", false},
		{"CreateSurvey/ZeroTime", req{method: "POST", path: "/api/v1/surveys", token: adminToken, body: `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5"],"cadence":"weekly","starts_at":"0001-01-01T00:00:00Z"}`}, 400, "starts_at", false},
		{"CreateSurvey/OneDigitHour", req{method: "POST", path: "/api/v1/surveys", token: adminToken, body: `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5"],"cadence":"weekly","starts_at":"2026-12-01T9:00:00Z"}`}, 400, "starts_at", true},
		{"CreateSurvey/SixQuestions", req{method: "POST", path: "/api/v1/surveys", token: adminToken, body: `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5"],"cadence":"weekly","questions_per_pulse":6}`}, 400, "questions_per_pulse", true},
		{"CreateSurvey/Daily", req{method: "POST", path: "/api/v1/surveys", token: adminToken, body: `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5"],"cadence":"daily"}`}, 400, "cadence", true},
		{"CreateSurvey/NoInstruments", req{method: "POST", path: "/api/v1/surveys", token: adminToken, body: `{"name":"S","team_id":"` + f.alpha + `","instruments":[],"cadence":"weekly"}`}, 400, "instruments", true},
		{"PatchSurvey/KLocked", req{method: "PATCH", path: "/api/v1/surveys/" + f.surveyA, token: adminToken, body: `{"k":7}`}, 409, "k", false},
		{"PatchSurvey/KMissing", req{method: "PATCH", path: "/api/v1/surveys/" + f.surveyA, token: adminToken, body: `{}`}, 400, "k", true},
		{"OpenPulse/AlreadyOpen", req{method: "POST", path: "/api/v1/surveys/" + f.surveyA + "/pulses", token: adminToken}, 409, "", false},
		{"Answer/AboveScale", req{method: "POST", path: ansPath, token: f.empA, body: `{"values":{"` + q + `":99}}`}, 400, "values." + q, false},
		{"Answer/BelowScale", req{method: "POST", path: ansPath, token: f.empA, body: `{"values":{"` + q + `":-1}}`}, 400, "values." + q, false},
		{"Answer/NotAsked", req{method: "POST", path: ansPath, token: f.empA, body: `{"values":{"who5.nope":1}}`}, 400, "values.who5.nope", false},
		{"Answer/NoValues", req{method: "POST", path: ansPath, token: f.empA, body: `{"values":{}}`}, 400, "values", true},
		{"Answer/LongComment", req{method: "POST", path: ansPath, token: f.empA, body: `{"values":{"` + q + `":3},"comment":"` + strings.Repeat("é", 2001) + `"}`}, 400, "comment", true},
		{"Answer/BadIdempotencyKey", req{method: "POST", path: ansPath, token: f.empA, body: `{"values":{"` + q + `":3}}`, header: map[string]string{"Idempotency-Key": strings.Repeat("k", 201)}}, 400, "Idempotency-Key", true},
		{"Recognize/Self", req{method: "POST", path: "/api/v1/recognitions", token: f.empA, body: `{"receiver_id":"` + f.empAID + `","value":"care","message":"me"}`}, 400, "receiver_id", false},
		{"Recognize/BadValue", req{method: "POST", path: "/api/v1/recognitions", token: f.empA, body: `{"receiver_id":"` + f.empBID + `","value":"Great Work!","message":"x"}`}, 400, "value", true},
		{"Recognize/LongMessage", req{method: "POST", path: "/api/v1/recognitions", token: f.empA, body: `{"receiver_id":"` + f.empBID + `","value":"care","message":"` + strings.Repeat("x", 1001) + `"}`}, 400, "message", true},
		{"MyRecognitions/BadWeek", req{method: "GET", path: "/api/v1/me/recognitions?week=48", token: f.empA}, 400, "week", true},
		{"DefineInstrument/Bundled", req{method: "POST", path: "/api/v1/instruments", token: adminToken, body: `{"id":"y","name":"Y","bundled":true,"scale":{"min":0,"max":4},"items":[{"id":"a","text":{"en":"A"},"feeds":{"kind":"engagement"}}]}`}, 400, "bundled", false},
		{"DefineInstrument/TakenID", req{method: "POST", path: "/api/v1/instruments", token: adminToken, body: `{"id":"who5","name":"Y","scale":{"min":0,"max":4},"items":[{"id":"a","text":{"en":"A"},"feeds":{"kind":"engagement"}}]}`}, 409, "id", false},
		{"DefineInstrument/BadFeed", req{method: "POST", path: "/api/v1/instruments", token: adminToken, body: `{"id":"y","name":"Y","scale":{"min":0,"max":4},"items":[{"id":"a","text":{"en":"A"},"feeds":{"kind":"joy"}}]}`}, 400, "items[0].feeds.kind", false},
		// Unknown ids.
		{"CreateTeam/UnknownParent", req{method: "POST", path: "/api/v1/teams", token: adminToken, body: `{"name":"G","parent_id":"nope"}`}, 404, "parent_id", false},
		{"GetTeam/Unknown", req{method: "GET", path: "/api/v1/teams/nope", token: adminToken}, 404, "team", false},
		{"CreateMember/UnknownTeam", req{method: "POST", path: "/api/v1/members", token: adminToken, body: `{"name":"D","email":"d@x.org","team_id":"nope"}`}, 404, "team_id", false},
		{"GetMember/Unknown", req{method: "GET", path: "/api/v1/members/nope", token: adminToken}, 404, "member", false},
		{"PatchMember/Unknown", req{method: "PATCH", path: "/api/v1/members/nope", token: adminToken, body: `{"role":"leader"}`}, 404, "member", false},
		{"PatchMember/UnknownTeam", req{method: "PATCH", path: "/api/v1/members/" + f.empAID, token: adminToken, body: `{"team_id":"nope"}`}, 404, "team_id", false},
		{"GetInstrument/Unknown", req{method: "GET", path: "/api/v1/instruments/nope", token: adminToken}, 404, "instrument", false},
		{"CreateSurvey/UnknownTeam", req{method: "POST", path: "/api/v1/surveys", token: adminToken, body: `{"name":"S","team_id":"nope","instruments":["who5"],"cadence":"weekly"}`}, 404, "team_id", false},
		{"CreateSurvey/UnknownInstrument", req{method: "POST", path: "/api/v1/surveys", token: adminToken, body: `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5","uwes"],"cadence":"weekly"}`}, 404, "instruments[1]", false},
		{"GetSurvey/Unknown", req{method: "GET", path: "/api/v1/surveys/nope", token: adminToken}, 404, "survey", false},
		{"PatchSurvey/Unknown", req{method: "PATCH", path: "/api/v1/surveys/nope", token: adminToken, body: `{"k":5}`}, 404, "survey", false},
		{"OpenPulse/UnknownSurvey", req{method: "POST", path: "/api/v1/surveys/nope/pulses", token: adminToken}, 404, "survey", false},
		{"ClosePulse/UnknownPulse", req{method: "POST", path: "/api/v1/surveys/" + f.surveyA + "/pulses/nope/close", token: adminToken}, 404, "pulse", false},
		{"Answer/UnknownSurvey", req{method: "POST", path: "/api/v1/surveys/nope/pulses/" + f.pulseA + "/answers", token: f.empA, body: `{"values":{"` + q + `":3}}`}, 404, "survey", false},
		{"Answer/UnknownPulse", req{method: "POST", path: "/api/v1/surveys/" + f.surveyA + "/pulses/nope/answers", token: f.empA, body: `{"values":{"` + q + `":3}}`}, 404, "pulse", false},
		{"Recognize/UnknownReceiver", req{method: "POST", path: "/api/v1/recognitions", token: f.empA, body: `{"receiver_id":"nope","value":"care","message":"x"}`}, 404, "receiver_id", false},
		{"GetSurvey/NotAnID", req{method: "GET", path: "/api/v1/surveys/$all", token: adminToken}, 404, "survey", false},
		{"Answer/PulseNotAnID", req{method: "POST", path: "/api/v1/surveys/" + f.surveyA + "/pulses/$all/answers", token: f.empA, body: `{"values":{"` + q + `":3}}`}, 404, "pulse", false},
		{"NoSuchEndpoint", req{method: "GET", path: "/api/v1/nope", token: adminToken}, 404, "", false},
		// Ids from another team, and roles.
		{"CreateTeam/LeaderUnderOtherTeam", req{method: "POST", path: "/api/v1/teams", token: f.leaderA, body: `{"name":"G","parent_id":"` + f.beta + `"}`}, 403, "parent_id", false},
		{"CreateTeam/Employee", req{method: "POST", path: "/api/v1/teams", token: f.empA, body: `{"name":"G","parent_id":"` + f.alpha + `"}`}, 403, "parent_id", false},
		{"GetTeam/EmployeeOtherTeam", req{method: "GET", path: "/api/v1/teams/" + f.beta, token: f.empA}, 403, "team", false},
		{"CreateMember/LeaderOtherTeam", req{method: "POST", path: "/api/v1/members", token: f.leaderA, body: `{"name":"D","email":"d@x.org","team_id":"` + f.beta + `"}`}, 403, "team_id", false},
		{"CreateMember/LeaderMakesAdmin", req{method: "POST", path: "/api/v1/members", token: f.leaderA, body: `{"name":"D","email":"d@x.org","team_id":"` + f.alpha + `","role":"admin"}`}, 403, "role", false},
		{"CreateMember/Analyst", req{method: "POST", path: "/api/v1/members", token: f.analyst, body: `{"name":"D","email":"d@x.org","team_id":"` + f.alpha + `"}`}, 403, "", false},
		{"GetMember/LeaderOtherTeam", req{method: "GET", path: "/api/v1/members/" + f.empBID, token: f.leaderA}, 403, "member", false},
		{"GetMember/Analyst", req{method: "GET", path: "/api/v1/members/" + f.empAID, token: f.analyst}, 403, "member", false},
		{"PatchMember/LeaderOtherTeam", req{method: "PATCH", path: "/api/v1/members/" + f.empBID, token: f.leaderA, body: `{"team_id":"` + f.alpha + `"}`}, 403, "member", false},
		{"PatchMember/LeaderToOtherTeam", req{method: "PATCH", path: "/api/v1/members/" + f.empAID, token: f.leaderA, body: `{"team_id":"` + f.beta + `"}`}, 403, "team_id", false},
		{"PatchMember/LeaderRole", req{method: "PATCH", path: "/api/v1/members/" + f.empAID, token: f.leaderA, body: `{"role":"leader"}`}, 403, "", false},
		{"DefineInstrument/Leader", req{method: "POST", path: "/api/v1/instruments", token: f.leaderA, body: `{"id":"z","name":"Z","scale":{"min":0,"max":4},"items":[{"id":"a","text":{"en":"A"},"feeds":{"kind":"engagement"}}]}`}, 403, "", false},
		{"CreateSurvey/LeaderOtherTeam", req{method: "POST", path: "/api/v1/surveys", token: f.leaderA, body: `{"name":"S","team_id":"` + f.beta + `","instruments":["who5"],"cadence":"weekly"}`}, 403, "team_id", false},
		{"CreateSurvey/Analyst", req{method: "POST", path: "/api/v1/surveys", token: f.analyst, body: `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5"],"cadence":"weekly"}`}, 403, "", false},
		{"ListMembers/Employee", req{method: "GET", path: "/api/v1/members", token: f.empA}, 403, "", false},
		{"ListMembers/Analyst", req{method: "GET", path: "/api/v1/members", token: f.analyst}, 403, "", false},
		{"ListSurveys/Employee", req{method: "GET", path: "/api/v1/surveys", token: f.empA}, 403, "", false},
		{"GetSurvey/LeaderOtherTeam", req{method: "GET", path: "/api/v1/surveys/" + f.surveyB, token: f.leaderA}, 403, "survey", false},
		{"GetSurvey/Employee", req{method: "GET", path: "/api/v1/surveys/" + f.surveyA, token: f.empA}, 403, "survey", false},
		{"PatchSurvey/LeaderOtherTeam", req{method: "PATCH", path: "/api/v1/surveys/" + f.surveyB, token: f.leaderA, body: `{"k":5}`}, 403, "survey", false},
		{"ClosePulse/LeaderOtherTeam", req{method: "POST", path: "/api/v1/surveys/" + f.surveyB + "/pulses/" + f.pulseB + "/close", token: f.leaderA}, 403, "survey", false},
		{"ClosePulse/Employee", req{method: "POST", path: "/api/v1/surveys/" + f.surveyA + "/pulses/" + f.pulseA + "/close", token: f.empA}, 403, "survey", false},
		{"Answer/OtherTeamsPulse", req{method: "POST", path: ansBPath, token: f.empA, body: `{"values":{"` + q + `":3}}`}, 403, "pulse", false},
		{"Answer/PulseOfOtherSurvey", req{method: "POST", path: "/api/v1/surveys/" + f.surveyA + "/pulses/" + f.pulseB + "/answers", token: f.empA, body: `{"values":{"` + q + `":3}}`}, 404, "pulse", false},
		{"Answer/AdminToken", req{method: "POST", path: ansPath, token: adminToken, body: `{"values":{"` + q + `":3}}`}, 403, "", false},
		{"MyPulses/AdminToken", req{method: "GET", path: "/api/v1/me/pulses", token: adminToken}, 403, "", false},
		{"Recognize/AdminToken", req{method: "POST", path: "/api/v1/recognitions", token: adminToken, body: `{"receiver_id":"` + f.empBID + `","value":"care","message":"x"}`}, 403, "", false},
	}...)

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := s.head(t)
			rec, specErr := s.do(t, tc.r)
			if tc.specRefuses && specErr == nil {
				t.Errorf("the OpenAPI document accepts this request; the server refuses it")
			}
			if rec.Code != tc.wantStatus {
				t.Fatalf("status=%d, want %d; body %s", rec.Code, tc.wantStatus, rec.Body)
			}
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Message == "" {
				t.Fatalf("body %s is not an error with a message (%v)", rec.Body, err)
			}
			if tc.wantField != "" && body.Error.Field != tc.wantField {
				t.Errorf("field=%q, want %q (%s)", body.Error.Field, tc.wantField, body.Error.Message)
			}
			if after := s.head(t); after != before {
				t.Errorf("head moved from %v to %v: a refused request wrote events", before, after)
			}
		})
	}

	// The valid requests go through, so the cases above failed for the
	// reason they name.
	for _, w := range writes {
		rec, _ := s.do(t, req{method: w.method, path: w.path, token: w.token, body: w.body})
		if rec.Code >= 400 {
			t.Errorf("%s with a valid body: status %d %s", w.name, rec.Code, rec.Body)
		}
	}
}

// TestOpenAPI_MatchesRoutes checks that the document describes exactly the
// routes the router serves under /api/v1.
func TestOpenAPI_MatchesRoutes(t *testing.T) {
	t.Parallel()
	s := newServer(t, api.RateLimit{})
	engine, ok := s.h.(*gin.Engine)
	if !ok {
		t.Fatalf("NewRouter returned %T, want *gin.Engine", s.h)
	}
	served := map[string]bool{}
	for _, r := range engine.Routes() {
		path, found := strings.CutPrefix(r.Path, "/api/v1")
		if !found {
			continue
		}
		parts := strings.Split(path, "/")
		for i, p := range parts {
			if strings.HasPrefix(p, ":") {
				parts[i] = "{" + p[1:] + "}"
			}
		}
		served[r.Method+" "+strings.Join(parts, "/")] = true
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for op := range served {
		if !documented[op] {
			t.Errorf("%s is served but not documented", op)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("%s is documented but not served", op)
		}
	}
	if len(served) < 20 {
		t.Errorf("only %d routes served under /api/v1", len(served))
	}
}
