package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/empulse/empulse/internal/datadir"
)

// maxManifest bounds the manifest's size, so that a hostile archive cannot
// make a reader hold a huge one in memory.
const maxManifest = 64 << 20

// Verify reads the whole archive from r, gzip-compressed or not, and checks
// it as Restore does, writing nothing. It returns the manifest, or an error
// wrapping ErrCorrupt, ErrUnknownFormat, ctx's error or r's.
func Verify(ctx context.Context, r io.Reader) (Manifest, error) {
	return read(ctx, r, func(string, io.Reader) error { return nil })
}

// read reads the archive from r, checking the manifest and then each file
// against it, and hands every file (its slash-separated path in the data
// directory and its content) to each, in archive order. The content is
// checked as each reads it; each may read it whole or not at all. An error
// of each is returned as it is.
func read(ctx context.Context, r io.Reader, each func(name string, content io.Reader) error) (Manifest, error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	var gz *gzip.Reader
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		var err error
		if gz, err = gzip.NewReader(br); err != nil {
			return Manifest{}, corrupt("gzip: %v", err)
		}
		src = gz
	}
	tr := tar.NewReader(src)
	m, err := readManifest(tr)
	if err != nil {
		return Manifest{}, err
	}
	for _, p := range m.Parts {
		for _, f := range p.Files {
			if err := ctx.Err(); err != nil {
				return Manifest{}, err
			}
			name := path.Join(p.Dir, f.Path)
			if err := next(tr, name, f.Size); err != nil {
				return Manifest{}, err
			}
			src := &archiveReader{r: tr}
			content, check := verified(src, f)
			if f.Path == datadir.FormatFile {
				content, check = formatOf(src, f, p.Format)
			}
			if err := each(name, content); err != nil {
				if src.err != nil {
					return Manifest{}, fmt.Errorf("%w: %s: %w", ErrCorrupt, name, src.err)
				}
				return Manifest{}, err
			}
			if err := check(); err != nil {
				return Manifest{}, fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
			}
		}
	}
	switch _, err := tr.Next(); {
	case err == nil:
		return Manifest{}, corrupt("entries beyond the files the manifest lists")
	case !errors.Is(err, io.EOF):
		return Manifest{}, corrupt("after the last file: %v", err)
	}
	if gz != nil {
		// Read to gzip's end, which checks its checksum and length.
		if _, err := io.Copy(io.Discard, gz); err != nil {
			return Manifest{}, corrupt("gzip: %v", err)
		}
	}
	return m, nil
}

// readManifest reads and checks the archive's first entry. An archive of
// another format is refused by its "format" alone, whatever else its
// manifest holds.
func readManifest(tr *tar.Reader) (Manifest, error) {
	var m Manifest
	h, err := tr.Next()
	if err != nil {
		return m, corrupt("no %s: %v", ManifestName, err)
	}
	if h.Name != ManifestName || h.Typeflag != tar.TypeReg || h.Size > maxManifest {
		return m, corrupt("the first entry is %q, want %s", h.Name, ManifestName)
	}
	data, err := io.ReadAll(tr)
	if err != nil {
		return m, corrupt("%s: %v", ManifestName, err)
	}
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return m, corrupt("%s: %v", ManifestName, err)
	}
	if head.Format != Format {
		return m, fmt.Errorf("%w: %q; this version reads %q", ErrUnknownFormat, head.Format, Format)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, corrupt("%s: %v", ManifestName, err)
	}
	if err := m.check(); err != nil {
		return m, corrupt("%s: %v", ManifestName, err)
	}
	return m, nil
}

// check checks that m lists the events and the vault, in that order, each
// with its FORMAT file, and only clean, unique relative paths.
func (m Manifest) check() error {
	if len(m.Parts) != 2 || m.Parts[0].Dir != EventsDir || m.Parts[1].Dir != VaultDir {
		return fmt.Errorf("parts must be %s and %s", EventsDir, VaultDir)
	}
	for _, p := range m.Parts {
		seen := make(map[string]bool, len(p.Files))
		for _, f := range p.Files {
			if !fs.ValidPath(f.Path) || f.Path == "." || strings.Contains(f.Path, "\\") {
				return fmt.Errorf("%s: bad path %q", p.Dir, f.Path)
			}
			if seen[f.Path] {
				return fmt.Errorf("%s: %q listed twice", p.Dir, f.Path)
			}
			if f.Size < 0 || len(f.SHA256) != 2*sha256.Size {
				return fmt.Errorf("%s: %q has a bad size or hash", p.Dir, f.Path)
			}
			seen[f.Path] = true
		}
		if !seen[datadir.FormatFile] {
			return fmt.Errorf("%s has no %s file", p.Dir, datadir.FormatFile)
		}
	}
	return nil
}

// next reads the next entry's header and checks that it is the regular
// file name of size bytes.
func next(tr *tar.Reader, name string, size int64) error {
	h, err := tr.Next()
	if err != nil {
		return corrupt("ends before %s: %v", name, err)
	}
	if h.Name != name || h.Typeflag != tar.TypeReg || h.Size != size {
		return corrupt("found %q (%d bytes), want the file %s (%d bytes)", h.Name, h.Size, name, size)
	}
	return nil
}

// verified returns a reader of the current entry's content and a function
// that, once the content has been read or not, reads the rest and checks
// its hash against f.
func verified(tr io.Reader, f File) (io.Reader, func() error) {
	h := sha256.New()
	r := io.TeeReader(tr, h)
	return r, func() error {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
			return fmt.Errorf("SHA-256 %s, the manifest says %s", got, f.SHA256)
		}
		return nil
	}
}

// formatOf reads a part's FORMAT file, which must say format, and returns
// its content and a check as verified does.
func formatOf(tr io.Reader, f File, format string) (io.Reader, func() error) {
	r, check := verified(tr, f)
	content, err := io.ReadAll(io.LimitReader(r, 1<<10))
	return bytes.NewReader(content), func() error {
		if err != nil {
			return err
		}
		if err := check(); err != nil {
			return err
		}
		if got := strings.TrimSuffix(string(content), "\n"); got != format {
			return fmt.Errorf("says %q, the manifest %q", got, format)
		}
		return nil
	}
}

// archiveReader reads an entry's content, keeping the archive's error
// apart from the errors of whoever reads it.
type archiveReader struct {
	r   io.Reader
	err error
}

// Read reads from the archive, remembering its first error other than
// io.EOF.
func (a *archiveReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if err != nil && err != io.EOF && a.err == nil {
		a.err = err
	}
	return n, err
}

// corrupt returns an error wrapping ErrCorrupt with the formatted detail.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}
