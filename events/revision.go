package events

import "fmt"

// ExpectedRevision is the condition an append places on its stream's current
// revision. Use Any, NoStream, StreamExists or Revision to make one; the zero
// value means Any.
type ExpectedRevision struct {
	kind expectKind
	rev  uint64
}

type expectKind uint8

const (
	expectAny expectKind = iota
	expectNoStream
	expectStreamExists
	expectExact
)

// Any returns the expectation that accepts every state of the stream.
func Any() ExpectedRevision { return ExpectedRevision{kind: expectAny} }

// NoStream returns the expectation that the stream has no events yet.
func NoStream() ExpectedRevision { return ExpectedRevision{kind: expectNoStream} }

// StreamExists returns the expectation that the stream has at least one event.
func StreamExists() ExpectedRevision { return ExpectedRevision{kind: expectStreamExists} }

// Revision returns the expectation that the stream's last event has revision
// rev.
func Revision(rev uint64) ExpectedRevision { return ExpectedRevision{kind: expectExact, rev: rev} }

// IsAny reports whether e is Any.
func (e ExpectedRevision) IsAny() bool { return e.kind == expectAny }

// IsNoStream reports whether e is NoStream.
func (e ExpectedRevision) IsNoStream() bool { return e.kind == expectNoStream }

// IsStreamExists reports whether e is StreamExists.
func (e ExpectedRevision) IsStreamExists() bool { return e.kind == expectStreamExists }

// Exact returns the revision e names and true, or 0 and false when e is not an
// exact revision.
func (e ExpectedRevision) Exact() (uint64, bool) { return e.rev, e.kind == expectExact }

// Allows reports whether a stream whose last revision is last (exists false
// when the stream has no events) satisfies e.
func (e ExpectedRevision) Allows(last uint64, exists bool) bool {
	switch e.kind {
	case expectNoStream:
		return !exists
	case expectStreamExists:
		return exists
	case expectExact:
		return exists && last == e.rev
	}
	return true
}

// String returns "any", "no stream", "stream exists" or the revision number.
func (e ExpectedRevision) String() string {
	switch e.kind {
	case expectNoStream:
		return "no stream"
	case expectStreamExists:
		return "stream exists"
	case expectExact:
		return fmt.Sprint(e.rev)
	}
	return "any"
}
