package live

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/websocket"

	"github.com/empulse/empulse/apperr"
)

// Subprotocol is the WebSocket subprotocol of Empulse's live pushes; the
// upgrade selects it when the client offers it.
const Subprotocol = "empulse.v1"

// bearerProtocol prefixes a token offered as a subprotocol.
const bearerProtocol = "bearer."

// Token returns the bearer token of an upgrade request: from the
// Authorization header ("Bearer <token>"), or else from a subprotocol
// "bearer.<token>", which is how a browser, which cannot set headers on a
// WebSocket, sends it. It returns "" when there is none.
func Token(r *http.Request) string {
	const prefix = "Bearer "
	if h := r.Header.Get("Authorization"); len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
		return strings.TrimSpace(h[len(prefix):])
	}
	for _, p := range websocket.Subprotocols(r) {
		if tok, ok := strings.CutPrefix(p, bearerProtocol); ok && tok != "" {
			return tok
		}
	}
	return ""
}

// ServeHTTP upgrades an authenticated request to a WebSocket connection.
// Before upgrading it refuses, through Config.Refuse, with an
// *apperr.Error:
//   - Forbidden (field "Origin") when the Origin header is neither the
//     request's host nor one of Config.AllowedOrigins;
//   - Unauthenticated when Config.Authenticate fails;
//   - Invalid (field "topic") for an invalid topic or too many in the
//     query, and Authorize's error (Forbidden, field "topic", when it has
//     no code) when it refuses one (topics may be given as
//     ?topic=team:abc&topic=correlations, and later by messages, see
//     client.go);
//   - RateLimited when the viewer's key already holds MaxPerKey
//     connections;
//   - Unavailable once the hub has shut down;
//   - Invalid (field "Upgrade") for a request that is no WebSocket
//     handshake.
//
// Once upgraded, the client is registered with the query's topics and
// its first message is {"type":"ready","topics":[...]}. The connection is
// closed (code 1008, ReasonExpired) at the viewer's Expires, and by
// Disconnect.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.checkOrigin(r) {
		h.refuse(w, r, &apperr.Error{Code: apperr.Forbidden, Field: "Origin", Message: "origin not allowed"})
		return
	}
	v, err := h.cfg.Authenticate(r)
	if err != nil || v.Key == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="empulse"`)
		h.refuse(w, r, apperr.New(apperr.Unauthenticated,
			"missing or invalid credentials: send the token as Authorization: Bearer or as the subprotocol bearer.<token>"))
		return
	}
	var topics []Topic
	query := r.URL.Query()["topic"]
	if len(query) > maxTopics {
		h.refuse(w, r, apperr.Field("topic", "at most %d topics", maxTopics))
		return
	}
	for _, s := range query {
		t := Topic(s)
		if !t.Valid() {
			h.refuse(w, r, apperr.Field("topic", topicRule))
			return
		}
		if err := h.cfg.Authorize(r.Context(), v, t); err != nil {
			if apperr.CodeOf(err) == apperr.Internal {
				err = &apperr.Error{Code: apperr.Forbidden, Field: "topic", Message: "topic not allowed", Err: err}
			}
			h.refuse(w, r, err)
			return
		}
		topics = append(topics, t)
	}
	ok, err := h.reserve(v.Key)
	if err != nil {
		h.refuse(w, r, apperr.New(apperr.Unavailable, "shutting down"))
		return
	}
	if !ok {
		h.refuse(w, r, apperr.New(apperr.RateLimited, "too many live connections for this token"))
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		// The upgrader has answered through upgradeError.
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
	c.expireAt()
	go c.writePump()
	go c.readPump()
}

// refuse answers a request that is not upgraded.
func (h *Hub) refuse(w http.ResponseWriter, r *http.Request, err error) {
	h.refused.Add(1)
	h.cfg.Refuse(w, r, err)
}

// upgradeError answers a request the upgrader refuses (no WebSocket
// handshake, say).
func (h *Hub) upgradeError(w http.ResponseWriter, r *http.Request, _ int, reason error) {
	h.refuse(w, r, apperr.Field("Upgrade", "%v", reason))
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
