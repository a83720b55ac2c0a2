package app

import (
	"bytes"
	"testing"

	"github.com/google/uuid"
)

// TestAnswerIDFor checks that an answer's event ID, derived from its
// Idempotency-Key, cannot be recomputed without the member's key: a key
// that names the member ("ada-2026-W48") must not let anyone confirm whose
// answer it is once that key is erased.
func TestAnswerIDFor(t *testing.T) {
	t.Parallel()
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	const pulse, pseudonym, idem = "pulse", "pseudonym", "ada-2026-W48"
	id := answerIDFor(k1, pulse, pseudonym, idem)
	tests := []struct {
		name  string
		other uuid.UUID
		equal bool
	}{
		{"SameInputs", answerIDFor(k1, pulse, pseudonym, idem), true},
		{"OtherMemberKey", answerIDFor(k2, pulse, pseudonym, idem), false},
		{"OtherIdempotencyKey", answerIDFor(k1, pulse, pseudonym, idem+"x"), false},
		{"WithoutMemberKey", derivedID("answer", pulse, pseudonym, idem), false},
	}
	for _, tt := range tests {
		if got := id == tt.other; got != tt.equal {
			t.Errorf("%s: ID %s vs %s equal=%v, want %v", tt.name, id, tt.other, got, tt.equal)
		}
	}
}
