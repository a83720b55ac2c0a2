package esdbtest

import (
	"context"
	"encoding/binary"
	"errors"
	"strconv"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
)

// uuidProto encodes id structured (two big-endian halves, as the client asks
// for) or as a string.
func uuidProto(id uuid.UUID, structured bool) *shared.UUID {
	if !structured {
		return &shared.UUID{Value: &shared.UUID_String_{String_: id.String()}}
	}
	return &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits:  int64(binary.BigEndian.Uint64(id[:8])),
		LeastSignificantBits: int64(binary.BigEndian.Uint64(id[8:])),
	}}}
}

// uuidFrom decodes a UUID in either form.
func uuidFrom(u *shared.UUID) (uuid.UUID, error) {
	if s := u.GetStructured(); s != nil {
		var id uuid.UUID
		binary.BigEndian.PutUint64(id[:8], uint64(s.MostSignificantBits))
		binary.BigEndian.PutUint64(id[8:], uint64(s.LeastSignificantBits))
		return id, nil
	}
	return uuid.Parse(u.GetString_())
}

// ticks returns t as .NET ticks (100 ns) since the Unix epoch, in decimal:
// the client parses the created metadata that way and exits the process
// when it cannot.
func ticks(e events.Event) string {
	if e.Recorded.IsZero() {
		return "0"
	}
	return strconv.FormatInt(e.Recorded.UnixNano()/100, 10)
}

// readEvent encodes e as a read or subscription message.
func readEvent(e events.Event, structured bool) *api.ReadResp {
	rec := &api.ReadResp_ReadEvent_RecordedEvent{
		Id:               uuidProto(e.ID, structured),
		StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(e.Stream)},
		StreamRevision:   e.Revision,
		PreparePosition:  e.Position.Prepare,
		CommitPosition:   e.Position.Commit,
		Metadata: map[string]string{
			"type":         e.Type,
			"content-type": "application/json",
			"created":      ticks(e),
		},
		CustomMetadata: esdb.MarshalMetadata(e.Metadata),
		Data:           e.Data,
	}
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: &api.ReadResp_ReadEvent{
		Event:    rec,
		Position: &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: e.Position.Commit},
	}}}
}

func checkpoint(p events.Position) *api.ReadResp {
	return &api.ReadResp{Content: &api.ReadResp_Checkpoint_{Checkpoint: &api.ReadResp_Checkpoint{
		CommitPosition: p.Commit, PreparePosition: p.Prepare,
	}}}
}

func streamNotFound(stream string) *api.ReadResp {
	return &api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{
		StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(stream)},
	}}}
}

// trailerSetter is grpc.ServerStream's SetTrailer, or grpc.SetTrailer bound
// to a unary call's context.
type trailerSetter func(metadata.MD)

func unaryTrailer(ctx context.Context) trailerSetter {
	return func(md metadata.MD) { grpc.SetTrailer(ctx, md) } //nolint:errcheck // only fails outside a call
}

// streamDeleted is the real server's answer for a deleted stream: without
// the stream-name trailer the client panics.
func streamDeleted(set trailerSetter, stream string) error {
	set(metadata.Pairs("exception", "stream-deleted", "stream-name", stream))
	return status.Errorf(codes.FailedPrecondition, "Event stream '%s' is deleted.", stream)
}

// wrongExpectedStatus is the answer of Delete and Tombstone to a failed
// expectation (appends answer in the response instead).
func wrongExpectedStatus(set trailerSetter, expected events.ExpectedRevision, last uint64, exists bool) error {
	actual := "-1"
	if exists {
		actual = strconv.FormatUint(last, 10)
	}
	set(metadata.Pairs("exception", "wrong-expected-version",
		"expected-version", expected.String(), "actual-version", actual))
	return status.Errorf(codes.FailedPrecondition, "Wrong expected version: expected %v, actual %s.", expected, actual)
}

// storeError turns a backing-store error into a gRPC status.
func storeError(ctx context.Context, set trailerSetter, stream string, err error) error {
	switch {
	case ctx.Err() != nil:
		return status.FromContextError(ctx.Err()).Err()
	case errors.Is(err, events.ErrStreamDeleted):
		return streamDeleted(set, stream)
	case errors.Is(err, events.ErrTooLarge):
		set(metadata.Pairs("exception", "maximum-append-size-exceeded"))
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, events.ErrInvalidStream), errors.Is(err, events.ErrInvalidEvent),
		errors.Is(err, events.ErrEmptyAppend), errors.Is(err, events.ErrInvalidFilter):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, events.ErrClosed):
		return status.Error(codes.Unavailable, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}

// expectation decodes the expected revision of Append, Delete and Tombstone,
// whose oneofs have the same four cases.
func expectation(rev *uint64, noStream, streamExists bool) events.ExpectedRevision {
	switch {
	case rev != nil:
		return events.Revision(*rev)
	case noStream:
		return events.NoStream()
	case streamExists:
		return events.StreamExists()
	}
	return events.Any()
}
