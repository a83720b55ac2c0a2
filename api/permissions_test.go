package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/empulse/empulse/api"
)

// The callers of the permission matrix: the bootstrap admin, the leader of
// Alpha, the analyst, and Alpha's employee. Every request is made once for
// a resource of the caller's own side (Alpha) and once for the other side
// (Beta).
var callers = []string{"admin", "leader", "analyst", "employee"}

// scope says which side of the fixture a request touches.
type scope int

const (
	own   scope = iota // Alpha: the leader's and the employee's team
	other              // Beta
)

func (s scope) String() string { return [...]string{"own", "other"}[s] }

// want is a caller's expected status on the own and the other side.
type want [2]int

// same is the same status on both sides.
func same(status int) want { return want{status, status} }

// permission is one row of the matrix: an operation of the OpenAPI
// document, a request for it on either side, and each caller's status.
// Mutating rows get a fresh fixture per request, so that one caller's
// change cannot decide another's status.
type permission struct {
	method, path string // as in the OpenAPI document
	mutates      bool
	request      func(f *fixture, s scope) (path, body string)
	want         map[string]want
}

// seq numbers unique names and e-mails across the matrix.
var seq atomic.Int64

// side returns a when s is own, b otherwise.
func side[T any](s scope, a, b T) T {
	if s == own {
		return a
	}
	return b
}

// permissions is the matrix: every endpoint x every role x own or other
// team (issue 9, point 4). TestPermissions_CoverOpenAPI keeps it in step
// with the OpenAPI document.
var permissions = []permission{
	{"POST", "/teams", true, func(f *fixture, s scope) (string, string) {
		return "/api/v1/teams", `{"name":"New","parent_id":"` + side(s, f.alpha, f.beta) + `"}`
	}, map[string]want{"admin": same(201), "leader": {201, 403}, "analyst": same(403), "employee": same(403)}},
	{"GET", "/teams", false, func(f *fixture, s scope) (string, string) { return "/api/v1/teams", "" },
		map[string]want{"admin": same(200), "leader": same(200), "analyst": same(200), "employee": same(200)}},
	{"GET", "/teams/{team}", false, func(f *fixture, s scope) (string, string) { return "/api/v1/teams/" + side(s, f.alpha, f.beta), "" },
		map[string]want{"admin": same(200), "leader": {200, 403}, "analyst": same(200), "employee": {200, 403}}},
	{"GET", "/members", false, func(f *fixture, s scope) (string, string) { return "/api/v1/members", "" },
		map[string]want{"admin": same(200), "leader": same(200), "analyst": same(403), "employee": same(403)}},
	{"POST", "/members", true, func(f *fixture, s scope) (string, string) {
		n := seq.Add(1)
		return "/api/v1/members", fmt.Sprintf(`{"name":"n%d","email":"n%d@example.org","team_id":"%s"}`, n, n, side(s, f.alpha, f.beta))
	}, map[string]want{"admin": same(201), "leader": {201, 403}, "analyst": same(403), "employee": same(403)}},
	{"GET", "/members/{member}", false, func(f *fixture, s scope) (string, string) {
		return "/api/v1/members/" + side(s, f.empAID, f.empBID), ""
	}, map[string]want{"admin": same(200), "leader": {200, 403}, "analyst": same(403), "employee": {200, 403}}},
	{"GET", "/directory", false, func(f *fixture, s scope) (string, string) { return "/api/v1/directory", "" },
		map[string]want{"admin": same(200), "leader": same(200), "analyst": same(200), "employee": same(200)}},
	{"PATCH", "/members/{member}", true, func(f *fixture, s scope) (string, string) {
		return "/api/v1/members/" + side(s, f.empAID, f.empBID), `{"role":"analyst"}`
	}, map[string]want{"admin": same(200), "leader": same(403), "analyst": same(403), "employee": same(403)}},
	{"DELETE", "/members/{member}", true, func(f *fixture, s scope) (string, string) {
		return "/api/v1/members/" + side(s, f.empAID, f.empBID), ""
	}, map[string]want{"admin": same(204), "leader": same(403), "analyst": same(403), "employee": same(403)}},
	{"POST", "/members/{member}/links", true, func(f *fixture, s scope) (string, string) {
		return "/api/v1/members/" + side(s, f.empAID, f.empBID) + "/links", `{"ttl_days":30}`
	}, map[string]want{"admin": same(201), "leader": {201, 403}, "analyst": same(403), "employee": same(403)}},
	{"GET", "/members/{member}/links", false, func(f *fixture, s scope) (string, string) {
		return "/api/v1/members/" + side(s, f.empAID, f.empBID) + "/links", ""
	}, map[string]want{"admin": same(200), "leader": {200, 403}, "analyst": same(403), "employee": {200, 403}}},
	{"DELETE", "/members/{member}/links/{link}", true, func(f *fixture, s scope) (string, string) {
		return "/api/v1/members/" + side(s, f.empAID, f.empBID) + "/links/1", ""
	}, map[string]want{"admin": same(204), "leader": {204, 403}, "analyst": same(403), "employee": {204, 403}}},
	{"GET", "/admin/backup", false, func(f *fixture, s scope) (string, string) { return "/api/v1/admin/backup", "" },
		map[string]want{"admin": same(200), "leader": same(403), "analyst": same(403), "employee": same(403)}},
	{"POST", "/instruments", true, func(f *fixture, s scope) (string, string) {
		return "/api/v1/instruments", fmt.Sprintf(`{"id":"custom%d","name":"Custom","scale":{"min":1,"max":5},`+
			`"items":[{"id":"a","text":{"en":"I like it"},"feeds":{"kind":"engagement"}}]}`, seq.Add(1))
	}, map[string]want{"admin": same(201), "leader": same(403), "analyst": same(403), "employee": same(403)}},
	{"GET", "/instruments", false, func(f *fixture, s scope) (string, string) { return "/api/v1/instruments", "" },
		map[string]want{"admin": same(200), "leader": same(200), "analyst": same(200), "employee": same(200)}},
	{"GET", "/instruments/{instrument}", false, func(f *fixture, s scope) (string, string) { return "/api/v1/instruments/who5", "" },
		map[string]want{"admin": same(200), "leader": same(200), "analyst": same(200), "employee": same(200)}},
	{"POST", "/surveys", true, func(f *fixture, s scope) (string, string) {
		return "/api/v1/surveys", `{"name":"S","team_id":"` + side(s, f.alpha, f.beta) + `","instruments":["who5"],"cadence":"weekly"}`
	}, map[string]want{"admin": same(201), "leader": {201, 403}, "analyst": same(403), "employee": same(403)}},
	{"GET", "/surveys", false, func(f *fixture, s scope) (string, string) { return "/api/v1/surveys", "" },
		map[string]want{"admin": same(200), "leader": same(200), "analyst": same(200), "employee": same(403)}},
	{"GET", "/surveys/{survey}", false, func(f *fixture, s scope) (string, string) {
		return "/api/v1/surveys/" + side(s, f.surveyA, f.surveyB), ""
	}, map[string]want{"admin": same(200), "leader": {200, 403}, "analyst": same(200), "employee": same(403)}},
	{"PATCH", "/surveys/{survey}", true, func(f *fixture, s scope) (string, string) {
		return "/api/v1/surveys/" + side(s, f.surveyA, f.surveyB), `{"k":7}`
	}, map[string]want{"admin": same(409), "leader": {409, 403}, "analyst": same(403), "employee": same(403)}},
	{"POST", "/surveys/{survey}/pulses", true, func(f *fixture, s scope) (string, string) {
		var sv idOf // a survey without an open pulse
		f.s.ok(f.tb, req{method: "POST", path: "/api/v1/surveys", token: adminToken,
			body: `{"name":"S","team_id":"` + side(s, f.alpha, f.beta) + `","instruments":["who5"],"cadence":"weekly"}`}, 201, &sv)
		return "/api/v1/surveys/" + sv.ID + "/pulses", ""
	}, map[string]want{"admin": same(201), "leader": {201, 403}, "analyst": same(403), "employee": same(403)}},
	{"POST", "/surveys/{survey}/pulses/{pulse}/close", true, func(f *fixture, s scope) (string, string) {
		return "/api/v1/surveys/" + side(s, f.surveyA, f.surveyB) + "/pulses/" + side(s, f.pulseA, f.pulseB) + "/close", ""
	}, map[string]want{"admin": same(200), "leader": {200, 403}, "analyst": same(403), "employee": same(403)}},
	{"POST", "/surveys/{survey}/pulses/{pulse}/answers", true, func(f *fixture, s scope) (string, string) {
		return "/api/v1/surveys/" + side(s, f.surveyA, f.surveyB) + "/pulses/" + side(s, f.pulseA, f.pulseB) + "/answers",
			`{"values":{"` + f.questionA + `":3}}`
	}, map[string]want{"admin": same(403), "leader": {201, 403}, "analyst": same(403), "employee": {201, 403}}},
	{"POST", "/recognitions", true, func(f *fixture, s scope) (string, string) {
		return "/api/v1/recognitions", `{"receiver_id":"` + side(s, f.empAID, f.empBID) + `","value":"help","message":"thanks"}`
	}, map[string]want{"admin": same(403), "leader": same(201), "analyst": same(201), "employee": {400, 201}}},
	{"GET", "/me", false, func(f *fixture, s scope) (string, string) { return "/api/v1/me", "" },
		map[string]want{"admin": same(403), "leader": same(200), "analyst": same(200), "employee": same(200)}},
	{"GET", "/me/pulses", false, func(f *fixture, s scope) (string, string) { return "/api/v1/me/pulses", "" },
		map[string]want{"admin": same(403), "leader": same(200), "analyst": same(200), "employee": same(200)}},
	{"GET", "/me/recognitions", false, func(f *fixture, s scope) (string, string) { return "/api/v1/me/recognitions", "" },
		map[string]want{"admin": same(403), "leader": same(200), "analyst": same(200), "employee": same(200)}},
	{"GET", "/teams/{team}/scores", false, func(f *fixture, s scope) (string, string) {
		return "/api/v1/teams/" + side(s, f.alpha, f.beta) + "/scores", ""
	}, map[string]want{"admin": same(200), "leader": {200, 403}, "analyst": same(200), "employee": same(403)}},
	{"GET", "/scores/heatmap", false, func(f *fixture, s scope) (string, string) {
		return "/api/v1/scores/heatmap?team=" + side(s, f.alpha, f.beta), ""
	}, map[string]want{"admin": same(200), "leader": {200, 403}, "analyst": same(200), "employee": same(403)}},
	{"GET", "/scores/overview", false, func(f *fixture, s scope) (string, string) { return "/api/v1/scores/overview", "" },
		map[string]want{"admin": same(200), "leader": same(403), "analyst": same(200), "employee": same(403)}},
	{"GET", "/analysis/correlations", false, func(f *fixture, s scope) (string, string) {
		return "/api/v1/analysis/correlations?team=" + side(s, f.alpha, f.beta), ""
	}, map[string]want{"admin": same(200), "leader": {200, 403}, "analyst": same(200), "employee": same(403)}},
	{"GET", "/analysis/plots/scatter", false, func(f *fixture, s scope) (string, string) {
		return "/api/v1/analysis/plots/scatter?team=" + side(s, f.alpha, f.beta), ""
	}, map[string]want{"admin": same(200), "leader": {200, 403}, "analyst": same(200), "employee": same(403)}},
	{"GET", "/analysis/plots/trends", false, func(f *fixture, s scope) (string, string) {
		return "/api/v1/analysis/plots/trends?team=" + side(s, f.alpha, f.beta), ""
	}, map[string]want{"admin": same(200), "leader": {200, 403}, "analyst": same(200), "employee": same(403)}},
}

// notInMatrix are the operations the matrix leaves to other tests.
var notInMatrix = map[string]string{
	"GET /openapi.json": "public, no token",
	"GET /live":         "a WebSocket; the root package's TestLive_Upgrade holds the same roles to it",
}

// tokenOf returns the token of caller in f.
func tokenOf(f *fixture, caller string) string {
	switch caller {
	case "admin":
		return adminToken
	case "leader":
		return f.leaderA
	case "analyst":
		return f.analyst
	}
	return f.empA
}

func TestPermissions_Matrix(t *testing.T) {
	t.Parallel()
	shared := newFixture(t)
	for _, p := range permissions {
		t.Run(p.method+" "+p.path, func(t *testing.T) {
			t.Parallel()
			for _, caller := range callers {
				for _, s := range []scope{own, other} {
					f := shared
					if p.mutates {
						f = newFixture(t)
					}
					path, body := p.request(f, s)
					rec, _ := f.s.do(t, req{method: p.method, path: path, token: tokenOf(f, caller), body: body})
					if got, want := rec.Code, p.want[caller][s]; got != want {
						t.Errorf("%s on the %v side: status=%d, want %d; body %s", caller, s, got, want, rec.Body)
					}
					if rec.Code == http.StatusForbidden {
						var e errorJSON
						if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != "forbidden" || e.Error.Message == "" {
							t.Errorf("%s on the %v side: 403 without the error body: %s", caller, s, rec.Body)
						}
					}
				}
			}
		})
	}
}

// TestPermissions_CoverOpenAPI fails when an operation of the OpenAPI
// document has no row in the matrix (or a row names one the document
// lacks), or a row leaves a caller out.
func TestPermissions_CoverOpenAPI(t *testing.T) {
	t.Parallel()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	var inDoc []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if op := strings.ToUpper(method) + " " + path; notInMatrix[op] == "" {
				inDoc = append(inDoc, op)
			}
		}
	}
	var inMatrix []string
	for _, p := range permissions {
		inMatrix = append(inMatrix, p.method+" "+p.path)
		for _, c := range callers {
			if _, ok := p.want[c]; !ok {
				t.Errorf("%s %s: no expectation for %s", p.method, p.path, c)
			}
		}
	}
	slices.Sort(inDoc)
	slices.Sort(inMatrix)
	if !slices.Equal(inDoc, inMatrix) {
		t.Errorf("matrix operations differ from the OpenAPI document's:\n matrix: %v\n    doc: %v", inMatrix, inDoc)
	}
}
