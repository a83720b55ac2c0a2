package recognition_test

import (
	"strings"
	"testing"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/pii"
	"github.com/empulse/empulse/recognition"
)

func seal(plain, context string) (pii.Sealed, error) { return pii.Sealed(context + "=" + plain), nil }

func TestWeek(t *testing.T) {
	t.Parallel()
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), "2026-W48"},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2026-W53"},
		{time.Date(2024, 12, 30, 0, 0, 0, 0, time.UTC), "2025-W01"},
	}
	for _, tt := range tests {
		if got := recognition.Week(tt.t); got != tt.want {
			t.Errorf("Week(%v)=%s, want %s", tt.t, got, tt.want)
		}
	}
}

func TestDecideGive(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ok := recognition.Give{Recognition: "r1", Giver: "g", Receiver: "r", Value: "teamwork", Message: "Thanks!", Now: now, Allowance: 2, Seal: seal}
	tests := []struct {
		name      string
		given     int
		edit      func(*recognition.Give)
		wantCode  apperr.Code
		wantField string
	}{
		{"OK", 0, func(*recognition.Give) {}, "", ""},
		{"LastOfAllowance", 1, func(*recognition.Give) {}, "", ""},
		{"AllowanceUsed", 2, func(*recognition.Give) {}, apperr.Conflict, "allowance"},
		{"Self", 0, func(c *recognition.Give) { c.Receiver = "g" }, apperr.Invalid, "receiver_id"},
		{"BadValue", 0, func(c *recognition.Give) { c.Value = "Team Work" }, apperr.Invalid, "value"},
		{"NoMessage", 0, func(c *recognition.Give) { c.Message = "  " }, apperr.Invalid, "message"},
		{"LongMessage", 0, func(c *recognition.Give) { c.Message = strings.Repeat("x", 1001) }, apperr.Invalid, "message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &recognition.State{}
			for range tt.given {
				s.Apply(recognition.Given{})
			}
			c := ok
			tt.edit(&c)
			got, err := recognition.DecideGive(s, c)
			if tt.wantCode != "" {
				if apperr.CodeOf(err) != tt.wantCode || apperr.FieldOf(err) != tt.wantField {
					t.Fatalf("err=%v, want %s %q", err, tt.wantCode, tt.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Week != "2026-W48" || got.Day != "2026-11-27" || string(got.Message) != "recognition/r1/message=Thanks!" {
				t.Errorf("event=%+v", got)
			}
		})
	}
}
