package storetest

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/empulse/empulse/events"
)

// testCancel checks that Append, Subscribe and Recv honour their contexts.
func testCancel(t *testing.T, open opener) {
	t.Run("Append", func(t *testing.T) { testCancelAppend(t, open(t)) })
	t.Run("SubscribeContext", func(t *testing.T) { testCancelSubscribe(t, open(t), false) })
	t.Run("SubscribeContextWhileWaiting", func(t *testing.T) { testCancelSubscribe(t, open(t), true) })
	t.Run("SubscribeCancelledContext", func(t *testing.T) { testSubscribeCancelled(t, open(t)) })
	t.Run("RecvContext", func(t *testing.T) { testCancelRecv(t, open(t)) })
}

// cancelled returns a context that is already cancelled.
func cancelled(tb testing.TB) context.Context {
	ctx, cancel := context.WithCancel(tb.Context())
	cancel()
	return ctx
}

// testCancelAppend checks that an append with an already-cancelled context
// returns the context's error and writes nothing.
func testCancelAppend(t *testing.T, s events.Store) {
	ctx := testContext(t)
	mustAppend(t, ctx, s, "cancelled", events.NoStream(), proposals(1, "Before")...)
	sn := takeSnapshot(t, ctx, s)
	for _, exp := range []events.ExpectedRevision{events.Any(), events.Revision(0)} {
		_, err := s.Append(cancelled(t), "cancelled", exp, proposals(2, "Cancelled")...)
		requireErrorIs(t, err, context.Canceled, "Append with a cancelled context")
		sn.requireUnchanged(t, ctx, s, "Append with a cancelled context")
	}
}

// recvUntilError receives until Recv fails, at most limit messages, and
// returns the error.
func recvUntilError(ctx context.Context, sub events.Subscription, limit int) error {
	for range limit {
		if _, err := sub.Recv(ctx); err != nil {
			return err
		}
	}
	return errors.New("no error after receiving every message written")
}

// testCancelSubscribe cancels the context given to Subscribe and checks that
// Recv then returns context.Canceled, after at most the messages already
// waiting. With waiting set, Recv is already waiting for a message when the
// context is cancelled.
func testCancelSubscribe(t *testing.T, s events.Store, waiting bool) {
	ctx := testContext(t)
	writeSample(t, s)
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := subscribe(t, subCtx, s, events.Start, events.Filter{})
	if !waiting {
		cancel()
		requireErrorIs(t, recvUntilError(ctx, r.sub, 100), context.Canceled, "Recv after the Subscribe context was cancelled")
		return
	}
	r.mustCaughtUp(t, ctx)
	errc := make(chan error, 1)
	go func() {
		_, err := r.sub.Recv(ctx)
		errc <- err
	}()
	for range 100 { // most likely lets Recv start waiting; correct either way
		runtime.Gosched()
	}
	cancel()
	select {
	case err := <-errc:
		requireErrorIs(t, err, context.Canceled, "waiting Recv when the Subscribe context was cancelled")
	case <-ctx.Done():
		t.Fatal("Recv still waiting after the Subscribe context was cancelled")
	}
}

// testSubscribeCancelled subscribes with an already-cancelled context, which
// must fail either at once or at a later Recv, with context.Canceled.
func testSubscribeCancelled(t *testing.T, s events.Store) {
	ctx := testContext(t)
	writeSample(t, s)
	sub, err := s.Subscribe(cancelled(t), events.Start, events.Filter{})
	if err == nil {
		defer sub.Close()
		err = recvUntilError(ctx, sub, 100)
	}
	requireErrorIs(t, err, context.Canceled, "Subscribe with a cancelled context")
}

// testCancelRecv checks that Recv with an already-cancelled context returns
// the context's error when no message is waiting, and that the subscription
// still works afterwards with a live context.
func testCancelRecv(t *testing.T, s events.Store) {
	ctx := testContext(t)
	writeSample(t, s)
	r := subscribe(t, ctx, s, events.Start, events.Filter{})
	r.mustCaughtUp(t, ctx)
	_, err := r.sub.Recv(cancelled(t))
	requireErrorIs(t, err, context.Canceled, "Recv with a cancelled context")
	short, cancel := context.WithTimeout(ctx, 1)
	defer cancel()
	_, err = r.sub.Recv(short)
	requireErrorIs(t, err, context.DeadlineExceeded, "Recv with an expired context")

	mustAppend(t, ctx, s, "sample-a", events.Any(), proposals(2, "After")...)
	all := readAll(t, ctx, s)
	requireEvents(t, "events after a cancelled Recv", r.mustCollect(t, ctx, 2), all[len(all)-2:])
}
