package survey

import (
	"time"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/pii"
)

// Stream returns the name of survey id's stream.
func Stream(id string) string { return "survey-" + id }

// CatalogStream returns the name of the stream that lists organisation
// org's surveys, so that the scheduler and /me/pulses can find them.
func CatalogStream(org string) string { return "surveys-" + org }

// AnswerStream returns the name of the stream that holds the one answer of
// respondent pseudonym to pulse.
func AnswerStream(pulse, pseudonym string) string { return "answer-" + pulse + "-" + pseudonym }

// ParticipationStream returns the name of the stream that records who
// answered pulse, once it has closed.
func ParticipationStream(pulse string) string { return "participation-" + pulse }

// Question is one item as a pulse asks it: everything needed to show it,
// check an answer and score it, copied from its instrument.
type Question struct {
	// Key is "<instrument>.<item>", unique within a survey.
	Key        string            `json:"key"`
	Instrument string            `json:"instrument"`
	Item       string            `json:"item"`
	Min        int               `json:"min"`
	Max        int               `json:"max"`
	Reverse    bool              `json:"reverse,omitempty"`
	Feeds      instrument.Feed   `json:"feeds"`
	Text       map[string]string `json:"text"`
}

// Created records a new survey. Items are all its questions in rotation
// order.
type Created struct {
	Survey      string     `json:"survey"`
	Name        string     `json:"name"`
	Team        string     `json:"team"`
	Instruments []string   `json:"instruments"`
	Items       []Question `json:"items"`
	Cadence     Cadence    `json:"cadence"`
	K           int        `json:"k"`
	PerPulse    int        `json:"per_pulse"`
	StartsAt    time.Time  `json:"starts_at"`
}

// KChanged records a new minimum group size, before the first pulse.
type KChanged struct {
	Survey string `json:"survey"`
	K      int    `json:"k"`
}

// PulseOpened records a pulse opening. ScheduledFor is when the cadence
// wanted it (the opening time for a pulse opened by hand); the next pulse is
// due one period later.
type PulseOpened struct {
	Survey       string     `json:"survey"`
	Pulse        string     `json:"pulse"`
	Number       int        `json:"number"`
	Questions    []Question `json:"questions"`
	OpenedAt     time.Time  `json:"opened_at"`
	ScheduledFor time.Time  `json:"scheduled_for"`
	ClosesAt     time.Time  `json:"closes_at"`
	ByHand       bool       `json:"by_hand,omitempty"`
}

// PulseClosed records a pulse closing.
type PulseClosed struct {
	Survey   string    `json:"survey"`
	Pulse    string    `json:"pulse"`
	ClosedAt time.Time `json:"closed_at"`
	ByHand   bool      `json:"by_hand,omitempty"`
}

// Listed records a survey in its organisation's catalog stream.
type Listed struct {
	Survey string `json:"survey"`
	Team   string `json:"team"`
}

// Value is the answer to one question.
type Value struct {
	Key   string `json:"key"`
	Value int    `json:"value"`
}

// AnswerSubmitted records one respondent's answer to a pulse. It carries the
// pseudonymous respondent, never the member; the team the member was in when
// answering; and the UTC day, never the exact time. Comment, if any, is
// sealed with the member's key under CommentContext.
type AnswerSubmitted struct {
	Answer     string     `json:"answer"`
	Survey     string     `json:"survey"`
	Pulse      string     `json:"pulse"`
	Respondent string     `json:"respondent"`
	Team       string     `json:"team"`
	Day        string     `json:"day"`
	Values     []Value    `json:"values"`
	Comment    pii.Sealed `json:"comment,omitempty"`
}

// ParticipationRecorded records who answered a pulse, and nothing of what
// they answered. It is written once, after the pulse closes, for all its
// respondents together (Members sorted): written per answer, it would sit
// next to the answer in the global log and link member to pseudonym.
type ParticipationRecorded struct {
	Survey  string   `json:"survey"`
	Pulse   string   `json:"pulse"`
	Members []string `json:"members"`
}

// CommentContext is the pii context of the comment of respondent's answer
// to pulse.
func CommentContext(pulse, respondent string) string {
	return "answer/" + pulse + "/" + respondent + "/comment"
}

// The event type names.
const (
	TypeCreated               = "SurveyCreated"
	TypeKChanged              = "SurveyKChanged"
	TypePulseOpened           = "PulseOpened"
	TypePulseClosed           = "PulseClosed"
	TypeListed                = "SurveyListed"
	TypeAnswerSubmitted       = "AnswerSubmitted"
	TypeParticipationRecorded = "ParticipationRecorded"
)

// EventType returns the event's type name.
func (Created) EventType() string { return TypeCreated }

// EventType returns the event's type name.
func (KChanged) EventType() string { return TypeKChanged }

// EventType returns the event's type name.
func (PulseOpened) EventType() string { return TypePulseOpened }

// EventType returns the event's type name.
func (PulseClosed) EventType() string { return TypePulseClosed }

// EventType returns the event's type name.
func (Listed) EventType() string { return TypeListed }

// EventType returns the event's type name.
func (AnswerSubmitted) EventType() string { return TypeAnswerSubmitted }

// EventType returns the event's type name.
func (ParticipationRecorded) EventType() string { return TypeParticipationRecorded }

// Register registers the package's event types in r.
func Register(r *events.Registry) {
	events.Register[Created](r, TypeCreated)
	events.Register[KChanged](r, TypeKChanged)
	events.Register[PulseOpened](r, TypePulseOpened)
	events.Register[PulseClosed](r, TypePulseClosed)
	events.Register[Listed](r, TypeListed)
	events.Register[AnswerSubmitted](r, TypeAnswerSubmitted)
	events.Register[ParticipationRecorded](r, TypeParticipationRecorded)
}
