package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// percentile returns the p-quantile (0 <= p <= 1) of sorted latencies,
// nearest rank; 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// summary is the median and range of a figure's runs.
type summary struct {
	median, min, max float64
	n                int
}

// summarize returns the summary of vs; n is 0 when vs is empty.
func summarize(vs []float64) summary {
	if len(vs) == 0 {
		return summary{}
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return summary{median: m, min: s[0], max: s[len(s)-1], n: len(s)}
}

// ok reports whether the summary holds any run.
func (s summary) ok() bool { return s.n > 0 }

// show formats the summary as "median unit (min-max)" with f, the median
// alone for a single run or an empty range, and the median and its unit
// in bold when strong.
func (s summary) show(f func(float64) string, unit string, strong bool) string {
	if !s.ok() {
		return "n/a"
	}
	m := f(s.median) + unit
	if strong {
		m = "**" + m + "**"
	}
	if s.n == 1 || f(s.min) == f(s.max) {
		return m
	}
	return fmt.Sprintf("%s (%s-%s)", m, f(s.min), f(s.max))
}

// ms shows a summary of milliseconds, in µs when the median is below one.
func (s summary) ms(strong bool) string {
	if s.ok() && s.median < 1 {
		return s.show(func(v float64) string { return sig3(v * 1000) }, " µs", strong)
	}
	return s.show(sig3, " ms", strong)
}

// times returns the summary with every value multiplied by k.
func (s summary) times(k float64) summary {
	return summary{median: s.median * k, min: s.min * k, max: s.max * k, n: s.n}
}

// rate shows a summary of a rate, such as "28.7k events/s".
func (s summary) rate(unit string, strong bool) string { return s.show(rate, unit, strong) }

// rate formats a per-second rate with three significant digits: 935,
// 28.7k, 1.24M.
func rate(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return sig3(v/1e6) + "M"
	case a >= 1e3:
		return sig3(v/1e3) + "k"
	default:
		return sig3(v)
	}
}

// sig3 formats v with three significant digits, without exponent.
func sig3(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// millis formats milliseconds: "2.15 ms", or "432 µs" below one.
func millis(ms float64) string {
	if ms < 1 {
		return sig3(ms*1000) + " µs"
	}
	return sig3(ms) + " ms"
}

// ratio formats a ratio with two decimals.
func ratio(v float64) string { return fmt.Sprintf("%.2f", v) }

// count formats a whole number with thousands separators.
func count(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// table is a markdown table.
type table struct {
	head []string
	rows [][]string
}

// add appends a row.
func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// String renders the table.
func (t *table) String() string {
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	line(t.head)
	sep := make([]string, len(t.head))
	for i := range sep {
		sep[i] = "---"
	}
	line(sep)
	for _, r := range t.rows {
		line(r)
	}
	return b.String()
}
