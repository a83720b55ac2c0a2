package survey

import "time"

// Pulse is one pulse as the State knows it.
type Pulse struct {
	ID           string
	Number       int
	Questions    []Question
	OpenedAt     time.Time
	ScheduledFor time.Time
	ClosesAt     time.Time
	Closed       bool
	ClosedAt     time.Time
}

// Question returns the pulse's question with the given key and true, or
// false.
func (p *Pulse) Question(key string) (Question, bool) {
	for _, q := range p.Questions {
		if q.Key == key {
			return q, true
		}
	}
	return Question{}, false
}

// State is a survey folded from its stream. The zero value is a survey that
// does not exist yet.
type State struct {
	Exists      bool
	ID          string
	Name        string
	Team        string
	Instruments []string
	Items       []Question
	Cadence     Cadence
	K           int
	PerPulse    int
	StartsAt    time.Time
	Pulses      []*Pulse
}

// Apply folds one decoded event into s. Events of other types are ignored.
func (s *State) Apply(ev any) {
	switch e := ev.(type) {
	case Created:
		*s = State{Exists: true, ID: e.Survey, Name: e.Name, Team: e.Team, Instruments: e.Instruments,
			Items: e.Items, Cadence: e.Cadence, K: e.K, PerPulse: e.PerPulse, StartsAt: e.StartsAt}
	case KChanged:
		s.K = e.K
	case PulseOpened:
		s.Pulses = append(s.Pulses, &Pulse{ID: e.Pulse, Number: e.Number, Questions: e.Questions,
			OpenedAt: e.OpenedAt, ScheduledFor: e.ScheduledFor, ClosesAt: e.ClosesAt})
	case PulseClosed:
		if p := s.Pulse(e.Pulse); p != nil {
			p.Closed, p.ClosedAt = true, e.ClosedAt
		}
	}
}

// Pulse returns the pulse with the given id, or nil.
func (s *State) Pulse(id string) *Pulse {
	for _, p := range s.Pulses {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// OpenPulse returns the pulse that is open (not closed), or nil.
func (s *State) OpenPulse() *Pulse {
	if n := len(s.Pulses); n > 0 && !s.Pulses[n-1].Closed {
		return s.Pulses[n-1]
	}
	return nil
}

// KLocked reports whether k can no longer change: a pulse has opened.
func (s *State) KLocked() bool { return len(s.Pulses) > 0 }

// NextDue returns when the cadence wants the next pulse: StartsAt for the
// first, one period after the last pulse's ScheduledFor otherwise.
func (s *State) NextDue() time.Time {
	if len(s.Pulses) == 0 {
		return s.StartsAt
	}
	return s.Cadence.Next(s.Pulses[len(s.Pulses)-1].ScheduledFor)
}
