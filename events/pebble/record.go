package pebble

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
)

// recordVersion is the first byte of every record; a record with another
// version is refused rather than misread.
const recordVersion = 1

// A record is the value of a global-log key:
//
//	version(1) id(16) correlation(16) causation(16)
//	uvarint revision, varint recorded (Unix ns), uvarint schema version,
//	uvarint len + stream, uvarint len + type, data (the rest)
const recordFixed = 1 + 16*3

var errCorrupt = errors.New("pebble: corrupt event record")

func appendRecord(dst []byte, stream string, rev uint64, recorded int64, e *events.Proposed) []byte {
	dst = append(dst, recordVersion)
	dst = append(dst, e.ID[:]...)
	dst = append(dst, e.Metadata.CorrelationID[:]...)
	dst = append(dst, e.Metadata.CausationID[:]...)
	dst = binary.AppendUvarint(dst, rev)
	dst = binary.AppendVarint(dst, recorded)
	dst = binary.AppendUvarint(dst, uint64(e.Metadata.SchemaVersion))
	dst = binary.AppendUvarint(dst, uint64(len(stream)))
	dst = append(dst, stream...)
	dst = binary.AppendUvarint(dst, uint64(len(e.Type)))
	dst = append(dst, e.Type...)
	return append(dst, e.Data...)
}

// recordView is a decoded record whose byte fields alias the record.
type recordView struct {
	id, correlation, causation uuid.UUID
	rev                        uint64
	recorded                   int64
	schema                     uint64
	stream, typ, data          []byte
}

func parseRecord(rec []byte) (recordView, error) {
	var v recordView
	if len(rec) < recordFixed || rec[0] != recordVersion {
		return v, errCorrupt
	}
	copy(v.id[:], rec[1:17])
	copy(v.correlation[:], rec[17:33])
	copy(v.causation[:], rec[33:49])
	p := rec[recordFixed:]
	var ok bool
	if v.rev, p, ok = uvarint(p); !ok {
		return v, errCorrupt
	}
	n, w := binary.Varint(p)
	if w <= 0 {
		return v, errCorrupt
	}
	v.recorded, p = n, p[w:]
	if v.schema, p, ok = uvarint(p); !ok {
		return v, errCorrupt
	}
	if v.stream, p, ok = lenPrefixed(p); !ok {
		return v, errCorrupt
	}
	if v.typ, p, ok = lenPrefixed(p); !ok {
		return v, errCorrupt
	}
	v.data = p
	return v, nil
}

func uvarint(p []byte) (uint64, []byte, bool) {
	n, w := binary.Uvarint(p)
	if w <= 0 {
		return 0, p, false
	}
	return n, p[w:], true
}

func lenPrefixed(p []byte) ([]byte, []byte, bool) {
	n, p, ok := uvarint(p)
	if !ok || n > uint64(len(p)) {
		return nil, p, false
	}
	return p[:n:n], p[n:], true
}

// event returns the record as an Event at pos. The Event's strings and data
// alias rec, so rec must never be modified afterwards.
func (v *recordView) event(pos uint64) events.Event {
	return events.Event{
		ID:       v.id,
		Stream:   unsafe.String(unsafe.SliceData(v.stream), len(v.stream)),
		Revision: v.rev,
		Position: events.Position{Commit: pos, Prepare: pos},
		Type:     unsafe.String(unsafe.SliceData(v.typ), len(v.typ)),
		Recorded: time.Unix(0, v.recorded).UTC(),
		Data:     v.data,
		Metadata: events.Metadata{
			CorrelationID: v.correlation,
			CausationID:   v.causation,
			SchemaVersion: uint32(v.schema),
		},
	}
}

// detach copies the view's stream, type and data into sl, so that the view
// no longer aliases the record it was parsed from.
func (v *recordView) detach(sl *slab) {
	v.stream = sl.copy(v.stream)
	v.typ = sl.copy(v.typ)
	v.data = sl.copy(v.data)
}

// slab hands out immutable copies of records, packed into shared chunks so
// that decoding many events costs few allocations. Chunks start small and
// double up to slabChunk, so that reading one short stream (as every
// command does to catch up its state) does not allocate a whole chunk.
type slab struct{ buf []byte }

// The first and the largest chunk sizes.
const (
	slabFirst = 1 << 10
	slabChunk = 64 << 10
)

// copy returns a copy of b in the slab.
func (s *slab) copy(b []byte) []byte {
	if cap(s.buf)-len(s.buf) < len(b) {
		size := min(slabChunk, max(slabFirst, 2*cap(s.buf)))
		s.buf = make([]byte, 0, max(size, len(b)))
	}
	start := len(s.buf)
	s.buf = append(s.buf, b...)
	return s.buf[start:len(s.buf):len(s.buf)]
}

// decodeEvent copies rec and returns it as the Event at pos.
func decodeEvent(sl *slab, pos uint64, rec []byte) (events.Event, error) {
	v, err := parseRecord(sl.copy(rec))
	if err != nil {
		return events.Event{}, fmt.Errorf("%w at position %d", err, pos)
	}
	return v.event(pos), nil
}
