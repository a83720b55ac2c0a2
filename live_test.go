package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// liveOrg is an organisation served for the live tests: Company > Alpha,
// a leader of Company, an analyst, and employees of Alpha, with an open
// WHO-5 pulse of Company with k=3.
type liveOrg struct {
	addr, admin            string
	company, alpha         string
	leader, analyst        string // tokens
	employees              []string
	survey, pulse, answers string
}

// liveAdmin is the admin token of the live tests' servers.
const liveAdmin = "live-admin-token"

// seedLive serves a fresh data directory and writes a liveOrg with n
// employees; the server stops at the test's end.
func seedLive(t *testing.T, n int) *liveOrg {
	t.Helper()
	o, stop := seedLiveIn(t, t.TempDir(), n)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return o
}

// seedLiveIn serves data and writes a liveOrg with n employees. It
// returns serve's stop function.
func seedLiveIn(t *testing.T, data string, n int) (*liveOrg, func() error) {
	t.Helper()
	o := &liveOrg{admin: liveAdmin}
	var stop func() error
	o.addr, _, stop = startServe(t, []string{"--addr", "127.0.0.1:0"}, liveEnv(data))
	type idOf struct {
		ID string `json:"id"`
	}
	var company, alpha idOf
	call(t, o.addr, o.admin, "POST", "/api/v1/teams", `{"name":"Company"}`, 201, &company)
	call(t, o.addr, o.admin, "POST", "/api/v1/teams", `{"name":"Alpha","parent_id":"`+company.ID+`"}`, 201, &alpha)
	o.company, o.alpha = company.ID, alpha.ID
	member := func(team, role string, i int) string {
		var cm struct {
			Token string `json:"token"`
		}
		body := fmt.Sprintf(`{"name":"m%d","email":"%s%d@example.org","team_id":"%s","role":"%s"}`, i, role, i, team, role)
		call(t, o.addr, o.admin, "POST", "/api/v1/members", body, 201, &cm)
		return cm.Token
	}
	o.leader = member(o.company, "leader", 0)
	o.analyst = member(o.company, "analyst", 0)
	for i := range n {
		o.employees = append(o.employees, member(o.alpha, "employee", i))
	}
	var sv, p idOf
	call(t, o.addr, o.admin, "POST", "/api/v1/surveys", `{"name":"Pulse","team_id":"`+o.company+`","instruments":["who5"],"cadence":"weekly","k":3}`, 201, &sv)
	call(t, o.addr, o.admin, "POST", "/api/v1/surveys/"+sv.ID+"/pulses", "", 201, &p)
	o.survey, o.pulse = sv.ID, p.ID
	o.answers = "/api/v1/surveys/" + sv.ID + "/pulses/" + p.ID + "/answers"
	return o, stop
}

// liveEnv is the environment of a live test's server on data.
func liveEnv(data string) map[string]string {
	return map[string]string{envData: data, envLogFormat: "json", envAdminToken: liveAdmin}
}

// answer submits employee i's answer, every WHO-5 item v.
func (o *liveOrg) answer(t *testing.T, i, v int) {
	t.Helper()
	call(t, o.addr, o.employees[i], "POST", o.answers,
		fmt.Sprintf(`{"values":{"who5.cheerful":%d,"who5.calm":%d,"who5.active":%d,"who5.rested":%d,"who5.interest":%d}}`, v, v, v, v, v), 201, nil)
}

// push is a message received on a live WebSocket.
type push struct {
	Type   string `json:"type"`
	Team   string `json:"team"`
	Week   string `json:"week"`
	K      int    `json:"k"`
	Scores map[string]struct {
		Suppressed  bool    `json:"suppressed"`
		Value       float64 `json:"value"`
		Respondents int     `json:"respondents"`
	} `json:"scores"`
	Table json.RawMessage `json:"table"`
}

// liveConn is a WebSocket of the live pushes whose messages a goroutine
// collects.
type liveConn struct {
	mu   sync.Mutex
	msgs []push
	raw  [][]byte // the messages as received
}

// dialLive opens the live WebSocket with token offered as a subprotocol,
// as a browser does, subscribed to topics, and returns the status of a
// refused upgrade (0 when upgraded) and the collector.
func dialLive(t *testing.T, addr, token string, topics ...string) (int, *liveConn) {
	t.Helper()
	q := ""
	for i, tp := range topics {
		q += map[bool]string{true: "?", false: "&"}[i == 0] + "topic=" + tp
	}
	d := websocket.Dialer{Subprotocols: []string{"empulse.v1", "bearer." + token}, HandshakeTimeout: 10 * time.Second}
	conn, resp, err := d.DialContext(t.Context(), "ws://"+addr+"/api/v1/live"+q, nil)
	if err != nil {
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return resp.StatusCode, nil
	}
	if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != "empulse.v1" {
		t.Errorf("subprotocol=%q, want empulse.v1 (never the token)", got)
	}
	lc := &liveConn{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var m push
			if err := json.Unmarshal(data, &m); err != nil {
				t.Errorf("undecodable push %s: %v", data, err)
				return
			}
			lc.mu.Lock()
			lc.msgs = append(lc.msgs, m)
			lc.raw = append(lc.raw, data)
			lc.mu.Unlock()
		}
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	return 0, lc
}

// messages returns the messages received so far.
func (lc *liveConn) messages() []push {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return append([]push(nil), lc.msgs...)
}

// rawMessages returns the messages received so far as they were sent.
func (lc *liveConn) rawMessages() [][]byte {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return append([][]byte(nil), lc.raw...)
}

// waitFor waits until a received message satisfies ok, and fails after
// 30 s.
func (lc *liveConn) waitFor(t *testing.T, what string, ok func(push) bool) push {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range lc.messages() {
			if ok(m) {
				return m
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s within 30 s; received %+v", what, lc.messages())
	return push{}
}

func TestLive_Upgrade(t *testing.T) {
	t.Parallel()
	o := seedLive(t, 1)
	tests := []struct {
		name, token, topic string
		want               int
	}{
		{"LeaderOwnTeam", o.leader, "team:" + o.alpha, 0},
		{"AnalystTable", o.analyst, "correlations", 0},
		{"AnalystTeam", o.analyst, "team:" + o.company, 0},
		{"EmployeeTeam", o.employees[0], "team:" + o.alpha, http.StatusForbidden},
		{"LeaderTable", o.leader, "correlations", http.StatusForbidden},
		{"UnknownTeam", o.leader, "team:nope", http.StatusNotFound},
		{"BadTopic", o.leader, "scores", http.StatusBadRequest},
		{"BadToken", "emp_nobody", "correlations", http.StatusUnauthorized},
		{"NoToken", "", "correlations", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, lc := dialLive(t, o.addr, tt.token, tt.topic)
			if got != tt.want {
				t.Fatalf("status=%d, want %d", got, tt.want)
			}
			if lc != nil {
				lc.waitFor(t, "ready", func(m push) bool { return m.Type == "ready" })
			}
		})
	}
}

// TestLive_Differencing submits answers one at a time while a leader
// watches the team and its parent live, and asserts that no push reveals
// a single answer: every pushed figure has at least k respondents, and
// between two pushes of a figure at least max(3, ceil(k/2)) answers
// arrived (issue 7, point 2). An analyst watching the correlation table
// gets it recomputed.
func TestLive_Differencing(t *testing.T) {
	t.Parallel()
	const n, k, step = 11, 3, 3
	o := seedLive(t, n)
	_, leader := dialLive(t, o.addr, o.leader, "team:"+o.alpha, "team:"+o.company)
	leader.waitFor(t, "ready", func(m push) bool { return m.Type == "ready" })
	_, analyst := dialLive(t, o.addr, o.analyst, "correlations")
	analyst.waitFor(t, "ready", func(m push) bool { return m.Type == "ready" })

	for i := range n {
		o.answer(t, i, 1+(i*7)%5)
	}
	// Answers are projected before they are acknowledged; the last
	// release is floor(n/step)*step answers.
	for _, team := range []string{o.alpha, o.company} {
		leader.waitFor(t, "the last release of "+team, func(m push) bool {
			return m.Type == "scores" && m.Team == team && m.Scores["wellbeing"].Respondents >= n-(step-1)
		})
	}
	last := map[string]int{}
	pushes := 0
	for _, m := range leader.messages() {
		if m.Type != "scores" {
			continue
		}
		pushes++
		if m.K != k {
			t.Errorf("push of %s: k=%d, want %d", m.Team, m.K, k)
		}
		for metric, s := range m.Scores {
			if s.Suppressed {
				continue
			}
			if metric == "recognitions_given_per_member" || metric == "recognitions_received_per_member" {
				continue // named acts, not anonymous answers
			}
			if s.Respondents < k {
				t.Errorf("push of %s shows %s with %d < k=%d respondents", m.Team, metric, s.Respondents, k)
			}
			key := m.Team + "/" + m.Week + "/" + metric
			if prev, ok := last[key]; ok && s.Respondents-prev < step && s.Respondents != prev {
				t.Errorf("push of %s moves %s from %d to %d respondents: fewer than %d new answers", m.Team, metric, prev, s.Respondents, step)
			}
			last[key] = s.Respondents
		}
	}
	if pushes < 2*(n/step) {
		t.Errorf("%d score pushes, want at least %d (each release of both teams)", pushes, 2*(n/step))
	}
	table := analyst.waitFor(t, "a correlation table", func(m push) bool { return m.Type == "correlations" })
	if !strings.Contains(string(table.Table), `"rows"`) {
		t.Errorf("correlation push without rows: %s", table.Table)
	}
}
