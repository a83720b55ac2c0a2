package pebble

import (
	"context"
	"log/slog"
	"path/filepath"

	pdb "github.com/cockroachdb/pebble/v2"
)

// CompactDir compacts the pebble files of the closed store in dir with the
// store's own options, so that benchmarks can measure a settled store.
func CompactDir(dir string) error {
	db, err := pdb.Open(filepath.Join(dir, dataDir), pebbleOptions(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	if err := db.Compact(context.Background(), []byte{0}, []byte{0xff}, true); err != nil {
		db.Close()
		return err
	}
	return db.Close()
}
