// Package datadir guards the directories Empulse keeps its local databases
// in (the embedded event store, the vault, the projections): one process at
// a time, holding a LOCK file, and a FORMAT file naming the layout, read
// before anything else so that data in an unknown format is refused and
// never rewritten.
package datadir

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// The files every data directory has.
const (
	FormatFile = "FORMAT" // the layout version
	LockFile   = "LOCK"   // held while a process has the directory open
)

// Layout describes one kind of data directory.
type Layout struct {
	// Format is the whole content of the FORMAT file, for example
	// "empulse-events 1\n".
	Format string
	// ErrLocked and ErrUnknownFormat are the caller's own sentinel errors,
	// which Open wraps so that callers need no translation.
	ErrLocked        error
	ErrUnknownFormat error
}

// Open creates dir if needed (mode 0700), takes its lock, and checks its
// FORMAT file, writing it durably into an empty directory. It returns the
// absolute path of dir and the lock, which the caller releases with Close.
//
// It returns an error wrapping l.ErrLocked when another process (or another
// Open in this one) holds dir, and l.ErrUnknownFormat when FORMAT names
// another layout or dir holds files but no FORMAT; dir is then left as it
// was.
func (l Layout) Open(dir string) (string, io.Closer, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, err
	}
	lock, err := vfs.Default.Lock(filepath.Join(dir, LockFile))
	if err != nil {
		return "", nil, fmt.Errorf("%w: %s (%v)", l.ErrLocked, dir, err)
	}
	if err := l.check(dir); err != nil {
		lock.Close()
		return "", nil, err
	}
	return dir, lock, nil
}

// Create makes dir, which must not exist yet (its parent must), a new
// directory of layout l holding only its FORMAT file, written durably: the
// start of a copy of a data directory, such as a backup's. It returns an
// error wrapping fs.ErrExist when dir exists.
func (l Layout) Create(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	if err := WriteFileSync(dir, FormatFile, []byte(l.Format)); err != nil {
		os.RemoveAll(dir)
		return err
	}
	return nil
}

// check accepts a directory whose FORMAT is l.Format and initialises an
// empty one; it refuses anything else without writing to it.
func (l Layout) check(dir string) error {
	path := filepath.Join(dir, FormatFile)
	got, err := os.ReadFile(path)
	switch {
	case err == nil:
		if string(got) != l.Format {
			return fmt.Errorf("%w: %s says %q, this version reads %q", l.ErrUnknownFormat,
				path, bytes.TrimSpace(got), strings.TrimSpace(l.Format))
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		// A FORMAT.tmp* file is a first start cut short before its rename.
		if e.Name() != LockFile && !strings.HasPrefix(e.Name(), FormatFile+".tmp") {
			return fmt.Errorf("%w: %s has no %s file but is not empty (found %s)",
				l.ErrUnknownFormat, dir, FormatFile, e.Name())
		}
	}
	return WriteFileSync(dir, FormatFile, []byte(l.Format))
}

// WriteFileSync writes name in dir atomically and durably: to a temporary
// file that is synced, renamed into place, and the directory synced.
func WriteFileSync(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
