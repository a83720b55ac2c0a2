// Package pii seals personal data (names, e-mail addresses, comments,
// recognition messages) before it goes into an event, with AES-256-GCM and a
// key per member. Events are immutable, so erasing a member means deleting
// their key (see package vault): what was sealed with it can then never be
// read again, while the rest of the event stays intact.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"io"

	"github.com/empulse/empulse/apperr"
)

// KeySize is the length of a member key in bytes (AES-256).
const KeySize = 32

// version is the first byte of every Sealed value, so that the format can
// change later without guessing.
const version byte = 1

// ErrUnreadable is returned by Open when a Sealed value cannot be decrypted
// with the key given: the wrong key, a different associated context, or
// tampered or truncated data.
var ErrUnreadable = apperr.New(apperr.Internal, "sealed personal data unreadable")

// Sealed is personal data encrypted by Seal: a version byte, the GCM nonce
// and the ciphertext with its tag. It encodes to JSON as base64 (a []byte),
// and an empty Sealed stands for "no value".
type Sealed []byte

// NewKey returns a new random member key read from rand. It returns rand's
// error when it cannot supply KeySize bytes.
func NewKey(rand io.Reader) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := io.ReadFull(rand, key); err != nil {
		return nil, fmt.Errorf("pii: new key: %w", err)
	}
	return key, nil
}

// Seal encrypts plaintext with key, binding it to context (for example
// "member/<id>/name"), so that a sealed value moved to another field or
// event does not open. The nonce is read from rand. It returns an error for a
// key that is not KeySize bytes or when rand fails.
func Seal(rand io.Reader, key []byte, plaintext, context string) (Sealed, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = version
	if _, err := io.ReadFull(rand, out[1:]); err != nil {
		return nil, fmt.Errorf("pii: seal: nonce: %w", err)
	}
	return aead.Seal(out, out[1:], []byte(plaintext), []byte(context)), nil
}

// Open decrypts s with key and the context it was sealed with. It returns
// ErrUnreadable when s does not open with them, or an error for a key that is
// not KeySize bytes.
func Open(key []byte, s Sealed, context string) (string, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return "", err
	}
	n := aead.NonceSize()
	if len(s) < 1+n+aead.Overhead() || s[0] != version {
		return "", ErrUnreadable
	}
	plain, err := aead.Open(nil, s[1:1+n], s[1+n:], []byte(context))
	if err != nil {
		return "", ErrUnreadable
	}
	return string(plain), nil
}

// newAEAD returns AES-256-GCM for key.
func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("pii: key of %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("pii: %w", err)
	}
	return cipher.NewGCM(block)
}
