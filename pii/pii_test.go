package pii_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/empulse/empulse/pii"
)

// mustKey returns a random key.
func mustKey(tb testing.TB) []byte {
	tb.Helper()
	key, err := pii.NewKey(rand.Reader)
	if err != nil {
		tb.Fatalf("NewKey: %v", err)
	}
	return key
}

func TestSealOpen(t *testing.T) {
	t.Parallel()
	key := mustKey(t)
	for _, plain := range []string{"", "Ada Lovelace", "ada@example.org", strings.Repeat("é", 2000)} {
		s, err := pii.Seal(rand.Reader, key, plain, "member/1/name")
		if err != nil {
			t.Fatalf("Seal(%q): %v", plain, err)
		}
		if len(plain) > 3 && bytes.Contains(s, []byte(plain)) {
			t.Errorf("sealed value contains the plaintext %q", plain)
		}
		got, err := pii.Open(key, s, "member/1/name")
		if err != nil || got != plain {
			t.Errorf("Open=%q, %v; want %q, nil", got, err, plain)
		}
	}
}

func TestOpen_Unreadable(t *testing.T) {
	t.Parallel()
	key, other := mustKey(t), mustKey(t)
	s, err := pii.Seal(rand.Reader, key, "secret", "ctx")
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(s)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name string
		key  []byte
		s    pii.Sealed
		ctx  string
	}{
		{"WrongKey", other, s, "ctx"},
		{"WrongContext", key, s, "other"},
		{"Tampered", key, tampered, "ctx"},
		{"Truncated", key, s[:5], "ctx"},
		{"Empty", key, nil, "ctx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := pii.Open(tt.key, tt.s, tt.ctx)
			if !errors.Is(err, pii.ErrUnreadable) {
				t.Fatalf("Open=%q, %v; want ErrUnreadable", got, err)
			}
		})
	}
}

func TestSeal_BadKey(t *testing.T) {
	t.Parallel()
	if _, err := pii.Seal(rand.Reader, make([]byte, 16), "x", "ctx"); err == nil {
		t.Fatal("Seal with a 16-byte key succeeded, want an error")
	}
}

func TestSealed_JSON(t *testing.T) {
	t.Parallel()
	key := mustKey(t)
	s, err := pii.Seal(rand.Reader, key, "hello", "ctx")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(struct{ S pii.Sealed }{s})
	if err != nil {
		t.Fatal(err)
	}
	var back struct{ S pii.Sealed }
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if got, err := pii.Open(key, back.S, "ctx"); err != nil || got != "hello" {
		t.Fatalf("round trip: Open=%q, %v; want hello", got, err)
	}
}
