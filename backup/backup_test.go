package backup_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/empulse/empulse/backup"
	"github.com/empulse/empulse/events"
)

// created is the clock of every test archive.
var created = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// fakeData is what the fake source copies: path in the data directory ->
// content.
var fakeData = map[string]string{
	"events/FORMAT":             "empulse-events 1\n",
	"events/pebble/000001.sst":  strings.Repeat("table", 1000),
	"events/pebble/000002.log":  "write-ahead log",
	"events/pebble/MANIFEST-01": "pebble manifest",
	"vault/FORMAT":              "empulse-vault 1\n",
	"vault/pebble/000003.sst":   "secrets",
}

// fakeSource returns a source that writes fakeData, with its head at 7.
func fakeSource(t *testing.T) backup.Source {
	t.Helper()
	write := func(dir, part string) error {
		for name, content := range fakeData {
			rel, ok := strings.CutPrefix(name, part+"/")
			if !ok {
				continue
			}
			path := filepath.Join(dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return err
			}
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				return err
			}
		}
		return nil
	}
	return backup.Source{
		Events: func(_ context.Context, dir string) (events.Position, error) {
			return events.Position{Commit: 7, Prepare: 7}, write(dir, "events")
		},
		Vault: func(_ context.Context, dir string) error { return write(dir, "vault") },
	}
}

// writeArchive writes an archive of src and returns it with its manifest.
func writeArchive(t *testing.T, src backup.Source, zip bool) ([]byte, backup.Manifest) {
	t.Helper()
	var buf bytes.Buffer
	m, err := backup.Write(t.Context(), &buf, src, backup.Options{Now: func() time.Time { return created }, TempDir: t.TempDir(), Gzip: zip})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes(), m
}

// readTree returns every file under dir: slash path -> content.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		got[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// noCheck accepts every restored copy.
func noCheck(context.Context, string, backup.Manifest) error { return nil }

func TestWriteRestore(t *testing.T) {
	for _, tt := range []struct {
		name        string
		zip         bool
		targetExist bool
	}{
		{"Tar", false, false},
		{"Gzip", true, false},
		{"IntoEmptyDirectory", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			archive, m := writeArchive(t, fakeSource(t), tt.zip)
			if isGzip := bytes.HasPrefix(archive, []byte{0x1f, 0x8b}); isGzip != tt.zip {
				t.Errorf("archive gzip=%v, want %v", isGzip, tt.zip)
			}
			if m.Format != backup.Format || !m.Created.Equal(created) || m.Head != "7/7" {
				t.Errorf("manifest format %q created %v head %q, want %q %v 7/7", m.Format, m.Created, m.Head, backup.Format, created)
			}
			if len(m.Parts) != 2 || m.Parts[0].Format != "empulse-events 1" || m.Parts[1].Format != "empulse-vault 1" {
				t.Errorf("manifest parts %+v, want events (empulse-events 1) and vault (empulse-vault 1)", m.Parts)
			}

			dir := filepath.Join(t.TempDir(), "data")
			if tt.targetExist {
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			var checked map[string]string
			got, err := backup.Restore(t.Context(), bytes.NewReader(archive), dir, func(_ context.Context, tmp string, gm backup.Manifest) error {
				if gm.Head != m.Head {
					t.Errorf("check got head %q, want %q", gm.Head, m.Head)
				}
				checked = readTree(t, tmp)
				return nil
			})
			if err != nil {
				t.Fatalf("Restore: %v", err)
			}
			if got.Head != m.Head || !got.Created.Equal(m.Created) {
				t.Errorf("Restore's manifest head %q created %v, want %q %v", got.Head, got.Created, m.Head, m.Created)
			}
			for name, tree := range map[string]map[string]string{"restored": readTree(t, dir), "checked": checked} {
				if len(tree) != len(fakeData) {
					t.Errorf("%s %d files, want %d", name, len(tree), len(fakeData))
				}
				for path, want := range fakeData {
					if tree[path] != want {
						t.Errorf("%s %s=%q, want %q", name, path, tree[path], want)
					}
				}
			}
			if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 1 {
				t.Errorf("beside the restored directory: %v, want nothing left over", entries)
			}
		})
	}
}

func TestWrite_CopyFails(t *testing.T) {
	boom := errors.New("boom")
	good := fakeSource(t)
	for _, tt := range []struct {
		name string
		src  backup.Source
	}{
		{"Events", backup.Source{Events: func(context.Context, string) (events.Position, error) { return events.Position{}, boom }, Vault: good.Vault}},
		{"Vault", backup.Source{Events: good.Events, Vault: func(context.Context, string) error { return boom }}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			var buf bytes.Buffer
			_, err := backup.Write(t.Context(), &buf, tt.src, backup.Options{TempDir: tmp})
			if !errors.Is(err, boom) {
				t.Errorf("Write: err=%v, want the copy's error", err)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes before failing, want none", buf.Len())
			}
			if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
				t.Errorf("temporary files left: %v", entries)
			}
		})
	}
}

// entry is one tar entry of an archive being rewritten.
type entry struct {
	h       *tar.Header
	content []byte
}

// rewrite returns archive (an uncompressed one) with its entries changed
// by edit.
func rewrite(t *testing.T, archive []byte, edit func([]entry) []entry) []byte {
	t.Helper()
	var es []entry
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, entry{h, b})
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range edit(es) {
		e.h.Size = int64(len(e.content))
		if err := tw.WriteHeader(e.h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.content); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// editManifest returns an edit that changes the decoded manifest with f.
func editManifest(t *testing.T, f func(m map[string]any)) func([]entry) []entry {
	return func(es []entry) []entry {
		var m map[string]any
		if err := json.Unmarshal(es[0].content, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		es[0].content = b
		return es
	}
}

// part returns part i of a decoded manifest.
func part(m map[string]any, i int) map[string]any { return m["parts"].([]any)[i].(map[string]any) }

func TestRestore_Refuses(t *testing.T) {
	good, _ := writeArchive(t, fakeSource(t), false)
	zipped, _ := writeArchive(t, fakeSource(t), true)
	last := func(es []entry) int { return len(es) - 1 }
	tests := []struct {
		name    string
		archive []byte
		want    error
	}{
		{"Empty", nil, backup.ErrCorrupt},
		{"NotAnArchive", []byte(strings.Repeat("not a tar file ", 100)), backup.ErrCorrupt},
		{"TruncatedInAFile", good[:len(good)/2], backup.ErrCorrupt},
		{"GzipTruncated", zipped[:len(zipped)-10], backup.ErrCorrupt},
		{"LastFileMissing", rewrite(t, good, func(es []entry) []entry { return es[:last(es)] }), backup.ErrCorrupt},
		{"ExtraFile", rewrite(t, good, func(es []entry) []entry {
			return append(es, entry{&tar.Header{Typeflag: tar.TypeReg, Name: "events/pebble/extra", Mode: 0o600}, []byte("x")})
		}), backup.ErrCorrupt},
		{"FlippedByte", rewrite(t, good, func(es []entry) []entry {
			es[last(es)].content[0] ^= 1
			return es
		}), backup.ErrCorrupt},
		{"Renamed", rewrite(t, good, func(es []entry) []entry {
			es[last(es)].h.Name += ".renamed"
			return es
		}), backup.ErrCorrupt},
		{"Symlink", rewrite(t, good, func(es []entry) []entry {
			es[last(es)].h.Typeflag, es[last(es)].h.Linkname, es[last(es)].content = tar.TypeSymlink, "/etc/passwd", nil
			return es
		}), backup.ErrCorrupt},
		{"ManifestNotFirst", rewrite(t, good, func(es []entry) []entry { return append(es[1:], es[0]) }), backup.ErrCorrupt},
		{"UnknownManifestField", rewrite(t, good, editManifest(t, func(m map[string]any) { m["extra"] = 1 })), backup.ErrCorrupt},
		{"NewerFormat", rewrite(t, good, editManifest(t, func(m map[string]any) {
			m["format"], m["encryption"] = "empulse-backup 2", "age"
		})), backup.ErrUnknownFormat},
		{"NotABackup", rewrite(t, good, editManifest(t, func(m map[string]any) { delete(m, "format") })), backup.ErrUnknownFormat},
		{"NoVault", rewrite(t, good, editManifest(t, func(m map[string]any) { m["parts"] = m["parts"].([]any)[:1] })), backup.ErrCorrupt},
		{"PathEscapes", rewrite(t, good, editManifest(t, func(m map[string]any) {
			part(m, 1)["files"].([]any)[0].(map[string]any)["path"] = "../../escaped"
		})), backup.ErrCorrupt},
		{"FormatDisagrees", rewrite(t, good, editManifest(t, func(m map[string]any) { part(m, 0)["format"] = "empulse-events 9" })), backup.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "data")
			_, err := backup.Restore(t.Context(), bytes.NewReader(tt.archive), dir, noCheck)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Restore: err=%v, want %v", err, tt.want)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("Restore left %v beside the target, want nothing", entries)
			}
			if _, err := backup.Verify(t.Context(), bytes.NewReader(tt.archive)); !errors.Is(err, tt.want) {
				t.Errorf("Verify: err=%v, want %v", err, tt.want)
			}
		})
	}
}

func TestRestore_NotEmpty(t *testing.T) {
	archive, _ := writeArchive(t, fakeSource(t), false)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(t.Context(), bytes.NewReader(archive), dir, noCheck); !errors.Is(err, backup.ErrNotEmpty) {
		t.Fatalf("Restore into a non-empty directory: err=%v, want ErrNotEmpty", err)
	}
	if got := readTree(t, dir); len(got) != 1 || got["keep"] != "mine" {
		t.Errorf("target now holds %v, want it untouched", got)
	}
}

func TestRestore_CheckFails(t *testing.T) {
	archive, _ := writeArchive(t, fakeSource(t), false)
	parent := t.TempDir()
	boom := errors.New("does not open")
	_, err := backup.Restore(t.Context(), bytes.NewReader(archive), filepath.Join(parent, "data"),
		func(context.Context, string, backup.Manifest) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("Restore: err=%v, want check's error", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("Restore left %v, want nothing", entries)
	}
}

func TestVerify(t *testing.T) {
	for _, zip := range []bool{false, true} {
		archive, m := writeArchive(t, fakeSource(t), zip)
		got, err := backup.Verify(t.Context(), bytes.NewReader(archive))
		if err != nil || got.Head != m.Head || len(got.Parts) != len(m.Parts) {
			t.Errorf("Verify(gzip=%v): %+v, %v; want the manifest %+v", zip, got, err, m)
		}
	}
	// A gzip member holding a plain archive is a gzip archive too.
	archive, _ := writeArchive(t, fakeSource(t), false)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(archive)
	zw.Close()
	if _, err := backup.Verify(t.Context(), &zipped); err != nil {
		t.Errorf("Verify(gzip of a tar): %v", err)
	}
}
