package projections

import (
	"strings"
	"sync"
)

// tree is the organisation's team hierarchy numbered for queries: node 0
// is the organisation (orgNode), then every team, parents first. It is
// rebuilt only when teams or members change.
type tree struct {
	orgGen   uint64
	ids      []string
	index    map[string]int
	parent   []int // -1 for node 0
	children [][]int
	members  []int64 // current members of each node's subtree
}

// weekView is one week of the whole organisation, rolled up: what every
// query of that week reads. It is built under the read lock from what each
// cell shows (cell.shown: its released figures, or at the week's end the
// live ones where enough are unreleased), owns copies of everything it
// holds but the comments (which are never changed), and is cached until
// the week or the organisation changes or the week ends.
type weekView struct {
	gen     uint64
	ended   bool
	t       *tree
	direct  []cell   // each node's own cell as shown (copied; Comments shared)
	roll    []cell   // each node's subtree
	drivers []string // drivers shown this week, sorted

	mu     sync.Mutex
	hidden map[Metric][]string
}

// treeOf returns the numbered hierarchy of the state, cached. The caller
// holds r.mu for reading.
func (r *Runner) treeOf() *tree {
	r.cacheMu.Lock()
	t := r.tree
	r.cacheMu.Unlock()
	if t != nil && t.orgGen == r.st.orgGen {
		return t
	}
	s := r.st
	t = &tree{orgGen: s.orgGen, ids: []string{orgNode}, index: map[string]int{orgNode: 0}, parent: []int{-1}}
	for _, root := range s.roots {
		for _, id := range s.subtree(root) {
			t.index[id] = len(t.ids)
			t.ids = append(t.ids, id)
		}
	}
	t.children = make([][]int, len(t.ids))
	t.members = make([]int64, len(t.ids))
	for i, id := range t.ids[1:] {
		i++
		tr := s.teams[id]
		p, ok := t.index[tr.Parent]
		if !ok || tr.Parent == orgNode || p >= i { // a parent is met before its children
			p = 0
		}
		t.parent = append(t.parent, p)
		t.children[p] = append(t.children[p], i)
		t.members[i] = tr.Members
	}
	for i := len(t.ids) - 1; i > 0; i-- {
		t.members[t.parent[i]] += t.members[i]
	}
	r.cacheMu.Lock()
	r.tree = t
	r.cacheMu.Unlock()
	return t
}

// view returns the week's view, from the cache when neither the week nor
// the organisation has changed since it was built, nor the week ended.
// The caller holds r.mu for reading.
func (r *Runner) view(w Week) *weekView {
	t := r.treeOf()
	var gen uint64
	if wc := r.st.weeks[w]; wc != nil {
		gen = wc.gen
	}
	ended := weekEnded(w, r.cfg.Now())
	r.cacheMu.Lock()
	v := r.cache[w]
	r.cacheMu.Unlock()
	if v != nil && v.gen == gen && v.t == t && v.ended == ended {
		return v
	}
	v = buildView(r.st, t, w, gen, ended, r.show)
	r.cacheMu.Lock()
	if len(r.cache) > 256 {
		clear(r.cache)
	}
	r.cache[w] = v
	r.cacheMu.Unlock()
	return v
}

// buildView rolls what the cells of week w of s show (show(cell, ended))
// up every subtree of t.
func buildView(s *state, t *tree, w Week, gen uint64, ended bool, show func(*cell, bool) cell) *weekView {
	n := len(t.ids)
	v := &weekView{gen: gen, ended: ended, t: t, direct: make([]cell, n), roll: make([]cell, n), hidden: map[Metric][]string{}}
	drivers := map[string]bool{}
	var cells map[string]*cell
	if wc := s.weeks[w]; wc != nil {
		cells = wc.cells
	}
	for id, c := range cells {
		i, ok := t.index[id]
		if !ok || i == 0 {
			continue
		}
		sc := show(c, ended)
		v.direct[i].merge(&sc)
		v.direct[i].Comments = sc.Comments
		v.roll[i].merge(&sc)
		for _, dr := range sc.Drivers {
			drivers[dr.Name] = true
		}
	}
	for i := n - 1; i > 0; i-- {
		v.roll[t.parent[i]].merge(&v.roll[i])
	}
	v.drivers = sortedKeys(drivers)
	return v
}

// hiddenFor returns each node's reason to withhold metric m this week, ""
// where it is shown (see suppress). Recognition metrics count named acts,
// not anonymous answers: only teams without members withhold them.
func (v *weekView) hiddenFor(m Metric) []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if h, ok := v.hidden[m]; ok {
		return h
	}
	h := make([]string, len(v.roll))
	if m.isRecognition() {
		for i, n := range v.t.members {
			if n == 0 {
				h[i] = ReasonNoMembers
			}
		}
	} else {
		groups := make([]group, len(v.roll))
		for i := range v.roll {
			groups[i] = group{n: v.roll[i].count(m), k: int64(v.roll[i].K), directN: v.direct[i].count(m), directK: int64(v.direct[i].K)}
		}
		h = suppress(groups, v.t.children, v.t.ids)
	}
	v.hidden[m] = h
	return h
}

// commentsHidden returns each node's reason to withhold its comments:
// groups of fewer than max(k, 10) answers, with the same complementary
// suppression as figures, since comments can be subtracted too.
func (v *weekView) commentsHidden() []string {
	const key = Metric("comments")
	v.mu.Lock()
	defer v.mu.Unlock()
	if h, ok := v.hidden[key]; ok {
		return h
	}
	groups := make([]group, len(v.roll))
	for i := range v.roll {
		groups[i] = group{n: v.roll[i].Answers, k: int64(max(v.roll[i].K, minCommentGroup)),
			directN: v.direct[i].Answers, directK: int64(max(v.direct[i].K, minCommentGroup))}
	}
	h := suppress(groups, v.t.children, v.t.ids)
	for i, reason := range h {
		if reason == ReasonFewerThanK {
			h[i] = ReasonFewerThanComments
		}
	}
	v.hidden[key] = h
	return h
}

// minCommentGroup is the least number of answers a group needs for its
// comments to be shown, whatever its k.
const minCommentGroup = 10

// score returns node i's figure for m, or the reason it is withheld.
func (v *weekView) score(i int, m Metric) Score {
	if reason := v.hiddenFor(m)[i]; reason != "" {
		return withheld(reason)
	}
	if m == MetricParticipation && v.roll[i].Invited == 0 {
		return withheld(ReasonNoneInvited)
	}
	x, n := v.roll[i].figure(m, v.t.members[i])
	return shown(x, n)
}

// metricsOf returns the base metrics and those of the drivers answered in
// the week.
func (v *weekView) metricsOf() []Metric {
	out := append([]Metric(nil), BaseMetrics...)
	for _, d := range v.drivers {
		out = append(out, DriverMetric(d))
	}
	return out
}

// isDriver reports whether m names a driver.
func isDriver(m Metric) bool { return strings.HasPrefix(string(m), driverPrefix) }
