package projections

import (
	"sort"
	"time"
)

// Releases keep the differencing attack off every read of the figures. A
// figure that moved after every answer could be read before and after a
// colleague answers, and the difference would be that colleague's answer
// (n=5 mean 60, n=6 mean 62: the sixth answer was 72). So each cell keeps,
// beside its live sums, the figures it last released (cell.Rel), and the
// queries show those:
//
//   - at fold time, a group of figures that share a respondent count is
//     released once at least releaseStep(k) answers have arrived since
//     its last release, so that shown figures move by that many answers
//     at a time;
//   - once the cell's ISO week has ended, a group shows its live figures
//     when at least boundaryMin answers are unreleased (never one), so the
//     week's last answers are not held back for good;
//   - an answer folded after its pulse's week has ended (its day lies in a
//     later week) first settles the pulse-week cell to what the end of the
//     week shows: every group with at least boundaryMin unreleased answers
//     is released. Such a cell then never holds more than two unreleased
//     answers, and reads made after the end move by two at a time, never
//     by the one answer just folded.
//
// Releases are decided by the fold alone, from the order of the events, so
// a rebuild releases exactly what the incremental fold did. Only the choice
// between released and live figures at a week's end reads the clock.
//
// The groups are engagement, wellbeing, WHO-5 (complete answers and low
// ones), eNPS (answers, promoters, detractors), each driver, participation
// (respondents; the invited members are not answers and stay live), and
// the answers with their comments, so that a comment does not appear just
// after one person answered. Recognition counts are named acts, not
// anonymous answers: they stay live.

// releaseStep returns the fewest new answers that release a group's
// figures while its week is open: max(3, ceil(k/2)), so never one. The live
// pushes' gate (web/live's Gate.Step) uses the same rule; the two packages
// are peers, so the rule is written in both.
func releaseStep(k int) int64 { return int64(max(3, (k+1)/2)) }

// boundaryMin is the fewest unreleased answers a group shows once its week
// has ended (web/live's BoundaryMin): two, so that no read differs from the
// one before by a single answer.
const boundaryMin = 2

// released is what a cell last released of its figures: each group as it
// was when it was last released.
type released struct {
	Answers     int64       `json:"answers,omitempty"`
	Comments    int         `json:"comments,omitempty"` // the first Comments of the cell's comments
	Engagement  acc         `json:"engagement"`
	Wellbeing   acc         `json:"wellbeing"`
	WHO5N       int64       `json:"who5_n,omitempty"`
	WHO5Low     int64       `json:"who5_low,omitempty"`
	ENPSN       int64       `json:"enps_n,omitempty"`
	Promoters   int64       `json:"promoters,omitempty"`
	Detractors  int64       `json:"detractors,omitempty"`
	Drivers     []driverAcc `json:"drivers,omitempty"`
	Respondents int64       `json:"respondents,omitempty"`
}

// release releases every group of c with at least step answers more than
// it last released, copying its live figures into c.Rel.
func (c *cell) release(step int64) {
	r := &c.Rel
	if c.Answers-r.Answers >= step {
		r.Answers, r.Comments = c.Answers, len(c.Comments)
	}
	if c.Engagement.N-r.Engagement.N >= step {
		r.Engagement.copyFrom(&c.Engagement)
	}
	if c.Wellbeing.N-r.Wellbeing.N >= step {
		r.Wellbeing.copyFrom(&c.Wellbeing)
	}
	if c.WHO5N-r.WHO5N >= step {
		r.WHO5N, r.WHO5Low = c.WHO5N, c.WHO5Low
	}
	if c.ENPSN-r.ENPSN >= step {
		r.ENPSN, r.Promoters, r.Detractors = c.ENPSN, c.Promoters, c.Detractors
	}
	for i := range c.Drivers {
		d := &c.Drivers[i]
		var n int64
		if ra := findDriver(r.Drivers, d.Name); ra != nil {
			n = ra.N
		}
		if d.Acc.N-n >= step {
			driverIn(&r.Drivers, d.Name).copyFrom(&d.Acc)
		}
	}
	if c.Respondents-r.Respondents >= step {
		r.Respondents = c.Respondents
	}
}

// shown returns the figures of c that the queries show: per group the
// released figures, or the live ones when the week has ended and at least
// boundaryMin answers are unreleased. K, the invited members and the
// recognition counts are always live. Drivers nothing was shown of are
// left out. The result shares its slices with c: it must not be changed.
func (c *cell) shown(ended bool) cell {
	r := &c.Rel
	live := func(n, rel int64) bool { return ended && n-rel >= boundaryMin }
	out := cell{K: c.K, Invited: c.Invited, Given: c.Given, Received: c.Received}
	if live(c.Answers, r.Answers) {
		out.Answers, out.Comments = c.Answers, c.Comments[:len(c.Comments):len(c.Comments)]
	} else {
		out.Answers, out.Comments = r.Answers, c.Comments[:r.Comments:r.Comments]
	}
	out.Engagement = r.Engagement
	if live(c.Engagement.N, r.Engagement.N) {
		out.Engagement = c.Engagement
	}
	out.Wellbeing = r.Wellbeing
	if live(c.Wellbeing.N, r.Wellbeing.N) {
		out.Wellbeing = c.Wellbeing
	}
	out.WHO5N, out.WHO5Low = r.WHO5N, r.WHO5Low
	if live(c.WHO5N, r.WHO5N) {
		out.WHO5N, out.WHO5Low = c.WHO5N, c.WHO5Low
	}
	out.ENPSN, out.Promoters, out.Detractors = r.ENPSN, r.Promoters, r.Detractors
	if live(c.ENPSN, r.ENPSN) {
		out.ENPSN, out.Promoters, out.Detractors = c.ENPSN, c.Promoters, c.Detractors
	}
	for i := range c.Drivers {
		d := &c.Drivers[i]
		var a acc
		if ra := findDriver(r.Drivers, d.Name); ra != nil {
			a = *ra
		}
		if live(d.Acc.N, a.N) {
			a = d.Acc
		}
		if a.N > 0 {
			out.Drivers = append(out.Drivers, driverAcc{Name: d.Name, Acc: a})
		}
	}
	out.Respondents = r.Respondents
	if live(c.Respondents, r.Respondents) {
		out.Respondents = c.Respondents
	}
	return out
}

// copyFrom makes a a copy of b that shares no memory with it.
func (a *acc) copyFrom(b *acc) {
	a.N, a.Items = b.N, b.Items
	a.Parts = append(a.Parts[:0], b.Parts...)
}

// findDriver returns the accumulator of driver name in ds (sorted by
// name), or nil.
func findDriver(ds []driverAcc, name string) *acc {
	i := sort.Search(len(ds), func(i int) bool { return ds[i].Name >= name })
	if i < len(ds) && ds[i].Name == name {
		return &ds[i].Acc
	}
	return nil
}

// driverIn returns the accumulator of driver name in *ds (sorted by name),
// adding it if needed.
func driverIn(ds *[]driverAcc, name string) *acc {
	if a := findDriver(*ds, name); a != nil {
		return a
	}
	i := sort.Search(len(*ds), func(i int) bool { return (*ds)[i].Name >= name })
	*ds = append(*ds, driverAcc{})
	copy((*ds)[i+1:], (*ds)[i:])
	(*ds)[i] = driverAcc{Name: name}
	return &(*ds)[i].Acc
}

// weekEnded reports whether ISO week w has ended at now: its end, the next
// Monday 00:00 UTC, is not after now. A malformed week has not ended.
func weekEnded(w Week, now time.Time) bool {
	_, monday, ok := ParseWeek(string(w))
	return ok && !now.Before(monday.AddDate(0, 0, 7))
}
