package analysis

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Pair is an ordered pair of variables: X is paired with Y, and a positive
// lag means X leads Y.
type Pair struct {
	X, Y Variable
}

// DefaultPairs are the pairs of a Table when TableOptions.Pairs is nil:
// recognition received per member per week against each score.
var DefaultPairs = []Pair{
	{Recognition, Engagement},
	{Recognition, Wellbeing},
	{Recognition, ENPS},
	{Recognition, Participation},
}

// DefaultLags are the lags of a Table when TableOptions.Lags is nil: 0 to 4
// weeks in both directions, -4..4.
var DefaultLags = []int{-4, -3, -2, -1, 0, 1, 2, 3, 4}

// TableOptions configures Table. The zero value selects the defaults.
type TableOptions struct {
	// MinN is the minimum n of every test; 0 means DefaultMinN.
	MinN int
	// Pairs are the variable pairs to correlate; nil means DefaultPairs.
	Pairs []Pair
	// Lags are the lags, in weeks, of the pooled and within-team rows (see
	// LagPairs); nil means DefaultLags.
	Lags []int
}

// Row is one line of a correlation table. It describes an association
// between two team-week variables and never identifies a person: n counts
// team-week pairs, Teams counts teams.
type Row struct {
	// Method is the statistic.
	Method Method
	// X and Y are the variables; Lag is the lag of Y after X in weeks (see
	// LagPairs).
	X, Y Variable
	Lag  int
	// N is the number of complete team-week pairs, Teams the number of teams
	// they come from, DF the degrees of freedom of the test.
	N, Teams, DF int
	// R is the coefficient and [CILow, CIHigh] its 95% interval.
	R, CILow, CIHigh float64
	// P is the two-sided p-value, PAdj the Benjamini-Hochberg adjusted
	// p-value across all rows of the table.
	P, PAdj float64
	// Reason is empty when R is reported, and otherwise says why not; then R,
	// the interval, P and PAdj are NaN.
	Reason string
}

// Table computes the correlation table of data, the team-week series of the
// teams being analysed (one Series per team). For every pair and every lag it
// gives, in this order, the pooled Pearson and Spearman correlations of the
// lagged pairs and their repeated-measures correlation (RMCorr); after the
// lags of a pair comes one between-team row (BetweenTeams), computed from the
// lag-0 pairs and reported with Lag 0. Lagged pairs are formed as by
// LagPairs, so rows equal Lagged with the same arguments.
//
// Finally the p-values of all rows are adjusted together with AdjustBH, the
// whole table being one family; rows without a coefficient have NaN P and
// PAdj and do not count in the adjustment.
//
// Each variable is sorted once; every pair and lag then costs time linear in
// the number of team-weeks, Spearman ranks included. Table uses up to two
// goroutines. It panics if a Series breaks its preconditions or opts names an
// unknown variable.
func Table(data []Series, opts TableOptions) []Row {
	pairs := opts.Pairs
	if pairs == nil {
		pairs = DefaultPairs
	}
	lags := opts.Lags
	if lags == nil {
		lags = DefaultLags
	}
	minN := effectiveMinN(opts.MinN)
	for _, p := range pairs {
		checkVariable(p.X)
		checkVariable(p.Y)
	}
	f := newFlat(data, pairs)

	// One job per pair and lag, plus one per pair for the between-team row.
	type job struct {
		pair    int
		lag     int
		between bool
		out     []Row // where its rows go
	}
	perPair := 3*len(lags) + 1
	rows := make([]Row, len(pairs)*perPair)
	jobs := make([]job, 0, len(pairs)*(len(lags)+1))
	for pi := range pairs {
		base := rows[pi*perPair:]
		for li, lag := range lags {
			jobs = append(jobs, job{pair: pi, lag: lag, out: base[3*li : 3*li+3]})
		}
		jobs = append(jobs, job{pair: pi, between: true, out: base[3*len(lags) : 3*len(lags)+1]})
	}

	workers := min(2, runtime.GOMAXPROCS(0), len(jobs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			w := newWorker(f)
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				j := jobs[i]
				p := pairs[j.pair]
				if j.between {
					w.pairs(p, 0)
					j.out[0] = makeRow(MethodBetweenTeams, p, 0, w.between(minN))
					continue
				}
				w.pairs(p, j.lag)
				j.out[0] = makeRow(MethodPearson, p, j.lag, w.pearson(minN))
				j.out[1] = makeRow(MethodSpearman, p, j.lag, w.spearman(p, minN))
				j.out[2] = makeRow(MethodRMCorr, p, j.lag, w.rmcorr(minN))
			}
		})
	}
	wg.Wait()

	ps := make([]float64, len(rows))
	for i := range rows {
		ps[i] = rows[i].P
	}
	AdjustBH(ps, ps)
	for i := range rows {
		rows[i].PAdj = ps[i]
	}
	return rows
}

func makeRow(m Method, p Pair, lag int, r Result) Row {
	return Row{
		Method: m, X: p.X, Y: p.Y, Lag: lag,
		N: r.N, Teams: r.Groups, DF: r.DF,
		R: r.R, CILow: r.CILow, CIHigh: r.CIHigh,
		P: r.P, PAdj: nan, Reason: r.Reason,
	}
}

// flat is data laid out for Table: all team-weeks of all teams in one index
// space, each variable's values flat, and each value's class: the position of
// its value among the variable's distinct values, so that Spearman ranks need
// no sorting per lag.
type flat struct {
	data    []Series
	start   []int  // start[t] is the flat index of team t's first week
	dense   []bool // dense[t]: team t's weeks are consecutive
	vals    [NumVariables][]float64
	class   [NumVariables][]int32 // -1 for NaN
	classes [NumVariables]int     // number of distinct values
}

func newFlat(data []Series, pairs []Pair) *flat {
	f := &flat{data: data, start: make([]int, len(data)+1), dense: make([]bool, len(data))}
	total := 0
	for i := range data {
		s := &data[i]
		s.Validate()
		f.start[i] = total
		total += len(s.Week)
		f.dense[i] = len(s.Week) == 0 || s.Week[len(s.Week)-1]-s.Week[0] == len(s.Week)-1
	}
	f.start[len(data)] = total
	if total > math.MaxInt32 {
		panic("analysis: more than 2^31-1 team-weeks")
	}
	var used []Variable
	var seen [NumVariables]bool
	for _, p := range pairs {
		for _, v := range []Variable{p.X, p.Y} {
			if !seen[v] {
				seen[v] = true
				used = append(used, v)
			}
		}
	}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for k := w; k < len(used); k += 2 {
				f.layout(used[k], total)
			}
		})
	}
	wg.Wait()
	return f
}

// layout fills the flat values and classes of v.
func (f *flat) layout(v Variable, total int) {
	vals := make([]float64, total)
	for i := range f.data {
		src := f.data[i].Values[v]
		dst := vals[f.start[i]:f.start[i+1]]
		if src == nil {
			for k := range dst {
				dst[k] = nan
			}
			continue
		}
		copy(dst, src)
	}
	// Sort the non-NaN values with their flat indices, then number the runs
	// of equal values.
	type item struct {
		x float64
		i int32
	}
	items := make([]item, 0, total)
	for k, x := range vals {
		if !math.IsNaN(x) {
			items = append(items, item{x, int32(k)})
		}
	}
	slices.SortFunc(items, func(a, b item) int {
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		}
		return 0
	})
	class := make([]int32, total)
	for k, x := range vals {
		if math.IsNaN(x) {
			class[k] = -1
		}
	}
	c := int32(-1)
	for k, it := range items {
		if k == 0 || it.x != items[k-1].x {
			c++
		}
		class[it.i] = c
	}
	distinct := int(c + 1)
	f.vals[v], f.class[v], f.classes[v] = vals, class, distinct
}

// worker holds one goroutine's buffers.
type worker struct {
	f      *flat
	gx, gy []int32   // flat indices of the current pairs
	px, py []float64 // their values
	team   []int     // team[t] is the first pair of the t-th team with pairs
	count  []float64 // per class: count, then average rank
	rx, ry []float64 // ranks
}

func newWorker(f *flat) *worker {
	n := f.start[len(f.start)-1]
	return &worker{
		f:  f,
		gx: make([]int32, 0, n), gy: make([]int32, 0, n),
		px: make([]float64, 0, n), py: make([]float64, 0, n),
		rx: make([]float64, 0, n), ry: make([]float64, 0, n),
		count: make([]float64, 0, n),
	}
}

// pairs forms the lagged pairs of p in every team, as LagPairs does.
func (w *worker) pairs(p Pair, lag int) {
	f := w.f
	w.gx, w.gy, w.px, w.py, w.team = w.gx[:0], w.gy[:0], w.px[:0], w.py[:0], w.team[:0]
	xs, ys := f.vals[p.X], f.vals[p.Y]
	add := func(i, j int) {
		x, y := xs[i], ys[j]
		if math.IsNaN(x) || math.IsNaN(y) {
			return
		}
		w.gx = append(w.gx, int32(i))
		w.gy = append(w.gy, int32(j))
		w.px = append(w.px, x)
		w.py = append(w.py, y)
	}
	for t := range f.data {
		off, end := f.start[t], f.start[t+1]
		first := len(w.gx)
		if f.dense[t] {
			// Week i+lag is at position i+lag.
			for i := off + max(0, -lag); i < end-max(0, lag); i++ {
				add(i, i+lag)
			}
		} else {
			week := f.data[t].Week
			j := 0
			for i, wk := range week {
				target := wk + lag
				for j < len(week) && week[j] < target {
					j++
				}
				if j == len(week) {
					break
				}
				if week[j] == target {
					add(off+i, off+j)
				}
			}
		}
		if len(w.gx) > first {
			w.team = append(w.team, first)
		}
	}
	w.team = append(w.team, len(w.gx))
}

func (w *worker) pearson(minN int) Result {
	r := pearsonComplete(w.px, w.py, minN)
	r.Groups = len(w.team) - 1
	return r
}

func (w *worker) spearman(p Pair, minN int) Result {
	n, teams := len(w.px), len(w.team)-1
	if n < minN {
		return withReason(n, teams, max(n-2, 0), "n=%d below minimum %d", n, minN)
	}
	if reason := constantReason(allEqual(w.px), allEqual(w.py)); reason != "" {
		return withReason(n, teams, n-2, "%s", reason)
	}
	w.rx = w.rank(w.rx, w.gx, p.X)
	w.ry = w.rank(w.ry, w.gy, p.Y)
	sxx, syy, sxy := corrSums(w.rx, w.ry)
	return correlationResult(n, teams, sxx, syy, sxy, math.Sqrt(spearmanVar/float64(n-3)))
}

// rank returns the average ranks of the values at flat indices g of variable
// v, by counting the values of each class (distinct value) in g: the values
// of class c get rank below(c) + (count(c)+1)/2, where below(c) counts the
// values of smaller classes.
func (w *worker) rank(dst []float64, g []int32, v Variable) []float64 {
	class := w.f.class[v]
	count := slices.Grow(w.count[:0], w.f.classes[v])[:w.f.classes[v]]
	clear(count)
	for _, gi := range g {
		count[class[gi]]++
	}
	below := 0.0
	for c, m := range count {
		count[c] = below + (m+1)/2
		below += m
	}
	dst = slices.Grow(dst[:0], len(g))[:len(g)]
	for k, gi := range g {
		dst[k] = count[class[gi]]
	}
	w.count = count
	return dst
}

func (w *worker) rmcorr(minN int) Result {
	var acc rmAcc
	for t := 0; t+1 < len(w.team); t++ {
		a, b := w.team[t], w.team[t+1]
		acc.addComplete(w.px[a:b], w.py[a:b])
	}
	return acc.result(minN)
}

func (w *worker) between(minN int) Result {
	k := len(w.team) - 1
	mx := make([]float64, 0, k)
	my := make([]float64, 0, k)
	for t := 0; t < k; t++ {
		a, b := w.team[t], w.team[t+1]
		var sx, sy float64
		for i := a; i < b; i++ {
			sx += w.px[i]
			sy += w.py[i]
		}
		mx = append(mx, sx/float64(b-a))
		my = append(my, sy/float64(b-a))
	}
	return betweenResult(mx, my, len(w.px), allEqual(w.px), allEqual(w.py), minN)
}
