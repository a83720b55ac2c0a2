package live_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/web/live"
)

// patience bounds every wait of the tests, only so that a bug hangs no
// test; nothing is asserted about how long anything takes.
const patience = 10 * time.Second

// access is what a test token may see.
type access struct {
	teams    map[string]bool
	analyst  bool
	identity string
}

// tokens are the test credentials: "leader-a" sees team a, "analyst"
// sees the correlations.
var tokens = map[string]access{
	"leader-a": {teams: map[string]bool{"a": true}, identity: "leader-a"},
	"leader-b": {teams: map[string]bool{"b": true}, identity: "leader-b"},
	"analyst":  {analyst: true, identity: "analyst"},
}

// authenticate reads "Authorization: Bearer <token>".
func authenticate(r *http.Request) (live.Viewer, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	a, known := tokens[tok]
	if !ok || !known {
		return live.Viewer{}, errors.New("unknown token")
	}
	return live.Viewer{Key: a.identity, Principal: a}, nil
}

// authorize allows a leader's teams and the analyst's table.
func authorize(_ context.Context, v live.Viewer, t live.Topic) error {
	a := v.Principal.(access)
	if team, ok := t.Team(); ok && a.teams[team] {
		return nil
	}
	if t == live.CorrelationsTopic && a.analyst {
		return nil
	}
	return errors.New("forbidden")
}

// testHub is a running hub behind an httptest.Server.
type testHub struct {
	*live.Hub
	srv    *httptest.Server
	url    string // ws://.../live
	cancel context.CancelFunc
	done   chan error
}

// MustStart starts a hub with cfg (the test auth filled in) and
// registers its shutdown, which also checks that every goroutine the
// test started has exited.
func MustStart(tb testing.TB, cfg live.Config) *testHub {
	tb.Helper()
	baseline := runtime.NumGoroutine()
	tb.Cleanup(func() { checkGoroutines(tb, baseline) }) // runs after startHub's
	return startHub(tb, cfg)
}

// startHub is MustStart without the goroutine check, for fuzz targets:
// the fuzzing engine starts goroutines of its own (a signal watcher)
// after the hub is started, and keeps them.
func startHub(tb testing.TB, cfg live.Config) *testHub {
	tb.Helper()
	if cfg.Authenticate == nil {
		cfg.Authenticate = authenticate
	}
	if cfg.Authorize == nil {
		cfg.Authorize = authorize
	}
	if cfg.Refuse == nil {
		cfg.Refuse = api.ErrorWriter(nil)
	}
	h := live.New(cfg)
	srv := httptest.NewServer(h)
	ctx, cancel := context.WithCancel(tb.Context())
	th := &testHub{Hub: h, srv: srv, url: "ws" + strings.TrimPrefix(srv.URL, "http") + "/live", cancel: cancel, done: make(chan error, 1)}
	go func() { th.done <- h.Run(ctx) }()
	tb.Cleanup(func() {
		th.Stop(tb)
		srv.Close()
	})
	return th
}

// Stop cancels the hub's context and waits for Run to return.
func (th *testHub) Stop(tb testing.TB) {
	tb.Helper()
	th.cancel()
	select {
	case err := <-th.done:
		if err != nil {
			tb.Errorf("Run: %v", err)
		}
		th.done <- nil // for a second Stop
	case <-time.After(patience):
		tb.Fatalf("Run did not return after its context ended")
	}
}

// checkGoroutines waits for the number of goroutines to come back to
// baseline, like goleak, and fails with every stack if it does not.
func checkGoroutines(tb testing.TB, baseline int) {
	tb.Helper()
	deadline := time.Now().Add(patience)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			tb.Fatalf("goroutines=%d, want at most %d:\n%s", runtime.NumGoroutine(), baseline, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// dial opens a connection with token (none if "") and header, and
// registers its closing. It returns the response when dialling fails.
func (th *testHub) dial(tb testing.TB, token, query string, header http.Header) (*websocket.Conn, *http.Response, error) {
	tb.Helper()
	if header == nil {
		header = http.Header{}
	}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	u := th.url
	if query != "" {
		u += "?" + query
	}
	d := websocket.Dialer{HandshakeTimeout: patience}
	conn, resp, err := d.Dial(u, header)
	if err == nil {
		tb.Cleanup(func() { conn.Close() })
	}
	return conn, resp, err
}

// MustDial is dial that fails the test when dialling fails, and reads
// the ready message: the client is registered when it returns.
func (th *testHub) MustDial(tb testing.TB, token, query string) *websocket.Conn {
	tb.Helper()
	conn, resp, err := th.dial(tb, token, query, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		tb.Fatalf("dial: %v (status %d)", err, status)
	}
	if got := read(tb, conn); !strings.HasPrefix(got, `{"type":"ready"`) {
		tb.Fatalf("first message=%s, want ready", got)
	}
	return conn
}

// read reads one text message within patience.
func read(tb testing.TB, conn *websocket.Conn) string {
	tb.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(patience))
	_, msg, err := conn.ReadMessage()
	if err != nil {
		tb.Fatalf("read: %v", err)
	}
	return string(msg)
}

// send writes a text message.
func send(tb testing.TB, conn *websocket.Conn, msg string) {
	tb.Helper()
	_ = conn.SetWriteDeadline(time.Now().Add(patience))
	if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		tb.Fatalf("write: %v", err)
	}
}

// eventually polls cond until it holds, failing after patience.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// payload returns a test message for topic number i.
func payload(topic live.Topic, i int) []byte {
	return fmt.Appendf(nil, `{"topic":%q,"i":%d}`, topic, i)
}
