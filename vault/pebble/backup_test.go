package pebble_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"

	"github.com/empulse/empulse/vault"
	vpebble "github.com/empulse/empulse/vault/pebble"
)

// TestVault_BackupWhilePutting takes a backup while members are put and
// checks that the copy opens and holds every member put before it began,
// and none that was deleted before.
func TestVault_BackupWhilePutting(t *testing.T) {
	ctx := context.Background()
	v := mustOpen(t, t.TempDir())
	secrets := func(m string) vault.Secrets {
		key := make([]byte, 32)
		copy(key, m)
		return vault.Secrets{Key: key, Pseudonym: "p-" + m}
	}
	for i := range 20 {
		m := fmt.Sprintf("before-%d", i)
		if err := v.Put(ctx, m, secrets(m)); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Delete(ctx, "before-0"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			m := fmt.Sprintf("during-%d", i)
			if err := v.Put(ctx, m, secrets(m)); err != nil {
				t.Errorf("Put(%s): %v", m, err)
				return
			}
		}
	})
	dir := filepath.Join(t.TempDir(), "vault-backup")
	err := v.Backup(ctx, dir)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}

	b := mustOpen(t, dir)
	if _, err := b.Get(ctx, "before-0"); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("copy: Get(before-0), deleted before the backup: err=%v, want ErrNotFound", err)
	}
	for i := 1; i < 20; i++ {
		m := fmt.Sprintf("before-%d", i)
		got, err := b.Get(ctx, m)
		if err != nil || got.Pseudonym != "p-"+m || string(got.Key[:len(m)]) != m {
			t.Fatalf("copy: Get(%s)=%+v, %v; want its secrets", m, got, err)
		}
		if key, err := b.KeyOf(ctx, "p-"+m); err != nil || string(key[:len(m)]) != m {
			t.Fatalf("copy: KeyOf(p-%s)=%x, %v; want its key", m, key, err)
		}
	}
	// Members put during the backup are in the copy whole or not at all.
	for i := range 200 {
		m := fmt.Sprintf("during-%d", i)
		_, gerr := b.Get(ctx, m)
		_, kerr := b.KeyOf(ctx, "p-"+m)
		if errors.Is(gerr, vault.ErrNotFound) != errors.Is(kerr, vault.ErrNotFound) {
			t.Fatalf("copy: %s half there: Get err=%v, KeyOf err=%v", m, gerr, kerr)
		}
	}
}

func TestVault_BackupErrors(t *testing.T) {
	ctx := context.Background()
	v, err := vpebble.Open(t.TempDir(), vpebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Backup(ctx, t.TempDir()); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Backup into an existing directory: err=%v, want fs.ErrExist", err)
	}
	v.Close()
	if err := v.Backup(ctx, filepath.Join(t.TempDir(), "b")); !errors.Is(err, vault.ErrClosed) {
		t.Errorf("Backup after Close: err=%v, want ErrClosed", err)
	}
}
