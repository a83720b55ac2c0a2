package live_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/empulse/empulse/web/live"
)

// fakeTimer hands every After request to the test, which fires it.
type fakeTimer struct {
	clock *fakeClock
	reqs  chan afterReq
}

type afterReq struct {
	d    time.Duration
	fire chan time.Time
}

func (f *fakeTimer) After(d time.Duration) <-chan time.Time {
	r := afterReq{d: d, fire: make(chan time.Time, 1)}
	f.reqs <- r
	return r.fire
}

// next returns the next After request.
func (f *fakeTimer) next(tb testing.TB) afterReq {
	tb.Helper()
	select {
	case r := <-f.reqs:
		return r
	case <-time.After(patience):
		tb.Fatal("no timer was asked for")
		return afterReq{}
	}
}

// startDebouncer runs a Debouncer on a fake clock; runs receives the
// fake time of every run.
func startDebouncer(tb testing.TB, beforeRun func(*live.Debouncer)) (*live.Debouncer, *fakeClock, *fakeTimer, chan time.Time, context.CancelFunc, chan error) {
	tb.Helper()
	clock := &fakeClock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	timer := &fakeTimer{clock: clock, reqs: make(chan afterReq, 10)}
	runs := make(chan time.Time, 100)
	d := live.NewDebouncer(live.DebounceConfig{Now: clock.Now, After: timer.After,
		Fn: func(context.Context) { runs <- clock.Now() }})
	if beforeRun != nil {
		beforeRun(d)
	}
	ctx, cancel := context.WithCancel(tb.Context())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(patience):
			tb.Error("Run did not return")
		}
	})
	return d, clock, timer, runs, cancel, done
}

// nextRun returns the fake time of the next run.
func nextRun(tb testing.TB, runs chan time.Time) time.Time {
	tb.Helper()
	select {
	case t := <-runs:
		return t
	case <-time.After(patience):
		tb.Fatal("no run")
		return time.Time{}
	}
}

func TestDebouncer_Coalesces(t *testing.T) {
	// Ten triggers before Run starts: one run, at once.
	d, clock, timer, runs, _, _ := startDebouncer(t, func(d *live.Debouncer) {
		for range 10 {
			d.Trigger()
		}
	})
	t0 := clock.Now()
	if got := nextRun(t, runs); !got.Equal(t0) {
		t.Fatalf("first run at %v, want %v", got, t0)
	}

	// A second later, a burst: Run waits the rest of the interval.
	clock.Advance(time.Second)
	d.Trigger()
	req := timer.next(t)
	if got, want := req.d, 4*time.Second; got != want {
		t.Fatalf("waits %v, want %v", got, want)
	}
	for range 5 { // more triggers while it waits
		d.Trigger()
	}
	if got := len(runs); got != 0 {
		t.Fatalf("runs while waiting=%d, want 0", got)
	}
	clock.Advance(4 * time.Second)
	req.fire <- clock.Now()
	if got, want := nextRun(t, runs), t0.Add(5*time.Second); !got.Equal(want) {
		t.Fatalf("second run at %v, want %v", got, want)
	}

	// The burst was served by that run: the next trigger waits a whole
	// interval, and no run came in between.
	d.Trigger()
	req = timer.next(t)
	if got, want := req.d, live.DefaultDebounce; got != want {
		t.Fatalf("waits %v, want %v", got, want)
	}
	if got := len(runs); got != 0 {
		t.Fatalf("extra runs=%d, want 0", got)
	}
	clock.Advance(live.DefaultDebounce)
	req.fire <- clock.Now()
	nextRun(t, runs)

	// After a quiet interval a trigger runs at once, without a timer.
	clock.Advance(time.Minute)
	d.Trigger()
	if got, want := nextRun(t, runs), clock.Now(); !got.Equal(want) {
		t.Fatalf("run at %v, want %v", got, want)
	}
	if got := len(timer.reqs); got != 0 {
		t.Fatalf("timers=%d, want 0", got)
	}
}

func TestDebouncer_CancelWhileWaiting(t *testing.T) {
	d, clock, timer, runs, cancel, done := startDebouncer(t, nil)
	d.Trigger()
	nextRun(t, runs)
	clock.Advance(time.Second)
	d.Trigger()
	timer.next(t) // waiting
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run=%v, want %v", err, context.Canceled)
		}
		done <- err // for the cleanup
	case <-time.After(patience):
		t.Fatal("Run did not return")
	}
	if got := len(runs); got != 0 {
		t.Fatalf("runs after cancel=%d, want 0", got)
	}
}
