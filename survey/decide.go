package survey

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/pii"
)

// Limits and defaults.
const (
	DefaultK       = 5
	MinK           = 3
	MaxK           = 1000
	MaxPerPulse    = 5
	MaxName        = 200
	MaxComment     = 2000
	MaxInstruments = 20
)

// Questions returns the questions of defs, instrument by instrument, item by
// item: a survey's rotation order.
func Questions(defs []instrument.Definition) []Question {
	var out []Question
	for _, d := range defs {
		for _, it := range d.Items {
			out = append(out, Question{
				Key: d.ID + "." + it.ID, Instrument: d.ID, Item: it.ID,
				Min: d.Scale.Min, Max: d.Scale.Max, Reverse: it.Reverse, Feeds: it.Feeds, Text: it.Text,
			})
		}
	}
	return out
}

// Rotation returns the questions of pulse number n (from 0): all items when
// there are at most perPulse, else the next perPulse items in order, wrapping
// around, so that consecutive pulses cycle through every item. A perPulse
// below 1, which only a corrupt event can hold, asks for all items too.
func Rotation(items []Question, n, perPulse int) []Question {
	if len(items) <= perPulse || perPulse < 1 {
		return append([]Question(nil), items...)
	}
	out := make([]Question, perPulse)
	start := (n * perPulse) % len(items)
	for i := range out {
		out[i] = items[(start+i)%len(items)]
	}
	return out
}

// Create asks for a new survey.
type Create struct {
	Survey      string
	Name        string
	Team        string
	Instruments []instrument.Definition // resolved by the caller, in order
	Cadence     Cadence
	K           int       // 0 means DefaultK
	PerPulse    int       // 0 means MaxPerPulse
	StartsAt    time.Time // zero means Now
	Now         time.Time
}

// DecideCreate returns the Created event for c, or an Invalid
// *apperr.Error naming the field: "name", "instruments", "cadence", "k"
// (below MinK or above MaxK), "questions_per_pulse" (not 1 to 5),
// "starts_at" (more than a year from Now).
func DecideCreate(c Create) (Created, error) {
	name := strings.TrimSpace(c.Name)
	if n := utf8.RuneCountInString(name); n == 0 || n > MaxName {
		return Created{}, apperr.Field("name", "must be 1 to %d characters", MaxName)
	}
	if len(c.Instruments) == 0 || len(c.Instruments) > MaxInstruments {
		return Created{}, apperr.Field("instruments", "must name 1 to %d instruments", MaxInstruments)
	}
	ids := make([]string, len(c.Instruments))
	for i, d := range c.Instruments {
		for _, prev := range ids[:i] {
			if prev == d.ID {
				return Created{}, apperr.Field(fmt.Sprintf("instruments[%d]", i), "repeats instrument %q", d.ID)
			}
		}
		ids[i] = d.ID
	}
	if !c.Cadence.Valid() {
		return Created{}, apperr.Field("cadence", "must be weekly, fortnightly or monthly")
	}
	k := c.K
	if k == 0 {
		k = DefaultK
	}
	if k < MinK || k > MaxK {
		return Created{}, apperr.Field("k", "must be %d to %d", MinK, MaxK)
	}
	per := c.PerPulse
	if per == 0 {
		per = MaxPerPulse
	}
	if per < 1 || per > MaxPerPulse {
		return Created{}, apperr.Field("questions_per_pulse", "must be 1 to %d", MaxPerPulse)
	}
	starts := c.StartsAt
	if starts.IsZero() {
		starts = c.Now
	}
	if starts.Before(c.Now.AddDate(-1, 0, 0)) || starts.After(c.Now.AddDate(1, 0, 0)) {
		return Created{}, apperr.Field("starts_at", "must be within a year of now")
	}
	return Created{Survey: c.Survey, Name: name, Team: c.Team, Instruments: ids, Items: Questions(c.Instruments),
		Cadence: c.Cadence, K: k, PerPulse: per, StartsAt: starts.UTC()}, nil
}

// DecideChangeK returns the KChanged event, or an *apperr.Error: NotFound for
// a survey that does not exist, Invalid (field "k") out of range, Conflict
// (field "k") once a pulse has opened.
func DecideChangeK(s *State, k int) (KChanged, error) {
	if !s.Exists {
		return KChanged{}, apperr.New(apperr.NotFound, "no such survey")
	}
	if k < MinK || k > MaxK {
		return KChanged{}, apperr.Field("k", "must be %d to %d", MinK, MaxK)
	}
	if s.KLocked() {
		return KChanged{}, &apperr.Error{Code: apperr.Conflict, Field: "k", Message: "k is locked once the first pulse has opened"}
	}
	return KChanged{Survey: s.ID, K: k}, nil
}

// DecideOpen returns the PulseOpened event for opening pulse id by hand at
// now, or an *apperr.Error: NotFound for a survey that does not exist,
// Conflict when a pulse is open already.
func DecideOpen(s *State, id string, now time.Time) (PulseOpened, error) {
	if !s.Exists {
		return PulseOpened{}, apperr.New(apperr.NotFound, "no such survey")
	}
	if s.OpenPulse() != nil {
		return PulseOpened{}, apperr.New(apperr.Conflict, "a pulse of this survey is open already")
	}
	ev := open(s, id, now, now)
	ev.ByHand = true
	return ev, nil
}

// open returns the PulseOpened event for the next pulse, scheduled for
// scheduled and opened at now.
func open(s *State, id string, now, scheduled time.Time) PulseOpened {
	n := len(s.Pulses)
	return PulseOpened{Survey: s.ID, Pulse: id, Number: n, Questions: Rotation(s.Items, n, s.PerPulse),
		OpenedAt: now.UTC(), ScheduledFor: scheduled.UTC(), ClosesAt: s.Cadence.Next(scheduled).UTC()}
}

// DecideClose returns the PulseClosed event for closing pulse id by hand at
// now, or an *apperr.Error: NotFound for an unknown survey or pulse (field
// "pulse"), Conflict when it is closed already.
func DecideClose(s *State, id string, now time.Time) (PulseClosed, error) {
	if !s.Exists {
		return PulseClosed{}, apperr.New(apperr.NotFound, "no such survey")
	}
	p := s.Pulse(id)
	if p == nil {
		return PulseClosed{}, &apperr.Error{Code: apperr.NotFound, Field: "pulse", Message: "no such pulse"}
	}
	if p.Closed {
		return PulseClosed{}, &apperr.Error{Code: apperr.Conflict, Field: "pulse", Message: "pulse is closed already"}
	}
	return PulseClosed{Survey: s.ID, Pulse: id, ClosedAt: now.UTC(), ByHand: true}, nil
}

// Due returns what the scheduler must append at now: a PulseClosed for an
// open pulse whose time is up, and a PulseOpened (with id newPulse) when the
// next pulse is due. A pulse that came due several periods ago (the server
// was down) opens once, scheduled for the latest period that has begun. It
// returns nil when nothing is due.
func Due(s *State, now time.Time, newPulse string) []any {
	if !s.Exists {
		return nil
	}
	var out []any
	p := s.OpenPulse()
	if p != nil {
		if now.Before(p.ClosesAt) {
			return nil
		}
		out = append(out, PulseClosed{Survey: s.ID, Pulse: p.ID, ClosedAt: now.UTC()})
	}
	next := s.NextDue()
	if now.Before(next) {
		return out
	}
	for !now.Before(s.Cadence.Next(next)) {
		next = s.Cadence.Next(next)
	}
	return append(out, open(s, newPulse, now, next))
}

// Answer asks to record a member's answer to a pulse.
type Answer struct {
	Answer     string // the answer's id
	Pulse      string
	Respondent string // the member's pseudonym
	Team       string // the member's team now
	Values     map[string]int
	Comment    string
	Now        time.Time
	// Seal seals the comment with the member's key.
	Seal func(plaintext, context string) (pii.Sealed, error)
}

// DecideAnswer returns the AnswerSubmitted event for c, or an *apperr.Error: NotFound for an unknown survey or pulse (field
// "pulse"); Conflict (field "pulse") for a closed pulse or one whose time is
// up; Invalid for no values (field "values"), a key the pulse does not ask
// or a value off its scale (field "values.<key>"), or a comment over
// MaxComment characters or not UTF-8 (field "comment"). A Seal error is
// returned as it is.
func DecideAnswer(s *State, c Answer) (AnswerSubmitted, error) {
	var none AnswerSubmitted
	if !s.Exists {
		return none, apperr.New(apperr.NotFound, "no such survey")
	}
	p := s.Pulse(c.Pulse)
	if p == nil {
		return none, &apperr.Error{Code: apperr.NotFound, Field: "pulse", Message: "no such pulse"}
	}
	if p.Closed || !c.Now.Before(p.ClosesAt) {
		return none, &apperr.Error{Code: apperr.Conflict, Field: "pulse", Message: "pulse is closed"}
	}
	if len(c.Values) == 0 {
		return none, apperr.Field("values", "must answer at least one question")
	}
	keys := make([]string, 0, len(c.Values))
	for k := range c.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	values := make([]Value, 0, len(keys))
	for _, k := range keys {
		q, ok := p.Question(k)
		if !ok {
			return none, apperr.Field("values."+k, "this pulse does not ask %q", k)
		}
		v := c.Values[k]
		if v < q.Min || v > q.Max {
			return none, apperr.Field("values."+k, "must be %d to %d", q.Min, q.Max)
		}
		values = append(values, Value{Key: k, Value: v})
	}
	if !utf8.ValidString(c.Comment) {
		return none, apperr.Field("comment", "must be UTF-8")
	}
	if utf8.RuneCountInString(c.Comment) > MaxComment {
		return none, apperr.Field("comment", "must be at most %d characters", MaxComment)
	}
	ev := AnswerSubmitted{Answer: c.Answer, Survey: s.ID, Pulse: p.ID, Respondent: c.Respondent, Team: c.Team, Day: Day(c.Now), Values: values}
	if comment := strings.TrimSpace(c.Comment); comment != "" {
		sealed, err := c.Seal(comment, CommentContext(p.ID, c.Respondent))
		if err != nil {
			return none, err
		}
		ev.Comment = sealed
	}
	return ev, nil
}

// DecideParticipation returns the ParticipationRecorded event of pulse id,
// closed, answered by members; or an *apperr.Error: NotFound (field "pulse")
// for an unknown pulse, Conflict (field "pulse") for one still open.
func DecideParticipation(s *State, id string, members []string) (ParticipationRecorded, error) {
	p := s.Pulse(id)
	if p == nil {
		return ParticipationRecorded{}, &apperr.Error{Code: apperr.NotFound, Field: "pulse", Message: "no such pulse"}
	}
	if !p.Closed {
		return ParticipationRecorded{}, &apperr.Error{Code: apperr.Conflict, Field: "pulse", Message: "participation is recorded once the pulse has closed"}
	}
	sorted := append([]string{}, members...)
	sort.Strings(sorted)
	return ParticipationRecorded{Survey: s.ID, Pulse: id, Members: sorted}, nil
}
