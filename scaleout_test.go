package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/empulse/empulse/events/esdb/esdbtest"
	"github.com/empulse/empulse/events/pebble"
)

// TestScaleOut runs two empulse nodes on one EventStoreDB endpoint (the
// protocol test server) and checks that answers submitted through node A
// show in node B's projections: the nodes share nothing but the event store.
func TestScaleOut(t *testing.T) {
	t.Parallel()
	backing, err := pebble.Open(t.TempDir(), pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { backing.Close() })
	conn, _ := esdbtest.Start(t, backing)

	const admin = "scale-out-admin-token"
	env := map[string]string{envAdminToken: admin, envStore: conn, envLogFormat: "json"}
	nodeA, _, _ := startServe(t, []string{"--addr", "127.0.0.1:0", "--data", t.TempDir()}, env)
	nodeB, _, _ := startServe(t, []string{"--addr", "127.0.0.1:0", "--data", t.TempDir()}, env)
	var team, survey, pulse struct {
		ID string `json:"id"`
	}
	call(t, nodeA, admin, "POST", "/api/v1/teams", `{"name":"Support"}`, 201, &team)
	var tokens []string
	for i := range 3 {
		var m struct {
			Token string `json:"token"`
		}
		call(t, nodeA, admin, "POST", "/api/v1/members", fmt.Sprintf(
			`{"name":"Member %d","email":"m%d@example.org","team_id":%q,"role":"employee"}`, i, i, team.ID), 201, &m)
		tokens = append(tokens, m.Token)
	}
	call(t, nodeA, admin, "POST", "/api/v1/surveys", fmt.Sprintf(
		`{"name":"Weekly wellbeing","team_id":%q,"instruments":["who5"],"cadence":"weekly","k":3}`, team.ID), 201, &survey)
	call(t, nodeA, admin, "POST", "/api/v1/surveys/"+survey.ID+"/pulses", "", 201, &pulse)
	for _, tok := range tokens {
		call(t, nodeA, tok, "POST", "/api/v1/surveys/"+survey.ID+"/pulses/"+pulse.ID+"/answers",
			`{"values":{"who5.cheerful":5,"who5.calm":5,"who5.active":5,"who5.rested":5,"who5.interest":5}}`, 201, nil)
	}

	// Node B learns of it only through the log it follows.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var got map[string]any
		call(t, nodeB, admin, "GET", "/api/v1/teams/"+team.ID+"/scores", "", 200, &got)
		if v, ok := latestWellbeing(got); ok {
			if v != 100 {
				t.Fatalf("node B wellbeing=%v, want 100 (three answers of 25/25)", v)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("node B never showed the answers given through node A; last answer: %v", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// latestWellbeing returns the wellbeing value of the last week in a
// GET /teams/{team}/scores answer, if one is shown.
func latestWellbeing(body map[string]any) (float64, bool) {
	weeks, _ := body["weeks"].([]any)
	if len(weeks) == 0 {
		return 0, false
	}
	week, _ := weeks[len(weeks)-1].(map[string]any)
	scores, _ := week["scores"].(map[string]any)
	w, _ := scores["wellbeing"].(map[string]any)
	v, ok := w["value"].(float64)
	return v, ok
}
