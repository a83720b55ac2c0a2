package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
)

// crashServeEnv, when set to a data directory, turns the test binary into
// the crash test's server: it runs "empulse serve" there as main does,
// until killed or stopped with SIGTERM.
const crashServeEnv = "EMPULSE_CRASH_SERVE"

// crashAdmin is the admin token of the crash test's servers.
const crashAdmin = "crash-admin-token"

func TestMain(m *testing.M) {
	if data := os.Getenv(crashServeEnv); data != "" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data}, os.Getenv, os.Stdout, os.Stderr)
		stop()
		os.Exit(exitCode(err, os.Stderr))
	}
	os.Exit(m.Run())
}

// crashServer is a serve process started from the test binary.
type crashServer struct {
	addr string
	cmd  *exec.Cmd
	logs *logWatcher
	done chan error
}

// startCrashServer starts a serve process on data and waits until it is
// ready. The process is killed at the test's end if still running.
func startCrashServer(t *testing.T, data string) *crashServer {
	t.Helper()
	s := &crashServer{logs: newLogWatcher(), done: make(chan error, 1)}
	s.cmd = exec.Command(os.Args[0], "-test.run=^$")
	s.cmd.Env = append(os.Environ(), crashServeEnv+"="+data, envLogFormat+"=json", envAdminToken+"="+crashAdmin)
	s.cmd.Stderr = s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start server: %v", err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	select {
	case s.addr = <-s.logs.addr:
	case err := <-s.done:
		t.Fatalf("server exited before listening: %v\nlogs:\n%s", err, s.logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not log its address within 30s; logs:\n%s", s.logs)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		resp, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready within 30s (last: %v); logs:\n%s", err, s.logs)
		}
	}
}

// kill ends the server with SIGKILL and waits for it.
func (s *crashServer) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill: %v", err)
	}
	<-s.done
}

// stop ends the server with SIGTERM and fails unless it exits cleanly.
func (s *crashServer) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("server after SIGTERM: %v\nlogs:\n%s", err, s.logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not stop within 30s of SIGTERM; logs:\n%s", s.logs)
	}
}

// crashOrg is the organisation of the crash test: Company > Alpha, Beta,
// with the employees split between the two.
type crashOrg struct {
	teams  []string // Company, Alpha, Beta
	ids    []string // employee member IDs
	tokens []string // employee tokens
}

// seedCrash writes the organisation with n employees through addr.
func seedCrash(t *testing.T, addr string, n int) *crashOrg {
	t.Helper()
	o := &crashOrg{}
	var company, team struct {
		ID string `json:"id"`
	}
	call(t, addr, crashAdmin, "POST", "/api/v1/teams", `{"name":"Company"}`, 201, &company)
	o.teams = append(o.teams, company.ID)
	for _, name := range []string{"Alpha", "Beta"} {
		call(t, addr, crashAdmin, "POST", "/api/v1/teams", `{"name":"`+name+`","parent_id":"`+company.ID+`"}`, 201, &team)
		o.teams = append(o.teams, team.ID)
	}
	for i := range n {
		var cm struct {
			Member struct {
				ID string `json:"id"`
			} `json:"member"`
			Token string `json:"token"`
		}
		body := fmt.Sprintf(`{"name":"e%d","email":"e%d@example.org","team_id":"%s","role":"employee"}`, i, i, o.teams[1+i%2])
		call(t, addr, crashAdmin, "POST", "/api/v1/members", body, 201, &cm)
		o.ids = append(o.ids, cm.Member.ID)
		o.tokens = append(o.tokens, cm.Token)
	}
	return o
}

// openRound creates a survey of the company with an open pulse and
// returns the pulse's ID and the path its answers are posted to.
func (o *crashOrg) openRound(t *testing.T, addr string, round int) (string, string) {
	t.Helper()
	var sv, p struct {
		ID string `json:"id"`
	}
	body := fmt.Sprintf(`{"name":"Round %d","team_id":"%s","instruments":["who5"],"cadence":"weekly","k":3}`, round, o.teams[0])
	call(t, addr, crashAdmin, "POST", "/api/v1/surveys", body, 201, &sv)
	call(t, addr, crashAdmin, "POST", "/api/v1/surveys/"+sv.ID+"/pulses", "", 201, &p)
	return p.ID, "/api/v1/surveys/" + sv.ID + "/pulses/" + p.ID + "/answers"
}

// post sends body with token, waiting while rate limited, and returns the
// status and the body, or an error when no answer came (the server died).
func post(client *http.Client, addr, token, path, body string) (int, []byte, error) {
	for {
		req, err := http.NewRequest("POST", "http://"+addr+path, strings.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || err != nil {
			return resp.StatusCode, data, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// crashAcks is what the servers acknowledged, and what was attempted.
type crashAcks struct {
	mu        sync.Mutex
	answers   map[string]map[int]string // pulse ID -> employee -> answer ID
	recs      map[string][2]int         // recognition ID -> giver, receiver
	attempted int                       // answers and recognitions sent
}

// crashRound runs n clients against the server s, each answering the
// pulse at path and recognising a colleague, and kills the server once
// killAfter requests have been acknowledged in the round (or all have
// ended), d later. Counting acknowledgements rather than time makes the
// kill land mid-traffic however fast the machine.
func crashRound(t *testing.T, s *crashServer, o *crashOrg, acks *crashAcks, round int, pulse, path string, killAfter int, d time.Duration) {
	t.Helper()
	n := len(o.tokens)
	client := &http.Client{Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	ackedNow := 0
	reached := make(chan struct{})
	ack := func() { // with acks.mu held
		ackedNow++
		if ackedNow == killAfter {
			close(reached)
		}
	}
	if killAfter == 0 {
		close(reached)
	}
	for i := range n {
		wg.Go(func() {
			v := 1 + (i+round)%5
			body := fmt.Sprintf(`{"values":{"who5.cheerful":%d,"who5.calm":%d,"who5.active":%d,"who5.rested":%d,"who5.interest":%d}}`, v, v, v, v, v)
			acks.mu.Lock()
			acks.attempted++
			acks.mu.Unlock()
			status, data, err := post(client, s.addr, o.tokens[i], path, body)
			if err != nil {
				return
			}
			if status != http.StatusCreated {
				t.Errorf("round %d, employee %d: answer status %d: %s", round, i, status, data)
				return
			}
			var r struct {
				AnswerID string `json:"answer_id"`
			}
			if err := json.Unmarshal(data, &r); err != nil || r.AnswerID == "" {
				t.Errorf("round %d, employee %d: receipt %s: %v", round, i, data, err)
				return
			}
			acks.mu.Lock()
			acks.answers[pulse][i] = r.AnswerID
			ack()
			acks.attempted++ // the recognition below
			acks.mu.Unlock()

			to := (i + 1 + round%(n-1)) % n
			status, data, err = post(client, s.addr, o.tokens[i], "/api/v1/recognitions",
				fmt.Sprintf(`{"receiver_id":"%s","value":"teamwork","message":"round %d"}`, o.ids[to], round))
			if err != nil {
				return
			}
			if status != http.StatusCreated {
				// A recognition stored but not acknowledged before an
				// earlier kill uses up the allowance.
				if status != http.StatusConflict {
					t.Errorf("round %d, employee %d: recognition status %d: %s", round, i, status, data)
				}
				return
			}
			var rec struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(data, &rec); err != nil || rec.ID == "" {
				t.Errorf("round %d, employee %d: recognition %s: %v", round, i, data, err)
				return
			}
			acks.mu.Lock()
			acks.recs[rec.ID] = [2]int{i, to}
			ack()
			acks.mu.Unlock()
		})
	}
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	select {
	case <-reached:
	case <-all:
	}
	time.Sleep(d)
	s.kill(t)
	<-all
}

// crashLog is what the event log holds: answers per pulse and
// recognitions, each ID with how many times it occurs.
type crashLog struct {
	answers map[string]map[string]int   // pulse ID -> answer ID -> count
	recs    map[string]int              // recognition ID -> count
	teams   map[string]map[string]int64 // pulse ID -> team -> answers
	total   int                         // answers
}

// readCrashLog reads the whole event log in data; no server may be running.
func readCrashLog(t *testing.T, data string) crashLog {
	t.Helper()
	s, err := pebble.Open(filepath.Join(data, "events"), pebble.Options{})
	if err != nil {
		t.Fatalf("open the log after the kill: %v", err)
	}
	defer s.Close()
	all, err := s.ReadAll(t.Context(), events.Start, 0)
	if err != nil {
		t.Fatalf("read the log: %v", err)
	}
	l := crashLog{answers: map[string]map[string]int{}, recs: map[string]int{}, teams: map[string]map[string]int64{}}
	for _, e := range all {
		switch e.Type {
		case survey.TypeAnswerSubmitted:
			var a survey.AnswerSubmitted
			if err := json.Unmarshal(e.Data, &a); err != nil {
				t.Fatalf("decode %s: %v", e.Data, err)
			}
			if l.answers[a.Pulse] == nil {
				l.answers[a.Pulse] = map[string]int{}
			}
			l.answers[a.Pulse][a.Answer]++
			if l.teams[a.Pulse] == nil {
				l.teams[a.Pulse] = map[string]int64{}
			}
			l.teams[a.Pulse][a.Team]++
			l.total++
		case recognition.TypeGiven:
			var g recognition.Given
			if err := json.Unmarshal(e.Data, &g); err != nil {
				t.Fatalf("decode %s: %v", e.Data, err)
			}
			l.recs[g.Recognition]++
		}
	}
	return l
}

// checkLog fails t unless every acknowledged answer and recognition is in
// the log exactly once, and nothing is in it twice.
func checkLog(t *testing.T, l crashLog, acks *crashAcks) {
	t.Helper()
	for pulse, byEmployee := range acks.answers {
		for i, id := range byEmployee {
			if got := l.answers[pulse][id]; got != 1 {
				t.Errorf("pulse %s, employee %d: acknowledged answer %s is in the log %d times, want 1", pulse, i, id, got)
			}
		}
		for id, c := range l.answers[pulse] {
			if c != 1 {
				t.Errorf("pulse %s: answer %s is in the log %d times", pulse, id, c)
			}
		}
		if got, max := len(l.answers[pulse]), len(byEmployee); got < max {
			t.Errorf("pulse %s: %d answers in the log, fewer than the %d acknowledged", pulse, got, max)
		}
	}
	for id, c := range l.recs {
		if c != 1 {
			t.Errorf("recognition %s is in the log %d times", id, c)
		}
	}
	for id := range acks.recs {
		if l.recs[id] != 1 {
			t.Errorf("acknowledged recognition %s is in the log %d times, want 1", id, l.recs[id])
		}
	}
}

// checkServed fails t unless the server at addr shows the log l: each
// employee's pulses answered as the log says, each recognition once to its
// giver and once to its receiver, and the company's released answer count
// within one release step below the log's.
func checkServed(t *testing.T, addr string, o *crashOrg, l crashLog, acks *crashAcks) {
	t.Helper()
	answered := map[string]int{}
	given, received := map[string]int{}, map[string]int{}
	for i, tok := range o.tokens {
		var ps struct {
			Pulses []struct {
				PulseID  string `json:"pulse_id"`
				Answered bool   `json:"answered"`
			} `json:"pulses"`
		}
		call(t, addr, tok, "GET", "/api/v1/me/pulses", "", 200, &ps)
		for _, p := range ps.Pulses {
			if p.Answered {
				answered[p.PulseID]++
			} else if _, ok := acks.answers[p.PulseID][i]; ok {
				t.Errorf("employee %d: pulse %s not answered after the restart, though the answer was acknowledged", i, p.PulseID)
			}
		}
		var mr struct {
			Given []struct {
				ID string `json:"id"`
			} `json:"given"`
			Received []struct {
				ID string `json:"id"`
			} `json:"received"`
		}
		call(t, addr, tok, "GET", "/api/v1/me/recognitions", "", 200, &mr)
		for _, g := range mr.Given {
			given[g.ID]++
		}
		for _, r := range mr.Received {
			received[r.ID]++
		}
	}
	for pulse, ids := range l.answers {
		if answered[pulse] != len(ids) {
			t.Errorf("pulse %s: %d employees see it answered, the log holds %d answers", pulse, answered[pulse], len(ids))
		}
	}
	for id := range l.recs {
		if given[id] != 1 || received[id] != 1 {
			t.Errorf("recognition %s: given %d times, received %d times, want once each", id, given[id], received[id])
		}
	}
	if len(given) != len(l.recs) || len(received) != len(l.recs) {
		t.Errorf("%d recognitions given, %d received, the log holds %d", len(given), len(received), len(l.recs))
	}
}

// checkScores fails t unless each team's released answer count, summed
// over the weeks shown, is at most the answers of its subtree in the log l
// and, once shown, falls short of them by less than a release step in each
// leaf team: no answer is counted twice, none acknowledged is missing.
func checkScores(t *testing.T, addr string, o *crashOrg, l crashLog) {
	t.Helper()
	inLog := map[string]int64{}
	for _, byID := range l.teams {
		for team, c := range byID {
			inLog[team] += c
			inLog[o.teams[0]] += c
		}
	}
	const lag = 3 - 1 // releaseStep(k=3) - 1: the most a leaf may hold back
	for ti, team := range o.teams {
		var ts struct {
			Weeks []struct {
				Scores map[string]struct {
					Suppressed  bool  `json:"suppressed"`
					Respondents int64 `json:"respondents"`
				} `json:"scores"`
			} `json:"weeks"`
		}
		call(t, addr, crashAdmin, "GET", "/api/v1/teams/"+team+"/scores", "", 200, &ts)
		var shown, weeks int64
		for _, w := range ts.Weeks {
			if wb := w.Scores["wellbeing"]; !wb.Suppressed {
				shown += wb.Respondents
				weeks++
			}
		}
		leaves := int64(1)
		if ti == 0 {
			leaves = int64(len(o.teams) - 1)
		}
		if shown > inLog[team] || (weeks > 0 && shown <= inLog[team]-lag*leaves*weeks-leaves) {
			t.Errorf("team %d: %d answers shown over %d weeks, the log holds %d (a leaf may hold back %d)", ti, shown, weeks, inLog[team], lag)
		}
	}
}

// snapshot returns the scores of every team and every employee's
// recognitions as served at addr.
func snapshot(t *testing.T, addr string, o *crashOrg) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, team := range o.teams {
		out["scores "+team] = getBody(t, addr, crashAdmin, "/api/v1/teams/"+team+"/scores")
	}
	for i, tok := range o.tokens {
		out["recognitions "+strconv.Itoa(i)] = getBody(t, addr, tok, "/api/v1/me/recognitions")
	}
	return out
}

// TestCrash_Serve runs serve in a child process with 64 clients answering
// and recognising, kills it with SIGKILL at a random moment (after a random
// number of acknowledgements; EMPULSE_CRASH_SEED repeats the choices), and
// restarts it, for EMPULSE_CRASH_ROUNDS rounds (default 10). After each
// kill every acknowledged request is in the log exactly once; after each
// restart the server shows each exactly once, and its projections equal a
// rebuild from position 0 of the crashed data; so do they after a graceful
// stop at the end (issue 9).
func TestCrash_Serve(t *testing.T) {
	t.Parallel()
	const n = 64
	rounds := 10
	if s := os.Getenv("EMPULSE_CRASH_ROUNDS"); s != "" {
		var err error
		if rounds, err = strconv.Atoi(s); err != nil || rounds < 1 {
			t.Fatalf("EMPULSE_CRASH_ROUNDS=%q: want a positive whole number", s)
		}
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("EMPULSE_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set EMPULSE_CRASH_SEED to repeat)", seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	data := t.TempDir()
	acks := &crashAcks{answers: map[string]map[int]string{}, recs: map[string][2]int{}}
	var (
		o       *crashOrg
		l       crashLog
		rebuilt map[string]string // the last crash's data rebuilt from zero, served
	)
	for round := range rounds {
		s := startCrashServer(t, data)
		if round == 0 {
			o = seedCrash(t, s.addr, n)
		} else {
			checkServed(t, s.addr, o, l, acks)
			checkScores(t, s.addr, o, l)
			compareSnapshots(t, snapshot(t, s.addr, o), rebuilt)
		}
		pulse, path := o.openRound(t, s.addr, round)
		acks.answers[pulse] = map[int]string{}
		before := len(acks.recs)
		crashRound(t, s, o, acks, round, pulse, path, rng.IntN(2*n), time.Duration(rng.IntN(5000))*time.Microsecond)
		l = readCrashLog(t, data)
		checkLog(t, l, acks)
		rebuilt = rebuildSnapshot(t, data, o)
		t.Logf("round %d: %d answers and %d recognitions acknowledged; the log holds %d answers and %d recognitions",
			round, len(acks.answers[pulse]), len(acks.recs)-before, l.total, len(l.recs))
		if t.Failed() {
			t.Fatalf("round %d failed", round)
		}
	}
	acked := len(acks.recs)
	for _, a := range acks.answers {
		acked += len(a)
	}
	if acked == 0 {
		t.Fatal("no request was acknowledged in any round; the test proves nothing")
	}

	// A graceful stop after the last restart keeps projections equal to a
	// rebuild too.
	s := startCrashServer(t, data)
	checkServed(t, s.addr, o, l, acks)
	checkScores(t, s.addr, o, l)
	compareSnapshots(t, snapshot(t, s.addr, o), rebuilt)
	s.stop(t)
	served := startCrashServer(t, data)
	want := snapshot(t, served.addr, o)
	served.stop(t)
	compareSnapshots(t, want, rebuildSnapshot(t, data, o))
	t.Logf("%d rounds: %d of %d requests acknowledged; the log holds %d answers and %d recognitions",
		rounds, acked, acks.attempted, l.total, len(l.recs))
}

// rebuildSnapshot copies data, which no server may be using, rebuilds the
// copy's projections from position 0, serves it, and returns its snapshot.
func rebuildSnapshot(t *testing.T, data string, o *crashOrg) map[string]string {
	t.Helper()
	cp := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(cp, os.DirFS(data)); err != nil {
		t.Fatalf("copy the data: %v", err)
	}
	if err := run(t.Context(), []string{"rebuild", "--data", cp}, envMap(nil), io.Discard, io.Discard); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	s := startCrashServer(t, cp)
	defer s.stop(t)
	return snapshot(t, s.addr, o)
}

// compareSnapshots fails t unless the served snapshot equals the rebuilt one.
func compareSnapshots(t *testing.T, served, rebuilt map[string]string) {
	t.Helper()
	for k, want := range rebuilt {
		if got := served[k]; got != want {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Errorf("%s differs from a rebuild from zero at byte %d:\n served: ...%s\nrebuilt: ...%s", k, i, excerpt(got, i), excerpt(want, i))
		}
	}
}

// excerpt returns s from a little before i to a little after it.
func excerpt(s string, i int) string {
	return s[max(0, i-80):min(len(s), i+160)]
}
