package live

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/strictjson"
)

// maxTopics bounds the topics of one client.
const maxTopics = 256

// request is a message from a client: subscribe to or unsubscribe from a
// topic, as {"subscribe":"team:abc"} or {"unsubscribe":"correlations"}.
// The fields are pointers so that an empty topic is told from a missing
// one.
type request struct {
	Subscribe   *Topic `json:"subscribe"`
	Unsubscribe *Topic `json:"unsubscribe"`
}

// reply answers a request: {"type":"subscribed","topic":"team:abc"},
// "unsubscribed", or {"type":"error","field":...,"message":...} with the
// field the error concerns ("message" for the message as a whole,
// "subscribe", "unsubscribe", or a path such as "subscribe.x" that
// strictjson names) and the topic when one was read. The first message
// of every connection is {"type":"ready","topics":[...]}, sent once the
// client is registered with the topics of its query: a page loads its
// snapshot after it (or after "subscribed"), so that no push falls in
// between.
type reply struct {
	Type    string  `json:"type"`
	Topic   Topic   `json:"topic,omitempty"`
	Topics  []Topic `json:"topics,omitempty"`
	Field   string  `json:"field,omitempty"`
	Message string  `json:"message,omitempty"`
}

// decodeRequest decodes msg strictly and returns which field it gives,
// "subscribe" or "unsubscribe", and its topic. It returns an Invalid
// *apperr.Error naming the field: what strictjson.Decode refuses (field
// "message" for the message as a whole: malformed JSON, not an object, a
// null, an unknown or repeated key, invalid UTF-8, deep nesting, a topic
// that is not a string); both fields or neither ("message"); or an
// invalid topic (the field, returned with the topic).
func decodeRequest(msg []byte) (string, Topic, error) {
	var req request
	if err := strictjson.Decode(msg, &req, "message"); err != nil {
		return "", "", err
	}
	if (req.Subscribe == nil) == (req.Unsubscribe == nil) {
		return "", "", apperr.Field("message", `must give exactly one of "subscribe" and "unsubscribe"`)
	}
	field, t := "subscribe", req.Subscribe
	if t == nil {
		field, t = "unsubscribe", req.Unsubscribe
	}
	if !t.Valid() {
		return field, *t, apperr.Field(field, topicRule)
	}
	return field, *t, nil
}

// client is one connection: a middleman between the WebSocket and the
// hub, with one reader and one writer goroutine.
type client struct {
	hub    *Hub
	conn   *websocket.Conn
	viewer Viewer
	// ctx is cancelled when the client stops; Authorize runs under it.
	ctx    context.Context
	cancel context.CancelFunc

	// send is the bounded buffer of outbound messages. It is never
	// closed: done tells the writer to stop.
	send chan []byte

	// topics are the client's subscriptions; guarded by hub.mu.
	topics map[Topic]struct{}

	once      sync.Once
	done      chan struct{} // closed by stop
	code      int           // the close code, set before done is closed
	text      string
	readerEnd chan struct{} // closed when readPump returns
	// stopExpiry cancels the close at the viewer's expiry; set before the
	// goroutines start.
	stopExpiry func() bool
}

func newClient(ctx context.Context, cancel context.CancelFunc, h *Hub, conn *websocket.Conn, v Viewer) *client {
	return &client{hub: h, conn: conn, viewer: v, ctx: ctx, cancel: cancel,
		send: make(chan []byte, h.cfg.SendBuffer), topics: map[Topic]struct{}{},
		done: make(chan struct{}), readerEnd: make(chan struct{}), stopExpiry: func() bool { return false }}
}

// expireAt arranges for the client to be closed, with ReasonExpired, when
// its viewer's credential expires; never when Expires is zero.
func (c *client) expireAt() {
	if c.viewer.Expires.IsZero() {
		return
	}
	c.stopExpiry = c.hub.cfg.AfterFunc(c.viewer.Expires.Sub(c.hub.cfg.Now()), func() {
		c.stop(websocket.ClosePolicyViolation, ReasonExpired)
	})
}

// queue hands msg to the writer without waiting; when the buffer is full
// the client is dropped and counted. It reports whether msg was queued.
func (c *client) queue(msg []byte) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	select {
	case c.send <- msg:
		return true
	default:
		if c.stop(websocket.CloseTryAgainLater, "too slow") {
			c.hub.dropped.Add(1)
			// A writer blocked on the peer gives up now rather than after
			// WriteWait (net.Conn deadlines may be set concurrently).
			_ = c.conn.NetConn().SetWriteDeadline(time.Now())
		}
		return false
	}
}

// stop tells both goroutines to end, the writer with a close frame of
// code and text; it reports whether this call stopped the client.
func (c *client) stop(code int, text string) bool {
	first := false
	c.once.Do(func() {
		c.code, c.text = code, text
		close(c.done)
		c.cancel()
		first = true
	})
	return first
}

// readPump reads the client's requests until the connection fails or is
// closed. It is the connection's only reader; pongs extend its deadline.
func (c *client) readPump() {
	defer func() {
		c.stopExpiry()
		c.hub.unregister(c)
		c.stop(websocket.CloseNormalClosure, "")
		close(c.readerEnd)
		c.hub.wg.Done()
	}()
	wait := c.hub.cfg.PongWait
	c.conn.SetReadLimit(c.hub.cfg.ReadLimit)
	_ = c.conn.SetReadDeadline(time.Now().Add(wait))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(wait)) })
	for {
		_, msg, err := c.conn.ReadMessage()
		if err != nil {
			if websocket.IsUnexpectedCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
				c.hub.cfg.Logger.Debug("live: connection ended", "err", err)
			}
			return
		}
		c.handle(msg)
	}
}

// handle answers one request: with "subscribed" or "unsubscribed", or
// with an error reply naming the field, for what decodeRequest refuses, a
// topic Authorize refuses, or a subscription beyond maxTopics.
func (c *client) handle(msg []byte) {
	field, t, err := decodeRequest(msg)
	switch {
	case err != nil:
		c.refuse(t, err)
	case field == "unsubscribe":
		c.hub.unsubscribe(c, t)
		c.answer(reply{Type: "unsubscribed", Topic: t})
	case c.hub.cfg.Authorize(c.ctx, c.viewer, t) != nil:
		c.refuse(t, apperr.Field(field, "topic not allowed"))
	case !c.hub.subscribe(c, t):
		c.refuse(t, apperr.Field(field, "at most %d topics", maxTopics))
	default:
		c.answer(reply{Type: "subscribed", Topic: t})
	}
}

// refuse queues an error reply for err, with its field and t (empty when
// no topic was read).
func (c *client) refuse(t Topic, err error) {
	r := reply{Type: "error", Topic: t, Field: apperr.FieldOf(err), Message: err.Error()}
	var e *apperr.Error
	if errors.As(err, &e) {
		r.Message = e.Message
	}
	c.answer(r)
}

// answer queues a reply.
func (c *client) answer(r reply) {
	b, err := json.Marshal(r)
	if err == nil {
		c.queue(b)
	}
}

// writePump writes queued messages and pings until the client stops or a
// write fails; it is the connection's only writer. On stop it sends a
// close frame, waits (at most WriteWait) for the reader to see the peer's
// answer, and closes the connection.
func (c *client) writePump() {
	ticker := time.NewTicker(c.hub.cfg.PingPeriod)
	defer func() {
		ticker.Stop()
		c.conn.Close()
		c.hub.wg.Done()
	}()
	ww := c.hub.cfg.WriteWait
	for {
		select {
		case msg := <-c.send:
			_ = c.conn.SetWriteDeadline(time.Now().Add(ww))
			if err := c.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				c.stop(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-ticker.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(ww)); err != nil {
				c.stop(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-c.done:
			if c.code != websocket.CloseAbnormalClosure {
				_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(c.code, c.text), time.Now().Add(ww))
			}
			t := time.NewTimer(ww)
			select {
			case <-c.readerEnd:
			case <-t.C:
			}
			t.Stop()
			return
		}
	}
}

// closeNow sends a close frame and closes a connection that was never
// registered.
func (c *client) closeNow(code int, text string) {
	c.stop(code, text)
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(c.hub.cfg.WriteWait))
	c.conn.Close()
}
