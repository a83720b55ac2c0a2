package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/gorilla/websocket"
)

// dashboard is a WebSocket client of the live pushes, as a dashboard
// page holds one: it counts what it receives.
type dashboard struct {
	conn *websocket.Conn
	// scores and tables count the team-score pushes and the correlation
	// tables received.
	scores, tables atomic.Int64
	wg             sync.WaitGroup
}

// openDashboard connects to addr's /api/v1/live with token, subscribed
// to topics, waits for the hub's "ready" message, and counts the pushes
// that follow until close.
func openDashboard(ctx context.Context, addr, token string, topics []string) (*dashboard, error) {
	q := url.Values{"topic": topics}
	u := "ws://" + addr + "/api/v1/live?" + q.Encode()
	conn, resp, err := websocket.DefaultDialer.DialContext(ctx, u, http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dashboard: %w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	var ready struct{ Type string }
	if err := conn.ReadJSON(&ready); err != nil || ready.Type != "ready" {
		conn.Close()
		return nil, fmt.Errorf("dashboard: no ready message (%q, %v)", ready.Type, err)
	}
	d := &dashboard{conn: conn}
	d.wg.Go(func() {
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			// Both pushes are marshalled with their type first.
			switch {
			case bytes.HasPrefix(msg, []byte(`{"type":"scores"`)):
				d.scores.Add(1)
			case bytes.HasPrefix(msg, []byte(`{"type":"correlations"`)):
				d.tables.Add(1)
			}
		}
	})
	return d, nil
}

// close closes the connection and waits for the reader.
func (d *dashboard) close() {
	d.conn.Close()
	d.wg.Wait()
}
