package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/empulse/empulse/web/live"
)

// FuzzClientMessage sends arbitrary client messages over one WebSocket to
// a hub served once for the whole target, and checks each against a model
// of the connection's subscriptions: exactly one reply, of the type the
// message calls for; the hub holds the topics the replies said, never
// more than MaxTopics; and a valid subscribe still works afterwards. A
// message beyond the read limit must close the connection (1009), and
// only such a message may: the target then reconnects.
func FuzzClientMessage(f *testing.F) {
	th := startHub(f, live.Config{Authenticate: fuzzAuthenticate, Authorize: fuzzAuthorize})
	fc := &fuzzConn{th: th}
	f.Cleanup(func() {
		if fc.conn != nil {
			fc.conn.Close()
		}
	})
	f.Fuzz(func(t *testing.T, msg []byte) {
		if fc.conn == nil {
			fc.connect(t)
		}
		t.Cleanup(func() {
			if t.Failed() && fc.conn != nil { // its state is unknown: the next input starts afresh
				fc.conn.Close()
				fc.conn = nil
			}
		})
		if len(msg) > live.DefaultReadLimit {
			fc.tooBig(t, msg)
			return
		}
		want, topic := fc.expect(msg)
		got := fc.roundTrip(t, msg)
		if got.Type != want {
			t.Fatalf("reply to %q: %+v, want type %q", msg, got, want)
		}
		switch want {
		case "error":
			if got.Field == "" || got.Message == "" {
				t.Fatalf("reply to %q: %+v, want a field and a message", msg, got)
			}
		case "subscribed":
			fc.held[topic] = true
		case "unsubscribed":
			delete(fc.held, topic)
		}
		if want != "error" && got.Topic != topic {
			t.Fatalf("reply to %q: topic %q, want %q", msg, got.Topic, topic)
		}
		fc.checkHeld(t)

		probe := fc.probeTopic()
		if got := fc.roundTrip(t, fmt.Appendf(nil, `{"subscribe":%q}`, probe)); got.Type != "subscribed" || got.Topic != probe {
			t.Fatalf("after %q, subscribe %s: %+v, want subscribed", msg, probe, got)
		}
		fc.held[probe] = true
		fc.checkHeld(t)
	})
}

// fuzzAuthenticate takes the bearer token as the viewer's key, so that
// each connection of the fuzz target counts its own topics.
func fuzzAuthenticate(r *http.Request) (live.Viewer, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return live.Viewer{}, errors.New("no token")
	}
	return live.Viewer{Key: tok}, nil
}

// fuzzAuthorize allows the correlation table and every team whose id
// starts with "a", and refuses the other teams: fuzzed subscriptions are
// both allowed and refused, and the allowed ones can reach the limit.
func fuzzAuthorize(_ context.Context, _ live.Viewer, t live.Topic) error {
	if team, ok := t.Team(); ok && strings.HasPrefix(team, "a") || t == live.CorrelationsTopic {
		return nil
	}
	return errors.New("forbidden")
}

// fuzzReply is a reply as the hub sends it; decoding refuses any other
// key.
type fuzzReply struct {
	Type    string       `json:"type"`
	Topic   live.Topic   `json:"topic"`
	Topics  []live.Topic `json:"topics"`
	Field   string       `json:"field"`
	Message string       `json:"message"`
}

// fuzzConn is the fuzz target's connection and the model of its
// subscriptions: the topics the replies said it holds.
type fuzzConn struct {
	th   *testHub
	conn *websocket.Conn
	key  string
	n    int // connections opened
	held map[live.Topic]bool
}

// connect opens a new connection, under a key of its own, and reads its
// ready message.
func (fc *fuzzConn) connect(tb testing.TB) {
	tb.Helper()
	fc.n++
	fc.key = fmt.Sprintf("fuzz-%d", fc.n)
	d := websocket.Dialer{HandshakeTimeout: patience}
	conn, _, err := d.Dial(fc.th.url, http.Header{"Authorization": {"Bearer " + fc.key}})
	if err != nil {
		tb.Fatalf("dial: %v", err)
	}
	fc.conn, fc.held = conn, map[live.Topic]bool{}
	if got := fc.read(tb); got.Type != "ready" || len(got.Topics) != 0 {
		tb.Fatalf("first message=%+v, want ready without topics", got)
	}
}

// tooBig sends msg, longer than the read limit, and checks that the hub
// closes the connection with 1009; the next input gets a new one.
func (fc *fuzzConn) tooBig(tb testing.TB, msg []byte) {
	tb.Helper()
	conn := fc.conn
	fc.conn = nil
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(patience))
	if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
		return // the hub may close before the whole message is written
	}
	_ = conn.SetReadDeadline(time.Now().Add(patience))
	_, got, err := conn.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		tb.Fatalf("after %d bytes: message %q, err %v; want close 1009", len(msg), got, err)
	}
}

// roundTrip sends msg and returns the one reply.
func (fc *fuzzConn) roundTrip(tb testing.TB, msg []byte) fuzzReply {
	tb.Helper()
	_ = fc.conn.SetWriteDeadline(time.Now().Add(patience))
	if err := fc.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
		tb.Fatalf("write %q: %v", msg, err)
	}
	return fc.read(tb)
}

// read reads one message as a reply, failing on anything else.
func (fc *fuzzConn) read(tb testing.TB) fuzzReply {
	tb.Helper()
	_ = fc.conn.SetReadDeadline(time.Now().Add(patience))
	_, msg, err := fc.conn.ReadMessage()
	if err != nil {
		tb.Fatalf("read: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(msg))
	dec.DisallowUnknownFields()
	var r fuzzReply
	if err := dec.Decode(&r); err != nil || dec.InputOffset() != int64(len(msg)) {
		tb.Fatalf("reply %q is not one reply object: %v", msg, err)
	}
	return r
}

// expect returns the type of reply msg calls for, given the topics held,
// and the topic it names when it is well formed.
func (fc *fuzzConn) expect(msg []byte) (string, live.Topic) {
	key, t, ok := wellFormed(msg)
	switch {
	case !ok || !t.Valid():
		return "error", t
	case key == "unsubscribe":
		return "unsubscribed", t
	case fuzzAuthorize(context.Background(), live.Viewer{}, t) != nil:
		return "error", t
	case fc.held[t] || len(fc.held) < live.MaxTopics:
		return "subscribed", t
	}
	return "error", t
}

// checkHeld fails unless the hub holds as many topics for the connection
// as the model, and no more than MaxTopics.
func (fc *fuzzConn) checkHeld(tb testing.TB) {
	tb.Helper()
	got := fc.th.TopicsOf(fc.key)
	if got != len(fc.held) || got > live.MaxTopics {
		tb.Fatalf("hub holds %d topics, want %d (at most %d)", got, len(fc.held), live.MaxTopics)
	}
}

// probeTopic returns an allowed topic that a subscribe must succeed for:
// team:a, or one already held when the connection holds MaxTopics.
func (fc *fuzzConn) probeTopic() live.Topic {
	probe := live.TeamTopic("a")
	if len(fc.held) >= live.MaxTopics && !fc.held[probe] {
		for t := range fc.held {
			probe = t
			break
		}
	}
	return probe
}

// wellFormed returns the key and topic of msg when msg is valid UTF-8
// holding one JSON object with exactly one key, subscribe or unsubscribe,
// whose value is a string. It reads msg token by token, independently of
// package strictjson.
func wellFormed(msg []byte) (key string, topic live.Topic, ok bool) {
	if !utf8.Valid(msg) || !json.Valid(msg) {
		return "", "", false
	}
	dec := json.NewDecoder(bytes.NewReader(msg))
	var toks []json.Token
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || len(toks) == 4 {
			return "", "", false
		}
		toks = append(toks, tok)
	}
	if len(toks) != 4 || toks[0] != json.Delim('{') || toks[3] != json.Delim('}') {
		return "", "", false
	}
	key, _ = toks[1].(string)
	value, isString := toks[2].(string)
	if (key != "subscribe" && key != "unsubscribe") || !isString {
		return "", "", false
	}
	return key, live.Topic(value), true
}
