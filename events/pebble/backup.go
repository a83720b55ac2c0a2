package pebble

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	pdb "github.com/cockroachdb/pebble/v2"

	"github.com/empulse/empulse/events"
)

// Backup writes a consistent copy of the store into dir, which must not
// exist yet (its parent must), and returns the position of the last event in
// the copy. The copy is a store directory that Open accepts: a FORMAT file
// and pebble's files, without a LOCK.
//
// The copy is pebble's checkpoint (its tables hard-linked, its write-ahead
// log copied, after a flush that keeps that log short), made while appends
// go on. It holds a prefix of the log, whole groups only, that includes
// every append acknowledged before Backup was called. Its last group may
// have been written but not yet synced when the log was copied, so Backup
// then waits for the group being committed to be synced: the copy holds
// nothing beyond the durable tip. Appends and reads are never held.
//
// It returns events.ErrClosed, ctx's error, an error wrapping fs.ErrExist
// when dir exists, the error of a failed write (after which the store
// accepts no appends either), or the file system's error; on error dir is
// removed.
func (s *Store) Backup(ctx context.Context, dir string) (events.Position, error) {
	if err := s.enter(ctx); err != nil {
		return events.Position{}, err
	}
	defer s.leave()
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

// checkpoint makes pebble's checkpoint of the database in dir, waits until
// everything in it is durable, and returns the position of its last event.
func (s *Store) checkpoint(dir string) (uint64, error) {
	if err := s.db.Checkpoint(dir); err != nil {
		return 0, err
	}
	if err := s.settle(); err != nil {
		return 0, err
	}
	return headOf(dir, s.log)
}

// settle waits until the group the committer is writing, if any, has been
// synced, so that every group written before the call is durable, and
// returns the error of a failed write, whose group may be half known to
// pebble.
func (s *Store) settle() error {
	s.writing.Lock()
	defer s.writing.Unlock()
	return s.failed
}

// headOf returns the position of the last event in the pebble database in
// dir, which it opens read-only: its write-ahead log is replayed in memory
// and its files are left as they are.
func headOf(dir string, log *slog.Logger) (uint64, error) {
	o := pebbleOptions(log)
	o.ReadOnly = true
	db, err := pdb.Open(dir, o)
	if err != nil {
		return 0, err
	}
	last, err := lastPosition(db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return last, err
}
