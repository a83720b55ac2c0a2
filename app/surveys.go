package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/survey"
)

// Survey is a survey as the API shows it.
type Survey struct {
	ID                string         `json:"id"`
	Name              string         `json:"name"`
	TeamID            string         `json:"team_id"`
	Instruments       []string       `json:"instruments"`
	Cadence           survey.Cadence `json:"cadence"`
	K                 int            `json:"k"`
	KLocked           bool           `json:"k_locked"`
	QuestionsPerPulse int            `json:"questions_per_pulse"`
	StartsAt          time.Time      `json:"starts_at"`
	NextPulseDue      time.Time      `json:"next_pulse_due"`
	Pulses            []Pulse        `json:"pulses"`
}

// Pulse is a pulse as the API shows it.
type Pulse struct {
	ID        string            `json:"id"`
	SurveyID  string            `json:"survey_id"`
	Number    int               `json:"number"`
	Status    string            `json:"status"` // "open" or "closed"
	OpenedAt  time.Time         `json:"opened_at"`
	ClosesAt  time.Time         `json:"closes_at"`
	ClosedAt  *time.Time        `json:"closed_at,omitempty"`
	Questions []survey.Question `json:"questions"`
}

// pulseOf returns the view of p in survey s.
func pulseOf(s *survey.State, p *survey.Pulse) Pulse {
	v := Pulse{ID: p.ID, SurveyID: s.ID, Number: p.Number, Status: "open", OpenedAt: p.OpenedAt,
		ClosesAt: p.ClosesAt, Questions: p.Questions}
	if p.Closed {
		at := p.ClosedAt
		v.Status, v.ClosedAt = "closed", &at
	}
	return v
}

// surveyOf returns the view of s.
func surveyOf(s *survey.State) Survey {
	v := Survey{ID: s.ID, Name: s.Name, TeamID: s.Team, Instruments: s.Instruments, Cadence: s.Cadence, K: s.K,
		KLocked: s.KLocked(), QuestionsPerPulse: s.PerPulse, StartsAt: s.StartsAt, NextPulseDue: s.NextDue(), Pulses: []Pulse{}}
	for _, p := range s.Pulses {
		v.Pulses = append(v.Pulses, pulseOf(s, p))
	}
	return v
}

// NewSurvey is what CreateSurvey needs.
type NewSurvey struct {
	Name        string
	Team        string
	Instruments []string
	Cadence     survey.Cadence
	K           int
	PerPulse    int
	StartsAt    time.Time // zero: now
}

// CreateSurvey creates a survey of team's subtree. Admins may create any,
// leaders only for their subtree. It returns NotFound (field "team_id" or
// "instruments[i]"), Forbidden (field "team_id"), or the errors of
// survey.DecideCreate.
func (a *App) CreateSurvey(ctx context.Context, p Principal, ns NewSurvey) (Survey, error) {
	err := a.viewOrg(ctx, func(s *org.State) error {
		if p.Role != org.RoleAdmin && p.Role != org.RoleLeader {
			return forbidden("", "only admins and leaders create surveys")
		}
		if _, ok := s.Teams[ns.Team]; !ok {
			return notFound("team_id", "no such team")
		}
		if !manages(s, p, ns.Team) {
			return forbidden("team_id", "not your team")
		}
		return nil
	})
	if err != nil {
		return Survey{}, err
	}
	defs := make([]instrument.Definition, len(ns.Instruments))
	for i, id := range ns.Instruments {
		d, err := a.Instrument(ctx, id)
		if err != nil {
			return Survey{}, notFound(fmt.Sprintf("instruments[%d]", i), "no such instrument")
		}
		defs[i] = d
	}
	id, err := a.newID()
	if err != nil {
		return Survey{}, err
	}
	ev, err := survey.DecideCreate(survey.Create{Survey: id, Name: ns.Name, Team: ns.Team, Instruments: defs,
		Cadence: ns.Cadence, K: ns.K, PerPulse: ns.PerPulse, StartsAt: ns.StartsAt, Now: a.now()})
	if err != nil {
		return Survey{}, err
	}
	if err := a.appendSurvey(ctx, id, events.NoStream(), ev); err != nil {
		return Survey{}, err
	}
	if err := a.list(ctx, survey.CatalogStream(a.org), survey.Listed{Survey: id, Team: ns.Team}, "survey", id); err != nil {
		return Survey{}, err
	}
	var s survey.State
	s.Apply(ev)
	return surveyOf(&s), nil
}

// surveyFor loads survey id and checks that p may see it (manage true: may
// manage it). It returns NotFound (field "survey") or Forbidden (field
// "survey").
func (a *App) surveyFor(ctx context.Context, p Principal, id string, manage bool) (*survey.State, events.ExpectedRevision, error) {
	s, rev, err := a.loadSurvey(ctx, id)
	if err != nil {
		return nil, rev, err
	}
	err = a.viewOrg(ctx, func(o *org.State) error {
		ok := manages(o, p, s.Team)
		if !manage {
			ok = ok || p.Role == org.RoleAnalyst
		}
		if !ok {
			return forbidden("survey", "not a survey of your team")
		}
		return nil
	})
	return s, rev, err
}

// Survey returns survey id with its pulses, for admins and analysts, and
// leaders of the survey's team. It returns NotFound or Forbidden (field
// "survey").
func (a *App) Survey(ctx context.Context, p Principal, id string) (Survey, error) {
	s, _, err := a.surveyFor(ctx, p, id, false)
	if err != nil {
		return Survey{}, err
	}
	return surveyOf(s), nil
}

// surveyIDs returns the ids in the organisation's survey catalog.
func (a *App) surveyIDs(ctx context.Context) ([]survey.Listed, error) {
	var out []survey.Listed
	_, err := a.load(ctx, survey.CatalogStream(a.org), func(ev any) {
		if e, ok := ev.(survey.Listed); ok {
			out = append(out, e)
		}
	})
	return out, err
}

// Surveys returns the surveys p may see, in creation order: all for admins
// and analysts, a leader's subtree's; employees get Forbidden.
func (a *App) Surveys(ctx context.Context, p Principal) ([]Survey, error) {
	if p.Role == org.RoleEmployee {
		return nil, forbidden("", "employees see their pulses at /me/pulses")
	}
	listed, err := a.surveyIDs(ctx)
	if err != nil {
		return nil, err
	}
	out := []Survey{}
	for _, l := range listed {
		s, _, err := a.surveyFor(ctx, p, l.Survey, false)
		if apperr.CodeOf(err) == apperr.Forbidden {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, surveyOf(s))
	}
	return out, nil
}

// ChangeK sets survey id's minimum group size before its first pulse. It
// returns NotFound, Forbidden, or the errors of survey.DecideChangeK.
func (a *App) ChangeK(ctx context.Context, p Principal, id string, k int) (Survey, error) {
	var out Survey
	err := retry(ctx, func() error {
		s, rev, err := a.surveyFor(ctx, p, id, true)
		if err != nil {
			return err
		}
		ev, err := survey.DecideChangeK(s, k)
		if err != nil {
			return err
		}
		if err := a.appendSurvey(ctx, id, rev, ev); err != nil {
			return err
		}
		s.Apply(ev)
		out = surveyOf(s)
		return nil
	})
	return out, err
}

// appendTo appends evs with random IDs to stream.
func (a *App) appendTo(ctx context.Context, stream string, rev events.ExpectedRevision, evs ...eventer) error {
	_, err := a.appendAt(ctx, stream, rev, evs...)
	return err
}

// appendAt is appendTo returning the append's result.
func (a *App) appendAt(ctx context.Context, stream string, rev events.ExpectedRevision, evs ...eventer) (events.AppendResult, error) {
	props, err := a.proposed(evs)
	if err != nil {
		return events.AppendResult{}, err
	}
	return a.store.Append(ctx, stream, rev, props...)
}

// OpenPulse opens the next pulse of survey id by hand and returns it. It
// returns NotFound, Forbidden, or the errors of survey.DecideOpen.
func (a *App) OpenPulse(ctx context.Context, p Principal, id string) (Pulse, error) {
	pulseID, err := a.newID()
	if err != nil {
		return Pulse{}, err
	}
	var out Pulse
	err = retry(ctx, func() error {
		s, rev, err := a.surveyFor(ctx, p, id, true)
		if err != nil {
			return err
		}
		ev, err := survey.DecideOpen(s, pulseID, a.now())
		if err != nil {
			return err
		}
		if err := a.appendSurvey(ctx, id, rev, ev); err != nil {
			return err
		}
		s.Apply(ev)
		out = pulseOf(s, s.Pulse(pulseID))
		return nil
	})
	return out, err
}

// ClosePulse closes pulse of survey id by hand, records who answered it, and
// returns it. It returns NotFound, Forbidden, or the errors of
// survey.DecideClose.
func (a *App) ClosePulse(ctx context.Context, p Principal, id, pulse string) (Pulse, error) {
	var out Pulse
	var closed *survey.State
	err := retry(ctx, func() error {
		s, rev, err := a.surveyFor(ctx, p, id, true)
		if err != nil {
			return err
		}
		ev, err := survey.DecideClose(s, pulse, a.now())
		if err != nil {
			return err
		}
		if err := a.appendSurvey(ctx, id, rev, ev); err != nil {
			return err
		}
		s.Apply(ev)
		out, closed = pulseOf(s, s.Pulse(pulse)), s
		return nil
	})
	if err != nil {
		return Pulse{}, err
	}
	// Should this fail, the scheduler's next tick records it.
	return out, a.recordParticipation(ctx, closed, pulse)
}

// lastClosed returns the id of the last closed pulse of s, or "".
func lastClosed(s *survey.State) string {
	for i := len(s.Pulses) - 1; i >= 0; i-- {
		if s.Pulses[i].Closed {
			return s.Pulses[i].ID
		}
	}
	return ""
}

// Tick opens and closes the pulses that are due at the App's clock, for
// every survey of the organisation, records who answered each pulse it
// closes (and the last closed pulse's, if a crash or error left that
// undone), and returns how many pulse events it appended. A survey changed
// concurrently by someone else is left for the next tick.
func (a *App) Tick(ctx context.Context) (int, error) {
	listed, err := a.surveyIDs(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, l := range listed {
		s, rev, err := a.loadSurvey(ctx, l.Survey)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pulseID, err := a.newID()
		if err != nil {
			return n, err
		}
		due := survey.Due(s, a.now(), pulseID)
		evs := make([]eventer, len(due))
		for i, ev := range due {
			evs[i] = ev.(eventer)
		}
		if len(evs) > 0 {
			err = a.appendSurvey(ctx, l.Survey, rev, evs...)
			switch {
			case errors.Is(err, events.ErrWrongRevision):
				continue
			case err != nil:
				errs = append(errs, fmt.Errorf("survey %s: %w", l.Survey, err))
				continue
			}
			n += len(evs)
			for _, ev := range due {
				s.Apply(ev)
			}
		}
		if last := lastClosed(s); last != "" {
			if err := a.recordParticipation(ctx, s, last); err != nil {
				errs = append(errs, fmt.Errorf("survey %s: participation: %w", l.Survey, err))
			}
		}
	}
	return n, errors.Join(errs...)
}

// RunScheduler calls Tick every interval until ctx is done, logging its
// errors. It returns ctx's error.
func (a *App) RunScheduler(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := a.Tick(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("scheduler tick", "err", err)
		} else if n > 0 {
			a.log.Info("scheduler opened or closed pulses", "events", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
