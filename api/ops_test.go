package api_test

import (
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/projections"
)

func TestReadyz_Projections(t *testing.T) {
	t.Parallel()
	store, err := pebble.Open(t.TempDir(), pebble.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	runner, err := projections.Open(projections.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { runner.Stop() })
	h := api.NewRouter(api.Config{Store: store, Scores: runner})

	rec := get(t, h, "/readyz")
	var body errorJSON
	decode(t, rec, &body)
	if rec.Code != http.StatusServiceUnavailable || body.Error.Code != "unavailable" {
		t.Fatalf("before the projections caught up: status=%d code=%q, want 503 unavailable", rec.Code, body.Error.Code)
	}
	runner.Start(t.Context())
	deadline := time.Now().Add(30 * time.Second)
	for !runner.CaughtUp() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if rec := get(t, h, "/readyz"); rec.Code != http.StatusOK {
		t.Fatalf("once caught up: status=%d, want 200; body %s", rec.Code, rec.Body)
	}
}

func TestRouter_MetricsAndObserve(t *testing.T) {
	t.Parallel()
	type seen struct {
		method, route string
		status        int
	}
	var mu sync.Mutex
	var got []seen
	s := newServer(t, api.RateLimit{})
	h := api.NewRouter(api.Config{Store: s.store, App: s.app,
		Metrics: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("scrape")) }),
		Observe: func(method, route string, status int, _ time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, seen{method, route, status})
		}})
	if rec := get(t, h, "/metrics"); rec.Code != 200 || rec.Body.String() != "scrape" {
		t.Errorf("GET /metrics: %d %q, want the metrics handler's answer", rec.Code, rec.Body)
	}
	get(t, h, "/api/v1/teams/abc") // no token: 401
	get(t, h, "/no/such/path")
	want := []seen{{"GET", "/metrics", 200}, {"GET", "/api/v1/teams/:team", 401}, {"GET", "", 404}}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(want) {
		t.Fatalf("observed %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("observation %d=%+v, want %+v (route templates, never raw paths)", i, got[i], want[i])
		}
	}
}
