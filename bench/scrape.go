package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// answerRoute is the route template of the answer endpoint in the
// server's metrics.
const answerRoute = `route="/api/v1/surveys/:survey/pulses/:pulse/answers"`

// serverTimes are the sums and counts of the server's own histograms:
// the time it took to answer answer requests, and the time appends took
// to become durable.
type serverTimes struct {
	requestSum, requestCount float64
	appendSum, appendCount   float64
}

// sub returns t - u.
func (t serverTimes) sub(u serverTimes) serverTimes {
	return serverTimes{t.requestSum - u.requestSum, t.requestCount - u.requestCount,
		t.appendSum - u.appendSum, t.appendCount - u.appendCount}
}

// scrapeTimes reads the server's GET /metrics (the Prometheus text
// format).
func scrapeTimes(ctx context.Context, addr string) (serverTimes, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return serverTimes{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return serverTimes{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return serverTimes{}, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	var t serverTimes
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		sp := strings.LastIndexByte(line, ' ')
		if sp < 0 || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(line[sp+1:], 64)
		if err != nil {
			continue
		}
		name, labels, _ := strings.Cut(line[:sp], "{")
		switch {
		case name == "empulse_http_request_duration_seconds_sum" && strings.Contains(labels, answerRoute):
			t.requestSum += v
		case name == "empulse_http_request_duration_seconds_count" && strings.Contains(labels, answerRoute):
			t.requestCount += v
		case name == "empulse_store_append_duration_seconds_sum":
			t.appendSum += v
		case name == "empulse_store_append_duration_seconds_count":
			t.appendCount += v
		}
	}
	return t, sc.Err()
}
