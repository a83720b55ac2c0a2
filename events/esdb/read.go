package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	kurrent "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/empulse/empulse/events"
)

// headPage is the page size of Head's backwards search past system events.
const headPage = 64

// ReadStream returns up to limit events of stream, starting with the event at
// revision from and going in direction dir; reading backwards from
// events.EndRevision starts at the last event. A limit of 0 or less means no
// limit. A read past the end of an existing stream returns no events.
//
// ReadStream returns an error wrapping events.ErrInvalidStream for a bad name
// (checked before any network call), events.ErrStreamNotFound when the
// stream has no events (or was deleted), events.ErrStreamDeleted when it was
// tombstoned, events.ErrClosed, ctx's error, or an error wrapping
// events.ErrUnavailable.
func (s *Store) ReadStream(ctx context.Context, stream string, dir events.Direction, from uint64, limit int) ([]events.Event, error) {
	if err := events.ValidateStream(stream); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opts := kurrent.ReadStreamOptions{Direction: kurrent.Forwards, From: kurrent.Revision(from)}
	if dir == events.Backwards {
		opts.Direction = kurrent.Backwards
		if from == events.EndRevision {
			opts.From = kurrent.End{}
		}
	}
	var out []events.Event
	err := s.readEvents(
		func(c *kurrent.Client) (*kurrent.ReadStream, error) {
			return c.ReadStream(ctx, stream, opts, readCount(limit))
		},
		func(r *kurrent.RecordedEvent) bool {
			out = append(out, fromRecorded(r))
			return true
		})
	if err != nil {
		return nil, s.mapErr(ctx, "read stream", stream, err)
	}
	return out, nil
}

// ReadAll returns up to limit events of the global log in commit order,
// starting with the first event at or after position from. A limit of 0 or
// less means no limit. EventStoreDB's system events are skipped.
//
// ReadAll returns events.ErrClosed, ctx's error, or an error wrapping
// events.ErrUnavailable.
func (s *Store) ReadAll(ctx context.Context, from events.Position, limit int) ([]events.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []events.Event
	pos, resumed := from, false
	for {
		// A page after the first starts with the last event of the page
		// before (reads from a position include it), so it asks for one more.
		want := readCount(limit)
		if limit > 0 {
			want = uint64(limit - len(out))
			if resumed {
				want++
			}
		}
		var n uint64
		var last events.Position
		err := s.readEvents(
			func(c *kurrent.Client) (*kurrent.ReadStream, error) {
				opts := kurrent.ReadAllOptions{Direction: kurrent.Forwards, From: allPosition(pos)}
				return c.ReadAll(ctx, opts, want)
			},
			func(r *kurrent.RecordedEvent) bool {
				n++
				last = positionOf(r)
				if (resumed && last == pos) || isSystem(r) {
					return true
				}
				out = append(out, fromRecorded(r))
				return true
			})
		if err != nil {
			return nil, s.mapErr(ctx, "read all", "", err)
		}
		if n < want || limit <= 0 || len(out) >= limit || (resumed && !pos.Less(last)) {
			break
		}
		pos, resumed = last, true
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Head returns the position of the last event of the global log that is not
// a system event, or events.Start when there is none. It reads $all
// backwards from its end, a page at a time, past any system events.
//
// Head returns events.ErrClosed, ctx's error, or an error wrapping
// events.ErrUnavailable.
func (s *Store) Head(ctx context.Context) (events.Position, error) {
	if err := ctx.Err(); err != nil {
		return events.Start, err
	}
	var from kurrent.AllPosition = kurrent.End{}
	var bound *events.Position // events at or after it were seen already
	count := uint64(1)
	for {
		var n uint64
		var head, last events.Position
		found, progressed := false, false
		err := s.readEvents(
			func(c *kurrent.Client) (*kurrent.ReadStream, error) {
				return c.ReadAll(ctx, kurrent.ReadAllOptions{Direction: kurrent.Backwards, From: from}, count)
			},
			func(r *kurrent.RecordedEvent) bool {
				n++
				p := positionOf(r)
				if bound != nil && !p.Less(*bound) {
					return true
				}
				last, progressed = p, true
				if isSystem(r) {
					return true
				}
				head, found = p, true
				return false
			})
		switch {
		case err != nil:
			return events.Start, s.mapErr(ctx, "head", "", err)
		case found:
			return head, nil
		case n < count || !progressed:
			return events.Start, nil
		}
		bound = &last
		from = kurrent.Position{Commit: last.Commit, Prepare: last.Prepare}
		count = headPage
	}
}

// readEvents opens a read with open and hands each event to fn until the
// server ends the read or fn returns false.
func (s *Store) readEvents(open func(*kurrent.Client) (*kurrent.ReadStream, error), fn func(*kurrent.RecordedEvent) bool) error {
	seen := false
	return s.call(func(c *kurrent.Client) error {
		rs, err := open(c)
		if err != nil {
			return err
		}
		defer rs.Close()
		for {
			ev, err := rs.Recv()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				if seen && clientClosed(err) {
					// Not to be retried by call: fn has seen events.
					return fmt.Errorf("%w: read interrupted: %v", events.ErrUnavailable, err)
				}
				return err
			}
			seen = true
			if !fn(ev.OriginalEvent()) {
				return nil
			}
		}
	})
}

// readCount returns the client's count for a limit, where 0 or less means
// all. EventStoreDB takes the count as a signed 64-bit number.
func readCount(limit int) uint64 {
	if limit <= 0 {
		return math.MaxInt64
	}
	return uint64(limit)
}
