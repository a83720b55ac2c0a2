package apperr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/empulse/empulse/apperr"
)

func TestCodeOfAndFieldOf(t *testing.T) {
	base := apperr.Field("comment", "at most %d characters", 2000)
	tests := []struct {
		name      string
		err       error
		wantCode  apperr.Code
		wantField string
		wantText  string
	}{
		{"Nil", nil, "", "", ""},
		{"Plain", errors.New("boom"), apperr.Internal, "", "boom"},
		{"Field", base, apperr.Invalid, "comment", "comment: at most 2000 characters"},
		{"Wrapped", fmt.Errorf("answer: %w", base), apperr.Invalid, "comment", "answer: comment: at most 2000 characters"},
		{"Coded", apperr.New(apperr.NotFound, "team %q not found", "t-9"), apperr.NotFound, "", `team "t-9" not found`},
		{"Cause", &apperr.Error{Code: apperr.Unavailable, Message: "store", Err: errors.New("disk")}, apperr.Unavailable, "", "store: disk"},
		{"FieldInCause", &apperr.Error{Code: apperr.Conflict, Message: "outer", Err: base}, apperr.Conflict, "comment", "outer: comment: at most 2000 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apperr.CodeOf(tt.err); got != tt.wantCode {
				t.Errorf("CodeOf=%q, want %q", got, tt.wantCode)
			}
			if got := apperr.FieldOf(tt.err); got != tt.wantField {
				t.Errorf("FieldOf=%q, want %q", got, tt.wantField)
			}
			if tt.err != nil && tt.err.Error() != tt.wantText {
				t.Errorf("Error()=%q, want %q", tt.err.Error(), tt.wantText)
			}
		})
	}
}
