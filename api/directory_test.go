package api_test

import (
	"slices"
	"strings"
	"testing"
)

func TestDirectory(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var got struct {
		Members []struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			TeamID   string `json:"team_id"`
			TeamName string `json:"team_name"`
		} `json:"members"`
	}
	rec := f.s.ok(t, req{method: "GET", path: "/api/v1/directory", token: f.empB}, 200, &got)
	if strings.Contains(rec.Body.String(), "@example.org") {
		t.Errorf("the directory shows e-mail addresses: %s", rec.Body)
	}
	var names []string
	for _, m := range got.Members {
		names = append(names, m.Name+"/"+m.TeamName)
		if m.ID == f.empAID && m.TeamID != f.alpha {
			t.Errorf("alice's team=%q, want Alpha's id %q", m.TeamID, f.alpha)
		}
	}
	want := []string{"alice/Alpha", "ana/Company", "bob/Beta", "lea/Alpha"}
	if !slices.Equal(names, want) {
		t.Errorf("directory=%v, want %v (by name)", names, want)
	}

	// An erased member is no longer anyone's colleague.
	f.s.ok(t, req{method: "DELETE", path: "/api/v1/members/" + f.empAID, token: adminToken}, 204, nil)
	f.s.ok(t, req{method: "GET", path: "/api/v1/directory", token: f.empB}, 200, &got)
	for _, m := range got.Members {
		if m.ID == f.empAID {
			t.Errorf("the directory still lists the erased member as %q", m.Name)
		}
	}
	if len(got.Members) != 3 {
		t.Errorf("%d colleagues after the erasure, want 3", len(got.Members))
	}
}
