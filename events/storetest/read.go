package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
)

// testRead checks ReadStream, ReadAll and Head.
func testRead(t *testing.T, open opener) {
	t.Run("MissingStream", func(t *testing.T) { testMissingStream(t, open(t)) })
	t.Run("Stream", func(t *testing.T) { testReadStream(t, open(t)) })
	t.Run("All", func(t *testing.T) { testReadAll(t, open(t)) })
	t.Run("Head", func(t *testing.T) { testHead(t, open(t)) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open(t)) })
}

// testMissingStream checks that reading a stream without events gives
// ErrStreamNotFound in both directions, in an empty store and beside another
// stream.
func testMissingStream(t *testing.T, s events.Store) {
	ctx := testContext(t)
	reads := []struct {
		name  string
		dir   events.Direction
		from  uint64
		limit int
	}{
		{"Forwards", events.Forwards, 0, 0},
		{"ForwardsFrom5", events.Forwards, 5, 10},
		{"BackwardsFromEnd", events.Backwards, events.EndRevision, 0},
		{"Backwards", events.Backwards, 0, 1},
	}
	for _, state := range []string{"EmptyStore", "OtherStream"} {
		if state == "OtherStream" {
			mustAppend(t, ctx, s, "missing-neighbour", events.NoStream(), proposals(2, "Neighbour")...)
		}
		for _, r := range reads {
			t.Run(state+"/"+r.name, func(t *testing.T) {
				evs, err := s.ReadStream(ctx, "missing", r.dir, r.from, r.limit)
				requireErrorIs(t, err, events.ErrStreamNotFound, fmt.Sprintf("ReadStream(missing, dir %d, from %d, limit %d)", r.dir, r.from, r.limit))
				if len(evs) != 0 {
					t.Fatalf("ReadStream of a missing stream returned %d events, want 0", len(evs))
				}
			})
		}
	}
}

// testReadStream reads a stream of revisions 0 to 9, written in three appends
// and interleaved with another stream, with every kind of from and limit.
func testReadStream(t *testing.T, s events.Store) {
	ctx := testContext(t)
	const stream = "read-stream"
	var ps []events.Proposed
	for _, n := range []int{3, 3, 4} {
		batch := proposals(n, "Read")
		mustAppend(t, ctx, s, stream, events.Any(), batch...)
		mustAppend(t, ctx, s, "read-other", events.Any(), proposals(2, "Other")...)
		ps = append(ps, batch...)
	}
	all := expect(stream, 0, ps)
	// Positions come from the global log, which the stream must agree with.
	for _, e := range readAll(t, ctx, s) {
		if e.Stream == stream {
			all[e.Revision].Position = e.Position
			all[e.Revision].Recorded = e.Recorded
		}
	}
	rev := func(revs ...int) []events.Event {
		out := []events.Event{}
		for _, r := range revs {
			out = append(out, all[r])
		}
		return out
	}
	span := func(from, to int) []int { // from..to inclusive, either way
		var out []int
		for r := from; ; {
			out = append(out, r)
			if r == to {
				return out
			}
			if from < to {
				r++
			} else {
				r--
			}
		}
	}
	cases := []struct {
		name  string
		dir   events.Direction
		from  uint64
		limit int
		want  []int
	}{
		{"Forwards/All", events.Forwards, 0, 0, span(0, 9)},
		{"Forwards/NegativeLimit", events.Forwards, 0, -1, span(0, 9)},
		{"Forwards/Limit3", events.Forwards, 0, 3, span(0, 2)},
		{"Forwards/Limit1", events.Forwards, 0, 1, span(0, 0)},
		{"Forwards/From4", events.Forwards, 4, 0, span(4, 9)},
		{"Forwards/From4Limit2", events.Forwards, 4, 2, span(4, 5)},
		{"Forwards/From8Limit5", events.Forwards, 8, 5, span(8, 9)},
		{"Forwards/FromLast", events.Forwards, 9, 0, span(9, 9)},
		{"Forwards/LimitExact", events.Forwards, 0, 10, span(0, 9)},
		{"Forwards/PastEnd", events.Forwards, 10, 0, nil},
		{"Forwards/FarPastEnd", events.Forwards, 1000, 5, nil},
		{"Forwards/FromEndRevision", events.Forwards, events.EndRevision, 0, nil},
		{"Backwards/FromEnd", events.Backwards, events.EndRevision, 0, span(9, 0)},
		{"Backwards/FromEndLimit3", events.Backwards, events.EndRevision, 3, span(9, 7)},
		{"Backwards/FromEndLimit1", events.Backwards, events.EndRevision, 1, span(9, 9)},
		{"Backwards/FromLast", events.Backwards, 9, 0, span(9, 0)},
		{"Backwards/From5", events.Backwards, 5, 0, span(5, 0)},
		{"Backwards/From5Limit2", events.Backwards, 5, 2, span(5, 4)},
		{"Backwards/From1Limit5", events.Backwards, 1, 5, span(1, 0)},
		{"Backwards/From0", events.Backwards, 0, 0, span(0, 0)},
		{"Backwards/NegativeLimit", events.Backwards, 3, -1, span(3, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.ReadStream(ctx, stream, c.dir, c.from, c.limit)
			if err != nil {
				t.Fatalf("ReadStream(from %d, limit %d): %v", c.from, c.limit, err)
			}
			requireEvents(t, fmt.Sprintf("ReadStream(from %d, limit %d)", c.from, c.limit), got, rev(c.want...))
		})
	}
}

// testReadAll reads a global log of ten events, written in multi-event
// appends to three streams, with every kind of from and limit. ReadAll's from
// is inclusive.
func testReadAll(t *testing.T, s events.Store) {
	ctx := testContext(t)
	if all, err := s.ReadAll(ctx, events.Start, 0); err != nil || len(all) != 0 {
		t.Fatalf("ReadAll of an empty store=%d events, %v; want 0, nil", len(all), err)
	}
	writeSample(t, s)
	all := readAll(t, ctx, s)
	if len(all) != 10 {
		t.Fatalf("ReadAll returned %d events, want 10", len(all))
	}
	requireStrictlyIncreasing(t, all)
	last := all[9].Position
	// A position after the last event whichever of Commit and Prepare a
	// backend orders by.
	beyond := events.Position{Commit: last.Commit + 1, Prepare: last.Prepare + 1}
	cases := []struct {
		name  string
		from  events.Position
		limit int
		want  []events.Event
	}{
		{"Start", events.Start, 0, all},
		{"StartNegativeLimit", events.Start, -1, all},
		{"StartLimit3", events.Start, 3, all[:3]},
		{"StartLimit10", events.Start, 10, all},
		{"StartLimit11", events.Start, 11, all},
		{"First", all[0].Position, 0, all},
		{"Middle", all[4].Position, 0, all[4:]},
		{"MiddleLimit2", all[4].Position, 2, all[4:6]},
		{"InsideAppend", all[2].Position, 1, all[2:3]},
		{"Last", last, 0, all[9:]},
		{"BeyondLast", beyond, 0, nil},
		{"FarBeyond", events.Position{Commit: ^uint64(0), Prepare: ^uint64(0)}, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.ReadAll(ctx, c.from, c.limit)
			if err != nil {
				t.Fatalf("ReadAll(%v, %d): %v", c.from, c.limit, err)
			}
			requireEvents(t, fmt.Sprintf("ReadAll(%v, %d)", c.from, c.limit), got, c.want)
		})
	}
}

// writeSample writes ten events in four appends to three streams (1, 3, 2
// and 4 events) and returns the proposals in log order.
func writeSample(tb testing.TB, s events.Store) []events.Proposed {
	tb.Helper()
	ctx := testContext(tb)
	var out []events.Proposed
	for _, a := range []struct {
		stream string
		n      int
	}{{"sample-a", 1}, {"sample-b", 3}, {"sample-a", 2}, {"sample-c", 4}} {
		ps := proposals(a.n, "Sampled")
		mustAppend(tb, ctx, s, a.stream, events.Any(), ps...)
		out = append(out, ps...)
	}
	return out
}

// testHead checks that Head is Start for an empty store and then the
// position of the last event.
func testHead(t *testing.T, s events.Store) {
	ctx := testContext(t)
	if head := mustHead(t, ctx, s); head != events.Start {
		t.Fatalf("Head of an empty store=%v, want Start", head)
	}
	for i := range 3 {
		res := mustAppend(t, ctx, s, fmt.Sprintf("head-%d", i%2), events.Any(), proposals(i+1, "Headed")...)
		if head := mustHead(t, ctx, s); head != res.Position {
			t.Fatalf("Head=%v, want %v (the last append's position)", head, res.Position)
		}
		all := readAll(t, ctx, s)
		if head := mustHead(t, ctx, s); head != all[len(all)-1].Position {
			t.Fatalf("Head=%v, want %v (the last event's position)", head, all[len(all)-1].Position)
		}
	}
}

// testRoundTrip checks that everything a writer gives an event comes back
// unchanged from ReadStream, ReadAll and Subscribe, together with what the
// store assigns.
func testRoundTrip(t *testing.T, s events.Store) {
	ctx := testContext(t)
	ps := []events.Proposed{
		{ID: uuid.New(), Type: "SurveyCreated", Data: []byte(`{"title":"Pulse","k":5}`),
			Metadata: events.Metadata{CorrelationID: uuid.New(), CausationID: uuid.New(), SchemaVersion: 3}},
		{ID: uuid.New(), Type: "QuestionAdded", Data: []byte(`{ "text" : "Grüße \u00e9 😀", "scale": [1, 2, 3] }` + "\n"),
			Metadata: events.Metadata{CorrelationID: uuid.New()}},
		{ID: uuid.New(), Type: "Ü.Namespaced/Type-1", Data: []byte(`null`)},
		{ID: uuid.New(), Type: "X", Data: []byte(`"string"`),
			Metadata: events.Metadata{CausationID: uuid.New(), SchemaVersion: ^uint32(0)}},
	}
	first := mustAppend(t, ctx, s, "round-trip-a", events.NoStream(), ps[:2]...)
	second := mustAppend(t, ctx, s, "round-trip-b", events.NoStream(), ps[2:]...)
	want := append(expect("round-trip-a", 0, ps[:2]), expect("round-trip-b", 0, ps[2:])...)
	want[1].Position, want[3].Position = first.Position, second.Position

	all := readAll(t, ctx, s)
	requireEvents(t, "ReadAll", all, want)
	// Recorded is assigned by the store; the same event must report the
	// same time whichever way it is read.
	for i := range want {
		want[i].Position, want[i].Recorded = all[i].Position, all[i].Recorded
	}
	requireEvents(t, "ReadStream a", readStream(t, ctx, s, "round-trip-a"), want[:2])
	requireEvents(t, "ReadStream b", readStream(t, ctx, s, "round-trip-b"), want[2:])
	back, err := s.ReadStream(ctx, "round-trip-a", events.Backwards, events.EndRevision, 0)
	if err != nil {
		t.Fatalf("ReadStream backwards: %v", err)
	}
	slices.Reverse(back)
	requireEvents(t, "ReadStream backwards", back, want[:2])
	r := subscribe(t, ctx, s, events.Start, events.Filter{})
	requireEvents(t, "Subscribe", r.mustCaughtUp(t, ctx), want)
}
