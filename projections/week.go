package projections

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Week is an ISO 8601 week as "2026-W48".
type Week string

var weekPattern = regexp.MustCompile(`^([0-9]{4})-W(0[1-9]|[1-4][0-9]|5[0-3])$`)

// WeekOf returns the ISO week of t in UTC.
func WeekOf(t time.Time) Week {
	y, w := t.UTC().ISOWeek()
	return Week(fmt.Sprintf("%04d-W%02d", y, w))
}

// weekOfDay returns the ISO week of a "2006-01-02" day, or false.
func weekOfDay(day string) (Week, bool) {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return "", false
	}
	return WeekOf(t), true
}

// ParseWeek returns s as a Week and its Monday, or false when s is not an
// ISO week that exists (like "2025-W53", which does not).
func ParseWeek(s string) (Week, time.Time, bool) {
	m := weekPattern.FindStringSubmatch(s)
	if m == nil {
		return "", time.Time{}, false
	}
	y, _ := strconv.Atoi(m[1])
	w, _ := strconv.Atoi(m[2])
	// January 4th is always in week 1.
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(w-1)*7)
	if WeekOf(monday) != Week(s) {
		return "", time.Time{}, false
	}
	return Week(s), monday, true
}

// weeksBetween returns the weeks from the week of monday from to the week
// of to, inclusive, oldest first.
func weeksBetween(from, to time.Time) []Week {
	var out []Week
	for t := from; !t.After(to); t = t.AddDate(0, 0, 7) {
		out = append(out, WeekOf(t))
	}
	return out
}
