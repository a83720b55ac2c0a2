package esdb_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
)

// logCounter is a slog.Handler that counts records whose message contains
// a given text.
type logCounter struct {
	text string
	n    *atomic.Int64
}

func newLogCounter(text string) logCounter { return logCounter{text: text, n: new(atomic.Int64)} }

func (h logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h logCounter) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, h.text) {
		h.n.Add(1)
	}
	return nil
}
func (h logCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h logCounter) WithGroup(string) slog.Handler      { return h }

// appendRetrying appends evs, retrying with the same event IDs while the
// server is unreachable: EventStoreDB's idempotence makes that safe.
func appendRetrying(ctx context.Context, st events.Store, stream string, evs []events.Proposed) error {
	for {
		_, err := st.Append(ctx, stream, events.Any(), evs...)
		if err == nil || !errors.Is(err, events.ErrUnavailable) {
			return err
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// follow reads sub until it has passed position last, and returns the
// events, checking on the way that positions only grow and that CaughtUp
// comes exactly once.
func follow(tb testing.TB, ctx context.Context, sub events.Subscription, last events.Position) []events.Event {
	tb.Helper()
	var got []events.Event
	var prev events.Position
	caughtUp := 0
	for prev.Less(last) {
		m, err := sub.Recv(ctx)
		if err != nil {
			tb.Fatalf("Recv after %d events: %v", len(got), err)
		}
		switch m.Kind {
		case events.EventMessage:
			if !prev.Less(m.Position) {
				tb.Fatalf("event at %v after %v: duplicate or out of order", m.Position, prev)
			}
			got = append(got, m.Event)
		case events.CheckpointMessage:
			if m.Position.Less(prev) {
				tb.Fatalf("checkpoint at %v after %v", m.Position, prev)
			}
		case events.CaughtUpMessage:
			if caughtUp++; caughtUp > 1 {
				tb.Fatalf("CaughtUp a second time, at %v", m.Position)
			}
		}
		prev = m.Position
	}
	return got
}

// requireSameEvents fails unless got and want are the same events in the
// same order.
func requireSameEvents(tb testing.TB, got, want []events.Event) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Position != want[i].Position {
			tb.Fatalf("event %d: %v at %v, want %v at %v", i, got[i].ID, got[i].Position, want[i].ID, want[i].Position)
		}
	}
}

// matching returns the events of all whose stream starts with prefix.
func matching(all []events.Event, prefix string) []events.Event {
	var out []events.Event
	for _, e := range all {
		if strings.HasPrefix(e.Stream, prefix) {
			out = append(out, e)
		}
	}
	return out
}

// TestSubscription_ResumeAfterDrop drops every connection to the server
// again and again while one Store writes and another follows the log: the
// subscriber must see every matching event exactly once, in order.
func TestSubscription_ResumeAfterDrop(t *testing.T) {
	conn, srv := MustServer(t)
	dropped := newLogCounter("subscription dropped")
	writer := MustOpen(t, conn, esdb.Options{})
	reader := MustOpen(t, conn, esdb.Options{
		Logger:   slog.New(dropped),
		RetryMin: time.Millisecond, RetryMax: 10 * time.Millisecond,
		Rand: func() float64 { return 0.5 },
	})
	ctx := testContext(t, 30*time.Second)

	for i := range 10 { // history to catch up on
		if err := appendRetrying(ctx, writer, fmt.Sprintf("pulse-%d", i%3), proposed(5, "PulseOpened")); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := reader.Subscribe(ctx, events.Start, events.Filter{StreamPrefixes: []string{"pulse-"}, CheckpointInterval: 7})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	defer sub.Close()

	var wg sync.WaitGroup
	wg.Add(1)
	werr := make(chan error, 1)
	go func() {
		defer wg.Done()
		for i := range 60 {
			stream := fmt.Sprintf("pulse-%d", i%3)
			if i%4 == 3 {
				stream = "other-1" // filtered out, but scanned
			}
			if err := appendRetrying(ctx, writer, stream, proposed(5, "AnswerGiven")); err != nil {
				werr <- err
				return
			}
			if i%6 == 0 {
				srv.DropConnections()
			}
		}
	}()
	wg.Wait()
	select {
	case err := <-werr:
		t.Fatalf("writer: %v", err)
	default:
	}

	all, err := writer.ReadAll(ctx, events.Start, 0)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	want := matching(all, "pulse-")
	got := follow(t, ctx, sub, want[len(want)-1].Position)
	requireSameEvents(t, got, want)
	if dropped.n.Load() == 0 {
		t.Fatal("the subscription was never dropped; the test tested nothing")
	}
	t.Logf("%d events through %d resumed drops", len(got), dropped.n.Load())
}

// TestSubscription_ResumeAfterRestart stops the server long enough for the
// client to give up on discovery (and be replaced), then restarts it: the
// subscription resumes without gap or duplicate, after growing backoff
// delays drawn with the injected randomness.
func TestSubscription_ResumeAfterRestart(t *testing.T) {
	conn, srv := MustServer(t)
	conn += "&maxDiscoverAttempts=2&discoveryInterval=10"
	var mu sync.Mutex
	var delays []time.Duration
	replaced := newLogCounter("replacing")
	reader := MustOpen(t, conn, esdb.Options{
		Logger:   slog.New(replaced),
		RetryMin: 4 * time.Millisecond, RetryMax: 64 * time.Millisecond,
		Rand: func() float64 { return 0 },
		After: func(d time.Duration) <-chan time.Time {
			mu.Lock()
			delays = append(delays, d)
			mu.Unlock()
			return time.After(d)
		},
	})
	writer := MustOpen(t, conn, esdb.Options{})
	ctx := testContext(t, 30*time.Second)
	if err := appendRetrying(ctx, writer, "pulse-1", proposed(20, "PulseOpened")); err != nil {
		t.Fatal(err)
	}
	sub, err := reader.Subscribe(ctx, events.Start, events.Filter{})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	defer sub.Close()
	all, _ := writer.ReadAll(ctx, events.Start, 0)
	first := follow(t, ctx, sub, all[len(all)-1].Position)

	srv.Stop()
	time.Sleep(400 * time.Millisecond)
	if err := srv.Restart(); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	if err := appendRetrying(ctx, writer, "pulse-2", proposed(20, "AnswerGiven")); err != nil {
		t.Fatal(err)
	}
	all, err = writer.ReadAll(ctx, events.Start, 0)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	rest := follow(t, ctx, sub, all[len(all)-1].Position)
	requireSameEvents(t, append(first, rest...), all)

	if replaced.n.Load() == 0 {
		t.Fatal("the client that gave up on discovery was never replaced")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(delays) < 2 {
		t.Fatalf("%d backoff delays, want several while the server was down", len(delays))
	}
	for i, d := range delays {
		// Rand 0 gives the lower bound: half of min x 2^i, capped at max.
		want := min(4*time.Millisecond<<i, 64*time.Millisecond) / 2
		if d != want {
			t.Fatalf("delay %d=%v, want %v (all: %v)", i, d, want, delays)
		}
	}
}
