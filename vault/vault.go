// Package vault keeps the secrets that make personal data in events readable
// and linkable: each member's encryption key and pseudonym. Unlike events,
// they live where they can really be deleted, so that erasing a member
// (deleting their entry) leaves every event intact but makes the member's
// sealed data unreadable and their answers unlinkable to them.
//
// Backends live in sub-packages (vault/pebble for the embedded store); the
// suite in vault/vaulttest checks that each behaves the same.
package vault

import (
	"context"

	"github.com/empulse/empulse/apperr"
)

// Secrets are what the vault holds for one member.
type Secrets struct {
	// Key is the member's AES-256 key for package pii.
	Key []byte
	// Pseudonym is the member's pseudonymous respondent id, the only
	// identity their answers carry.
	Pseudonym string
}

// Errors returned by every Vault. Test for them with errors.Is.
var (
	// ErrNotFound is returned for a member or pseudonym the vault does not
	// hold: never stored, or erased.
	ErrNotFound = apperr.New(apperr.NotFound, "personal data erased or never stored")
	// ErrExists is returned by Put for a member or pseudonym already stored.
	ErrExists = apperr.New(apperr.Conflict, "member secrets already stored")
	// ErrInvalid is returned by Put for an empty member id or pseudonym or
	// an empty key.
	ErrInvalid = apperr.New(apperr.Invalid, "invalid member secrets")
	// ErrClosed is returned by every method of a closed Vault.
	ErrClosed = apperr.New(apperr.Unavailable, "vault closed")
	// ErrLocked is returned when opening a vault that another process holds.
	ErrLocked = apperr.New(apperr.Unavailable, "vault in use by another process")
	// ErrUnknownFormat is returned when opening data in a format this
	// version does not know; it is left untouched.
	ErrUnknownFormat = apperr.New(apperr.Unavailable, "unknown vault format")
)

// Vault stores member secrets where they can be deleted. Implementations are
// safe for concurrent use, and a Put or Delete is durable when it returns.
type Vault interface {
	// Put stores s for member. It returns ErrInvalid for an empty member,
	// pseudonym or key, ErrExists when member or s.Pseudonym is already
	// stored, ErrClosed, or ctx's error.
	Put(ctx context.Context, member string, s Secrets) error
	// Get returns member's secrets. It returns ErrNotFound when the vault
	// holds none (never stored or deleted), ErrClosed, or ctx's error.
	Get(ctx context.Context, member string) (Secrets, error)
	// KeyOf returns the key of the member whose pseudonym is pseudonym,
	// without saying who that member is. It returns ErrNotFound, ErrClosed,
	// or ctx's error.
	KeyOf(ctx context.Context, pseudonym string) ([]byte, error)
	// Delete erases member's secrets: afterwards Get and KeyOf return
	// ErrNotFound for them. Deleting an absent member is not an error. It
	// returns ErrClosed or ctx's error.
	Delete(ctx context.Context, member string) error
	// Close releases the vault; later calls return ErrClosed.
	Close() error
}
