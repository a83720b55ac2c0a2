package live

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// The defaults of Config, named after gorilla's chat example.
const (
	// DefaultWriteWait is the time allowed to write one message (or a
	// ping or close frame) to the peer.
	DefaultWriteWait = 10 * time.Second
	// DefaultPongWait is the time allowed to read the next pong (or any
	// message) from the peer.
	DefaultPongWait = 60 * time.Second
	// DefaultReadLimit is the largest message accepted from a peer, in
	// bytes: subscriptions are small.
	DefaultReadLimit = 1024
	// DefaultSendBuffer is the number of messages queued for one client;
	// a client with a full buffer is dropped.
	DefaultSendBuffer = 64
	// DefaultMaxPerKey is the number of connections one credential may
	// hold at once.
	DefaultMaxPerKey = 8
)

// Viewer is who a connection belongs to, as Config.Authenticate found.
type Viewer struct {
	// Key identifies the credential (for example a hash of the bearer
	// token): connections are limited per Key. It must not be empty.
	Key string
	// Principal is whatever the caller's Authorize needs to decide.
	Principal any
	// Expires is when the credential stops being valid: the connection is
	// closed then (with ReasonExpired). Zero means never.
	Expires time.Time
}

// ReasonExpired is the reason of the close frame sent when a viewer's
// credential expires.
const ReasonExpired = "this link has expired; ask for a new one"

// Config holds what a Hub needs.
type Config struct {
	// Authenticate returns the viewer of an upgrade request, or an error
	// for a missing or invalid credential (then the request is answered
	// 401 and not upgraded); required.
	Authenticate func(r *http.Request) (Viewer, error)
	// Authorize returns nil when v may subscribe to t, an error otherwise
	// (the subscription is refused: 403 before the upgrade, an error
	// message after it); required. It is called only for valid topics.
	Authorize func(ctx context.Context, v Viewer, t Topic) error
	// Refuse answers an upgrade request that is refused, with an
	// *apperr.Error saying why (api.ErrorWriter does it the API's way);
	// required.
	Refuse func(w http.ResponseWriter, r *http.Request, err error)
	// AllowedOrigins are origins ("https://example.org", compared
	// case-insensitively) accepted besides the request's own host. A
	// request without an Origin header (not from a browser) is accepted.
	AllowedOrigins []string
	// MaxPerKey bounds the connections of one Viewer.Key (429 beyond);
	// DefaultMaxPerKey if 0.
	MaxPerKey int
	// SendBuffer is the number of messages queued per client;
	// DefaultSendBuffer if 0.
	SendBuffer int
	// ReadLimit is the largest message read from a client;
	// DefaultReadLimit if 0.
	ReadLimit int64
	// WriteWait, PongWait and PingPeriod are the deadlines of writes, of
	// reading the next pong, and the period of pings (which must be
	// shorter than PongWait); DefaultWriteWait, DefaultPongWait and 9/10
	// of PongWait if 0.
	WriteWait, PongWait, PingPeriod time.Duration
	// Logger receives unexpected connection errors; nothing is logged if
	// nil.
	Logger *slog.Logger
	// Now is the clock that Viewer.Expires is compared with; time.Now if
	// nil.
	Now func() time.Time
	// AfterFunc calls f in its own goroutine once d has passed, and
	// returns a function that cancels the call (reporting whether it did),
	// like time.AfterFunc and Timer.Stop; time.AfterFunc if nil. The hub
	// closes a connection at its viewer's expiry with it.
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
}

// Stats are a Hub's counters, for metrics.
type Stats struct {
	// Clients is the number of connected clients.
	Clients int64
	// Accepted is the number of connections upgraded so far.
	Accepted uint64
	// Dropped is the number of clients dropped because their send buffer
	// was full.
	Dropped uint64
	// Refused is the number of upgrade requests refused (401, 403, 429 or
	// 503).
	Refused uint64
	// Published is the number of Publish calls; Delivered the messages
	// queued to clients by them.
	Published, Delivered uint64
}

// Hub keeps the connected clients and their topics and fans published
// payloads out to them. It is an http.Handler for the upgrade
// (upgrade.go). Run's context ends it. It is safe for concurrent use.
type Hub struct {
	cfg      Config
	upgrader websocket.Upgrader
	origins  map[string]bool

	// mu guards the fields below it.
	mu      sync.RWMutex
	topics  map[Topic]map[*client]struct{}
	clients map[*client]struct{}
	perKey  map[string]int
	closed  bool

	wg sync.WaitGroup // every client goroutine

	accepted, dropped, refused, published, delivered atomic.Uint64
	count                                            atomic.Int64
}

// New returns a Hub with cfg's defaults filled in. It panics when
// Authenticate, Authorize or Refuse is nil, or PingPeriod is not shorter than
// PongWait: those are the caller's mistakes.
func New(cfg Config) *Hub {
	if cfg.Authenticate == nil || cfg.Authorize == nil || cfg.Refuse == nil {
		panic("live: Config.Authenticate, Config.Authorize and Config.Refuse are required")
	}
	if cfg.MaxPerKey <= 0 {
		cfg.MaxPerKey = DefaultMaxPerKey
	}
	if cfg.SendBuffer <= 0 {
		cfg.SendBuffer = DefaultSendBuffer
	}
	if cfg.ReadLimit <= 0 {
		cfg.ReadLimit = DefaultReadLimit
	}
	if cfg.WriteWait <= 0 {
		cfg.WriteWait = DefaultWriteWait
	}
	if cfg.PongWait <= 0 {
		cfg.PongWait = DefaultPongWait
	}
	if cfg.PingPeriod <= 0 {
		cfg.PingPeriod = cfg.PongWait * 9 / 10
	}
	if cfg.PingPeriod >= cfg.PongWait {
		panic("live: Config.PingPeriod must be shorter than PongWait")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AfterFunc == nil {
		cfg.AfterFunc = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	h := &Hub{cfg: cfg, origins: map[string]bool{}, topics: map[Topic]map[*client]struct{}{},
		clients: map[*client]struct{}{}, perKey: map[string]int{}}
	for _, o := range cfg.AllowedOrigins {
		h.origins[normOrigin(o)] = true
	}
	h.upgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024,
		HandshakeTimeout: cfg.WriteWait, CheckOrigin: h.checkOrigin, Subprotocols: []string{Subprotocol},
		Error: h.upgradeError}
	return h
}

// ErrClosed is returned by Run when it is called again after the hub has
// shut down.
var ErrClosed = errors.New("live: hub closed")

// Run waits until ctx is done, then shuts the hub down: new upgrades are
// refused (503), every client is sent a close frame (going away), and Run
// returns once every client goroutine has exited. A peer that reads
// nothing delays it by at most about three WriteWaits: a blocked write,
// the close frame, and the wait for the peer's answer.
func (h *Hub) Run(ctx context.Context) error {
	h.mu.RLock()
	closed := h.closed
	h.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	<-ctx.Done()
	h.mu.Lock()
	h.closed = true
	all := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		all = append(all, c)
	}
	h.mu.Unlock()
	for _, c := range all {
		c.stop(websocket.CloseGoingAway, "server shutting down")
	}
	h.wg.Wait()
	return nil
}

// Publish queues payload, as one text message, for every client
// subscribed to topic, and returns how many it was queued for. It never
// blocks on a client: one whose send buffer is full is dropped (closed
// and counted in Stats.Dropped). The payload is shared, not copied: the
// caller must not change it afterwards. It should name its topic, since a
// client may have several.
func (h *Hub) Publish(topic Topic, payload []byte) int {
	h.published.Add(1)
	n := 0
	h.mu.RLock()
	for c := range h.topics[topic] {
		if c.queue(payload) {
			n++
		}
	}
	h.mu.RUnlock()
	h.delivered.Add(uint64(n))
	return n
}

// Disconnect closes every connection of the viewers whose Key is key,
// with a close frame of code 1008 (policy violation) and reason (at most
// 123 bytes, longer is cut), and returns how many it closed. Call it when
// a credential stops being valid or its holder's rights change: a revoked
// token, an erased member, a new role. A client may connect again if it
// still can.
func (h *Hub) Disconnect(key, reason string) int {
	if len(reason) > maxReason {
		reason = reason[:maxReason]
	}
	h.mu.RLock()
	var theirs []*client
	for c := range h.clients {
		if c.viewer.Key == key {
			theirs = append(theirs, c)
		}
	}
	h.mu.RUnlock()
	n := 0
	for _, c := range theirs {
		if c.stop(websocket.ClosePolicyViolation, reason) {
			n++
		}
	}
	return n
}

// maxReason is the longest reason a close frame carries: 125 bytes of
// payload less the 2-byte code.
const maxReason = 123

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	return Stats{Clients: h.count.Load(), Accepted: h.accepted.Load(), Dropped: h.dropped.Load(),
		Refused: h.refused.Load(), Published: h.published.Load(), Delivered: h.delivered.Load()}
}

// reserve counts a connection against key; it returns false when the
// key already has MaxPerKey, and ErrClosed once the hub has shut down.
func (h *Hub) reserve(key string) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false, ErrClosed
	}
	if h.perKey[key] >= h.cfg.MaxPerKey {
		return false, nil
	}
	h.perKey[key]++
	return true, nil
}

// release returns a reservation of key.
func (h *Hub) release(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.releaseLocked(key)
}

func (h *Hub) releaseLocked(key string) {
	if h.perKey[key] <= 1 {
		delete(h.perKey, key)
	} else {
		h.perKey[key]--
	}
}

// register adds c with its first topics and counts its two goroutines
// in h.wg; it returns false once the hub has shut down. Counting under
// h.mu orders every wg.Add before Run's Wait.
func (h *Hub) register(c *client, topics []Topic) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.clients[c] = struct{}{}
	for _, t := range topics {
		h.subscribeLocked(c, t)
	}
	h.wg.Add(2)
	h.count.Add(1)
	h.accepted.Add(1)
	return true
}

// unregister removes c from the hub and returns its reservation.
func (h *Hub) unregister(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; !ok {
		return
	}
	delete(h.clients, c)
	for t := range c.topics {
		h.unsubscribeLocked(c, t)
	}
	h.releaseLocked(c.viewer.Key)
	h.count.Add(-1)
}

// subscribe adds c to t's subscribers; it returns false when c already
// has maxTopics others.
func (h *Hub) subscribe(c *client, t Topic) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := c.topics[t]; !ok && len(c.topics) >= maxTopics {
		return false
	}
	if _, ok := h.clients[c]; ok {
		h.subscribeLocked(c, t)
	}
	return true
}

func (h *Hub) subscribeLocked(c *client, t Topic) {
	subs := h.topics[t]
	if subs == nil {
		subs = map[*client]struct{}{}
		h.topics[t] = subs
	}
	subs[c] = struct{}{}
	c.topics[t] = struct{}{}
}

// unsubscribe removes c from t's subscribers.
func (h *Hub) unsubscribe(c *client, t Topic) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unsubscribeLocked(c, t)
}

func (h *Hub) unsubscribeLocked(c *client, t Topic) {
	delete(c.topics, t)
	if subs := h.topics[t]; subs != nil {
		delete(subs, c)
		if len(subs) == 0 {
			delete(h.topics, t)
		}
	}
}
