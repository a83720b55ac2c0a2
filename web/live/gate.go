package live

// Decision is what a Gate decides about pushing a group's figures.
type Decision int

const (
	// Hold keeps the last push: too few new answers have arrived since.
	Hold Decision = iota
	// Push pushes the new figures.
	Push
	// Unchanged means nothing new arrived: there is nothing to push.
	Unchanged
	// BelowK means a figure would be shown with fewer than k respondents:
	// nothing may be pushed. (The projections withhold such figures; the
	// gate refuses them too, as a second line.)
	BelowK
)

// String returns the decision's name.
func (d Decision) String() string {
	switch d {
	case Hold:
		return "hold"
	case Push:
		return "push"
	case Unchanged:
		return "unchanged"
	case BelowK:
		return "below k"
	}
	return "unknown"
}

// BoundaryMin is the fewest new answers pushed at a time boundary. It is
// 2, so that even there no push differs from the last by one answer.
const BoundaryMin = 2

// Counts maps each figure shown in a push (a metric, say) to the number
// of respondents behind it. Withheld figures are absent: they reveal no
// number.
type Counts map[string]int

// Gate decides when a group's new figures may be pushed live, so that no
// push can be differenced against the one before it to read off a single
// answer:
//   - nothing is pushed for a group below K;
//   - a figure is pushed only once at least Step() new answers have
//     arrived since it was last pushed (a change in either direction
//     counts);
//   - at a time boundary (the ISO week or the pulse has closed) at least
//     BoundaryMin suffice;
//   - so never after a single answer.
//
// Gate is a pure value: counts in, decision out; it keeps no state and
// reads no clock.
type Gate struct {
	// K is the smallest group whose figures may be shown (the survey's k);
	// values below 1 count as 1.
	K int
	// MinNew raises the new answers needed between two pushes above the
	// floor max(3, ceil(K/2)); 0 keeps the floor.
	MinNew int
}

// Step returns the new answers needed between two pushes outside a
// boundary: max(MinNew, 3, ceil(K/2)).
func (g Gate) Step() int { return max(g.MinNew, 3, (g.K+1)/2) }

// DecideCount decides for one figure last pushed with pushed respondents
// (0 if never) that now has n: BelowK when n < K, Unchanged when n equals
// pushed, Push when they differ by at least Step() (or BoundaryMin at a
// boundary), Hold otherwise.
func (g Gate) DecideCount(pushed, n int, boundary bool) Decision {
	if n < max(g.K, 1) {
		return BelowK
	}
	d := n - pushed
	if d < 0 {
		d = -d
	}
	switch {
	case d == 0:
		return Unchanged
	case d >= g.Step(), boundary && d >= BoundaryMin:
		return Push
	}
	return Hold
}

// Decide decides for a group whose figures were last pushed with the
// counts pushed and would now be shown with the counts shown. Figures
// absent from shown (withheld) take no part. It returns BelowK if any
// figure does, else Hold if any figure does (one figure that moved by a
// single answer holds the whole push), else Push if any figure has
// changed enough, else Unchanged.
func (g Gate) Decide(pushed, shown Counts, boundary bool) Decision {
	out := Unchanged
	for name, n := range shown {
		switch d := g.DecideCount(pushed[name], n, boundary); d {
		case BelowK:
			return BelowK
		case Hold:
			out = Hold
		case Push:
			if out == Unchanged {
				out = Push
			}
		}
	}
	return out
}
