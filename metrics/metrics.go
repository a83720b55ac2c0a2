// Package metrics exposes Empulse's operational metrics in the Prometheus
// text format: HTTP requests, event-store appends, and whatever gauges
// and counters the program registers (projection lag, live clients and
// drops). It is the adapter to github.com/prometheus/client_golang; no
// other package imports Prometheus.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/empulse/empulse/events"
)

// Metrics holds the collectors of one process. It is safe for concurrent
// use.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	appends   *prometheus.CounterVec
	appended  prometheus.Counter
	appending prometheus.Histogram
}

// New returns Metrics with the HTTP and append collectors and Go's
// runtime and process collectors registered.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "empulse_http_requests_total",
			Help: "HTTP requests answered, by method, route template and status code.",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "empulse_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route template.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"method", "route"}),
		appends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "empulse_store_appends_total",
			Help: "Appends to the event store, by result: ok, conflict (wrong expected revision) or error.",
		}, []string{"result"}),
		appended: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "empulse_store_appended_events_total",
			Help: "Events in successful appends to the event store (an idempotent retry counts again).",
		}),
		appending: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "empulse_store_append_duration_seconds",
			Help:    "Time for an append to become durable.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.appends, m.appended, m.appending,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler returns the handler of GET /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObserveRequest counts an HTTP request answered with status after d.
// route is the route template ("/api/v1/teams/:team"), so that the number
// of series stays bounded; "" counts as "unmatched".
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

// GaugeFunc registers a gauge whose value fn returns at each scrape. It
// panics when name is taken or invalid, a programming error.
func (m *Metrics) GaugeFunc(name, help string, fn func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// CounterFunc registers a counter whose value fn returns at each scrape;
// fn must never decrease. It panics when name is taken or invalid.
func (m *Metrics) CounterFunc(name, help string, fn func() float64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, fn))
}

// Store returns s with its appends counted and timed. Everything else is
// s's own.
func (m *Metrics) Store(s events.Store) events.Store { return &countingStore{Store: s, m: m} }

// countingStore counts the appends of the Store it embeds.
type countingStore struct {
	events.Store
	m *Metrics
}

var _ events.Store = (*countingStore)(nil)

// Append appends through the embedded store and counts the result.
func (s *countingStore) Append(ctx context.Context, stream string, expected events.ExpectedRevision, evs ...events.Proposed) (events.AppendResult, error) {
	start := time.Now()
	res, err := s.Store.Append(ctx, stream, expected, evs...)
	switch {
	case err == nil:
		s.m.appending.Observe(time.Since(start).Seconds())
		s.m.appends.WithLabelValues("ok").Inc()
		s.m.appended.Add(float64(len(evs)))
	case errors.Is(err, events.ErrWrongRevision):
		s.m.appends.WithLabelValues("conflict").Inc()
	default:
		s.m.appends.WithLabelValues("error").Inc()
	}
	return res, err
}
