// Package events defines Empulse's event model: the envelope every fact is
// stored in, the Store interface that every event-store backend implements,
// and the errors those backends return.
//
// Backends live in sub-packages (events/pebble is the embedded default); the
// conformance suite in events/storetest checks that each one behaves the same.
package events

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Event is a recorded event: a fact as the store holds it.
type Event struct {
	// ID identifies the event. It is chosen by the writer and makes retried
	// appends idempotent.
	ID uuid.UUID
	// Stream is the name of the stream the event belongs to.
	Stream string
	// Revision is the event's place in its stream, starting at 0.
	Revision uint64
	// Position is the event's place in the global log.
	Position Position
	// Type names the kind of fact, for example "AnswerGiven".
	Type string
	// Recorded is when the store recorded the event.
	Recorded time.Time
	// Data is the event's payload, a JSON document.
	Data []byte
	// Metadata describes where the event came from.
	Metadata Metadata
}

// Metadata is the part of an event that describes its origin rather than the
// fact itself.
type Metadata struct {
	// CorrelationID ties together every event caused by one request.
	CorrelationID uuid.UUID
	// CausationID is the ID of the event or command that caused this one.
	CausationID uuid.UUID
	// SchemaVersion is the version of the Data's schema for the event Type.
	SchemaVersion uint32
}

// Proposed is an event to be appended. The store assigns its stream,
// revision, position and recorded time.
type Proposed struct {
	ID       uuid.UUID
	Type     string
	Data     []byte
	Metadata Metadata
}

// Position is a place in the global log. Positions grow in commit order, and
// every event has its own. The zero Position, Start, lies before every event.
//
// Commit and Prepare mirror EventStoreDB's log positions; backends that have
// only one sequence set both to it.
type Position struct {
	Commit  uint64
	Prepare uint64
}

// Start is the position before the first event of the global log.
var Start = Position{}

// Compare returns -1, 0 or +1 as p is before, equal to or after q.
func (p Position) Compare(q Position) int {
	switch {
	case p.Commit < q.Commit:
		return -1
	case p.Commit > q.Commit:
		return 1
	case p.Prepare < q.Prepare:
		return -1
	case p.Prepare > q.Prepare:
		return 1
	}
	return 0
}

// Less reports whether p lies before q.
func (p Position) Less(q Position) bool { return p.Compare(q) < 0 }

// String returns the position as "commit/prepare".
func (p Position) String() string { return fmt.Sprintf("%d/%d", p.Commit, p.Prepare) }
