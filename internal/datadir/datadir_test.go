package datadir_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/empulse/empulse/internal/datadir"
)

var (
	errLocked  = errors.New("locked")
	errUnknown = errors.New("unknown format")
	layout     = datadir.Layout{Format: "empulse-test 1\n", ErrLocked: errLocked, ErrUnknownFormat: errUnknown}
)

func TestLayout_Open(t *testing.T) {
	dir := t.TempDir()
	abs, lock, err := layout.Open(dir)
	if err != nil {
		t.Fatalf("Open(empty): %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(abs, datadir.FormatFile)); string(got) != layout.Format {
		t.Errorf("FORMAT=%q, want %q", got, layout.Format)
	}
	if _, _, err := layout.Open(dir); !errors.Is(err, errLocked) {
		t.Errorf("second Open: err=%v, want the layout's ErrLocked", err)
	}
	if err := lock.Close(); err != nil {
		t.Fatal(err)
	}
	_, lock, err = layout.Open(dir)
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	lock.Close()
}

func TestLayout_OpenRefuses(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"OtherVersion", map[string]string{datadir.FormatFile: "empulse-test 2\n"}},
		{"OtherLayout", map[string]string{datadir.FormatFile: "empulse-events 1\n"}},
		{"NoFormatButFiles", map[string]string{"data.bin": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := layout.Open(dir); !errors.Is(err, errUnknown) {
				t.Fatalf("Open: err=%v, want the layout's ErrUnknownFormat", err)
			}
			for name, content := range tt.files {
				if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != content {
					t.Errorf("%s=%q, want it untouched (%q)", name, got, content)
				}
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if _, ours := tt.files[e.Name()]; !ours && e.Name() != datadir.LockFile {
					t.Errorf("Open wrote %s into a refused directory", e.Name())
				}
			}
		})
	}
}

func TestLayout_OpenAfterCutFirstStart(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, datadir.FormatFile+".tmp123"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, lock, err := layout.Open(dir)
	if err != nil {
		t.Fatalf("Open beside a leftover temporary FORMAT: %v", err)
	}
	lock.Close()
}

func TestLayout_Create(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "copy")
	if err := layout.Create(dir); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, datadir.FormatFile)); string(got) != layout.Format {
		t.Errorf("FORMAT=%q, want %q", got, layout.Format)
	}
	if err := layout.Create(dir); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create(existing): err=%v, want fs.ErrExist", err)
	}
	// What Create made, Open accepts.
	_, lock, err := layout.Open(dir)
	if err != nil {
		t.Fatalf("Open(created): %v", err)
	}
	lock.Close()
}
