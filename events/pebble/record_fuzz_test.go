package pebble

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
)

// fuzzRecord returns a record as appendRecord writes it, for the seeds.
func fuzzRecord(stream string, rev uint64, recorded int64, typ string, schema uint32, data string) []byte {
	e := &events.Proposed{ID: uuid.UUID{1, 2, 3}, Type: typ, Data: []byte(data),
		Metadata: events.Metadata{CorrelationID: uuid.UUID{4}, CausationID: uuid.UUID{5}, SchemaVersion: schema}}
	return appendRecord(nil, stream, rev, recorded, e)
}

// FuzzParseRecord checks that parseRecord and decodeEvent never panic on
// arbitrary bytes, that what they accept lies within the record, and that
// an accepted record, written again by appendRecord, parses to the same
// view.
func FuzzParseRecord(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{recordVersion})
	f.Add(fuzzRecord("org-1", 0, 0, "TeamCreated", 1, `{"team":"t"}`))
	f.Add(fuzzRecord("answer-p-r", 7, 1795000000000000000, "AnswerSubmitted", 1, `{"values":[]}`))
	f.Add(fuzzRecord("", math.MaxUint64, math.MinInt64, "", math.MaxUint32, ""))
	rec := fuzzRecord("s", 1, -1, "T", 0, "x")
	rec[0] = 2 // unknown version
	f.Add(rec)
	rec = fuzzRecord("stream", 1, 2, "Type", 3, "")
	f.Add(rec[:len(rec)-2]) // type cut short
	// A stream length larger than the rest of the record.
	long := append(fuzzRecord("", 0, 0, "", 0, "")[:recordFixed+3], binary.AppendUvarint(nil, 1<<62)...)
	f.Add(long)
	f.Fuzz(func(t *testing.T, rec []byte) {
		v, err := parseRecord(rec)
		var sl slab
		e, derr := decodeEvent(&sl, 9, rec)
		if (err == nil) != (derr == nil) {
			t.Fatalf("parseRecord err=%v but decodeEvent err=%v", err, derr)
		}
		if err != nil {
			return
		}
		if got := len(v.stream) + len(v.typ) + len(v.data); got > len(rec)-recordFixed {
			t.Fatalf("parsed %d bytes of strings and data from a %d-byte record", got, len(rec))
		}
		if !bytes.HasSuffix(rec, v.data) {
			t.Fatalf("data %q is not the record's tail", v.data)
		}
		if e.Stream != string(v.stream) || e.Type != string(v.typ) || !bytes.Equal(e.Data, v.data) || e.Revision != v.rev ||
			e.ID != v.id || e.Recorded.UnixNano() != v.recorded || e.Position != (events.Position{Commit: 9, Prepare: 9}) {
			t.Fatalf("decodeEvent=%+v disagrees with parseRecord=%+v", e, v)
		}
		// Written again (schema versions beyond uint32 are cut, as event
		// does), it parses to the same view.
		again := appendRecord(nil, string(v.stream), v.rev, v.recorded, &events.Proposed{ID: v.id, Type: string(v.typ), Data: v.data,
			Metadata: events.Metadata{CorrelationID: v.correlation, CausationID: v.causation, SchemaVersion: uint32(v.schema)}})
		w, err := parseRecord(again)
		if err != nil {
			t.Fatalf("rewritten record refused: %v", err)
		}
		v.schema = uint64(uint32(v.schema))
		if !sameView(v, w) {
			t.Fatalf("rewritten record parses to %+v, want %+v", w, v)
		}
	})
}

// FuzzRecordRoundTrip checks that every record appendRecord writes, after
// any prefix, parses back to exactly what was written, and that writing
// the parsed view again gives the same bytes.
func FuzzRecordRoundTrip(f *testing.F) {
	f.Add([]byte(nil), []byte{1}, "org-1", uint64(0), int64(0), "TeamCreated", uint32(1), []byte(`{"team":"t"}`))
	f.Add([]byte("prefix"), []byte{0xff, 0xfe}, "answer-p-r", uint64(1<<40), int64(-1), "AnswerSubmitted", uint32(0), []byte{})
	f.Add([]byte{}, []byte{}, "", uint64(math.MaxUint64), int64(math.MinInt64), "", uint32(math.MaxUint32), []byte(nil))
	f.Add([]byte{0}, []byte("0123456789abcdef0123456789abcdef0123456789abcdef"), "s\x00t", uint64(127), int64(math.MaxInt64),
		"\xff\xfe", uint32(128), []byte{0x80, 0x80, 0x80})
	f.Fuzz(func(t *testing.T, prefix, ids []byte, stream string, rev uint64, recorded int64, typ string, schema uint32, data []byte) {
		var id, corr, cause uuid.UUID
		copy(id[:], ids)
		copy(corr[:], ids[min(len(ids), 16):])
		copy(cause[:], ids[min(len(ids), 32):])
		e := &events.Proposed{ID: id, Type: typ, Data: data,
			Metadata: events.Metadata{CorrelationID: corr, CausationID: cause, SchemaVersion: schema}}
		buf := appendRecord(bytes.Clone(prefix), stream, rev, recorded, e)
		if !bytes.HasPrefix(buf, prefix) {
			t.Fatalf("appendRecord changed the prefix")
		}
		rec := buf[len(prefix):]
		v, err := parseRecord(rec)
		if err != nil {
			t.Fatalf("parseRecord of a written record: %v", err)
		}
		want := recordView{id: id, correlation: corr, causation: cause, rev: rev, recorded: recorded, schema: uint64(schema),
			stream: []byte(stream), typ: []byte(typ), data: data}
		if !sameView(v, want) {
			t.Fatalf("parseRecord=%+v, want %+v", v, want)
		}
		var sl slab
		got, err := decodeEvent(&sl, 3, rec)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != id || got.Stream != stream || got.Revision != rev || got.Type != typ || !bytes.Equal(got.Data, data) ||
			got.Recorded.UnixNano() != recorded || got.Metadata != e.Metadata || got.Position != (events.Position{Commit: 3, Prepare: 3}) {
			t.Fatalf("decodeEvent=%+v, want the written event %+v", got, e)
		}
		again := appendRecord(nil, got.Stream, got.Revision, got.Recorded.UnixNano(),
			&events.Proposed{ID: got.ID, Type: got.Type, Data: got.Data, Metadata: got.Metadata})
		if !bytes.Equal(again, rec) {
			t.Fatalf("rewritten record differs:\n%x\n%x", again, rec)
		}
	})
}

// sameView reports whether a and b hold the same values.
func sameView(a, b recordView) bool {
	return a.id == b.id && a.correlation == b.correlation && a.causation == b.causation && a.rev == b.rev &&
		a.recorded == b.recorded && a.schema == b.schema && bytes.Equal(a.stream, b.stream) &&
		bytes.Equal(a.typ, b.typ) && bytes.Equal(a.data, b.data)
}
