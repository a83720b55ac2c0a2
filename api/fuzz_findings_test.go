package api_test

import (
	"testing"
)

// TestFuzzFindings_NullRefused: the body fuzzers found that a null was
// decoded as the zero value, so that an answer of null was recorded as
// the scale's lowest value and a null optional field was taken as unset,
// where the OpenAPI document allows no null. Each is now a 400 naming
// the field, and writes nothing.
func TestFuzzFindings_NullRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.s
	answers := "/api/v1/surveys/" + f.surveyA + "/pulses/" + f.pulseA + "/answers"
	tests := []struct {
		name      string
		r         req
		wantField string
	}{
		{"AnswerValue", req{method: "POST", path: answers, token: f.empA, body: `{"values":{"` + f.questionA + `":null}}`}, "values." + f.questionA},
		{"AnswerComment", req{method: "POST", path: answers, token: f.empA, body: `{"values":{"` + f.questionA + `":3},"comment":null}`}, "comment"},
		{"MemberRole", req{method: "POST", path: "/api/v1/members", token: adminToken,
			body: `{"name":"D","email":"d@example.org","team_id":"` + f.alpha + `","role":null}`}, "role"},
		{"SurveyStartsAt", req{method: "POST", path: "/api/v1/surveys", token: adminToken,
			body: `{"name":"S","team_id":"` + f.alpha + `","instruments":["who5"],"cadence":"weekly","starts_at":null}`}, "starts_at"},
		{"TeamParent", req{method: "POST", path: "/api/v1/teams", token: adminToken, body: `{"name":"G","parent_id":null}`}, "parent_id"},
		{"WholeBody", req{method: "POST", path: "/api/v1/surveys/" + f.surveyC + "/pulses", token: adminToken, body: `null`}, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.head(t)
			rec, specErr := s.do(t, tt.r)
			if specErr == nil {
				t.Errorf("the OpenAPI document accepts this request")
			}
			var body errorBody
			decode(t, rec, &body)
			if rec.Code != 400 || body.Error.Field != tt.wantField {
				t.Fatalf("status=%d field=%q, want 400 %q; body %s", rec.Code, body.Error.Field, tt.wantField, rec.Body)
			}
			if after := s.head(t); after != before {
				t.Errorf("head moved from %v to %v", before, after)
			}
		})
	}
	// The same answer without the null goes through.
	s.ok(t, req{method: "POST", path: answers, token: f.empA, body: `{"values":{"` + f.questionA + `":3}}`}, 201, nil)
}
