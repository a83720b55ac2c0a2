package esdbtest

import (
	"context"
	"errors"

	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"

	"github.com/empulse/empulse/events"
)

// deletion is what the Server remembers of a deleted stream. The backing
// store cannot delete, so this lives in memory only.
type deletion struct {
	// before hides the revisions below it: a soft-deleted stream reads as
	// not found until it is written again, and then continues where it left
	// off, as on the real server.
	before uint64
	// tombstoned streams can never be read or written again.
	tombstoned bool
}

// deletionOf returns what is remembered of stream, and whether anything is.
func (s *Server) deletionOf(stream string) (deletion, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deleted[stream]
	return d, ok
}

// lastVisible returns the revision of the stream's last event that is not
// hidden by a deletion, and whether there is one.
func (s *Server) lastVisible(ctx context.Context, stream string) (uint64, bool, error) {
	evs, err := s.store.ReadStream(ctx, stream, events.Backwards, events.EndRevision, 1)
	if errors.Is(err, events.ErrStreamNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if len(evs) == 0 {
		return 0, false, nil
	}
	d, _ := s.deletionOf(stream)
	if evs[0].Revision < d.before {
		return 0, false, nil
	}
	return evs[0].Revision, true, nil
}

// remove checks expected against the stream and records its deletion.
func (s *Server) remove(ctx context.Context, set trailerSetter, stream string, expected events.ExpectedRevision, tombstone bool) (events.Position, error) {
	if d, _ := s.deletionOf(stream); d.tombstoned {
		return events.Start, streamDeleted(set, stream)
	}
	last, exists, err := s.lastVisible(ctx, stream)
	if err != nil {
		return events.Start, storeError(ctx, set, stream, err)
	}
	if !expected.Allows(last, exists) {
		return events.Start, wrongExpectedStatus(set, expected, last, exists)
	}
	head, err := s.store.Head(ctx)
	if err != nil {
		return events.Start, storeError(ctx, set, stream, err)
	}
	s.mu.Lock()
	d := s.deleted[stream]
	if exists {
		d.before = last + 1
	}
	d.tombstoned = d.tombstoned || tombstone
	s.deleted[stream] = d
	s.mu.Unlock()
	return head, nil
}

// Delete soft-deletes a stream. The real server answers with the position of
// the metadata event it writes; this one writes none and answers with the
// head of the log (the client dereferences the position unchecked).
func (x *streams) Delete(ctx context.Context, req *api.DeleteReq) (*api.DeleteResp, error) {
	o := req.GetOptions()
	rev, hasRev := o.GetExpectedStreamRevision().(*api.DeleteReq_Options_Revision)
	var exact *uint64
	if hasRev {
		exact = &rev.Revision
	}
	expected := expectation(exact, o.GetNoStream() != nil, o.GetStreamExists() != nil)
	stream := string(o.GetStreamIdentifier().GetStreamName())
	p, err := x.s.remove(ctx, unaryTrailer(ctx), stream, expected, false)
	if err != nil {
		return nil, err
	}
	return &api.DeleteResp{PositionOption: &api.DeleteResp_Position_{Position: &api.DeleteResp_Position{
		CommitPosition: p.Commit, PreparePosition: p.Prepare,
	}}}, nil
}

// Tombstone deletes a stream for good. Like Delete it writes no event and
// answers with the head of the log.
func (x *streams) Tombstone(ctx context.Context, req *api.TombstoneReq) (*api.TombstoneResp, error) {
	o := req.GetOptions()
	rev, hasRev := o.GetExpectedStreamRevision().(*api.TombstoneReq_Options_Revision)
	var exact *uint64
	if hasRev {
		exact = &rev.Revision
	}
	expected := expectation(exact, o.GetNoStream() != nil, o.GetStreamExists() != nil)
	stream := string(o.GetStreamIdentifier().GetStreamName())
	p, err := x.s.remove(ctx, unaryTrailer(ctx), stream, expected, true)
	if err != nil {
		return nil, err
	}
	return &api.TombstoneResp{PositionOption: &api.TombstoneResp_Position_{Position: &api.TombstoneResp_Position{
		CommitPosition: p.Commit, PreparePosition: p.Prepare,
	}}}, nil
}
