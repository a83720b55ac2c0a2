package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/empulse/empulse/api"
)

// bodyTarget is an endpoint that takes a JSON body, as its fuzz target
// sees it. Bodies and the path name the fixture's objects by $name
// ($root, $alpha, $beta, $leaderA, $empA, $empB, $surveyA, $pulseA,
// $surveyB, $pulseB, $surveyC, $question: see bodyFuzzer.build), so that
// committed corpus files stay valid when ids change.
type bodyTarget struct {
	op    string   // the OpenAPI operation: "PATCH /members/{member}"
	path  string   // the path under /api/v1: "/members/$empA"
	as    byte     // the principal that may send the valid bodies
	valid []string // bodies that can succeed, the first one on a fresh fixture
}

// method returns the target's HTTP method.
func (b bodyTarget) method() string { return b.op[:strings.IndexByte(b.op, ' ')] }

// bodyTargets has a row for every operation of the OpenAPI document that
// takes a request body, by the name of its fuzz target, which runs
// fuzzBody. TestFuzzTargets_CoverOpenAPI keeps it in step with the
// document.
var bodyTargets = map[string]bodyTarget{
	"FuzzCreateTeam": {"POST /teams", "/teams", asAdmin, []string{`{"name":"Gamma","parent_id":"$alpha"}`, `{"name":"Delta"}`}},
	"FuzzCreateMember": {"POST /members", "/members", asAdmin, []string{`{"name":"Dan","email":"dan@example.org","team_id":"$alpha"}`,
		`{"name":"Eve","email":"eve@example.org","team_id":"$beta","role":"leader"}`}},
	"FuzzPatchMember": {"PATCH /members/{member}", "/members/$empA", asAdmin, []string{`{"role":"leader"}`, `{"team_id":"$beta"}`}},
	"FuzzDefineInstrument": {"POST /instruments", "/instruments", asAdmin, []string{`{"id":"focus","name":"Focus","validated":false,"source":"ours",` +
		`"scale":{"min":1,"max":7},"items":[{"id":"deep","text":{"en":"I can work without interruptions","nl":"Ik kan ongestoord werken"},"reverse":true,"feeds":{"kind":"driver","driver":"focus"}}]}`}},
	"FuzzCreateSurvey": {"POST /surveys", "/surveys", asAdmin, []string{`{"name":"S","team_id":"$alpha","instruments":["who5","enps"],"cadence":"weekly"}`,
		`{"name":"T","team_id":"$beta","instruments":["empowerment"],"cadence":"monthly","k":7,"questions_per_pulse":3,"starts_at":"2026-12-01T09:00:00Z"}`}},
	"FuzzPatchSurvey": {"PATCH /surveys/{survey}", "/surveys/$surveyC", asAdmin, []string{`{"k":7}`}},
	"FuzzOpenPulse":   {"POST /surveys/{survey}/pulses", "/surveys/$surveyC/pulses", asAdmin, []string{`{}`, ``}},
	"FuzzClosePulse":  {"POST /surveys/{survey}/pulses/{pulse}/close", "/surveys/$surveyA/pulses/$pulseA/close", asAdmin, []string{`{}`, ``}},
	"FuzzAnswer": {"POST /surveys/{survey}/pulses/{pulse}/answers", "/surveys/$surveyA/pulses/$pulseA/answers", asEmployee,
		[]string{`{"values":{"$question":3},"comment":"Fine"}`}},
	"FuzzRecognize":  {"POST /recognitions", "/recognitions", asEmployee, []string{`{"receiver_id":"$empB","value":"care","message":"Thanks"}`}},
	"FuzzCreateLink": {"POST /members/{member}/links", "/members/$empA/links", asAdmin, []string{`{"ttl_days":7}`, `{}`}},
}

func FuzzCreateTeam(f *testing.F)       { fuzzBody(f) }
func FuzzCreateMember(f *testing.F)     { fuzzBody(f) }
func FuzzPatchMember(f *testing.F)      { fuzzBody(f) }
func FuzzDefineInstrument(f *testing.F) { fuzzBody(f) }
func FuzzCreateSurvey(f *testing.F)     { fuzzBody(f) }
func FuzzPatchSurvey(f *testing.F)      { fuzzBody(f) }
func FuzzOpenPulse(f *testing.F)        { fuzzBody(f) }
func FuzzClosePulse(f *testing.F)       { fuzzBody(f) }
func FuzzAnswer(f *testing.F)           { fuzzBody(f) }
func FuzzRecognize(f *testing.F)        { fuzzBody(f) }
func FuzzCreateLink(f *testing.F)       { fuzzBody(f) }

// seed is one input of a fuzz target's seed corpus.
type seed struct {
	who  byte
	body string
}

// deep is JSON nested far deeper than any body.
var deep = strings.Repeat("[", 10000) + strings.Repeat("]", 10000)

// trickyBodies are bodies that are wrong for every endpoint.
var trickyBodies = []string{``, ` `, `null`, `[]`, `[{}]`, `"{}"`, `0`, `true`, `1e999`, `{`, `}`, `{"":null}`,
	`{"x":1,"x":2}`, `{}garbage`, "\xef\xbb\xbf{}", "{\"\xff\":1}", deep, `{"x":` + deep + `}`, strings.Repeat("[", 10000),
	`{"__proto__":{}}`, "{\"x\":\"\\ud800\"}"}

// seedsOf returns t's seed corpus: its valid bodies, the first sent by
// every principal; variants of its first body with an unknown field,
// every key twice, an object nested in place of a value, invalid UTF-8,
// a byte-order mark and data after it; and the bodies wrong everywhere.
func seedsOf(t bodyTarget) []seed {
	var out []seed
	for _, b := range t.valid {
		out = append(out, seed{t.as, b})
	}
	v := t.valid[0]
	for who := range principals {
		if who != t.as {
			out = append(out, seed{who, v})
		}
	}
	if v == "" {
		v = "{}"
	}
	inner := v[1 : len(v)-1]
	variants := []string{`{"colour":"red"}`, "\xef\xbb\xbf" + v, v + v, v + "x", v + " \n", v + "}"}
	if inner != "" {
		variants = append(variants, `{"colour":"red",`+inner+`}`, `{`+inner+`,`+inner+`}`,
			strings.Replace(v, `":`, `":{"x":`+deep[:100]+`},"y":`, 1),
			strings.Replace(v, `":`, `":null,"x":`, 1),
			strings.ToUpper(v))
		if strings.Contains(v, `":"`) {
			variants = append(variants, strings.Replace(v, `":"`, "\":\"\xff\xfe", 1), strings.Replace(v, `":"`, `":"\u0000`, 1))
		}
	}
	for _, b := range append(variants, trickyBodies...) {
		out = append(out, seed{t.as, b})
	}
	return out
}

// TestFuzzTargets_CoverOpenAPI fails when an operation of the OpenAPI
// document takes a request body but has no row in bodyTargets, or a row
// names an operation that takes none.
func TestFuzzTargets_CoverOpenAPI(t *testing.T) {
	t.Parallel()
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody json.RawMessage `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	var inDoc, inTable []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if op.RequestBody != nil {
				inDoc = append(inDoc, strings.ToUpper(method)+" "+path)
			}
		}
	}
	for _, b := range bodyTargets {
		inTable = append(inTable, b.op)
	}
	slices.Sort(inDoc)
	slices.Sort(inTable)
	if !slices.Equal(inDoc, inTable) {
		t.Errorf("fuzzed operations differ from the OpenAPI document's with a request body:\n fuzzed: %v\n    doc: %v", inTable, inDoc)
	}
}
