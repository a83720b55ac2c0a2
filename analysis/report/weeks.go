package report

import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/plot"
)

// epochMonday is Monday 1970-01-05, the first day of analysis week index 0.
var epochMonday = time.Date(1970, time.January, 5, 0, 0, 0, 0, time.UTC)

// WeekLabel returns the ISO week of a week index of analysis.WeekIndex, as
// "2026-W05". It is the inverse of analysis.ISOWeekIndex.
func WeekLabel(index int) string {
	y, w := epochMonday.AddDate(0, 0, 7*index).ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// weekSteps are the spacings, in weeks, between labelled ticks.
var weekSteps = []int{1, 2, 4, 8, 13, 26, 52, 104, 260, 520}

// weekLabelWidth is the room a week label takes on the axis, with space
// around it.
const weekLabelWidth = 64 // points

// weekTicks labels a week axis with ISO weeks: at most maxLabels (at least
// 2) labelled ticks a whole number of weeks apart, and an unlabelled tick
// for every week when there are few enough. Chart.Render sets maxLabels
// from the width of the image.
type weekTicks struct {
	maxLabels int
}

var _ plot.Ticker = weekTicks{}

// Ticks implements plot.Ticker.
func (t weekTicks) Ticks(lo, hi float64) []plot.Tick {
	first, last := int(math.Ceil(lo)), int(math.Floor(hi))
	if first > last {
		return nil
	}
	span := last - first
	step := weekSteps[len(weekSteps)-1]
	for _, s := range weekSteps {
		if span/s < max(t.maxLabels, 2) {
			step = s
			break
		}
	}
	var ticks []plot.Tick
	for w := first; w <= last; w++ {
		switch {
		case (w-first)%step == 0:
			ticks = append(ticks, plot.Tick{Value: float64(w), Label: WeekLabel(w)})
		case step > 1 && step <= 4:
			ticks = append(ticks, plot.Tick{Value: float64(w)})
		}
	}
	return ticks
}
