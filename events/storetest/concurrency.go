package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/empulse/empulse/events"
)

// testConcurrency checks appends and subscriptions under concurrent writers.
func testConcurrency(t *testing.T, open opener) {
	t.Run("OneStream", func(t *testing.T) { testOneStream(t, open(t)) })
	t.Run("ManyStreams", func(t *testing.T) { testManyStreams(t, open(t)) })
	t.Run("SimultaneousRetries", func(t *testing.T) { testSimultaneousRetries(t, open(t)) })
	t.Run("SlowSubscriber", func(t *testing.T) { testSlowSubscriber(t, open(t)) })
	t.Run("CatchUpWhileWriting", func(t *testing.T) { testCatchUpWhileWriting(t, open(t)) })
}

// writers is the number of concurrent writers of every concurrent test.
const writers = 32

// appendRecord is one acknowledged append of a concurrent test.
type appendRecord struct {
	stream string
	ps     []events.Proposed
	res    events.AppendResult
	// started and acked are readings of a clock that every acknowledgement
	// advances: started before the first attempt, acked after success. An
	// append with acked <= another's started was acknowledged before the
	// other began.
	started, acked int64
}

// appendFunc makes append i of writer w and returns its stream, events and
// result.
type appendFunc func(w, i int) (string, []events.Proposed, events.AppendResult, error)

// runWriters runs writers goroutines, each making appends appends with fn
// one after another, and returns the records of the acknowledged ones.
func runWriters(appends int, fn appendFunc) ([]appendRecord, error) {
	var clock atomic.Int64
	recs := make([][]appendRecord, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range appends {
				started := clock.Load()
				stream, ps, res, err := fn(w, i)
				if err != nil {
					errs[w] = fmt.Errorf("writer %d, append %d to %q: %w", w, i, stream, err)
					return
				}
				recs[w] = append(recs[w], appendRecord{stream: stream, ps: ps, res: res, started: started, acked: clock.Add(1)})
			}
		})
	}
	wg.Wait()
	return slices.Concat(recs...), errors.Join(errs...)
}

// appendAny returns an appendFunc that appends events of a size and to a
// stream chosen by w and i with expectation Any, and counts the events
// written.
func appendAny(ctx context.Context, s events.Store, streams int, size func(w, i int) int, written *atomic.Int64) appendFunc {
	return func(w, i int) (string, []events.Proposed, events.AppendResult, error) {
		stream := fmt.Sprintf("concurrent-%d", (w*7+i)%streams)
		ps := proposals(size(w, i), "Concurrent")
		res, err := s.Append(ctx, stream, events.Any(), ps...)
		if err == nil && written != nil {
			written.Add(int64(len(ps)))
		}
		return stream, ps, res, err
	}
}

// testOneStream runs writers that all append to one stream with exact
// expectations, each reading the current revision and retrying after a
// conflict, and checks that every revision has exactly one winner and that
// the stream ends with all events, without gaps.
func testOneStream(t *testing.T, s events.Store) {
	ctx := testContext(t)
	const stream, appends, per = "contended", 4, 2
	var conflicts atomic.Int64
	recs, err := runWriters(appends, func(w, i int) (string, []events.Proposed, events.AppendResult, error) {
		ps := proposals(per, "Contended")
		for {
			expected := events.NoStream()
			last, err := s.ReadStream(ctx, stream, events.Backwards, events.EndRevision, 1)
			switch {
			case errors.Is(err, events.ErrStreamNotFound):
			case err != nil:
				return stream, ps, events.AppendResult{}, fmt.Errorf("ReadStream: %w", err)
			case len(last) != 1:
				return stream, ps, events.AppendResult{}, fmt.Errorf("ReadStream backwards with limit 1 returned %d events", len(last))
			default:
				expected = events.Revision(last[0].Revision)
			}
			res, err := s.Append(ctx, stream, expected, ps...)
			var ce *events.ConflictError
			switch {
			case err == nil:
				// The append that expected revision r wins r+1 onwards.
				want := uint64(per - 1)
				if r, ok := expected.Exact(); ok {
					want = r + per
				}
				if res.Revision != want {
					return stream, ps, res, fmt.Errorf("append with expected %v succeeded at revision %d, want %d", expected, res.Revision, want)
				}
				return stream, ps, res, nil
			case !errors.As(err, &ce):
				return stream, ps, res, err
			case !laterRevision(ce.Actual, expected):
				// The stream only grows, so the actual revision lies after
				// the one just read.
				return stream, ps, res, fmt.Errorf("conflict with expected %v reports actual %v", expected, ce.Actual)
			}
			conflicts.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	const total = writers * appends * per
	winners := make([]int, total)
	for i, rec := range recs {
		if rec.res.Revision >= total {
			t.Fatalf("an append got revision %d, want below %d", rec.res.Revision, total)
		}
		for r := rec.res.Revision + 1 - per; r <= rec.res.Revision; r++ {
			if winners[r] != 0 {
				t.Fatalf("revision %d won by appends %d and %d", r, winners[r]-1, i)
			}
			winners[r] = i + 1
		}
	}
	if i := slices.Index(winners, 0); i >= 0 {
		t.Fatalf("no append won revision %d", i)
	}
	got := readStream(t, ctx, s, stream)
	if len(got) != total {
		t.Fatalf("stream has %d events, want %d", len(got), total)
	}
	for _, rec := range recs {
		first := rec.res.Revision + 1 - per
		requireEvents(t, fmt.Sprintf("revisions %d to %d", first, rec.res.Revision),
			got[first:rec.res.Revision+1], expect(stream, first, rec.ps))
	}
	checkLog(t, s, recs)
	t.Logf("%d conflicts retried", conflicts.Load())
}

// laterRevision reports whether actual names an existing stream revision
// after the one that expected names (NoStream: before revision 0).
func laterRevision(actual, expected events.ExpectedRevision) bool {
	a, ok := actual.Exact()
	if !ok {
		return false
	}
	e, ok := expected.Exact()
	return !ok || a > e
}

// testManyStreams runs writers that append batches of one to four events to
// twelve streams and checks that the global log holds every event once, in
// an order that agrees with every acknowledgement (see checkLog).
func testManyStreams(t *testing.T, s events.Store) {
	ctx := testContext(t)
	recs, err := runWriters(8, appendAny(ctx, s, 12, func(w, i int) int { return 1 + (w+i)%4 }, nil))
	if err != nil {
		t.Fatal(err)
	}
	checkLog(t, s, recs)
}

// testSimultaneousRetries has writers make the same append at the same time,
// as a client does that retries before its first attempt returns. The appends
// take effect one after another, so every one after the first is a retry: all
// must succeed with the same result, and the events are written once.
func testSimultaneousRetries(t *testing.T, s events.Store) {
	ctx := testContext(t)
	mustAppend(t, ctx, s, "simultaneous-existing", events.NoStream(), proposals(2, "Before")...)
	cases := []struct {
		name, stream string
		expected     events.ExpectedRevision
	}{
		{"NoStream", "simultaneous-new", events.NoStream()},
		{"Revision", "simultaneous-existing", events.Revision(1)},
		{"Any", "simultaneous-any", events.Any()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := readStream(t, ctx, s, c.stream)
			ps := proposals(3, "Simultaneous")
			results := make([]events.AppendResult, writers)
			errs := make([]error, writers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					<-start
					results[w], errs[w] = s.Append(ctx, c.stream, c.expected, ps...)
				})
			}
			close(start)
			wg.Wait()
			for w := range writers {
				if errs[w] != nil {
					t.Fatalf("attempt %d of %d identical appends with expected %v: %v", w, writers, c.expected, errs[w])
				}
				if results[w] != results[0] {
					t.Fatalf("attempt %d: result=%+v, want %+v like attempt 0", w, results[w], results[0])
				}
			}
			if want := uint64(len(before) + len(ps) - 1); results[0].Revision != want {
				t.Fatalf("revision=%d, want %d", results[0].Revision, want)
			}
			want := append(before, expect(c.stream, uint64(len(before)), ps)...)
			want[len(want)-1].Position = results[0].Position
			requireEvents(t, "ReadStream", readStream(t, ctx, s, c.stream), want)
		})
	}
}

// testSlowSubscriber subscribes, does not read while writers append a few
// thousand events (which must finish: a subscriber that does not read never
// blocks writers), and then reads: every event must arrive once, in commit
// order.
func testSlowSubscriber(t *testing.T, s events.Store) {
	ctx := testContext(t)
	mustAppend(t, ctx, s, "before", events.NoStream(), proposals(3, "Before")...)
	r := subscribe(t, ctx, s, events.Start, events.Filter{})
	done := make(chan error, 1)
	go func() {
		_, err := runWriters(10, appendAny(ctx, s, 8, func(w, i int) int { return 10 }, nil))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatalf("writers still not done after %v while a subscriber was not reading: a slow subscriber must never block writers", timeout)
	}
	all := readAll(t, ctx, s)
	requireEvents(t, "slow subscriber", r.mustCollect(t, ctx, len(all)), all)
}

// testCatchUpWhileWriting subscribes while writers are running, one
// subscriber reading at once and one only after the writers finish, and
// checks that both receive every event once, in commit order, across the
// switch from catch-up to live.
func testCatchUpWhileWriting(t *testing.T, s events.Store) {
	ctx := testContext(t)
	const appends, per = 8, 5
	const total = writers * appends * per
	var written atomic.Int64
	quarter, half := make(chan struct{}), make(chan struct{})
	var quarterOnce, halfOnce sync.Once
	write := appendAny(ctx, s, 8, func(w, i int) int { return per }, &written)
	done := make(chan error, 1)
	go func() {
		_, err := runWriters(appends, func(w, i int) (string, []events.Proposed, events.AppendResult, error) {
			stream, ps, res, err := write(w, i)
			if n := written.Load(); n >= total/4 {
				quarterOnce.Do(func() { close(quarter) })
				if n >= total/2 {
					halfOnce.Do(func() { close(half) })
				}
			}
			return stream, ps, res, err
		})
		quarterOnce.Do(func() { close(quarter) })
		halfOnce.Do(func() { close(half) })
		done <- err
	}()
	<-quarter
	early := subscribe(t, ctx, s, events.Start, events.Filter{})
	<-half
	late := subscribe(t, ctx, s, events.Start, events.Filter{})
	got, readErr := early.collect(ctx, total)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if readErr != nil {
		t.Fatalf("subscriber reading while writers ran: %v", readErr)
	}
	all := readAll(t, ctx, s)
	requireEvents(t, "subscriber reading while writers ran", got, all)
	requireEvents(t, "subscriber reading after writers finished", late.mustCollect(t, ctx, total), all)
}
