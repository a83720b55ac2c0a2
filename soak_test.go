package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Soak thresholds. Both samples are taken with the server idle and every
// client closed, so goroutines should return to the same count; the margin
// allows for the few the server starts lazily and keeps (a pebble
// compaction or flush in flight, the live hub's per-topic state, net/http's
// connection reapers). The heap may legitimately grow with the data the load
// writes (projections hold scores and pulses in memory, the store's
// memtable fills), so it may double plus a fixed allowance; a leak of a
// goroutine, buffer or subscription per request or connection grows far
// beyond both over thousands of requests.
const (
	soakGoroutineMargin = 20
	soakHeapFactor      = 2
	soakHeapSlack       = 32 << 20
)

// soakDuration is how long the soak test loads the server: EMPULSE_SOAK
// (a time.Duration such as 10m) if set, 60 s in CI, else 15 s.
func soakDuration(t *testing.T) time.Duration {
	t.Helper()
	if s := os.Getenv("EMPULSE_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			t.Fatalf("EMPULSE_SOAK=%q: want a positive duration such as 10m", s)
		}
		return d
	}
	if os.Getenv("CI") == "true" {
		return 60 * time.Second
	}
	return 15 * time.Second
}

// soakOrg is the organisation the soak test loads: Company > Alpha, Beta,
// leaders, analysts and an hr member with the admin role in Company,
// employees in both teams, and a weekly
// WHO-5 survey of Company whose pulse the admin keeps reopening.
type soakOrg struct {
	addr                  string
	company, alpha, beta  string
	leaders, analysts     []string // tokens
	employees, employeeID []string // tokens and member IDs, by index
	survey                string
	answers               atomic.Pointer[string] // path of the open pulse's answers

	// givers are the members the recognition load gives as, each with
	// what remains of their weekly allowance; hired counts the members
	// added for it. Only the recognition client uses them, and the phases
	// run one after the other.
	hr     string // token of the member with the admin role who hires
	givers []soakGiver
	hired  int
}

// soakGiver is a member giving recognitions in the soak.
type soakGiver struct {
	token string
	left  int // of the week's allowance
}

// soakGivers is how many members give recognitions at a time; when one
// has spent their weekly allowance a member with the admin role (not the
// admin token, so that hiring does not share the pulse opener's rate
// limit) hires a new member to take
// their place, so that however long the soak runs (the clock is real, so
// allowances do not renew) every recognition is one the server accepts.
const soakGivers = 8

// soakAdmin is the admin token of the soak test's server.
const soakAdmin = "soak-admin-token"

// seedSoak writes a soakOrg with n employees to the server at addr.
func seedSoak(t *testing.T, addr string, n int) *soakOrg {
	t.Helper()
	o := &soakOrg{addr: addr}
	var id struct {
		ID string `json:"id"`
	}
	call(t, addr, soakAdmin, "POST", "/api/v1/teams", `{"name":"Company"}`, 201, &id)
	o.company = id.ID
	call(t, addr, soakAdmin, "POST", "/api/v1/teams", `{"name":"Alpha","parent_id":"`+o.company+`"}`, 201, &id)
	o.alpha = id.ID
	call(t, addr, soakAdmin, "POST", "/api/v1/teams", `{"name":"Beta","parent_id":"`+o.company+`"}`, 201, &id)
	o.beta = id.ID
	member := func(team, role string, i int) (token, memberID string) {
		var cm struct {
			Member struct {
				ID string `json:"id"`
			} `json:"member"`
			Token string `json:"token"`
		}
		body := fmt.Sprintf(`{"name":"s%d","email":"%s%d@example.org","team_id":"%s","role":"%s"}`, i, role, i, team, role)
		call(t, addr, soakAdmin, "POST", "/api/v1/members", body, 201, &cm)
		return cm.Token, cm.Member.ID
	}
	for i := range 3 {
		tok, _ := member(o.company, "leader", i)
		o.leaders = append(o.leaders, tok)
	}
	for i := range 2 {
		tok, _ := member(o.company, "analyst", i)
		o.analysts = append(o.analysts, tok)
	}
	o.hr, _ = member(o.company, "admin", 0)
	for i := range n {
		team := o.alpha
		if i%2 == 1 {
			team = o.beta
		}
		tok, mid := member(team, "employee", i)
		o.employees = append(o.employees, tok)
		o.employeeID = append(o.employeeID, mid)
	}
	call(t, addr, soakAdmin, "POST", "/api/v1/surveys", `{"name":"Soak","team_id":"`+o.company+`","instruments":["who5"],"cadence":"weekly","k":3}`, 201, &id)
	o.survey = id.ID
	call(t, addr, soakAdmin, "POST", "/api/v1/surveys/"+o.survey+"/pulses", "", 201, &id)
	o.setPulse(id.ID)
	return o
}

// setPulse makes pulse the one the answerers answer.
func (o *soakOrg) setPulse(pulse string) {
	p := "/api/v1/surveys/" + o.survey + "/pulses/" + pulse + "/answers"
	o.answers.Store(&p)
}

// soakLoad runs the mixed load against a soakOrg and checks every
// response: 2xx, or one of the 4xx the request may deliberately get.
type soakLoad struct {
	t      *testing.T
	o      *soakOrg
	client *http.Client

	mu     sync.Mutex
	counts map[string]int // "kind status" -> responses
	errs   int
}

// maxSoakErrors bounds the unexpected responses reported in full.
const maxSoakErrors = 10

// do sends method path with token and body, counts the response under
// kind, and reports it unless it is 2xx or one of allowed. It returns the
// status and body, or 0 when the request failed. The end of ctx does not
// cancel the request: the load stops between requests, so that the server
// sees no aborted ones.
func (l *soakLoad) do(ctx context.Context, kind, token, method, path, body string, allowed ...int) (int, []byte) {
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), method, "http://"+l.o.addr+path, strings.NewReader(body))
	if err != nil {
		l.fail("%s %s: %v", method, path, err)
		return 0, nil
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := l.client.Do(req)
	if err != nil {
		l.fail("%s %s: %v", method, path, err)
		return 0, nil
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		l.fail("%s %s: read body: %v", method, path, err)
	}
	l.count(kind, resp.StatusCode)
	ok := resp.StatusCode/100 == 2
	for _, a := range allowed {
		ok = ok || resp.StatusCode == a
	}
	if !ok {
		l.fail("%s %s: unexpected status %d; body %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, data
}

// count records one outcome of kind.
func (l *soakLoad) count(kind string, status int) {
	l.mu.Lock()
	l.counts[fmt.Sprintf("%s %d", kind, status)]++
	l.mu.Unlock()
}

// fail reports an unexpected outcome; beyond maxSoakErrors it only counts.
func (l *soakLoad) fail(format string, args ...any) {
	l.mu.Lock()
	l.errs++
	n := l.errs
	l.mu.Unlock()
	if n <= maxSoakErrors {
		l.t.Errorf(format, args...)
	} else {
		l.t.Fail()
	}
}

// every runs f every period until ctx ends.
func every(ctx context.Context, period time.Duration, f func()) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			f()
		}
	}
}

// run loads the server until ctx ends and returns once every client has
// stopped.
func (l *soakLoad) run(ctx context.Context) {
	var wg sync.WaitGroup
	o := l.o
	// The admin closes the pulse and opens the next every 2 s, so members
	// keep answering; it also sends a malformed pulse request.
	wg.Go(func() {
		every(ctx, 2*time.Second, func() {
			p := *o.answers.Load()
			pulse := strings.TrimSuffix(p, "/answers")
			if st, _ := l.do(ctx, "close", soakAdmin, "POST", pulse+"/close", ""); st == 0 {
				return
			}
			var id struct {
				ID string `json:"id"`
			}
			st, data := l.do(ctx, "open", soakAdmin, "POST", "/api/v1/surveys/"+o.survey+"/pulses", "")
			if st == http.StatusCreated && json.Unmarshal(data, &id) == nil {
				o.setPulse(id.ID)
			} else if st == http.StatusCreated {
				l.fail("open pulse: undecodable %s", data)
			}
			l.do(ctx, "bad-open", soakAdmin, "POST", "/api/v1/surveys/"+o.survey+"/pulses", `{"when":"now"}`, http.StatusBadRequest)
		})
	})
	// Answerers: each owns a slice of the employees and answers the open
	// pulse; 409 is an answer to a pulse already answered or just closed.
	const answerers = 4
	for w := range answerers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			every(ctx, 25*time.Millisecond, func() {
				i := w + answerers*rng.IntN(len(o.employees)/answerers)
				if rng.IntN(20) == 0 {
					l.do(ctx, "bad-answer", o.employees[i], "POST", *o.answers.Load(),
						`{"values":{"who5.cheerful":99}}`, http.StatusBadRequest, http.StatusConflict, http.StatusTooManyRequests)
					return
				}
				v := 1 + rng.IntN(5)
				body := fmt.Sprintf(`{"values":{"who5.cheerful":%d,"who5.calm":%d,"who5.active":%d,"who5.rested":%d,"who5.interest":%d}}`, v, v, v, v, v)
				l.do(ctx, "answer", o.employees[i], "POST", *o.answers.Load(), body, http.StatusConflict, http.StatusTooManyRequests)
			})
		})
	}
	// Recognitions from the givers to random employees. A giver's spent
	// allowance is not an allowed outcome: hr hires a new giver in their
	// place first.
	wg.Go(func() {
		rng := rand.New(rand.NewPCG(7, uint64(o.hired)))
		every(ctx, 25*time.Millisecond, func() {
			for len(o.givers) < soakGivers {
				if !l.hire(ctx) {
					return
				}
			}
			g, r := rng.IntN(len(o.givers)), rng.IntN(len(o.employees))
			if rng.IntN(20) == 0 {
				l.do(ctx, "bad-recognition", o.givers[g].token, "POST", "/api/v1/recognitions",
					`{"receiver_id":"`+o.employeeID[r]+`","value":"Not A Value","message":"x"}`, http.StatusBadRequest, http.StatusTooManyRequests)
				return
			}
			st, _ := l.do(ctx, "recognition", o.givers[g].token, "POST", "/api/v1/recognitions",
				`{"receiver_id":"`+o.employeeID[r]+`","value":"help","message":"thanks for the soak"}`, http.StatusTooManyRequests)
			if st != http.StatusCreated {
				return
			}
			if o.givers[g].left--; o.givers[g].left == 0 {
				o.givers = append(o.givers[:g], o.givers[g+1:]...)
			}
		})
	})
	// Dashboards: leaders read team scores, the heat map and the overview.
	for i, leader := range o.leaders {
		wg.Go(func() {
			paths := []string{"/api/v1/teams/" + o.alpha + "/scores", "/api/v1/teams/" + o.company + "/scores",
				"/api/v1/scores/heatmap", "/api/v1/teams/" + o.beta + "/scores?metrics=wellbeing"}
			n := i
			every(ctx, 70*time.Millisecond, func() {
				n++
				l.do(ctx, "dashboard", leader, "GET", paths[n%len(paths)], "", http.StatusTooManyRequests)
			})
		})
	}
	// Exports: analysts download the correlation table as CSV, plots and
	// the organisation overview;
	// an unknown format is a deliberate 400.
	for i, analyst := range o.analysts {
		wg.Go(func() {
			paths := []string{"/api/v1/analysis/correlations?format=csv", "/api/v1/analysis/correlations?format=ndjson",
				"/api/v1/analysis/plots/scatter?x=recognition&y=wellbeing&format=svg", "/api/v1/analysis/plots/trends?metric=wellbeing&format=png", "/api/v1/scores/overview"}
			n := i
			every(ctx, 150*time.Millisecond, func() {
				n++
				if n%10 == 0 {
					l.do(ctx, "bad-export", analyst, "GET", "/api/v1/analysis/correlations?format=xlsx", "", http.StatusBadRequest, http.StatusTooManyRequests)
					return
				}
				l.do(ctx, "export", analyst, "GET", paths[n%len(paths)], "", http.StatusTooManyRequests)
			})
		})
	}
	// WebSocket clients: one per leader and analyst holds its connection
	// for the whole run; others reconnect every 0.5-2.5 s.
	for i, tok := range append(append([]string(nil), o.leaders...), o.analysts...) {
		topics := "?topic=team:" + o.alpha + "&topic=team:" + o.company
		if i >= len(o.leaders) {
			topics = "?topic=correlations"
		}
		wg.Go(func() { l.live(ctx, tok, topics, 0) })
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 3))
			for ctx.Err() == nil {
				l.live(ctx, tok, topics, 500*time.Millisecond+time.Duration(rng.IntN(2000))*time.Millisecond)
			}
		})
	}
	wg.Wait()
}

// hire adds an employee to Alpha or Beta through the admin API, as the
// soakOrg's hr, and makes
// them a giver with the allowance their week shows. It returns false when a
// request failed.
func (l *soakLoad) hire(ctx context.Context) bool {
	o := l.o
	team := o.alpha
	if o.hired%2 == 1 {
		team = o.beta
	}
	body := fmt.Sprintf(`{"name":"h%d","email":"hire%d@example.org","team_id":"%s"}`, o.hired, o.hired, team)
	st, data := l.do(ctx, "hire", o.hr, "POST", "/api/v1/members", body, http.StatusTooManyRequests)
	if st != http.StatusCreated {
		return false
	}
	o.hired++
	var cm struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(data, &cm); err != nil || cm.Token == "" {
		l.fail("hire: undecodable %s", data)
		return false
	}
	st, data = l.do(ctx, "allowance", cm.Token, "GET", "/api/v1/me/recognitions", "", http.StatusTooManyRequests)
	if st != http.StatusOK {
		return false
	}
	var week struct {
		Remaining int `json:"remaining"`
	}
	if err := json.Unmarshal(data, &week); err != nil || week.Remaining <= 0 {
		l.fail("a new hire's week: %s, want some allowance remaining", data)
		return false
	}
	o.givers = append(o.givers, soakGiver{token: cm.Token, left: week.Remaining})
	return true
}

// live opens the live WebSocket with token on topics, reads its pushes
// until hold has passed (0: until ctx ends), and closes it.
func (l *soakLoad) live(ctx context.Context, token, topics string, hold time.Duration) {
	d := websocket.Dialer{Subprotocols: []string{"empulse.v1", "bearer." + token}, HandshakeTimeout: 10 * time.Second}
	conn, resp, err := d.DialContext(context.WithoutCancel(ctx), "ws://"+l.o.addr+"/api/v1/live"+topics, nil)
	if err != nil {
		switch {
		case resp != nil && resp.StatusCode == http.StatusTooManyRequests:
			l.count("live", resp.StatusCode)
		case resp != nil:
			l.count("live", resp.StatusCode)
			l.fail("live dial: status %d: %v", resp.StatusCode, err)
		default:
			l.fail("live dial: %v", err)
		}
		return
	}
	l.count("live", resp.StatusCode)
	hctx, cancel := ctx, context.CancelFunc(func() {})
	if hold > 0 {
		hctx, cancel = context.WithTimeout(ctx, hold)
	}
	defer cancel()
	stop := context.AfterFunc(hctx, func() {
		_ = conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	})
	defer stop()
	defer conn.Close()
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			if hctx.Err() == nil {
				l.fail("live read before close: %v", err)
			}
			return
		}
		l.count("push", 0)
		if !strings.HasPrefix(string(data), "{") {
			l.fail("live push is not a JSON object: %s", data)
		}
	}
}

// logFigures logs the responses by kind and status, the HTTP requests and
// the WebSocket pushes received in total and per second of d, and the
// members hired as givers.
func (l *soakLoad) logFigures(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	kinds := slices.Sorted(maps.Keys(l.counts))
	requests := 0
	for _, k := range kinds {
		l.t.Logf("responses %-22s %8d", k, l.counts[k])
		if !strings.HasPrefix(k, "push ") && !strings.HasPrefix(k, "live ") {
			requests += l.counts[k]
		}
	}
	pushes := l.counts["push 0"]
	l.t.Logf("HTTP requests: %d (%.0f/s); WebSocket upgrades: %d; pushes received: %d (%.0f/s); members hired as givers: %d",
		requests, float64(requests)/d.Seconds(), l.counts["live 101"], pushes, float64(pushes)/d.Seconds(), l.o.hired)
}

// soakSample is the process's goroutines and in-use heap after a GC.
type soakSample struct {
	goroutines int
	heapInuse  uint64
}

// takeSoakSample collects garbage and samples the process.
func takeSoakSample() soakSample {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return soakSample{goroutines: runtime.NumGoroutine(), heapInuse: ms.HeapInuse}
}

func (s soakSample) String() string {
	return fmt.Sprintf("goroutines=%d heap_inuse=%.1f MiB", s.goroutines, float64(s.heapInuse)/(1<<20))
}

// TestSoak serves an organisation in-process under mixed load (answers,
// recognitions by a stream of new hires, dashboards, live WebSocket
// clients, exports) for soakDuration and checks that no response is an
// error other than the deliberate 4xx, and that goroutines and heap are
// flat: sampled idle after a warm-up of a tenth of the run and idle again
// after it. It logs its figures: responses by kind and status, requests and
// pushes per second, goroutines and heap. It does not run in parallel, so
// the counts are the serve's and this test's alone.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test skipped in -short mode")
	}
	total := soakDuration(t)
	// Quiet logs: a soak writes hundreds of thousands of request lines,
	// which would otherwise be the heap's growth.
	env := map[string]string{envData: t.TempDir(), envLogFormat: "json", envAdminToken: soakAdmin}
	addr, logs, stop := startServeWith(t, []string{"--addr", "127.0.0.1:0"}, env, newQuietLogWatcher())
	o := seedSoak(t, addr, 40)
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	l := &soakLoad{t: t, o: o, client: &http.Client{Timeout: 30 * time.Second, Transport: transport}, counts: map[string]int{}}

	// phase loads the server for d, logging samples every few seconds,
	// then closes every client.
	phase := func(name string, d time.Duration) {
		ctx, cancel := context.WithTimeout(t.Context(), d)
		defer cancel()
		done := make(chan struct{})
		go func() { defer close(done); l.run(ctx) }()
		began := time.Now()
		period := max(2*time.Second, d/20)
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-done:
				transport.CloseIdleConnections()
				return
			case <-tick.C:
				t.Logf("%s %s: %v (under load)", name, time.Since(began).Round(time.Second), takeSoakSample())
			}
		}
	}
	// idle waits, up to 10 s, for the goroutines of closed connections to
	// end, and returns the sample once the count stops falling.
	idle := func(name string) soakSample {
		s := takeSoakSample()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			time.Sleep(250 * time.Millisecond)
			next := takeSoakSample()
			if next.goroutines >= s.goroutines {
				s = next
				break
			}
			s = next
		}
		t.Logf("%s (idle): %v", name, s)
		return s
	}

	phase("warm-up", total/10)
	start := idle("start")
	phase("soak", total-total/10)
	end := idle("end")

	l.logFigures(total)
	t.Logf("goroutines: %d at the start, %d at the end; heap in use: %.1f MiB at the start, %.1f MiB at the end",
		start.goroutines, end.goroutines, float64(start.heapInuse)/(1<<20), float64(end.heapInuse)/(1<<20))
	if end.goroutines > start.goroutines+soakGoroutineMargin {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		t.Errorf("goroutines grew from %d to %d (margin %d); stacks:\n%s", start.goroutines, end.goroutines, soakGoroutineMargin, buf[:n])
	}
	if limit := soakHeapFactor*start.heapInuse + soakHeapSlack; end.heapInuse > limit {
		t.Errorf("heap in use grew from %v to %v, over %d x start + %d MiB", start, end, soakHeapFactor, soakHeapSlack>>20)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if kept := logs.String(); kept != "" {
		t.Errorf("serve logged warnings or errors during the soak:\n%s", kept)
	}
}
