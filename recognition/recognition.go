// Package recognition is the domain of recognition between colleagues: a
// member recognises another, never themselves, with a value tag and a
// message. Each giver has a weekly allowance. Every recognition a giver gives
// in an ISO week goes to the stream recognition-<giver>-<week>, so the
// allowance is that stream's length and appending with the expected revision
// makes parallel requests unable to exceed it.
package recognition

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/pii"
)

// Limits and defaults.
const (
	DefaultAllowance = 10
	MaxMessage       = 1000
)

var valuePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// Week returns t's ISO 8601 week, as "2026-W48".
func Week(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// Stream returns the name of the stream of what giver gives in week.
func Stream(giver, week string) string { return "recognition-" + giver + "-" + week }

// Given records a recognition. Message is sealed with the giver's key under
// MessageContext.
type Given struct {
	Recognition string     `json:"recognition"`
	Giver       string     `json:"giver"`
	Receiver    string     `json:"receiver"`
	Value       string     `json:"value"`
	Message     pii.Sealed `json:"message"`
	Week        string     `json:"week"`
	Day         string     `json:"day"`
}

// TypeGiven is the event type name of Given.
const TypeGiven = "RecognitionGiven"

// EventType returns the event's type name.
func (Given) EventType() string { return TypeGiven }

// Register registers the package's event types in r.
func Register(r *events.Registry) { events.Register[Given](r, TypeGiven) }

// MessageContext is the pii context of a recognition's message.
func MessageContext(recognition string) string { return "recognition/" + recognition + "/message" }

// State is one giver's week, folded from its stream.
type State struct {
	// Given lists the week's recognitions in order.
	Given []Given
}

// Apply folds one decoded event into s. Events of other types are ignored.
func (s *State) Apply(ev any) {
	if g, ok := ev.(Given); ok {
		s.Given = append(s.Given, g)
	}
}

// Give asks to record a recognition.
type Give struct {
	Recognition string
	Giver       string
	Receiver    string
	Value       string
	Message     string
	Now         time.Time
	// Allowance is the most a giver may give in a week.
	Allowance int
	// Seal seals the message with the giver's key.
	Seal func(plaintext, context string) (pii.Sealed, error)
}

// DecideGive returns the Given event for c, given the giver's week so far,
// or an *apperr.Error: Invalid for recognising oneself (field
// "receiver_id"), a bad value tag (field "value") or an empty or over-long
// message (field "message"); Conflict (field "allowance") when the giver has
// used the week's allowance. A Seal error is returned as it is.
func DecideGive(s *State, c Give) (Given, error) {
	if c.Receiver == c.Giver {
		return Given{}, apperr.Field("receiver_id", "you cannot recognise yourself")
	}
	if !valuePattern.MatchString(c.Value) {
		return Given{}, apperr.Field("value", "must be a value tag: 1 to 40 characters a-z, 0-9, '_' or '-'")
	}
	msg := strings.TrimSpace(c.Message)
	if !utf8.ValidString(msg) {
		return Given{}, apperr.Field("message", "must be UTF-8")
	}
	if n := utf8.RuneCountInString(msg); n == 0 || n > MaxMessage {
		return Given{}, apperr.Field("message", "must be 1 to %d characters", MaxMessage)
	}
	if len(s.Given) >= c.Allowance {
		return Given{}, &apperr.Error{Code: apperr.Conflict, Field: "allowance",
			Message: fmt.Sprintf("weekly allowance of %d recognitions used", c.Allowance)}
	}
	sealed, err := c.Seal(msg, MessageContext(c.Recognition))
	if err != nil {
		return Given{}, err
	}
	return Given{Recognition: c.Recognition, Giver: c.Giver, Receiver: c.Receiver, Value: c.Value,
		Message: sealed, Week: Week(c.Now), Day: c.Now.UTC().Format(time.DateOnly)}, nil
}

var weekPattern = regexp.MustCompile(`^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$`)

// ValidWeek reports whether w is an ISO week as Week writes it, like
// "2026-W48".
func ValidWeek(w string) bool { return weekPattern.MatchString(w) }
