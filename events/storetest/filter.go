package storetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/empulse/empulse/events"
)

// testFilter checks subscription filters and checkpoints.
func testFilter(t *testing.T, open opener) {
	t.Run("Prefixes", func(t *testing.T) { testPrefixes(t, open(t)) })
	t.Run("Invalid", func(t *testing.T) { testInvalidFilter(t, open(t)) })
	t.Run("CheckpointsWithoutMatches", func(t *testing.T) { testCheckpoints(t, open(t)) })
}

// writeFiltered writes events of several streams and types, chosen so that
// prefixes can match a little more or less than a name ("survey" also
// matches "surveyor-1", "survey-" does not).
func writeFiltered(tb testing.TB, s events.Store) {
	tb.Helper()
	ctx := testContext(tb)
	for _, a := range []struct{ stream, typ string }{
		{"survey-1", "SurveyCreated"},
		{"team-1", "MemberJoined"},
		{"survey-1", "QuestionAdded"},
		{"surveyor-1", "SurveyorNamed"},
		{"answer-1-x", "AnswerGiven"},
		{"survey-2", "SurveyCreated"},
		{"team-1", "MemberLeft"},
		{"answer-1-x", "AnswerRetracted"},
	} {
		mustAppend(tb, ctx, s, a.stream, events.Any(), proposals(2, a.typ)...)
	}
}

// selected returns the events of all whose stream (or, with byType, type)
// starts with one of prefixes.
func selected(all []events.Event, byType bool, prefixes []string) []events.Event {
	var out []events.Event
	for _, e := range all {
		name := e.Stream
		if byType {
			name = e.Type
		}
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// testPrefixes subscribes with stream and type prefixes and checks that
// exactly the matching events arrive, during catch-up and live.
func testPrefixes(t *testing.T, s events.Store) {
	ctx := testContext(t)
	cases := []struct {
		name     string
		byType   bool
		prefixes []string
	}{
		{"Stream/One", false, []string{"survey-"}},
		{"Stream/Shorter", false, []string{"survey"}},
		{"Stream/Two", false, []string{"team-", "answer-"}},
		{"Stream/Whole", false, []string{"survey-2"}},
		{"Stream/None", false, []string{"nothing-"}},
		{"Type/One", true, []string{"Answer"}},
		{"Type/Shorter", true, []string{"Survey"}},
		{"Type/Two", true, []string{"Member", "QuestionAdded"}},
		{"Type/None", true, []string{"Nothing"}},
		{"Zero", false, nil},
	}
	filterOf := func(byType bool, prefixes []string) events.Filter {
		// An interval of 1 reports progress after every scanned event, so
		// that a reader knows when it has seen everything up to Head.
		f := events.Filter{CheckpointInterval: 1}
		if byType {
			f.TypePrefixes = prefixes
		} else {
			f.StreamPrefixes = prefixes
		}
		return f
	}
	writeFiltered(t, s)
	old := readAll(t, ctx, s)
	// The subscriptions belong to t, not to a subtest, so that they stay
	// open for the live phase.
	readers := make([]*reader, len(cases))
	caughtUp := make([]bool, len(cases))
	for i, c := range cases {
		readers[i] = subscribe(t, ctx, s, events.Start, filterOf(c.byType, c.prefixes))
		t.Run(c.name+"/CatchUp", func(t *testing.T) {
			want := old
			if c.prefixes != nil {
				want = selected(old, c.byType, c.prefixes)
			}
			requireEvents(t, "catch-up", readers[i].mustCaughtUp(t, ctx), want)
			caughtUp[i] = true
		})
	}
	writeFiltered(t, s)
	all := readAll(t, ctx, s)
	head := all[len(all)-1].Position
	for i, c := range cases {
		t.Run(c.name+"/Live", func(t *testing.T) {
			r := readers[i]
			if !caughtUp[i] {
				t.Skip("catch-up failed")
			}
			want := all[len(old):]
			if c.prefixes != nil {
				want = selected(want, c.byType, c.prefixes)
			}
			requireEvents(t, fmt.Sprintf("live events up to %v", head), r.mustUntil(t, ctx, head), want)
		})
	}
}

// testInvalidFilter checks that Subscribe refuses a filter with both kinds of
// prefixes or a negative checkpoint interval.
func testInvalidFilter(t *testing.T, s events.Store) {
	ctx := testContext(t)
	for _, f := range []events.Filter{
		{StreamPrefixes: []string{"survey-"}, TypePrefixes: []string{"Survey"}},
		{CheckpointInterval: -1},
	} {
		sub, err := s.Subscribe(ctx, events.Start, f)
		if err == nil {
			sub.Close()
		}
		requireErrorIs(t, err, events.ErrInvalidFilter, fmt.Sprintf("Subscribe(%+v)", f))
	}
}

// testCheckpoints subscribes with a filter that matches nothing and a
// checkpoint interval of 10 and checks that checkpoints still report progress
// at least every 10 events, up to the last event, during catch-up and live;
// and that a subscription resumed from a checkpoint delivers what follows it.
func testCheckpoints(t *testing.T, s events.Store) {
	ctx := testContext(t)
	const interval, appends, perAppend = 10, 10, 10 // 100 events a phase
	write := func() {
		for i := range appends {
			mustAppend(t, ctx, s, fmt.Sprintf("checkpointed-%d", i%3), events.Any(), proposals(perAppend, "Checkpointed")...)
		}
	}
	write()
	f := events.Filter{StreamPrefixes: []string{"nothing-"}, CheckpointInterval: interval}
	r := subscribe(t, ctx, s, events.Start, f)
	if evs := r.mustCaughtUp(t, ctx); len(evs) != 0 {
		t.Fatalf("a filter that matches nothing delivered %d events", len(evs))
	}
	all := readAll(t, ctx, s)
	requireProgress(t, "catch-up", r.checkpoints, all, nil, interval)

	caughtUp := len(r.checkpoints)
	write()
	all = readAll(t, ctx, s)
	if evs := r.mustUntil(t, ctx, all[len(all)-1].Position); len(evs) != 0 {
		t.Fatalf("a filter that matches nothing delivered %d live events", len(evs))
	}
	var prev *events.Position
	if caughtUp > 0 {
		prev = &r.checkpoints[caughtUp-1]
	}
	requireProgress(t, "live", r.checkpoints[caughtUp:], all, prev, interval)

	mid := r.checkpoints[len(r.checkpoints)/2]
	resumed := subscribe(t, ctx, s, mid, events.Filter{})
	requireEvents(t, fmt.Sprintf("resumed from checkpoint %v", mid), resumed.mustCaughtUp(t, ctx), after(all, mid))
}

// requireProgress checks checkpoints received while scanning all: each lies
// at or before the last event, at most interval events after the previous
// one (or after prev, or after Start), and the last reaches the last event of
// all, since the number of events in each phase is a multiple of interval.
func requireProgress(tb testing.TB, phase string, checkpoints []events.Position, all []events.Event, prev *events.Position, interval int) {
	tb.Helper()
	// scanned is the number of events up to and including p.
	scanned := func(p events.Position) int {
		n := 0
		for n < len(all) && !p.Less(all[n].Position) {
			n++
		}
		return n
	}
	if len(checkpoints) == 0 {
		tb.Fatalf("%s: no checkpoints over %d events with interval %d", phase, len(all), interval)
	}
	done := 0
	if prev != nil {
		done = scanned(*prev)
	}
	for i, cp := range checkpoints {
		n := scanned(cp)
		if n-done > interval {
			tb.Fatalf("%s: checkpoint %d at %v comes %d events after the previous progress, want at most %d", phase, i, cp, n-done, interval)
		}
		done = n
	}
	last := all[len(all)-1].Position
	if got := checkpoints[len(checkpoints)-1]; got != last {
		tb.Fatalf("%s: last checkpoint at %v, want %v (the last event's position)", phase, got, last)
	}
}
