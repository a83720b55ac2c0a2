package live_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/empulse/empulse/web/live"
)

// fanoutChildEnv names the environment variable that makes the test
// binary BenchmarkFeedFanout's client process; its value is a
// fanoutChild as JSON.
//
// The process talks to the benchmark in lines: it writes "ready" once
// every dashboard is registered; it reads "stop <n>", n being the pushes
// the hub queued in all; it writes its fanoutResult as JSON once n pushes
// have arrived (or after patience), and exits.
const fanoutChildEnv = "EMPULSE_LIVE_FANOUT_CHILD"

// fanoutChild is what the client process is told.
type fanoutChild struct {
	// URL is the hub's address, to which a dashboard appends its topic.
	URL string
	// Clients is the number of dashboards; dashboard i subscribes to team
	// i%Teams.
	Clients, Teams int
}

// fanoutResult is what the client process reports.
type fanoutResult struct {
	// Received counts the pushes that arrived; Malformed those without a
	// change time (fanoutPayload's prefix).
	Received, Malformed int64
	// P50, P99 and Max are quantiles of the time from a change to the
	// receipt of its push, over every push received; zero if none was.
	P50, P99, Max time.Duration
}

// fanoutDialers is the number of dashboards connecting at once.
const fanoutDialers = 32

// runFanoutClients runs the client process with cfg (a fanoutChild as
// JSON), talking over in and out, and returns its exit code: 0, or 1
// after writing the error to errs.
func runFanoutClients(cfg string, in io.Reader, out, errs io.Writer) int {
	if err := fanoutClients(cfg, in, out); err != nil {
		fmt.Fprintln(errs, "live fan-out clients:", err)
		return 1
	}
	return 0
}

// fanoutClients connects the dashboards, records the latency of every
// push until told to stop, and reports.
func fanoutClients(cfgJSON string, in io.Reader, out io.Writer) error {
	var cfg fanoutChild
	if err := json.Unmarshal([]byte(cfgJSON), &cfg); err != nil {
		return fmt.Errorf("%s: %w", fanoutChildEnv, err)
	}
	conns := make([]*websocket.Conn, cfg.Clients)
	lat := make([][]time.Duration, cfg.Clients)
	var received, malformed atomic.Int64
	var readers sync.WaitGroup
	closeAll := func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
		readers.Wait()
	}

	dialErrs := make([]error, cfg.Clients)
	var failed atomic.Bool
	next := make(chan int)
	var dialers sync.WaitGroup
	for range fanoutDialers {
		dialers.Go(func() {
			for i := range next {
				if failed.Load() {
					continue
				}
				c, err := dialDashboard(cfg, i)
				if err != nil {
					dialErrs[i] = err
					failed.Store(true)
					continue
				}
				conns[i] = c
				readers.Go(func() { readPushes(c, &lat[i], &received, &malformed) })
			}
		})
	}
	for i := range cfg.Clients {
		next <- i
	}
	close(next)
	dialers.Wait()
	if err := errors.Join(dialErrs...); err != nil {
		closeAll()
		return err
	}

	fmt.Fprintln(out, "ready")
	sc := bufio.NewScanner(in)
	var want int64
	if !sc.Scan() {
		closeAll()
		return fmt.Errorf("no stop from the benchmark: %v", sc.Err())
	}
	if _, err := fmt.Sscanf(sc.Text(), "stop %d", &want); err != nil {
		closeAll()
		return fmt.Errorf("%q: %w", sc.Text(), err)
	}
	deadline := time.Now().Add(patience)
	for received.Load() < want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	closeAll()

	all := slices.Concat(lat...)
	slices.Sort(all)
	res := fanoutResult{Received: received.Load(), Malformed: malformed.Load()}
	if len(all) > 0 {
		res.P50, res.P99, res.Max = quantile(all, 0.50), quantile(all, 0.99), quantile(all, 1)
	}
	return json.NewEncoder(out).Encode(res)
}

// dialDashboard connects dashboard i to its team's topic and reads its
// ready message: it is registered when this returns.
func dialDashboard(cfg fanoutChild, i int) (*websocket.Conn, error) {
	d := websocket.Dialer{HandshakeTimeout: patience}
	hdr := http.Header{"X-Bench-Key": {strconv.Itoa(i)}}
	c, _, err := d.Dial(cfg.URL+string(live.TeamTopic(strconv.Itoa(i%cfg.Teams))), hdr)
	if err != nil {
		return nil, fmt.Errorf("dial %d: %w", i, err)
	}
	_ = c.SetReadDeadline(time.Now().Add(patience))
	_, msg, err := c.ReadMessage()
	if err == nil && !strings.HasPrefix(string(msg), `{"type":"ready"`) {
		err = fmt.Errorf("first message %.40s, want ready", msg)
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("dashboard %d: %w", i, err)
	}
	_ = c.SetReadDeadline(time.Time{})
	return c, nil
}

// readPushes reads c's pushes until it fails or is closed, appending the
// latency of each to lat and counting them. It reads every message into
// one buffer: ten thousand dashboards allocating a message each would
// make this process collect garbage, and its pauses count as latency.
func readPushes(c *websocket.Conn, lat *[]time.Duration, received, malformed *atomic.Int64) {
	var msg bytes.Buffer
	for {
		_, r, err := c.NextReader()
		if err != nil {
			return
		}
		msg.Reset()
		if _, err := msg.ReadFrom(r); err != nil {
			return
		}
		now := time.Now().UnixNano()
		at, ok := changeTime(msg.Bytes())
		if !ok {
			malformed.Add(1)
			continue
		}
		*lat = append(*lat, time.Duration(now-at))
		received.Add(1)
	}
}

// changePrefix starts every push of BenchmarkFeedFanout: the change time
// comes first, so a dashboard reads it without decoding the rest.
const changePrefix = `{"changed":`

// fanoutPayload returns a team's figures of week as pushed, about 512
// bytes like a team's scores as JSON, starting with the wall-clock time
// of the change in Unix nanoseconds: the benchmark and its client process
// run on one host, so their clocks agree.
func fanoutPayload(changed int64, team, week string, n int) []byte {
	p := fmt.Appendf(nil, `%s%d,"team":%q,"week":%q,"figures":{"engagement":{"n":%d,"mean":7.25},"enps":{"n":%d,"score":12}},"pad":"`,
		changePrefix, changed, team, week, n, n)
	p = append(p, bytes.Repeat([]byte{'x'}, max(0, 512-len(p)-2))...)
	return append(p, `"}`...)
}

// changeTime returns the change time of a fanoutPayload, and false for
// any other message.
func changeTime(msg []byte) (int64, bool) {
	rest, ok := bytes.CutPrefix(msg, []byte(changePrefix))
	if !ok {
		return 0, false
	}
	digits, _, ok := bytes.Cut(rest, []byte{','})
	if !ok {
		return 0, false
	}
	at, err := strconv.ParseInt(string(digits), 10, 64)
	return at, err == nil
}
