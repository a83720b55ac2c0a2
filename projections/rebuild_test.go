package projections_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/projections"
)

// queries returns every query's answer on r, encoded, for comparing
// projections: the heat map of each week and each team's series.
func queries(t *testing.T, r *projections.Runner, teams []string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	put := func(name string, v any, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(b)
	}
	from, to, err := r.Period("2026-W44", "2026-W50")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []projections.Week{"2026-W45", "2026-W46", "2026-W47", "2026-W48"} {
		hm, err := r.HeatMap(ctx, "", w, nil)
		put("heat "+string(w), hm, err)
	}
	for _, team := range teams {
		s, err := r.TeamSeries(ctx, team, from, to, 4)
		put("series "+team, s, err)
	}
	o, err := r.Overview(ctx, from, to, 0)
	put("overview", o, err)
	return out
}

// TestRebuild_EqualsIncremental checks, on randomised histories, that a
// projection folded bit by bit, with restarts between the bits, holds
// exactly the state (on disk and in every query) of one rebuilt from
// position 0.
func TestRebuild_EqualsIncremental(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 12; seed++ {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store := mustStore(t)
			h := newHistory(t, store, seed)
			dir := filepath.Join(t.TempDir(), "incremental")
			r, err := projections.Open(projections.Config{Store: store, Dir: dir, SaveEvery: 1 + int(seed%7),
				Shuffle: func(int, func(int, int)) {}})
			if err != nil {
				t.Fatal(err)
			}
			steps := 150 + h.rng.IntN(250)
			for i := 0; i < steps; {
				for n := h.rng.IntN(40); n > 0 && i < steps; n-- {
					h.step()
					i++
				}
				switch h.rng.IntN(4) {
				case 3: // crash in the middle of catching up
					cctx, cancel := context.WithCancel(ctx)
					r.Start(cctx)
					h.step()
					i++
					if err := projections.Crash(r); err != nil {
						t.Fatal(err)
					}
					cancel()
					if r, err = projections.Open(projections.Config{Store: store, Dir: dir, SaveEvery: 1 + int(seed%7),
						Shuffle: func(int, func(int, int)) {}}); err != nil {
						t.Fatal(err)
					}
				case 0: // fold what is there
					if _, err := r.CatchUp(ctx); err != nil {
						t.Fatal(err)
					}
				case 1: // follow live for a while, then restart
					r.Start(ctx)
					h.step()
					i++
					wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
					err := r.WaitFor(wctx, h.a.last)
					cancel()
					if err != nil {
						t.Fatalf("WaitFor: %v", err)
					}
					fallthrough
				case 2: // restart, possibly with unsaved events folded
					if err := r.Stop(); err != nil {
						t.Fatal(err)
					}
					if r, err = projections.Open(projections.Config{Store: store, Dir: dir, SaveEvery: 1 + int(seed%7),
						Shuffle: func(int, func(int, int)) {}}); err != nil {
						t.Fatal(err)
					}
				}
			}
			if _, err := r.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			defer r.Stop()

			rebuiltDir := filepath.Join(t.TempDir(), "rebuilt")
			pos, err := projections.Rebuild(ctx, projections.Config{Store: store, Dir: rebuiltDir})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Position(); got != pos {
				t.Errorf("incremental position=%v, rebuilt %v", got, pos)
			}
			rb := mustOpen(t, store, rebuiltDir)

			got, err := projections.Dump(r)
			if err != nil {
				t.Fatal(err)
			}
			want, err := projections.Dump(rb)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) < 10 {
				t.Fatalf("rebuilt state has %d keys: the history generated too little", len(want))
			}
			if !maps.Equal(got, want) {
				for k, v := range want {
					if got[k] != v {
						t.Errorf("key %q: incremental %s, rebuilt %s", k, got[k], v)
					}
				}
				for k := range got {
					if _, ok := want[k]; !ok {
						t.Errorf("key %q only in the incremental state", k)
					}
				}
			}
			gq, wq := queries(t, r, h.teams), queries(t, rb, h.teams)
			shown := 0
			for _, v := range wq {
				shown += strings.Count(v, `"suppressed":false`)
			}
			if shown == 0 {
				t.Errorf("no figure shown in any query: the history is too small to compare scores")
			}
			for k, v := range wq {
				if gq[k] != v {
					t.Errorf("%s: incremental %s, rebuilt %s", k, gq[k], v)
				}
			}
		})
	}
}

// TestProjection_IgnoresRecordedTime folds one history recorded at two
// different times: the states must be equal, since the exact time an
// event was recorded must never reach the projection (only answers' days
// do).
func TestProjection_IgnoresRecordedTime(t *testing.T) {
	t.Parallel()
	dump := func(at time.Time) map[string]string {
		store, err := pebble.Open(t.TempDir(), pebble.Options{Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return at }})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		h := newHistory(t, store, 42)
		for range 300 {
			h.step()
		}
		r := mustOpen(t, store, "")
		if _, err := r.CatchUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		d, err := projections.Dump(r)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b := dump(t0), dump(t0.Add(37*time.Hour+13*time.Second))
	if len(a) == 0 || !maps.Equal(a, b) {
		t.Errorf("states differ with the recording time (%d and %d keys)", len(a), len(b))
	}
}
