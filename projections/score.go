package projections

import (
	"math"

	json "github.com/goccy/go-json"
)

// Score is one figure of one group in one week: either a value with the
// number of respondents behind it, or, when withheld, only the reason.
// Its fields are unexported, so a withheld Score cannot carry a number:
// the only way to make one with a value is shown.
type Score struct {
	value  float64
	n      int64
	reason string
}

// shown returns a Score with value x (rounded to one decimal) from n
// respondents.
func shown(x float64, n int64) Score { return Score{value: math.Round(x*10) / 10, n: n} }

// withheld returns a Score withheld for reason.
func withheld(reason string) Score { return Score{reason: reason} }

// Value returns the figure and true, or 0 and false when it is withheld.
func (s Score) Value() (float64, bool) { return s.value, s.reason == "" }

// Respondents returns the number of respondents (for per-member
// recognition figures, the members) and true, or 0 and false when the
// figure is withheld.
func (s Score) Respondents() (int64, bool) { return s.n, s.reason == "" }

// Suppressed reports whether the figure is withheld.
func (s Score) Suppressed() bool { return s.reason != "" }

// Reason returns why the figure is withheld, or "".
func (s Score) Reason() string { return s.reason }

// MarshalJSON encodes a shown Score as {"value":x,"respondents":n} and a
// withheld one as {"suppressed":true,"reason":"..."}.
func (s Score) MarshalJSON() ([]byte, error) {
	if s.reason != "" {
		return json.Marshal(struct {
			Suppressed bool   `json:"suppressed"`
			Reason     string `json:"reason"`
		}{true, s.reason})
	}
	return json.Marshal(struct {
		Suppressed  bool    `json:"suppressed"`
		Value       float64 `json:"value"`
		Respondents int64   `json:"respondents"`
	}{false, s.value, s.n})
}

// Comments are a group's comments in one week, shuffled, or the reason
// they are withheld. Like Score, a withheld value cannot carry any.
type Comments struct {
	texts  []string
	reason string
}

// Texts returns the comments and true, or nil and false when withheld.
func (c Comments) Texts() ([]string, bool) { return c.texts, c.reason == "" }

// Reason returns why the comments are withheld, or "".
func (c Comments) Reason() string { return c.reason }

// MarshalJSON encodes shown comments as {"items":[...]} and withheld ones
// as {"suppressed":true,"reason":"..."}.
func (c Comments) MarshalJSON() ([]byte, error) {
	if c.reason != "" {
		return json.Marshal(struct {
			Suppressed bool   `json:"suppressed"`
			Reason     string `json:"reason"`
		}{true, c.reason})
	}
	items := c.texts
	if items == nil {
		items = []string{}
	}
	return json.Marshal(struct {
		Suppressed bool     `json:"suppressed"`
		Items      []string `json:"items"`
	}{false, items})
}
