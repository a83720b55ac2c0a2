// Package backup writes and restores archives of Empulse's data directory.
//
// An archive is a tar stream, optionally gzip-compressed, of consistent
// copies of the event store (events/) and the vault (vault/), led by a
// manifest (manifest.json) that names the archive's format, when it was made,
// the position of the last event it holds, each copy's layout version
// (its FORMAT file), and every file with its size and SHA-256. Restore
// checks all of it, so a truncated or damaged archive is refused rather than
// restored in part. The projections are not archived: serve folds them
// again from the event log on its first start.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/internal/datadir"
)

// Format is the archive format this package writes and reads: the
// manifest's "format".
const Format = "empulse-backup 1"

// ManifestName is the name of an archive's first entry.
const ManifestName = "manifest.json"

// The folders of the data directory that an archive holds, in the order
// they are copied and archived.
const (
	EventsDir = "events"
	VaultDir  = "vault"
)

// The errors Restore and Verify return, wrapped with the detail.
var (
	// ErrCorrupt means the archive is truncated, damaged, or not an
	// Empulse backup.
	ErrCorrupt = errors.New("backup: archive damaged, truncated or not an Empulse backup")
	// ErrUnknownFormat means the archive is an Empulse backup in a format
	// this version does not read.
	ErrUnknownFormat = errors.New("backup: unknown archive format")
	// ErrNotEmpty means the directory to restore into holds files.
	ErrNotEmpty = errors.New("backup: the directory to restore into is not empty")
)

// Manifest describes an archive; it is the archive's first entry.
type Manifest struct {
	// Format is the archive's format, Format.
	Format string `json:"format"`
	// Created is when the copies were made, by Options.Now.
	Created time.Time `json:"created"`
	// Head is the position of the last event in the copy of the event
	// store, as events.Position.String writes it ("0/0" for none).
	Head string `json:"head"`
	// Parts are the copies, events then vault.
	Parts []Part `json:"parts"`
}

// Part is one copied folder of the data directory.
type Part struct {
	// Dir is the folder's name in the data directory and in the archive.
	Dir string `json:"dir"`
	// Format is the content of the copy's FORMAT file, its layout version,
	// without the final newline.
	Format string `json:"format"`
	// Files are the copy's files, FORMAT among them, in archive order.
	Files []File `json:"files"`
}

// File is one file of a part.
type File struct {
	// Path is the file's slash-separated path in the part's folder.
	Path string `json:"path"`
	// Size is its length in bytes.
	Size int64 `json:"size"`
	// SHA256 is the hex SHA-256 of its content.
	SHA256 string `json:"sha256"`
}

// Source makes the copies that an archive holds.
type Source struct {
	// Events writes a consistent copy of the event store into dir, which
	// does not exist yet, and returns the position of the last event in it.
	Events func(ctx context.Context, dir string) (events.Position, error)
	// Vault writes a consistent copy of the vault into dir, which does not
	// exist yet. It is called after Events returns: members' keys are put
	// in the vault before the events that refer to them, so every event in
	// the first copy finds its key in the second.
	Vault func(ctx context.Context, dir string) error
}

// Options configure Write. The zero value is ready to use.
type Options struct {
	// Now is the clock of the manifest's Created; time.Now if nil.
	Now func() time.Time
	// TempDir is where the copies are made before they are archived, and
	// removed after; os.TempDir() if empty. On the data directory's file
	// system, pebble links its tables into a copy instead of copying them.
	TempDir string
	// Gzip compresses the archive.
	Gzip bool
}

// Write makes the copies of src in a temporary directory, then writes the
// archive to w and returns its manifest. Nothing is written to w before the
// copies are made and their files hashed, so an error up to then can still
// be reported by a caller that has not started its answer (an HTTP handler).
//
// It returns ctx's error, the copies' errors, or w's.
func Write(ctx context.Context, w io.Writer, src Source, opts Options) (Manifest, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	tmp, err := os.MkdirTemp(opts.TempDir, ".empulse-backup-*")
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)

	m := Manifest{Format: Format, Created: opts.Now().UTC()}
	head, err := src.Events(ctx, filepath.Join(tmp, EventsDir))
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: copy the event store: %w", err)
	}
	m.Head = head.String()
	if err := src.Vault(ctx, filepath.Join(tmp, VaultDir)); err != nil {
		return Manifest{}, fmt.Errorf("backup: copy the vault: %w", err)
	}
	for _, dir := range []string{EventsDir, VaultDir} {
		p, err := describe(ctx, filepath.Join(tmp, dir))
		if err != nil {
			return Manifest{}, fmt.Errorf("backup: %w", err)
		}
		p.Dir = dir
		m.Parts = append(m.Parts, p)
	}
	if err := archive(ctx, w, tmp, m, opts.Gzip); err != nil {
		return Manifest{}, fmt.Errorf("backup: write the archive: %w", err)
	}
	return m, nil
}

// describe returns the part whose copy is in dir: its FORMAT and every
// file, hashed, in lexical order. A copy holds only regular files and
// folders.
func describe(ctx context.Context, dir string) (Part, error) {
	var p Part
	format, err := os.ReadFile(filepath.Join(dir, datadir.FormatFile))
	if err != nil {
		return p, err
	}
	p.Format = strings.TrimSuffix(string(format), "\n")
	err = filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", name)
		}
		rel, err := filepath.Rel(dir, name)
		if err != nil {
			return err
		}
		f, err := hashFile(name)
		if err != nil {
			return err
		}
		f.Path = filepath.ToSlash(rel)
		p.Files = append(p.Files, f)
		return nil
	})
	return p, err
}

// hashFile returns the size and SHA-256 of the file name.
func hashFile(name string) (File, error) {
	in, err := os.Open(name)
	if err != nil {
		return File{}, err
	}
	defer in.Close()
	h := sha256.New()
	n, err := io.Copy(h, in)
	if err != nil {
		return File{}, err
	}
	return File{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// archive writes the manifest m and the files it lists, found under root,
// to w as a tar stream, gzip-compressed if zip.
func archive(ctx context.Context, w io.Writer, root string, m Manifest, zip bool) error {
	out := w
	var gz *gzip.Writer
	if zip {
		gz = gzip.NewWriter(w)
		out = gz
	}
	tw := tar.NewWriter(out)
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	manifest = append(manifest, '\n')
	if err := tw.WriteHeader(header(ManifestName, int64(len(manifest)), m.Created)); err != nil {
		return err
	}
	if _, err := tw.Write(manifest); err != nil {
		return err
	}
	for _, p := range m.Parts {
		for _, f := range p.Files {
			if err := ctx.Err(); err != nil {
				return err
			}
			name := path.Join(p.Dir, f.Path)
			if err := tw.WriteHeader(header(name, f.Size, m.Created)); err != nil {
				return err
			}
			if err := copyFile(tw, filepath.Join(root, filepath.FromSlash(name)), f.Size); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if gz != nil {
		return gz.Close()
	}
	return nil
}

// header returns the tar header of a regular file.
func header(name string, size int64, mod time.Time) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o600, ModTime: mod.Truncate(time.Second)}
}

// copyFile copies the file name, which must hold size bytes, to w.
func copyFile(w io.Writer, name string, size int64) error {
	in, err := os.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	if _, err := io.CopyN(w, in, size); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
