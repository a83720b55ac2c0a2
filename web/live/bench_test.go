package live_test

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/web/live"
)

var (
	benchClients = flag.Int("live.clients", 1000, "dashboard clients of BenchmarkFanout (issue 7 wants 10000; each needs two file descriptors)")
	benchTeams   = flag.Int("live.teams", 100, "team topics of BenchmarkFanout; clients are spread evenly over them")
)

// BenchmarkFanout connects -live.clients dashboards on loopback, each
// subscribed to one of -live.teams team topics, and publishes rounds: one
// message to every team topic (a second of "one update per second per
// team" compressed), waiting for every client to receive its message
// before the next round. It reports the latency from Publish to receipt
// (p50, p99, max) and the memory and goroutines per connection. Clients
// and server share the process, so memory counts both ends of a
// connection and the clients' reading competes with the hub for the CPU.
func BenchmarkFanout(b *testing.B) {
	clients, teams := *benchClients, min(*benchTeams, *benchClients)
	h, url := startBenchHub(b)

	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	g0 := runtime.NumGoroutine()
	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		hdr := http.Header{"X-Bench-Key": {fmt.Sprint(i)}}
		c, _, err := websocket.DefaultDialer.Dial(url+string(live.TeamTopic(fmt.Sprint(i%teams))), hdr)
		if err != nil {
			b.Fatalf("dial %d: %v", i, err)
		}
		if _, _, err := c.ReadMessage(); err != nil { // ready: registered
			b.Fatalf("dial %d: %v", i, err)
		}
		conns[i] = c
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	g1 := runtime.NumGoroutine()

	// One reader per client records latencies and counts receipts.
	var received atomic.Int64
	roundDone := make(chan struct{}, 1)
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			for {
				_, msg, err := c.ReadMessage()
				if err != nil {
					return
				}
				lat[i] = append(lat[i], time.Duration(time.Now().UnixNano()-int64(binary.BigEndian.Uint64(msg))))
				if received.Add(1) == int64(clients) {
					roundDone <- struct{}{}
				}
			}
		})
	}

	payloads := make([][]byte, teams)
	for t := range payloads {
		payloads[t] = make([]byte, 512) // about a team's scores as JSON
	}
	rounds := 0
	for b.Loop() {
		received.Store(0)
		for t, p := range payloads {
			p = slices.Clone(p) // published payloads are not reused
			binary.BigEndian.PutUint64(p, uint64(time.Now().UnixNano()))
			h.Publish(live.TeamTopic(fmt.Sprint(t)), p)
		}
		select {
		case <-roundDone:
		case <-time.After(time.Minute):
			b.Fatalf("round %d: %d of %d received (dropped %d)", rounds, received.Load(), clients, h.Stats().Dropped)
		}
		rounds++
	}
	b.StopTimer()
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	b.ReportMetric(ms(quantile(all, 0.50)), "p50-ms")
	b.ReportMetric(ms(quantile(all, 0.99)), "p99-ms")
	b.ReportMetric(ms(quantile(all, 1)), "max-ms")
	b.ReportMetric(float64(int64(m1.HeapAlloc+m1.StackInuse)-int64(m0.HeapAlloc+m0.StackInuse))/float64(clients), "B/conn")
	b.ReportMetric(float64(g1-g0)/float64(clients), "goroutines/conn")
	b.ReportMetric(float64(h.Stats().Dropped), "dropped")
	b.ReportMetric(float64(clients), "clients")
}

// startBenchHub starts a hub that lets every request in, keyed by its
// X-Bench-Key header, behind a loopback server, and registers its
// shutdown. It returns the hub and the URL to which a dashboard appends
// its topic.
func startBenchHub(b *testing.B) (*live.Hub, string) {
	b.Helper()
	h := live.New(live.Config{
		Authenticate: func(r *http.Request) (live.Viewer, error) {
			return live.Viewer{Key: r.Header.Get("X-Bench-Key")}, nil
		},
		Authorize: func(context.Context, live.Viewer, live.Topic) error { return nil },
		Refuse:    api.ErrorWriter(nil),
	})
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(b.Context())
	ran := make(chan error, 1)
	go func() { ran <- h.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-ran })
	return h, "ws" + strings.TrimPrefix(srv.URL, "http") + "/live?topic="
}

// quantile returns the p-quantile (0 <= p <= 1) of sorted, which must not
// be empty: the element below which a fraction p of them lie.
func quantile(sorted []time.Duration, p float64) time.Duration {
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// ms returns d in milliseconds, for ReportMetric.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
