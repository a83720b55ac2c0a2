package metrics_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/metrics"
)

// scrape returns what GET /metrics answers.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: status=%d", rec.Code)
	}
	return string(body)
}

func TestMetrics(t *testing.T) {
	m := metrics.New()
	m.ObserveRequest("GET", "/api/v1/teams/:team", 200, 3*time.Millisecond)
	m.ObserveRequest("GET", "/api/v1/teams/:team", 200, 5*time.Millisecond)
	m.ObserveRequest("GET", "", 404, time.Millisecond)
	m.GaugeFunc("empulse_test_gauge", "A test gauge.", func() float64 { return 42 })
	m.CounterFunc("empulse_test_total", "A test counter.", func() float64 { return 7 })

	raw, err := pebble.Open(t.TempDir(), pebble.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	store := m.Store(raw)
	ctx := context.Background()
	ev := func() events.Proposed { return events.Proposed{ID: uuid.New(), Type: "Test", Data: []byte(`{}`)} }
	if _, err := store.Append(ctx, "s-1", events.NoStream(), ev(), ev()); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Append(ctx, "s-1", events.NoStream(), ev()); err == nil {
		t.Fatal("append to an existing stream with NoStream succeeded")
	}
	if _, err := store.Append(ctx, "$bad", events.Any(), ev()); err == nil {
		t.Fatal("append to a $ stream succeeded")
	}

	body := scrape(t, m)
	for _, want := range []string{
		`empulse_http_requests_total{code="200",method="GET",route="/api/v1/teams/:team"} 2`,
		`empulse_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`empulse_http_request_duration_seconds_count{method="GET",route="/api/v1/teams/:team"} 2`,
		`empulse_store_appends_total{result="ok"} 1`,
		`empulse_store_appends_total{result="conflict"} 1`,
		`empulse_store_appends_total{result="error"} 1`,
		`empulse_store_appended_events_total 2`,
		`empulse_store_append_duration_seconds_count 1`,
		`empulse_test_gauge 42`,
		`empulse_test_total 7`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}
