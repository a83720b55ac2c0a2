package storetest

import (
	"errors"
	"fmt"
	"runtime"
	"testing"

	"github.com/empulse/empulse/events"
)

// testSubscribe checks catch-up, the switch to live delivery and closing a
// subscription.
func testSubscribe(t *testing.T, open opener) {
	t.Run("FromEveryPosition", func(t *testing.T) { testFromEveryPosition(t, open(t)) })
	t.Run("Live", func(t *testing.T) { testLive(t, open(t)) })
	t.Run("FromHead", func(t *testing.T) { testFromHead(t, open(t)) })
	t.Run("Close", func(t *testing.T) { testSubscriptionClose(t, open(t)) })
	t.Run("CloseUnblocksRecv", func(t *testing.T) { testCloseUnblocksRecv(t, open(t)) })
}

// testFromEveryPosition subscribes from Start and from the position of every
// event, including positions inside multi-event appends, and checks that
// each subscription delivers exactly the events after its position, in
// order, then CaughtUp, then the events appended later.
func testFromEveryPosition(t *testing.T, s events.Store) {
	ctx := testContext(t)
	writeSample(t, s)
	all := readAll(t, ctx, s)
	froms := []events.Position{events.Start}
	for _, e := range all {
		froms = append(froms, e.Position)
	}
	readers := make([]*reader, len(froms))
	for i, from := range froms {
		r := subscribe(t, ctx, s, from, events.Filter{})
		requireEvents(t, fmt.Sprintf("catch-up from %v", from), r.mustCaughtUp(t, ctx), after(all, from))
		readers[i] = r
	}
	// Every subscription is live now; each must deliver the new events next.
	mustAppend(t, ctx, s, "sample-b", events.Any(), proposals(2, "Live")...)
	mustAppend(t, ctx, s, "sample-d", events.Any(), proposals(1, "Live")...)
	live := readAll(t, ctx, s)[len(all):]
	for i, r := range readers {
		requireEvents(t, fmt.Sprintf("live events from %v", froms[i]), r.mustCollect(t, ctx, len(live)), live)
	}
}

// testLive subscribes to an empty store, which is caught up at once, and
// checks that appends made afterwards arrive in commit order.
func testLive(t *testing.T, s events.Store) {
	ctx := testContext(t)
	r := subscribe(t, ctx, s, events.Start, events.Filter{})
	if evs := r.mustCaughtUp(t, ctx); len(evs) != 0 {
		t.Fatalf("catch-up of an empty store delivered %d events, want 0", len(evs))
	}
	writeSample(t, s)
	requireEvents(t, "live events", r.mustCollect(t, ctx, 10), readAll(t, ctx, s))
}

// testFromHead subscribes from the last event's position, which delivers no
// catch-up events, and then receives live ones.
func testFromHead(t *testing.T, s events.Store) {
	ctx := testContext(t)
	writeSample(t, s)
	old := readAll(t, ctx, s)
	r := subscribe(t, ctx, s, mustHead(t, ctx, s), events.Filter{})
	if evs := r.mustCaughtUp(t, ctx); len(evs) != 0 {
		t.Fatalf("catch-up from Head delivered %d events, want 0", len(evs))
	}
	ps := proposals(3, "Live")
	mustAppend(t, ctx, s, "sample-a", events.Revision(2), ps...)
	want := readAll(t, ctx, s)[len(old):]
	requireEvents(t, "live events", r.mustCollect(t, ctx, len(ps)), want)
}

// testSubscriptionClose checks that Recv after Close gives ErrClosed, also
// when messages were waiting.
func testSubscriptionClose(t *testing.T, s events.Store) {
	ctx := testContext(t)
	writeSample(t, s)
	r := subscribe(t, ctx, s, events.Start, events.Filter{})
	if _, err := r.recv(ctx); err != nil {
		t.Fatalf("first Recv: %v", err)
	}
	if err := r.sub.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i := range 2 {
		_, err := r.sub.Recv(ctx)
		requireErrorIs(t, err, events.ErrClosed, fmt.Sprintf("Recv %d after Close", i+1))
	}
}

// testCloseUnblocksRecv closes a subscription while another goroutine waits
// in Recv, which must return ErrClosed.
func testCloseUnblocksRecv(t *testing.T, s events.Store) {
	ctx := testContext(t)
	r := subscribe(t, ctx, s, events.Start, events.Filter{})
	r.mustCaughtUp(t, ctx)
	errc := make(chan error, 1)
	go func() {
		_, err := r.sub.Recv(ctx)
		errc <- err
	}()
	for range 100 { // most likely lets Recv start waiting; correct either way
		runtime.Gosched()
	}
	if err := r.sub.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-errc:
		requireErrorIs(t, err, events.ErrClosed, "Recv waiting during Close")
	case <-ctx.Done():
		t.Fatal("Recv still waiting after the subscription was closed")
	}
	if _, err := r.sub.Recv(ctx); !errors.Is(err, events.ErrClosed) {
		t.Fatalf("Recv after Close: err=%v, want ErrClosed", err)
	}
}
