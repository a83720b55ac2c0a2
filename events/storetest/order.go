package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/empulse/empulse/events"
)

// checkLog checks the global log after the appends recs, which hold all the
// store's events:
//
//   - it holds every event once, and positions strictly increase;
//   - the events of one append are contiguous and in order, with the
//     revisions and last position the append reported;
//   - every stream's revisions run 0, 1, 2... in log order, and ReadStream
//     returns the same events;
//   - an append acknowledged before another began lies before it.
func checkLog(tb testing.TB, s events.Store, recs []appendRecord) {
	tb.Helper()
	ctx := testContext(tb)
	all := readAll(tb, ctx, s)
	total := 0
	for _, rec := range recs {
		total += len(rec.ps)
	}
	if len(all) != total {
		tb.Fatalf("global log has %d events, want %d", len(all), total)
	}
	requireStrictlyIncreasing(tb, all)
	index := make(map[[16]byte]int, len(all))
	for i, e := range all {
		if j, dup := index[e.ID]; dup {
			tb.Fatalf("event %v at global index %d and %d", e.ID, j, i)
		}
		index[e.ID] = i
	}
	first := make([]events.Position, len(recs)) // position of each append's first event
	for n, rec := range recs {
		i, ok := index[rec.ps[0].ID]
		if !ok {
			tb.Fatalf("event %v of an acknowledged append is missing from the global log", rec.ps[0].ID)
		}
		if i+len(rec.ps) > len(all) {
			tb.Fatalf("append of %d events starts at global index %d of %d", len(rec.ps), i, len(all))
		}
		firstRev := rec.res.Revision + 1 - uint64(len(rec.ps))
		want := expect(rec.stream, firstRev, rec.ps)
		want[len(want)-1].Position = rec.res.Position
		if d := diffEvents(all[i:i+len(rec.ps)], want); d != "" {
			tb.Fatalf("global log from index %d, an append of %d events to %q: %s (the events of one append must be contiguous)", i, len(rec.ps), rec.stream, d)
		}
		first[n] = all[i].Position
	}
	next := make(map[string]uint64)
	for _, e := range all {
		if e.Revision != next[e.Stream] {
			tb.Fatalf("stream %q: revision %d at position %v follows revision %d", e.Stream, e.Revision, e.Position, int64(next[e.Stream])-1)
		}
		next[e.Stream]++
	}
	for stream := range next {
		var want []events.Event
		for _, e := range all {
			if e.Stream == stream {
				want = append(want, e)
			}
		}
		requireEvents(tb, fmt.Sprintf("ReadStream(%q)", stream), readStream(tb, ctx, s, stream), want)
	}
	requireHappensBefore(tb, recs, first)
}

// requireHappensBefore checks that every append lies after every append
// acknowledged before it began; first holds each append's first position.
func requireHappensBefore(tb testing.TB, recs []appendRecord, first []events.Position) {
	tb.Helper()
	byAck := make([]int, len(recs))
	for i := range byAck {
		byAck[i] = i
	}
	slices.SortFunc(byAck, func(a, b int) int { return int(recs[a].acked - recs[b].acked) })
	// latest[k] is the append with the greatest position among byAck[:k+1].
	latest := make([]int, len(byAck))
	for k, n := range byAck {
		latest[k] = n
		if k > 0 && recs[n].res.Position.Less(recs[latest[k-1]].res.Position) {
			latest[k] = latest[k-1]
		}
	}
	for n, rec := range recs {
		// k is the number of appends acknowledged before rec began.
		k, _ := slices.BinarySearchFunc(byAck, rec.started+1, func(i int, target int64) int { return int(recs[i].acked - target) })
		if k == 0 {
			continue
		}
		before := recs[latest[k-1]]
		if !before.res.Position.Less(first[n]) {
			tb.Fatalf("an append to %q starting at %v began after an append to %q ending at %v was acknowledged: global order must follow commit order",
				rec.stream, first[n], before.stream, before.res.Position)
		}
	}
}

// requireStrictlyIncreasing fails the test unless the positions of all
// strictly increase and lie after Start.
func requireStrictlyIncreasing(tb testing.TB, all []events.Event) {
	tb.Helper()
	prev := events.Start
	for i, e := range all {
		if !prev.Less(e.Position) {
			tb.Fatalf("global log event %d at position %v, want one after %v", i, e.Position, prev)
		}
		prev = e.Position
	}
}
