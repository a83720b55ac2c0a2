package live_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/empulse/empulse/web/live"
)

// wantClosed reads from conn until it fails and fails the test unless the
// failure is a close frame with code and reason.
func wantClosed(tb testing.TB, conn *websocket.Conn, code int, reason string) {
	tb.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(patience))
	for {
		_, msg, err := conn.ReadMessage()
		if err == nil {
			continue // a message queued before the close
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code || ce.Text != reason {
			tb.Fatalf("read err=%v (last message %s), want close %d %q", err, msg, code, reason)
		}
		return
	}
}

// wantOpen fails unless conn, subscribed to topic, receives a message
// published to it.
func wantOpen(tb testing.TB, th *testHub, conn *websocket.Conn, topic live.Topic) {
	tb.Helper()
	msg := payload(topic, 1)
	th.Publish(topic, msg)
	if got := read(tb, conn); got != string(msg) {
		tb.Fatalf("read %s, want %s", got, msg)
	}
}

func TestHub_Disconnect(t *testing.T) {
	th := MustStart(t, live.Config{})
	a1 := th.MustDial(t, "leader-a", "topic=team:a")
	a2 := th.MustDial(t, "leader-a", "")
	b := th.MustDial(t, "leader-b", "topic=team:b")
	an := th.MustDial(t, "analyst", "topic=correlations")

	tests := []struct {
		name, key string
		want      int
	}{
		{"UnknownKey", "nobody", 0},
		{"TwoConnections", "leader-a", 2},
		{"Again", "leader-a", 0},
	}
	for _, tt := range tests {
		if got := th.Disconnect(tt.key, "revoked"); got != tt.want {
			t.Errorf("%s: Disconnect(%s)=%d, want %d", tt.name, tt.key, got, tt.want)
		}
	}
	wantClosed(t, a1, websocket.ClosePolicyViolation, "revoked")
	wantClosed(t, a2, websocket.ClosePolicyViolation, "revoked")
	wantOpen(t, th, b, "team:b")
	wantOpen(t, th, an, live.CorrelationsTopic)
	eventually(t, "two clients left", func() bool { return th.Stats().Clients == 2 })
	// The key's connection limit is released: leader-a may connect again.
	wantOpen(t, th, th.MustDial(t, "leader-a", "topic=team:a"), "team:a")
}

// fakeTimers is a Config.AfterFunc that runs nothing by itself: the test
// fires the calls it recorded.
type fakeTimers struct {
	mu    sync.Mutex
	calls []*recordedTimer
}

// recordedTimer is one recorded AfterFunc call.
type recordedTimer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func (ft *fakeTimers) AfterFunc(d time.Duration, f func()) func() bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	t := &recordedTimer{d: d, f: f}
	ft.calls = append(ft.calls, t)
	return func() bool {
		ft.mu.Lock()
		defer ft.mu.Unlock()
		was := t.stopped
		t.stopped = true
		return !was
	}
}

// timers returns the calls so far.
func (ft *fakeTimers) timers() []*recordedTimer {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return append([]*recordedTimer(nil), ft.calls...)
}

func (ft *fakeTimers) stopped(i int) bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return ft.calls[i].stopped
}

func TestHub_Expiry(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	expiries := map[string]time.Time{"leader-a": now.Add(time.Hour), "leader-b": now.Add(2 * time.Hour)}
	timers := &fakeTimers{}
	th := MustStart(t, live.Config{
		Now:       func() time.Time { return now },
		AfterFunc: timers.AfterFunc,
		Authenticate: func(r *http.Request) (live.Viewer, error) {
			v, err := authenticate(r)
			v.Expires = expiries[v.Key]
			return v, err
		},
	})
	a := th.MustDial(t, "leader-a", "topic=team:a")
	b := th.MustDial(t, "leader-b", "topic=team:b")
	an := th.MustDial(t, "analyst", "topic=correlations") // never expires
	got := timers.timers()
	if len(got) != 2 || got[0].d != time.Hour || got[1].d != 2*time.Hour {
		t.Fatalf("AfterFunc calls=%d (%v), want leader-a's in 1h and leader-b's in 2h, none for the analyst", len(got), got)
	}
	wantOpen(t, th, a, "team:a")

	got[0].f() // leader-a's link expires
	wantClosed(t, a, websocket.ClosePolicyViolation, live.ReasonExpired)
	wantOpen(t, th, b, "team:b")
	wantOpen(t, th, an, live.CorrelationsTopic)

	// A connection that ends first cancels its expiry.
	b.Close()
	eventually(t, "leader-b's expiry cancelled", func() bool { return timers.stopped(1) })
}
