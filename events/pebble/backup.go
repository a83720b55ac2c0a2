package pebble

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/empulse/empulse/events"
)

// Backup writes a consistent copy of the store into dir, which must not
// exist yet (its parent must), and returns the position of the last event in
// the copy. The copy is a store directory that Open accepts: a FORMAT file
// and pebble's files, without a LOCK.
//
// The copy holds every append acknowledged before Backup was called and
// nothing beyond the durable tip: appends wait while pebble makes the
// checkpoint (hard links to its tables and a copy of its write-ahead log,
// which Backup first shortens with a flush while appends go on), so the copy
// is taken between two group commits. Reads and subscriptions are not held.
//
// It returns events.ErrClosed, ctx's error, an error wrapping fs.ErrExist
// when dir exists, the error of an earlier failed write (the store accepts
// no appends after one either), or the file system's error; on error dir is
// removed.
func (s *Store) Backup(ctx context.Context, dir string) (events.Position, error) {
	if err := s.enter(ctx); err != nil {
		return events.Position{}, err
	}
	defer s.leave()
	// Tables are linked but the write-ahead log is copied, while appends
	// wait: flush the memtable first so that the log left to copy is short.
	if err := s.db.Flush(); err != nil {
		return events.Position{}, fmt.Errorf("event store: backup: flush: %w", err)
	}
	if err := layout.Create(dir); err != nil {
		return events.Position{}, fmt.Errorf("event store: backup: %w", err)
	}
	last, err := s.checkpoint(filepath.Join(dir, dataDir))
	if err != nil {
		os.RemoveAll(dir)
		return events.Position{}, fmt.Errorf("event store: backup: %w", err)
	}
	return pos(last), nil
}

// checkpoint makes pebble's checkpoint of the database in dir between two
// group commits, and returns the position of the last event it holds.
func (s *Store) checkpoint(dir string) (uint64, error) {
	s.writing.Lock()
	defer s.writing.Unlock()
	if s.failed != nil {
		return 0, s.failed
	}
	if err := s.db.Checkpoint(dir); err != nil {
		return 0, err
	}
	return s.last, nil
}
