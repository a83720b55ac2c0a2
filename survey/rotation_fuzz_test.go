package survey_test

import (
	"testing"

	"github.com/empulse/empulse/survey"
)

// TestRotationPerPulseBelowOne checks that a survey whose per_pulse is
// below 1, which only a corrupt or foreign SurveyCreated can hold, asks all
// its items: the scheduler's Due panicked on it (found by app's
// FuzzDecodeEvent).
func TestRotationPerPulseBelowOne(t *testing.T) {
	t.Parallel()
	items := []survey.Question{{Key: "a.1"}, {Key: "a.2"}, {Key: "a.3"}}
	for _, per := range []int{0, -1, -1 << 62} {
		if got := survey.Rotation(items, 4, per); len(got) != len(items) {
			t.Errorf("Rotation(3 items, 4, %d) gave %d items, want %d", per, len(got), len(items))
		}
	}
}
