package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// scrapeValue returns the value of the sample named by series (a metric
// name with its labels, as written) in the scrape of addr's /metrics, and
// false when it is absent.
func scrapeValue(t *testing.T, addr, series string) (float64, bool) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: status=%d", resp.StatusCode)
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatalf("%s: %v", series, err)
	}
	return v, true
}

func TestServe_Metrics(t *testing.T) {
	t.Parallel()
	o := seedLive(t, 3)
	_, leader := dialLive(t, o.addr, o.leader, "team:"+o.alpha)
	leader.waitFor(t, "ready", func(m push) bool { return m.Type == "ready" })
	if _, lc := dialLive(t, o.addr, o.employees[0], "team:"+o.alpha); lc != nil {
		t.Fatal("an employee subscribed to a team's scores")
	}
	o.answer(t, 0, 4)

	tests := []struct {
		series string
		check  func(float64) bool
		want   string
	}{
		{`empulse_http_requests_total{code="201",method="POST",route="/api/v1/surveys/:survey/pulses/:pulse/answers"}`, func(v float64) bool { return v == 1 }, "1"},
		{`empulse_http_requests_total{code="201",method="POST",route="/api/v1/members"}`, func(v float64) bool { return v == 5 }, "5"},
		{`empulse_store_appends_total{result="ok"}`, func(v float64) bool { return v >= 10 }, ">= 10"},
		{`empulse_store_appended_events_total`, func(v float64) bool { return v >= 10 }, ">= 10"},
		{`empulse_projection_caught_up`, func(v float64) bool { return v == 1 }, "1"},
		{`empulse_projection_lag_positions`, func(v float64) bool { return v == 0 }, "0 (answers wait for the projections)"},
		{`empulse_live_clients`, func(v float64) bool { return v == 1 }, "1"},
		{`empulse_live_refused_total`, func(v float64) bool { return v == 1 }, "1"},
		{`empulse_live_dropped_total`, func(v float64) bool { return v == 0 }, "0"},
	}
	for _, tt := range tests {
		v, ok := scrapeValue(t, o.addr, tt.series)
		if !ok || !tt.check(v) {
			t.Errorf("%s = %v (present %v), want %s", tt.series, v, ok, tt.want)
		}
	}
	call(t, o.addr, "", "GET", "/readyz", "", 200, nil)
}
