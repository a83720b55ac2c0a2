package storetest

import (
	"runtime"
	"testing"

	"github.com/empulse/empulse/events"
)

// testClose checks a closed store.
func testClose(t *testing.T, open opener) {
	t.Run("Methods", func(t *testing.T) { testClosedMethods(t, open(t)) })
	t.Run("Subscription", func(t *testing.T) { testClosedSubscription(t, open(t)) })
}

// testClosedMethods checks that every method of a closed store returns
// ErrClosed.
func testClosedMethods(t *testing.T, s events.Store) {
	ctx := testContext(t)
	mustAppend(t, ctx, s, "closed", events.NoStream(), proposals(2, "Before")...)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err := s.Append(ctx, "closed", events.Any(), proposals(1, "After")...)
	requireErrorIs(t, err, events.ErrClosed, "Append after Close")
	_, err = s.Append(ctx, "closed-new", events.NoStream(), proposals(1, "After")...)
	requireErrorIs(t, err, events.ErrClosed, "Append to a new stream after Close")
	_, err = s.ReadStream(ctx, "closed", events.Forwards, 0, 0)
	requireErrorIs(t, err, events.ErrClosed, "ReadStream after Close")
	_, err = s.ReadAll(ctx, events.Start, 0)
	requireErrorIs(t, err, events.ErrClosed, "ReadAll after Close")
	_, err = s.Head(ctx)
	requireErrorIs(t, err, events.ErrClosed, "Head after Close")
	sub, err := s.Subscribe(ctx, events.Start, events.Filter{})
	if err == nil {
		sub.Close()
	}
	requireErrorIs(t, err, events.ErrClosed, "Subscribe after Close")
}

// testClosedSubscription closes a store while one subscription waits in
// Recv and another has messages waiting, and checks that both end with
// ErrClosed.
func testClosedSubscription(t *testing.T, s events.Store) {
	ctx := testContext(t)
	writeSample(t, s)
	waiting := subscribe(t, ctx, s, events.Start, events.Filter{})
	waiting.mustCaughtUp(t, ctx)
	behind := subscribe(t, ctx, s, events.Start, events.Filter{})
	errc := make(chan error, 1)
	go func() {
		_, err := waiting.sub.Recv(ctx)
		errc <- err
	}()
	for range 100 { // most likely lets Recv start waiting; correct either way
		runtime.Gosched()
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-errc:
		requireErrorIs(t, err, events.ErrClosed, "waiting Recv when the store closed")
	case <-ctx.Done():
		t.Fatal("Recv still waiting after the store was closed")
	}
	requireErrorIs(t, recvUntilError(ctx, behind.sub, 100), events.ErrClosed, "Recv of a subscription behind when the store closed")
}
