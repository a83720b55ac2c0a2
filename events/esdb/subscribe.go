package esdb

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync/atomic"

	kurrent "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/empulse/empulse/events"
)

// subscriptionBuffer is the number of messages a subscription holds for its
// consumer before it stops reading from the server.
const subscriptionBuffer = 256

// Subscribe follows the global log from just after position from: first the
// events already written, then one CaughtUp message, then events as they are
// written. It asks the server to filter ($all subscription with stream or
// event-type prefixes, or without system events when filter has none) and to
// send a checkpoint every filter.Interval() scanned events. When the
// connection drops, the subscription resumes where it stopped after a
// jittered exponential backoff, without gap or duplicate.
//
// Subscribe returns an error wrapping events.ErrInvalidFilter (checked before
// any network call), events.ErrClosed, or ctx's error. Recv on the returned
// Subscription returns ctx's error, the Subscribe context's error once it is
// done, events.ErrClosed after Close (of the subscription or the Store), or
// the error that ended the subscription when the server refuses it for good
// (for example bad credentials).
func (s *Store) Subscribe(ctx context.Context, from events.Position, filter events.Filter) (events.Subscription, error) {
	if err := filter.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	subCtx, cancel := context.WithCancel(ctx)
	sub := &subscription{
		store:  s,
		parent: ctx,
		ctx:    subCtx,
		cancel: cancel,
		filter: filter,
		opts:   subscribeOptions(filter),
		pos:    from,
		msgs:   make(chan events.Message, subscriptionBuffer),
		done:   make(chan struct{}),
	}
	if err := s.track(sub); err != nil {
		cancel()
		return nil, err
	}
	go sub.run()
	return sub, nil
}

// subscribeOptions returns the client options for filter. The server sends a
// checkpoint every window x multiplier scanned events.
func subscribeOptions(f events.Filter) kurrent.SubscribeToAllOptions {
	window, multiplier := min(f.Interval(), math.MaxInt32), 1
	if window > events.DefaultCheckpointInterval && window%events.DefaultCheckpointInterval == 0 {
		window, multiplier = events.DefaultCheckpointInterval, window/events.DefaultCheckpointInterval
	}
	opts := kurrent.SubscribeToAllOptions{MaxSearchWindow: window, CheckpointInterval: multiplier}
	switch {
	case len(f.StreamPrefixes) > 0:
		opts.Filter = &kurrent.SubscriptionFilter{Type: kurrent.StreamFilterType, Prefixes: slices.Clone(f.StreamPrefixes)}
	case len(f.TypePrefixes) > 0:
		opts.Filter = &kurrent.SubscriptionFilter{Type: kurrent.EventFilterType, Prefixes: slices.Clone(f.TypePrefixes)}
	default:
		opts.Filter = kurrent.ExcludeSystemEventsFilter()
	}
	return opts
}

// subscription is the events.Subscription of a Store. One goroutine (run)
// reads from the server and feeds msgs.
type subscription struct {
	store  *Store
	parent context.Context // the Subscribe context
	ctx    context.Context // parent, also cancelled by Close
	cancel context.CancelFunc
	filter events.Filter
	opts   kurrent.SubscribeToAllOptions
	msgs   chan events.Message
	done   chan struct{} // closed when run returns
	err    error         // why run returned; read after done
	closed atomic.Bool

	// Owned by run.
	pos      events.Position // last event or checkpoint passed on (or from)
	seen     bool            // pos is a position received from the server
	lastCP   events.Position // last checkpoint passed on
	cpSeen   bool
	caughtUp bool
}

// Recv returns the next message, waiting for one if needed. It returns ctx's
// error when ctx is done first, the Subscribe context's error once that is
// done, events.ErrClosed after Close or once the Store is closed, or the
// error that ended the subscription after the messages received before it.
func (sub *subscription) Recv(ctx context.Context) (events.Message, error) {
	if err := sub.stopped(); err != nil {
		return events.Message{}, err
	}
	select {
	case m := <-sub.msgs:
		return m, nil
	case <-sub.done:
		if err := sub.stopped(); err != nil {
			return events.Message{}, err
		}
		select {
		case m := <-sub.msgs:
			return m, nil
		default:
			return events.Message{}, sub.err
		}
	case <-ctx.Done():
		return events.Message{}, ctx.Err()
	}
}

// stopped returns ErrClosed or the Subscribe context's error, or nil.
func (sub *subscription) stopped() error {
	if sub.closed.Load() {
		return events.ErrClosed
	}
	return sub.parent.Err()
}

// Close ends the subscription and waits for its goroutine. It returns nil.
func (sub *subscription) Close() error {
	sub.end()
	<-sub.done
	return nil
}

// end stops the subscription without waiting.
func (sub *subscription) end() {
	sub.closed.Store(true)
	sub.cancel()
}

func (sub *subscription) run() {
	defer close(sub.done)
	defer sub.store.forget(sub)
	err := sub.follow()
	if serr := sub.stopped(); serr != nil {
		err = serr
	}
	sub.err = err
	sub.cancel()
}

// follow subscribes and resubscribes until the subscription ends, and
// returns why it ended.
func (sub *subscription) follow() error {
	attempt := 0
	for {
		progressed, err := sub.follow1()
		if cerr := sub.ctx.Err(); cerr != nil {
			return cerr
		}
		if permanent(err) {
			return sub.store.mapErr(sub.ctx, "subscribe", "", err)
		}
		if progressed {
			attempt = 0
		}
		attempt++
		sub.store.log.Warn("esdb: subscription dropped; resuming",
			"after", sub.pos.String(), "attempt", attempt, "err", err)
		if err := sub.store.backoff.wait(sub.ctx, attempt); err != nil {
			return err
		}
	}
}

// follow1 runs one server subscription from sub.pos until it drops, passing
// messages on. progressed reports whether it moved sub.pos.
func (sub *subscription) follow1() (progressed bool, err error) {
	var ks *kurrent.Subscription
	err = sub.store.call(func(c *kurrent.Client) error {
		opts := sub.opts
		opts.From = kurrent.Start{}
		if sub.seen || sub.pos != events.Start {
			opts.From = kurrent.Position{Commit: sub.pos.Commit, Prepare: sub.pos.Prepare}
		}
		var err error
		ks, err = c.SubscribeToAll(sub.ctx, opts)
		return err
	})
	if err != nil {
		return false, err
	}
	defer ks.Close()
	for {
		ev := ks.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			return progressed, ev.SubscriptionDropped.Error
		case ev.EventAppeared != nil:
			r := ev.EventAppeared.OriginalEvent()
			p := positionOf(r)
			if sub.seen && !sub.pos.Less(p) {
				continue // passed on before the connection dropped
			}
			sub.pos, sub.seen, progressed = p, true, true
			if isSystem(r) || !sub.filter.Matches(r.StreamID, r.EventType) {
				continue
			}
			err = sub.send(events.Message{Kind: events.EventMessage, Position: p, Event: fromRecorded(r)})
		case ev.CheckPointReached != nil:
			p := events.Position{Commit: ev.CheckPointReached.Commit, Prepare: ev.CheckPointReached.Prepare}
			if (sub.seen && p.Less(sub.pos)) || (sub.cpSeen && !sub.lastCP.Less(p)) {
				continue
			}
			sub.pos, sub.seen, progressed = p, true, true
			sub.lastCP, sub.cpSeen = p, true
			err = sub.send(events.Message{Kind: events.CheckpointMessage, Position: p})
		case ev.CaughtUp != nil:
			// The server says it again after every fall-behind and resume;
			// the consumer hears it once.
			if sub.caughtUp {
				continue
			}
			sub.caughtUp = true
			err = sub.send(events.Message{Kind: events.CaughtUpMessage, Position: sub.pos})
		}
		if err != nil {
			return progressed, err
		}
	}
}

// send passes m on, waiting for room in the buffer.
func (sub *subscription) send(m events.Message) error {
	select {
	case sub.msgs <- m:
		return nil
	case <-sub.ctx.Done():
		return sub.ctx.Err()
	}
}

// permanent reports whether a subscription error will not go away by
// resubscribing.
func permanent(err error) bool {
	if errors.Is(err, events.ErrClosed) {
		return true
	}
	code, ok := kurrentCode(err)
	if !ok {
		return false
	}
	switch code {
	case kurrent.ErrorCodeUnauthenticated, kurrent.ErrorCodeAccessDenied,
		kurrent.ErrorCodeUnsupportedFeature, kurrent.ErrorCodeParsing,
		kurrent.ErrorCodeInternalClient:
		return true
	}
	return false
}
