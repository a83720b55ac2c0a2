package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestAPI_EraseMember_Refused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.s
	path := "/api/v1/members/" + f.empAID
	tests := []struct {
		name, path, token string
		wantStatus        int
		wantField         string
	}{
		{"MissingToken", path, "", 401, "Authorization"},
		{"Leader", path, f.leaderA, 403, ""},
		{"Analyst", path, f.analyst, 403, ""},
		{"Employee", path, f.empB, 403, ""},
		{"Self", path, f.empA, 403, ""},
		{"NotAnID", "/api/v1/members/nope", adminToken, 400, "member"},
		{"UpperCaseID", "/api/v1/members/" + strings.ToUpper(f.empAID), adminToken, 400, "member"},
		{"Unknown", "/api/v1/members/" + uuid.NewString(), adminToken, 404, "member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.head(t)
			rec, specErr := s.do(t, req{method: "DELETE", path: tt.path, token: tt.token})
			if specErr != nil && tt.wantStatus != 401 {
				t.Errorf("the OpenAPI document refuses the request: %v", specErr)
			}
			if rec.Code != tt.wantStatus {
				t.Fatalf("status=%d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Message == "" {
				t.Fatalf("body %s is not an error with a message (%v)", rec.Body, err)
			}
			if body.Error.Field != tt.wantField {
				t.Errorf("field=%q, want %q (%s)", body.Error.Field, tt.wantField, body.Error.Message)
			}
			if after := s.head(t); after != before {
				t.Errorf("head moved from %v to %v: a refused erasure wrote events", before, after)
			}
			var m struct {
				Name string `json:"name"`
			}
			s.ok(t, req{method: "GET", path: path, token: adminToken}, 200, &m)
			if m.Name != "alice" {
				t.Errorf("member after a refused erasure: name=%q, want alice", m.Name)
			}
		})
	}
}

// TestAPI_EraseMember erases one of twelve members (a multiple of the
// release step, so that all are shown) who answered with a
// comment and exchanged recognition, and checks every read that showed
// their data: the member record and list, the team's comments, the
// recognitions their colleague received, and their token, while the
// team's scores stay the same.
func TestAPI_EraseMember(t *testing.T) {
	t.Parallel()
	o := newScoreOrg(t, map[string]int{"alpha": 12})
	s := o.s
	tokens := o.tokens[o.alpha]
	ids := make([]string, len(tokens))
	for i, tok := range tokens {
		var me struct {
			ID string `json:"id"`
		}
		s.ok(t, req{method: "GET", path: "/api/v1/me", token: tok}, 200, &me)
		ids[i] = me.ID
		o.answer(t, tok, 1+i%5, fmt.Sprintf("comment %d", i))
	}
	s.ok(t, req{method: "POST", path: "/api/v1/recognitions", token: tokens[0],
		body: `{"receiver_id":"` + ids[1] + `","value":"care","message":"thanks from zero"}`}, 201, nil)
	s.ok(t, req{method: "POST", path: "/api/v1/recognitions", token: tokens[1],
		body: `{"receiver_id":"` + ids[0] + `","value":"care","message":"thanks to zero"}`}, 201, nil)
	before := o.scores(t, adminToken, o.alpha).Weeks[0]
	if !slices.Contains(before.Comments.Items, "comment 0") {
		t.Fatalf("comments before the erasure=%v, want comment 0 among them", before.Comments.Items)
	}

	for range 2 { // a second DELETE changes nothing and answers the same
		rec := s.ok(t, req{method: "DELETE", path: "/api/v1/members/" + ids[0], token: adminToken}, 204, nil)
		if rec.Body.Len() != 0 {
			t.Errorf("DELETE answered a body: %s", rec.Body)
		}
	}

	rec := s.ok(t, req{method: "GET", path: "/api/v1/members/" + ids[0], token: adminToken}, 200, nil)
	if want := `{"id":"` + ids[0] + `","team_id":"` + o.alpha + `","role":"employee","erased":true}`; rec.Body.String() != want {
		t.Errorf("GET the erased member=%s, want %s", rec.Body, want)
	}
	rec = s.ok(t, req{method: "GET", path: "/api/v1/members", token: adminToken}, 200, nil)
	if b := rec.Body.String(); strings.Contains(b, "alpha0") || !strings.Contains(b, `"erased":true`) || !strings.Contains(b, "alpha1") {
		t.Errorf("GET /members=%s; want alpha0 erased, alpha1 still named", b)
	}
	s.ok(t, req{method: "GET", path: "/api/v1/me", token: tokens[0]}, 401, nil)

	after := o.scores(t, adminToken, o.alpha).Weeks[0]
	for _, m := range []string{"wellbeing", "participation"} {
		b, a := before.Scores[m], after.Scores[m]
		if a.Suppressed || *a.Value != *b.Value || *a.Respondents != *b.Respondents {
			t.Errorf("%s after the erasure=%+v, want %v over %d respondents as before", m, a, *b.Value, *b.Respondents)
		}
	}
	if got := after.Comments.Items; len(got) != len(before.Comments.Items)-1 || slices.Contains(got, "comment 0") {
		t.Errorf("comments after the erasure=%v, want all but comment 0", got)
	}

	var mine struct {
		Received []struct {
			GiverID string `json:"giver_id"`
			Message string `json:"message"`
			Erased  bool   `json:"message_erased"`
		} `json:"received"`
		Given []struct {
			Message string `json:"message"`
		} `json:"given"`
	}
	s.ok(t, req{method: "GET", path: "/api/v1/me/recognitions", token: tokens[1]}, 200, &mine)
	if len(mine.Received) != 1 || mine.Received[0].Message != "" || !mine.Received[0].Erased {
		t.Errorf("received from the erased member=%+v, want the message erased", mine.Received)
	}
	if len(mine.Given) != 1 || mine.Given[0].Message != "thanks to zero" {
		t.Errorf("given to the erased member=%+v, want the giver's own message kept", mine.Given)
	}

	head := s.head(t)
	for _, r := range []struct {
		name  string
		r     req
		field string
	}{
		{"Move", req{method: "PATCH", path: "/api/v1/members/" + ids[0], token: adminToken, body: `{"team_id":"` + o.beta + `"}`}, "member"},
		{"ChangeRole", req{method: "PATCH", path: "/api/v1/members/" + ids[0], token: adminToken, body: `{"role":"leader"}`}, "member"},
		{"Recognise", req{method: "POST", path: "/api/v1/recognitions", token: tokens[2],
			body: `{"receiver_id":"` + ids[0] + `","value":"care","message":"x"}`}, "receiver_id"},
	} {
		var body errorBody
		s.ok(t, r.r, 409, &body)
		if body.Error.Field != r.field {
			t.Errorf("%s: field=%q, want %q", r.name, body.Error.Field, r.field)
		}
	}
	if got := s.head(t); got != head {
		t.Errorf("head moved from %v to %v on refused changes to an erased member", head, got)
	}
}
