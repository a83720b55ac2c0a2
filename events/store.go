package events

import (
	"context"
	"strings"
)

// Store is an append-only event store: a set of streams, each an ordered list
// of events, and one global log that orders every event of every stream in
// commit order.
//
// Implementations are safe for concurrent use. An event is visible to reads
// and subscriptions only once its append is durable.
type Store interface {
	// Append writes events to the end of stream, atomically, if the stream's
	// current revision satisfies expected. It returns the revision and
	// position of the last event written.
	//
	// When the events' IDs were already written to the stream by an earlier
	// append with the same expectation (a retry), Append writes nothing and
	// returns that earlier append's result.
	//
	// Append returns an error wrapping ErrInvalidStream, ErrEmptyAppend,
	// ErrInvalidEvent or ErrTooLarge for bad input; a *ConflictError (which
	// matches ErrWrongRevision) when the expectation fails; ErrStreamDeleted
	// for a deleted stream; ErrClosed after Close; or ctx's error. After a
	// ctx error the append may or may not have been written.
	Append(ctx context.Context, stream string, expected ExpectedRevision, events ...Proposed) (AppendResult, error)

	// ReadStream returns up to limit events of stream, starting with the
	// event at revision from and going in direction dir. Reading backwards
	// from EndRevision starts at the stream's last event. A limit of 0 or
	// less means no limit.
	//
	// It returns an error wrapping ErrStreamNotFound when the stream has no
	// events, ErrInvalidStream for a bad name, ErrClosed, or ctx's error. A
	// read past the end of an existing stream returns no events and no error.
	ReadStream(ctx context.Context, stream string, dir Direction, from uint64, limit int) ([]Event, error)

	// ReadAll returns up to limit events of the global log in commit order,
	// starting with the first event at or after position from. A limit of 0
	// or less means no limit.
	//
	// It returns ErrClosed or ctx's error.
	ReadAll(ctx context.Context, from Position, limit int) ([]Event, error)

	// Head returns the position of the last durable event of the global log,
	// or Start when the log is empty. It returns ErrClosed or ctx's error.
	Head(ctx context.Context) (Position, error)

	// Subscribe follows the global log from just after position from: it
	// first delivers the events already written (catch-up), then one
	// CaughtUp message, then events as they are written (live). The subscription ends
	// when ctx is done or it is closed.
	//
	// Only events that match filter are delivered, but Checkpoint messages
	// report progress through the log every filter's checkpoint interval of
	// scanned events, even when nothing matches. Events arrive in commit
	// order, without gaps or duplicates. A subscriber that does not read
	// never slows writers down.
	//
	// Subscribe returns an error wrapping ErrInvalidFilter, ErrClosed, or
	// ctx's error.
	Subscribe(ctx context.Context, from Position, filter Filter) (Subscription, error)

	// Close releases the store. Pending and later calls return ErrClosed and
	// open subscriptions end with ErrClosed.
	Close() error
}

// AppendResult describes a successful append.
type AppendResult struct {
	// Revision is the stream revision of the last event written.
	Revision uint64
	// Position is the global position of the last event written.
	Position Position
}

// Direction is the order in which ReadStream walks a stream.
type Direction uint8

// The directions of ReadStream.
const (
	Forwards Direction = iota
	Backwards
)

// EndRevision, as the from of a backwards read, stands for the stream's last
// event.
const EndRevision = ^uint64(0)

// DefaultCheckpointInterval is the number of scanned events between
// checkpoints when a Filter does not set one. It matches EventStoreDB's
// default window (32) times its default multiplier (1).
const DefaultCheckpointInterval = 32

// Filter selects the events a subscription delivers. The zero Filter selects
// every event. At most one of StreamPrefixes and TypePrefixes may be set.
type Filter struct {
	// StreamPrefixes, when set, selects events whose stream name starts with
	// one of them.
	StreamPrefixes []string
	// TypePrefixes, when set, selects events whose type starts with one of
	// them.
	TypePrefixes []string
	// CheckpointInterval is the number of scanned events between
	// checkpoints; 0 means DefaultCheckpointInterval.
	CheckpointInterval int
}

// Validate returns an error wrapping ErrInvalidFilter when f sets both kinds
// of prefixes or a negative checkpoint interval.
func (f Filter) Validate() error {
	if len(f.StreamPrefixes) > 0 && len(f.TypePrefixes) > 0 {
		return invalid(ErrInvalidFilter, "set stream prefixes or type prefixes, not both")
	}
	if f.CheckpointInterval < 0 {
		return invalid(ErrInvalidFilter, "negative checkpoint interval %d", f.CheckpointInterval)
	}
	return nil
}

// Interval returns the filter's checkpoint interval, applying the default.
func (f Filter) Interval() int {
	if f.CheckpointInterval <= 0 {
		return DefaultCheckpointInterval
	}
	return f.CheckpointInterval
}

// Matches reports whether f selects an event of the given stream and type.
func (f Filter) Matches(stream, typ string) bool {
	switch {
	case len(f.StreamPrefixes) > 0:
		return hasAnyPrefix(stream, f.StreamPrefixes)
	case len(f.TypePrefixes) > 0:
		return hasAnyPrefix(typ, f.TypePrefixes)
	}
	return true
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// Subscription is a stream of Messages from Store.Subscribe.
type Subscription interface {
	// Recv returns the next message, waiting for one if needed. It returns
	// ctx's error when ctx is done first (the subscription stays usable), the subscription's context error
	// once the Subscribe context is done, ErrClosed after Close or when the
	// store closes, or the backend error that ended the subscription.
	Recv(ctx context.Context) (Message, error)
	// Close ends the subscription and releases its resources.
	Close() error
}

// MessageKind tells what a Message carries.
type MessageKind uint8

// The kinds of Message.
const (
	// EventMessage carries an event; Position is the event's position.
	EventMessage MessageKind = iota + 1
	// CheckpointMessage reports that the subscription has scanned the log up
	// to and including Position; a consumer may resume from there.
	CheckpointMessage
	// CaughtUpMessage reports that the catch-up phase is over: every event
	// up to Position has been scanned and what follows is live.
	CaughtUpMessage
)

// Message is one item of a Subscription.
type Message struct {
	Kind     MessageKind
	Position Position
	Event    Event // set only when Kind is EventMessage
}
