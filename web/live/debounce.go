package live

import (
	"context"
	"time"
)

// DefaultDebounce is the shortest time between two recomputations of the
// correlation table.
const DefaultDebounce = 5 * time.Second

// DebounceConfig holds what a Debouncer needs.
type DebounceConfig struct {
	// Interval is the shortest time between the starts of two runs of
	// Fn; DefaultDebounce if 0.
	Interval time.Duration
	// Fn recomputes and publishes (the correlation table); required. It
	// runs in Run's goroutine, one call at a time.
	Fn func(ctx context.Context)
	// Now and After are the clock; time.Now and time.After if nil.
	Now   func() time.Time
	After func(d time.Duration) <-chan time.Time
}

// Debouncer runs a function at most once per interval however often it
// is triggered: triggers that arrive while it waits or runs are coalesced
// into one later run. The first trigger after a quiet interval runs at
// once.
type Debouncer struct {
	cfg  DebounceConfig
	kick chan struct{}
}

// NewDebouncer returns a Debouncer; Run starts it. It panics when Fn is
// nil.
func NewDebouncer(cfg DebounceConfig) *Debouncer {
	if cfg.Fn == nil {
		panic("live: DebounceConfig.Fn is required")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultDebounce
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.After == nil {
		cfg.After = time.After
	}
	return &Debouncer{cfg: cfg, kick: make(chan struct{}, 1)}
}

// Trigger asks for a run; it never blocks.
func (d *Debouncer) Trigger() {
	select {
	case d.kick <- struct{}{}:
	default: // a run is already pending
	}
}

// Run runs Fn for the triggers until ctx is done, then returns ctx's
// error. A trigger pending at that moment is dropped.
func (d *Debouncer) Run(ctx context.Context) error {
	var last time.Time
	ran := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-d.kick:
		}
		if ran {
			if wait := last.Add(d.cfg.Interval).Sub(d.cfg.Now()); wait > 0 {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-d.cfg.After(wait):
				}
			}
		}
		// Triggers that came while waiting are served by this run.
		select {
		case <-d.kick:
		default:
		}
		last, ran = d.cfg.Now(), true
		d.cfg.Fn(ctx)
	}
}
