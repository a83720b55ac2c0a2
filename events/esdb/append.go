package esdb

import (
	"context"
	"errors"

	kurrent "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/empulse/empulse/events"
)

// Append writes evs to the end of stream, atomically, if the stream's current
// revision satisfies expected, and returns the revision and position of the
// last event written. A retry of an append whose event IDs were already
// written with the same expectation writes nothing and succeeds, as
// EventStoreDB's idempotence guarantees.
//
// Append returns an error wrapping events.ErrInvalidStream,
// events.ErrEmptyAppend, events.ErrInvalidEvent or events.ErrTooLarge for bad
// input, checked before any network call; an *events.ConflictError (matching
// events.ErrWrongRevision) when the expectation fails;
// events.ErrStreamDeleted for a deleted stream; events.ErrClosed after Close;
// ctx's error; or an error wrapping events.ErrUnavailable when the server could not
// be reached. After a ctx or events.ErrUnavailable error the append may or may not
// have been written; retrying it with the same event IDs is safe.
func (s *Store) Append(ctx context.Context, stream string, expected events.ExpectedRevision, evs ...events.Proposed) (events.AppendResult, error) {
	if err := events.ValidateAppend(stream, evs); err != nil {
		return events.AppendResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return events.AppendResult{}, err
	}
	data := toEventData(evs)
	opts := kurrent.AppendToStreamOptions{ExpectedRevision: expectedRevision(expected)}
	var res *kurrent.WriteResult
	err := s.call(func(c *kurrent.Client) error {
		var err error
		res, err = c.AppendToStream(ctx, stream, opts, data...)
		return err
	})
	if err == nil {
		return events.AppendResult{
			Revision: res.NextExpectedVersion,
			Position: events.Position{Commit: res.CommitPosition, Prepare: res.PreparePosition},
		}, nil
	}
	if wrongExpected(err) && ctx.Err() == nil {
		return events.AppendResult{}, s.conflict(ctx, stream, expected, err)
	}
	return events.AppendResult{}, s.mapErr(ctx, "append", stream, err)
}

// conflict builds the *events.ConflictError for a refused append. The actual
// revision comes from the server's answer when the client kept it, else from
// reading the stream's last event.
func (s *Store) conflict(ctx context.Context, stream string, expected events.ExpectedRevision, cause error) error {
	actual, ok := actualFromMessage(cause)
	if !ok {
		evs, err := s.ReadStream(ctx, stream, events.Backwards, events.EndRevision, 1)
		switch {
		case errors.Is(err, events.ErrStreamNotFound):
			actual = events.NoStream()
		case err != nil:
			return err
		case len(evs) == 0:
			actual = events.NoStream()
		default:
			actual = events.Revision(evs[0].Revision)
		}
	}
	return &events.ConflictError{Stream: stream, Expected: expected, Actual: actual}
}
