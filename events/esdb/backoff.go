package esdb

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff computes jittered exponential delays.
type backoff struct {
	min, max time.Duration
	rand     func() float64
	after    func(time.Duration) <-chan time.Time
}

func newBackoff(o Options) backoff {
	b := backoff{min: o.RetryMin, max: o.RetryMax, rand: o.Rand, after: o.After}
	if b.min <= 0 {
		b.min = 50 * time.Millisecond
	}
	if b.max < b.min {
		b.max = max(5*time.Second, b.min)
	}
	if b.rand == nil {
		b.rand = rand.Float64
	}
	return b
}

// delay returns the wait before retry number attempt (1 for the first): a
// random duration in [d/2, d) where d = min(min * 2^(attempt-1), max).
func (b backoff) delay(attempt int) time.Duration {
	d := b.min
	for i := 1; i < attempt && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	return d/2 + time.Duration(b.rand()*float64(d/2))
}

// wait sleeps for delay(attempt) or until ctx is done, returning ctx's error.
func (b backoff) wait(ctx context.Context, attempt int) error {
	d := b.delay(attempt)
	var ch <-chan time.Time
	if b.after != nil {
		ch = b.after(d)
	} else {
		t := time.NewTimer(d)
		defer t.Stop()
		ch = t.C
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
