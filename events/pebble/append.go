package pebble

import (
	"context"
	"encoding/binary"
	"fmt"

	pdb "github.com/cockroachdb/pebble/v2"
	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
)

// Group-commit limits: the committer writes at most this many appends, or
// this many bytes of data, in one batch and one sync.
const (
	maxGroupAppends = 1024
	maxGroupBytes   = 32 << 20
	// maxCachedHeads bounds the committer's cache of stream heads.
	maxCachedHeads = 1 << 17
)

// appendReq is one Append waiting for the committer.
type appendReq struct {
	stream   string
	expected events.ExpectedRevision
	events   []events.Proposed
	size     int
	res      events.AppendResult
	err      error
	done     chan struct{}
}

// Append implements events.Store.
func (s *Store) Append(ctx context.Context, stream string, expected events.ExpectedRevision, evs ...events.Proposed) (events.AppendResult, error) {
	if err := events.ValidateAppend(stream, evs); err != nil {
		return events.AppendResult{}, err
	}
	req := &appendReq{stream: stream, expected: expected, events: own(evs), done: make(chan struct{})}
	for i := range evs {
		req.size += len(evs[i].Data)
	}
	if err := s.enter(ctx); err != nil {
		return events.AppendResult{}, err
	}
	select {
	case s.reqs <- req:
		s.leave()
	case <-ctx.Done():
		s.leave()
		return events.AppendResult{}, ctx.Err()
	}
	select {
	case <-req.done:
		return req.res, req.err
	case <-ctx.Done():
		return events.AppendResult{}, ctx.Err()
	}
}

// own returns a copy of evs whose data the store owns: the committer may
// still read an append's events after Append has returned ctx's error, and
// the caller is free to reuse its buffers by then.
func own(evs []events.Proposed) []events.Proposed {
	size := 0
	for i := range evs {
		size += len(evs[i].Data)
	}
	buf := make([]byte, 0, size)
	out := make([]events.Proposed, len(evs))
	for i, e := range evs {
		start := len(buf)
		buf = append(buf, e.Data...)
		out[i] = e
		out[i].Data = buf[start:len(buf):len(buf)]
	}
	return out
}

// commitLoop is the committer goroutine: it takes every append waiting and
// commits them together, until Close closes the request channel.
func (s *Store) commitLoop() {
	defer close(s.committed)
	var group []*appendReq
	for req := range s.reqs {
		group = append(group[:0], req)
		size := req.size
	drain:
		for len(group) < maxGroupAppends && size < maxGroupBytes {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break drain
				}
				group = append(group, r)
				size += r.size
			default:
				break drain
			}
		}
		s.commit(group)
		clear(group)
	}
}

// commit decides and writes one group of appends, syncs once, then
// publishes the new tip and answers every append in the group.
func (s *Store) commit(group []*appendReq) {
	s.writing.Lock()
	defer s.writing.Unlock()
	defer func() {
		for _, r := range group {
			close(r.done)
		}
	}()
	if s.failed != nil {
		for _, r := range group {
			r.err = s.failed
		}
		return
	}
	g := groupWriter{
		s:       s,
		batch:   s.db.NewBatch(),
		next:    s.last + 1,
		streams: make(map[string]*groupStream),
		ids:     make(map[uuid.UUID]groupEvent),
	}
	defer g.batch.Close()
	for _, r := range group {
		r.res, r.err = g.decide(r)
	}
	if g.next == s.last+1 {
		return // nothing to write: conflicts and idempotent retries only
	}
	if err := s.db.Apply(g.batch, pdb.Sync); err != nil {
		// The write may be half-known to pebble; refuse everything from now on.
		s.failed = fmt.Errorf("event store: write failed, reopen the store: %w", err)
		s.log.Error("event store write failed", "err", err)
		for _, r := range group {
			r.res, r.err = events.AppendResult{}, s.failed
		}
		return
	}
	s.last = g.next - 1
	if len(s.heads)+len(g.streams) > maxCachedHeads {
		clear(s.heads)
	}
	for stream, gs := range g.streams {
		s.heads[stream] = gs.head()
	}
	s.advance(s.last)
}

// groupWriter builds one group's batch. A pebble batch is invisible to reads
// until it is applied, so the writer keeps its own record of what the group
// has written so far; later appends in the group are checked against it.
type groupWriter struct {
	s       *Store
	batch   *pdb.Batch
	next    uint64                   // position of the next event to write
	streams map[string]*groupStream  // streams written in this group
	ids     map[uuid.UUID]groupEvent // events written in this group
	key     []byte
	val     []byte
}

// groupStream is what one group has written to a stream: the events from
// revision first on.
type groupStream struct {
	first     uint64
	ids       []uuid.UUID
	positions []uint64
}

func (gs *groupStream) head() uint64 { return gs.first + uint64(len(gs.ids)) - 1 }

// groupEvent locates an event written in this group.
type groupEvent struct {
	stream string
	rev    uint64
}

// decide checks one append against the store and the group so far, and adds
// its events to the batch, or returns an idempotent result or a conflict.
func (g *groupWriter) decide(r *appendReq) (events.AppendResult, error) {
	head, exists, err := g.head(r.stream)
	if err != nil {
		return events.AppendResult{}, err
	}
	if r.expected.IsAny() || r.expected.IsStreamExists() {
		first, found, err := g.revisionOf(r.stream, r.events[0].ID)
		if err != nil {
			return events.AppendResult{}, err
		}
		if found {
			return g.retried(r, first, head, exists)
		}
	}
	if !r.expected.Allows(head, exists) {
		if first, ok := retryStart(r.expected); ok && exists && head+1 >= first+uint64(len(r.events)) {
			return g.retried(r, first, head, exists)
		}
		return events.AppendResult{}, events.NewConflict(r.stream, r.expected, head, exists)
	}
	rev := uint64(0)
	if exists {
		rev = head + 1
	}
	gs := g.streams[r.stream]
	if gs == nil {
		gs = &groupStream{first: rev}
		g.streams[r.stream] = gs
	}
	recorded := g.s.now().UnixNano()
	for i := range r.events {
		e := &r.events[i]
		g.val = binary.BigEndian.AppendUint64(g.val[:0], g.next)
		g.val = append(g.val, e.ID[:]...)
		g.set(streamKey(g.key[:0], r.stream, rev), g.val)
		g.set(idKey(g.key[:0], e.ID), g.val[:8])
		g.set(globalKey(g.key[:0], g.next), appendRecord(g.val[:0], r.stream, rev, recorded, e))
		gs.ids = append(gs.ids, e.ID)
		gs.positions = append(gs.positions, g.next)
		g.ids[e.ID] = groupEvent{stream: r.stream, rev: rev}
		rev++
		g.next++
	}
	return events.AppendResult{Revision: rev - 1, Position: pos(g.next - 1)}, nil
}

// retryStart returns the revision at which a retry of an append with the
// expectation e would have written its first event.
func retryStart(e events.ExpectedRevision) (uint64, bool) {
	if e.IsNoStream() {
		return 0, true
	}
	if rev, ok := e.Exact(); ok && rev < ^uint64(0) {
		return rev + 1, true
	}
	return 0, false
}

func (g *groupWriter) set(key, val []byte) {
	g.key = key
	// Batch.Set copies key and value, so the scratch buffers can be reused.
	_ = g.batch.Set(key, val, nil)
}

// retried checks whether the append's events are already the stream's
// events from revision first on, and if so returns the earlier result.
func (g *groupWriter) retried(r *appendReq, first, head uint64, exists bool) (events.AppendResult, error) {
	var last uint64
	for i := range r.events {
		id, p, ok, err := g.eventAt(r.stream, first+uint64(i))
		if err != nil {
			return events.AppendResult{}, err
		}
		if !ok || id != r.events[i].ID {
			return events.AppendResult{}, events.NewConflict(r.stream, r.expected, head, exists)
		}
		last = p
	}
	return events.AppendResult{Revision: first + uint64(len(r.events)) - 1, Position: pos(last)}, nil
}

// head returns the last revision of stream, and whether it has events.
func (g *groupWriter) head(stream string) (uint64, bool, error) {
	if gs, ok := g.streams[stream]; ok {
		return gs.head(), true, nil
	}
	if rev, ok := g.s.heads[stream]; ok {
		return rev, true, nil
	}
	rev, ok, err := streamHead(g.s.db, stream)
	if err == nil && ok {
		g.s.heads[stream] = rev
	}
	return rev, ok, err
}

// eventAt returns the ID and position of the event at revision rev of
// stream, from the group or the store.
func (g *groupWriter) eventAt(stream string, rev uint64) (uuid.UUID, uint64, bool, error) {
	if gs, ok := g.streams[stream]; ok && rev >= gs.first {
		if i := rev - gs.first; i < uint64(len(gs.ids)) {
			return gs.ids[i], gs.positions[i], true, nil
		}
		return uuid.UUID{}, 0, false, nil
	}
	val, closer, err := g.s.db.Get(streamKey(g.key[:0], stream, rev))
	if err == pdb.ErrNotFound {
		return uuid.UUID{}, 0, false, nil
	}
	if err != nil {
		return uuid.UUID{}, 0, false, err
	}
	defer closer.Close()
	var id uuid.UUID
	copy(id[:], val[8:24])
	return id, binary.BigEndian.Uint64(val[:8]), true, nil
}

// revisionOf returns the revision of the event with the given ID in
// stream, and whether stream has it. The ID index remembers the last stream
// an ID was written to; when that is another stream (writers may reuse an
// ID across streams), the stream itself is searched.
func (g *groupWriter) revisionOf(stream string, id uuid.UUID) (uint64, bool, error) {
	if ge, ok := g.ids[id]; ok {
		if ge.stream == stream {
			return ge.rev, true, nil
		}
		return g.search(stream, id)
	}
	val, closer, err := g.s.db.Get(idKey(g.key[:0], id))
	if err == pdb.ErrNotFound {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	p := binary.BigEndian.Uint64(val)
	closer.Close()
	rec, closer, err := g.s.db.Get(globalKey(g.key[:0], p))
	if err != nil {
		return 0, false, err
	}
	defer closer.Close()
	v, err := parseRecord(rec)
	if err != nil {
		return 0, false, err
	}
	if string(v.stream) == stream {
		return v.rev, true, nil
	}
	return g.search(stream, id)
}

// search looks for the event with the given ID in stream, newest first: in
// what the group has written, then in the store. It reads the whole stream
// in the worst case, but runs only for an ID known in another stream.
func (g *groupWriter) search(stream string, id uuid.UUID) (uint64, bool, error) {
	if gs, ok := g.streams[stream]; ok {
		for i := len(gs.ids) - 1; i >= 0; i-- {
			if gs.ids[i] == id {
				return gs.first + uint64(i), true, nil
			}
		}
	}
	it, err := g.s.db.NewIter(&pdb.IterOptions{
		LowerBound: streamKey(nil, stream, 0),
		UpperBound: streamKey(nil, stream, ^uint64(0)),
	})
	if err != nil {
		return 0, false, err
	}
	defer it.Close()
	for valid := it.Last(); valid; valid = it.Prev() {
		if uuid.UUID(it.Value()[8:24]) == id {
			return streamKeyRev(it.Key()), true, nil
		}
	}
	return 0, false, it.Error()
}

// streamHead reads the last revision of stream from db. Most appends go to
// new streams, so it first looks for revision 0 with a point lookup (which
// the bloom filters answer cheaply) and needs an iterator only for streams
// that exist.
func streamHead(db *pdb.DB, stream string) (uint64, bool, error) {
	lower := streamKey(nil, stream, 0)
	_, closer, err := db.Get(lower)
	if err == pdb.ErrNotFound {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	closer.Close()
	it, err := db.NewIter(&pdb.IterOptions{LowerBound: lower, UpperBound: streamKey(nil, stream, ^uint64(0))})
	if err != nil {
		return 0, false, err
	}
	defer it.Close()
	if !it.Last() {
		// Revision 0 exists, so only an error gets here (the exclusive upper
		// bound hides only the maximum revision, which cannot be reached).
		return 0, false, it.Error()
	}
	return streamKeyRev(it.Key()), true, nil
}

// pos returns the Position of a global sequence number.
func pos(p uint64) events.Position { return events.Position{Commit: p, Prepare: p} }
