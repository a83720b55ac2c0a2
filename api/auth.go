package api

import (
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/apperr"
)

// principalKey is the gin context key of the request's app.Principal.
const principalKey = "empulse.principal"

// principalOf returns the principal that authenticate stored in c.
func principalOf(c *gin.Context) app.Principal {
	p, _ := c.Get(principalKey)
	pr, _ := p.(app.Principal)
	return pr
}

// authenticate requires "Authorization: Bearer <token>", counts the request
// against the token's rate limit, and stores the token's principal in c. It
// answers 401 for a missing or unknown token and 429 when the token is over
// its limit.
func (h *handlers) authenticate(c *gin.Context) {
	const prefix = "Bearer "
	header := c.GetHeader("Authorization")
	if len(header) <= len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		c.Header("WWW-Authenticate", `Bearer realm="empulse"`)
		writeError(c, &apperr.Error{Code: apperr.Unauthenticated, Field: "Authorization", Message: "missing bearer token"})
		return
	}
	token := strings.TrimSpace(header[len(prefix):])
	if !h.limiter.allow(app.HashToken(token)) {
		c.Header("Retry-After", "1")
		writeError(c, apperr.New(apperr.RateLimited, "too many requests for this token; try again shortly"))
		return
	}
	p, err := h.app.Authenticate(c.Request.Context(), token)
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="empulse", error="invalid_token"`)
		writeError(c, err)
		return
	}
	c.Set(principalKey, p)
	c.Next()
}

// RateLimit configures the per-token rate limit: a token bucket of Burst
// requests refilled at PerSecond. The zero value means 20 per second with a
// burst of 40.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// limiter is a token bucket per key, safe for concurrent use.
type limiter struct {
	mu      sync.Mutex
	now     func() time.Time
	rate    float64
	burst   float64
	buckets map[string]*bucket
}

// bucket is one key's tokens at a time.
type bucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds the limiter's memory, whatever number of tokens
// callers make up: beyond it, the limiter prunes down to pruneTo buckets,
// first by forgetting full buckets (a full bucket is the state of a new key
// anyway), then any. Pruning well below the bound makes its cost, a pass
// over the buckets, come at most once per maxBuckets-pruneTo new keys.
const (
	maxBuckets = 10000
	pruneTo    = maxBuckets * 9 / 10
)

// newLimiter returns a limiter for rl using the clock now.
func newLimiter(rl RateLimit, now func() time.Time) *limiter {
	if rl.PerSecond <= 0 {
		rl.PerSecond = 20
	}
	if rl.Burst <= 0 {
		rl.Burst = 40
	}
	return &limiter{now: now, rate: rl.PerSecond, burst: float64(rl.Burst), buckets: map[string]*bucket{}}
}

// allow takes one token from key's bucket and reports whether there was one.
func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.at).Seconds(); elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+elapsed*l.rate)
		b.at = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// prune forgets the buckets that would be full at now, and then, while
// more than pruneTo remain, any others.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) <= pruneTo {
			break
		}
		delete(l.buckets, k)
	}
}
