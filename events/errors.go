package events

import (
	"fmt"

	"github.com/empulse/empulse/apperr"
)

// Sentinel errors returned by every Store. Test for them with errors.Is.
var (
	// ErrWrongRevision is returned by Append when the stream's current
	// revision does not satisfy the expected revision. The error is a
	// *ConflictError that carries the actual revision.
	ErrWrongRevision = apperr.New(apperr.Conflict, "wrong expected revision")
	// ErrStreamNotFound is returned when reading a stream that has no events.
	ErrStreamNotFound = apperr.New(apperr.NotFound, "stream not found")
	// ErrStreamDeleted is returned when a stream has been deleted.
	ErrStreamDeleted = apperr.New(apperr.NotFound, "stream deleted")
	// ErrInvalidStream is returned for a stream name the store refuses.
	ErrInvalidStream = &apperr.Error{Code: apperr.Invalid, Field: "stream", Message: "invalid stream name"}
	// ErrEmptyAppend is returned by Append when it is given no events.
	ErrEmptyAppend = &apperr.Error{Code: apperr.Invalid, Field: "events", Message: "append needs at least one event"}
	// ErrInvalidEvent is returned by Append for an event with a nil ID, an
	// empty, over-long or reserved ($-prefixed) type, or an ID repeated
	// within the append.
	ErrInvalidEvent = &apperr.Error{Code: apperr.Invalid, Field: "events", Message: "invalid event"}
	// ErrTooLarge is returned by Append when an event or the whole append
	// exceeds the store's size limit.
	ErrTooLarge = &apperr.Error{Code: apperr.TooLarge, Field: "events", Message: "append too large"}
	// ErrInvalidFilter is returned by Subscribe for a filter that sets both
	// stream and type prefixes.
	ErrInvalidFilter = &apperr.Error{Code: apperr.Invalid, Field: "filter", Message: "invalid filter"}
	// ErrUnavailable is wrapped by the errors of calls that could not reach
	// a remote event store. The call may or may not have taken effect.
	ErrUnavailable = apperr.New(apperr.Unavailable, "event store unavailable")
	// ErrClosed is returned by every method of a closed Store or Subscription.
	ErrClosed = apperr.New(apperr.Unavailable, "event store closed")
	// ErrLocked is returned when opening a store whose data is in use by
	// another process.
	ErrLocked = apperr.New(apperr.Unavailable, "event store in use by another process")
	// ErrUnknownFormat is returned when opening data written in a format
	// this version does not know. Such data is never rewritten.
	ErrUnknownFormat = apperr.New(apperr.Unavailable, "unknown event store format")
)

// ConflictError reports an append refused because of its expected revision.
// errors.Is(err, ErrWrongRevision) holds for it.
type ConflictError struct {
	// Stream and Expected are the append's arguments.
	Stream   string
	Expected ExpectedRevision
	// Actual is the stream's revision at the time of the append: NoStream()
	// when it had no events, Revision(n) otherwise.
	Actual ExpectedRevision
}

// Error describes the conflict.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("%v: stream %q: expected %v, actual %v", ErrWrongRevision.Message, e.Stream, e.Expected, e.Actual)
}

// Unwrap returns ErrWrongRevision.
func (e *ConflictError) Unwrap() error { return ErrWrongRevision }

// actualRevision returns the ExpectedRevision that describes a stream whose
// last revision is last, or that does not exist.
func actualRevision(last uint64, exists bool) ExpectedRevision {
	if !exists {
		return NoStream()
	}
	return Revision(last)
}

// NewConflict returns a *ConflictError for stream, whose last revision is last
// (exists false when the stream has no events).
func NewConflict(stream string, expected ExpectedRevision, last uint64, exists bool) *ConflictError {
	return &ConflictError{Stream: stream, Expected: expected, Actual: actualRevision(last, exists)}
}

// invalid wraps a sentinel with a detail message, keeping errors.Is working.
func invalid(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}
