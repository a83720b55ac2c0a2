package projections

import (
	"fmt"
	"strings"
)

// part is the sum of answers on one scale width: each answer rescaled to
// 0..D (reversed where the item is reverse-scored) and added up. Keeping
// the integer sums per width, rather than an average, keeps scores exact
// however the sums are combined.
type part struct {
	D   int64 `json:"d"`
	Sum int64 `json:"s"`
}

// acc accumulates a 0-100 score exactly: the item answers counted, the
// respondents (answers that had at least one item of the score), and the
// integer sums per scale width.
type acc struct {
	N     int64  `json:"n"`
	Items int64  `json:"i"`
	Parts []part `json:"p,omitempty"`
}

// add counts one item answer v on a scale of width d (already shifted to
// 0..d and reversed if needed).
func (a *acc) add(v, d int64) {
	a.Items++
	for i := range a.Parts {
		if a.Parts[i].D == d {
			a.Parts[i].Sum += v
			return
		}
	}
	a.insert(part{D: d, Sum: v})
}

// insert adds a part of a width a has not, keeping Parts sorted by width.
func (a *acc) insert(p part) {
	i := len(a.Parts)
	for i > 0 && a.Parts[i-1].D > p.D {
		i--
	}
	a.Parts = append(a.Parts, part{})
	copy(a.Parts[i+1:], a.Parts[i:])
	a.Parts[i] = p
}

// merge adds b into a.
func (a *acc) merge(b *acc) {
	a.N += b.N
	a.Items += b.Items
	for _, p := range b.Parts {
		found := false
		for i := range a.Parts {
			if a.Parts[i].D == p.D {
				a.Parts[i].Sum += p.Sum
				found = true
				break
			}
		}
		if !found {
			a.insert(p)
		}
	}
}

// score returns the mean item answer on 0-100: 100 × Σ(sum/d) / items,
// computed over a common denominator so that it is the same however the
// answers were added. It returns 0 for no items.
func (a *acc) score() float64 {
	if a.Items == 0 {
		return 0
	}
	l := int64(1)
	for _, p := range a.Parts {
		l = lcm(l, p.D)
	}
	var num int64
	for _, p := range a.Parts {
		num += p.Sum * (l / p.D)
	}
	return 100 * float64(num) / float64(l*a.Items)
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int64) int64 { return a / gcd(a, b) * b }

// driverAcc is one driver's accumulator, kept in a slice sorted by name so
// that the state encodes the same way however it was built.
type driverAcc struct {
	Name string `json:"name"`
	Acc  acc    `json:"acc"`
}

// cell is everything the projection keeps of one team in one ISO week,
// counting only what the team itself holds (not its subtree): sums and
// counts, never averages, so that roll-ups and rebuilds are exact.
type cell struct {
	// K is the largest k of the surveys that contributed to the cell.
	K int `json:"k"`
	// Answers counts the answers given in the team in the week.
	Answers     int64       `json:"answers"`
	Engagement  acc         `json:"engagement"`
	Wellbeing   acc         `json:"wellbeing"`
	WHO5N       int64       `json:"who5_n"`   // answers with all five WHO-5 items
	WHO5Low     int64       `json:"who5_low"` // of those, the ones scoring <= 50
	ENPSN       int64       `json:"enps_n"`
	Promoters   int64       `json:"promoters"`
	Detractors  int64       `json:"detractors"`
	Drivers     []driverAcc `json:"drivers,omitempty"`
	Invited     int64       `json:"invited"`     // members invited to the pulses opened this week
	Respondents int64       `json:"respondents"` // answers to the pulses opened this week
	Given       int64       `json:"given"`       // recognitions given by the team's members
	Received    int64       `json:"received"`    // recognitions received by the team's members
	// Comments are saved apart from the cell, one key each (db.go), so
	// that saving a cell after an answer costs the same however many
	// comments it holds.
	Comments []comment `json:"-"`
	// savedComments counts the comments already saved.
	savedComments int
	// Rel is what the cell last released of the figures above, which the
	// queries show (see release.go).
	Rel released `json:"rel"`
	// dirty marks a cell changed since the last save.
	dirty bool
}

// comment is a sealed comment and what opening it needs. It never leaves
// the package sealed.
type comment struct {
	Pulse      string `json:"pulse"`
	Respondent string `json:"respondent"`
	Sealed     []byte `json:"sealed"`
}

// driver returns the accumulator of driver name, adding it if needed.
func (c *cell) driver(name string) *acc { return driverIn(&c.Drivers, name) }

// merge adds b into c, for roll-ups. Comments are not merged: they are
// gathered separately, only where they may be shown. Neither is Rel:
// roll-ups are made of what the cells show.
func (c *cell) merge(b *cell) {
	c.K = max(c.K, b.K)
	c.Answers += b.Answers
	c.Engagement.merge(&b.Engagement)
	c.Wellbeing.merge(&b.Wellbeing)
	c.WHO5N += b.WHO5N
	c.WHO5Low += b.WHO5Low
	c.ENPSN += b.ENPSN
	c.Promoters += b.Promoters
	c.Detractors += b.Detractors
	for i := range b.Drivers {
		c.driver(b.Drivers[i].Name).merge(&b.Drivers[i].Acc)
	}
	c.Invited += b.Invited
	c.Respondents += b.Respondents
	c.Given += b.Given
	c.Received += b.Received
}

// Metric names a figure the query layer returns.
type Metric string

// The metrics. A driver's metric is "driver:<name>".
const (
	MetricEngagement     Metric = "engagement"
	MetricWellbeing      Metric = "wellbeing"
	MetricWellbeingLow   Metric = "wellbeing_low_share"
	MetricENPS           Metric = "enps"
	MetricParticipation  Metric = "participation"
	MetricGivenPerMember Metric = "recognitions_given_per_member"
	MetricRecvPerMember  Metric = "recognitions_received_per_member"
	driverPrefix                = "driver:"
)

// DriverMetric returns the metric of the driver name.
func DriverMetric(name string) Metric { return Metric(driverPrefix + name) }

// BaseMetrics are the metrics every query returns, drivers apart.
var BaseMetrics = []Metric{MetricEngagement, MetricWellbeing, MetricWellbeingLow, MetricENPS,
	MetricParticipation, MetricGivenPerMember, MetricRecvPerMember}

// ParseMetrics returns the comma-separated metric names of s, or an error
// naming the first unknown one. A driver is named "driver:<name>".
func ParseMetrics(s string) ([]Metric, error) {
	var out []Metric
	for _, name := range strings.Split(s, ",") {
		m := Metric(strings.TrimSpace(name))
		if !m.valid() {
			return nil, fmt.Errorf("unknown metric %q", m)
		}
		out = append(out, m)
	}
	return out, nil
}

// valid reports whether m is a known metric or a well-formed driver name.
func (m Metric) valid() bool {
	for _, b := range BaseMetrics {
		if m == b {
			return true
		}
	}
	d, ok := strings.CutPrefix(string(m), driverPrefix)
	return ok && d != "" && len(d) <= 64 && !strings.ContainsAny(d, " ,")
}

// isRecognition reports whether m counts recognitions, which are named
// acts rather than anonymous answers and so have no minimum group size.
func (m Metric) isRecognition() bool { return m == MetricGivenPerMember || m == MetricRecvPerMember }

// count returns the respondents behind m in c (0 for recognition
// metrics, which have none).
func (c *cell) count(m Metric) int64 {
	switch m {
	case MetricEngagement:
		return c.Engagement.N
	case MetricWellbeing:
		return c.Wellbeing.N
	case MetricWellbeingLow:
		return c.WHO5N
	case MetricENPS:
		return c.ENPSN
	case MetricParticipation:
		return c.Respondents
	case MetricGivenPerMember, MetricRecvPerMember:
		return 0
	}
	if a := findDriver(c.Drivers, strings.TrimPrefix(string(m), driverPrefix)); a != nil {
		return a.N
	}
	return 0
}

// figure returns m's value and respondent count in the rolled-up cell c
// (for per-member recognition figures, the value per member and members,
// the current members of the group).
func (c *cell) figure(m Metric, members int64) (v float64, n int64) {
	switch m {
	case MetricEngagement:
		return c.Engagement.score(), c.Engagement.N
	case MetricWellbeing:
		return c.Wellbeing.score(), c.Wellbeing.N
	case MetricWellbeingLow:
		if c.WHO5N == 0 {
			return 0, 0
		}
		return 100 * float64(c.WHO5Low) / float64(c.WHO5N), c.WHO5N
	case MetricENPS:
		if c.ENPSN == 0 {
			return 0, 0
		}
		return float64(c.Promoters-c.Detractors) * 100 / float64(c.ENPSN), c.ENPSN
	case MetricParticipation:
		if c.Invited == 0 {
			return 0, c.Respondents
		}
		return 100 * float64(c.Respondents) / float64(c.Invited), c.Respondents
	case MetricGivenPerMember, MetricRecvPerMember:
		x := c.Given
		if m == MetricRecvPerMember {
			x = c.Received
		}
		if members == 0 {
			return 0, members
		}
		return float64(x) / float64(members), members
	}
	if a := findDriver(c.Drivers, strings.TrimPrefix(string(m), driverPrefix)); a != nil {
		return a.score(), a.N
	}
	return 0, 0
}
