package pebble

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/empulse/empulse/vault"
)

// The directory layout of a vault.
const (
	formatFile = "FORMAT" // names the layout version, checked before anything else is read
	lockFile   = "LOCK"   // held while a Vault has the directory open
	dataDir    = "pebble" // pebble's own files
)

// formatLine is the whole content of formatFile for this layout.
var formatLine = []byte("empulse-vault 1\n")

// checkFormat accepts a directory whose FORMAT names this layout and
// initialises an empty one; it refuses anything else without writing to it.
func checkFormat(dir string) error {
	got, err := os.ReadFile(filepath.Join(dir, formatFile))
	switch {
	case err == nil:
		if !bytes.Equal(got, formatLine) {
			return fmt.Errorf("%w: %s says %q, this version reads %q", vault.ErrUnknownFormat,
				filepath.Join(dir, formatFile), bytes.TrimSpace(got), bytes.TrimSpace(formatLine))
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("vault: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	for _, e := range entries {
		if e.Name() != lockFile && !strings.HasPrefix(e.Name(), formatFile+".tmp") {
			return fmt.Errorf("%w: %s has no %s file but is not empty (found %s)",
				vault.ErrUnknownFormat, dir, formatFile, e.Name())
		}
	}
	return writeFileSync(dir, formatFile, formatLine)
}

// writeFileSync writes name in dir atomically and durably.
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
