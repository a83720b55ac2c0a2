package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Restore reads the archive from r, gzip-compressed or not, into dir, the
// data directory to restore, which must be missing or empty. It extracts
// the archive into a temporary directory beside dir, checking every file
// against the manifest and syncing it, calls check (which may open the
// copies, found in its dir argument, to prove that they work), and only
// then renames the temporary directory to dir. So dir is either restored
// whole or left as it was. It returns the manifest.
//
// It returns an error wrapping ErrNotEmpty when dir holds files,
// ErrCorrupt or ErrUnknownFormat for an archive it refuses, check's error,
// ctx's, r's or the file system's.
func Restore(ctx context.Context, r io.Reader, dir string, check func(ctx context.Context, dir string, m Manifest) error) (Manifest, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return Manifest{}, err
	}
	if err := empty(dir); err != nil {
		return Manifest{}, err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return Manifest{}, fmt.Errorf("backup: restore: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".restore-*")
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: restore: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	x := extractor{root: tmp, dirs: []string{tmp}}
	m, err := read(ctx, r, x.file)
	if err != nil {
		return Manifest{}, err
	}
	if err := x.syncDirs(); err != nil {
		return Manifest{}, fmt.Errorf("backup: restore: %w", err)
	}
	if err := check(ctx, tmp, m); err != nil {
		return Manifest{}, err
	}
	if err := publish(tmp, dir); err != nil {
		return Manifest{}, fmt.Errorf("backup: restore: %w (restore into a new directory, or a new folder under a mount point)", err)
	}
	done = true
	return m, syncDir(parent)
}

// publish renames tmp to dir, replacing dir if it is an empty directory.
// Removing an empty directory fails if anything is put in it meanwhile, and
// fails for a mount point, which cannot be replaced.
func publish(tmp, dir string) error {
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.Rename(tmp, dir)
}

// empty returns nil when dir does not exist or is an empty directory, an
// error wrapping ErrNotEmpty when it holds anything, or the error of
// reading it.
func empty(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("backup: restore: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("%w: %s holds %s", ErrNotEmpty, dir, entries[0].Name())
	}
	return nil
}

// extractor writes an archive's files under root.
type extractor struct {
	root string
	dirs []string // the folders made, parents first
}

// file writes the file name (a checked, slash-separated relative path)
// with content, and syncs it.
func (x *extractor) file(name string, content io.Reader) error {
	path := filepath.Join(x.root, filepath.FromSlash(name))
	if err := x.mkdirs(filepath.Dir(path)); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: restore: %w", err)
	}
	_, err = io.Copy(f, content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: restore: %s: %w", name, err)
	}
	return nil
}

// mkdirs makes dir and its missing parents under root, remembering them.
func (x *extractor) mkdirs(dir string) error {
	if slices.Contains(x.dirs, dir) {
		return nil
	}
	if err := x.mkdirs(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("backup: restore: %w", err)
	}
	x.dirs = append(x.dirs, dir)
	return nil
}

// syncDirs syncs every folder made, children first, so that the files'
// names are durable before the rename publishes them.
func (x *extractor) syncDirs() error {
	for _, d := range slices.Backward(x.dirs) {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// syncDir syncs the directory dir.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
