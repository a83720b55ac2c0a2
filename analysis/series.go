package analysis

import (
	"fmt"
	"time"
)

// Variable names one weekly team-level measure in a Series.
type Variable int

// The measures that the projections aggregate per team and week. Every value
// is a team-week aggregate over a group at or above the anonymity threshold k;
// a cell whose group was below k is suppressed and arrives as NaN. The
// statistics here do not depend on the scales (correlations and ICC(1) are
// unchanged by increasing linear rescaling), which the projections define.
const (
	// Recognition is the number of recognitions received in the week,
	// divided by the number of members of the team in that week.
	Recognition Variable = iota
	// Engagement is the team's mean engagement score in the week.
	Engagement
	// Wellbeing is the team's mean wellbeing score (such as WHO-5, 0-100) in
	// the week.
	Wellbeing
	// ENPS is the team's eNPS (%promoters - %detractors, -100..100) in the week.
	ENPS
	// Participation is the share of members who answered the week's pulse,
	// in [0, 1].
	Participation

	// NumVariables is the number of variables; it sizes Series.Values.
	NumVariables
)

var variableNames = [NumVariables]string{"recognition", "engagement", "wellbeing", "enps", "participation"}

// String returns the variable's lower-case name, as used in exports:
// "recognition", "engagement", "wellbeing", "enps" or "participation".
func (v Variable) String() string {
	if v < 0 || v >= NumVariables {
		return fmt.Sprintf("Variable(%d)", int(v))
	}
	return variableNames[v]
}

// Series holds the weekly aggregates of one team. Its rows are team-weeks,
// never persons: nothing in a Series, and nothing computed from it, refers to
// an individual member.
//
// Week holds strictly increasing week indices (see WeekIndex); weeks may be
// missing, and a missing week is never paired with anything. Values[v][i] is
// the value of variable v in week Week[i]. A nil Values[v] means that v is
// missing in every week; otherwise len(Values[v]) must equal len(Week). NaN
// means suppressed (the group was below k) or missing. Values must otherwise
// be finite.
type Series struct {
	// Team is an opaque identifier of the team; it is not used in any
	// computation, each Series being one team.
	Team string
	// Week holds strictly increasing week indices.
	Week []int
	// Values holds, for each variable, one value per week (NaN if missing).
	Values [NumVariables][]float64
}

// Validate panics if s breaks the preconditions of Series: weeks that are not
// strictly increasing, or a non-nil Values[v] whose length differs from
// len(Week). These are caller mistakes, not data conditions.
func (s *Series) Validate() {
	for i := 1; i < len(s.Week); i++ {
		if s.Week[i] <= s.Week[i-1] {
			panic(fmt.Sprintf("analysis: team %q: weeks not strictly increasing at index %d (%d after %d)", s.Team, i, s.Week[i], s.Week[i-1]))
		}
	}
	for v, vals := range s.Values {
		if vals != nil && len(vals) != len(s.Week) {
			panic(fmt.Sprintf("analysis: team %q: %d values of %v for %d weeks", s.Team, len(vals), Variable(v), len(s.Week)))
		}
	}
}

// epochMonday is Monday 1970-01-05, the first day of week index 0.
var epochMonday = time.Date(1970, time.January, 5, 0, 0, 0, 0, time.UTC)

// WeekIndex returns the index of the ISO week (weeks start on Monday) that
// contains t's calendar date, counted from the week of Monday 1970-01-05
// (index 0). Consecutive ISO weeks have consecutive indices, also across year
// boundaries, so week t+k is simply index+k. Only t's date in its own location
// is used.
func WeekIndex(t time.Time) int {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	days := int(day.Sub(epochMonday).Hours()) / 24 // exact: both are UTC midnights
	return floorDiv(days, 7)
}

// ISOWeekIndex returns the WeekIndex of ISO week week of ISO year year, such
// as (2026, 5) for 2026-W05. It panics if week is not in 1..53.
func ISOWeekIndex(year, week int) int {
	if week < 1 || week > 53 {
		panic(fmt.Sprintf("analysis: ISO week %d out of range", week))
	}
	// January 4th is always in ISO week 1.
	return WeekIndex(time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)) + week - 1
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
