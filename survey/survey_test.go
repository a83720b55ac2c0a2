package survey_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/pii"
	"github.com/empulse/empulse/survey"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) // a Monday

// bundled returns the bundled instruments with the given ids.
func bundled(tb testing.TB, ids ...string) []instrument.Definition {
	tb.Helper()
	var out []instrument.Definition
	for _, id := range ids {
		d, ok := instrument.BundledByID(id)
		if !ok {
			tb.Fatalf("no bundled instrument %q", id)
		}
		out = append(out, d)
	}
	return out
}

// created returns the state of a weekly survey of all bundled instruments
// (12 items), starting at t0.
func created(tb testing.TB) *survey.State {
	tb.Helper()
	ev, err := survey.DecideCreate(survey.Create{Survey: "s1", Name: "Weekly", Team: "t", Cadence: survey.Weekly,
		Instruments: bundled(tb, "who5", "enps", "empowerment"), Now: t0})
	if err != nil {
		tb.Fatalf("DecideCreate: %v", err)
	}
	s := &survey.State{}
	s.Apply(ev)
	return s
}

// opened returns created(tb) with pulse p0 opened by hand at t0.
func opened(tb testing.TB) *survey.State {
	tb.Helper()
	s := created(tb)
	ev, err := survey.DecideOpen(s, "p0", t0)
	if err != nil {
		tb.Fatalf("DecideOpen: %v", err)
	}
	s.Apply(ev)
	return s
}

func TestDecideCreate(t *testing.T) {
	t.Parallel()
	ok := survey.Create{Survey: "s", Name: "Pulse", Team: "t", Cadence: survey.Monthly, Instruments: bundled(t, "who5"), Now: t0}
	tests := []struct {
		name      string
		edit      func(*survey.Create)
		wantField string
	}{
		{"Defaults", func(*survey.Create) {}, ""},
		{"K3", func(c *survey.Create) { c.K = 3 }, ""},
		{"NoName", func(c *survey.Create) { c.Name = " " }, "name"},
		{"NoInstruments", func(c *survey.Create) { c.Instruments = nil }, "instruments"},
		{"Repeated", func(c *survey.Create) { c.Instruments = bundled(t, "who5", "who5") }, "instruments[1]"},
		{"BadCadence", func(c *survey.Create) { c.Cadence = "daily" }, "cadence"},
		{"KTooSmall", func(c *survey.Create) { c.K = 2 }, "k"},
		{"KNegative", func(c *survey.Create) { c.K = -5 }, "k"},
		{"PerPulseSix", func(c *survey.Create) { c.PerPulse = 6 }, "questions_per_pulse"},
		{"StartsInAYear", func(c *survey.Create) { c.StartsAt = c.Now.AddDate(1, 0, 0) }, ""},
		{"StartedAYearAgo", func(c *survey.Create) { c.StartsAt = c.Now.AddDate(-1, 0, 0) }, ""},
		{"StartsTooLate", func(c *survey.Create) { c.StartsAt = c.Now.AddDate(1, 0, 1) }, "starts_at"},
		{"StartedTooEarly", func(c *survey.Create) { c.StartsAt = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC) }, "starts_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := ok
			tt.edit(&c)
			got, err := survey.DecideCreate(c)
			if tt.wantField != "" {
				if apperr.CodeOf(err) != apperr.Invalid || apperr.FieldOf(err) != tt.wantField {
					t.Fatalf("err=%v, want invalid %q", err, tt.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantK := 5
			if c.K != 0 {
				wantK = c.K
			}
			wantStart := t0 // c.Now, when no start is given
			if !c.StartsAt.IsZero() {
				wantStart = c.StartsAt
			}
			if got.K != wantK || got.PerPulse != 5 || len(got.Items) != 5 || !got.StartsAt.Equal(wantStart) {
				t.Fatalf("event=%+v, want k %d, 5 per pulse, 5 items, start %v", got, wantK, wantStart)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	items := survey.Questions(bundled(t, "who5", "enps", "empowerment"))
	if len(items) != 12 {
		t.Fatalf("%d items, want 12", len(items))
	}
	seen := map[string]int{}
	for n := range 12 { // 12 pulses x 5 = 60 = 5 rounds of 12 items
		qs := survey.Rotation(items, n, 5)
		if len(qs) != 5 {
			t.Fatalf("pulse %d asks %d questions, want 5", n, len(qs))
		}
		for _, q := range qs {
			seen[q.Key]++
		}
	}
	for _, it := range items {
		if seen[it.Key] != 5 {
			t.Errorf("%s asked %d times in 12 pulses, want 5", it.Key, seen[it.Key])
		}
	}
	if got := survey.Rotation(items[:3], 7, 5); len(got) != 3 {
		t.Errorf("3 items rotate into %d questions, want 3", len(got))
	}
}

func TestKLock(t *testing.T) {
	t.Parallel()
	s := created(t)
	ev, err := survey.DecideChangeK(s, 7)
	if err != nil || ev.K != 7 {
		t.Fatalf("DecideChangeK before first pulse=%+v, %v", ev, err)
	}
	if _, err := survey.DecideChangeK(s, 2); apperr.FieldOf(err) != "k" || apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("k=2: err=%v, want invalid k", err)
	}
	s = opened(t)
	if _, err := survey.DecideChangeK(s, 7); apperr.CodeOf(err) != apperr.Conflict || apperr.FieldOf(err) != "k" {
		t.Errorf("after first pulse: err=%v, want conflict on k", err)
	}
}

func TestOpenClose(t *testing.T) {
	t.Parallel()
	s := opened(t)
	p := s.OpenPulse()
	if p == nil || p.ID != "p0" || !p.ClosesAt.Equal(t0.AddDate(0, 0, 7)) || len(p.Questions) != 5 {
		t.Fatalf("open pulse=%+v, want p0 closing a week after t0 with 5 questions", p)
	}
	if _, err := survey.DecideOpen(s, "p1", t0); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("second open: err=%v, want conflict", err)
	}
	if _, err := survey.DecideClose(s, "nope", t0); apperr.CodeOf(err) != apperr.NotFound || apperr.FieldOf(err) != "pulse" {
		t.Errorf("close unknown: err=%v, want not_found pulse", err)
	}
	ev, err := survey.DecideClose(s, "p0", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s.Apply(ev)
	if s.OpenPulse() != nil {
		t.Errorf("a pulse is open after closing p0")
	}
	if _, err := survey.DecideClose(s, "p0", t0); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("close twice: err=%v, want conflict", err)
	}
	if _, err := survey.DecideOpen(&survey.State{}, "p", t0); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("open on missing survey: err=%v, want not_found", err)
	}
}

func TestDue(t *testing.T) {
	t.Parallel()
	s := created(t)
	steps := []struct {
		at   time.Time
		want string // the event types, comma separated
	}{
		{t0.Add(-time.Minute), ""},
		{t0, "open"},
		{t0.Add(24 * time.Hour), ""},
		{t0.AddDate(0, 0, 7), "close,open"},
		{t0.AddDate(0, 0, 7).Add(time.Hour), ""},
		{t0.AddDate(0, 0, 30), "close,open"}, // the server was down: one pulse, for the latest week begun
		{t0.AddDate(0, 0, 35), "close,open"},
	}
	for i, st := range steps {
		var got []string
		for _, ev := range survey.Due(s, st.at, fmt.Sprintf("p%d", i)) {
			switch e := ev.(type) {
			case survey.PulseOpened:
				got = append(got, "open")
				if e.ScheduledFor.After(st.at) || st.at.Sub(e.ScheduledFor) >= 7*24*time.Hour {
					t.Errorf("step %d: scheduled for %v at %v, want within the last week", i, e.ScheduledFor, st.at)
				}
			case survey.PulseClosed:
				got = append(got, "close")
			}
			s.Apply(ev)
		}
		if strings.Join(got, ",") != st.want {
			t.Errorf("step %d at %v: Due=%v, want %q", i, st.at, got, st.want)
		}
	}
	if n := len(s.Pulses); n != 4 {
		t.Errorf("%d pulses, want 4", n)
	}
}

// seal "seals" by copying.
func seal(plain, context string) (pii.Sealed, error) { return pii.Sealed(context + "=" + plain), nil }

func TestDecideAnswer(t *testing.T) {
	t.Parallel()
	ok := survey.Answer{Answer: "a1", Pulse: "p0", Respondent: "ps1", Team: "t",
		Values: map[string]int{"who5.cheerful": 5, "who5.calm": 0}, Comment: " fine ", Now: t0.Add(time.Hour), Seal: seal}
	tests := []struct {
		name      string
		edit      func(*survey.Answer)
		wantCode  apperr.Code
		wantField string
	}{
		{"OK", func(*survey.Answer) {}, "", ""},
		{"UnknownPulse", func(c *survey.Answer) { c.Pulse = "zz" }, apperr.NotFound, "pulse"},
		{"TimeUp", func(c *survey.Answer) { c.Now = t0.AddDate(0, 0, 7) }, apperr.Conflict, "pulse"},
		{"NoValues", func(c *survey.Answer) { c.Values = nil }, apperr.Invalid, "values"},
		{"NotAsked", func(c *survey.Answer) { c.Values = map[string]int{"enps.recommend": 3} }, apperr.Invalid, "values.enps.recommend"},
		{"TooHigh", func(c *survey.Answer) { c.Values = map[string]int{"who5.calm": 6} }, apperr.Invalid, "values.who5.calm"},
		{"Negative", func(c *survey.Answer) { c.Values = map[string]int{"who5.calm": -1} }, apperr.Invalid, "values.who5.calm"},
		{"LongComment", func(c *survey.Answer) { c.Comment = strings.Repeat("é", 2001) }, apperr.Invalid, "comment"},
		{"BadUTF8", func(c *survey.Answer) { c.Comment = "\xff" }, apperr.Invalid, "comment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := ok
			tt.edit(&c)
			ans, err := survey.DecideAnswer(opened(t), c)
			if tt.wantCode != "" {
				if apperr.CodeOf(err) != tt.wantCode || apperr.FieldOf(err) != tt.wantField {
					t.Fatalf("err=%v (field %q), want %s %q", err, apperr.FieldOf(err), tt.wantCode, tt.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ans.Respondent != "ps1" || ans.Team != "t" || ans.Day != "2026-11-23" || len(ans.Values) != 2 || ans.Values[0].Key != "who5.calm" {
				t.Errorf("answer=%+v", ans)
			}
			if string(ans.Comment) != "answer/p0/ps1/comment=fine" {
				t.Errorf("comment=%q, want it trimmed and sealed", ans.Comment)
			}
		})
	}
}

func TestDecideParticipation(t *testing.T) {
	t.Parallel()
	s := opened(t)
	if _, err := survey.DecideParticipation(s, "p0", []string{"m1"}); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("open pulse: err=%v, want conflict", err)
	}
	if _, err := survey.DecideParticipation(s, "zz", nil); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("unknown pulse: err=%v, want not_found", err)
	}
	closed, err := survey.DecideClose(s, "p0", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s.Apply(closed)
	got, err := survey.DecideParticipation(s, "p0", []string{"m2", "m1"})
	if err != nil || strings.Join(got.Members, ",") != "m1,m2" || got.Survey != "s1" {
		t.Errorf("participation=%+v, %v; want m1,m2 sorted", got, err)
	}
}
