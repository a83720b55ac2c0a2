package live_test

import (
	"fmt"
	"testing"

	"github.com/empulse/empulse/web/live"
)

func TestGate_Step(t *testing.T) {
	tests := []struct {
		gate live.Gate
		want int
	}{
		{live.Gate{K: 0}, 3},
		{live.Gate{K: 3}, 3},
		{live.Gate{K: 5}, 3},
		{live.Gate{K: 6}, 3},
		{live.Gate{K: 7}, 4}, // ceil(7/2)
		{live.Gate{K: 10}, 5},
		{live.Gate{K: 11}, 6},
		{live.Gate{K: 5, MinNew: 8}, 8},
		{live.Gate{K: 10, MinNew: 2}, 5}, // MinNew only raises
	}
	for _, tt := range tests {
		if got := tt.gate.Step(); got != tt.want {
			t.Errorf("%+v.Step()=%d, want %d", tt.gate, got, tt.want)
		}
	}
}

func TestGate_DecideCount(t *testing.T) {
	tests := []struct {
		name      string
		k         int
		pushed, n int
		boundary  bool
		want      live.Decision
	}{
		{"EmptyGroup", 5, 0, 0, false, live.BelowK},
		{"BelowK", 5, 0, 4, false, live.BelowK},
		{"BelowKAtBoundary", 5, 0, 4, true, live.BelowK},
		{"FirstReachesK", 5, 0, 5, false, live.Push},
		{"FirstReachesSmallK", 3, 0, 3, false, live.Push},
		{"SmallKWaitsForStep", 2, 0, 2, false, live.Hold},
		{"SmallKAtBoundary", 2, 0, 2, true, live.Push},
		{"OneMore", 5, 5, 6, false, live.Hold},
		{"TwoMore", 5, 5, 7, false, live.Hold},
		{"ThreeMore", 5, 5, 8, false, live.Push},
		{"OneMoreAtBoundary", 5, 5, 6, true, live.Hold},
		{"TwoMoreAtBoundary", 5, 5, 7, true, live.Push},
		{"Unchanged", 5, 8, 8, false, live.Unchanged},
		{"UnchangedAtBoundary", 5, 8, 8, true, live.Unchanged},
		{"OneFewer", 5, 8, 7, false, live.Hold},
		{"ThreeFewer", 5, 9, 6, false, live.Push},
		{"FellBelowK", 5, 6, 4, false, live.BelowK},
		{"LargeKStep", 12, 12, 17, false, live.Hold},
		{"LargeKStepReached", 12, 12, 18, false, live.Push},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := live.Gate{K: tt.k}.DecideCount(tt.pushed, tt.n, tt.boundary)
			if got != tt.want {
				t.Fatalf("DecideCount(%d, %d, %v) with k=%d = %v, want %v", tt.pushed, tt.n, tt.boundary, tt.k, got, tt.want)
			}
		})
	}
}

// TestGate_DecideCountExhaustive checks the gate's promises on every
// input in a range: a push never shows a group below k, never differs
// from the last by one answer, and outside a boundary by at least
// max(3, ceil(k/2)); and it holds nothing back that it could push.
func TestGate_DecideCountExhaustive(t *testing.T) {
	for k := 0; k <= 20; k++ {
		g := live.Gate{K: k}
		step := max(3, (k+1)/2)
		for pushed := 0; pushed <= 60; pushed++ {
			for n := 0; n <= 60; n++ {
				for _, boundary := range []bool{false, true} {
					got := g.DecideCount(pushed, n, boundary)
					d := max(n-pushed, pushed-n)
					var want live.Decision
					switch {
					case n < max(k, 1):
						want = live.BelowK
					case d == 0:
						want = live.Unchanged
					case d >= step || (boundary && d >= 2):
						want = live.Push
					default:
						want = live.Hold
					}
					if got != want {
						t.Fatalf("k=%d DecideCount(%d, %d, %v)=%v, want %v", k, pushed, n, boundary, got, want)
					}
					if got == live.Push && (n < k || d == 1 || (!boundary && d < step)) {
						t.Fatalf("k=%d DecideCount(%d, %d, %v) pushes a revealing change", k, pushed, n, boundary)
					}
				}
			}
		}
	}
}

func TestGate_Decide(t *testing.T) {
	g := live.Gate{K: 5}
	tests := []struct {
		name     string
		pushed   live.Counts
		shown    live.Counts
		boundary bool
		want     live.Decision
	}{
		{"NothingShown", nil, live.Counts{}, false, live.Unchanged},
		{"First", nil, live.Counts{"engagement": 5, "enps": 5}, false, live.Push},
		{"AllMovedEnough", live.Counts{"engagement": 5, "enps": 5}, live.Counts{"engagement": 8, "enps": 8}, false, live.Push},
		{"OneFigureMovedByOne", live.Counts{"engagement": 5, "enps": 5}, live.Counts{"engagement": 8, "enps": 6}, false, live.Hold},
		{"OneFigureUnchanged", live.Counts{"engagement": 5, "enps": 5}, live.Counts{"engagement": 8, "enps": 5}, false, live.Push},
		{"WithheldFigureIgnored", live.Counts{"engagement": 5, "enps": 5}, live.Counts{"engagement": 8}, false, live.Push},
		{"ReappearingFigureComparedWithLastShown", live.Counts{"engagement": 8, "enps": 5}, live.Counts{"engagement": 8, "enps": 6}, false, live.Hold},
		{"AnyBelowK", live.Counts{}, live.Counts{"engagement": 9, "enps": 4}, false, live.BelowK},
		{"BoundaryReleasesTwo", live.Counts{"engagement": 5}, live.Counts{"engagement": 7}, true, live.Push},
		{"BoundaryHoldsOne", live.Counts{"engagement": 5, "enps": 5}, live.Counts{"engagement": 7, "enps": 6}, true, live.Hold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := g.Decide(tt.pushed, tt.shown, tt.boundary); got != tt.want {
				t.Fatalf("Decide(%v, %v, %v)=%v, want %v", tt.pushed, tt.shown, tt.boundary, got, tt.want)
			}
		})
	}
}

func TestDecision_String(t *testing.T) {
	for d, want := range map[live.Decision]string{live.Hold: "hold", live.Push: "push", live.Unchanged: "unchanged", live.BelowK: "below k", 9: "unknown"} {
		if got := d.String(); got != want {
			t.Errorf("%s=%q, want %q", fmt.Sprint(int(d)), got, want)
		}
	}
}
