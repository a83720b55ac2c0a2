package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
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
	a, b := "http://"+nodeA+"/api/v1", "http://"+nodeB+"/api/v1"

	team := nodeCall(t, "POST", a+"/teams", admin, map[string]any{"name": "Support"})["id"].(string)
	var tokens []string
	for i := range 3 {
		m := nodeCall(t, "POST", a+"/members", admin, map[string]any{
			"name": fmt.Sprintf("Member %d", i), "email": fmt.Sprintf("m%d@example.org", i),
			"team_id": team, "role": "employee"})
		tokens = append(tokens, m["token"].(string))
	}
	survey := nodeCall(t, "POST", a+"/surveys", admin, map[string]any{
		"name": "Weekly wellbeing", "team_id": team, "instruments": []string{"who5"}, "cadence": "weekly", "k": 3})["id"].(string)
	pulse := nodeCall(t, "POST", a+"/surveys/"+survey+"/pulses", admin, nil)["id"].(string)
	for _, tok := range tokens {
		nodeCall(t, "POST", a+"/surveys/"+survey+"/pulses/"+pulse+"/answers", tok, map[string]any{"values": map[string]int{
			"who5.cheerful": 5, "who5.calm": 5, "who5.active": 5, "who5.rested": 5, "who5.interest": 5}})
	}

	// Node B learns of it only through the log it follows.
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := nodeCall(t, "GET", b+"/teams/"+team+"/scores", admin, nil)
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

// nodeCall sends a JSON request with a bearer token and returns the decoded
// answer; any status other than 200 or 201 fails the test.
func nodeCall(t *testing.T, method, url, token string, body any) map[string]any {
	t.Helper()
	var rd bytes.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = *bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, &rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: status %d, decode: %v", method, url, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		t.Fatalf("%s %s: status %d, body %v", method, url, resp.StatusCode, out)
	}
	return out
}
