package esdbtest

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
)

// streams serves the Streams service.
type streams struct {
	api.UnimplementedStreamsServer
	s *Server
}

// Append takes one options message, then one message per event, as the
// client sends them, and answers once the client has sent everything.
func (x *streams) Append(stream api.Streams_AppendServer) error {
	ctx := stream.Context()
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	o := first.GetOptions()
	if o == nil {
		return status.Error(codes.InvalidArgument, "the first append message must carry the options")
	}
	var exact *uint64
	if rev, ok := o.GetExpectedStreamRevision().(*api.AppendReq_Options_Revision); ok {
		exact = &rev.Revision
	}
	expected := expectation(exact, o.GetNoStream() != nil, o.GetStreamExists() != nil)
	name := string(o.GetStreamIdentifier().GetStreamName())

	var evs []events.Proposed
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		m := req.GetProposedMessage()
		if m == nil {
			return status.Error(codes.InvalidArgument, "append: expected a proposed message")
		}
		id, err := uuidFrom(m.GetId())
		if err != nil {
			return status.Errorf(codes.InvalidArgument, "append: event id: %v", err)
		}
		evs = append(evs, events.Proposed{
			ID:       id,
			Type:     m.GetMetadata()["type"],
			Data:     m.GetData(),
			Metadata: esdb.UnmarshalMetadata(m.GetCustomMetadata()),
		})
	}
	resp, err := x.s.append(ctx, stream.SetTrailer, name, expected, evs)
	if err != nil {
		return err
	}
	return stream.SendAndClose(resp)
}

// append writes evs to the store, or answers why not.
func (s *Server) append(ctx context.Context, set trailerSetter, stream string, expected events.ExpectedRevision, evs []events.Proposed) (*api.AppendResp, error) {
	if strings.HasPrefix(stream, "$") {
		return nil, status.Errorf(codes.InvalidArgument, "the test server cannot write system stream %q", stream)
	}
	asked := expected
	d, deleted := s.deletionOf(stream)
	if d.tombstoned {
		return nil, streamDeleted(set, stream)
	}
	if len(evs) == 0 || deleted {
		// The real server checks an empty append's expectation and writes
		// nothing. A soft-deleted stream with no visible events takes the
		// expectations of a stream that does not exist, or its revision
		// when it was deleted, and then continues where it left off.
		last, exists, err := s.lastVisible(ctx, stream)
		if err != nil {
			return nil, storeError(ctx, set, stream, err)
		}
		allowed := expected.Allows(last, exists)
		if rev, exact := expected.Exact(); exact && !exists && d.before > 0 && rev == d.before-1 {
			allowed = true // the revision the stream had when it was deleted
		}
		if !allowed {
			return wrongExpected(expected, last, exists), nil
		}
		if len(evs) == 0 {
			return success(last, exists, nil), nil
		}
		if !exists && d.before > 0 {
			expected = events.Revision(d.before - 1)
		}
	}
	res, err := s.store.Append(ctx, stream, expected, evs...)
	var conflict *events.ConflictError
	switch {
	case errors.As(err, &conflict):
		last, exists := conflict.Actual.Exact()
		if exists && last < d.before {
			exists = false
		}
		return wrongExpected(asked, last, exists), nil
	case err != nil:
		return nil, storeError(ctx, set, stream, err)
	}
	return success(res.Revision, true, &res.Position), nil
}

// success is the answer to an append that went through.
func success(rev uint64, exists bool, p *events.Position) *api.AppendResp {
	ok := &api.AppendResp_Success{
		CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: rev},
		PositionOption:        &api.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}},
	}
	if !exists {
		ok.CurrentRevisionOption = &api.AppendResp_Success_NoStream{NoStream: &shared.Empty{}}
	}
	if p != nil {
		ok.PositionOption = &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{
			CommitPosition: p.Commit, PreparePosition: p.Prepare,
		}}
	}
	return &api.AppendResp{Result: &api.AppendResp_Success_{Success: ok}}
}

// wrongExpected is the answer to an append whose expectation failed, with
// the stream's current revision and the expectation.
func wrongExpected(expected events.ExpectedRevision, last uint64, exists bool) *api.AppendResp {
	w := &api.AppendResp_WrongExpectedVersion{
		CurrentRevisionOption: &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: last},
	}
	if !exists {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
	}
	switch rev, exact := expected.Exact(); {
	case exact:
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: rev}
	case expected.IsNoStream():
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
	case expected.IsStreamExists():
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
	default:
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
	}
	return &api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: w}}
}
