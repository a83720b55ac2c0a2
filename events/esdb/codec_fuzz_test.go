package esdb

import (
	"bytes"
	"testing"
	"time"

	kurrent "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
)

// FuzzRecordedEvent converts a recorded event with any type, data and user
// metadata, as a read or a subscription does with what another tool, an
// older or a newer version wrote. The conversion never panics, keeps the
// envelope as recorded, and reads metadata written by MarshalMetadata
// exactly; metadata it cannot read gives zero fields, and reading is
// stable: what it reads, written again, reads the same.
func FuzzRecordedEvent(f *testing.F) {
	for _, m := range []string{
		string(MarshalMetadata(events.Metadata{CorrelationID: uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
			CausationID: uuid.MustParse("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), SchemaVersion: 1})),
		`{"$correlationId":"not-a-uuid","schemaVersion":-1}`,
		`{"schemaVersion":4294967296}`,
		`{"schemaVersion":1e3,"$causationId":null}`,
		`{"schemaVersion":"1","$correlationId":42}`,
		`{"$correlationId":"{6ba7b810-9dad-11d1-80b4-00c04fd430c8}","$causationId":"urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8"}`,
		`{"$correlationId":"6BA7B810-9DAD-11D1-80B4-00C04FD430C8","extra":{"nested":[1,2,3]}}`,
		"{\"$correlationId\":\"\xff\xfe\"}",
		`{"$correlationId":"6ba7b810-9dad-11d1-80b4-00c04fd430c8"`,
		`[]`, `null`, `"text"`, ``, `{"Comment\`,
	} {
		f.Add("TeamCreated", []byte(`{"team":"t","name":"n"}`), []byte(m), uint64(7), uint64(1<<63))
	}
	f.Add("$metadata", []byte(`{"$maxAge":1}`), []byte(nil), uint64(0), uint64(0))
	f.Fuzz(func(t *testing.T, typ string, data, meta []byte, rev, pos uint64) {
		id := uuid.NewSHA1(uuid.NameSpaceOID, meta)
		at := time.Unix(int64(rev%(1<<40)), 0).UTC()
		r := &kurrent.RecordedEvent{EventID: id, EventType: typ, StreamID: "org-default", EventNumber: rev,
			Position: kurrent.Position{Commit: pos, Prepare: pos}, CreatedDate: at, Data: data, UserMetadata: meta}
		e := fromRecorded(r)
		if e.ID != id || e.Type != typ || e.Stream != r.StreamID || e.Revision != rev || !e.Recorded.Equal(at) ||
			!bytes.Equal(e.Data, data) || e.Position != (events.Position{Commit: pos, Prepare: pos}) {
			t.Fatalf("fromRecorded(%+v)=%+v: the envelope changed", r, e)
		}
		m := e.Metadata
		if again := UnmarshalMetadata(MarshalMetadata(m)); again != m {
			t.Fatalf("metadata %+v read from %q reads %+v once written again", m, meta, again)
		}
		ours := events.Metadata{CorrelationID: id, CausationID: uuid.NewSHA1(id, data), SchemaVersion: uint32(rev)}
		if got := UnmarshalMetadata(MarshalMetadata(ours)); got != ours {
			t.Fatalf("metadata %+v reads back as %+v", ours, got)
		}
	})
}
