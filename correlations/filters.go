package correlations

import (
	"strconv"
	"strings"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/projections"
)

// MaxLag is the largest lag, in weeks, in either direction.
const MaxLag = 4

// MinMinN is the smallest minimum n a caller may choose: the Fisher-z
// interval needs n > 3.
const MinMinN = 4

// Filters select what a table or plot covers, like the dashboard's: the
// period, the subtree, the lags and the minimum n. A JSON export echoes
// them in its metadata.
type Filters struct {
	// From and To are the first and last ISO weeks (see Runner.Period).
	From projections.Week `json:"from"`
	To   projections.Week `json:"to"`
	// Team is the root of the subtree analysed; "" is the whole
	// organisation.
	Team string `json:"team,omitempty"`
	// Lags are the lags of the table, in weeks; nil means
	// analysis.DefaultLags.
	Lags []int `json:"lags"`
	// MinN is the minimum n of every test; 0 means analysis.DefaultMinN.
	MinN int `json:"min_n"`
}

// ParseLags returns the comma-separated lags of s, each a whole number from
// -MaxLag to MaxLag, in the order given without repeats; "" gives
// analysis.DefaultLags. It returns an Invalid *apperr.Error naming field
// otherwise.
func ParseLags(field, s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return append([]int(nil), analysis.DefaultLags...), nil
	}
	var out []int
	seen := map[int]bool{}
	for part := range strings.SplitSeq(s, ",") {
		lag, err := ParseLag(field, part)
		if err != nil {
			return nil, err
		}
		if !seen[lag] {
			seen[lag] = true
			out = append(out, lag)
		}
	}
	return out, nil
}

// ParseLag returns s as one lag, a whole number from -MaxLag to MaxLag, or
// an Invalid *apperr.Error naming field.
func ParseLag(field, s string) (int, error) {
	lag, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || lag < -MaxLag || lag > MaxLag {
		return 0, apperr.Field(field, "%q: lags are whole numbers of weeks from %d to %d", s, -MaxLag, MaxLag)
	}
	return lag, nil
}

// ParseMinN returns s as a minimum n, analysis.DefaultMinN for "", or an
// Invalid *apperr.Error naming field unless it is a whole number of at
// least MinMinN.
func ParseMinN(field, s string) (int, error) {
	if strings.TrimSpace(s) == "" {
		return analysis.DefaultMinN, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < MinMinN || n > 1_000_000 {
		return 0, apperr.Field(field, "%q: must be a whole number from %d to 1000000", s, MinMinN)
	}
	return n, nil
}

// ParseVariable returns the variable named s ("recognition", "engagement",
// "wellbeing", "enps" or "participation"), def for "", or an Invalid
// *apperr.Error naming field.
func ParseVariable(field, s string, def analysis.Variable) (analysis.Variable, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return def, nil
	}
	for v := range analysis.NumVariables {
		if v.String() == s {
			return v, nil
		}
	}
	return 0, apperr.Field(field, "%q: want recognition, engagement, wellbeing, enps or participation", s)
}
