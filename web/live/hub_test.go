package live_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/empulse/empulse/web/live"
)

func TestHub_Upgrade(t *testing.T) {
	th := MustStart(t, live.Config{AllowedOrigins: []string{"https://dash.example.org"}, MaxPerKey: 2})
	outer := t
	tests := []struct {
		name   string
		token  string
		query  string
		origin string
		want   int    // 0: upgraded
		field  string // the field the error names
	}{
		{"NoToken", "", "", "", http.StatusUnauthorized, ""},
		{"UnknownToken", "nobody", "", "", http.StatusUnauthorized, ""},
		{"ForeignOrigin", "leader-a", "", "https://evil.example.com", http.StatusForbidden, "Origin"},
		{"ForeignOriginBeforeAuth", "", "", "https://evil.example.com", http.StatusForbidden, "Origin"},
		{"SameOrigin", "leader-a", "", th.srv.URL, 0, ""},
		{"AllowedOrigin", "leader-b", "", "https://DASH.example.org", 0, ""},
		{"NoOrigin", "analyst", "", "", 0, ""},
		{"TopicAllowed", "leader-a", "topic=team:a", "", 0, ""},
		{"TopicForbidden", "leader-a", "topic=team:b", "", http.StatusForbidden, "topic"},
		{"TopicInvalid", "leader-a", "topic=nonsense", "", http.StatusBadRequest, "topic"},
		{"OverLimit", "leader-a", "", "", http.StatusTooManyRequests, ""}, // leader-a holds 2 by now
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			_, resp, err := th.dial(outer, tt.token, tt.query, h) // the connections outlive the subtest
			got := 0
			if err != nil {
				if resp == nil {
					t.Fatalf("dial: %v", err)
				}
				got = resp.StatusCode
			}
			if got != tt.want {
				t.Fatalf("status=%d, want %d (err %v)", got, tt.want, err)
			}
			if got == 0 {
				return
			}
			var body struct {
				Error struct{ Code, Field, Message string }
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error.Message == "" {
				t.Fatalf("refusal body: %+v, %v; want the API's error body", body, err)
			}
			if body.Error.Field != tt.field {
				t.Errorf("field=%q, want %q", body.Error.Field, tt.field)
			}
		})
	}
	eventually(t, "four clients", func() bool { return th.Stats().Clients == 4 })
	if got, want := th.Stats().Refused, uint64(7); got != want {
		t.Fatalf("refused=%d, want %d", got, want)
	}
}

func TestHub_NotAHandshake(t *testing.T) {
	th := MustStart(t, live.Config{})
	req, _ := http.NewRequest("GET", th.srv.URL+"/live", nil)
	req.Header.Set("Authorization", "Bearer leader-a")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Error struct{ Field string } }
	if err := json.NewDecoder(resp.Body).Decode(&body); resp.StatusCode != http.StatusBadRequest || err != nil || body.Error.Field != "Upgrade" {
		t.Fatalf("status=%d field=%q (%v), want 400 naming Upgrade", resp.StatusCode, body.Error.Field, err)
	}
}

func TestToken(t *testing.T) {
	tests := []struct {
		name      string
		header    http.Header
		wantToken string
	}{
		{"None", http.Header{}, ""},
		{"Authorization", http.Header{"Authorization": {"Bearer emp_abc"}}, "emp_abc"},
		{"AuthorizationLowerCase", http.Header{"Authorization": {"bearer  emp_abc "}}, "emp_abc"},
		{"Subprotocol", http.Header{"Sec-Websocket-Protocol": {"empulse.v1, bearer.emp_xyz"}}, "emp_xyz"},
		{"EmptySubprotocol", http.Header{"Sec-Websocket-Protocol": {"empulse.v1, bearer."}}, ""},
		{"HeaderWins", http.Header{"Authorization": {"Bearer a"}, "Sec-Websocket-Protocol": {"bearer.b"}}, "a"},
		{"OtherScheme", http.Header{"Authorization": {"Basic a"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &http.Request{Header: tt.header}
			if got := live.Token(r); got != tt.wantToken {
				t.Errorf("Token=%q, want %q", got, tt.wantToken)
			}
		})
	}
}

func TestHub_LimitReleased(t *testing.T) {
	th := MustStart(t, live.Config{MaxPerKey: 1})
	conn := th.MustDial(t, "leader-a", "")
	if _, resp, err := th.dial(t, "leader-a", "", nil); err == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second connection: err=%v, want 429", err)
	}
	conn.Close()
	eventually(t, "the closed connection to be released", func() bool { return th.Stats().Clients == 0 })
	th.MustDial(t, "leader-a", "")
}

func TestHub_Subscribe(t *testing.T) {
	th := MustStart(t, live.Config{})
	leader := th.MustDial(t, "leader-a", "")
	analyst, _, err := th.dial(t, "analyst", "topic=correlations", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := read(t, analyst), `{"type":"ready","topics":["correlations"]}`; got != want {
		t.Fatalf("first message=%s, want %s", got, want)
	}

	tests := []struct {
		name, req, want string
	}{
		{"Allowed", `{"subscribe":"team:a"}`, `{"type":"subscribed","topic":"team:a"}`},
		{"Forbidden", `{"subscribe":"team:b"}`, `{"type":"error","topic":"team:b","field":"subscribe","message":"topic not allowed"}`},
		{"Invalid", `{"subscribe":"team:"}`, `{"type":"error","topic":"team:","field":"subscribe","message":"must be correlations or team:\u003cteam id\u003e"}`},
		{"Malformed", `hello`, `{"type":"error","field":"message","message":"malformed JSON"}`},
		{"Both", `{"subscribe":"team:a","unsubscribe":"team:a"}`, `{"type":"error","field":"message","message":"must give exactly one of \"subscribe\" and \"unsubscribe\""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			send(t, leader, tt.req)
			if got := read(t, leader); got != tt.want {
				t.Fatalf("reply=%s, want %s", got, tt.want)
			}
		})
	}

	t.Run("FanOutByTopic", func(t *testing.T) {
		// Each client gets its own topic's message first, though the
		// others were published before it.
		if got, want := th.Publish(live.TeamTopic("b"), payload(live.TeamTopic("b"), 1)), 0; got != want {
			t.Fatalf("Publish(team:b)=%d, want %d", got, want)
		}
		th.Publish(live.CorrelationsTopic, payload(live.CorrelationsTopic, 2))
		th.Publish(live.TeamTopic("a"), payload(live.TeamTopic("a"), 3))
		if got, want := read(t, leader), string(payload(live.TeamTopic("a"), 3)); got != want {
			t.Fatalf("leader got %s, want %s", got, want)
		}
		if got, want := read(t, analyst), string(payload(live.CorrelationsTopic, 2)); got != want {
			t.Fatalf("analyst got %s, want %s", got, want)
		}
	})

	t.Run("Unsubscribe", func(t *testing.T) {
		send(t, leader, `{"unsubscribe":"team:a"}`)
		if got, want := read(t, leader), `{"type":"unsubscribed","topic":"team:a"}`; got != want {
			t.Fatalf("reply=%s, want %s", got, want)
		}
		if got, want := th.Publish(live.TeamTopic("a"), payload(live.TeamTopic("a"), 4)), 0; got != want {
			t.Fatalf("Publish after unsubscribe=%d, want %d", got, want)
		}
	})
}

func TestHub_SlowClientDropped(t *testing.T) {
	th := MustStart(t, live.Config{SendBuffer: 4, WriteWait: 500 * time.Millisecond})
	// The client never reads: its socket buffers fill, then the writer
	// blocks, then the send buffer fills.
	slow := th.MustDial(t, "leader-a", "topic=team:a")
	big := make([]byte, 256<<10)
	eventually(t, "the slow client to be dropped", func() bool {
		th.Publish(live.TeamTopic("a"), big) // never blocks
		return th.Stats().Dropped == 1
	})
	eventually(t, "the slow client to be unregistered", func() bool { return th.Stats().Clients == 0 })
	if got, want := th.Publish(live.TeamTopic("a"), big), 0; got != want {
		t.Fatalf("Publish after the drop=%d, want %d", got, want)
	}
	// Reading now ends with an error: the messages that made it, then
	// the close frame or a reset connection.
	_ = slow.SetReadDeadline(time.Now().Add(patience))
	for {
		if _, _, err := slow.ReadMessage(); err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the dropped connection was not closed: %v", err)
			}
			break
		}
	}
	if got, want := th.Stats().Dropped, uint64(1); got != want {
		t.Fatalf("dropped=%d, want %d", got, want)
	}
}

func TestHub_PingPong(t *testing.T) {
	th := MustStart(t, live.Config{PongWait: 200 * time.Millisecond, PingPeriod: 50 * time.Millisecond, WriteWait: time.Second})

	// A reading client answers pings (gorilla's default ping handler) and
	// outlives many pong waits.
	alive := th.MustDial(t, "leader-a", "topic=team:a")
	pings := make(chan struct{}, 100)
	alive.SetPingHandler(func(data string) error {
		select {
		case pings <- struct{}{}:
		default:
		}
		return alive.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	got := make(chan string, 1)
	go func() {
		for {
			_ = alive.SetReadDeadline(time.Now().Add(patience))
			_, msg, err := alive.ReadMessage()
			if err != nil {
				close(got)
				return
			}
			got <- string(msg)
		}
	}()

	// A client that never reads answers no ping and is closed once its
	// pong wait passes.
	th.MustDial(t, "leader-b", "topic=team:b")
	eventually(t, "the silent client to time out", func() bool { return th.Stats().Clients == 1 })

	// Several pong waits' worth of pings later, the reading client is
	// still connected and receives.
	for range 20 {
		select {
		case <-pings:
		case <-time.After(patience):
			t.Fatal("no ping")
		}
	}
	th.Publish(live.TeamTopic("a"), []byte("still here"))
	select {
	case msg := <-got:
		if msg != "still here" {
			t.Fatalf("got %q, want %q", msg, "still here")
		}
	case <-time.After(patience):
		t.Fatal("no message")
	}
	if got, want := th.Stats().Dropped, uint64(0); got != want {
		t.Fatalf("dropped=%d, want %d", got, want)
	}
}

func TestHub_Shutdown(t *testing.T) {
	th := MustStart(t, live.Config{})
	var conns []*websocket.Conn
	for _, tok := range []string{"leader-a", "leader-b", "analyst"} {
		conns = append(conns, th.MustDial(t, tok, ""))
	}
	var wg sync.WaitGroup
	codes := make([]int, len(conns))
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(time.Now().Add(patience))
			for {
				_, _, err := c.ReadMessage() // answers the close frame
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					codes[i] = ce.Code
				}
				if err != nil {
					return
				}
			}
		}()
	}
	eventually(t, "three clients", func() bool { return th.Stats().Clients == 3 })
	th.Stop(t)
	wg.Wait()
	for i, got := range codes {
		if want := websocket.CloseGoingAway; got != want {
			t.Errorf("client %d: close code=%d, want %d", i, got, want)
		}
	}
	if got := th.Stats().Clients; got != 0 {
		t.Fatalf("clients=%d after shutdown, want 0", got)
	}
	if _, resp, err := th.dial(t, "leader-a", "", nil); err == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("dial after shutdown: err=%v, want 503", err)
	}
}

func TestNew_Panics(t *testing.T) {
	tests := []struct {
		name string
		cfg  live.Config
	}{
		{"NoAuthenticate", live.Config{Authorize: authorize}},
		{"NoAuthorize", live.Config{Authenticate: authenticate}},
		{"PingNotBeforePong", live.Config{Authenticate: authenticate, Authorize: authorize, PongWait: time.Second, PingPeriod: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("New did not panic")
				}
			}()
			live.New(tt.cfg)
		})
	}
}

func TestTopic(t *testing.T) {
	tests := []struct {
		topic     live.Topic
		team      string
		isTeam    bool
		wantValid bool
	}{
		{live.TeamTopic("a"), "a", true, true},
		{live.CorrelationsTopic, "", false, true},
		{"team:", "", false, false},
		{"teams", "", false, false},
		{live.TeamTopic(strings.Repeat("x", 129)), strings.Repeat("x", 129), true, false},
	}
	for _, tt := range tests {
		team, ok := tt.topic.Team()
		if team != tt.team || ok != tt.isTeam {
			t.Errorf("%q.Team()=%q,%v, want %q,%v", tt.topic, team, ok, tt.team, tt.isTeam)
		}
		if got := tt.topic.Valid(); got != tt.wantValid {
			t.Errorf("%q.Valid()=%v, want %v", tt.topic, got, tt.wantValid)
		}
	}
}

// TestHub_TeamFeed drives a hub through a gate: a leader's open
// dashboard sees the first push at k, nothing for one more answer, and
// the next push only once three more have arrived.
func TestHub_TeamFeed(t *testing.T) {
	th := MustStart(t, live.Config{})
	leader := th.MustDial(t, "leader-a", "topic=team:a")
	proj := newFakeProjection(5)
	feed := live.NewTeamFeed(live.FeedConfig{Gate: live.Gate{K: 5}, Load: proj.Load, Publish: th.Publish,
		Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }})
	const week = "2026-W48"
	for i := range 9 {
		proj.answer("a", week, map[string]int{"engagement": i})
		if _, err := feed.Changed(t.Context(), "a", week); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []figure{{N: 5, Sum: 10}, {N: 8, Sum: 28}} {
		var m message
		if err := json.Unmarshal([]byte(read(t, leader)), &m); err != nil {
			t.Fatal(err)
		}
		if got := m.Figures["engagement"]; got != want {
			t.Fatalf("pushed %+v, want %+v", got, want)
		}
	}
}
