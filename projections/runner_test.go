package projections_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/projections"
	"github.com/empulse/empulse/survey"
)

func TestRunner_WaitFor(t *testing.T) {
	t.Parallel()
	store := mustStore(t)
	a := &appender{tb: t, store: store}
	a.add(org.Stream("o"), org.TeamCreated{Team: "T", Name: "T"})
	r := mustOpen(t, store, "")

	t.Run("NotStarted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := r.WaitFor(ctx, a.last); !errors.Is(err, context.Canceled) {
			t.Fatalf("WaitFor before folding: err=%v, want context.Canceled", err)
		}
	})
	t.Run("Reached", func(t *testing.T) {
		r.Start(context.Background())
		a.add(org.Stream("o"), org.TeamCreated{Team: "U", Name: "U", Parent: "T"})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := r.WaitFor(ctx, a.last); err != nil {
			t.Fatalf("WaitFor: %v", err)
		}
		if got := r.Position(); got.Less(a.last) {
			t.Errorf("position=%v, want at least %v", got, a.last)
		}
		hm, err := r.HeatMap(ctx, "T", "2026-W48", nil)
		if err != nil || len(hm.Rows) != 2 {
			t.Errorf("heat map rows=%d err=%v, want T and U", len(hm.Rows), err)
		}
	})
	t.Run("Stopped", func(t *testing.T) {
		if err := r.Stop(); err != nil {
			t.Fatal(err)
		}
		far := events.Position{Commit: 1 << 40, Prepare: 1 << 40}
		if err := r.WaitFor(context.Background(), far); !errors.Is(err, projections.ErrStopped) {
			t.Fatalf("WaitFor after Stop: err=%v, want ErrStopped", err)
		}
	})
}

func TestRunner_Period(t *testing.T) {
	t.Parallel()
	r := mustOpen(t, mustStore(t), "")
	tests := []struct {
		from, to         string
		wantFrom, wantTo projections.Week
		field            string
	}{
		{"", "", "2026-W37", "2026-W48", ""},
		{"2026-W40", "", "2026-W40", "2026-W48", ""},
		{"", "2026-W02", "2025-W43", "2026-W02", ""},
		{"2026-W53", "2026-W53", "2026-W53", "2026-W53", ""},
		{"2025-W53", "", "", "", "from"},
		{"", "2026-W54", "", "", "to"},
		{"", "2026-48", "", "", "to"},
		{"2026-W49", "2026-W48", "", "", "from"},
		{"2024-W01", "2026-W48", "", "", "from"},
	}
	for _, tt := range tests {
		from, to, err := r.Period(tt.from, tt.to)
		if tt.field != "" {
			if got := apperr.FieldOf(err); got != tt.field || apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("Period(%q, %q): err=%v (field %q), want Invalid naming %q", tt.from, tt.to, err, got, tt.field)
			}
			continue
		}
		if err != nil || from != tt.wantFrom || to != tt.wantTo {
			t.Errorf("Period(%q, %q)=%s..%s, %v; want %s..%s", tt.from, tt.to, from, to, err, tt.wantFrom, tt.wantTo)
		}
	}
}

func TestOpen_Errors(t *testing.T) {
	t.Parallel()
	store := mustStore(t)
	dir := t.TempDir()
	r := mustOpen(t, store, dir)
	if _, err := projections.Open(projections.Config{Store: store, Dir: dir}); !errors.Is(err, projections.ErrLocked) {
		t.Errorf("second Open: err=%v, want ErrLocked", err)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "FORMAT"), []byte("something-else 9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := projections.Open(projections.Config{Store: store, Dir: other}); !errors.Is(err, projections.ErrUnknownFormat) {
		t.Errorf("Open of another format: err=%v, want ErrUnknownFormat", err)
	}
	if got, _ := os.ReadFile(filepath.Join(other, "FORMAT")); string(got) != "something-else 9\n" {
		t.Errorf("FORMAT rewritten to %q", got)
	}
	if _, err := projections.Open(projections.Config{}); err == nil {
		t.Errorf("Open without a store: no error")
	}
}

func TestRunner_Changed(t *testing.T) {
	t.Parallel()
	store := mustStore(t)
	a := &appender{tb: t, store: store}
	a.add(org.Stream("o"), org.TeamCreated{Team: "T", Name: "T"}, org.TeamCreated{Team: "U", Name: "U", Parent: "T"},
		org.TeamCreated{Team: "V", Name: "V"}, org.MemberJoined{Member: "m1", Team: "U", Role: org.RoleEmployee})
	qs := allQuestions()
	a.add(survey.Stream("s"), survey.Created{Survey: "s", Team: "T", K: 3, Items: qs},
		survey.PulseOpened{Survey: "s", Pulse: "p", Questions: qs, OpenedAt: t0})
	// Folded while catching up: not reported.
	answer := func(id, day string) {
		a.add(survey.AnswerStream("p", id), survey.AnswerSubmitted{Answer: id, Survey: "s", Pulse: "p", Respondent: id,
			Team: "U", Day: day, Values: []survey.Value{{Key: qs[0].Key, Value: 3}}})
	}
	answer("a0", "2026-11-23")

	got := make(chan []projections.Change, 16)
	r, err := projections.Open(projections.Config{Store: store, Now: func() time.Time { return t0 },
		Changed: func(c []projections.Change) { got <- c }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop() })
	r.Start(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.WaitFor(ctx, a.last); err != nil {
		t.Fatal(err)
	}
	answer("a1", "2026-11-24")
	if err := r.WaitFor(ctx, a.last); err != nil {
		t.Fatal(err)
	}
	var changes []projections.Change
	select {
	case changes = <-got:
	case <-ctx.Done():
		t.Fatal("Changed was not called for a live answer")
	}
	want := []projections.Change{{Team: "U", Week: "2026-W48"}, {Team: "T", Week: "2026-W48"}}
	if !slices.Equal(changes, want) {
		t.Errorf("changes=%v, want %v (the team and every team above it, not the catch-up's)", changes, want)
	}
	select {
	case more := <-got:
		t.Errorf("extra call with %v (the catch-up is not reported)", more)
	default:
	}
}

func TestRebuild_OtherVersions(t *testing.T) {
	t.Parallel()
	store := mustStore(t)
	a := &appender{tb: t, store: store}
	a.add(org.Stream("o"), org.TeamCreated{Team: "T", Name: "T"})
	tests := []struct {
		name, format string
		wantErr      error
	}{
		{"OlderVersion", "empulse-projections 1\n", nil},
		{"NewerVersion", "empulse-projections 9\n", nil},
		{"Foreign", "empulse-events 1\n", projections.ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			stale := filepath.Join(dir, "pebble-of-another-version")
			if err := os.WriteFile(filepath.Join(dir, "FORMAT"), []byte(tt.format), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(stale, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := projections.Rebuild(context.Background(), projections.Config{Store: store, Dir: dir})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Rebuild: err=%v, want %v", err, tt.wantErr)
			}
			_, statErr := os.Stat(stale)
			if removed := os.IsNotExist(statErr); removed != (tt.wantErr == nil) {
				t.Errorf("stale file removed=%v, want %v", removed, tt.wantErr == nil)
			}
			if tt.wantErr != nil {
				return
			}
			r := mustOpen(t, store, dir)
			if hm, err := r.HeatMap(context.Background(), "T", "2026-W48", nil); err != nil || len(hm.Rows) != 1 {
				t.Errorf("after the rebuild: heat map rows=%d, %v; want team T", len(hm.Rows), err)
			}
		})
	}
}
