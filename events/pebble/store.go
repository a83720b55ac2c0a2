// Package pebble is Empulse's embedded event store: an events.Store kept in a
// local directory with github.com/cockroachdb/pebble/v2.
//
// Appends are group-committed: one goroutine takes every append waiting,
// checks their expected revisions, writes them as one atomic pebble batch and
// syncs the write-ahead log once for all of them. An append is acknowledged
// only after that sync, and readers and subscribers see events only up to the
// last synced position, so nothing is seen that a crash could take back.
package pebble

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	pdb "github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"

	"github.com/empulse/empulse/events"
)

var _ events.Store = (*Store)(nil)

// Options configure a Store. The zero value is ready to use.
type Options struct {
	// Now returns the time recorded on appended events; time.Now if nil.
	Now func() time.Time
	// Logger receives pebble's messages; slog.Default() if nil.
	Logger *slog.Logger
}

// Store is the embedded events.Store. It is safe for concurrent use.
type Store struct {
	db   *pdb.DB
	lock io.Closer
	now  func() time.Time
	log  *slog.Logger

	// mu guards closed. Appends and reads hold it shared, so Close (which
	// holds it exclusively) waits for them.
	mu     sync.RWMutex
	closed bool

	reqs      chan *appendReq // to the committer; closed by Close
	committed chan struct{}   // closed when the committer has exited
	done      chan struct{}   // closed by Close, after the committer exits
	subs      sync.WaitGroup  // running subscriptions
	tip       atomic.Pointer[tip]

	// writing is held by the committer while it writes a group, so that
	// Backup can wait for the group being written to be synced.
	writing sync.Mutex

	// Owned by the committer goroutine; Backup reads failed holding
	// writing.
	last   uint64            // position of the last event written
	heads  map[string]uint64 // cache: last revision of recently written streams
	failed error             // set after a failed write; every later append gets it
}

// tip is the last durable position of the log, with a channel closed when
// it moves on.
type tip struct {
	pos     uint64
	changed chan struct{}
}

// Open opens the store in dir, creating it if needed, and returns it.
//
// It returns an error wrapping events.ErrLocked when another process (or
// another Store in this process) has dir open, and events.ErrUnknownFormat
// when dir holds data in a format this version does not know; such data is
// left untouched.
func Open(dir string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	dir, lock, err := layout.Open(dir)
	if err != nil {
		return nil, err
	}
	s, err := open(dir, lock, opts)
	if err != nil {
		lock.Close()
		return nil, err
	}
	return s, nil
}

func open(dir string, lock io.Closer, opts Options) (*Store, error) {
	db, err := pdb.Open(filepath.Join(dir, dataDir), pebbleOptions(opts.Logger))
	if err != nil {
		return nil, fmt.Errorf("event store: open %s: %w", dir, err)
	}
	s := &Store{
		db:        db,
		lock:      lock,
		now:       opts.Now,
		log:       opts.Logger,
		reqs:      make(chan *appendReq, 1024),
		committed: make(chan struct{}),
		done:      make(chan struct{}),
		heads:     make(map[string]uint64),
	}
	if s.last, err = lastPosition(db); err != nil {
		db.Close()
		return nil, err
	}
	s.tip.Store(&tip{pos: s.last, changed: make(chan struct{})})
	go s.commitLoop()
	return s, nil
}

func pebbleOptions(log *slog.Logger) *pdb.Options {
	o := &pdb.Options{
		// Pinned, so that a newer pebble never silently upgrades the files.
		FormatMajorVersion: pdb.FormatValueSeparation,
		MemTableSize:       64 << 20,
		CacheSize:          64 << 20,
		Logger:             pebbleLogger{log},
	}
	for i := range o.Levels {
		// Replays read the log in order: large blocks mean fewer reads.
		o.Levels[i].BlockSize = 32 << 10
		// Appends look up stream heads and event IDs that mostly do not
		// exist; bloom filters answer those without reading blocks.
		o.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	o.EnsureDefaults()
	return o
}

// lastPosition returns the position of the last event in db, or 0.
func lastPosition(db *pdb.DB) (uint64, error) {
	it, err := db.NewIter(&pdb.IterOptions{
		LowerBound: []byte{prefixGlobal},
		UpperBound: []byte{prefixGlobal + 1},
	})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	if !it.Last() {
		return 0, it.Error()
	}
	return globalKeyPos(it.Key()), nil
}

// Close stops the store. Appends already taken are finished and
// acknowledged first; later calls return events.ErrClosed and subscriptions
// end with it.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.reqs)
	s.mu.Unlock()

	<-s.committed
	close(s.done)
	s.subs.Wait()
	err := s.db.Close()
	if lerr := s.lock.Close(); err == nil {
		err = lerr
	}
	return err
}

// durable returns the current tip.
func (s *Store) durable() *tip { return s.tip.Load() }

// advance publishes pos as the new durable tip and wakes the subscribers.
func (s *Store) advance(pos uint64) {
	old := s.tip.Swap(&tip{pos: pos, changed: make(chan struct{})})
	close(old.changed)
}

// enter takes the shared lock for an operation, or returns ErrClosed.
func (s *Store) enter(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return events.ErrClosed
	}
	return nil
}

func (s *Store) leave() { s.mu.RUnlock() }

// pebbleLogger sends pebble's messages to slog.
type pebbleLogger struct{ log *slog.Logger }

func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

func (l pebbleLogger) Fatalf(format string, args ...any) {
	l.log.Error(fmt.Sprintf(format, args...), "component", "pebble")
	os.Exit(1)
}
