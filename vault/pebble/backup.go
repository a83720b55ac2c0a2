package pebble

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the vault into dir, which must not
// exist yet (its parent must): a vault directory that Open accepts, with a
// FORMAT file and pebble's files but no LOCK. Puts and Deletes wait while
// pebble makes the checkpoint, so the copy holds every one that returned
// before Backup was called and none half done; Gets go on.
//
// The copy holds the secrets of every member not deleted by then: whoever
// keeps it can undo later erasures by restoring it.
//
// It returns vault.ErrClosed, ctx's error, an error wrapping fs.ErrExist
// when dir exists, or the file system's error; on error dir is removed.
func (v *Vault) Backup(ctx context.Context, dir string) error {
	unlock, err := v.enter(ctx, false)
	if err != nil {
		return err
	}
	defer unlock()
	if err := layout.Create(dir); err != nil {
		return fmt.Errorf("vault: backup: %w", err)
	}
	if err := v.db.Checkpoint(filepath.Join(dir, dataDir)); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("vault: backup: %w", err)
	}
	return nil
}
