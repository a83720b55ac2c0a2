package api

import (
	"strconv"
	"testing"
	"time"
)

// TestLimiter checks the token bucket: a key gets its burst, then a token
// per 1/rate seconds, and keys do not share buckets.
func TestLimiter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	l := newLimiter(RateLimit{PerSecond: 2, Burst: 3}, func() time.Time { return now })
	tests := []struct {
		key     string
		advance time.Duration
		want    bool
	}{
		{"a", 0, true}, {"a", 0, true}, {"a", 0, true},
		{"a", 0, false},                      // burst spent
		{"b", 0, true},                       // another key has its own bucket
		{"a", 499 * time.Millisecond, false}, // not yet a whole token back
		{"a", time.Millisecond, true},        // 0.5 s at 2 per second
		{"a", 0, false},
	}
	for i, tt := range tests {
		now = now.Add(tt.advance)
		if got := l.allow(tt.key); got != tt.want {
			t.Errorf("step %d: allow(%q)=%v, want %v", i, tt.key, got, tt.want)
		}
	}
}

// TestLimiter_Bounded checks that made-up tokens cannot grow the limiter
// without bound, even when they arrive faster than buckets refill.
func TestLimiter_Bounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	l := newLimiter(RateLimit{}, func() time.Time { return now })
	for i := range 5 * maxBuckets {
		l.allow("made-up-" + strconv.Itoa(i))
		if n := len(l.buckets); n > maxBuckets {
			t.Fatalf("after %d keys: %d buckets, want at most %d", i+1, n, maxBuckets)
		}
	}
}
