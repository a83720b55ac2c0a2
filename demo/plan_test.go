package demo

import (
	"net/mail"
	"reflect"
	"testing"
	"time"

	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
)

func TestNewWorld(t *testing.T) {
	t.Parallel()
	w := newWorld(1)
	levels := map[int]int{}
	depth := func(ti int) int {
		d := 0
		for p := w.teams[ti].parent; p >= 0; p = w.teams[p].parent {
			d++
		}
		return d
	}
	for ti, tm := range w.teams {
		levels[depth(ti)]++
		leaders := 0
		for _, pi := range tm.members {
			if w.people[pi].team != ti {
				t.Errorf("%s lists %s, who is in team %d", tm.name, w.people[pi].name, w.people[pi].team)
			}
			if w.people[pi].role == org.RoleLeader {
				leaders++
			}
		}
		if want := min(1, ti); leaders != want { // the organisation itself has no members
			t.Errorf("team %s has %d leaders, want %d", tm.name, leaders, want)
		}
	}
	if want := map[int]int{0: 1, 1: 5, 2: 24}; !reflect.DeepEqual(levels, want) {
		t.Errorf("teams per level=%v, want %v", levels, want)
	}
	var small []int
	for ti, tm := range w.teams {
		if n := len(tm.members); depth(ti) == 2 && n < survey.DefaultK {
			small = append(small, n)
		}
	}
	if want := []int{3, 2, 2}; !reflect.DeepEqual(small, want) {
		t.Errorf("sizes of the teams smaller than k=%v, want %v", small, want)
	}
	if n := len(w.people); n < members-10 || n > members+10 {
		t.Errorf("%d members, want about %d", n, members)
	}
	names, emails := map[string]bool{}, map[string]bool{}
	analysts := 0
	for _, p := range w.people {
		if names[p.name] || emails[p.email] {
			t.Errorf("%s <%s> repeats a name or an address", p.name, p.email)
		}
		names[p.name], emails[p.email] = true, true
		if a, err := mail.ParseAddress(p.email); err != nil || a.Address != p.email {
			t.Errorf("address %q: %v", p.email, err)
		}
		if p.role == org.RoleAnalyst {
			analysts++
		}
	}
	if analysts != 1 {
		t.Errorf("%d analysts, want 1", analysts)
	}
	var got [3]string
	e, l, a := w.shown()
	for i, pi := range []int{e, l, a} {
		got[i] = string(w.people[pi].role) + " of " + w.teams[w.people[pi].team].name
	}
	if want := [3]string{"employee of Payments", "leader of Engineering", "analyst of People"}; got != want {
		t.Errorf("shown: %v, want %v", got, want)
	}
}

func TestPlanWeek_Deterministic(t *testing.T) {
	t.Parallel()
	a, b, c := newWorld(7), newWorld(7), newWorld(8)
	for week := range 3 {
		ta, tb, tc := a.planWeek(), b.planWeek(), c.planWeek()
		if !reflect.DeepEqual(ta, tb) {
			t.Fatalf("week %d: the same seed planned different tasks", week)
		}
		if reflect.DeepEqual(ta, tc) {
			t.Fatalf("week %d: seeds 7 and 8 planned the same tasks", week)
		}
	}
}

func TestPlanWeek_Tasks(t *testing.T) {
	t.Parallel()
	w := newWorld(3)
	for week := range 4 {
		given := map[int]int{}
		answered := map[[2]int]bool{}
		answers, recognitions := 0, 0
		for _, tk := range w.planWeek() {
			if tk.day < 0 || tk.day >= len(dayWeights) {
				t.Fatalf("week %d: task on day %d", week, tk.day)
			}
			if tk.survey < 0 {
				recognitions++
				if tk.person == tk.receiver {
					t.Errorf("week %d: %s recognises themselves", week, w.people[tk.person].name)
				}
				if given[tk.person]++; given[tk.person] > recognition.DefaultAllowance {
					t.Errorf("week %d: %s gives more than the allowance", week, w.people[tk.person].name)
				}
				continue
			}
			answers++
			key := [2]int{tk.person, tk.survey}
			if answered[key] {
				t.Errorf("week %d: %s answers survey %d twice", week, w.people[tk.person].name, tk.survey)
			}
			answered[key] = true
		}
		// About two thirds of 300 members answer each survey; each
		// receives about baseRate recognitions.
		if answers < 300 || answers > len(surveySpecs)*len(w.people) || recognitions < 50 || recognitions > 400 {
			t.Errorf("week %d: %d answers, %d recognitions; want a few hundred of each", week, answers, recognitions)
		}
	}
}

func TestAnswer(t *testing.T) {
	t.Parallel()
	var qs []survey.Question
	for _, d := range instrument.Bundled() {
		qs = append(qs, survey.Questions([]instrument.Definition{d})...)
	}
	reversed := survey.Question{Key: "x.rev", Min: 1, Max: 7, Reverse: true, Feeds: instrument.Feed{Kind: instrument.FeedEngagement}}
	qs = append(qs, reversed)
	tests := []struct {
		name  string
		level float64
		want  func(q survey.Question) int // nil: anywhere on the scale
	}{
		{"VeryHigh", 20, func(q survey.Question) int { return map[bool]int{false: q.Max, true: q.Min}[q.Reverse] }},
		{"VeryLow", -20, func(q survey.Question) int { return map[bool]int{false: q.Min, true: q.Max}[q.Reverse] }},
		{"Average", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := answer(qs, tt.level, map[string]float64{}, 42)
			if len(got) != len(qs) {
				t.Fatalf("%d values for %d questions", len(got), len(qs))
			}
			for _, q := range qs {
				v, ok := got[q.Key]
				switch {
				case !ok || v < q.Min || v > q.Max:
					t.Errorf("%s=%d (given %v), want %d to %d", q.Key, v, ok, q.Min, q.Max)
				case tt.want != nil && v != tt.want(q):
					t.Errorf("%s=%d, want %d", q.Key, v, tt.want(q))
				}
			}
			if again := answer(qs, tt.level, map[string]float64{}, 42); !reflect.DeepEqual(again, got) {
				t.Errorf("the same noise gave %v, then %v", got, again)
			}
		})
	}
}

func TestSplitCurrent(t *testing.T) {
	t.Parallel()
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	var tasks []task
	for day := range 5 {
		for range 10 {
			tasks = append(tasks, task{day: day})
		}
	}
	tests := []struct {
		name      string
		now       time.Time
		wantSeed  int
		wantFirst int // the day of the first task left for later
	}{
		{"BeforeThePulses", monday.Add(5 * time.Hour), 0, 0},
		{"MondayMorning", monday.Add(10 * time.Hour), 0, 0},
		{"WednesdayAfternoon", monday.AddDate(0, 0, 2).Add(15 * time.Hour), 30, 3},
		{"Saturday", monday.AddDate(0, 0, 5), 35, 3}, // 30% is kept back
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed, later := splitCurrent(tasks, monday, tt.now)
			if len(seed) != tt.wantSeed || len(seed)+len(later) != len(tasks) || later[0].day != tt.wantFirst {
				t.Fatalf("split %d + %d, first later on day %d; want %d seeded, the rest later from day %d",
					len(seed), len(later), later[0].day, tt.wantSeed, tt.wantFirst)
			}
			for _, tk := range seed {
				if taskTime(monday, tk.day).After(tt.now) {
					t.Errorf("a task of day %d is seeded before its time", tk.day)
				}
			}
		})
	}
}
