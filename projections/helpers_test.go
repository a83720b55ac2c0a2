package projections_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/projections"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
)

// mustStore opens an embedded store in a temporary directory, closed at
// the test's end.
func mustStore(tb testing.TB) *pebble.Store {
	tb.Helper()
	s, err := pebble.Open(tb.TempDir(), pebble.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// mustOpen opens a runner on store in dir ("" for memory) whose clock
// stands at t0, stopped at the test's end.
func mustOpen(tb testing.TB, store events.Store, dir string) *projections.Runner {
	tb.Helper()
	return mustOpenAt(tb, store, dir, func() time.Time { return t0 })
}

// mustOpenAt is mustOpen with the clock now.
func mustOpenAt(tb testing.TB, store events.Store, dir string, now func() time.Time) *projections.Runner {
	tb.Helper()
	r, err := projections.Open(projections.Config{Store: store, Dir: dir, Now: now, Shuffle: func(int, func(int, int)) {}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Stop() })
	return r
}

// t0 is a Monday of week 2026-W48; t0End is the first moment after that
// week, when its figures show all but a single unreleased answer.
var (
	t0    = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	t0End = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
)

// eventer is a domain event.
type eventer interface{ EventType() string }

// appender appends domain events to a store.
type appender struct {
	tb    testing.TB
	store events.Store
	last  events.Position
}

// add appends evs to stream, whatever it holds.
func (a *appender) add(stream string, evs ...eventer) {
	a.tb.Helper()
	props := make([]events.Proposed, len(evs))
	for i, ev := range evs {
		data, err := events.Marshal(ev)
		if err != nil {
			a.tb.Fatal(err)
		}
		props[i] = events.Proposed{ID: uuid.New(), Type: ev.EventType(), Data: data}
	}
	res, err := a.store.Append(context.Background(), stream, events.Any(), props...)
	if err != nil {
		a.tb.Fatal(err)
	}
	a.last = res.Position
}

// question returns a pulse question of an item of a bundled instrument.
func question(inst, item string) survey.Question {
	d, _ := instrument.BundledByID(inst)
	it, _ := d.Item(item)
	return survey.Question{Key: inst + "." + item, Instrument: inst, Item: item, Min: d.Scale.Min, Max: d.Scale.Max,
		Reverse: it.Reverse, Feeds: it.Feeds}
}

// customQuestions are engagement items on 1-7 and 0-4, one reversed, and
// a driver on 1-5.
var customQuestions = []survey.Question{
	{Key: "eng.a", Instrument: "eng", Item: "a", Min: 1, Max: 7, Feeds: instrument.Feed{Kind: instrument.FeedEngagement}},
	{Key: "eng.b", Instrument: "eng", Item: "b", Min: 0, Max: 4, Reverse: true, Feeds: instrument.Feed{Kind: instrument.FeedEngagement}},
	{Key: "eng.c", Instrument: "eng", Item: "c", Min: 1, Max: 5, Feeds: instrument.Feed{Kind: instrument.FeedDriver, Driver: "ownership"}},
}

// allQuestions are WHO-5, eNPS and the custom questions.
func allQuestions() []survey.Question {
	qs := []survey.Question{}
	for _, it := range []string{"cheerful", "calm", "active", "rested", "interest"} {
		qs = append(qs, question(instrument.WHO5ID, it))
	}
	qs = append(qs, question(instrument.ENPSID, "recommend"))
	return append(qs, customQuestions...)
}

// history appends a random history to a: an organisation of teams and
// members, surveys with pulses, answers (some with comments), moves,
// erasures and recognitions (a few to members erased meanwhile).
type history struct {
	a       *appender
	rng     *rand.Rand
	teams   []string
	members []string
	erased  []string
	pulses  []string
	surveys map[string]string // pulse -> survey
	qs      []survey.Question
	n       int
}

// newHistory returns a generator seeded with seed.
func newHistory(tb testing.TB, store events.Store, seed uint64) *history {
	return &history{a: &appender{tb: tb, store: store}, rng: rand.New(rand.NewPCG(seed, seed^0x9e37)), surveys: map[string]string{},
		qs: allQuestions()}
}

// id returns a fresh deterministic id.
func (h *history) id(kind string) string {
	h.n++
	return fmt.Sprintf("%s-%d", kind, h.n)
}

// step appends one random event (or a few that belong together).
func (h *history) step() {
	r := h.rng
	switch x := r.IntN(100); {
	case len(h.teams) == 0 || x < 5:
		t := h.id("team")
		parent := ""
		if len(h.teams) > 0 && r.IntN(4) > 0 {
			parent = h.teams[r.IntN(len(h.teams))]
		}
		h.a.add(org.Stream("o"), org.TeamCreated{Team: t, Name: t, Parent: parent})
		h.teams = append(h.teams, t)
	case len(h.members) < 3 || x < 20:
		m := h.id("member")
		h.a.add(org.Stream("o"), org.MemberJoined{Member: m, Team: h.teams[r.IntN(len(h.teams))], Role: org.RoleEmployee})
		h.members = append(h.members, m)
	case x < 24:
		m := h.members[r.IntN(len(h.members))]
		h.a.add(org.Stream("o"), org.MemberMoved{Member: m, To: h.teams[r.IntN(len(h.teams))]})
	case len(h.members) > 3 && x < 26:
		i := r.IntN(len(h.members))
		h.a.add(org.Stream("o"), org.MemberErased{Member: h.members[i]})
		h.erased = append(h.erased, h.members[i])
		h.members = append(h.members[:i], h.members[i+1:]...)
	case len(h.pulses) == 0 || x < 28:
		sv, p := h.id("survey"), h.id("pulse")
		k := 3 + r.IntN(3)
		h.a.add(survey.Stream(sv), survey.Created{Survey: sv, Team: h.teams[r.IntN(len(h.teams))], K: k, Items: h.qs})
		if r.IntN(3) == 0 {
			h.a.add(survey.Stream(sv), survey.KChanged{Survey: sv, K: k + 1})
		}
		opened := t0.AddDate(0, 0, 7*r.IntN(4)-14)
		h.a.add(survey.Stream(sv), survey.PulseOpened{Survey: sv, Pulse: p, Questions: h.qs, OpenedAt: opened})
		h.pulses = append(h.pulses, p)
		h.surveys[p] = sv
	case x < 40:
		g, rc := h.members[r.IntN(len(h.members))], h.members[r.IntN(len(h.members))]
		if len(h.erased) > 0 && r.IntN(10) == 0 {
			rc = h.erased[r.IntN(len(h.erased))] // given while the receiver was being erased
		}
		day := t0.AddDate(0, 0, r.IntN(21)-14)
		h.a.add(recognition.Stream(g, recognition.Week(day)), recognition.Given{Recognition: h.id("rec"), Giver: g, Receiver: rc,
			Value: "teamwork", Message: []byte{1, 2, 3}, Week: recognition.Week(day), Day: day.Format(time.DateOnly)})
	default:
		p := h.pulses[r.IntN(len(h.pulses))]
		var vals []survey.Value
		for _, q := range h.qs {
			if r.IntN(5) > 0 {
				vals = append(vals, survey.Value{Key: q.Key, Value: q.Min + r.IntN(q.Max-q.Min+1)})
			}
		}
		ans := survey.AnswerSubmitted{Answer: h.id("answer"), Survey: h.surveys[p], Pulse: p, Respondent: h.id("resp"),
			Team: h.teams[r.IntN(len(h.teams))], Day: t0.AddDate(0, 0, r.IntN(21)-14).Format(time.DateOnly), Values: vals}
		if r.IntN(4) == 0 {
			ans.Comment = []byte("sealed")
		}
		h.a.add(survey.AnswerStream(p, ans.Respondent), ans)
	}
}
