package projections

import (
	"context"
	"math"

	"github.com/empulse/empulse/apperr"
)

// Figures is one group's figures per ISO week over a period, as plain
// numbers for statistics: exactly the values the queries show, and NaN
// wherever a figure is withheld. It holds no person's data and no count of
// respondents.
//
// The type is the projections' own, so that this package does not import
// the statistics; the caller converts it (see package correlations).
type Figures struct {
	// Team is the team's id; "" stands for the whole organisation.
	Team string
	// Name is the team's display name; "" for the whole organisation.
	Name string
	// Weeks are the weeks of the period, oldest first.
	Weeks []Week
	// Values holds, for each metric asked for, one value per week: the
	// shown figure (see Score.Value), or NaN where it is withheld.
	Values map[Metric][]float64
}

// LeafFigures returns the figures of metrics for every team without
// sub-teams in root's subtree (every such team of the organisation for
// root ""), in creation order, parents' subtrees first, over the weeks
// from from to to (as Period returns them).
//
// Only leaves are returned so that no team-week is counted twice: a
// parent's figures roll up its sub-teams', and the members who belong to a
// parent directly are never shown apart from its sub-teams. Suppression is
// the queries' own, decided over the whole organisation; a withheld
// figure is NaN. It returns NotFound (field "team") for an unknown root
// and ctx's error.
func (r *Runner) LeafFigures(ctx context.Context, root string, from, to Week, metrics []Metric) ([]Figures, error) {
	return r.figures(ctx, from, to, metrics, func() ([]string, error) {
		var teams []string
		if root == orgNode {
			for _, rt := range r.st.roots {
				teams = append(teams, r.st.subtree(rt)...)
			}
		} else if teams = r.st.subtree(root); teams == nil {
			return nil, errUnknownTeam
		}
		leaves := teams[:0:0]
		for _, id := range teams {
			if len(r.st.teams[id].children) == 0 {
				leaves = append(leaves, id)
			}
		}
		return leaves, nil
	})
}

// BranchFigures returns the figures of metrics of root's subtree rolled
// up, followed by those of each of its direct sub-teams (their subtrees
// rolled up), in creation order, over the weeks from from to to. Root ""
// is the whole organisation, whose sub-teams are the top-level teams. A
// withheld figure is NaN. It returns NotFound (field "team") for an
// unknown root and ctx's error.
func (r *Runner) BranchFigures(ctx context.Context, root string, from, to Week, metrics []Metric) ([]Figures, error) {
	return r.figures(ctx, from, to, metrics, func() ([]string, error) {
		if root == orgNode {
			return append([]string{orgNode}, r.st.roots...), nil
		}
		t, ok := r.st.teams[root]
		if !ok {
			return nil, errUnknownTeam
		}
		return append([]string{root}, t.children...), nil
	})
}

// figures returns the figures of the nodes that pick chooses, under the
// read lock, so that the teams and the figures are of one moment.
func (r *Runner) figures(ctx context.Context, from, to Week, metrics []Metric, pick func() ([]string, error)) ([]Figures, error) {
	_, fromT, ok1 := ParseWeek(string(from))
	_, toT, ok2 := ParseWeek(string(to))
	if !ok1 || !ok2 {
		return nil, errBadWeek
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	nodes, err := pick()
	if err != nil {
		return nil, err
	}
	weeks := weeksBetween(fromT, toT)
	views := make([]*weekView, len(weeks))
	for i, w := range weeks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		views[i] = r.view(w)
	}
	out := make([]Figures, len(nodes))
	for n, id := range nodes {
		f := Figures{Team: id, Weeks: weeks, Values: make(map[Metric][]float64, len(metrics))}
		if t := r.st.teams[id]; t != nil {
			f.Name = t.Name
		}
		for _, m := range metrics {
			vals := make([]float64, len(weeks))
			for i, v := range views {
				x, shown := v.score(v.t.index[id], m).Value()
				if !shown {
					x = math.NaN()
				}
				vals[i] = x
			}
			f.Values[m] = vals
		}
		out[n] = f
	}
	return out, nil
}

// errBadWeek is returned for a period that is not two ISO weeks.
var errBadWeek = apperr.Field("from", "must be an ISO week like 2026-W48")

// MinK returns the smallest anonymity threshold k of the surveys the
// projection knows, 0 when there are none: no figure shown is from a group
// smaller than it.
func (r *Runner) MinK() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	k := 0
	for _, s := range r.st.surveys {
		if s.K > 0 && (k == 0 || s.K < k) {
			k = s.K
		}
	}
	return k
}
