package pebble

import (
	"context"
	"encoding/binary"
	"fmt"

	pdb "github.com/cockroachdb/pebble/v2"

	"github.com/empulse/empulse/events"
)

// ReadStream implements events.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, dir events.Direction, from uint64, limit int) ([]events.Event, error) {
	if err := events.ValidateStream(stream); err != nil {
		return nil, err
	}
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	defer s.leave()
	tip := s.durable().pos

	lower := streamKey(nil, stream, 0)
	upper := streamKey(nil, stream, ^uint64(0))
	it, err := s.db.NewIter(&pdb.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, err
	}
	defer it.Close()

	var (
		out   []events.Event
		found bool // the stream has a durable event
		sl    slab
		key   []byte
	)
	step, valid := it.Next, it.SeekGE(streamKey(key, stream, from))
	if dir == events.Backwards {
		step = it.Prev
		if from == events.EndRevision {
			valid = it.Last()
		} else {
			valid = it.SeekLT(streamKey(key, stream, from+1))
		}
	}
	for ; valid && (limit <= 0 || len(out) < limit); valid = step() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := binary.BigEndian.Uint64(it.Value()[:8])
		if p > tip {
			// Written but not yet durable. Going forwards nothing later can
			// be durable either; going backwards, older events may be.
			if dir == events.Forwards {
				break
			}
			continue
		}
		found = true
		e, err := s.eventAt(&sl, p)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	if !found {
		if exists, err := s.hasDurable(stream, tip); err != nil {
			return nil, err
		} else if !exists {
			return nil, fmt.Errorf("%w: %q", events.ErrStreamNotFound, stream)
		}
	}
	return out, nil
}

// hasDurable reports whether stream has an event at or before tip.
func (s *Store) hasDurable(stream string, tip uint64) (bool, error) {
	it, err := s.db.NewIter(&pdb.IterOptions{
		LowerBound: streamKey(nil, stream, 0),
		UpperBound: streamKey(nil, stream, ^uint64(0)),
	})
	if err != nil {
		return false, err
	}
	defer it.Close()
	if !it.First() {
		return false, it.Error()
	}
	return binary.BigEndian.Uint64(it.Value()[:8]) <= tip, nil
}

// eventAt reads the event at global position p.
func (s *Store) eventAt(sl *slab, p uint64) (events.Event, error) {
	rec, closer, err := s.db.Get(globalKey(nil, p))
	if err != nil {
		return events.Event{}, fmt.Errorf("event store: position %d: %w", p, err)
	}
	defer closer.Close()
	return decodeEvent(sl, p, rec)
}

// ReadAll implements events.Store.
func (s *Store) ReadAll(ctx context.Context, from events.Position, limit int) ([]events.Event, error) {
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	defer s.leave()
	tip := s.durable().pos
	start := max(firstAtOrAfter(from), 1)
	if start > tip {
		return nil, nil
	}
	it, err := s.db.NewIter(&pdb.IterOptions{
		LowerBound: globalKey(nil, start),
		UpperBound: globalKey(nil, tip+1),
	})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var (
		out []events.Event
		sl  slab
	)
	for valid := it.First(); valid && (limit <= 0 || len(out) < limit); valid = it.Next() {
		if len(out)%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		e, err := decodeEvent(&sl, globalKeyPos(it.Key()), it.Value())
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, it.Error()
}

// Head implements events.Store.
func (s *Store) Head(ctx context.Context) (events.Position, error) {
	if err := s.enter(ctx); err != nil {
		return events.Start, err
	}
	defer s.leave()
	return pos(s.durable().pos), nil
}

// firstAtOrAfter returns the sequence number of the first event whose
// position is at or after p. Events here have Commit == Prepare, so a
// position with a larger Prepare lies just after its Commit's event.
func firstAtOrAfter(p events.Position) uint64 {
	if p.Prepare > p.Commit {
		return p.Commit + 1
	}
	return p.Commit
}

// lastAtOrBefore returns the sequence number of the last event whose
// position is at or before p.
func lastAtOrBefore(p events.Position) uint64 {
	if p.Prepare < p.Commit {
		return p.Commit - 1
	}
	return p.Commit
}
