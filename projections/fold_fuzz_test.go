package projections

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
)

// FuzzFoldEvent folds an event of any type with any data after a valid
// history, then a valid answer. The fold's design is to skip what it cannot
// use (see state.apply), so it must never panic or loop, the answer after
// must still count (the projection is not wedged), folding the same log
// twice must save the same, and the state saved and loaded again must
// have the hierarchy the live fold had. A type the fold does not know is
// replaced by a registered type chosen by its name, so that mutated names
// still exercise the decoders.
func FuzzFoldEvent(f *testing.F) {
	types := registeredTypes()
	history := foldHistory(f)
	for _, e := range history {
		f.Add(e.Type, e.Data)
	}
	f.Add(org.TypeTeamCreated, []byte(`{"team":"loop","name":"Loop","parent":"loop"}`))
	f.Add(org.TypeTeamCreated, []byte(`{"team":"late","name":"Late","parent":"later"}`))
	f.Add(org.TypeMemberJoined, []byte(`{"member":"m1","team":"nowhere"}`))
	f.Add(survey.TypePulseOpened, []byte(`{"survey":"s1","pulse":"p1","questions":[],"opened_at":"0001-01-01T00:00:00Z"}`))
	f.Add(survey.TypeAnswerSubmitted, []byte(`{"pulse":"p1","team":"t2","day":"9999-12-31","values":[{"key":"k","value":-9223372036854775808}]}`))
	f.Add(recognition.TypeGiven, []byte(`{"giver":"m1","receiver":"m2","week":"2026-W53","message":null}`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		if !slices.Contains(types, typ) {
			sum := 0
			for _, c := range []byte(typ) {
				sum += int(c)
			}
			typ = types[sum%len(types)]
		}
		log := append(slices.Clip(history), events.Event{Type: typ, Data: data})
		// The event is folded, then a team it may name, then the answer.
		log = append(log, marshalled(t, org.TeamCreated{Team: "later", Name: "Later"}))
		st := foldLog(t, log)
		checkHierarchy(t, st)
		before := answersOf(st, "t2", "2026-11-25")
		st.apply(&followUp)
		if got := answersOf(st, "t2", "2026-11-25"); got != before+1 {
			t.Fatalf("the answer after the event counted %d answers, want %d", got-before, 1)
		}
		log = append(log, followUp)
		first, loaded := saveLoad(t, foldLog(t, log))
		second, _ := saveLoad(t, foldLog(t, log))
		if !maps.Equal(first, second) {
			t.Fatal("folding the same log twice saved different states")
		}
		checkHierarchy(t, loaded)
		live := foldLog(t, log)
		if got, want := hierarchy(loaded), hierarchy(live); got != want {
			t.Fatalf("hierarchy loaded from the saved state:\n%s\nwant, as folded:\n%s", got, want)
		}
	})
}

// registeredTypes returns the event types of every domain package.
func registeredTypes() []string {
	r := events.NewRegistry()
	org.Register(r)
	instrument.Register(r)
	survey.Register(r)
	recognition.Register(r)
	return r.Types()
}

// followUp is a valid answer, folded after the fuzzed event.
var followUp = events.Event{Type: survey.TypeAnswerSubmitted,
	Data: []byte(`{"answer":"a9","survey":"s1","pulse":"p1","respondent":"r9","team":"t2","day":"2026-11-25","values":[{"key":"enps.recommend","value":9}]}`)}

// foldHistory returns a valid history: two teams, members, a survey with
// an open pulse, an answer and a recognition.
func foldHistory(tb testing.TB) []events.Event {
	tb.Helper()
	opened := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	enps, _ := instrument.BundledByID(instrument.ENPSID)
	qs := survey.Questions([]instrument.Definition{enps})
	out := []events.Event{}
	for _, ev := range []interface{ EventType() string }{
		org.TeamCreated{Team: "t1", Name: "One"},
		org.TeamCreated{Team: "t2", Name: "Two", Parent: "t1"},
		org.MemberJoined{Member: "m1", Team: "t1", Role: org.RoleLeader, TokenHash: "h1"},
		org.MemberJoined{Member: "m2", Team: "t2", Role: org.RoleEmployee, TokenHash: "h2"},
		org.MemberMoved{Member: "m2", From: "t2", To: "t1"},
		org.MemberRoleChanged{Member: "m2", Role: org.RoleAnalyst},
		survey.Created{Survey: "s1", Name: "Pulse", Team: "t1", Instruments: []string{enps.ID}, Items: qs,
			Cadence: survey.Weekly, K: 3, PerPulse: 5, StartsAt: opened},
		survey.KChanged{Survey: "s1", K: 4},
		survey.Listed{Survey: "s1", Team: "t1"},
		survey.PulseOpened{Survey: "s1", Pulse: "p1", Questions: qs, OpenedAt: opened, ScheduledFor: opened, ClosesAt: opened.AddDate(0, 0, 7)},
		survey.AnswerSubmitted{Answer: "a1", Survey: "s1", Pulse: "p1", Respondent: "r1", Team: "t2", Day: "2026-11-24",
			Values: []survey.Value{{Key: qs[0].Key, Value: 3}}, Comment: []byte("sealed")},
		recognition.Given{Recognition: "g1", Giver: "m1", Receiver: "m2", Value: "teamwork", Message: []byte("sealed"), Week: "2026-W48", Day: "2026-11-24"},
		org.MemberErased{Member: "m1"},
	} {
		out = append(out, marshalled(tb, ev))
	}
	return out
}

// marshalled returns ev as a recorded event.
func marshalled(tb testing.TB, ev interface{ EventType() string }) events.Event {
	tb.Helper()
	data, err := events.Marshal(ev)
	if err != nil {
		tb.Fatal(err)
	}
	return events.Event{Type: ev.EventType(), Data: data}
}

// foldLog folds log into a new state.
func foldLog(tb testing.TB, log []events.Event) *state {
	tb.Helper()
	st := newState()
	for i := range log {
		st.apply(&log[i])
	}
	return st
}

// answersOf returns the answers counted in team's cell of day's week.
func answersOf(st *state, team, day string) int64 {
	w, _ := weekOfDay(day)
	if wc := st.weeks[w]; wc != nil && wc.cells[team] != nil {
		return wc.cells[team].Answers
	}
	return 0
}

// checkHierarchy fails t unless every team is reached exactly once from
// the roots, so that walking the hierarchy ends.
func checkHierarchy(t *testing.T, st *state) {
	t.Helper()
	seen := map[string]bool{}
	var walk func(id string)
	walk = func(id string) {
		if seen[id] {
			t.Fatalf("team %q reached twice walking the hierarchy", id)
		}
		seen[id] = true
		for _, c := range st.teams[id].children {
			walk(c)
		}
	}
	for _, r := range st.roots {
		walk(r)
	}
	if len(seen) != len(st.teams) {
		t.Fatalf("%d of %d teams reached from the roots", len(seen), len(st.teams))
	}
}

// hierarchy describes st's roots and each team's children.
func hierarchy(st *state) string {
	s := fmt.Sprintf("roots %q\n", st.roots)
	for _, id := range sortedKeys(st.teams) {
		s += fmt.Sprintf("%q: %q\n", id, st.teams[id].children)
	}
	return s
}

// saveLoad saves st into an empty in-memory database, and returns what it
// holds and the state loaded from it.
func saveLoad(t *testing.T, st *state) (map[string]string, *state) {
	t.Helper()
	d, err := openDB("", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	if err := d.save(st, events.Position{Commit: 1, Prepare: 1}, false); err != nil {
		t.Fatal(err)
	}
	saved, err := d.dump()
	if err != nil {
		t.Fatal(err)
	}
	loaded, _, err := d.load()
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return saved, loaded
}
