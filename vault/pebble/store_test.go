package pebble_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/empulse/empulse/vault"
	vpebble "github.com/empulse/empulse/vault/pebble"
	"github.com/empulse/empulse/vault/vaulttest"
)

// mustOpen opens a vault in dir and closes it at the end of the test.
func mustOpen(tb testing.TB, dir string) *vpebble.Vault {
	tb.Helper()
	v, err := vpebble.Open(dir, vpebble.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { v.Close() })
	return v
}

func TestVault_Conformance(t *testing.T) {
	vaulttest.Run(t, func(tb testing.TB) vault.Vault { return mustOpen(tb, tb.TempDir()) })
}

func TestOpen_Locked(t *testing.T) {
	dir := t.TempDir()
	mustOpen(t, dir)
	if _, err := vpebble.Open(dir, vpebble.Options{}); !errors.Is(err, vault.ErrLocked) {
		t.Fatalf("second Open err=%v, want ErrLocked", err)
	}
}

func TestOpen_UnknownFormat(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "FORMAT"), []byte("empulse-vault 99\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := vpebble.Open(dir, vpebble.Options{}); !errors.Is(err, vault.ErrUnknownFormat) {
		t.Fatalf("Open err=%v, want ErrUnknownFormat", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "FORMAT"))
	if err != nil || string(got) != "empulse-vault 99\n" {
		t.Fatalf("FORMAT=%q, %v; want it untouched", got, err)
	}
}

func TestVault_DeleteSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	v, err := vpebble.Open(dir, vpebble.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	s := vault.Secrets{Key: make([]byte, 32), Pseudonym: "p1"}
	for _, m := range []string{"keep", "erase"} {
		s.Pseudonym = "p-" + m
		if err := v.Put(ctx, m, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Delete(ctx, "erase"); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	v2 := mustOpen(t, dir)
	if _, err := v2.Get(ctx, "erase"); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("Get(erase) after reopen err=%v, want ErrNotFound", err)
	}
	if got, err := v2.Get(ctx, "keep"); err != nil || got.Pseudonym != "p-keep" {
		t.Errorf("Get(keep)=%+v, %v; want pseudonym p-keep", got, err)
	}
}
