// Package vaulttest is the conformance suite that every vault.Vault backend
// runs: a backend's test hands a constructor to Run.
package vaulttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/empulse/empulse/vault"
)

// Run runs the suite against vaults made by open, which must return a new,
// empty vault for each call and close it with tb.Cleanup.
func Run(t *testing.T, open func(tb testing.TB) vault.Vault) {
	t.Run("PutGet", func(t *testing.T) { testPutGet(t, open(t)) })
	t.Run("PutInvalid", func(t *testing.T) { testPutInvalid(t, open(t)) })
	t.Run("PutExists", func(t *testing.T) { testPutExists(t, open(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, open(t)) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, open(t)) })
	t.Run("Cancelled", func(t *testing.T) { testCancelled(t, open(t)) })
	t.Run("Closed", func(t *testing.T) { testClosed(t, open(t)) })
}

// secrets returns distinct secrets numbered i.
func secrets(i int) vault.Secrets {
	return vault.Secrets{Key: bytes.Repeat([]byte{byte(i + 1)}, 32), Pseudonym: fmt.Sprintf("p%04d", i)}
}

// mustPut stores secrets(i) for member m<i>.
func mustPut(tb testing.TB, v vault.Vault, i int) {
	tb.Helper()
	if err := v.Put(context.Background(), fmt.Sprintf("m%d", i), secrets(i)); err != nil {
		tb.Fatalf("Put(m%d): %v", i, err)
	}
}

func testPutGet(t *testing.T, v vault.Vault) {
	ctx := context.Background()
	mustPut(t, v, 1)
	mustPut(t, v, 2)
	for _, i := range []int{1, 2} {
		got, err := v.Get(ctx, fmt.Sprintf("m%d", i))
		want := secrets(i)
		if err != nil || !bytes.Equal(got.Key, want.Key) || got.Pseudonym != want.Pseudonym {
			t.Errorf("Get(m%d)=%+v, %v; want %+v", i, got, err, want)
		}
		key, err := v.KeyOf(ctx, want.Pseudonym)
		if err != nil || !bytes.Equal(key, want.Key) {
			t.Errorf("KeyOf(%s)=%x, %v; want %x", want.Pseudonym, key, err, want.Key)
		}
	}
	if _, err := v.Get(ctx, "nobody"); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("Get(nobody) err=%v, want ErrNotFound", err)
	}
	if _, err := v.KeyOf(ctx, "nobody"); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("KeyOf(nobody) err=%v, want ErrNotFound", err)
	}
}

func testPutInvalid(t *testing.T, v vault.Vault) {
	ctx := context.Background()
	tests := []struct {
		name   string
		member string
		s      vault.Secrets
	}{
		{"EmptyMember", "", secrets(1)},
		{"EmptyPseudonym", "m1", vault.Secrets{Key: secrets(1).Key}},
		{"EmptyKey", "m1", vault.Secrets{Pseudonym: "p"}},
	}
	for _, tt := range tests {
		if err := v.Put(ctx, tt.member, tt.s); !errors.Is(err, vault.ErrInvalid) {
			t.Errorf("%s: Put err=%v, want ErrInvalid", tt.name, err)
		}
	}
	if _, err := v.Get(ctx, "m1"); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("after refused Puts, Get(m1) err=%v, want ErrNotFound", err)
	}
}

func testPutExists(t *testing.T, v vault.Vault) {
	ctx := context.Background()
	mustPut(t, v, 1)
	if err := v.Put(ctx, "m1", secrets(2)); !errors.Is(err, vault.ErrExists) {
		t.Errorf("Put(m1) again err=%v, want ErrExists", err)
	}
	if err := v.Put(ctx, "m9", secrets(1)); !errors.Is(err, vault.ErrExists) {
		t.Errorf("Put with a used pseudonym err=%v, want ErrExists", err)
	}
	got, err := v.Get(ctx, "m1")
	if err != nil || got.Pseudonym != secrets(1).Pseudonym {
		t.Errorf("Get(m1)=%+v, %v; want the first secrets", got, err)
	}
}

func testDelete(t *testing.T, v vault.Vault) {
	ctx := context.Background()
	mustPut(t, v, 1)
	mustPut(t, v, 2)
	if err := v.Delete(ctx, "m1"); err != nil {
		t.Fatalf("Delete(m1): %v", err)
	}
	if _, err := v.Get(ctx, "m1"); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("Get(m1) after Delete err=%v, want ErrNotFound", err)
	}
	if _, err := v.KeyOf(ctx, secrets(1).Pseudonym); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("KeyOf(p1) after Delete err=%v, want ErrNotFound", err)
	}
	if _, err := v.Get(ctx, "m2"); err != nil {
		t.Errorf("Get(m2) after deleting m1: %v", err)
	}
	if err := v.Delete(ctx, "m1"); err != nil {
		t.Errorf("Delete(m1) twice: %v, want nil", err)
	}
	if err := v.Delete(ctx, "never"); err != nil {
		t.Errorf("Delete(never): %v, want nil", err)
	}
}

func testConcurrent(t *testing.T, v vault.Vault) {
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every goroutine claims the same pseudonym for its own member:
			// exactly one may win.
			errs <- v.Put(context.Background(), fmt.Sprintf("c%d", i), vault.Secrets{Key: secrets(i).Key, Pseudonym: "shared"})
		}()
	}
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, vault.ErrExists):
			t.Errorf("Put err=%v, want nil or ErrExists", err)
		}
	}
	if won != 1 {
		t.Errorf("%d Puts of one pseudonym succeeded, want 1", won)
	}
}

func testCancelled(t *testing.T, v vault.Vault) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := v.Put(ctx, "m1", secrets(1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Put err=%v, want context.Canceled", err)
	}
	if _, err := v.Get(ctx, "m1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get err=%v, want context.Canceled", err)
	}
}

func testClosed(t *testing.T, v vault.Vault) {
	ctx := context.Background()
	mustPut(t, v, 1)
	if err := v.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := v.Put(ctx, "m2", secrets(2)); !errors.Is(err, vault.ErrClosed) {
		t.Errorf("Put after Close err=%v, want ErrClosed", err)
	}
	if _, err := v.Get(ctx, "m1"); !errors.Is(err, vault.ErrClosed) {
		t.Errorf("Get after Close err=%v, want ErrClosed", err)
	}
	if _, err := v.KeyOf(ctx, "p0001"); !errors.Is(err, vault.ErrClosed) {
		t.Errorf("KeyOf after Close err=%v, want ErrClosed", err)
	}
	if err := v.Delete(ctx, "m1"); !errors.Is(err, vault.ErrClosed) {
		t.Errorf("Delete after Close err=%v, want ErrClosed", err)
	}
	if err := v.Close(); err != nil {
		t.Errorf("second Close: %v, want nil", err)
	}
}
