package storetest

import (
	"fmt"
	"testing"

	"github.com/empulse/empulse/events"
)

// testAppend checks Append's results, expected revisions and idempotent
// retries.
func testAppend(t *testing.T, open opener) {
	t.Run("Result", func(t *testing.T) { testAppendResult(t, open(t)) })
	t.Run("ExpectedRevision", func(t *testing.T) { testExpectedRevision(t, open(t)) })
	t.Run("IdempotentRetry", func(t *testing.T) { testIdempotentRetry(t, open(t), false) })
	t.Run("IdempotentRetryAfterLaterAppends", func(t *testing.T) { testIdempotentRetry(t, open(t), true) })
	t.Run("RetryWithOtherEvents", func(t *testing.T) { testRetryWithOtherEvents(t, open(t)) })
}

// testAppendResult checks that revisions start at 0, that an AppendResult
// names the last event written, and that positions strictly increase.
func testAppendResult(t *testing.T, s events.Store) {
	ctx := testContext(t)
	if head := mustHead(t, ctx, s); head != events.Start {
		t.Fatalf("Head of an empty store=%v, want Start", head)
	}
	steps := []struct {
		stream  string
		n       int
		wantRev uint64
	}{
		{"result-a", 1, 0},
		{"result-a", 3, 3},
		{"result-b", 2, 1},
		{"result-a", 1, 4},
		{"result-b", 4, 5},
	}
	var prev events.Position
	total := 0
	for i, st := range steps {
		ps := proposals(st.n, "ResultChecked")
		res := mustAppend(t, ctx, s, st.stream, events.Any(), ps...)
		total += st.n
		if res.Revision != st.wantRev {
			t.Fatalf("step %d: revision=%d, want %d", i, res.Revision, st.wantRev)
		}
		if !prev.Less(res.Position) {
			t.Fatalf("step %d: position=%v, want one after the previous append's %v", i, res.Position, prev)
		}
		if head := mustHead(t, ctx, s); head != res.Position {
			t.Fatalf("step %d: Head=%v, want %v (the position of the last event appended)", i, head, res.Position)
		}
		all := readAll(t, ctx, s)
		if len(all) != total {
			t.Fatalf("step %d: ReadAll returned %d events, want %d", i, len(all), total)
		}
		last := all[len(all)-1]
		if last.ID != ps[len(ps)-1].ID || last.Position != res.Position || last.Revision != res.Revision {
			t.Fatalf("step %d: last event of the log is %v at %v revision %d, want %v at %v revision %d",
				i, last.ID, last.Position, last.Revision, ps[len(ps)-1].ID, res.Position, res.Revision)
		}
		prev = res.Position
	}
	requireStrictlyIncreasing(t, readAll(t, ctx, s))
}

// testExpectedRevision appends with every kind of expectation to a missing
// and to an existing stream (revisions 0 to 2) and checks which appends
// succeed, which conflict, and that a conflict writes nothing.
func testExpectedRevision(t *testing.T, s events.Store) {
	ctx := testContext(t)
	cases := []struct {
		name     string
		existing bool
		expected events.ExpectedRevision
		conflict bool
	}{
		{"Missing/Any", false, events.Any(), false},
		{"Missing/ZeroValue", false, events.ExpectedRevision{}, false},
		{"Missing/NoStream", false, events.NoStream(), false},
		{"Missing/StreamExists", false, events.StreamExists(), true},
		{"Missing/Revision0", false, events.Revision(0), true},
		{"Missing/Revision5", false, events.Revision(5), true},
		{"Existing/Any", true, events.Any(), false},
		{"Existing/ZeroValue", true, events.ExpectedRevision{}, false},
		{"Existing/NoStream", true, events.NoStream(), true},
		{"Existing/StreamExists", true, events.StreamExists(), false},
		{"Existing/Revision2", true, events.Revision(2), false},
		{"Existing/Revision0", true, events.Revision(0), true},
		{"Existing/Revision1", true, events.Revision(1), true},
		{"Existing/Revision3", true, events.Revision(3), true},
		{"Existing/RevisionEnd", true, events.Revision(events.EndRevision), true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stream := fmt.Sprintf("expected-%d", i)
			var before []events.Proposed
			actual := events.NoStream()
			if c.existing {
				before = proposals(3, "Before")
				mustAppend(t, ctx, s, stream, events.NoStream(), before...)
				actual = events.Revision(2)
			}
			sn := takeSnapshot(t, ctx, s)
			ps := proposals(2, "Tried")
			res, err := s.Append(ctx, stream, c.expected, ps...)
			if c.conflict {
				requireConflict(t, err, stream, c.expected, actual)
				sn.requireUnchanged(t, ctx, s, "a conflicting append")
				requireEvents(t, "ReadStream after a conflict", readStream(t, ctx, s, stream), expect(stream, 0, before))
				return
			}
			if err != nil {
				t.Fatalf("Append with expected %v: %v", c.expected, err)
			}
			if want := uint64(len(before) + len(ps) - 1); res.Revision != want {
				t.Fatalf("revision=%d, want %d", res.Revision, want)
			}
			want := append(expect(stream, 0, before), expect(stream, uint64(len(before)), ps)...)
			got := readStream(t, ctx, s, stream)
			requireEvents(t, "ReadStream", got, want)
			if last := got[len(got)-1].Position; last != res.Position {
				t.Fatalf("position=%v, want %v (the last event's)", res.Position, last)
			}
		})
	}
}

// testIdempotentRetry appends events and then appends the same events with
// the same expectation again, which must succeed with the first result and
// write nothing. With later set, other events are appended to the stream
// between the two.
func testIdempotentRetry(t *testing.T, s events.Store, later bool) {
	ctx := testContext(t)
	cases := []struct {
		name     string
		existing bool // the stream has revisions 0 to 2 before the first append
		expected events.ExpectedRevision
	}{
		{"NoStream", false, events.NoStream()},
		{"Any/Missing", false, events.Any()},
		{"Any/Existing", true, events.Any()},
		{"StreamExists", true, events.StreamExists()},
		{"Revision", true, events.Revision(2)},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stream := fmt.Sprintf("retry-%d", i)
			var want []events.Event
			if c.existing {
				before := proposals(3, "Before")
				mustAppend(t, ctx, s, stream, events.NoStream(), before...)
				want = expect(stream, 0, before)
			}
			ps := proposals(3, "Retried")
			first := mustAppend(t, ctx, s, stream, c.expected, ps...)
			want = append(want, expect(stream, uint64(len(want)), ps)...)
			if later {
				more := proposals(2, "Later")
				mustAppend(t, ctx, s, stream, events.Any(), more...)
				want = append(want, expect(stream, uint64(len(want)), more)...)
			}
			sn := takeSnapshot(t, ctx, s)
			for try := 1; try <= 2; try++ {
				res, err := s.Append(ctx, stream, c.expected, ps...)
				if err != nil {
					t.Fatalf("retry %d with expected %v: %v, want the first append's result", try, c.expected, err)
				}
				if res != first {
					t.Fatalf("retry %d: result=%+v, want the first append's %+v", try, res, first)
				}
				sn.requireUnchanged(t, ctx, s, fmt.Sprintf("retry %d", try))
			}
			requireEvents(t, "ReadStream after retries", readStream(t, ctx, s, stream), want)
		})
	}
}

// testRetryWithOtherEvents repeats an append's event IDs with events added or
// swapped. With an exact expectation that no longer holds, that is not a
// retry and must conflict; a subset or reordering of the IDs must at least
// write nothing, whether it succeeds or conflicts.
func testRetryWithOtherEvents(t *testing.T, s events.Store) {
	ctx := testContext(t)
	cases := []struct {
		name     string
		existing bool // the stream has revision 0 before the first append
		expected events.ExpectedRevision
		retry    func(a, b events.Proposed) []events.Proposed
		conflict bool // false: success or conflict, but nothing written
	}{
		{"NoStream/MoreEvents", false, events.NoStream(), func(a, b events.Proposed) []events.Proposed {
			return []events.Proposed{a, b, proposals(1, "Extra")[0]}
		}, true},
		{"NoStream/OtherEvent", false, events.NoStream(), func(a, b events.Proposed) []events.Proposed {
			return []events.Proposed{a, proposals(1, "Extra")[0]}
		}, true},
		{"Revision/MoreEvents", true, events.Revision(0), func(a, b events.Proposed) []events.Proposed {
			return []events.Proposed{a, b, proposals(1, "Extra")[0]}
		}, true},
		{"Revision/OtherEvent", true, events.Revision(0), func(a, b events.Proposed) []events.Proposed {
			return []events.Proposed{proposals(1, "Extra")[0], b}
		}, true},
		{"NoStream/Subset", false, events.NoStream(), func(a, b events.Proposed) []events.Proposed {
			return []events.Proposed{a}
		}, false},
		{"NoStream/Reordered", false, events.NoStream(), func(a, b events.Proposed) []events.Proposed {
			return []events.Proposed{b, a}
		}, false},
		{"Revision/Subset", true, events.Revision(0), func(a, b events.Proposed) []events.Proposed {
			return []events.Proposed{b}
		}, false},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stream := fmt.Sprintf("other-%d", i)
			var want []events.Event
			if c.existing {
				before := proposals(1, "Before")
				mustAppend(t, ctx, s, stream, events.NoStream(), before...)
				want = expect(stream, 0, before)
			}
			ps := proposals(2, "First")
			res := mustAppend(t, ctx, s, stream, c.expected, ps...)
			want = append(want, expect(stream, uint64(len(want)), ps)...)
			sn := takeSnapshot(t, ctx, s)
			_, err := s.Append(ctx, stream, c.expected, c.retry(ps[0], ps[1])...)
			if c.conflict || err != nil {
				requireConflict(t, err, stream, c.expected, events.Revision(res.Revision))
			}
			sn.requireUnchanged(t, ctx, s, "an append that repeats some IDs")
			requireEvents(t, "ReadStream", readStream(t, ctx, s, stream), want)
		})
	}
}
