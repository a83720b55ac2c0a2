package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/internal/datadir"
)

// Config holds what a Runner needs.
type Config struct {
	// Store is the event store whose global log is folded; required.
	Store events.Store
	// Dir is the directory of the projection database (<data>/projections
	// in serve); "" keeps it in memory, for tests.
	Dir string
	// Logger receives errors of the subscription; nothing is logged if nil.
	Logger *slog.Logger
	// SaveEvery is how many events are folded between saves while catching
	// up; 65536 if 0. Once live, every change is saved as it is folded.
	SaveEvery int
	// Now is the clock, for default periods and for the end of a week,
	// when figures held back from a week's last answers may be shown (see
	// release.go); time.Now if nil.
	Now func() time.Time
	// Shuffle shuffles the comments shown; math/rand/v2's Shuffle if nil.
	Shuffle func(n int, swap func(i, j int))
	// OpenComment opens a comment sealed by the respondent with the given
	// pseudonym under the pii context aad (serve uses the vault's KeyOf and
	// pii.Open). An error with the apperr code NotFound (an erased member)
	// leaves the comment out; any other error fails the query. When nil,
	// comments are never shown (the list is empty).
	OpenComment func(ctx context.Context, pseudonym string, sealed []byte, aad string) (string, error)
	// RetryDelay is the first pause before resubscribing after the
	// subscription fails (doubling to at most 30 s); 1 s if 0.
	RetryDelay time.Duration
	// Changed, when set, is called once the live projection has folded and
	// saved a change, with the team-weeks whose figures it changed: every
	// team whose own cell changed and every team above it, whose roll-ups
	// include it. It is not called for what is folded while catching up
	// (nobody watched that happen). It runs in the folding goroutine, so it
	// must return quickly and must not call the Runner's queries.
	Changed func(changes []Change)
}

// Change names a team-week whose figures changed.
type Change struct {
	Team string
	Week Week
}

// Runner keeps the team-score projection: it follows the global log,
// folds it into its state, saves state and checkpoint together, and
// answers queries on the state with anonymity enforced (see query.go).
// It is safe for concurrent use.
type Runner struct {
	cfg   Config
	store events.Store
	db    *db
	log   *slog.Logger

	// mu guards st and pos: the run goroutine writes, queries read.
	mu  sync.RWMutex
	st  *state
	pos events.Position // folded through

	// caughtUp is true while the subscription is live: it has delivered
	// everything written before it started.
	caughtUp atomic.Bool

	// waitMu guards moved, closed when pos moves and someone waits.
	waitMu  sync.Mutex
	moved   chan struct{}
	waiting bool

	cacheMu sync.Mutex
	cache   map[Week]*weekView
	tree    *tree

	// show is what the queries read of a cell: (*cell).shown; tests swap
	// it for the live sums to show the attack that releases prevent.
	show func(c *cell, ended bool) cell

	stopMu sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	closed bool
}

// Open opens the projection in cfg.Dir and loads its saved state and
// checkpoint; Start then follows the log from there. It returns an error
// wrapping ErrLocked, ErrUnknownFormat, or pebble's error.
func Open(cfg Config) (*Runner, error) {
	if cfg.Store == nil {
		return nil, errors.New("projections: Config.Store is nil")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SaveEvery <= 0 {
		cfg.SaveEvery = 1 << 16
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Shuffle == nil {
		cfg.Shuffle = rand.Shuffle
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = time.Second
	}
	d, err := openDB(cfg.Dir, cfg.Logger)
	if err != nil {
		return nil, err
	}
	st, pos, err := d.load()
	if err != nil {
		d.close()
		return nil, err
	}
	return &Runner{cfg: cfg, store: cfg.Store, db: d, log: cfg.Logger, st: st, pos: pos,
		moved: make(chan struct{}), cache: map[Week]*weekView{}, show: (*cell).shown}, nil
}

// Position returns the position of the global log the projection has
// folded through.
func (r *Runner) Position() events.Position {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.pos
}

// CaughtUp reports whether the projection is following the log live: it
// has folded everything written before its subscription began. It is
// false before Start, while catching up, and while resubscribing.
func (r *Runner) CaughtUp() bool { return r.caughtUp.Load() }

// Start follows the log in a goroutine until ctx is done or Stop is
// called, resubscribing with backoff when the subscription fails.
func (r *Runner) Start(ctx context.Context) {
	r.stopMu.Lock()
	defer r.stopMu.Unlock()
	if r.cancel != nil || r.closed {
		return
	}
	ctx, r.cancel = context.WithCancel(ctx)
	r.done = make(chan struct{})
	go func() {
		defer close(r.done)
		delay := r.cfg.RetryDelay
		for {
			err := r.follow(ctx, false)
			if ctx.Err() != nil {
				return
			}
			r.log.Warn("projection subscription ended; resubscribing", "err", err, "in", delay)
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			delay = min(2*delay, 30*time.Second)
		}
	}()
}

// Stop ends the goroutine Start began, saves the state (synced) and closes
// the database. Queries and WaitFor fail afterwards. It returns the save's
// or the close's error.
func (r *Runner) Stop() error {
	r.stopMu.Lock()
	defer r.stopMu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	if r.cancel != nil {
		r.cancel()
		<-r.done
	}
	r.mu.RLock()
	pos := r.pos
	r.mu.RUnlock()
	err := r.db.save(r.st, pos, true)
	r.notify()
	return errors.Join(err, r.db.close())
}

// CatchUp folds the log up to its head as of the call, saves, and returns
// the position reached. It must not run while Start's goroutine does.
func (r *Runner) CatchUp(ctx context.Context) (events.Position, error) {
	if err := r.follow(ctx, true); err != nil {
		return events.Start, err
	}
	return r.Position(), nil
}

// follow subscribes from the folded position and folds what arrives;
// with untilCaughtUp it returns once caught up, else when ctx is done or
// the subscription fails.
func (r *Runner) follow(ctx context.Context, untilCaughtUp bool) error {
	sub, err := r.store.Subscribe(ctx, r.Position(), Filter)
	if err != nil {
		return err
	}
	defer sub.Close()
	defer r.caughtUp.Store(false)
	live, pending := false, 0
	for {
		m, err := sub.Recv(ctx)
		if err != nil {
			if pending > 0 {
				err = errors.Join(err, r.save(false))
			}
			return err
		}
		r.mu.Lock()
		if m.Kind == events.EventMessage {
			r.st.apply(&m.Event)
			pending++
		}
		if r.pos.Less(m.Position) {
			r.pos = m.Position
		}
		r.mu.Unlock()
		wasLive := live
		if m.Kind == events.CaughtUpMessage {
			live = true
			r.caughtUp.Store(true)
		}
		if (live && r.st.dirty() > 0) || pending >= r.cfg.SaveEvery || (m.Kind == events.CaughtUpMessage && pending > 0) {
			var changes []Change
			if wasLive && r.cfg.Changed != nil {
				changes = r.st.changes()
			}
			if err := r.save(false); err != nil {
				return err
			}
			pending = 0
			if len(changes) > 0 {
				r.cfg.Changed(changes)
			}
		}
		r.notify()
		if untilCaughtUp && live {
			return r.save(true)
		}
	}
}

// save writes the changed state with the folded position. Only the
// folding goroutine changes the state, so it reads it without the lock.
func (r *Runner) save(sync bool) error {
	r.mu.RLock()
	pos := r.pos
	r.mu.RUnlock()
	return r.db.save(r.st, pos, sync)
}

// notify wakes the WaitFor calls, if any.
func (r *Runner) notify() {
	r.waitMu.Lock()
	if r.waiting {
		close(r.moved)
		r.moved = make(chan struct{})
		r.waiting = false
	}
	r.waitMu.Unlock()
}

// ErrStopped is returned by WaitFor and the queries after Stop.
var ErrStopped = apperr.New(apperr.Unavailable, "projections stopped")

// WaitFor waits until the projection has folded the log through pos (the
// position of an append) so that queries reflect it. It returns nil then,
// ctx's error when ctx ends first (a caller bounds the wait with a
// deadline), or ErrStopped.
func (r *Runner) WaitFor(ctx context.Context, pos events.Position) error {
	for {
		r.waitMu.Lock()
		ch := r.moved
		r.waiting = true
		r.waitMu.Unlock()
		if !r.Position().Less(pos) {
			return nil
		}
		r.stopMu.Lock()
		closed := r.closed
		r.stopMu.Unlock()
		if closed {
			return ErrStopped
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// Rebuild deletes the projection in cfg.Dir and folds the whole log again
// from position 0 up to its head; it returns the position reached. A
// directory written by another version of the projections (its FORMAT
// names "empulse-projections" with another number) is removed first: it
// holds only what the log can give again. It needs the directory for
// itself (ErrLocked otherwise) and refuses, untouched, a directory of any
// other format (ErrUnknownFormat).
func Rebuild(ctx context.Context, cfg Config) (events.Position, error) {
	if err := removeOtherVersion(cfg.Dir); err != nil {
		return events.Start, err
	}
	r, err := Open(cfg)
	if err != nil {
		return events.Start, err
	}
	if err := r.db.reset(); err != nil {
		r.db.close()
		return events.Start, fmt.Errorf("projections: reset: %w", err)
	}
	r.st, r.pos = newState(), events.Start
	pos, err := r.CatchUp(ctx)
	return pos, errors.Join(err, r.Stop())
}

// removeOtherVersion empties dir, under its lock, when its FORMAT is that
// of another version of the projections. It leaves every other directory
// alone, and returns ErrLocked when another process holds dir.
func removeOtherVersion(dir string) error {
	if dir == "" {
		return nil
	}
	got, err := os.ReadFile(filepath.Join(dir, datadir.FormatFile))
	if err != nil || string(got) == layout.Format || !strings.HasPrefix(string(got), "empulse-projections ") {
		return nil // absent, current or foreign: Open decides
	}
	lock, err := vfs.Default.Lock(filepath.Join(dir, datadir.LockFile))
	if err != nil {
		return fmt.Errorf("%w: %s (%v)", ErrLocked, dir, err)
	}
	defer lock.Close()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == datadir.LockFile {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("projections: remove the %s version: %w", strings.TrimSpace(string(got)), err)
		}
	}
	return nil
}
