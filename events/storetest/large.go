package storetest

import (
	"bytes"
	"testing"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
)

// testLarge checks events near the size limits.
func testLarge(t *testing.T, open opener) {
	t.Run("OneMiB", func(t *testing.T) { testOneMiB(t, open(t)) })
	t.Run("TooLarge", func(t *testing.T) { testTooLarge(t, open(t)) })
}

// jsonString returns a JSON string of exactly size bytes, quotes included,
// whose letters depend on seed.
func jsonString(size int, seed byte) []byte {
	b := make([]byte, size)
	b[0], b[size-1] = '"', '"'
	for i := 1; i < size-1; i++ {
		b[i] = 'a' + byte((i+int(seed))%26)
	}
	return b
}

// testOneMiB appends four events of 1 MiB each, three in one append, and
// reads them back byte for byte through ReadStream, ReadAll and Subscribe.
func testOneMiB(t *testing.T, s events.Store) {
	ctx := testContext(t)
	const size = 1 << 20
	ps := make([]events.Proposed, 4)
	for i := range ps {
		ps[i] = events.Proposed{ID: uuid.New(), Type: "Large", Data: jsonString(size, byte(i))}
	}
	mustAppend(t, ctx, s, "large", events.NoStream(), ps[:3]...)
	mustAppend(t, ctx, s, "large", events.Revision(2), ps[3:]...)
	r := subscribe(t, ctx, s, events.Start, events.Filter{})

	check := func(what string, got []events.Event) {
		t.Helper()
		if len(got) != len(ps) {
			t.Fatalf("%s returned %d events, want %d", what, len(got), len(ps))
		}
		for i, e := range got {
			if e.ID != ps[i].ID || !bytes.Equal(e.Data, ps[i].Data) {
				t.Fatalf("%s: event %d is %v with %d bytes of data, want %v with the %d bytes written",
					what, i, e.ID, len(e.Data), ps[i].ID, len(ps[i].Data))
			}
		}
	}
	check("ReadStream", readStream(t, ctx, s, "large"))
	check("ReadAll", readAll(t, ctx, s))
	check("Subscribe", r.mustCaughtUp(t, ctx))
}

// testTooLarge checks that an event over MaxEventSize and an append over
// MaxAppendSize give ErrTooLarge and write nothing.
func testTooLarge(t *testing.T, s events.Store) {
	ctx := testContext(t)
	big := jsonString(events.MaxEventSize+1, 0)
	_, err := s.Append(ctx, "too-large", events.Any(),
		events.Proposed{ID: uuid.New(), Type: "Small", Data: []byte(`{}`)},
		events.Proposed{ID: uuid.New(), Type: "Large", Data: big})
	requireErrorIs(t, err, events.ErrTooLarge, "Append of an event over MaxEventSize")

	full := jsonString(events.MaxEventSize, 0) // allowed alone; shared to save memory
	ps := make([]events.Proposed, events.MaxAppendSize/events.MaxEventSize+1)
	for i := range ps {
		ps[i] = events.Proposed{ID: uuid.New(), Type: "Large", Data: full}
	}
	_, err = s.Append(ctx, "too-large", events.Any(), ps...)
	requireErrorIs(t, err, events.ErrTooLarge, "Append over MaxAppendSize")

	if all := readAll(t, ctx, s); len(all) != 0 {
		t.Fatalf("ReadAll returned %d events after refused appends, want 0", len(all))
	}
}
