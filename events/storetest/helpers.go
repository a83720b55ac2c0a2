package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
)

// timeout bounds every wait of the suite so that a broken backend fails
// instead of hanging. It is not a performance requirement.
const timeout = 30 * time.Second

// testContext returns a context that ends with the test or after timeout.
func testContext(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), timeout)
	tb.Cleanup(cancel)
	return ctx
}

// proposals returns n events of type typ with fresh IDs, set metadata and
// distinct JSON data.
func proposals(n int, typ string) []events.Proposed {
	ps := make([]events.Proposed, n)
	for i := range ps {
		id := uuid.New()
		ps[i] = events.Proposed{
			ID:   id,
			Type: typ,
			Data: fmt.Appendf(nil, `{"n":%d,"id":%q}`, i, id),
			Metadata: events.Metadata{
				CorrelationID: uuid.New(),
				CausationID:   uuid.New(),
				SchemaVersion: uint32(i%3 + 1),
			},
		}
	}
	return ps
}

// mustAppend appends ps to stream and fails the test on error.
func mustAppend(tb testing.TB, ctx context.Context, s events.Store, stream string, expected events.ExpectedRevision, ps ...events.Proposed) events.AppendResult {
	tb.Helper()
	res, err := s.Append(ctx, stream, expected, ps...)
	if err != nil {
		tb.Fatalf("Append(%q, expected %v, %d events): %v", stream, expected, len(ps), err)
	}
	return res
}

// mustHead returns the store's head and fails the test on error.
func mustHead(tb testing.TB, ctx context.Context, s events.Store) events.Position {
	tb.Helper()
	head, err := s.Head(ctx)
	if err != nil {
		tb.Fatalf("Head: %v", err)
	}
	return head
}

// readAll returns the whole global log and fails the test on error.
func readAll(tb testing.TB, ctx context.Context, s events.Store) []events.Event {
	tb.Helper()
	all, err := s.ReadAll(ctx, events.Start, 0)
	if err != nil {
		tb.Fatalf("ReadAll(Start, 0): %v", err)
	}
	return all
}

// readStream returns every event of stream, or nil when it has none, and
// fails the test on any other error.
func readStream(tb testing.TB, ctx context.Context, s events.Store, stream string) []events.Event {
	tb.Helper()
	evs, err := s.ReadStream(ctx, stream, events.Forwards, 0, 0)
	if errors.Is(err, events.ErrStreamNotFound) {
		return nil
	}
	if err != nil {
		tb.Fatalf("ReadStream(%q, Forwards, 0, 0): %v", stream, err)
	}
	if len(evs) == 0 {
		tb.Fatalf("ReadStream(%q, Forwards, 0, 0) returned no events and no error, want ErrStreamNotFound for an empty stream", stream)
	}
	return evs
}

// snapshot is what a store holds at one moment, to check that a refused call
// wrote nothing.
type snapshot struct {
	head events.Position
	ids  []uuid.UUID
}

// takeSnapshot records the store's head and global log.
func takeSnapshot(tb testing.TB, ctx context.Context, s events.Store) snapshot {
	tb.Helper()
	return snapshot{head: mustHead(tb, ctx, s), ids: ids(readAll(tb, ctx, s))}
}

// requireUnchanged fails the test if the store's head or global log differ
// from sn; what describes the call that should have written nothing.
func (sn snapshot) requireUnchanged(tb testing.TB, ctx context.Context, s events.Store, what string) {
	tb.Helper()
	if head := mustHead(tb, ctx, s); head != sn.head {
		tb.Fatalf("after %s: Head=%v, want %v (nothing written)", what, head, sn.head)
	}
	if got := ids(readAll(tb, ctx, s)); !slices.Equal(got, sn.ids) {
		tb.Fatalf("after %s: global log has %d events, want the same %d as before (nothing written)", what, len(got), len(sn.ids))
	}
}

// requireConflict fails the test unless err is a *events.ConflictError for
// stream with the given expected and actual revisions.
func requireConflict(tb testing.TB, err error, stream string, expected, actual events.ExpectedRevision) {
	tb.Helper()
	if !errors.Is(err, events.ErrWrongRevision) {
		tb.Fatalf("err=%v, want one matching events.ErrWrongRevision", err)
	}
	var ce *events.ConflictError
	if !errors.As(err, &ce) {
		tb.Fatalf("err=%v (%T), want a *events.ConflictError in its chain", err, err)
	}
	if ce.Actual != actual {
		tb.Fatalf("ConflictError.Actual=%v, want %v", ce.Actual, actual)
	}
	if ce.Expected != expected {
		tb.Fatalf("ConflictError.Expected=%v, want %v", ce.Expected, expected)
	}
	if ce.Stream != stream {
		tb.Fatalf("ConflictError.Stream=%q, want %q", ce.Stream, stream)
	}
}

// requireErrorIs fails the test unless errors.Is(err, target).
func requireErrorIs(tb testing.TB, err, target error, what string) {
	tb.Helper()
	if !errors.Is(err, target) {
		tb.Fatalf("%s: err=%v, want one matching %v", what, err, target)
	}
}

// ids returns the IDs of evs.
func ids(evs []events.Event) []uuid.UUID {
	out := make([]uuid.UUID, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// proposedIDs returns the IDs of ps.
func proposedIDs(ps []events.Proposed) []uuid.UUID {
	out := make([]uuid.UUID, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// expect returns the events that appending ps to stream should record, the
// first at revision first. Their positions and recorded times are left zero,
// which diffEvent takes as "any valid value".
func expect(stream string, first uint64, ps []events.Proposed) []events.Event {
	out := make([]events.Event, len(ps))
	for i, p := range ps {
		out[i] = events.Event{
			ID:       p.ID,
			Stream:   stream,
			Revision: first + uint64(i),
			Type:     p.Type,
			Data:     p.Data,
			Metadata: p.Metadata,
		}
	}
	return out
}

// diffEvent describes how got differs from want, or returns "". A zero
// Position or Recorded in want matches any valid one in got (not Start, not
// zero).
func diffEvent(got, want events.Event) string {
	switch {
	case got.ID != want.ID:
		return fmt.Sprintf("ID=%v, want %v", got.ID, want.ID)
	case got.Stream != want.Stream:
		return fmt.Sprintf("Stream=%q, want %q", got.Stream, want.Stream)
	case got.Revision != want.Revision:
		return fmt.Sprintf("Revision=%d, want %d", got.Revision, want.Revision)
	case got.Position == events.Start:
		return "Position=Start, want a position after Start"
	case want.Position != events.Start && got.Position != want.Position:
		return fmt.Sprintf("Position=%v, want %v", got.Position, want.Position)
	case got.Type != want.Type:
		return fmt.Sprintf("Type=%q, want %q", got.Type, want.Type)
	case got.Recorded.IsZero():
		return "Recorded is zero"
	case !want.Recorded.IsZero() && !got.Recorded.Equal(want.Recorded):
		return fmt.Sprintf("Recorded=%v, want %v", got.Recorded, want.Recorded)
	case string(got.Data) != string(want.Data):
		return fmt.Sprintf("Data=%s, want %s", abbrev(got.Data), abbrev(want.Data))
	case got.Metadata != want.Metadata:
		return fmt.Sprintf("Metadata=%+v, want %+v", got.Metadata, want.Metadata)
	}
	return ""
}

// diffEvents describes the first difference between got and want, or
// returns "".
func diffEvents(got, want []events.Event) string {
	for i := range min(len(got), len(want)) {
		if d := diffEvent(got[i], want[i]); d != "" {
			return fmt.Sprintf("event %d of %d: %s", i, len(want), d)
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("got %d events, want %d", len(got), len(want))
	}
	return ""
}

// requireEvents fails the test if got differs from want; what names the
// read that returned got.
func requireEvents(tb testing.TB, what string, got, want []events.Event) {
	tb.Helper()
	if d := diffEvents(got, want); d != "" {
		tb.Fatalf("%s: %s", what, d)
	}
}

// abbrev shortens long data for messages.
func abbrev(b []byte) string {
	if len(b) > 64 {
		return fmt.Sprintf("%s... (%d bytes)", b[:64], len(b))
	}
	return string(b)
}

// after returns the events of all that lie after position from.
func after(all []events.Event, from events.Position) []events.Event {
	for i, e := range all {
		if from.Less(e.Position) {
			return all[i:]
		}
	}
	return nil
}
