package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// newLoadClient returns an HTTP client keeping up to clients connections
// alive to one server.
func newLoadClient(clients int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients,
		IdleConnTimeout: time.Minute, DisableCompression: true,
	}}
}

// load is one timed run of concurrent clients posting answers.
type load struct {
	client *http.Client
	// base is the server's URL, http://host:port.
	base string
	// request returns the i-th request's path, bearer token and body.
	request func(i int) (path, token string, body []byte)
	// from and limit bound the request indexes this run may use.
	from, limit int
	clients     int
	// warmup is the unmeasured time before the measured duration.
	warmup, duration time.Duration
}

// loadResult is what a load run measured.
type loadResult struct {
	// completed counts the requests that ended within the measured
	// window, whatever their status; latencies are theirs, sorted.
	completed int
	latencies []time.Duration
	// window is the measured time: duration, or less when the requests
	// ran out.
	window time.Duration
	// sent counts every request, warm-up included; statuses counts them
	// by HTTP status, 0 for a transport error.
	sent     int
	statuses map[int]int
	// next is the first request index not used.
	next int
	// exhausted is set when the run used every index up to limit.
	exhausted bool
}

// perSecond returns the completed requests per second of the window.
func (r loadResult) perSecond() float64 {
	if r.window <= 0 {
		return 0
	}
	return float64(r.completed) / r.window.Seconds()
}

// timing is one request's start, end and status.
type timing struct {
	start, end time.Time
	status     int
}

// run posts requests from l.clients goroutines, each waiting for its
// answer before the next, until the warm-up and the measured duration
// have passed or the indexes run out.
func (l load) run(ctx context.Context) loadResult {
	next := atomic.Int64{}
	next.Store(int64(l.from))
	begin := time.Now()
	measureFrom := begin.Add(l.warmup)
	measureTo := measureFrom.Add(l.duration)
	per := make([][]timing, l.clients)
	var wg sync.WaitGroup
	for w := range l.clients {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(measureTo) {
				i := int(next.Add(1) - 1)
				if i >= l.limit {
					return
				}
				per[w] = append(per[w], l.post(ctx, i))
			}
		})
	}
	wg.Wait()

	res := loadResult{statuses: map[int]int{}, next: min(int(next.Load()), l.limit)}
	res.exhausted = res.next >= l.limit
	last := measureFrom
	for _, ts := range per {
		for _, t := range ts {
			res.sent++
			res.statuses[t.status]++
			if !t.end.Before(measureFrom) && !t.end.After(measureTo) {
				res.completed++
				res.latencies = append(res.latencies, t.end.Sub(t.start))
				if t.end.After(last) {
					last = t.end
				}
			}
		}
	}
	slices.Sort(res.latencies)
	res.window = l.duration
	if res.exhausted {
		res.window = last.Sub(measureFrom)
	}
	return res
}

// post sends the i-th request and reads its whole answer.
func (l load) post(ctx context.Context, i int) timing {
	path, token, body := l.request(i)
	t := timing{start: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.base+path, bytes.NewReader(body))
	if err != nil {
		t.end = time.Now()
		return t
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := l.client.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil {
			t.status = resp.StatusCode
		}
	}
	t.end = time.Now()
	return t
}
