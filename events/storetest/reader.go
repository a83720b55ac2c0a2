package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/empulse/empulse/events"
)

// reader receives from a subscription and checks every message against the
// rules that hold for every subscription:
//
//   - an event message carries an event at the message's position, after the
//     position of every earlier message (commit order, no duplicates);
//   - checkpoint and caught-up positions never go backwards;
//   - no message lies beyond the store's head;
//   - there is at most one caught-up message.
//
// Its methods return errors rather than failing the test, so that readers
// may run in goroutines.
type reader struct {
	store events.Store
	sub   events.Subscription
	// last is the position of the last message received, Start before any.
	last events.Position
	// caughtUp is set once the CaughtUp message has arrived, at caughtUpAt.
	caughtUp   bool
	caughtUpAt events.Position
	// checkpoints are the positions of the checkpoint messages received.
	checkpoints []events.Position
	// head is the store's head as last read, to spare most Head calls.
	head events.Position
}

// subscribe subscribes to s and returns a reader for the subscription, which
// is closed when the test ends.
func subscribe(tb testing.TB, ctx context.Context, s events.Store, from events.Position, f events.Filter) *reader {
	tb.Helper()
	sub, err := s.Subscribe(ctx, from, f)
	if err != nil {
		tb.Fatalf("Subscribe(%v, %+v): %v", from, f, err)
	}
	tb.Cleanup(func() { sub.Close() })
	return &reader{store: s, sub: sub}
}

// recv returns the next message, checked.
func (r *reader) recv(ctx context.Context) (events.Message, error) {
	m, err := r.sub.Recv(ctx)
	if err != nil {
		return m, fmt.Errorf("Recv after position %v: %w", r.last, err)
	}
	if err := r.check(ctx, m); err != nil {
		return m, err
	}
	if r.last.Less(m.Position) {
		r.last = m.Position
	}
	switch m.Kind {
	case events.CheckpointMessage:
		r.checkpoints = append(r.checkpoints, m.Position)
	case events.CaughtUpMessage:
		r.caughtUp, r.caughtUpAt = true, m.Position
	}
	return m, nil
}

// check applies the rules of every subscription to m.
func (r *reader) check(ctx context.Context, m events.Message) error {
	switch m.Kind {
	case events.EventMessage:
		switch {
		case m.Event.Position != m.Position:
			return fmt.Errorf("event message at %v carries an event at %v", m.Position, m.Event.Position)
		case !r.last.Less(m.Position):
			return fmt.Errorf("event at %v received after a message at %v: out of commit order or duplicated", m.Position, r.last)
		case m.Event.Recorded.IsZero():
			return fmt.Errorf("event at %v has a zero Recorded time", m.Position)
		}
	case events.CheckpointMessage:
		if m.Position.Less(r.last) {
			return fmt.Errorf("checkpoint at %v after a message at %v: went backwards", m.Position, r.last)
		}
	case events.CaughtUpMessage:
		if r.caughtUp {
			return fmt.Errorf("second CaughtUp message (at %v, first at %v)", m.Position, r.caughtUpAt)
		}
		if m.Position.Less(r.last) {
			return fmt.Errorf("caught-up at %v after a message at %v: went backwards", m.Position, r.last)
		}
	default:
		return fmt.Errorf("message of unknown kind %d at %v", m.Kind, m.Position)
	}
	if !r.head.Less(m.Position) {
		return nil // the head only grows
	}
	head, err := r.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("Head: %w", err)
	}
	if head.Less(m.Position) {
		return fmt.Errorf("message of kind %d at %v lies beyond Head %v", m.Kind, m.Position, head)
	}
	r.head = head
	return nil
}

// untilCaughtUp receives until the CaughtUp message and returns the events
// received before it.
func (r *reader) untilCaughtUp(ctx context.Context) ([]events.Event, error) {
	var evs []events.Event
	for !r.caughtUp {
		m, err := r.recv(ctx)
		if err != nil {
			return evs, err
		}
		if m.Kind == events.EventMessage {
			evs = append(evs, m.Event)
		}
	}
	return evs, nil
}

// collect receives until n events have arrived and returns them.
func (r *reader) collect(ctx context.Context, n int) ([]events.Event, error) {
	evs := make([]events.Event, 0, n)
	for len(evs) < n {
		m, err := r.recv(ctx)
		if err != nil {
			return evs, fmt.Errorf("after %d of %d events: %w", len(evs), n, err)
		}
		if m.Kind == events.EventMessage {
			evs = append(evs, m.Event)
		}
	}
	return evs, nil
}

// until receives until a message at or after pos and returns the events
// received, including one at pos.
func (r *reader) until(ctx context.Context, pos events.Position) ([]events.Event, error) {
	var evs []events.Event
	for r.last.Less(pos) {
		m, err := r.recv(ctx)
		if err != nil {
			return evs, err
		}
		if m.Kind == events.EventMessage {
			evs = append(evs, m.Event)
		}
	}
	return evs, nil
}

// mustCaughtUp is untilCaughtUp that fails the test on error.
func (r *reader) mustCaughtUp(tb testing.TB, ctx context.Context) []events.Event {
	tb.Helper()
	evs, err := r.untilCaughtUp(ctx)
	if err != nil {
		tb.Fatalf("receiving until caught up: %v", err)
	}
	return evs
}

// mustCollect is collect that fails the test on error.
func (r *reader) mustCollect(tb testing.TB, ctx context.Context, n int) []events.Event {
	tb.Helper()
	evs, err := r.collect(ctx, n)
	if err != nil {
		tb.Fatalf("receiving %d events: %v", n, err)
	}
	return evs
}

// mustUntil is until that fails the test on error.
func (r *reader) mustUntil(tb testing.TB, ctx context.Context, pos events.Position) []events.Event {
	tb.Helper()
	evs, err := r.until(ctx, pos)
	if err != nil {
		tb.Fatalf("receiving until position %v: %v", pos, err)
	}
	return evs
}
