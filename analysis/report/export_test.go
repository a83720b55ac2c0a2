package report

// Runs exposes runs to the tests: the points of each unbroken stretch of a
// trend line.
func Runs(t Trend) [][][2]float64 {
	var out [][][2]float64
	for _, r := range runs(t) {
		var pts [][2]float64
		for _, p := range r {
			pts = append(pts, [2]float64{p.X, p.Y})
		}
		out = append(out, pts)
	}
	return out
}

// WeekTickLabels exposes the week ticker to the tests: the labels of the
// labelled ticks between lo and hi with at most maxLabels of them, and the
// number of ticks.
func WeekTickLabels(lo, hi float64, maxLabels int) (labels []string, ticks int) {
	ts := weekTicks{maxLabels: maxLabels}.Ticks(lo, hi)
	for _, t := range ts {
		if t.Label != "" {
			labels = append(labels, t.Label)
		}
	}
	return labels, len(ts)
}
