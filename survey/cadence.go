package survey

import "time"

// Cadence is how often a survey's pulses open.
type Cadence string

// The cadences.
const (
	Weekly      Cadence = "weekly"
	Fortnightly Cadence = "fortnightly"
	Monthly     Cadence = "monthly"
)

// Valid reports whether c is one of the cadences.
func (c Cadence) Valid() bool { return c == Weekly || c == Fortnightly || c == Monthly }

// Next returns the time one period after t: 7 days, 14 days, or one calendar
// month (time.AddDate's rules).
func (c Cadence) Next(t time.Time) time.Time {
	switch c {
	case Fortnightly:
		return t.AddDate(0, 0, 14)
	case Monthly:
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 7)
}

// Day returns t coarsened to its UTC day, as "2006-01-02": the only time an
// answer carries.
func Day(t time.Time) string { return t.UTC().Format(time.DateOnly) }
