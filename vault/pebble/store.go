// Package pebble is the embedded vault.Vault: member secrets in their own
// pebble database (under <data>/vault), apart from the event store, because
// unlike events they must be deletable. A Delete writes tombstones, syncs
// them, and compacts the deleted keys' range so that the secrets leave the
// on-disk tables too.
package pebble

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	pdb "github.com/cockroachdb/pebble/v2"

	"github.com/empulse/empulse/vault"
)

var _ vault.Vault = (*Vault)(nil)

// Key space:
//
//	'm' member    -> key(32) pseudonym
//	'p' pseudonym -> key(32)
const (
	prefixMember    = 'm'
	prefixPseudonym = 'p'
)

// Options configure a Vault. The zero value is ready to use.
type Options struct {
	// Logger receives pebble's messages; slog.Default() if nil.
	Logger *slog.Logger
}

// Vault is the embedded vault.Vault. It is safe for concurrent use.
type Vault struct {
	db   *pdb.DB
	lock interface{ Close() error }

	// mu makes Put's check-then-write atomic and guards closed.
	mu     sync.RWMutex
	closed bool
}

// Open opens the vault in dir, creating it if needed. It returns an error
// wrapping vault.ErrLocked when dir is in use, or vault.ErrUnknownFormat when
// dir holds data this version does not know (left untouched).
func Open(dir string, opts Options) (*Vault, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	dir, lock, err := layout.Open(dir)
	if err != nil {
		return nil, err
	}
	o := &pdb.Options{
		FormatMajorVersion: pdb.FormatValueSeparation,
		Logger:             pebbleLogger{opts.Logger},
	}
	o.EnsureDefaults()
	db, err := pdb.Open(filepath.Join(dir, dataDir), o)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("vault: open %s: %w", dir, err)
	}
	return &Vault{db: db, lock: lock}, nil
}

// enter takes the lock (exclusive for writers), or returns ctx's error or
// vault.ErrClosed.
func (v *Vault) enter(ctx context.Context, write bool) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if write {
		v.mu.Lock()
		if v.closed {
			v.mu.Unlock()
			return nil, vault.ErrClosed
		}
		return v.mu.Unlock, nil
	}
	v.mu.RLock()
	if v.closed {
		v.mu.RUnlock()
		return nil, vault.ErrClosed
	}
	return v.mu.RUnlock, nil
}

// Put implements vault.Vault.
func (v *Vault) Put(ctx context.Context, member string, s vault.Secrets) error {
	if member == "" || s.Pseudonym == "" || len(s.Key) == 0 {
		return vault.ErrInvalid
	}
	unlock, err := v.enter(ctx, true)
	if err != nil {
		return err
	}
	defer unlock()
	for _, k := range [][]byte{memberKey(member), pseudonymKey(s.Pseudonym)} {
		switch _, err := v.get(k); {
		case err == nil:
			return vault.ErrExists
		case !errors.Is(err, vault.ErrNotFound):
			return err
		}
	}
	b := v.db.NewBatch()
	defer b.Close()
	_ = b.Set(memberKey(member), append(append([]byte{}, s.Key...), s.Pseudonym...), nil)
	_ = b.Set(pseudonymKey(s.Pseudonym), s.Key, nil)
	if err := b.Commit(pdb.Sync); err != nil {
		return fmt.Errorf("vault: put: %w", err)
	}
	return nil
}

// Get implements vault.Vault.
func (v *Vault) Get(ctx context.Context, member string) (vault.Secrets, error) {
	unlock, err := v.enter(ctx, false)
	if err != nil {
		return vault.Secrets{}, err
	}
	defer unlock()
	val, err := v.get(memberKey(member))
	if err != nil {
		return vault.Secrets{}, err
	}
	if len(val) <= keySize {
		return vault.Secrets{}, fmt.Errorf("vault: corrupt entry for member %q", member)
	}
	return vault.Secrets{Key: val[:keySize], Pseudonym: string(val[keySize:])}, nil
}

// KeyOf implements vault.Vault.
func (v *Vault) KeyOf(ctx context.Context, pseudonym string) ([]byte, error) {
	unlock, err := v.enter(ctx, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return v.get(pseudonymKey(pseudonym))
}

// Delete implements vault.Vault.
func (v *Vault) Delete(ctx context.Context, member string) error {
	unlock, err := v.enter(ctx, true)
	if err != nil {
		return err
	}
	defer unlock()
	val, err := v.get(memberKey(member))
	if errors.Is(err, vault.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	keys := [][]byte{memberKey(member)}
	if len(val) > keySize {
		keys = append(keys, pseudonymKey(string(val[keySize:])))
	}
	b := v.db.NewBatch()
	defer b.Close()
	for _, k := range keys {
		_ = b.Delete(k, nil)
	}
	if err := b.Commit(pdb.Sync); err != nil {
		return fmt.Errorf("vault: delete: %w", err)
	}
	// Compact the deleted keys' ranges so the old values are dropped from
	// the memtable and sstables, not only shadowed by tombstones.
	for _, k := range keys {
		if err := v.db.Compact(ctx, k, append(append([]byte{}, k...), 0), false); err != nil {
			return fmt.Errorf("vault: compact after delete: %w", err)
		}
	}
	return nil
}

// Close implements vault.Vault.
func (v *Vault) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return nil
	}
	v.closed = true
	err := v.db.Close()
	if lerr := v.lock.Close(); err == nil {
		err = lerr
	}
	return err
}

// get returns a copy of the value at k, or vault.ErrNotFound.
func (v *Vault) get(k []byte) ([]byte, error) {
	val, closer, err := v.db.Get(k)
	if errors.Is(err, pdb.ErrNotFound) {
		return nil, vault.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("vault: get: %w", err)
	}
	defer closer.Close()
	return append([]byte{}, val...), nil
}

// keySize is the length of stored member keys.
const keySize = 32

func memberKey(member string) []byte       { return append([]byte{prefixMember}, member...) }
func pseudonymKey(pseudonym string) []byte { return append([]byte{prefixPseudonym}, pseudonym...) }

// pebbleLogger sends pebble's messages to slog.
type pebbleLogger struct{ log *slog.Logger }

// Infof logs pebble's informational messages at debug level.
func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug(fmt.Sprintf(format, args...), "component", "vault")
}

// Errorf logs pebble's errors.
func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error(fmt.Sprintf(format, args...), "component", "vault")
}

// Fatalf logs pebble's fatal errors and exits, as pebble expects.
func (l pebbleLogger) Fatalf(format string, args ...any) {
	l.log.Error(fmt.Sprintf(format, args...), "component", "vault")
	os.Exit(1)
}
