package live

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/websocket"
)

// ServeHTTP upgrades an authenticated request to a WebSocket connection.
// Before upgrading it answers
//   - 403 when the Origin header is neither the request's host nor one of
//     Config.AllowedOrigins;
//   - 401 when Config.Authenticate fails;
//   - 400 for an invalid topic in the query, 403 when Authorize refuses
//     one (topics may be given as ?topic=team:abc&topic=correlations, and
//     later by messages, see client.go);
//   - 429 when the viewer's key already holds MaxPerKey connections;
//   - 503 once the hub has shut down.
//
// Once upgraded, the client is registered with the query's topics and
// its first message is {"type":"ready","topics":[...]}.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.checkOrigin(r) {
		h.refuse(w, http.StatusForbidden, "origin not allowed")
		return
	}
	v, err := h.cfg.Authenticate(r)
	if err != nil || v.Key == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		h.refuse(w, http.StatusUnauthorized, "missing or invalid credentials")
		return
	}
	var topics []Topic
	query := r.URL.Query()["topic"]
	if len(query) > maxTopics {
		h.refuse(w, http.StatusBadRequest, "too many topics")
		return
	}
	for _, s := range query {
		t := Topic(s)
		if !t.Valid() {
			h.refuse(w, http.StatusBadRequest, "invalid topic")
			return
		}
		if err := h.cfg.Authorize(r.Context(), v, t); err != nil {
			h.refuse(w, http.StatusForbidden, "topic not allowed")
			return
		}
		topics = append(topics, t)
	}
	ok, err := h.reserve(v.Key)
	if err != nil {
		h.refuse(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	if !ok {
		h.refuse(w, http.StatusTooManyRequests, "too many connections")
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		// The upgrader has answered (400 and the like).
		h.refused.Add(1)
		h.release(v.Key)
		return
	}
	// The connection outlives the request; keep its values, not its
	// cancellation.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	c := newClient(ctx, cancel, h, conn, v)
	if !h.register(c, topics) {
		h.release(v.Key)
		c.closeNow(websocket.CloseGoingAway, "server shutting down")
		return
	}
	c.answer(reply{Type: "ready", Topics: topics})
	go c.writePump()
	go c.readPump()
}

// refuse answers a request that is not upgraded.
func (h *Hub) refuse(w http.ResponseWriter, status int, msg string) {
	h.refused.Add(1)
	http.Error(w, msg, status)
}

// checkOrigin accepts a request without an Origin header, one whose
// Origin's host is the request's host, and one from an allowed origin.
func (h *Hub) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if h.origins[normOrigin(origin)] {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// normOrigin lowercases an origin and drops a trailing slash.
func normOrigin(o string) string { return strings.ToLower(strings.TrimSuffix(o, "/")) }
