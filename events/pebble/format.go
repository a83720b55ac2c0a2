package pebble

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/empulse/empulse/events"
)

// The directory layout of a store.
const (
	formatFile = "FORMAT" // names the layout version, checked before anything else is read
	lockFile   = "LOCK"   // held while a Store has the directory open
	dataDir    = "pebble" // pebble's own files
)

// formatLine is the whole content of formatFile for the layout this version
// writes and reads.
var formatLine = []byte("empulse-events 1\n")

// checkFormat accepts a directory whose FORMAT file names this version's
// layout, and initialises an empty directory. It refuses anything else
// without writing to it.
func checkFormat(dir string) error {
	got, err := os.ReadFile(filepath.Join(dir, formatFile))
	switch {
	case err == nil:
		if !bytes.Equal(got, formatLine) {
			return fmt.Errorf("%w: %s says %q, this version reads %q", events.ErrUnknownFormat,
				filepath.Join(dir, formatFile), bytes.TrimSpace(got), bytes.TrimSpace(formatLine))
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("event store: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	for _, e := range entries {
		if e.Name() != lockFile && !strings.HasPrefix(e.Name(), formatFile+".tmp") {
			return fmt.Errorf("%w: %s has no %s file but is not empty (found %s)",
				events.ErrUnknownFormat, dir, formatFile, e.Name())
		}
	}
	return writeFileSync(dir, formatFile, formatLine)
}

// writeFileSync writes name in dir atomically and durably: to a temporary
// file that is synced, renamed into place, and the directory synced.
func writeFileSync(dir, name string, data []byte) error {
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
