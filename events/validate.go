package events

import (
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits that every backend enforces, so that a stream or event accepted by
// one backend is accepted by all.
const (
	// MaxStreamLen is the longest stream name, in bytes.
	MaxStreamLen = 255
	// MaxTypeLen is the longest event type name, in bytes.
	MaxTypeLen = 255
	// MaxEventSize is the largest event data, in bytes.
	MaxEventSize = 4 << 20
	// MaxAppendSize is the largest total data of one append, in bytes.
	MaxAppendSize = 16 << 20
)

// ValidateStream returns an error wrapping ErrInvalidStream unless name is a
// stream name the store accepts: 1 to MaxStreamLen bytes of UTF-8 without
// spaces or control characters, not starting with "$" (reserved for the
// store's own streams).
func ValidateStream(name string) error {
	switch {
	case name == "":
		return invalid(ErrInvalidStream, "empty")
	case len(name) > MaxStreamLen:
		return invalid(ErrInvalidStream, "longer than %d bytes", MaxStreamLen)
	case !utf8.ValidString(name):
		return invalid(ErrInvalidStream, "not UTF-8")
	case name[0] == '$':
		return invalid(ErrInvalidStream, "%q: names starting with $ are reserved", name)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return invalid(ErrInvalidStream, "%q contains a space or control character", name)
		}
	}
	return nil
}

// ValidateAppend checks a stream name and the events proposed for it. It
// returns an error wrapping ErrInvalidStream, ErrEmptyAppend, ErrInvalidEvent
// or ErrTooLarge, or nil.
func ValidateAppend(stream string, evs []Proposed) error {
	if err := ValidateStream(stream); err != nil {
		return err
	}
	if len(evs) == 0 {
		return ErrEmptyAppend
	}
	total := 0
	seen := make(map[uuid.UUID]struct{}, len(evs))
	for i, e := range evs {
		switch {
		case e.ID == uuid.Nil:
			return invalid(ErrInvalidEvent, "event %d: nil ID", i)
		case e.Type == "" || len(e.Type) > MaxTypeLen || !utf8.ValidString(e.Type):
			return invalid(ErrInvalidEvent, "event %d: type must be 1 to %d bytes of UTF-8", i, MaxTypeLen)
		case e.Type[0] == '$':
			return invalid(ErrInvalidEvent, "event %d: types starting with $ are reserved", i)
		case len(e.Data) > MaxEventSize:
			return invalid(ErrTooLarge, "event %d: %d bytes of data, limit %d", i, len(e.Data), MaxEventSize)
		}
		if _, dup := seen[e.ID]; dup {
			return invalid(ErrInvalidEvent, "event %d: ID %s repeated in one append", i, e.ID)
		}
		seen[e.ID] = struct{}{}
		total += len(e.Data)
	}
	if total > MaxAppendSize {
		return invalid(ErrTooLarge, "%d bytes of data, limit %d", total, MaxAppendSize)
	}
	return nil
}
