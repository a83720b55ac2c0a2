package pebble

import (
	"context"
	"fmt"
	"sync/atomic"
	"unsafe"

	pdb "github.com/cockroachdb/pebble/v2"

	"github.com/empulse/empulse/events"
)

// sendChunk is the most messages a subscription hands over at a time, and
// sendQueue how many such chunks may wait for the subscriber.
const (
	sendChunk = 256
	sendQueue = 4
)

// Subscribe implements events.Store.
func (s *Store) Subscribe(ctx context.Context, from events.Position, filter events.Filter) (events.Subscription, error) {
	if err := filter.Validate(); err != nil {
		return nil, err
	}
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	defer s.leave()
	ctx, cancel := context.WithCancel(ctx)
	sub := &subscription{
		cancel: cancel,
		ch:     make(chan []events.Message, sendQueue),
		free:   make(chan []events.Message, sendQueue+2),
	}
	s.subs.Add(1)
	go func() {
		defer s.subs.Done()
		sub.err = s.follow(ctx, sub, lastAtOrBefore(from), filter)
		if sub.closed.Load() {
			sub.err = events.ErrClosed
		}
		close(sub.ch)
	}()
	return sub, nil
}

// subscription is the events.Subscription of Store.
type subscription struct {
	cancel context.CancelFunc
	ch     chan []events.Message
	free   chan []events.Message // chunks Recv has finished with, for reuse
	chunk  []events.Message      // the chunk buf is part of
	err    error                 // why ch was closed; written before the close
	closed atomic.Bool
	buf    []events.Message
}

// Recv implements events.Subscription. It must not be called concurrently.
func (sub *subscription) Recv(ctx context.Context) (events.Message, error) {
	if sub.closed.Load() {
		return events.Message{}, events.ErrClosed
	}
	if len(sub.buf) == 0 {
		if err := ctx.Err(); err != nil {
			return events.Message{}, err
		}
		if sub.chunk != nil {
			// Clear every slot, not just the used ones, so that a recycled
			// chunk pins no old event's memory.
			clear(sub.chunk[:cap(sub.chunk)])
			select {
			case sub.free <- sub.chunk[:0]:
			default:
			}
			sub.chunk = nil
		}
		select {
		case chunk, ok := <-sub.ch:
			if !ok {
				return events.Message{}, sub.err
			}
			sub.buf, sub.chunk = chunk, chunk
		case <-ctx.Done():
			return events.Message{}, ctx.Err()
		}
	}
	m := sub.buf[0]
	sub.buf = sub.buf[1:]
	return m, nil
}

// Close implements events.Subscription.
func (sub *subscription) Close() error {
	sub.closed.Store(true)
	sub.cancel()
	return nil
}

// follow delivers the log after position last to sub until ctx is done or
// the store closes, and returns why it stopped.
func (s *Store) follow(ctx context.Context, sub *subscription, last uint64, filter events.Filter) error {
	sc := scanner{s: s, sub: sub, filter: filter, every: filter.Interval(), last: last}
	caughtUp := false
	for {
		t := s.durable()
		if sc.last < t.pos {
			if err := sc.scan(ctx, t.pos); err != nil {
				return err
			}
			continue
		}
		if !caughtUp {
			caughtUp = true
			msg := []events.Message{{Kind: events.CaughtUpMessage, Position: pos(sc.last)}}
			if err := sc.send(ctx, msg); err != nil {
				return err
			}
		}
		select {
		case <-t.changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return events.ErrClosed
		}
	}
}

// scanner reads the log for one subscription.
type scanner struct {
	s       *Store
	sub     *subscription
	filter  events.Filter
	every   int    // checkpoint interval
	scanned int    // events scanned since the last checkpoint
	last    uint64 // position of the last event scanned
	msgs    []events.Message
	slab    slab
}

// scan delivers the events after sc.last up to and including tip. It keeps
// one pebble iterator open while the subscriber keeps up; when the
// subscriber falls behind it closes the iterator before it waits, so that a
// subscriber that stops reading pins neither memory nor files.
func (sc *scanner) scan(ctx context.Context, tip uint64) error {
	for sc.last < tip {
		if err := sc.scanUntilBlocked(ctx, tip); err != nil {
			return err
		}
		if len(sc.msgs) > 0 {
			if err := sc.send(ctx, sc.msgs); err != nil {
				return err
			}
			sc.msgs = nil
		}
	}
	return nil
}

// scanUntilBlocked scans from sc.last towards tip, handing over full chunks
// as long as the subscriber has room for them. It returns with sc.msgs
// holding the chunk that did not fit, if any.
func (sc *scanner) scanUntilBlocked(ctx context.Context, tip uint64) error {
	it, err := sc.s.db.NewIter(&pdb.IterOptions{
		LowerBound: globalKey(nil, sc.last+1),
		UpperBound: globalKey(nil, tip+1),
	})
	if err != nil {
		return err
	}
	defer it.Close()
	for n, valid := 0, it.First(); valid; n, valid = n+1, it.Next() {
		if n%cancelCheck == cancelCheck-1 {
			// A filter that matches nothing never fills a chunk, so the
			// scan itself must notice cancellation and Close.
			if err := sc.stopped(ctx); err != nil {
				return err
			}
		}
		p := globalKeyPos(it.Key())
		v, err := parseRecord(it.Value())
		if err != nil {
			return fmt.Errorf("%w at position %d", err, p)
		}
		if sc.filter.Matches(view(v.stream), view(v.typ)) {
			v.detach(&sc.slab)
			e := v.event(p)
			sc.add(events.Message{Kind: events.EventMessage, Position: e.Position, Event: e})
		}
		sc.last = p
		if sc.scanned++; sc.scanned == sc.every {
			sc.scanned = 0
			sc.add(events.Message{Kind: events.CheckpointMessage, Position: pos(p)})
		}
		if len(sc.msgs) >= sendChunk {
			select {
			case sc.sub.ch <- sc.msgs:
				sc.msgs = nil
			default:
				return it.Error() // full: the caller waits without the iterator
			}
		}
	}
	return it.Error()
}

func (sc *scanner) add(m events.Message) {
	if sc.msgs == nil {
		select {
		case sc.msgs = <-sc.sub.free:
		default:
			sc.msgs = make([]events.Message, 0, sendChunk+1)
		}
	}
	sc.msgs = append(sc.msgs, m)
}

// cancelCheck is how many events a scan reads between checks for
// cancellation.
const cancelCheck = 4096

// stopped returns ctx's error, or ErrClosed once the store is closing.
func (sc *scanner) stopped(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-sc.s.done:
		return events.ErrClosed
	default:
		return nil
	}
}

// send hands msgs to the subscriber, waiting for room.
func (sc *scanner) send(ctx context.Context, msgs []events.Message) error {
	select {
	case sc.sub.ch <- msgs:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-sc.s.done:
		return events.ErrClosed
	}
}

// view returns b as a string without copying; the string must not outlive b.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
