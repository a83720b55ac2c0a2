package main

import (
	"context"
	"time"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/metrics"
	"github.com/empulse/empulse/projections"
	"github.com/empulse/empulse/web/live"
)

// registerMetrics registers the gauges and counters read from the
// projections and the live hub at each scrape.
func registerMetrics(m *metrics.Metrics, store events.Store, runner *projections.Runner, hub *live.Hub) {
	m.GaugeFunc("empulse_projection_lag_positions",
		"How far the projections are behind the head of the event log, in log positions (events, on the embedded store); -1 when the head cannot be read.",
		func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			head, err := store.Head(ctx)
			if err != nil {
				return -1
			}
			pos := runner.Position()
			if !pos.Less(head) {
				return 0
			}
			return float64(head.Commit - pos.Commit)
		})
	m.GaugeFunc("empulse_projection_caught_up", "1 while the projections follow the event log live, 0 while they catch up.",
		func() float64 {
			if runner.CaughtUp() {
				return 1
			}
			return 0
		})
	m.GaugeFunc("empulse_live_clients", "WebSocket clients connected for live pushes.",
		func() float64 { return float64(hub.Stats().Clients) })
	m.CounterFunc("empulse_live_dropped_total", "WebSocket clients dropped because they read too slowly.",
		func() float64 { return float64(hub.Stats().Dropped) })
	m.CounterFunc("empulse_live_refused_total", "WebSocket upgrades refused (unauthenticated, forbidden, over the limit).",
		func() float64 { return float64(hub.Stats().Refused) })
	m.CounterFunc("empulse_live_messages_total", "Messages queued to WebSocket clients by pushes.",
		func() float64 { return float64(hub.Stats().Delivered) })
}
